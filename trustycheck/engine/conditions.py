"""Rule conditions, interpreted over fact records. Pure, domain-free.

A condition from a rule file (``all``/``any``/``not`` over fact tests) is turned once into a small
tree of :class:`Test`, :class:`All`, :class:`Any` and :class:`Not` objects; ``holds(context)``
walks it. ``all``/``any`` stop at the first answer, in the order the rule is written, so a fact
computed on first read (a ``cached_property`` of the model) is computed only when a condition
gets to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Any

from trustycheck.engine.vocabulary import DECLARED, FactRecord, facts_of


def lookup(facts: object, path: str) -> Any:
    """Follow a dotted path through fact records (and plain dicts); a missing step gives None."""
    return read_path(facts, tuple(path.split(".")))


def read_path(value: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        declared = DECLARED.get(type(value))  # a fact record of a class already read
        if declared is not None:
            attribute = declared.get(part)
            value = getattr(value, attribute) if attribute is not None else value.fact(part)
        elif isinstance(value, FactRecord):
            value = value.fact(part)  # the first record of its class: records its declarations
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


@lru_cache(maxsize=1024)
def reader(parts: tuple[str, ...]) -> Callable[[object], Any]:
    """:func:`read_path` for one path, made fast for the common case: when every part is a fact
    some record declares under its own attribute name, the attributes are read in one C call
    (``operator.attrgetter``), and a path that meets a missing record or a mapping falls back
    to :func:`read_path`. The answer is the same either way (a test compares them on every
    fact of real workflows); an error raised while a fact is computed is raised again by
    :func:`read_path`, not hidden; and a name that is no fact (``__class__``, an attribute kept
    for the model's own use) never takes the fast path."""
    plain = _plain_fact_names()
    if not all(part in plain for part in parts):
        return lambda value: read_path(value, parts)
    attributes = attrgetter(".".join(parts))

    def read(value: object) -> Any:
        try:
            return attributes(value)
        except AttributeError:
            return read_path(value, parts)

    return read


def _plain_fact_names() -> frozenset[str]:
    """Facts declared under their own attribute names, in every record class defined so far."""
    names: set[str] = set()
    classes = list(FactRecord.__subclasses__())
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        names.update(name for name, attribute in facts_of(cls).items() if name == attribute)
    return frozenset(names)


class Condition:
    """A compiled condition: ``holds(context)`` says whether it is true there."""

    def holds(self, context: object) -> bool:
        raise NotImplementedError


class _Several(Condition):
    def __init__(self, children: list[Condition]) -> None:
        self.children = children


class All(_Several):
    def holds(self, context: object) -> bool:
        for child in self.children:
            if not child.holds(context):
                return False
        return True


class Any_(_Several):
    def holds(self, context: object) -> bool:
        for child in self.children:
            if child.holds(context):
                return True
        return False


class Not(Condition):
    def __init__(self, child: Condition) -> None:
        self.child = child

    def holds(self, context: object) -> bool:
        return not self.child.holds(context)


class Test(Condition):
    """One fact compared with one operator and operand."""

    def __init__(self, path: str, compare: Callable[[Any], bool]) -> None:
        self.path = path
        self.parts = tuple(path.split("."))
        self.read = reader(self.parts)
        self.compare = compare

    def holds(self, context: object) -> bool:
        return self.compare(self.read(context))


def compile_condition(condition: dict[str, Any]) -> Condition:
    """The condition, as written in a rule file (already checked against the rule schema)."""
    if "all" in condition:
        return All([compile_condition(child) for child in condition["all"]])
    if "any" in condition:
        return Any_([compile_condition(child) for child in condition["any"]])
    if "not" in condition:
        return Not(compile_condition(condition["not"]))
    return Test(condition["fact"], _comparison(condition))


def _comparison(test: dict[str, Any]) -> Callable[[Any], bool]:
    if "equals" in test:
        expected = test["equals"]
        return lambda value: bool(value == expected)
    if "not-equals" in test:
        unexpected = test["not-equals"]
        return lambda value: bool(value != unexpected)
    if "in" in test:
        allowed = test["in"]
        return lambda value: value in allowed
    if "not-in" in test:
        refused = test["not-in"]
        return lambda value: value not in refused
    if "exists" in test:
        wanted = bool(test["exists"])
        return lambda value: _present(value) is wanted
    if "matches" in test:
        search = _regex(test["matches"]).search
        return lambda value: isinstance(value, str) and search(value) is not None
    if "contains" in test:
        item = test["contains"]
        return lambda value: isinstance(value, (list, tuple, str)) and item in value
    raise ValueError(f"unsupported condition: {test!r}")  # the schema prevents this


def _present(value: Any) -> bool:
    """``exists``: a value that is not None, not an empty list and not an empty mapping."""
    return value is not None and value != [] and value != {}


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def split_first(condition: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``all: [a, b, c]`` as its first test ``a`` and the rest ``all: [b, c]`` (None when
    nothing is left); any other condition is its own first test. ``holds`` of the whole is
    ``holds(a) and holds(rest)``, in the order the rule is written."""
    members = condition.get("all")
    if not members:
        return condition, None
    rest = members[1:]
    return members[0], ({"all": rest} if rest else None)


def needed_record(condition: dict[str, Any]) -> str | None:
    """A fact one level below a scope (``step.publish``) that must be present for the condition
    to hold, when the condition's first test reads below it; None otherwise.

    The runner tests such conditions only in the contexts where that fact is present: most
    steps upload nothing, and the rules about uploads then cost one read per step, not one
    per rule and step."""
    paths = _fact_paths(condition)
    if not paths:
        return None
    first = paths[0].split(".")
    if len(first) > 2 and f"{first[0]}.{first[1]}" in _needs(condition):
        return f"{first[0]}.{first[1]}"
    return None


def first_test_roots(condition: dict[str, Any]) -> frozenset[str]:
    """The records the condition's first test (see :func:`split_first`) reads: ``job`` for
    ``job.publishes_to_pypi``."""
    return frozenset(path.split(".", 1)[0] for path in _fact_paths(split_first(condition)[0]))


def _fact_paths(condition: dict[str, Any]) -> list[str]:
    for key in ("all", "any"):
        if key in condition:
            return [path for child in condition[key] for path in _fact_paths(child)]
    if "not" in condition:
        return _fact_paths(condition["not"])
    return [str(condition["fact"])]


def _needs(condition: dict[str, Any]) -> frozenset[str]:
    """Fact paths that must hold a record for ``condition`` to be true (a comparison with
    anything but None fails when a parent of its fact is missing)."""
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
