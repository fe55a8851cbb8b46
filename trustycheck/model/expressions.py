"""What a GitHub Actions expression (``${{ ... }}``) refers to.

The model needs to know where a value comes from (``secrets.PYPI_TOKEN``, a step output, an
env var, a literal) without evaluating anything; a reference scan is enough and never fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_CONTEXT_REF = re.compile(
    r"(?<![\w.])(secrets|vars|inputs|steps|env|github|matrix|needs|jobs|runner|strategy|job)"
    r"((?:\s*(?:\.\s*[A-Za-z_*][\w-]*|\[\s*'[^']*'\s*\]|\[\s*\"[^\"]*\"\s*\]))*)"
)
_PART = re.compile(r"\.\s*([A-Za-z_*][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]")


@dataclass(frozen=True, slots=True)
class ContextRef:
    """One reference such as ``secrets.PYPI_TOKEN`` or ``steps.mint.outputs.token``."""

    context: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.context, *self.parts))


def has_expression(text: str) -> bool:
    return "${{" in text


def is_pure_expression(text: str) -> bool:
    """True when the whole value is one ``${{ ... }}`` (surrounding whitespace allowed)."""
    stripped = text.strip()
    match = _EXPRESSION.fullmatch(stripped)
    return match is not None


def references(text: str) -> list[ContextRef]:
    """Every context reference inside the ``${{ }}`` parts of ``text``, in order."""
    found: list[ContextRef] = []
    for body in _EXPRESSION.findall(text):
        found.extend(refs_in_expression(body))
    return found


def refs_in_expression(body: str) -> list[ContextRef]:
    """Context references in a bare expression (an ``if:`` may omit the ``${{ }}``)."""
    body = _strip_string_literals(body)
    found = []
    for match in _CONTEXT_REF.finditer(body):
        parts = tuple(a or b or c for a, b, c in _PART.findall(match.group(2)))
        found.append(ContextRef(match.group(1), parts))
    return found


_STRING_LITERAL = re.compile(r"(\[\s*)?'(?:[^']|'')*'")


def _strip_string_literals(body: str) -> str:
    """Blank out '...' literals so words inside them are not read as references, keeping
    index forms like ``secrets['X']`` intact."""
    return _STRING_LITERAL.sub(lambda m: m.group(0) if m.group(1) else "''", body)
