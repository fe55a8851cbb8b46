"""Position-aware YAML nodes, read the way GitHub Actions reads them.

The loader composes a node graph with PyYAML (C when available) straight into these classes.
A mapping's keyed view is built on first use, so parts of a file the model never reads cost
little. Every node remembers where it came from, so any finding can point at an exact key or
value.

GitHub's reading differs from PyYAML's default YAML 1.1 resolver: mapping keys are always
strings (``on`` is ``"on"``, not ``True``) and plain scalars follow the YAML 1.2 core schema
(``yes``/``no``/``off`` are strings). Merge keys (``<<``) are honoured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from trustycheck.patterns import lazy_pattern
import yaml
from dataclasses import dataclass, field

if TYPE_CHECKING:
    import yaml._yaml  # only in a PyYAML built with libyaml
    import yaml.error

Mark: TypeAlias = "yaml.error.Mark | yaml._yaml.Mark"
"""A position as PyYAML reports it: an instance of its pure-Python or of its C (libyaml) class."""

_MERGE_TAG = "tag:yaml.org,2002:merge"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
MAX_NUMBER_LENGTH = 1000
"""Longest plain scalar typed as a number; a longer one stays text. Python refuses to convert
integers of more than 4,300 digits to or from text (a ValueError, anywhere the value is
printed), and no workflow field holds a number a thousand characters long."""

_INT = lazy_pattern(r"[-+]?[0-9]+\Z")
_INT_OCT = lazy_pattern(r"0o[0-7]+\Z")
_INT_HEX = lazy_pattern(r"0x[0-9a-fA-F]+\Z")
_FLOAT = lazy_pattern(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_FLOAT_SPECIAL = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}


@dataclass(frozen=True, slots=True)
class Pos:
    """A span in a file: 1-based line and column; ``end_col`` is one past the last character."""

    line: int
    col: int
    end_line: int
    end_col: int
    path: str | None = field(default=None, compare=False)
    """The file the span is in, when known; lets a finding in a called workflow or action
    point into that file even though it was found while analysing its caller."""

    @staticmethod
    def point(line: int, col: int) -> "Pos":
        return Pos(line, col, line, col + 1)


def _mark_pos(node: "Node", origin: "Origin") -> Pos:
    start, end = node.start_mark, node.end_mark
    start_line, start_col, end_line, end_col = start.line + 1, start.column + 1, end.line + 1, end.column + 1
    if origin.end is not None:  # libyaml ends an unterminated last line on a line that does not exist
        if (end_line, end_col) > origin.end:
            end_line, end_col = origin.end
        if (start_line, start_col) > origin.end:
            start_line, start_col = origin.end
    return Pos(start_line, start_col, end_line, end_col, origin.path)


_WORDS: dict[str, Any] = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUES, True), **dict.fromkeys(_FALSES, False)}
"""The plain scalars that are null or a boolean (none longer than five characters)."""
_NOT_A_WORD = object()


def resolve_plain(text: str) -> Any:
    """Type a plain (unquoted) scalar by the YAML 1.2 core schema, as GitHub does."""
    if len(text) <= 5:
        word = _WORDS.get(text, _NOT_A_WORD)
        if word is not _NOT_A_WORD:
            return word
    first = text[0]
    if (first.isdigit() or first in "+-.") and len(text) <= MAX_NUMBER_LENGTH:
        if _INT.match(text):
            return int(text)
        if _INT_OCT.match(text):
            return int(text[2:], 8)
        if _INT_HEX.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
        if text in _FLOAT_SPECIAL:
            return _FLOAT_SPECIAL[text]
    return text


def plain_string(value: Any, text: str) -> str:
    """A plain scalar's typed ``value`` (from ``text``) as GitHub passes it on as a string."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    return text


# Called for each duplicate key found in a mapping: (key node, first definition's key node).
DuplicateReporter = Callable[["Scalar", "Scalar"], None]
# Called with a node whose value cannot be used and a message saying why.
ProblemReporter = Callable[["Node", str], None]


