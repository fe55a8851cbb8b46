"""Output as bytes in any encoding, never an exception.

A hook's stdout is a pipe, and on Windows a pipe's encoding is the ANSI code page (cp1252);
``LC_ALL=C`` makes it ASCII. trustycheck writes some non-ASCII itself (the ``→`` of call
chains, the dashes of rule texts) and quotes files that may hold any character, including a
lone surrogate from a file name that is not UTF-8. A character the stream cannot encode is
written another way instead:

- in human-readable text, as its ASCII look-alike (``→`` as ``->``) or else as a visible
  escape (``\\U0001f40d``);
- in JSON (and SARIF), as a JSON escape (``\\u2192``), so the document reads back exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from trustycheck.patterns import lazy_pattern

ASCII_LOOKALIKES = {
    "\u2192": "->",  # → in call chains
    "\u2014": "--",  # — em dash
    "\u2013": "-",  # – en dash
    "\u2026": "...",  # …
    "\u2248": "~",  # ≈
    "\u00a7": "section ",  # §
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}
"""The non-ASCII characters trustycheck's own texts use, as ASCII readers expect them."""

_NON_ASCII = lazy_pattern("[^\x00-\x7f]")
_INVISIBLE = lazy_pattern("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""What json.dumps leaves raw but must not reach a terminal or a log that shows the JSON: DEL,
C1 controls, line separators, bidirectional formatting (it escapes C0 controls itself)."""


def json_text(document: object) -> str:
    """``document`` as indented JSON in which no character can act on a terminal or log."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _INVISIBLE.sub(_json_escape_match, text)


def _json_escape_match(match: re.Match[str]) -> str:
    return _json_escape(match.group(), "")


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; what it cannot hold becomes a look-alike or a visible escape."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return _replace_unencodable(text, encoding, _text_substitute).encode(encoding)


def encode_json(text: str, encoding: str) -> bytes:
    """JSON ``text`` in ``encoding``; what it cannot hold becomes a JSON escape. Outside its
    strings JSON is ASCII, so an escape is always in a string, where it means the same."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return _replace_unencodable(text, encoding, _json_escape).encode(encoding)


def _replace_unencodable(text: str, encoding: str, substitute: Callable[[str, str], str]) -> str:
    """``text`` with each non-ASCII character that ``encoding`` cannot hold substituted (one
    linear pass; each distinct character is tried once)."""
    chosen: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char not in chosen:
            try:
                char.encode(encoding)
                chosen[char] = char
            except UnicodeEncodeError:
                chosen[char] = substitute(char, encoding)
        return chosen[char]

    return _NON_ASCII.sub(replace, text)


def _text_substitute(char: str, encoding: str) -> str:
    return ASCII_LOOKALIKES.get(char) or ascii(char)[1:-1]


def _json_escape(char: str, encoding: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the basic plane: a UTF-16 surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
