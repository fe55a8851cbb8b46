"""Where credentials are written into a file: the spans every output masks, and the ``secret``
scope's contexts."""

from __future__ import annotations

from trustycheck.loader import Document
from trustycheck.model.pypi import looks_like_token, token_spans
from trustycheck.nodes import Pos

TOKEN_WRITTEN = "a PyPI API token"
LITERAL_CREDENTIAL = "the credential given to {tool}"


def token_positions(doc: Document) -> list[Pos]:
    """Positions of PyPI tokens written anywhere in the file, comments included."""
    if "pypi-" not in doc.text or not looks_like_token(doc.text):  # most files name pypi-... actions only
        return []
    positions = []
    for number, line in enumerate(doc.lines, start=1):
        for start, end in token_spans(line):
            positions.append(Pos(number, start + 1, number, end + 1, doc.path))
    return positions


def merge_secrets(found: list[tuple[Pos, str]]) -> list[tuple[Pos, str]]:
    """Each secret span once, sorted; where a literal credential overlaps a token-shaped
    string, the span is described as a PyPI API token."""
    tokens = [(pos, what) for pos, what in found if what == TOKEN_WRITTEN]
    merged = list(tokens)
    for pos, what in found:
        if what != TOKEN_WRITTEN and not any(_overlaps(pos, other) for other, _ in merged):
            merged.append((pos, what))
    unique = {(pos.path, pos.line, pos.col, pos.end_line, pos.end_col): (pos, what) for pos, what in merged}
    return sorted(unique.values(), key=lambda item: (item[0].path or "", item[0].line, item[0].col))


def _overlaps(a: Pos, b: Pos) -> bool:
    return a.path == b.path and (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col)
