"""Run the catalog's rules over analysed files and produce findings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import groupby
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from trustycheck.engine.catalog import Rule
from trustycheck.engine.conditions import Condition, first_test_roots, lookup, reader
from trustycheck.engine.vocabulary import FactRecord
from trustycheck.findings import Finding, severity_rank
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern


class Analysed(Protocol):
    """What the engine needs from an analysed file: fact contexts per scope."""

    contexts: dict[str, list[Any]]


_FILE_PATH = reader(("file", "path"))
_CALL_CHAIN = reader(("call", "chain"))
_PLACEHOLDER = lazy_pattern(r"\{([a-z][a-z0-9_.*-]*)\}")
_QUOTED_PLACEHOLDER = lazy_pattern(r"('?)\{([a-z][a-z0-9_.*-]*)\}('?)")


def run_rules(rules: Iterable[Rule], analysis: Analysed) -> list[Finding]:
    """Findings of every rule in every context of its scope: one per problem.

    A finding is filed under the file its location is in (a context reached through a call
    can point into the caller's file). Contexts where a rule holds at the same place are one
    finding when their messages differ in at most one placeholder: a composite action that two
    jobs run, or a trigger that starts three publishing jobs, is one problem, and the message
    lists that placeholder's values (``job 'build' and 'publish'``). When the contexts were
    reached through local calls, the message names the chains (``call.chain``). Contexts that
    differ in more (two uploads with different credentials in one script) stay apart.
    """
    matched: list[tuple[int, Rule, list[Any]]] = []
    for order, rule, selected in _select(list(rules), analysis.contexts):
        if selected:
            matched.append((order, rule, selected))
    matched.sort(key=_first)
    found: dict[tuple[Any, ...], list[_Merged]] = {}
    merged_in_order: list[_Merged] = []
    for _, rule, selected in matched:
        names = _placeholders(rule.message)
        for facts in selected:
            pos = locate(rule, facts)
            path = pos.path or _FILE_PATH(facts)
            values = tuple(_text(lookup(facts, name)) for name in names)
            level = severity(rule, facts)
            chain = _CALL_CHAIN(facts)
            place = (rule.id, path, pos.line, pos.col, pos.end_line, pos.end_col)
            entries = found.setdefault(place, [])
            entry = next((e for e in entries if e.takes(values)), None)
            if entry is None:
                entry = _Merged(rule, path, pos, names, values, level)
                entries.append(entry)
                merged_in_order.append(entry)
            entry.add(values, level, chain)
    return [entry.finding() for entry in merged_in_order]


@dataclass(eq=False, repr=False)
class _Merged:
    """The contexts where one rule holds at one place and whose messages differ in at most one
    placeholder (``varying``): one finding."""

    rule: Rule
    path: str
    pos: Pos
    names: tuple[str, ...]
    values: tuple[str, ...]
    """The placeholders' values in the first context."""
    level: str
    varying: int | None = None
    """The placeholder whose values differ between the contexts, if any."""
    listed: list[str] = field(default_factory=list)
    """That placeholder's values, in the order met."""
    chains: list[str] = field(default_factory=list)

    def takes(self, values: tuple[str, ...]) -> bool:
        """Whether a context with these placeholder values is this same problem."""
        differing = self._differing(values)
        return not differing or (len(differing) == 1 and self.varying in (None, differing[0]))

    def _differing(self, values: tuple[str, ...]) -> list[int]:
        """The placeholders whose values differ from the first context's."""
        return [i for i, (mine, theirs) in enumerate(zip(self.values, values)) if mine != theirs]

    def add(self, values: tuple[str, ...], level: str, chain: str | None) -> None:
        if self.varying is None:
            differing = self._differing(values)
            if differing:
                self.varying = differing[0]
                self.listed = [self.values[self.varying]]
        if self.varying is not None and values[self.varying] not in self.listed:
            self.listed.append(values[self.varying])
        if severity_rank(level) > severity_rank(self.level):
            self.level = level
        if chain and chain not in self.chains:
            self.chains.append(chain)

    def finding(self) -> Finding:
        rule = self.rule
        shown = dict(zip(self.names, self.values))
        quoted_list = None
        template = rule.message
        if self.varying is not None:
            name = self.names[self.varying]
            quoted_list = (name, self.listed)
            template = rule.message_many or template
        message = _fill(template, shown, quoted_list) + _chains_note(self.chains)
        return Finding(rule.id, rule.slug, self.level, message, self.path, self.pos, rule.hint)


MAX_CHAINS_NAMED = 3
"""Call chains a message names; more are counted."""


def _chains_note(chains: list[str]) -> str:
    if not chains:
        return ""
    named = "; ".join(chains[:MAX_CHAINS_NAMED])
    others = len(chains) - MAX_CHAINS_NAMED
    more = f", and {others} other call chain{'s' if others != 1 else ''}" if others > 0 else ""
    return f" (via {named}{more})"


def _placeholders(template: str) -> tuple[str, ...]:
    """The fact paths a message names, each once, in order."""
    return tuple(dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(template)))


