"""Regular expressions compiled when first used, not when their module is imported.

Compiling costs 0.05–0.9 ms a pattern (case-insensitive ones the most), and the model defines
about forty; a run over one small workflow that publishes nothing uses a handful. A
:class:`LazyPattern` compiles on its first use and then keeps the compiled pattern's methods
as its own attributes, so every later call costs what a call on a compiled pattern costs.
"""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """Stands in for ``re.compile(source, flags)``."""

    __slots__ = ("source", "flags", *_METHODS)

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # Only reached while a method slot is still empty, i.e. on first use.
        compiled = re.compile(self.source, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    @property
    def pattern(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r}, {self.flags!r})"


def lazy_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, compiled on first use. Typed as the compiled pattern: a
    :class:`LazyPattern` answers every attribute with the compiled pattern's own."""
    return cast("re.Pattern[str]", LazyPattern(source, flags))
