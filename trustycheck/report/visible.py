"""Text from a linted file made safe to print: every control character shown as an escape.

Job ids, step names, secret names, file names and the excerpt line all come from files that
a stranger's pull request may have written. Printed raw, an ESC sequence clears the screen,
retitles the window, hides text or plants a hyperlink; a CR overwrites what was printed; a
newline starts a line of its own, which GitHub Actions reads as a workflow command when it
begins with ``::`` (``::add-mask::``, ``::error ...``). Every reporter passes such text
through :func:`visible` first, so a character from a file can never act on the terminal or
the CI log: it is shown as ``\\x1b``, ``\\n``, ``\\u202e``.
"""

from __future__ import annotations

import re

from trustycheck.patterns import lazy_pattern

_CONTROL = lazy_pattern("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
formatting characters that make text display in another order than it reads ("Trojan
Source"); a byte order mark is invisible too."""

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str) -> str:
    """``text`` with every control character replaced by its escape (one linear pass)."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or ascii(char)[1:-1]


def visible_path(path: str) -> str:
    """A path as shown at the start of an output line. The runner of GitHub Actions reads a
    line that begins (after blanks) with ``::`` as a workflow command, so a relative path that
    would begin so is shown as ``./::...``, the same file."""
    shown = visible(path)
    return f"./{shown}" if shown.lstrip().startswith("::") else shown
