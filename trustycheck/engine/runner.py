"""Run the catalog's rules over analysed files and produce findings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import groupby
from dataclasses import dataclass, replace
from typing import Any, Callable, Protocol

from trustycheck.engine.catalog import Rule
from trustycheck.engine.conditions import Condition, first_test_roots, lookup, reader
from trustycheck.engine.vocabulary import FactRecord
from trustycheck.findings import Finding
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern


class Analysed(Protocol):
    """What the engine needs from an analysed file: fact contexts per scope."""

    contexts: dict[str, list[Any]]


_FILE_PATH = reader(("file", "path"))
_CALL_CHAIN = reader(("call", "chain"))
_PLACEHOLDER = lazy_pattern(r"\{([a-z][a-z0-9_.*-]*)\}")


def run_rules(rules: Iterable[Rule], analysis: Analysed) -> list[Finding]:
    """Findings of every rule in every context of its scope, each once.

    A finding is filed under the file its location is in (a context reached through a call
    can point into the caller's file). When the context was reached through local calls, the
    message names the chain (``call.chain``); the same lines reached by several chains are
    one finding that names the first and counts the others.
    """
    matched: list[tuple[int, Rule, list[Any]]] = []
    for order, rule, selected in _select(list(rules), analysis.contexts):
        if selected:
            matched.append((order, rule, selected))
    matched.sort(key=_first)
    found: dict[tuple[Any, ...], tuple[Finding, list[str]]] = {}
    for _, rule, selected in matched:
        for facts in selected:
            pos = locate(rule, facts)
            path = pos.path or _FILE_PATH(facts)
            message = render(rule.message, facts)
            key = (rule.id, path, pos.line, pos.col, pos.end_line, pos.end_col, message)
            chain = _CALL_CHAIN(facts)
            if key not in found:
                found[key] = (Finding(rule.id, rule.slug, severity(rule, facts), message, path, pos, rule.hint), [])
            chains = found[key][1]
            if chain and chain not in chains:
                chains.append(chain)
    return [_with_chains(finding, chains) for finding, chains in found.values()]


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


def _with_chains(finding: Finding, chains: list[str]) -> Finding:
    if not chains:
        return finding
    others = len(chains) - 1
    more = f", and {others} other call chain{'s' if others != 1 else ''}" if others else ""
    return replace(finding, message=f"{finding.message} (via {chains[0]}{more})")


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
    def substitute(match: re.Match[str]) -> str:
        value = lookup(facts, match.group(1))
        if value is None or isinstance(value, FactRecord):
            return "?"
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return str(value)

    return _PLACEHOLDER.sub(substitute, template)
