"""Text edits at the positions the loader records, and the block-YAML shapes fixes edit.

A fix never re-serialises YAML: it replaces, deletes or inserts whole spans of the original
text, so comments, quoting, indentation and line endings stay as written. Positions are the
loader's (1-based line and column, lines split where YAML splits them), turned into offsets
here once per text.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.nodes import Mapping, Node, Pos, Scalar
from trustycheck.patterns import lazy_pattern

_LINE_BREAK = lazy_pattern(r"\r\n|\r|\n|\x85|\u2028|\u2029")


class OverlappingEdits(Exception):
    """Two edits touch the same text: the fixes they come from cannot be applied together."""


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``new`` (an insertion when ``start == end``)."""

    start: int
    end: int
    new: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with every edit applied, bottom-up so earlier offsets stay valid. Two edits that
    overlap, or insert at the same place, are refused: their order would be a guess."""
    ordered = check_disjoint(edits)
    for edit in reversed(ordered):
        text = text[:edit.start] + edit.new + text[edit.end:]
    return text


def check_disjoint(edits: list[Edit]) -> list[Edit]:
    """The edits in text order; :class:`OverlappingEdits` when two overlap or insert at one place."""
    ordered = sorted(set(edits), key=lambda edit: (edit.start, edit.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end or after.start == before.start:
            raise OverlappingEdits(f"edits at offsets {before.start} and {after.start} overlap")
    return ordered


class Source:
    """One file's text, with what edits need: offsets of positions, lines, the line ending."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.line_starts = [0]
        self.line_ends: list[int] = []
        for match in _LINE_BREAK.finditer(text):
            self.line_ends.append(match.start())
            self.line_starts.append(match.end())
        self.line_ends.append(len(text))
        first = _LINE_BREAK.search(text)
        self.newline = first.group() if first else "\n"

    def offset(self, line: int, col: int) -> int:
        """The offset of a 1-based line and column (columns count characters)."""
        line = min(max(line, 1), len(self.line_starts))
        return min(self.line_starts[line - 1] + col - 1, self.line_ends[line - 1])

    def line(self, number: int) -> str:
        return self.text[self.line_starts[number - 1]:self.line_ends[number - 1]]

    def start_of_next_line(self, number: int) -> int:
        """Where the line after ``number`` starts (the end of the text for the last one)."""
        return self.line_starts[number] if number < len(self.line_starts) else len(self.text)

    def owns(self, node: Node | Pos | None) -> bool:
        """Whether ``node`` was read from this file (a called file's nodes are not edited here)."""
        if node is None:
            return False
        path = node.path
        return path is None or path == self.path

    def span(self, node: Node) -> tuple[int, int]:
        pos = node.pos
        return self.offset(pos.line, pos.col), self.offset(pos.end_line, pos.end_col)

    def last_content_line(self, node: Node) -> int:
        """The last line holding part of ``node``: a block collection or block scalar ends where
        the next token starts, after blank and comment lines that belong to what follows."""
        pos = node.pos
        last = pos.end_line
        if pos.end_line > pos.line and not self.line(last)[:pos.end_col - 1].strip():
            last -= 1
        skip = _blank if isinstance(node, Scalar) else _blank_or_comment  # a script's `# ...` is its text
        while last > pos.line and skip(self.line(last)):
            last -= 1
        return last

    def starts_line(self, node: Node) -> bool:
        """Whether ``node`` is the first thing on its line (a block key, not in ``{a: b}``)."""
        pos = node.pos
        line = self.line(pos.line)
        before = line[:pos.col - 1]
        return not before.strip() or before.strip() == "-"


def _blank(line: str) -> bool:
    return not line.strip()


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def written_here(key: Node, value: Node, source: Source) -> bool:
    """Whether ``value`` is written right after ``key``, and only there: not an alias (whose
    node is written at its anchor) nor an anchor (which aliases elsewhere share), so editing it
    changes this entry alone. Only ``:``, blanks and comments may stand between them."""
    if not (source.owns(key) and source.owns(value)):
        return False
    start = source.offset(key.pos.end_line, key.pos.end_col)
    end = source.offset(value.pos.line, value.pos.col)
    if end < start or source.text[end:end + 1] in ("&", "*", "!"):  # the composer starts a node at its anchor or tag
        return False
    for line in _LINE_BREAK.split(source.text[start:end]):
        if line.split("#", 1)[0].strip(": \t"):
            return False
    return True


