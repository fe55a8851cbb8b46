"""A one-pass look at a TOML text's shape before the parser sees it.

The TOML parser recurses once per level of nested arrays and inline tables (thousands of
levels end in ``RecursionError``), and its time and memory grow with the square of a dotted
key's length (16 KB of ``a.a.a…`` took 1.4 s and 250 MB). This scan follows TOML's lexical
rules only as far as it must to tell keys, strings and comments apart, and measures the
deepest nesting and the longest key; the parser then reads only texts with sane ones.
"""

from __future__ import annotations


def toml_shape_problem(text: str, max_nesting: int, max_key_parts: int) -> str | None:
    """Why ``text`` is refused before parsing, or ``None``. Invalid TOML that this scan reads
    some other way is left for the parser to report."""
    containers: list[str] = []  # "[" (array) or "{" (inline table), innermost last
    in_key = True  # at the start of a line (outside containers) or after "{" or "," in a table
    parts = 1
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if char in "\"'":
            index = _string_end(text, index)
            continue
        if char == "#":
            newline = text.find("\n", index)
            index = end if newline < 0 else newline
            continue
        if char == "\n":
            if not containers:
                in_key, parts = True, 1
        elif in_key:
            if char == ".":
                parts += 1
                if parts > max_key_parts:
                    return f"has a key of more than {max_key_parts} dotted parts"
            elif char == "=":
                in_key = False
            elif char == "[" and not containers:
                pass  # a table header: its key is counted like any other
            elif char == "]" and not containers:
                in_key = False
            elif char == "}" and containers and containers[-1] == "{":
                containers.pop()
                in_key = False
        else:
            if char in "[{":
                containers.append(char)
                if len(containers) > max_nesting:
                    return f"nests arrays or tables more than {max_nesting} levels deep"
                if char == "{":
                    in_key, parts = True, 1
            elif char in "]}" and containers:
                containers.pop()
            elif char == "," and containers and containers[-1] == "{":
                in_key, parts = True, 1
        index += 1
    return None


def _string_end(text: str, start: int) -> int:
    """The index just past the string (basic, literal, or either multi-line form) at ``start``."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        close = text.find(quote * 3, start + 3) if quote == "'" else _basic_end(text, start + 3, quote * 3)
        if close < 0:
            return len(text)
        close += 3
        extra = 0  # up to two more quotes belong to the content, before the closing three
        while extra < 2 and text.startswith(quote, close + extra):
            extra += 1
        return close + extra
    if quote == "'":
        close = text.find("'", start + 1)
        newline = text.find("\n", start + 1)
        if close < 0 or 0 <= newline < close:
            return len(text) if newline < 0 else newline
        return close + 1
    close = _basic_end(text, start + 1, '"', single_line=True)
    return len(text) if close < 0 else close + 1


def _basic_end(text: str, index: int, closing: str, single_line: bool = False) -> int:
    """Where ``closing`` ends a basic string whose content starts at ``index`` (escapes skipped)."""
    end = len(text)
    while index < end:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if single_line and char == "\n":
            return index - 1 if index else 0
        if text.startswith(closing, index):
            return index
        index += 1
    return -1
