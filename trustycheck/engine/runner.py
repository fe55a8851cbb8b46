"""Run the catalog's rules over analysed files and produce findings."""

from __future__ import annotations

import re
from collections.abc import Iterable

from trustycheck.engine.catalog import Rule
from trustycheck.engine.conditions import Selector, compile_selector, lookup
from trustycheck.findings import Finding
from trustycheck.nodes import Pos
from trustycheck.patterns import lazy_pattern
from trustycheck.records import replace

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
    rules = tuple(rules)
    by_scope: dict[str, list[Rule]] = {}
    for rule in rules:
        by_scope.setdefault(rule.scope, []).append(rule)
    matched: dict[int, list[dict[str, Any]]] = {}
    for scope, scoped in by_scope.items():
        contexts = analysis.contexts.get(scope)
        if contexts:
            for rule, selected in zip(scoped, _selector(tuple(scoped))(contexts)):
                matched[id(rule)] = selected
    found: dict[tuple, tuple[Finding, list[str]]] = {}
    for rule in rules:
        for facts in matched.get(id(rule), ()):
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


_SELECTORS: dict[tuple[int, ...], tuple[tuple[Rule, ...], Selector]] = {}
"""Compiled selectors by the identity of their rules (kept alive here, so ids stay unique)."""


def _selector(rules: tuple[Rule, ...]) -> Selector:
    """One compiled test of all ``rules`` (of one scope) over a list of contexts."""
    key = tuple(map(id, rules))
    hit = _SELECTORS.get(key)
    if hit is None:
        hit = _SELECTORS[key] = (rules, compile_selector([rule.condition for rule in rules]))
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
