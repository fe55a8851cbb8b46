"""Whether a job's ``if:`` can hold in a given situation, read as GitHub evaluates it.

A guard is what the expression *does*, not which words it contains:
``!startsWith(github.ref, 'refs/tags/')`` names a tag and runs on every branch, and
``github.event_name != 'pull_request_target' || true`` names the event and lets it in. The
expression is parsed (GitHub's grammar: literals, context paths, calls, ``!``, comparisons,
``&&``, ``||``) and evaluated over what is known in the situation, every other value being
unknown; only a result that is false whatever the unknowns are keeps the job from running.
An expression that cannot be parsed can hold.
"""

from __future__ import annotations

from trustycheck.model.expressions import is_pure_expression
from trustycheck.patterns import lazy_pattern

_MAX_DEPTH = 50
"""GitHub refuses expressions nested deeper than 50 levels; so does this reader."""


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class BranchRef:
    """``github.ref`` of a run that is not for a tag: ``refs/heads/...`` or ``refs/pull/...``."""


class TagRef:
    """``github.ref`` of a run for a tag (a tag push, a release): ``refs/tags/<some tag>``."""


class Upstream:
    """``github.repository`` or ``github.repository_owner`` in the repository whose workflows are
    read: a guard comparing it to a name (``github.repository == 'o/r'``) is there to keep forks
    from running the job, so it holds here, and its negation does not."""


class NotAmong:
    """A value known only not to be one of ``values`` (compared case-insensitively)."""

    def __init__(self, *values: str) -> None:
        self.values = frozenset(value.lower() for value in values)


class Unreadable(Exception):
    """The expression is not one GitHub would accept (or too deep to read)."""


_TOKEN = lazy_pattern(
    r"(?P<ws>\s+)|(?P<str>'(?:[^']|'')*')|(?P<num>0x[0-9A-Fa-f]+|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][\w-]*)|(?P<op>&&|\|\||==|!=|<=|>=|[<>!().,\[\]*])|(?P<bad>.)",
    __import__("re").S,
)


_STATUS_CHECK = lazy_pattern(r"\b(?:always|cancelled|failure)\s*\(", __import__("re").I)
"""A status function other than ``success()``: GitHub then adds no implicit ``success() &&``."""


def calls_status_check(condition: str) -> bool:
    """The expression calls ``always()``, ``cancelled()`` or ``failure()`` (so it is evaluated
    even when a job it needs was skipped)."""
    return _STATUS_CHECK.search(condition) is not None


def can_hold(condition: str, situation: dict[tuple[str, ...], object]) -> bool:
    """False only when ``condition`` is false in ``situation`` (context paths in lower case
    to what they are known to be) whatever every other value is."""
    return outcome(condition, situation) is not False


def outcome(condition: str, situation: dict[tuple[str, ...], object]) -> bool | None:
    """Whether ``condition`` holds in ``situation``: ``None`` when that depends on what is
    not known (or the expression cannot be read)."""
    return Condition(condition).outcome(situation)