def block_entries(mapping: Node | None, source: Source) -> bool:
    """Whether ``mapping`` is a block mapping of this file whose keys each start a line (the
    shape entries can be removed from and added to line by line)."""
    if not isinstance(mapping, Mapping) or not source.owns(mapping) or not mapping.pairs:
        return False
    return all(isinstance(key, Scalar) and source.starts_line(key) and key.text != "<<" for key, _ in mapping.pairs)


def remove_entry(mapping: Mapping, key: str, source: Source) -> Edit | None:
    """Delete ``key`` and its value (the whole lines they fill, a trailing comment too) from a
    block mapping; ``None`` when the shape does not allow it (a flow mapping, a key sharing
    its line with ``- ``: the first entry of a sequence item)."""
    if not block_entries(mapping, source):
        return None
    pair = mapping.entries.get(key)
    if pair is None:
        return None
    key_node, value = pair
    if source.line(key_node.pos.line)[:key_node.pos.col - 1].strip():
        return None  # `- key: value`: removing the line would remove the item
    if not written_here(key_node, value, source):
        return None
    first = key_node.pos.line
    last = max(source.last_content_line(value), first)
    return Edit(source.line_starts[first - 1], source.start_of_next_line(last), "")


def entry_indent(mapping: Mapping) -> int:
    """The column (0-based) where a block mapping's keys start."""
    return mapping.pairs[-1][0].pos.col - 1


def insert_lines_before(source: Source, line: int, lines: list[str]) -> Edit:
    """Insert whole lines (without line endings) before line ``line``."""
    at = source.line_starts[line - 1]
    return Edit(at, at, "".join(text + source.newline for text in lines))


def insert_lines_after(source: Source, line: int, lines: list[str]) -> Edit:
    """Insert whole lines after line ``line`` (which gets a line ending if it is the last)."""
    at = source.start_of_next_line(line)
    if at == len(source.text) and not source.text.endswith(("\n", "\r")):
        return Edit(at, at, "".join(source.newline + text for text in lines))
    return Edit(at, at, "".join(text + source.newline for text in lines))


def remove_keys(parent: Mapping, field_name: str, names: set[str], source: Source) -> list[Edit] | None:
    """Edits that delete the entries ``names`` of the block mapping ``parent[field_name]``;
    the whole ``field_name:`` entry when nothing else is left in it. ``None`` when a shape
    does not allow it."""
    pair = parent.entries.get(field_name)
    child = pair[1] if pair else None
    if pair is None or not isinstance(child, Mapping) or not written_here(pair[0], child, source):
        return None
    present = [key.text for key, _ in child.pairs if key.text in names]
    if not present:
        return []
    if len(present) == len(child.pairs):
        whole = remove_entry(parent, field_name, source)
        return [whole] if whole is not None else None
    edits = [remove_entry(child, name, source) for name in present]
    return None if any(edit is None for edit in edits) else [edit for edit in edits if edit is not None]


def insert_entry_lines(mapping: Mapping, before: tuple[str, ...], lines: list[str], source: Source) -> Edit | None:
    """Insert ``lines`` (written at the mapping's own indentation, nested lines indented
    further) as entries of the block mapping: before the first key of ``before`` it has, else
    after its last entry."""
    if not block_entries(mapping, source):
        return None
    indent = " " * entry_indent(mapping)
    text = [indent + line for line in lines]
    previous: tuple[Node, Node] | None = None
    for key, value in mapping.pairs:
        if key.text in before:
            if source.line(key.pos.line)[:key.pos.col - 1].strip():
                return None
            if previous is None:
                return insert_lines_before(source, key.pos.line, text)
            # Right after the entry before: blank lines and comments above the key stay with it.
            return insert_lines_after(source, max(previous[0].pos.line, source.last_content_line(previous[1])), text)
        previous = key, value
    return insert_lines_after(source, source.last_content_line(mapping), text)
