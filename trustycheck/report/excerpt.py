"""Source excerpts with secrets masked: the one place reporters get file text from."""

from __future__ import annotations

from trustycheck.nodes import Pos

MASK = "*"


def masked_line(lines: list[str], number: int, redactions: list[Pos]) -> str:
    """Line ``number`` (1-based) with every redacted span replaced by ``*`` (same width, so
    carets under the line stay aligned)."""
    if not 1 <= number <= len(lines):
        return ""
    line = lines[number - 1]
    for span in redactions:
        if not span.line <= number <= span.end_line:
            continue
        start = span.col - 1 if span.line == number else 0
        end = span.end_col - 1 if span.end_line == number else len(line)
        start = max(start, 0)
        end = min(max(end, start), len(line))
        if end > start:
            line = line[:start] + MASK * (end - start) + line[end:]
    return line
