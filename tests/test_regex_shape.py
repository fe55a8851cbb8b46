"""Rule regexes from a rules directory: super-linear shapes are refused, linear ones pass and
stay fast on their worst text."""

from __future__ import annotations

import re
import time

import pytest

from trustycheck.engine.regex_shape import MAX_PATTERN, regex_problem

REFUSED = {
    r"^(a+)+$": "nested quantifiers",
    r"^(.*)*$": "nested quantifiers",
    r"^(?:aa?)+$": "nested quantifiers",
    r"^(?:a{1,10})+b": "nested quantifiers",
    r"^(?:x*y*)*z": "nested quantifiers",
    r"^(?:a+b?)+c": "nested quantifiers",
    r"^(a?)*b": "nested quantifiers",
    r"^(a|ab)*c": "alternatives that can start with the same character",
    r"^(?:a|b|ab)+$": "alternatives that can start with the same character",
    r"^a*a*!x": "adjacent quantifiers",
    r"^.*x.*y": "adjacent quantifiers",
    r"^\d+\w+$": "adjacent quantifiers",
    r"^\w+ab\w+$": "adjacent quantifiers",
    r"^a{1,20}a{1,20}b": "adjacent quantifiers",
    r"(?i)^A*a*x": "adjacent quantifiers",
    r"^(?i:a)*A*x": "adjacent quantifiers",
    r"\w+x": "unanchored pattern",
    r"a{1000,}": "unanchored pattern",
    r"a+!x": "unanchored pattern",
    r"foo.*bar": "unanchored pattern",
    r"(?m)^.*x.*y": "unanchored pattern",
    r"^(\w+)x\1": "backreference",
    r"^(a)?(?(1)b|c)": "backreference",
    r"^(?=a*x)b": "lookaround containing a quantifier",
    r"^(?<!a{2})b": "lookaround containing a quantifier",
    "x" * (MAX_PATTERN + 1): "longer than",
    "(": "invalid regular expression",
    "^" + "(?:a" * 100 + "x)*" * 100: "nested more than 8 deep",
    "^" + "(?:a" * 100 + "x){2}" * 100: "nested more than 8 deep",
}

ACCEPTED = [
    r"^v?[0-9]+(\.[0-9]+)*$", r"^refs/tags/v[0-9]", r"pypi-[A-Za-z0-9_-]{50,}", r"^release", r"twine", r"^[a-z]+-[a-z]+$",
    r"(?i)^pypi$", r"^\w+\s?x", r"v[0-9]+x", r"^(?:ab|cd)+$", r"^[^/]+/[^@]+@[0-9a-f]{40}$", r"\bupload\b", r"^(foo|bar)$",
    r"(?:^|[^0-9])[0-9]+\.[0-9]+", r"^.*?foo", r"gh[ps]_[A-Za-z0-9]{36}", r"^\s*#", r"^[0-9a-f]{40}$", r"secrets\.",
    r"^(?=v)v1", r"^(\s*,)*x", r"^(?:[a-z0-9]+-)*[a-z0-9]+$",
]


@pytest.mark.parametrize(("pattern", "expected"), REFUSED.items(), ids=[p[:20] for p in REFUSED])
def test_super_linear_shapes_are_refused(pattern: str, expected: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None and expected in problem, problem


FOUND_SLOW = [
    r"(?:b+\s+-{2})+?", r"(?:a?(?:b*?)?)?!", r"^a*\d?(?:\w+\s+)*?x", r"(?:[^a]+(?:ab|ba))?!",
    r"^[ab]+(?:(?:b*?\d{1,3}[ab]{2})+?b*)a*?!", r"(?:-+?a[ab]+?){1,3}\sx{1,3}$", r"[ab](?:(?:b*?x+\d{2}-+?)+(?:a|b)?)?$",
    r"(?:\d*?.{2}\s{2}){1,3}$",
]
"""Patterns a random search found slow (quadratic on 4 KB) while an earlier version of the
check passed them: a quantifier inside a group meets the quantifiers before the group."""


@pytest.mark.parametrize("pattern", FOUND_SLOW)
def test_quantifiers_inside_groups_meet_the_ones_before(pattern: str) -> None:
    assert regex_problem(pattern) is not None


def test_the_check_itself_is_quick_on_the_longest_patterns() -> None:
    started = time.monotonic()
    for depth in (8, 100, 300):
        regex_problem("^" + "(?:a" * depth + "x)*" * depth)
        regex_problem("^" + "(?:a|b" * depth + ")+" * depth)
        regex_problem("^" + "a{2}" * depth)
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_linear_patterns_pass_and_stay_fast_on_1_mb_of_their_worst_text(pattern: str) -> None:
    assert regex_problem(pattern) is None
    compiled = re.compile(pattern)
    units = ["a", "1", "-", ".", " ", "v", "x", "/", "pypi-", "foo", "ab", ",", "\n", "A", "0a", "1.", "a-"]
    started = time.monotonic()
    for unit in units:
        for tail in ("", "!"):
            compiled.search(unit * ((1 << 20) // len(unit) // len(units)) + tail)
    assert time.monotonic() - started < 10.0  # a hang guard: linear patterns take well under a second here

