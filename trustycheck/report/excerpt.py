"""Source excerpts: the one place reporters get a file's text from.

A line is shown only after three things: the credentials the model located are masked by
position, every credential shape is masked again by :func:`mask_secrets`, and a line longer
than :data:`WINDOW` characters is cut to a window around the finding (a hostile 1 MB line
flagged a thousand times must not become a gigabyte of output). Human formats also pass the
result through :func:`visible`, which escapes control characters.
"""

from __future__ import annotations

from trustycheck.masking import mask_line
from trustycheck.nodes import Pos
from dataclasses import dataclass
from trustycheck.report.visible import visible

MASK = "*"
WINDOW = 200
"""Most characters of one line shown around a finding."""
_BEFORE = 60
"""Characters kept before the finding's column when a line is cut."""
CUT = "..."


@dataclass(slots=True, eq=False, repr=False)
class Shown:
    """A line as shown under a finding, and where its caret goes (0-based, in ``text``)."""

    text: str
    caret: int
    width: int


class Excerpts:
    """The lines of one file as reporters show them; each line is masked once."""

    def __init__(self, lines: list[str], redactions: list[Pos]) -> None:
        self._lines = lines
        self._redactions = redactions
        self._by_line: dict[int, list[Pos]] | None = None
        self._values: list[str] = []
        self._masked: dict[int, str] = {}

    def masked(self, number: int) -> str:
        """Line ``number`` (1-based; "" outside the file) with every credential masked, each
        character by one ``*`` (so columns stay where they were): the spans the model located,
        any other place in the file where one of those values is written again (a comment
        that repeats the password), and every credential shape."""
        line = self._masked.get(number)
        if line is None:
            if self._by_line is None:
                self._by_line, self._values = _by_line(self._redactions), _values(self._lines, self._redactions)
            line = masked_line(self._lines, number, self._by_line.get(number, []))
            for value in self._values:
                line = line.replace(value, MASK * len(value))
            previous = self._lines[number - 2] if 2 <= number <= len(self._lines) + 1 else ""
            line = self._masked[number] = mask_line(line, previous[-_PREVIOUS:])
        return line

    def window(self, pos: Pos) -> tuple[str, int, int]:
        """The part of the finding's first line to show, raw: its text and the finding's start
        and end in it. The whole line when it is short; else :data:`WINDOW` characters around
        the finding, with :data:`CUT` where something was left out."""
        line = self.masked(pos.line)
        start = min(max(pos.col - 1, 0), len(line))
        end = pos.end_col - 1 if pos.end_line == pos.line else len(line)
        end = min(max(end, start), len(line))
        if len(line) <= WINDOW:
            return line, start, end
        first = max(0, start - _BEFORE)
        last = min(len(line), first + WINDOW)
        head = CUT if first > 0 else ""
        tail = CUT if last < len(line) else ""
        offset = len(head) - first
        return head + line[first:last] + tail, start + offset, min(end, last) + offset

    def shown(self, pos: Pos) -> Shown | None:
        """The finding's line for a human: masked, cut, control characters escaped, with the
        caret under the finding; ``None`` for a blank line."""
        text, start, end = self.window(pos)
        if not text.strip():
            return None
        before, marked, after = visible(text[:start]), visible(text[start:end]), visible(text[end:])
        return Shown((before + marked + after).rstrip(), len(before), max(1, len(marked)))


def _by_line(redactions: list[Pos]) -> dict[int, list[Pos]]:
    """Redacted spans by each line they touch (a span over many lines is rare: a block scalar)."""
    found: dict[int, list[Pos]] = {}
    for span in redactions:
        for number in range(span.line, span.end_line + 1):
            found.setdefault(number, []).append(span)
    return found


_PREVIOUS = 200
"""Characters of the line before that are read with a line (for a key folded onto it)."""
_SHORTEST_VALUE = 4
"""A located credential shorter than this is not searched for elsewhere (it would mask words)."""
_MOST_VALUES = 256
"""Located credentials searched for elsewhere in a file (each costs a search of every line shown)."""


def _values(lines: list[str], redactions: list[Pos]) -> list[str]:
    """The text of each located credential that fits on one line, longest first."""
    found = set()
    for span in redactions:
        if span.line == span.end_line and 1 <= span.line <= len(lines):
            value = lines[span.line - 1][max(span.col - 1, 0):max(span.end_col - 1, 0)].strip()
            if len(value) >= _SHORTEST_VALUE and value.strip("*"):
                found.add(value)
    return sorted(found, key=len, reverse=True)[:_MOST_VALUES]


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
