"""Terminal colours (SGR escape codes) for the human formats; used only when colour is on."""

from __future__ import annotations

from typing import Protocol

_FOREGROUND = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "bright_black": 90}


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    """``text`` in colour ``fg`` and/or bold, followed by a reset."""
    codes = (f"\x1b[{_FOREGROUND[fg]}m" if fg else "") + ("\x1b[1m" if bold else "")
    return f"{codes}{text}\x1b[0m" if codes else text


class Style(Protocol):
    """What :func:`styler` gives: ``style``'s signature."""

    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str: ...


def styler(color: bool) -> Style:
    """``style`` when colour is on, otherwise a function that returns the text unchanged."""
    return style if color else _plain


def _plain(text: str, fg: str | None = None, bold: bool = False) -> str:
    return text
