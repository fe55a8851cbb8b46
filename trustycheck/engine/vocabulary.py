"""Fact records: the typed objects rule conditions read, and the vocabulary derived from them.

The model declares its facts once, as fields of dataclasses (``fact("what it means")``) and as
``functools.cached_property`` members (computed when a rule first reads them; the docstring says
what they mean). The engine reads a fact by name through :meth:`FactRecord.fact`, which answers
only for declared names, and :func:`vocabulary` walks the same declarations to list every path a
rule may name. What ``trustycheck facts`` prints and what a rule may use therefore cannot drift
from what the model produces. Domain-free: nothing here knows about PyPI.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cached_property
from typing import Any, ClassVar


class FactRecord:
    """Base class of the model's fact objects (dataclasses)."""

    wildcard: ClassVar[str | None] = None
    """The attribute of a ``dict[str, ...]`` whose keys are facts of this record too (``*`` in
    the vocabulary), e.g. the level of each permission scope."""

    def fact(self, name: str) -> object:
        """The fact called ``name``, or None when the record declares no such fact."""
        attribute = facts_of(type(self)).get(name)
        if attribute is not None:
            return getattr(self, attribute)
        if self.wildcard is not None:
            extra: dict[str, object] = getattr(self, self.wildcard)
            return extra.get(name)
        return None


def fact(doc: str, *, name: str | None = None) -> dict[str, str | None]:
    """The metadata that makes a dataclass field a fact rules may read:
    ``x: str = field(metadata=fact("what it means"))`` (``name`` when the fact's name is not a
    Python identifier, e.g. ``if``)."""
    return {"fact": doc, "name": name}


DECLARED: dict[type, dict[str, str]] = {}
""":func:`declared_facts` of each record class read so far (looked up for every fact read)."""


def facts_of(cls: type) -> dict[str, str]:
    """:func:`declared_facts`, worked out once per class."""
    found = DECLARED.get(cls)
    if found is None:
        found = DECLARED[cls] = declared_facts(cls)
    return found


def declared_facts(cls: type) -> dict[str, str]:
    """Fact name -> attribute name, for every fact ``cls`` declares, in declaration order."""
    found: dict[str, str] = {}
    for item in dataclasses.fields(cls):
        if "fact" in item.metadata:
            found[item.metadata["name"] or item.name] = item.name
    for name, member in _lazy_members(cls):
        found[name] = name
    return found


def _lazy_members(cls: type) -> list[tuple[str, cached_property[Any]]]:
    members: dict[str, cached_property[Any]] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, cached_property) and not name.startswith("_"):
                members[name] = member
    return list(members.items())


def vocabulary(root: type[FactRecord]) -> dict[str, str]:
    """Every fact path reachable from ``root`` (a record whose facts are the scopes), with what it
    means: the declarations themselves, so the list is exactly what the model produces."""
    paths: dict[str, str] = {}
    _walk(root, "", paths, ())
    return paths


def _walk(cls: type, prefix: str, paths: dict[str, str], seen: tuple[type, ...]) -> None:
    hints = typing.get_type_hints(cls)
    wildcard = getattr(cls, "wildcard", None)
    for item in dataclasses.fields(cls):
        if "fact" in item.metadata:
            _add(f"{prefix}{item.metadata['name'] or item.name}", item.metadata["fact"], hints[item.name], paths, seen + (cls,))
        elif item.name == wildcard:
            paths[f"{prefix}*"] = item.metadata.get("doc", "")
    for name, member in _lazy_members(cls):
        returns = typing.get_type_hints(member.func).get("return", object)
        _add(f"{prefix}{name}", _first_paragraph(member.__doc__), returns, paths, seen + (cls,))


def _add(path: str, doc: str, kind: Any, paths: dict[str, str], seen: tuple[type, ...]) -> None:
    paths[path] = " ".join(doc.split())
    record = _record_type(kind)
    if record is not None and record not in seen:
        _walk(record, f"{path}.", paths, seen)


def _record_type(kind: Any) -> type | None:
    """The fact record class in an annotation (``X``, ``X | None``), if any."""
    if isinstance(kind, type):
        return kind if issubclass(kind, FactRecord) else None
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        for member in typing.get_args(kind):
            found = _record_type(member)
            if found is not None:
                return found
    return None


def _first_paragraph(doc: str | None) -> str:
    return (doc or "").strip().split("\n\n", 1)[0]
