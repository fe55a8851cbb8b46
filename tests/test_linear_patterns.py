"""Every regular expression of the loader, the nodes and the suppression comments, fed about a
megabyte of the text that is worst for it, must answer in linear time.

Each case is the shape that would make a backtracking pattern retry from every position (a
prefix repeated without its closing part, long runs of the characters two quantifiers share).
The guard is generous (a hang guard, not a speed target): a linear pass over a megabyte takes
milliseconds; the quadratic directive pattern took 6 s on 160 KB and minutes on 1 MB.
"""

from __future__ import annotations

import re
import time

import pytest

from trustycheck.loader import load_text
from trustycheck.nodes import resolve_plain
from trustycheck.suppress import directives

pytestmark = pytest.mark.slow  # megabyte hang guards: in CI, not in the quick set

MEGABYTE = 1_000_000
GUARD_SECONDS = 2.0


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "line",
    [
        pytest.param("#trustycheck:ignore[" * (MEGABYTE // 20), id="opening repeated, never closed"),
        pytest.param("# trustycheck: ignore[" + "a" * MEGABYTE, id="one opening, never closed"),
        pytest.param("#" + " " * MEGABYTE + "trustycheck", id="spaces after the hash"),
        pytest.param("# " * (MEGABYTE // 2) + "trustycheck", id="hashes and spaces"),
        pytest.param("# trustycheck:" + " " * MEGABYTE + "ignore", id="spaces after the colon"),
        pytest.param("# trustycheck: ignore[" + " ," * (MEGABYTE // 2) + "]", id="separators only"),
        pytest.param("# trustycheck: ignore[TC101]" + "]" * MEGABYTE, id="closing repeated"),
    ],
)
def test_suppression_directive_is_found_in_linear_time(line: str) -> None:
    _, seconds = _timed(directives, [line])
    assert seconds < GUARD_SECONDS


_BACKTRACKING_DIRECTIVE = re.compile(r"#\s*trustycheck:\s*ignore\[([^\]]*)\](.*)$", re.I)
"""The pattern the suppression comments were read with (quadratic on unclosed openings)."""


@pytest.mark.parametrize(
    "line",
    [
        "# trustycheck: ignore[TC101] reason",
        "x  #TRUSTYCHECK:IGNORE[ tc101 , token-publish ]  - why: not",
        "#trustycheck:ignore[#trustycheck:ignore[TC101] reason",
        "# trustycheck: ignore[TC101 # trustycheck: ignore[TC102] r",
        "# trustycheck ignore[TC101]",
        "# # trustycheck:\tignore[] ] ]",
        "#trustycheck:ignore[" * 50 + "TC101] reason",
        "#trustycheck:ignore[" * 50,
        "trustycheck: ignore[TC101]",
        "# trustycheck: ignore[a]\x85b",
    ],
)
def test_directives_are_read_as_the_backtracking_pattern_read_them(line: str) -> None:
    expected = _BACKTRACKING_DIRECTIVE.search(line)
    found = directives([line])
    if expected is None:
        assert found == []
        return
    [directive] = found
    assert (directive.pos.col, directive.pos.end_col) == (expected.start() + 1, expected.end() + 1)
    assert directive.entries == tuple(part for part in re.split(r"[\s,]+", expected.group(1)) if part)
    assert directive.reason == expected.group(2).strip().lstrip("-:—").strip()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1" * MEGABYTE + "x", id="digits then a letter"),
        pytest.param("1." + "1" * MEGABYTE + "x", id="fraction then a letter"),
        pytest.param("1e" + "1" * MEGABYTE + "x", id="exponent then a letter"),
        pytest.param("0x" + "f" * MEGABYTE + "g", id="hex then a non-digit"),
        pytest.param("0o" + "7" * MEGABYTE + "8", id="octal then a non-digit"),
        pytest.param("+" + "." * MEGABYTE, id="dots"),
    ],
)
def test_plain_scalars_are_typed_in_linear_time(text: str) -> None:
    value, seconds = _timed(resolve_plain, text)
    assert seconds < GUARD_SECONDS
    assert value == text


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: " + "&" * MEGABYTE + "\n", id="ampersands (anchor search)"),
        pytest.param("a: '" + " &" * (MEGABYTE // 2) + "'\n", id="ampersands after spaces"),
        pytest.param("a: '" + "\r" * MEGABYTE + "'\n", id="carriage returns (line split)"),
        pytest.param("a: '" + "\r\n" * (MEGABYTE // 2) + "'\n", id="CRLF (line split)"),
    ],
)
def test_loader_patterns_are_linear(text: str) -> None:
    doc, seconds = _timed(load_text, "w.yml", text)
    _, split_seconds = _timed(lambda: doc.lines)
    assert seconds + split_seconds < GUARD_SECONDS


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        pytest.param("_INT", "1" * MEGABYTE + "x", id="int"),
        pytest.param("_INT_OCT", "0o" + "7" * MEGABYTE + "8", id="octal"),
        pytest.param("_INT_HEX", "0x" + "f" * MEGABYTE + "g", id="hex"),
        pytest.param("_FLOAT", "1" * MEGABYTE + "x", id="float, digits"),
        pytest.param("_FLOAT", "1." + "1" * MEGABYTE + "x", id="float, fraction"),
        pytest.param("_FLOAT", "1e" + "1" * MEGABYTE + "x", id="float, exponent"),
    ],
)
def test_the_number_patterns_are_linear_even_past_the_length_they_are_given(pattern: str, text: str) -> None:
    """resolve_plain gives them at most MAX_NUMBER_LENGTH characters; they are linear anyway."""
    from trustycheck import nodes

    match, seconds = _timed(getattr(nodes, pattern).match, text)
    assert match is None
    assert seconds < GUARD_SECONDS
