"""Evaluate a rule condition over a fact context (nested dicts). Pure, domain-free."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_MISSING = object()


def lookup(facts: dict[str, Any], path: str) -> Any:
    """Follow a dotted path through nested dicts; a missing step gives ``None``."""
    value: Any = facts
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return None
    return value


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def evaluate(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    if "all" in condition:
        return all(evaluate(child, facts) for child in condition["all"])
    if "any" in condition:
        return any(evaluate(child, facts) for child in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], facts)
    value = lookup(facts, condition["fact"])
    if "equals" in condition:
        return value == condition["equals"]
    if "not-equals" in condition:
        return value != condition["not-equals"]
    if "in" in condition:
        return value in condition["in"]
    if "not-in" in condition:
        return value not in condition["not-in"]
    if "exists" in condition:
        present = value is not None and value != [] and value != {}
        return present is condition["exists"]
    if "matches" in condition:
        return isinstance(value, str) and _regex(condition["matches"]).search(value) is not None
    if "contains" in condition:
        return isinstance(value, (list, tuple, str)) and condition["contains"] in value
    raise ValueError(f"unsupported condition: {condition!r}")  # the schema prevents this
