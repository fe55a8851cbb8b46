"""The fix engine: which findings have a fix, applying fixes, and proving each one harmless.

One file at a time: lint its text (in its repository, so calls are followed as in a lint
run), ask the fix of each rule that holds for the edits it wants, apply those that do not
overlap, and lint the result again. A fix whose result is not valid YAML, or has a finding
of some rule more than before, is dropped, and the report says so. Rounds repeat on the new
text (positions move; one fix can make another possible) until nothing is left to try.
"""

from __future__ import annotations

import bisect
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from trustycheck.engine.catalog import Rule
from trustycheck.engine.runner import locate, run_rules
from trustycheck.findings import Finding
from trustycheck.fixes.fix import Fix
from trustycheck.fixes.registry import FIXERS
from trustycheck.fixes.text import Edit, OverlappingEdits, Source, apply_edits, check_disjoint
from trustycheck.loader import Document, load_path, load_text
from trustycheck.model.analysis import Analysis, analyse_project
from trustycheck.model.facts import Context
from trustycheck.model.project import Project
from trustycheck.nodes import Pos
from trustycheck.pipeline import repository_files
from trustycheck.suppress import apply as apply_suppressions

MAX_ROUNDS = 8
"""Rounds of planning and applying per file (each fix removes the finding it fixes, so a real
workflow needs two or three)."""
MAX_LINTS = 40
"""Lints of fixed texts per file. Fixes that fail together are tried one by one, each a lint
of the whole file: a file with thousands of failing fixes must not cost thousands of lints."""


@dataclass(eq=False, repr=False)
class Dropped:
    """A fix that was not applied, and why (its result was invalid, or had a new finding)."""

    fix: Fix
    reason: str


@dataclass(eq=False, repr=False)
class FileFix:
    """The outcome for one file: its text before and after, and what was applied or dropped."""

    path: str
    before: str
    after: str
    applied: list[Fix] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    """The findings of the fixed text."""
    refused: str | None = None
    """Why the file was not touched at all (not UTF-8, not readable)."""
    analysis: Analysis | None = None
    """The analysis of the fixed text (for the publisher settings)."""
    unsafe_available: int = 0
    """Fixes left that only ``--unsafe`` applies."""
    shown_before: tuple[list[str], list[Pos]] = ([], [])
    shown_after: tuple[list[str], list[Pos]] = ([], [])
    """The lines of each text and where the model found credentials in it: the diff masks
    them as every report does (a password in a block scalar is not a credential's shape)."""

    @property
    def changed(self) -> bool:
        return self.after != self.before


def fixable(rule: Rule, unsafe: bool) -> bool:
    """Whether the rule's findings are fixed in this run."""
    return rule.autofix is not None and rule.id in FIXERS and (unsafe or bool(rule.autofix.get("safe")))


@dataclass(eq=False, repr=False)
class Linted:
    doc: Document
    analysis: Analysis
    findings: list[Finding]


def lint_text(path: str, root: str | None, text: str, rules: Sequence[Rule]) -> Linted:
    """The findings of ``text`` as the file ``path`` of the repository at ``root`` (other files
    are read from disk), after inline suppressions, as a lint run would report them."""
    doc = load_text(path, text)
    mine = os.path.abspath(path)

    def load(other: str) -> Document:
        return doc if os.path.abspath(other) == mine else load_path(other)

    project = Project(root, load, repository_files)
    project.add(doc)
    analysis = analyse_project(project, [path])
    found = [finding for finding in run_rules(rules, analysis) if os.path.abspath(finding.path) == mine]
    kept, _, _ = apply_suppressions(found, doc)
    return Linted(doc, analysis, kept)


def plan(linted: Linted, source: Source, rules: Sequence[Rule], unsafe: bool) -> list[Fix]:
    """The fixes for the findings of one linted text, each once, in rule order. A finding that
    several contexts share (a step two jobs run, a workflow-wide grant every job inherits) is
    fixed from the first of them that has a fix: the fix is checked as a whole afterwards."""
    places = {(finding.rule_id, finding.pos.line, finding.pos.col) for finding in linted.findings}
    fixes: dict[tuple[str, str], Fix] = {}
    for rule in rules:
        if not fixable(rule, unsafe) or rule.autofix is None:
            continue
        for context in linted.analysis.contexts.get(rule.scope, ()):
            if not _holds(rule, context):
                continue
            pos = locate(rule, context)
            place = (rule.id, pos.line, pos.col)
            if place not in places or not source.owns(pos):
                continue
            for fixer in FIXERS[rule.id]:
                fix = fixer(context, source, linted.analysis)
                if fix is not None:
                    fix.rule_id, fix.safe = rule.id, bool(rule.autofix.get("safe"))
                    fixes.setdefault(fix.key, fix)
                    places.discard(place)
                    break
    return list(fixes.values())


def _holds(rule: Rule, context: Context) -> bool:
    return rule.head.holds(context) and (rule.rest is None or rule.rest.holds(context))