class Condition:
    """An ``if:`` read once (split into tokens), then evaluated in as many situations as asked:
    a job's guard is asked about each kind of run that can start it. A result that needs no
    situation (``always()``, a literal) is worked out once, with ``settle``: knowing more cannot
    change it."""

    def __init__(self, condition: str, settle: bool = False) -> None:
        self.tokens: list[tuple[str, str]] | None = None
        self.constant: bool | None = None
        self.settled = True  # until the tokens are read
        text = condition.strip()
        if not text:
            self.constant = True
            return
        if "${{" in text:
            if not is_pure_expression(text):
                self.constant = True  # text around an expression: a non-empty string, always true
                return
            text = text[3:-2]
        try:
            self.tokens = _tokens(text)
        except Unreadable:
            return
        self.settled = False
        if settle:
            try:
                self.constant = _truthy(_Reader(self.tokens, {}).read())
            except Unreadable:  # the grammar does not depend on the situation
                self.constant = None
                self.settled = True
                return
            self.settled = self.constant is not None

    def outcome(self, situation: dict[tuple[str, ...], object]) -> bool | None:
        if self.settled or self.tokens is None:
            return self.constant
        return self._evaluate(situation)

    def _evaluate(self, situation: dict[tuple[str, ...], object]) -> bool | None:
        assert self.tokens is not None
        try:
            value = _Reader(self.tokens, situation).read()
        except Unreadable:
            return None
        return _truthy(value)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        if kind == "bad":
            raise Unreadable(text)
        if kind != "ws":
            tokens.append((kind, match.group()))
    return tokens


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], situation: dict[tuple[str, ...], object]) -> None:
        self.tokens = tokens
        self.position = 0
        self.situation = situation
        self.depth = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1] != text):
            raise Unreadable(text)
        self.position += 1
        return token

    def read(self) -> object:
        value = self.disjunction()
        if self.peek()[0] != "end":
            raise Unreadable("trailing text")
        return value

    def disjunction(self) -> object:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise Unreadable("too deep")
        values = [self.conjunction()]
        while self.peek() == ("op", "||"):
            self.take()
            values.append(self.conjunction())
        self.depth -= 1
        return values[0] if len(values) == 1 else _combined(values, decisive=True)

    def conjunction(self) -> object:
        values = [self.negation()]
        while self.peek() == ("op", "&&"):
            self.take()
            values.append(self.negation())
        return values[0] if len(values) == 1 else _combined(values, decisive=False)

    def negation(self) -> object:
        count = 0
        while self.peek() == ("op", "!"):
            self.take()
            count += 1
        value = self.comparison()
        if not count:
            return value
        truth = _truthy(value)
        if truth is None:
            return UNKNOWN
        return truth if count % 2 == 0 else not truth

    def comparison(self) -> object:
        value = self.primary()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()[1]
            other = self.primary()
            if operator in ("==", "!="):
                same = _equal(value, other)
                value = UNKNOWN if same is None else (same if operator == "==" else not same)
            else:
                value = UNKNOWN
        return value

    def primary(self) -> object:
        kind, text = self.take()
        if kind == "str":
            value: object = text[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        elif kind == "op" and text == "(":
            value = self.disjunction()
            self.take(")")
        elif kind == "name":
            value = self.named(text)
        else:
            raise Unreadable(text)
        return self.accessors(value, None)

    def named(self, name: str) -> object:
        lowered = name.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if self.peek() == ("op", "("):
            self.take()
            arguments = []
            if self.peek() != ("op", ")"):
                arguments.append(self.disjunction())
                while self.peek() == ("op", ","):
                    self.take()
                    arguments.append(self.disjunction())
            self.take(")")
            return _call(lowered, arguments)
        return self.accessors(UNKNOWN, (lowered,))

    def accessors(self, value: object, path: tuple[str, ...] | None) -> object:
        """``.name`` and ``[index]`` after a value; a context path is looked up at its end."""
        while True:
            token = self.peek()
            if token == ("op", "."):
                self.take()
                kind, text = self.take()
                if kind != "name" and text != "*":
                    raise Unreadable(text)
                path = path + (text.lower(),) if path is not None and text != "*" and len(path) < 8 else None
            elif token == ("op", "["):
                self.take()
                index = self.disjunction()
                self.take("]")
                path = path + (index.lower(),) if path is not None and isinstance(index, str) and len(path) < 8 else None
            else:
                break
            value = UNKNOWN
        if path is not None:
            return _look_up(self.situation, path)
        return value


def _look_up(situation: dict[tuple[str, ...], object], path: tuple[str, ...]) -> object:
    """A path's known value; a property of a known null is null, as in GitHub."""
    for length in range(1, len(path)):
        if situation.get(path[:length], UNKNOWN) is None:
            return None
    return situation.get(path, UNKNOWN)


def _combined(values: list[object], decisive: bool) -> object:
    """``||`` (``decisive`` True) or ``&&`` (False) over values that may be unknown: one operand
    with the decisive truth settles it; all with the other truth give that; else unknown."""
    truths = [_truthy(value) for value in values]
    if any(truth is decisive for truth in truths):
        return decisive
    return (not decisive) if all(truth is (not decisive) for truth in truths) else UNKNOWN


def _truthy(value: object) -> bool | None:
    if value is UNKNOWN:
        return None
    if isinstance(value, (BranchRef, TagRef, NotAmong, Upstream)):
        return True  # a ref, an event name or a repository is never empty
    if value is None or value is False or value == "" or value == 0:
        return False
    return True


def _equal(left: object, right: object) -> bool | None:
    """GitHub's ``==`` (strings compare case-insensitively); ``None`` when unknown."""
    if left is UNKNOWN or right is UNKNOWN:
        return None
    for one, other in ((left, right), (right, left)):
        if isinstance(one, BranchRef):
            return False if isinstance(other, str) and other.lower().startswith("refs/tags/") else None
        if isinstance(one, TagRef):
            return False if isinstance(other, str) and other.lower().startswith(("refs/heads/", "refs/pull/")) else None
        if isinstance(one, NotAmong):
            return False if isinstance(other, str) and other.lower() in one.values else None
        if isinstance(one, Upstream):
            return True if isinstance(other, str) and other.strip() else None
        if one is None and isinstance(other, str):
            return _as_number(other) == 0  # null is 0, a word is NaN: null == 'published' is false
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right):
        return left == right
    return None


def _as_number(text: str) -> float:
    """A string as GitHub coerces it to compare it with null: empty is 0, a word is NaN."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    try:
        return float(stripped)
    except ValueError:
        return float("nan")


def _call(name: str, arguments: list[object]) -> object:
    if name in ("success", "always"):
        return True if name == "always" else UNKNOWN
    if name in ("startswith", "contains", "endswith") and len(arguments) == 2:
        subject, needle = arguments
        if isinstance(subject, TagRef) and isinstance(needle, str):
            lowered = needle.lower()
            if name == "startswith":
                return True if "refs/tags/".startswith(lowered) else (False if lowered.startswith(("refs/heads", "refs/pull")) else UNKNOWN)
            if name == "contains":
                return True if lowered in "refs/tags/" else UNKNOWN
            return UNKNOWN
        if isinstance(subject, BranchRef) and isinstance(needle, str):
            lowered = needle.lower()
            if name == "startswith":
                return False if lowered.startswith("refs/tags") else (True if "refs/heads/".startswith(lowered) else UNKNOWN)
            if name == "contains":
                return False if "refs/tags" in lowered else UNKNOWN
            return UNKNOWN
        if isinstance(subject, str) and isinstance(needle, str):
            subject, needle = subject.lower(), needle.lower()
            return subject.startswith(needle) if name == "startswith" else (
                needle in subject if name == "contains" else subject.endswith(needle))
    return UNKNOWN
