"""Refuse rule regexes whose search time can grow faster than the text they search.

A rule's ``matches:`` runs, through Python's backtracking ``re``, over text from the
workflow, which a pull request writes. A pattern is refused when it has:

- a quantifier nested in a repeated group whose iterations can match the same text
  (``(a+)+``, ``(a|a)*``, ``(?:aa?)+``): exponential;
- two quantifiers that can match the same text with only text both accept between them
  (``a*a*``, ``.*x.*``): polynomial;
- an unbounded quantifier that a search may begin again inside, because everything before
  it (with no ``^`` or ``\\A``) can be matched by the quantifier's own characters
  (``a+x`` searched in ``aaaa…``): quadratic;
- a backreference or a conditional group, or a lookaround containing a quantifier.

Character sets are over-approximated (``\\w`` holds every non-ASCII character, a case-blind
letter both cases and every non-ASCII character), so a doubtful pattern is refused, never
passed. Bounded repeats of at most ``_SMALL`` count as fixed text for the search-start check.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

if sys.version_info >= (3, 11):
    # Private since Python 3.11, and so without type stubs: the type checker sees them as Any.
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as sre_c
    import sre_parse

MAX_PATTERN = 1000
"""The longest pattern accepted (characters)."""
MAX_REPEAT_NESTING = 8
"""Quantified groups inside quantified groups, at most."""
_SMALL = 16
_SETTLED_MIN = 100
"""A quantifier that ends the pattern and needs at most this many characters is not a
search-restart risk: each start position scans at most that many before it matches or fails."""
_TOP = sys.maxunicode
_ALL = ((0, _TOP),)
_NEWLINE = ((10, 10),)
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, *((sre_c.POSSESSIVE_REPEAT,) if hasattr(sre_c, "POSSESSIVE_REPEAT") else ())}
_UNICODE_SPACE = ((0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F),
                  (0x205F, 0x205F), (0x3000, 0x3000))
"""The characters beyond ASCII that ``\\s`` matches (``str.isspace``); no letter or digit is among them."""
_DIGITS = ((0x30, 0x39),)
_WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE = ((0x09, 0x0D), (0x1C, 0x20))
_NON_ASCII_NOT_SPACE = ((0x80, 0x84), (0x86, 0x9F), (0xA1, 0x167F), (0x1681, 0x1FFF), (0x200B, 0x2027), (0x202A, 0x202E),
                        (0x2030, 0x205E), (0x2060, 0x2FFF), (0x3001, _TOP))
_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: _DIGITS + _NON_ASCII_NOT_SPACE, sre_c.CATEGORY_NOT_DIGIT: None,
    sre_c.CATEGORY_WORD: _WORD + _NON_ASCII_NOT_SPACE, sre_c.CATEGORY_NOT_WORD: None,
    sre_c.CATEGORY_SPACE: _SPACE + _UNICODE_SPACE, sre_c.CATEGORY_NOT_SPACE: None,
}
_NEGATED = {sre_c.CATEGORY_NOT_DIGIT: _DIGITS, sre_c.CATEGORY_NOT_WORD: _WORD, sre_c.CATEGORY_NOT_SPACE: _SPACE + _UNICODE_SPACE}
"""What a negated category certainly leaves out (its complement over-approximates it)."""

Chars = tuple[tuple[int, int], ...]
"""Sorted, disjoint (low, high) code point ranges."""
Quantifier = tuple[list[Chars], Chars]
"""A quantifier in play: the character sets each of its iterations requires, and all its characters."""
Code = tuple[Any, Any]
"""An element of a parsed pattern: (opcode, argument), as re's (private, untyped) parser gives them."""


