"""Inline suppressions: ``# trustycheck: ignore[TC101, token-publish] reason``.

A directive names rules by id or slug and suppresses their findings on its own line or on the
line below (so it can sit on a comment line above the offending key). Anything after the
closing bracket is the reason, kept as the SARIF suppression's justification. TC001 is never
suppressed: a file GitHub cannot read is not a matter of taste. Directives whose entries
matched nothing are collected, for ``--report-unused-ignores``.
"""

from __future__ import annotations

import re

from trustycheck.findings import Finding
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern
from trustycheck.records import field, record

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from trustycheck.loader import Document

_DIRECTIVE = lazy_pattern(r"#\s*trustycheck:\s*ignore\[([^\]]*)\](.*)$", re.I)
NEVER_SUPPRESSED = frozenset({"TC001"})


@record(frozen=True)
class Suppression:
    """Why a finding is not shown: SARIF kind ``inSource`` (a comment) or ``external`` (configuration)."""

    justification: str
    kind: str = "inSource"


@record
class Directive:
    pos: Pos
    entries: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)

    def matches(self, finding: Finding) -> str | None:
        """The entry that names the finding's rule, if any."""
        for entry in self.entries:
            if entry.upper() == finding.rule_id or entry.lower() == finding.slug:
                return entry
        return None


def directives(lines: list[str], path: str | None = None) -> list[Directive]:
    found = []
    for number, line in enumerate(lines, start=1):
        if "trustycheck" not in line:
            continue
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        entries = tuple(part for part in re.split(r"[\s,]+", match.group(1)) if part)
        reason = match.group(2).strip().lstrip("-:—").strip()
        pos = Pos(number, match.start() + 1, number, match.end() + 1, path)
        found.append(Directive(pos, entries, reason))
    return found


def apply(findings: list[Finding], doc: Document) -> tuple[list[Finding], list[tuple[Finding, Suppression]], list[tuple[Directive, str]]]:
    """Split findings into kept and suppressed (with a justification); also return the
    directive entries that suppressed nothing. A file that never names trustycheck is not
    split into lines (most files: the reporters split only files with findings)."""
    if "trustycheck" not in doc.text:
        return findings, [], []
    marks = directives(doc.lines)
    if not marks:
        return findings, [], []
    by_line: dict[int, list[Directive]] = {}
    for mark in marks:
        by_line.setdefault(mark.pos.line, []).append(mark)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, Suppression]] = []
    for finding in findings:
        hit = None
        if finding.rule_id not in NEVER_SUPPRESSED:
            for mark in by_line.get(finding.pos.line, []) + by_line.get(finding.pos.line - 1, []):
                entry = mark.matches(finding)
                if entry is not None:
                    mark.used.add(entry)
                    hit = mark
                    break
        if hit is None:
            kept.append(finding)
        else:
            suppressed.append((finding, Suppression(hit.reason or f"suppressed by # trustycheck: ignore[{', '.join(hit.entries)}]")))
    unused = [(mark, entry) for mark in marks for entry in mark.entries if entry not in mark.used]
    return kept, suppressed, unused
