"""Inline suppressions: ``# trustycheck: ignore[TC101, token-publish] reason``.

A directive names rules by id or slug and suppresses their findings on its own line or on the
line below (so it can sit on a comment line above the offending key). Anything after the
closing bracket is the reason, kept as the SARIF suppression's justification. TC001 is never
suppressed: a file GitHub cannot read is not a matter of taste.

Suppression is a stage after the rules: it sees only their findings. Directive entries that
matched nothing are judged by :func:`unused_ignores` (TC003, ``--report-unused-ignores``)
against the catalog in effect, so an organisation's own rule is a name it knows; no rule runs
again.
"""

from __future__ import annotations

import re

from trustycheck.findings import Finding
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Iterable

    from trustycheck.engine.catalog import Rule
    from trustycheck.loader import Document

_OPENING = lazy_pattern(r"#\s*trustycheck:\s*ignore\[", re.I)
"""Where a directive starts (in any case, as the whole comment). Its entries run to the first
``]`` after it, found with ``str.find``: a pattern that also matched them (a class of anything
but ``]``, then ``]``) retried to the end of the line from every opening, quadratic on a line
of openings that never close (160 KB: 6 s)."""
_SEPARATORS = lazy_pattern(r"[\s,]+")
NEVER_SUPPRESSED = frozenset({"TC001"})


@dataclass(eq=False, repr=False)
class Suppression:
    """Why a finding is not shown: SARIF kind ``inSource`` (a comment) or ``external`` (configuration)."""

    justification: str
    kind: str = "inSource"


@dataclass(eq=False, repr=False)
class Directive:
    """An inline ``# trustycheck: ignore[...]`` comment."""

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
    """The directives in ``lines`` (each a line without its line break), at most one a line:
    the first opening that a ``]`` closes."""
    found = []
    for number, line in enumerate(lines, start=1):
        opening = _OPENING.search(line)
        if opening is None:
            continue
        close = line.find("]", opening.end())
        if close < 0:
            continue  # no later opening can be closed either: every one is further right
        entries = tuple(part for part in _SEPARATORS.split(line[opening.end():close]) if part)
        reason = line[close + 1:].strip().lstrip("-:—").strip()
        pos = Pos(number, opening.start() + 1, number, len(line) + 1, path)
        found.append(Directive(pos, entries, reason))
    return found


def apply(findings: list[Finding], doc: Document) -> tuple[list[Finding], list[tuple[Finding, Suppression]], list[tuple[Directive, str]]]:
    """Split findings into kept and suppressed (with a justification); also return the
    directive entries that suppressed nothing. A file with no directive is not split into
    lines (most files: the reporters split only files with findings)."""
    if _OPENING.search(doc.text) is None:
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


def unused_ignores(unused: list[tuple[Directive, str]], path: str, unused_rule: Rule, ran: Iterable[Rule],
                   known: Iterable[Rule]) -> list[Finding]:
    """``unused_rule``'s findings (TC003) for the directive entries that suppressed nothing.

    ``ran`` are the rules whose findings the directives were matched against; ``known`` is the
    catalog in effect, organisation rules and deselected rules included. An entry naming a
    rule that ran suppresses nothing; one naming a known rule that did not run is not judged
    (nothing tells whether the comment is still needed, and the user may run that rule in
    another job); one naming no known rule names no rule (a misspelling, or a rule removed).
    """
    ran_ids = {rule.id for rule in ran}
    known_ids = _ids_by_name(known) | _ids_by_name(ran)
    found = []
    for directive, entry in unused:
        rule_id = known_ids.get(entry.upper()) or known_ids.get(entry.lower())
        if rule_id is None:
            why = f"names no rule ('{entry}')"
        elif rule_id in ran_ids:
            why = f"suppresses nothing: no {entry} finding on this line or the next"
        else:
            continue
        message = f"unused suppression: '{entry}' {why}"
        found.append(Finding(unused_rule.id, unused_rule.slug, unused_rule.severity, message, path, directive.pos, unused_rule.hint))
    return found


def _ids_by_name(rules: Iterable[Rule]) -> dict[str, str]:
    """Rule ids by the names a directive may use for them: the id and the slug."""
    return {name: rule.id for rule in rules for name in (rule.id, rule.slug)}
