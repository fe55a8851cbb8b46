"""Position-aware YAML nodes, read the way GitHub Actions reads them.

The loader composes a node graph with PyYAML (C when available); these thin wrappers sit on
top of it and are built lazily, so parts of a file the model never reads cost nothing. Every
wrapper remembers where it came from, so any finding can point at an exact key or value.

GitHub's reading differs from PyYAML's default YAML 1.1 resolver: mapping keys are always
strings (``on`` is ``"on"``, not ``True``) and plain scalars follow the YAML 1.2 core schema
(``yes``/``no``/``off`` are strings). Merge keys (``<<``) are honoured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import yaml

from trustycheck.patterns import lazy_pattern
from trustycheck.records import field, record

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

_MERGE_TAG = "tag:yaml.org,2002:merge"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
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


@record(frozen=True, slots=True)
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


def _mark_pos(node: yaml.Node, origin: "Origin") -> Pos:
    start, end = node.start_mark, node.end_mark
    start_line, start_col, end_line, end_col = start.line + 1, start.column + 1, end.line + 1, end.column + 1
    if origin.end is not None:  # libyaml ends an unterminated last line on a line that does not exist
        if (end_line, end_col) > origin.end:
            end_line, end_col = origin.end
        if (start_line, start_col) > origin.end:
            start_line, start_col = origin.end
    return Pos(start_line, start_col, end_line, end_col, origin.path)


def resolve_plain(text: str) -> Any:
    """Type a plain (unquoted) scalar by the YAML 1.2 core schema, as GitHub does."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
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


# Called for each duplicate key found in a mapping: (key node, first definition's key node).
DuplicateReporter = Callable[["Scalar", "Scalar"], None]


class Origin:
    """What every node of one document shares: its file, its duplicate-key reporter and, when
    known, ``end``: the (line, column) just past its last character, where positions stop."""

    __slots__ = ("path", "report", "end")

    def __init__(self, path: str | None = None, report: DuplicateReporter | None = None,
                 end: tuple[int, int] | None = None) -> None:
        self.path = path
        self.report = report
        self.end = end


_NO_ORIGIN = Origin()


class Node:
    """Base of the wrappers: a YAML node with its position."""

    __slots__ = ("raw", "_origin")

    kind = "node"

    def __init__(self, raw: yaml.Node, origin: Origin = _NO_ORIGIN) -> None:
        self.raw = raw
        self._origin = origin

    @property
    def pos(self) -> Pos:
        return _mark_pos(self.raw, self._origin)

    @property
    def path(self) -> str | None:
        """The file this node was read from."""
        return self._origin.path

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {self.pos.line}:{self.pos.col}>"


class Scalar(Node):
    """A scalar: ``text`` is the source string, ``value`` the YAML 1.2 typed value."""

    __slots__ = ()
    kind = "scalar"

    @property
    def text(self) -> str:
        return self.raw.value

    @property
    def is_plain(self) -> bool:
        # The C loader marks plain scalars with style '' and the pure-Python one with None.
        return not self.raw.style

    @property
    def value(self) -> Any:
        raw = self.raw
        if not raw.style:
            return resolve_plain(raw.value)
        return raw.value

    def as_string(self) -> str:
        """The value as GitHub passes it to an action input or env var."""
        value = self.value
        if value is None:
            return ""
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return value
        return self.text


class Sequence(Node):
    """A YAML sequence of wrapped nodes."""

    __slots__ = ("_items",)
    kind = "sequence"

    def __init__(self, raw: yaml.Node, origin: Origin = _NO_ORIGIN) -> None:
        super().__init__(raw, origin)
        self._items: list[Node] | None = None

    @property
    def items(self) -> list[Node]:
        if self._items is None:
            self._items = [_wrap(child, self._origin) for child in self.raw.value]
        return self._items

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.raw.value)


class Mapping(Node):
    """A YAML mapping keyed by the key's source text, with merge keys applied.

    Explicit keys win over merged ones; the first merged source wins over later ones, as the
    YAML merge-key spec says. Non-scalar keys cannot be workflow keys and are skipped.
    """

    __slots__ = ("_entries",)
    kind = "mapping"

    def __init__(self, raw: yaml.Node, origin: Origin = _NO_ORIGIN) -> None:
        super().__init__(raw, origin)
        self._entries: dict[str, tuple[Scalar, Node]] | None = None

    @property
    def entries(self) -> dict[str, tuple[Scalar, Node]]:
        if self._entries is None:
            self._entries = self._build()
        return self._entries

    def _build(self) -> dict[str, tuple[Scalar, Node]]:
        own: dict[str, tuple[Scalar, Node]] = {}
        merged: dict[str, tuple[Scalar, Node]] = {}
        for raw_key, raw_value in self.raw.value:
            if not isinstance(raw_key, yaml.ScalarNode):
                continue
            if raw_key.tag == _MERGE_TAG:
                for source in _merge_sources(raw_value):
                    for name, pair in _wrap(source, self._origin).entries.items():  # type: ignore[union-attr]
                        merged.setdefault(name, pair)
                continue
            key = Scalar(raw_key, self._origin)
            name = raw_key.value
            if name in own:
                if self._origin.report is not None:
                    self._origin.report(key, own[name][0])
                continue
            own[name] = (key, _wrap(raw_value, self._origin))
        if merged:
            for name, pair in merged.items():
                own.setdefault(name, pair)
        return own

    def get(self, key: str) -> Node | None:
        pair = self.entries.get(key)
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


AnyNode = Scalar | Sequence | Mapping


def _merge_sources(raw: yaml.Node) -> list[yaml.Node]:
    if isinstance(raw, yaml.MappingNode):
        return [raw]
    if isinstance(raw, yaml.SequenceNode):
        return [item for item in raw.value if isinstance(item, yaml.MappingNode)]
    return []


def wrap(raw: yaml.Node, report: DuplicateReporter | None = None, path: str | None = None,
         end: tuple[int, int] | None = None) -> Node:
    """Wrap a composed PyYAML node read from ``path`` (whose text ends at ``end``, if given)."""
    return _wrap(raw, Origin(path, report, end))


def _wrap(raw: yaml.Node, origin: Origin) -> Node:
    if isinstance(raw, yaml.MappingNode):
        return Mapping(raw, origin)
    if isinstance(raw, yaml.SequenceNode):
        return Sequence(raw, origin)
    return Scalar(raw, origin)


def describe(node: Node | None) -> str:
    """A short type name for messages ("a mapping", "a string")."""
    if node is None:
        return "nothing"
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"