class Origin:
    """What every node of one document shares: its file, its duplicate-key reporter and, when
    known, ``end``: the (line, column) just past its last character, where positions stop."""

    __slots__ = ("path", "report", "end")

    def __init__(self, path: str | None = None, report: DuplicateReporter | None = None,
                 end: tuple[int, int] | None = None) -> None:
        self.path = path
        self.report = report
        self.end = end


class Node:
    """Base of the node classes: a YAML node with its position.

    PyYAML's composer builds these directly (see :func:`node_factories`): it calls a class
    with ``(tag, value, start_mark, end_mark, style)`` and, for a collection, fills the list it
    passed in and sets ``end_mark`` when the collection closes. Building PyYAML's own nodes and
    wrapping each one afterwards cost as much again as composing (measured on 705 workflows)."""

    __slots__ = ("start_mark", "end_mark", "_origin")
    start_mark: Mark
    end_mark: Mark
    _origin: Origin

    kind = "node"
    text: str | None = None
    """A scalar's source text; ``None`` for a collection (which cannot be a workflow key)."""

    @property
    def pos(self) -> Pos:
        return _mark_pos(self, self._origin)

    @property
    def path(self) -> str | None:
        """The file this node was read from."""
        return self._origin.path

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {self.pos.line}:{self.pos.col}>"


class Scalar(Node):
    """A scalar: ``text`` is the source string, ``value`` the YAML 1.2 typed value."""

    __slots__ = ("tag", "text", "style")
    kind = "scalar"
    text: str

    def __init__(self, origin: Origin, tag: object, value: str, start_mark: Mark, end_mark: Mark, style: str | None = None) -> None:
        self._origin = origin
        self.tag = tag
        self.text = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.style = style

    @property
    def value(self) -> Any:
        if not self.style:
            return resolve_plain(self.text)
        return self.text

    def as_string(self) -> str:
        """The value as GitHub passes it to an action input or env var."""
        if self.style:  # quoted or a block scalar: the text as written
            return self.text
        return plain_string(resolve_plain(self.text), self.text)


