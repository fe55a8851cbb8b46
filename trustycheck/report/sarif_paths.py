"""Where a SARIF result points: a URI relative to the repository root, and UTF-16 columns.

Code scanning resolves ``artifactLocation.uri`` against the checkout's root, the git top
level, so that is the base whenever the file lies inside a git work tree, even when
trustycheck was pointed at a subfolder. It is found by walking up to a ``.git`` entry (a
folder, or the file of a worktree or submodule), as git does, without running git. Outside
git the base is the repository root discovery found (the folder holding ``.github``), else
the working directory. A file outside its base is named from its own folder: a URI never
climbs with ``..``, which code scanning cannot place.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from trustycheck.patterns import lazy_pattern

_URI_SAFE = "/!$&'()*+,;=@"
"""Kept as is in a URI path besides letters, digits and ``-._~`` (RFC 3986 ``pchar``): ``:``
is encoded too, as a relative reference's first segment cannot hold one."""

_ASTRAL = lazy_pattern("[\U00010000-\U0010ffff]")


class RepositoryBases:
    """The base each file's URI is relative to, with the ``.git`` lookups of one report shared."""

    def __init__(self) -> None:
        self._git_top: dict[str, str | None] = {}

    def uri(self, path: str, root: str | None) -> str:
        """``path`` as a percent-encoded URI relative to its base, with ``/``."""
        absolute = os.path.abspath(path)
        start = os.path.abspath(root) if root is not None else os.path.dirname(absolute)
        base = self.git_top(start) or (os.path.abspath(root) if root is not None else os.getcwd())
        relative = _inside(absolute, base)
        if relative is None:
            relative = os.path.basename(absolute)
        return encode_uri_path(relative.replace(os.sep, "/"))

    def git_top(self, directory: str) -> str | None:
        """The nearest folder at or above ``directory`` holding a ``.git`` entry."""
        seen = []
        current = directory
        found: str | None = None
        while True:
            if current in self._git_top:
                found = self._git_top[current]
                break
            seen.append(current)
            if os.path.lexists(os.path.join(current, ".git")):
                found = current
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for folder in seen:
            self._git_top[folder] = found
        return found


def _inside(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` when it lies inside it, else None."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return None
    return relative


def encode_uri_path(path: str) -> str:
    """A relative path as a URI reference (RFC 3986): ``#``, ``?``, ``%``, spaces, ``:`` and
    anything not ASCII percent-encoded, from the path's bytes (a name that is not UTF-8 too)."""
    return quote(os.fsencode(path), safe=_URI_SAFE)


def utf16_column(line: str, column: int) -> int:
    """A 1-based column counted in code points, counted in UTF-16 code units as code
    scanning counts them (a character outside the BMP, an emoji, is two)."""
    if line.isascii():
        return column
    return column + len(_ASTRAL.findall(line, 0, max(column - 1, 0)))