class _Refused(Exception):
    pass


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` may take super-linear time (or cannot be used), or ``None``."""
    if len(pattern) > MAX_PATTERN:
        return f"the pattern is longer than {MAX_PATTERN} characters"
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        return f"invalid regular expression: {error}"
    walker = _Walker(parsed.state.flags)
    try:
        walker.sequence(list(parsed.data), _Open(prefix=()), in_loop=False, top=True)  # a search may start anywhere
    except _Refused as refused:
        return f"{refused} (this can take time that grows faster than the text searched)"
    except RecursionError:
        return "the pattern nests too deeply"
    return None


class _Open:
    """What is in play before the next element: the quantifiers that could still be matching
    (``loop``: for each, the character sets every iteration requires, and all its characters),
    and the sets that every element since the search began required (``prefix``; ``None`` once
    an anchor holds the search to one place)."""

    __slots__ = ("loop", "prefix")

    def __init__(self, loop: tuple[Quantifier, ...] = (), prefix: tuple[Chars, ...] | None = None) -> None:
        self.loop = loop
        self.prefix = prefix

    def union(self, other: _Open) -> _Open:
        """What is in play after one of two alternatives (over-approximated: fewer, larger
        required sets)."""
        if self.prefix is None or other.prefix is None:
            prefix = self.prefix if other.prefix is None else other.prefix
        else:
            prefix = tuple(_union(mine, theirs) for mine, theirs in zip(self.prefix, other.prefix))
        return _Open((*self.loop, *other.loop), prefix)


class _Walker:
    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.depth = 0

    def sequence(self, items: list[Code], state: _Open, in_loop: bool, top: bool = False) -> _Open:
        for index, (op, av) in enumerate(items):
            state = self.element(op, av, state, in_loop, last=top and index == len(items) - 1)
        return state

    def element(self, op: Any, av: Any, state: _Open, in_loop: bool, last: bool = False) -> _Open:
        if op in _REPEATS:
            return self.repeat(av, state, in_loop, last)
        if op is sre_c.SUBPATTERN:
            saved = self.flags
            self.flags |= av[1]  # a scoped (?i:...) widens what the group matches; (?-i:...) is ignored (a wider guess)
            try:
                return self.sequence(list(av[-1]), state, in_loop)
            finally:
                self.flags = saved
        if getattr(sre_c, "ATOMIC_GROUP", None) is op:
            return self.sequence(list(av), state, in_loop)
        if op is sre_c.BRANCH:
            alternatives = av[1]
            if in_loop:
                _alternatives_are_distinct(self, alternatives)
            results = [self.sequence(list(alternative), state, in_loop) for alternative in alternatives]
            merged = results[0]
            for result in results[1:]:
                merged = merged.union(result)
            return merged
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            if _has_repeat(av[1]):
                raise _Refused("a lookaround containing a quantifier")
            return state
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS) or op.name.startswith("GROUPREF"):
            raise _Refused("a backreference or a group-conditional")
        if op is sre_c.AT:
            if av is sre_c.AT_BEGINNING_STRING or (av is sre_c.AT_BEGINNING and not self.flags & re.MULTILINE):
                return _Open()
            if av is sre_c.AT_BEGINNING:
                return _Open(_still(state.loop, _NEWLINE), None if state.prefix is None else (*state.prefix, _NEWLINE))
            return state
        chars = self.chars(op, av)
        return _Open(_still(state.loop, chars), None if state.prefix is None else (*state.prefix, chars))

    def repeat(self, av: Any, state: _Open, in_loop: bool, last: bool = False) -> _Open:
        self.depth += 1
        try:
            if self.depth > MAX_REPEAT_NESTING:  # (each level is walked twice: this bounds the check's own time)
                raise _Refused(f"quantified groups nested more than {MAX_REPEAT_NESTING} deep")
            return self.repeat_body(av, state, in_loop, last)
        finally:
            self.depth -= 1

    def repeat_body(self, av: Any, state: _Open, in_loop: bool, last: bool) -> _Open:
        low, high, body = av
        body = list(body)
        repeated = high is sre_c.MAXREPEAT or high > 1
        if low == high:  # a fixed count: the body's text, once or (as its iterations follow each other) twice
            for _ in range(min(low, 2)):
                state = self.sequence(body, state, in_loop=in_loop or repeated)
            return state
        chars = self.all_chars(body)
        required = self.required(body)
        if any(_overlap(quantifier, (required, chars)) for quantifier in state.loop):
            # the whole of some text the repeat matches could also be matched by the quantifier before it
            raise _Refused("nested quantifiers that can match the same text" if in_loop else "adjacent quantifiers that can match the same text")
        unbounded = high is sre_c.MAXREPEAT or high > _SMALL
        # ending the pattern, a simple quantifier matches once it has its minimum: a restart rescans little
        settled = last and low <= _SETTLED_MIN and not _has_repeat(body)
        if unbounded and not settled and state.prefix is not None and all(_intersect(needed, chars) for needed in state.prefix):
            raise _Refused("an unanchored pattern whose quantifier a search can start again inside: anchor it with ^ or begin it "
                           "with text the quantifier cannot match")
        # the first iteration follows what came before: its own quantifiers meet the ones in play
        inner = self.sequence(body, _Open(state.loop, state.prefix), in_loop=in_loop or repeated)
        if repeated:  # a second iteration follows the first: it must not match what the first one's end can
            self.sequence(body, _Open(inner.loop, None), in_loop=True)
        loop = ((required, chars), *inner.loop, *(state.loop if low == 0 else ()))
        prefix = state.prefix if state.prefix is None or low == 0 else (*state.prefix, chars)
        return _Open(loop, prefix)

    def chars(self, op: Any, av: Any) -> Chars:
        if op is sre_c.LITERAL:
            return self.cased(((av, av),))
        if op is sre_c.NOT_LITERAL:
            return _complement(((av, av),))
        if op is sre_c.ANY:
            return _ALL
        if op is sre_c.IN:
            return self.in_set(av)
        return _ALL  # anything else: assume it can match any character

    def in_set(self, items: list[Code]) -> Chars:
        negate = False
        ranges: Chars = ()
        for op, av in items:
            if op is sre_c.NEGATE:
                negate = True
            elif op is sre_c.LITERAL:
                ranges = _union(ranges, ((av, av),))
            elif op is sre_c.RANGE:
                ranges = _union(ranges, (av,))
            elif op is sre_c.CATEGORY:
                ranges = _union(ranges, _CATEGORIES.get(av) or _complement(_NEGATED.get(av, ())))
            else:
                ranges = _ALL
        if negate:  # over-approximate first, so the complement stays an over-approximation
            return _complement(_exact_ascii(items))
        return self.cased(ranges)

    def cased(self, ranges: Chars) -> Chars:
        if self.flags & re.IGNORECASE and _intersect(ranges, ((0x41, 0x5A), (0x61, 0x7A), (0x80, _TOP))):
            return _union(ranges, ((0x41, 0x5A), (0x61, 0x7A), (0x80, _TOP)))
        return ranges

    def required(self, items: list[Code]) -> list[Chars]:
        """The character sets of the elements every match of ``items`` goes through (fewer and
        larger than exact: a branch or a repeat counts as one set of all its characters)."""
        needed: list[Chars] = []
        for op, av in items:
            if op in _REPEATS:
                if av[0] > 0 and self.required(list(av[2])):
                    needed.append(self.all_chars(list(av[2])))
            elif op is sre_c.SUBPATTERN:
                saved = self.flags
                self.flags |= av[1]
                try:
                    needed.extend(self.required(list(av[-1])))
                finally:
                    self.flags = saved
            elif getattr(sre_c, "ATOMIC_GROUP", None) is op:
                needed.extend(self.required(list(av)))
            elif op is sre_c.BRANCH:
                if all(self.required(list(alternative)) for alternative in av[1]):
                    needed.append(self.all_chars([(op, av)]))
            elif op not in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
                needed.append(self.chars(op, av))
        return needed

    def all_chars(self, items: list[Code]) -> Chars:
        """Every character the items can match (over-approximated)."""
        found: Chars = ()
        for op, av in items:
            if op in _REPEATS:
                found = _union(found, self.all_chars(list(av[2])))
            elif op is sre_c.SUBPATTERN:
                saved = self.flags
                self.flags |= av[1]
                try:
                    found = _union(found, self.all_chars(list(av[-1])))
                finally:
                    self.flags = saved
            elif getattr(sre_c, "ATOMIC_GROUP", None) is op:
                found = _union(found, self.all_chars(list(av)))
            elif op is sre_c.BRANCH:
                for alternative in av[1]:
                    found = _union(found, self.all_chars(list(alternative)))
            elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
                continue
            else:
                found = _union(found, self.chars(op, av))
        return found


def _still(loop: tuple[Quantifier, ...], chars: Chars) -> tuple[Quantifier, ...]:
    """The quantifiers that could also have matched a character of ``chars`` just read."""
    return tuple(quantifier for quantifier in loop if _intersect(quantifier[1], chars))


def _overlap(first: Quantifier, second: Quantifier) -> bool:
    """Whether some text could be matched by either of two quantifiers (each given as the
    sets its iterations require and all its characters): each can take the other's text."""
    (first_required, first_chars), (second_required, second_chars) = first, second
    return (all(_intersect(needed, second_chars) for needed in first_required) and _intersect(first_chars, second_chars)
            and all(_intersect(needed, first_chars) for needed in second_required))


def _exact_ascii(items: list[Code]) -> Chars:
    """The characters a negated class certainly excludes: its literals and ranges, and the
    ASCII part of its categories (the complement of this contains every character it matches)."""
    ranges: Chars = ()
    for op, av in items:
        if op is sre_c.LITERAL:
            ranges = _union(ranges, ((av, av),))
        elif op is sre_c.RANGE:
            ranges = _union(ranges, (av,))
        elif op is sre_c.CATEGORY and av in (sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_WORD, sre_c.CATEGORY_SPACE):
            ranges = _union(ranges, {sre_c.CATEGORY_DIGIT: _DIGITS, sre_c.CATEGORY_WORD: _WORD,
                                     sre_c.CATEGORY_SPACE: _SPACE + _UNICODE_SPACE}[av])
    return ranges


def _alternatives_are_distinct(walker: _Walker, alternatives: list[Any]) -> None:
    firsts = [walker.all_chars(_first_items(list(alternative))) for alternative in alternatives]
    for index, first in enumerate(firsts):
        for other in firsts[index + 1:]:
            if _intersect(first, other) or not first or not other:
                raise _Refused("a repeated group with alternatives that can start with the same character")


def _first_items(items: list[Code]) -> list[Code]:
    """The leading items up to and including the first that must match a character."""
    taken = []
    for op, av in items:
        taken.append((op, av))
        if op in _REPEATS and av[0] == 0:
            continue
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        break
    return taken


def _has_repeat(items: Iterable[Code]) -> bool:
    for op, av in items:
        if op in _REPEATS:
            return True
        if op is sre_c.SUBPATTERN and _has_repeat(av[-1]):
            return True
        if op is sre_c.BRANCH and any(_has_repeat(alternative) for alternative in av[1]):
            return True
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT) and _has_repeat(av[1]):
            return True
        if getattr(sre_c, "ATOMIC_GROUP", None) is op and _has_repeat(av):
            return True
    return False


def _union(a: Chars, b: Chars) -> Chars:
    if not a:
        return b
    if not b:
        return a
    merged: list[list[int]] = []
    for low, high in sorted((*a, *b)):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def _intersect(a: Chars, b: Chars) -> bool:
    return any(low <= other_high and other_low <= high for low, high in a for other_low, other_high in b)


def _complement(ranges: Chars) -> Chars:
    result = []
    start = 0
    for low, high in _union(ranges, ()):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= _TOP:
        result.append((start, _TOP))
    return tuple(result)
