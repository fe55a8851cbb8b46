"""A facts mapping whose costly entries are computed on first read.

Most jobs never publish, and no built-in rule asks what a non-publishing job builds or
where it hands publishing off to; computing those facts for every job and step of every
workflow was a third of the analysis time. Rules (built-in or an organisation's own) read
facts through the mapping, so whatever a rule does ask for is computed then: laziness can
change only speed, never an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

Thunk = Callable[[], dict[str, object]]


class LazyFacts(dict):
    """A dict in which some keys are promised: each promise computes one or more keys."""

    __slots__ = ("_promised",)

    def __init__(self, eager: dict[str, Any], promised: dict[str, Thunk]) -> None:
        super().__init__(eager)
        self._promised = promised

    def promise(self, keys: tuple[str, ...], thunk: Thunk) -> None:
        """``thunk`` computes ``keys`` (all of them, at once) when one is first read."""
        for key in keys:
            self._promised[key] = thunk

    def __missing__(self, key: str) -> Any:
        thunk = self._promised.get(key)
        if thunk is None:
            raise KeyError(key)
        computed = thunk()
        for name in computed:
            self._promised.pop(name, None)
        self.update(computed)
        return computed[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._promised

    def resolve(self) -> "LazyFacts":
        """Compute every promised key (for whatever iterates over all facts)."""
        for key in list(self._promised):
            if key in self._promised:
                self[key]
        return self

    def __iter__(self) -> Iterator[str]:
        return dict.__iter__(self.resolve())

    def __len__(self) -> int:
        return dict.__len__(self.resolve())

    def keys(self):  # type: ignore[override]
        return dict.keys(self.resolve())

    def items(self):  # type: ignore[override]
        return dict.items(self.resolve())

    def values(self):  # type: ignore[override]
        return dict.values(self.resolve())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self.resolve(), other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return dict.__repr__(self.resolve())

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        return dict(self.resolve())
