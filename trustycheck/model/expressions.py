"""What a GitHub Actions expression (``${{ ... }}``) refers to.

The model needs to know where a value comes from (``secrets.PYPI_TOKEN``, a step output, an
env var, a literal) without evaluating anything; a reference scan is enough and never fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass

_CONTEXT_REF = lazy_pattern(
    r"(?<![\w.])(secrets|vars|inputs|steps|env|github|matrix|needs|jobs|runner|strategy|job)(?![\w-])"
    r"((?:\s*(?:\.\s*[A-Za-z_*][\w-]*|\[\s*'[^']*'\s*\]|\[\s*\"[^\"]*\"\s*\]))*)",
    re.I,
)
"""Contexts and property names are case-insensitive in GitHub expressions."""
_PART = lazy_pattern(r"\.\s*([A-Za-z_*][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]")
_EXPRESSION_END = lazy_pattern(r"'|\}\}")


@dataclass(frozen=True, slots=True)
class ContextRef:
    """One reference such as ``secrets.PYPI_TOKEN`` or ``steps.mint.outputs.token``; the
    context in lower case. No parts: the whole context, or an index computed at run time
    (``toJSON(secrets)``, ``secrets[format('PYPI_{0}', x)]``)."""

    context: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.context, *self.parts))


def has_expression(text: str) -> bool:
    return "${{" in text


def expression_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every ``${{ ... }}`` in ``text``: each from a ``${{`` to the first
    ``}}`` after it outside a '...' string literal, as GitHub's template reader finds them
    (so ``format('}}{0}', x)`` is one expression). An expression left open ends the scan.
    One linear pass: the obvious lazy regex rescans to the end of the text from every
    unclosed ``${{``, which a hostile 1 MB script turns into minutes."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        start = text.find("${{", position)
        if start < 0:
            return spans
        in_string = False
        for found in _EXPRESSION_END.finditer(text, start + 3):
            if found.group() == "'":
                in_string = not in_string
            elif not in_string:
                spans.append((start, found.end()))
                position = found.end()
                break
        else:
            return spans


def replace_expressions(text: str, replacement: Callable[[str], str]) -> str:
    """``text`` with each ``${{ ... }}`` replaced by ``replacement(expression)``."""
    if "${{" not in text:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in expression_spans(text):
        pieces.append(text[position:start])
        pieces.append(replacement(text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def is_pure_expression(text: str) -> bool:
    """True when the whole value is one ``${{ ... }}`` (surrounding whitespace allowed)."""
    stripped = text.strip()
    return expression_spans(stripped) == [(0, len(stripped))]


def references(text: str) -> list[ContextRef]:
    """Every context reference inside the ``${{ }}`` parts of ``text``, in order."""
    found: list[ContextRef] = []
    for start, end in expression_spans(text):
        found.extend(refs_in_expression(text[start + 3:end - 2]))
    return found


def refs_in_expression(body: str) -> list[ContextRef]:
    """Context references in a bare expression (an ``if:`` may omit the ``${{ }}``)."""
    body = _strip_string_literals(body)
    found = []
    for match in _CONTEXT_REF.finditer(body):
        parts = tuple(a or b or c for a, b, c in _PART.findall(match.group(2)))
        found.append(ContextRef(match.group(1).lower(), parts))
    return found


_STRING_LITERAL = lazy_pattern(r"(\[\s*)?'(?:[^']|'')*'")


def _strip_string_literals(body: str) -> str:
    """Blank out '...' literals so words inside them are not read as references, keeping
    index forms like ``secrets['X']`` intact."""
    return _STRING_LITERAL.sub(lambda m: m.group(0) if m.group(1) else "''", body)
