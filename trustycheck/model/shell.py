"""Split a ``run:`` script into simple commands, the way a POSIX shell would.

Good enough to find ``twine upload`` in real scripts: line continuations, ``&&``/``||``/``;``/
``|`` chains, multi-line scripts, comments, quoting (a command inside an ``echo "..."`` string
is one word, not a command), ``VAR=value`` and ``env VAR=value`` prefixes, ``sudo``/``time``.
``${{ ... }}`` expressions are kept whole as single words. Never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache

from trustycheck.model.expressions import replace_expressions
from trustycheck.patterns import lazy_pattern
from trustycheck.records import field, record

_PYTHON = lazy_pattern(r"(?:python|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?\Z|py\Z")
_ASSIGNMENT = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*=")
_TRANSPARENT = frozenset({"sudo", "time", "exec", "nohup", "command", "builtin", "eval"})
_CONTROL_KEYWORDS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}"})


@record
class Command:
    """One simple command: its words (expressions restored) and its ``VAR=value`` prefixes."""

    words: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def program(self) -> str:
        return program_name(self.words[0]) if self.words else ""


def program_name(word: str) -> str:
    """The program a command word runs, without its directory (``/usr/bin/twine`` -> ``twine``)."""
    return word.rsplit("/", 1)[-1]


def is_python(program: str) -> bool:
    """``python``, ``python3.12``, ``pypy3``, ``py``: an interpreter launcher."""
    return bool(_PYTHON.match(program))


def python_module(words: list[str]) -> list[str] | None:
    """For ``python [-opts] -m MODULE args``, ``[MODULE, args...]``; else ``None``."""
    if not words or not is_python(program_name(words[0])):
        return None
    rest = words[1:]
    while rest and rest[0].startswith("-") and rest[0] != "-m":
        rest = rest[1:]
    return rest[1:] if len(rest) >= 2 and rest[0] == "-m" else None


_TOKEN = lazy_pattern(
    r"""(?P<ws>[ \t\r]+)
    |(?P<op>&&|\|\||;;|\|&|[;&|()\n])
    |(?P<comment>(?<![^\s;&|(])\#[^\n]*)
    |(?P<sq>'[^']*'?)
    |(?P<dq>"(?:\\.|[^"\\])*"?)
    |(?P<esc>\\.)
    |(?P<word>[^\s'"\\;&|()]+)
    |(?P<other>.)""",
    re.X | re.S,
)


@lru_cache(maxsize=2048)
def split_commands(script: str) -> tuple[Command, ...]:
    """The simple commands of ``script``, in order (cached: several facts read each script)."""
    expressions: list[str] = []

    def hold(expression: str) -> str:
        expressions.append(expression)
        return f"__tcexpr{len(expressions) - 1}__"

    text = replace_expressions(script, hold)
    text = re.sub(r"\\\r?\n", " ", text)
    commands: list[Command] = []
    current: list[str] = []
    piece: list[str] = []
    in_word = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment":  # a ``#`` starting a word, outside quotes, up to the line's end
            continue
        value = match.group()
        if kind in ("ws", "op"):
            if in_word:
                current.append("".join(piece))
                piece, in_word = [], False
            if kind == "op":
                _finish(current, commands, expressions)
                current = []
            continue
        in_word = True
        if kind == "sq":
            piece.append(value[1:-1] if value.endswith("'") and len(value) > 1 else value[1:])
        elif kind == "dq":
            inner = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
            piece.append(re.sub(r'\\([\\"$`])', r"\1", inner))
        elif kind == "esc":
            piece.append(value[1])
        else:
            piece.append(value)
    if in_word:
        current.append("".join(piece))
    _finish(current, commands, expressions)
    return tuple(commands)


def _restore(word: str, expressions: list[str]) -> str:
    if "__tcexpr" not in word:
        return word
    return re.sub(r"__tcexpr(\d+)__", lambda m: expressions[int(m.group(1))], word)


def _finish(words: list[str], commands: list[Command], expressions: list[str]) -> None:
    words = [_restore(word, expressions) for word in words]
    env: dict[str, str] = {}
    while words:
        head = words[0]
        if head in _CONTROL_KEYWORDS or head in _TRANSPARENT:
            words = words[1:]
        elif _ASSIGNMENT.match(head):
            name, _, value = head.partition("=")
            env[name] = value
            words = words[1:]
        elif head == "env":
            words = words[1:]
            while words and words[0].startswith("-"):
                words = words[1:]
        else:
            break
    if words:
        commands.append(Command(words, env))
