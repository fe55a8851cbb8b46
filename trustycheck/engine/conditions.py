"""Evaluate a rule condition over a fact context (nested dicts). Pure, domain-free."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from types import CodeType

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any


def lookup(facts: dict[str, Any], path: str) -> Any:
    """Follow a dotted path through nested dicts; a missing step gives ``None``."""
    return getter(path)(facts)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


Predicate = Callable[[dict[str, object]], bool]
Selector = Callable[[list[dict[str, object]]], list[list[dict[str, object]]]]


def compile_condition(condition: dict[str, Any]) -> Predicate:
    """The condition as one Python function of a facts context."""
    generator = _Generator()
    expression = generator.condition(condition)
    return generator.build(f"def applies(facts):\n{generator.reset()}    return bool({expression})\n", "applies")


def compile_selector(conditions: list[dict[str, Any]]) -> Selector:
    """One function that sorts a list of contexts by several conditions at once: for each
    condition, the contexts that satisfy it, in order.

    The rules of a scope mostly test the same few facts first (``step.publish...``), so a
    fact read by several conditions is read once per context; with one generated loop there
    is no call per context or per rule either (over the 705 speed-corpus workflows, testing
    the contexts took 40 ms with a closure per condition leaf, 17 ms this way, less again
    with the guards below)."""
    generator = _Generator()
    tests = [generator.condition(condition) for condition in conditions]
    # Conditions that can only hold where some fact is a mapping (``step.publish.to_pypi ==
    # true`` needs ``step.publish``) are tested under one check of that fact: a step that
    # uploads nothing is then ruled out for all of them at once.
    guards = [_guard(condition) for condition in conditions]
    # A fact some group already checks for every context can guard other conditions that
    # need it, wherever they read it: it costs nothing more to compute.
    checked = {guard for guard in guards if guard is not None}
    groups: dict[str | None, list[int]] = {}
    for index, condition in enumerate(conditions):
        guard = guards[index]
        if guard is None:
            needed = _needs(condition)
            guard = next((path for path in sorted(checked) if path in needed), None)
        groups.setdefault(guard, []).append(index)
    lines = ["def select(contexts):\n"]
    lines += [f"    matched{index} = []\n" for index in range(len(tests))]
    body = []
    for guard, members in groups.items():
        indent = "        "
        if guard is not None:
            body.append(f"{indent}if _isinstance({generator.fact(guard)}, _dict):\n")
            indent += "    "
        body += [f"{indent}if {tests[index]}:\n{indent}    matched{index}.append(facts)\n" for index in members]
    lines.append(f"    for facts in contexts:\n{generator.reset('    ')}")
    lines += body
    lines.append(f"    return ({''.join(f'matched{index}, ' for index in range(len(tests)))})\n")
    return generator.build("".join(lines), "select")


def _needs(condition: dict[str, Any]) -> frozenset[str]:
    """Fact paths that must hold a mapping for ``condition`` to be true (a comparison with
    anything but ``None`` fails when a parent of its fact is missing)."""
    if "all" in condition:
        return frozenset().union(*(_needs(child) for child in condition["all"]))
    if "any" in condition:
        children = [_needs(child) for child in condition["any"]]
        return frozenset.intersection(*children) if children else frozenset()
    if "not" in condition:
        return frozenset()
    parts = condition["fact"].split(".")
    parents = frozenset(".".join(parts[:end]) for end in range(1, len(parts)))
    if "equals" in condition:
        return parents if condition["equals"] is not None else frozenset()
    if "in" in condition:
        return parents if None not in condition["in"] else frozenset()
    if "exists" in condition:
        return parents if condition["exists"] else frozenset()
    if "matches" in condition or "contains" in condition:
        return parents
    return frozenset()  # not-equals, not-in: true when the fact is missing


def _guard(condition: dict[str, Any]) -> str | None:
    """The fact one level below a scope (``step.publish``) that the condition reads first, when
    it must be a mapping for the condition to hold; None otherwise. (Only the first read:
    testing a later one first could compute a lazy fact the condition would never reach.)"""
    parts = _fact_paths(condition)[0].split(".")
    if len(parts) > 2 and f"{parts[0]}.{parts[1]}" in _needs(condition):
        return f"{parts[0]}.{parts[1]}"
    return None


def _fact_paths(condition: dict[str, Any]) -> list[str]:
    for key in ("all", "any"):
        if key in condition:
            return [path for child in condition[key] for path in _fact_paths(child)]
    if "not" in condition:
        return _fact_paths(condition["not"])
    return [condition["fact"]]


class _Generator:
    """Writes the source of conditions as Python expressions over ``facts``.

    Nothing from a rule file is pasted into the source: fact names become string literals by
    ``repr`` and every compared value is passed in by name. A fact is read as :func:`lookup`
    reads it (down nested dicts, ``None`` past a missing key or a value that is not a dict),
    at most once per context: each fact path, and each prefix of one, has a local variable
    filled on first use. ``and``/``or`` short-circuit as the rule is written, so a costly
    (lazily computed) fact is computed only when a condition gets to it."""

    def __init__(self) -> None:
        self.constants: dict[str, object] = {}
        self.locals: dict[str, str] = {}
        """The local variable of each fact path read."""
        self.reads: dict[str, str] = {}
        """The expression that reads each local's fact (from its parent's local)."""

    def reset(self, indent: str = "") -> str:
        """The statement that marks every fact local as not read yet."""
        if not self.locals:
            return ""
        return f"{indent}    {' = '.join(self.locals.values())} = _unread\n"

    def build(self, source: str, name: str) -> Callable:
        namespace: dict[str, Any] = {"_isinstance": isinstance, "_dict": dict, "_dict_get": dict.get, "_absent": _ABSENT,
                                     "_unread": _UNREAD, "_str": str, "_sequences": (list, tuple, str), "bool": bool}
        namespace.update(self.constants)
        exec(_compiled(source), namespace)  # noqa: S102 - generated from schema-checked data
        return namespace[name]

    def constant(self, value: object) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def fact(self, path: str) -> str:
        """An expression for the value at a dotted path, read once per context. A key already
        in a dict is read with ``dict.get`` (C); only a key not there yet goes through the
        mapping's own ``get``, which lets a lazy facts mapping compute it."""
        local = self.locals.get(path)
        if local is None:
            parent, _, key = path.rpartition(".")
            if parent:
                container = self.fact(parent)
                read = (f"((_v if (_v := _dict_get(_s, {key!r}, _absent)) is not _absent else _s.get({key!r}))"
                        f" if _isinstance(_s := {container}, _dict) else None)")
            else:
                read = f"facts.get({key!r})"
            local = self.locals[path] = f"_f{len(self.locals)}"
            self.reads[local] = read
        return f"({local} if {local} is not _unread else ({local} := {self.reads[local]}))"

    def condition(self, condition: dict[str, Any]) -> str:
        if "all" in condition:
            return "(" + " and ".join(self.condition(child) for child in condition["all"]) + ")" if condition["all"] else "True"
        if "any" in condition:
            return "(" + " or ".join(self.condition(child) for child in condition["any"]) + ")" if condition["any"] else "False"
        if "not" in condition:
            return f"(not {self.condition(condition['not'])})"
        value = self.fact(condition["fact"])
        if "equals" in condition:
            return f"({value} == {self.constant(condition['equals'])})"
        if "not-equals" in condition:
            return f"({value} != {self.constant(condition['not-equals'])})"
        if "in" in condition:
            return f"({value} in {self.constant(condition['in'])})"
        if "not-in" in condition:
            return f"({value} not in {self.constant(condition['not-in'])})"
        if "exists" in condition:
            return f"(((_value := {value}) is not None and _value != [] and _value != {{}}) is {bool(condition['exists'])})"
        if "matches" in condition:
            search = self.constant(_regex(condition["matches"]).search)
            return f"(_isinstance(_value := {value}, _str) and {search}(_value) is not None)"
        if "contains" in condition:
            return f"(_isinstance(_value := {value}, _sequences) and {self.constant(condition['contains'])} in _value)"
        raise ValueError(f"unsupported condition: {condition!r}")  # the schema prevents this


@lru_cache(maxsize=64)
def _compiled(source: str) -> CodeType:
    """The generated source, compiled once per process (never stored: loading code runs it)."""
    return compile(source, "<rule conditions>", "exec")


_ABSENT = object()
_UNREAD = object()


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
