"""Run the catalog's rules over analysed files and produce findings."""

from __future__ import annotations

import re
from typing import Any, Iterable, Protocol

from trustycheck.engine.catalog import Rule
from trustycheck.engine.conditions import evaluate, lookup
from trustycheck.findings import Finding
from trustycheck.nodes import Pos

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_.*-]*)\}")


class Analysed(Protocol):
    """What the engine needs from an analysed file: fact contexts per scope."""

    contexts: dict[str, list[dict[str, Any]]]


def run_rules(rules: Iterable[Rule], path: str, analysis: Analysed) -> list[Finding]:
    findings = []
    for rule in rules:
        for facts in analysis.contexts.get(rule.scope, ()):
            if evaluate(rule.condition, facts):
                findings.append(
                    Finding(rule.id, rule.slug, severity(rule, facts), render(rule.message, facts), path, locate(rule, facts), rule.hint)
                )
    return findings


def severity(rule: Rule, facts: dict[str, Any]) -> str:
    for case in rule.severity_cases:
        if evaluate(case["when"], facts):
            return case["severity"]
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