class Sequence(Node):
    """A YAML sequence: ``items`` are its nodes."""

    __slots__ = ("items",)
    kind = "sequence"

    def __init__(self, origin: Origin, tag: object, value: list[Node], start_mark: Mark, end_mark: Mark,
                 flow_style: bool | None = None) -> None:
        self._origin = origin
        self.items = value
        self.start_mark = start_mark
        self.end_mark = end_mark

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class Mapping(Node):
    """A YAML mapping keyed by the key's source text, with merge keys applied.

    Explicit keys win over merged ones; the first merged source wins over later ones, as the
    YAML merge-key spec says. Non-scalar keys cannot be workflow keys and are skipped.
    ``pairs`` are the (key, value) nodes as written; the keyed view is built on first use, and
    duplicate keys are reported then.
    """

    __slots__ = ("pairs", "_entries")
    kind = "mapping"

    def __init__(self, origin: Origin, tag: object, value: list[tuple[Node, Node]], start_mark: Mark, end_mark: Mark,
                 flow_style: bool | None = None) -> None:
        self._origin = origin
        self.pairs = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self._entries: dict[str, tuple[Scalar, Node]] | None = None

    @property
    def entries(self) -> dict[str, tuple[Scalar, Node]]:
        entries = self._entries
        if entries is None:
            entries = self._entries = self._build()
        return entries

    def _build(self) -> dict[str, tuple[Scalar, Node]]:
        pairs = self.pairs
        # Nearly every mapping has plain string keys, each once: one comprehension builds it.
        own = {key.text: (key, value) for key, value in pairs}
        if len(own) == len(pairs) and "<<" not in own and None not in own:
            # No key is None, so every key node is a Scalar (collections have no text).
            return cast("dict[str, tuple[Scalar, Node]]", own)
        entries, sources = self._own_entries()
        if sources:
            _merge_into(entries, sources, self)
        return entries

    def _own_entries(self) -> tuple[dict[str, tuple[Scalar, Node]], list["Mapping"]]:
        """The keys written in this mapping (the first of duplicates, the others reported),
        and the mappings its merge keys name, in order."""
        own: dict[str, tuple[Scalar, Node]] = {}
        sources: list[Mapping] = []
        for key, value in self.pairs:
            if type(key) is not Scalar:
                continue
            if key.tag == _MERGE_TAG:
                sources.extend(_merge_sources(value))
                continue
            name = key.text
            if name in own:
                if self._origin.report is not None:
                    self._origin.report(key, own[name][0])
                continue
            own[name] = (key, value)
        return own, sources

    def get(self, key: str) -> Node | None:
        entries = self._entries
        if entries is None:
            entries = self._entries = self._build()
        pair = entries.get(key)
        return pair[1] if pair else None

    def key_node(self, key: str) -> Scalar | None:
        pair = self.entries.get(key)
        return pair[0] if pair else None

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def items(self) -> Iterator[tuple[Scalar, Node]]:
        return iter(self.entries.values())

    def keys(self) -> list[str]:
        return list(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _merge_sources(node: Node) -> list[Mapping]:
    if isinstance(node, Mapping):
        return [node]
    if isinstance(node, Sequence):
        return [item for item in node.items if isinstance(item, Mapping)]
    return []


def _merge_into(entries: dict[str, tuple[Scalar, Node]], sources: list[Mapping], target: Mapping) -> None:
    """Add to ``entries`` (the target's own keys) the keys of its merge sources, as YAML's
    merge key defines them: a source's own keys before those it merges itself, earlier sources
    before later ones, the first definition of a key winning. That order is a depth-first walk
    of the sources, done with a stack so a chain of any depth cannot overflow Python's, and
    visiting each mapping once, so a mapping that merges itself or one of its mergers (an alias
    to an enclosing anchor) adds what it has and the cycle ends there."""
    visited = {id(target)}
    pending = sources[::-1]
    while pending:
        source = pending.pop()
        if id(source) in visited:
            continue
        visited.add(id(source))
        built = source._entries
        if built is not None:  # already has everything it merges
            for name, pair in built.items():
                entries.setdefault(name, pair)
            continue
        own, more = source._own_entries()
        for name, pair in own.items():
            entries.setdefault(name, pair)
        pending.extend(more[::-1])


def node_factories(origin: Origin) -> tuple[Callable[..., Scalar], Callable[..., Sequence], Callable[..., Mapping]]:
    """What PyYAML's composer should call to build the scalars, sequences and mappings of
    one document: each node then knows its document (``origin``) without a pass over them."""
    return partial(Scalar, origin), partial(Sequence, origin), partial(Mapping, origin)


def adopt(raw: Any, origin: Origin) -> Node:
    """These nodes for a graph of PyYAML's own nodes (from a composer that could not be made
    to build them directly). Shared nodes stay shared; iterative, so depth cannot overflow."""
    made: dict[int, tuple[Any, Node]] = {}
    pending = [raw]
    while pending:
        item = pending.pop()
        if id(item) in made:
            continue
        node: Node
        if isinstance(item, yaml.ScalarNode):
            node = Scalar(origin, item.tag, item.value, item.start_mark, item.end_mark, item.style)
        elif isinstance(item, yaml.SequenceNode):
            node = Sequence(origin, item.tag, [], item.start_mark, item.end_mark)
            pending.extend(item.value)
        else:
            node = Mapping(origin, item.tag, [], item.start_mark, item.end_mark)
            pending.extend(part for pair in item.value for part in pair)
        made[id(item)] = (item, node)
    for item, node in made.values():
        if isinstance(node, Sequence):
            node.items.extend(made[id(child)][1] for child in item.value)
        elif isinstance(node, Mapping):
            node.pairs.extend((made[id(key)][1], made[id(value)][1]) for key, value in item.value)
    return made[id(raw)][1]


def describe(node: Node | None) -> str:
    """A short type name for messages ("a mapping", "a string")."""
    if node is None:
        return "nothing"
    if isinstance(node, Mapping):
        return "a mapping"
    if not isinstance(node, Scalar):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"
