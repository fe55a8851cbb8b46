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


def run_rules(rules: Iterable[Rule], analysis: Analysed) -> list[Finding]:
    """Findings of every rule in every context of its scope, each once.

    A finding is filed under the file its location is in (a context reached through a call
    can point into the caller's file); a context's ``call.chain``, when present, is named in
    the message, since the same lines can behave differently depending on who calls them.
    """
    findings: dict[tuple, Finding] = {}
    for rule in rules:
        for facts in analysis.contexts.get(rule.scope, ()):
            if evaluate(rule.condition, facts):
                pos = locate(rule, facts)
                path = pos.path or facts["file"]["path"]
                message = render(rule.message, facts)
                chain = facts.get("call", {}).get("chain")
                if chain:
                    message = f"{message} (via {chain})"
                finding = Finding(rule.id, rule.slug, severity(rule, facts), message, path, pos, rule.hint)
                findings.setdefault((rule.id, path, pos.line, pos.col, pos.end_line, pos.end_col, message), finding)
    return list(findings.values())


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