def _problem(linted: Linted) -> str | None:
    """Why a fixed text cannot be kept, as far as reading it goes."""
    broken = [p for p in linted.doc.problems if p.kind in ("yaml", "duplicate-key", "empty")]
    if linted.doc.root is None or broken:
        what = broken[0].message if broken else "it cannot be read"
        return f"the result is not a valid workflow ({what})"
    return None


def _new_findings(before: list[Finding], after: list[Finding]) -> str | None:
    counted_before = Counter(finding.rule_id for finding in before)
    counted_after = Counter(finding.rule_id for finding in after)
    grown = sorted(rule for rule, count in counted_after.items() if count > counted_before[rule])
    if not grown:
        return None
    return f"the result would have a new finding ({', '.join(grown)})"


def fix_text(path: str, root: str | None, text: str, rules: Sequence[Rule], unsafe: bool) -> FileFix:
    """Fix one file's text: apply, round by round, the fixes that keep it valid and add no finding."""
    outcome = FileFix(path, text, text)
    current = lint_text(path, root, text, rules)
    outcome.shown_before = _shown(current, path)
    rejected: set[tuple[str, str]] = set()
    budget = _Budget(MAX_LINTS)
    for _ in range(MAX_ROUNDS):
        if _problem(current) is not None:
            break  # a file that does not read as a workflow is left as it is
        source = Source(path, outcome.after)
        candidates = [fix for fix in plan(current, source, rules, unsafe) if fix.key not in rejected]
        if not candidates:
            break
        together = _compatible(candidates)
        if budget.spent():
            break
        attempt = _attempt(path, root, source.text, together, current, rules)
        if isinstance(attempt, Linted):
            outcome.after, current = apply_edits(source.text, [e for fix in together for e in fix.edits]), attempt
            outcome.applied.extend(together)
            continue
        progressed = False
        for fix in candidates:  # one by one: keep the first that passes, say why the others fail
            if budget.spent():
                outcome.dropped.append(Dropped(fix, f"not checked: over {MAX_LINTS} fixed versions of the file were linted"))
                continue
            single = _attempt(path, root, source.text, [fix], current, rules)
            if isinstance(single, Linted):
                outcome.after, current = apply_edits(source.text, fix.edits), single
                outcome.applied.append(fix)
                progressed = True
                break
            rejected.add(fix.key)
            outcome.dropped.append(Dropped(fix, single))
        if not progressed:
            break
    outcome.remaining = current.findings
    outcome.analysis = current.analysis
    outcome.shown_after = _shown(current, path)
    if not unsafe and _problem(current) is None:
        outcome.unsafe_available = sum(not fix.safe for fix in plan(current, Source(path, outcome.after), rules, True))
    return outcome


def _shown(linted: Linted, path: str) -> tuple[list[str], list[Pos]]:
    return linted.doc.lines, linted.analysis.redactions.get(path, [])


class _Budget:
    """How many more fixed texts may be linted."""

    def __init__(self, left: int) -> None:
        self.left = left

    def spent(self) -> bool:
        """Whether the budget is spent; takes one from it otherwise."""
        if self.left <= 0:
            return True
        self.left -= 1
        return False


def _compatible(fixes: list[Fix]) -> list[Fix]:
    """The fixes, in order, whose edits overlap none of an earlier one's (an identical edit is
    shared, not an overlap). The edits taken are kept in order, so each check is a bisection."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int, str]] = []
    for fix in fixes:
        try:
            check_disjoint(fix.edits)
        except OverlappingEdits:
            continue
        if any(_collides(taken, edit) for edit in fix.edits):
            continue
        chosen.append(fix)
        for edit in fix.edits:
            at = bisect.bisect_left(taken, (edit.start, edit.end, edit.new))
            if at == len(taken) or taken[at] != (edit.start, edit.end, edit.new):
                taken.insert(at, (edit.start, edit.end, edit.new))
    return chosen


def _collides(taken: list[tuple[int, int, str]], edit: Edit) -> bool:
    """Whether ``edit`` overlaps an edit in ``taken`` (sorted), or inserts where one starts."""
    key = (edit.start, edit.end, edit.new)
    at = bisect.bisect_left(taken, key)
    if at < len(taken) and taken[at] == key:
        return False
    before = taken[at - 1] if at else None
    after = taken[at] if at < len(taken) else None
    if before is not None and (edit.start < before[1] or edit.start == before[0]):
        return True
    return after is not None and (after[0] < edit.end or after[0] == edit.start)


def _attempt(path: str, root: str | None, text: str, fixes: list[Fix], before: Linted, rules: Sequence[Rule]) -> Linted | str:
    """The fixed text linted, or why it cannot be kept."""
    try:
        fixed = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
    except OverlappingEdits as error:
        return str(error)
    linted = lint_text(path, root, fixed, rules)
    return _problem(linted) or _new_findings(before.findings, linted.findings) or linted
