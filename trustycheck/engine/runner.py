"""Run the catalog's rules over analysed files and produce findings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from trustycheck.engine.catalog import Rule
from trustycheck.engine.conditions import Selector, compile_selector, lookup
from trustycheck.findings import Finding
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern
from dataclasses import replace

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Analysed(Protocol):
        """What the engine needs from an analysed file: fact contexts per scope."""

        contexts: dict[str, list[dict[str, Any]]]

_PLACEHOLDER = lazy_pattern(r"\{([a-z][a-z0-9_.*-]*)\}")


def run_rules(rules: Iterable[Rule], analysis: Analysed) -> list[Finding]:
    """Findings of every rule in every context of its scope, each once.

    A finding is filed under the file its location is in (a context reached through a call
    can point into the caller's file). When the context was reached through local calls, the
    message names the chain (``call.chain``); the same lines reached by several chains are
    one finding that names the first and counts the others.
    """
    plan = _plan(tuple(rules))
    matched: list[tuple[int, Rule, list[dict[str, Any]]]] = []
    for scope, scoped, select in plan:
        contexts = analysis.contexts.get(scope)
        if contexts:
            for (order, rule), selected in zip(scoped, select(contexts)):
                if selected:
                    matched.append((order, rule, selected))
    matched.sort(key=_first)
    found: dict[tuple, tuple[Finding, list[str]]] = {}
    for _, rule, selected in matched:
        for facts in selected:
            pos = locate(rule, facts)
            path = pos.path or facts["file"]["path"]
            message = render(rule.message, facts)
            key = (rule.id, path, pos.line, pos.col, pos.end_line, pos.end_col, message)
            chain = (facts.get("call") or {}).get("chain")
            if key not in found:
                found[key] = (Finding(rule.id, rule.slug, severity(rule, facts), message, path, pos, rule.hint), [])
            chains = found[key][1]
            if chain and chain not in chains:
                chains.append(chain)
    return [_with_chains(finding, chains) for finding, chains in found.values()]


def _first(item: tuple) -> int:
    return item[0]


_Plan = list[tuple[str, list[tuple[int, Rule]], Selector]]
_PLANS: dict[tuple[int, ...], tuple[tuple[Rule, ...], _Plan]] = {}
"""Compiled plans by the identity of their rules (kept alive here, so ids stay unique)."""


def _plan(rules: tuple[Rule, ...]) -> _Plan:
    """For each scope, its rules (with their place in ``rules``, which orders findings) and
    one compiled test of all of them over a list of contexts."""
    key = tuple(map(id, rules))
    hit = _PLANS.get(key)
    if hit is None:
        by_scope: dict[str, list[tuple[int, Rule]]] = {}
        for order, rule in enumerate(rules):
            by_scope.setdefault(rule.scope, []).append((order, rule))
        plan = [(scope, scoped, compile_selector([rule.condition for _, rule in scoped])) for scope, scoped in by_scope.items()]
        hit = _PLANS[key] = (rules, plan)
    return hit[1]


def _with_chains(finding: Finding, chains: list[str]) -> Finding:
    if not chains:
        return finding
    others = len(chains) - 1
    more = f", and {others} other call chain{'s' if others != 1 else ''}" if others else ""
    return replace(finding, message=f"{finding.message} (via {chains[0]}{more})")


def severity(rule: Rule, facts: dict[str, Any]) -> str:
    for applies, level in rule.severity_tests:
        if applies(facts):
            return level
    return rule.severity


def locate(rule: Rule, facts: dict[str, Any]) -> Pos:
    for fact in rule.at:
        value = lookup(facts, fact)
        if isinstance(value, Pos):
            return value
        pos = getattr(value, "pos", None)
        if isinstance(pos, Pos):
            return pos
    return Pos.point(1, 1)


def render(template: str, facts: dict[str, Any]) -> str:
    def substitute(match: re.Match[str]) -> str:
        value = lookup(facts, match.group(1))
        if value is None:
            return "?"
        if isinstance(value, (list, tuple)):
            return ", ".join(str(item) for item in value)
        return str(value)

    return _PLACEHOLDER.sub(substitute, template)
