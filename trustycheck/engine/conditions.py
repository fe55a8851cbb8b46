"""Evaluate a rule condition over a fact context (nested dicts). Pure, domain-free."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any


def lookup(facts: dict[str, Any], path: str) -> Any:
    """Follow a dotted path through nested dicts; a missing step gives ``None``."""
    return getter(path)(facts)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def evaluate(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether ``facts`` satisfy ``condition`` (compiles it; the runner keeps compiled forms)."""
    return compile_condition(condition)(facts)


Predicate = Callable[[dict[str, object]], bool]


def compile_condition(condition: dict[str, Any]) -> Predicate:
    """The condition as a closure, so the dicts of the condition are read and fact paths split
    once per rule rather than once per context (interpreting them was a third of the time
    spent running rules over 705 workflows)."""
    if "all" in condition:
        return _all_of(tuple(compile_condition(child) for child in condition["all"]))
    if "any" in condition:
        return _any_of(tuple(compile_condition(child) for child in condition["any"]))
    if "not" in condition:
        inner = compile_condition(condition["not"])
        return lambda facts: not inner(facts)
    get = getter(condition["fact"])
    if "equals" in condition:
        wanted = condition["equals"]
        return lambda facts: get(facts) == wanted
    if "not-equals" in condition:
        unwanted = condition["not-equals"]
        return lambda facts: get(facts) != unwanted
    if "in" in condition:
        allowed = condition["in"]
        return lambda facts: get(facts) in allowed
    if "not-in" in condition:
        refused = condition["not-in"]
        return lambda facts: get(facts) not in refused
    if "exists" in condition:
        expected = condition["exists"]
        return lambda facts: ((value := get(facts)) is not None and value != [] and value != {}) is expected
    if "matches" in condition:
        search = _regex(condition["matches"]).search
        return lambda facts: isinstance(value := get(facts), str) and search(value) is not None
    if "contains" in condition:
        item = condition["contains"]
        return lambda facts: isinstance(value := get(facts), (list, tuple, str)) and item in value
    raise ValueError(f"unsupported condition: {condition!r}")  # the schema prevents this


def getter(path: str) -> Callable[[dict[str, Any]], Any]:
    """:func:`lookup` for one fixed dotted path."""
    parts = tuple(path.split("."))

    def get(facts: dict[str, Any]) -> Any:
        value: Any = facts
        for part in parts:
            if not isinstance(value, dict):
                return None
            try:
                value = value[part]  # not .get(): a facts mapping may compute a fact when first read
            except KeyError:
                return None
        return value

    return get


def _all_of(parts: tuple[Predicate, ...]) -> Predicate:
    def test(facts: dict[str, Any]) -> bool:
        for part in parts:
            if not part(facts):
                return False
        return True

    return test


def _any_of(parts: tuple[Predicate, ...]) -> Predicate:
    def test(facts: dict[str, Any]) -> bool:
        for part in parts:
            if part(facts):
                return True
        return False

    return test