def _text(value: Any) -> str:
    """A fact's value as a message shows it."""
    if value is None or isinstance(value, FactRecord):
        return "?"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def _fill(template: str, values: dict[str, str], listed: tuple[str, list[str]] | None) -> str:
    """The template with each placeholder's value; the listed placeholder shows all its values,
    each quoted as the template quotes it (``'{job.id}'`` gives ``'build' and 'publish'``)."""
    def substitute(match: re.Match[str]) -> str:
        opening, name, closing = match.groups()
        if listed is not None and name == listed[0]:
            if opening and closing:
                return _enumerate([f"'{value}'" for value in listed[1]])
            return f"{opening}{_enumerate(listed[1])}{closing}"
        return f"{opening}{values.get(name, '?')}{closing}"

    return _QUOTED_PLACEHOLDER.sub(substitute, template)


def _enumerate(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _first(item: tuple[int, Rule, list[Any]]) -> int:
    return item[0]


@dataclass(eq=False, repr=False)
class _Group:
    """Rules of one scope that need the same record and start with the same test."""

    scope: str
    record: Callable[[object], Any] | None
    """Reads the record they cannot hold without (``step.publish``)."""
    head: Condition
    shared_root: Callable[[object], Any] | None
    """Reads the one record the first test reads, when it is not the scope's own (``job`` in a
    rule about steps): contexts that share it share the answer."""
    members: tuple[tuple[int, Rule], ...]
    """Each rule with its place in the list of rules (which orders findings)."""


_PLANS: dict[tuple[int, ...], tuple[tuple[Rule, ...], list[_Group]]] = {}
"""Plans by the identity of their rules (the rules are kept alive here, so ids stay unique)."""


def _plan(rules: list[Rule]) -> list[_Group]:
    """The rules grouped by scope, needed record and first test, worked out once per set of
    rules (a run lints many files with the same rules)."""
    key = tuple(map(id, rules))
    known = _PLANS.get(key)
    if known is None:
        grouped: dict[tuple[str, str | None, str], list[tuple[int, Rule]]] = {}
        for order, rule in enumerate(rules):
            grouped.setdefault((rule.scope, rule.needed_record, rule.head_key), []).append((order, rule))
        groups = [_Group(scope, reader(tuple(record.split("."))) if record else None, members[0][1].head,
                         _shared_root(scope, members[0][1].condition), tuple(members))
                  for (scope, record, _), members in grouped.items()]
        known = _PLANS[key] = (tuple(rules), groups)
    return known[1]


def _shared_root(scope: str, condition: dict[str, Any]) -> Callable[[object], Any] | None:
    roots = first_test_roots(condition)
    if len(roots) == 1 and scope not in roots:
        return reader((next(iter(roots)),))
    return None


def _select(rules: list[Rule], contexts: dict[str, list[Any]]) -> list[tuple[int, Rule, list[Any]]]:
    """For each rule (with its place in ``rules``, which orders findings), the contexts of its
    scope where its condition holds.

    Two shortcuts, neither of which can change an answer: a rule whose condition needs a record
    (``step.publish``) is tested only where that record is present; and rules whose conditions
    start with the same test (most rules about jobs start with ``job.publishes_to_pypi ==
    true``) share one evaluation of it per context."""
    selected: list[tuple[int, Rule, list[Any]]] = []
    having: dict[tuple[str, Callable[[object], Any]], list[Any]] = {}
    for group in _plan(rules):
        candidates = contexts.get(group.scope) or []
        if group.record is not None:
            key = (group.scope, group.record)
            if key not in having:
                record = group.record
                having[key] = [context for context in candidates if record(context) is not None]
            candidates = having[key]
        passing = _passing(group, candidates)
        for order, rule in group.members:
            rest = rule.rest
            selected.append((order, rule, passing if rest is None else [c for c in passing if rest.holds(c)]))
    return selected


def _passing(group: _Group, contexts: list[Any]) -> list[Any]:
    """The contexts where the group's first test holds. A test that reads one record around
    the scope's own (``job`` facts, in a rule about steps) has one answer for all the contexts
    that share that record: it is evaluated once per record."""
    head = group.head
    if group.shared_root is None:
        return [context for context in contexts if head.holds(context)]
    passing: list[Any] = []
    for _, sharing in groupby(contexts, key=group.shared_root):  # runs of contexts with one record
        run = list(sharing)
        if head.holds(run[0]):
            passing.extend(run)
    return passing


def severity(rule: Rule, facts: object) -> str:
    for applies, level in rule.severity_tests:
        if applies.holds(facts):
            return level
    return rule.severity


def locate(rule: Rule, facts: object) -> Pos:
    for fact in rule.at:
        value = lookup(facts, fact)
        if isinstance(value, Pos):
            return value
        pos = getattr(value, "pos", None)
        if isinstance(pos, Pos):
            return pos
    return Pos.point(1, 1)


def render(template: str, facts: object) -> str:
    """A message template filled in from one context's facts."""
    return _PLACEHOLDER.sub(lambda match: _text(lookup(facts, match.group(1))), template)
