"""Split a ``run:`` script into simple commands, the way a POSIX shell would.

Good enough to find ``twine upload`` wherever a shell would run it: line continuations (also
inside a word), ``&&``/``||``/``;``/``|`` chains, comments, quoting (a command inside an
``echo "..."`` string is one word, not a command), ``VAR=value`` prefixes, wrappers that run
the rest of their arguments (``sudo -u x``, ``env -u X``, ``timeout 10``, ``xargs``...), and
scripts a shell runs from a string (``bash -c '...'``, ``eval "..."``, ``$(...)``, backticks).
``export X=...`` and ``X=...`` are remembered, so a later command can see them.
``${{ ... }}`` expressions are kept whole as single words. Never raises.

Each word keeps the offset in the script where it starts, so a finding can point at the
command that uploads rather than at the first text that looks like it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from trustycheck.model.expressions import expression_spans
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass, field

_PYTHON = lazy_pattern(r"\A(?:(?:python|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?|py)\Z")
_ASSIGNMENT = lazy_pattern(r"\A[A-Za-z_][A-Za-z0-9_]*=")
_NAME = lazy_pattern(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")
"""Anchored, as they are only ever matched at a word's start: unanchored, a search through
a megabyte of letters would try every start and scan to the end from each."""
_CONTROL_KEYWORDS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash", "mksh"})
_EXPORTS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_MAX_NESTING = 4
"""How deep scripts run from strings (``bash -c "eval '...'"``) are followed: each level is
one more pass over its text, so the bound keeps hostile nesting linear."""


@dataclass(eq=False, repr=False)
class _Wrapper:
    """A program that runs the rest of its arguments as a command."""

    value_options: frozenset[str] = frozenset()
    """Options that take the next word as their value (``sudo -u user``)."""
    operands: int = 0
    """Words between the options and the command (``timeout DURATION command``)."""


def _wrapper(*value_options: str, operands: int = 0) -> _Wrapper:
    return _Wrapper(frozenset(value_options), operands)


_WRAPPERS = {
    "sudo": _wrapper("-u", "-g", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--prompt",
                     "--close-from", "--chdir", "--role", "--type", "--other-user", "--command-timeout", "--chroot"),
    "doas": _wrapper("-u", "-C"),
    "env": _wrapper("-u", "--unset", "-C", "--chdir", "-S", "--split-string"),
    "nice": _wrapper("-n", "--adjustment"),
    "timeout": _wrapper("-s", "--signal", "-k", "--kill-after", operands=1),
    "xargs": _wrapper("-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--eof", "--replace",
                      "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"),
    "stdbuf": _wrapper("-i", "-o", "-e", "--input", "--output", "--error"),
    "ionice": _wrapper("-c", "-n", "-p", "-P", "-u", "--class", "--classdata", "--pid", "--pgid", "--uid"),
    "time": _wrapper("-f", "-o", "--format", "--output"),
    "exec": _wrapper("-a"),
    "nohup": _wrapper(), "command": _wrapper(), "builtin": _wrapper(), "setsid": _wrapper(),
    "chronic": _wrapper(), "unbuffer": _wrapper(),
}
"""Wrappers and their option syntax (their man pages); ``eval`` and shells are read apart."""


@dataclass(eq=False, repr=False)
class Command:
    """One simple command: its words (expressions restored) and its ``VAR=value`` prefixes."""

    words: list[str]
    env: dict[str, str] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    """Offset in the script where each word starts (for a command run from a string, where
    that string starts)."""
    env_starts: dict[str, int] = field(default_factory=dict)
    """Offset of each ``VAR=value`` prefix."""
    seq: int = 0
    """The command's place in the script: assignments made before it are in effect."""

    @property
    def program(self) -> str:
        return program_name(self.words[0]) if self.words else ""

    def start(self, index: int) -> int:
        """Where word ``index`` starts in the script (0 when unknown)."""
        return self.starts[index] if index < len(self.starts) else (self.starts[-1] if self.starts else 0)


@dataclass(eq=False, repr=False)
class Assignment:
    """``NAME=value`` run as a command of its own, or by ``export``."""

    name: str
    value: str
    start: int
    """Offset of the ``NAME=value`` word in the script."""
    exported: bool


@dataclass(eq=False, repr=False)
class Script:
    """The commands of a script, and the variables it sets on the way."""

    commands: tuple[Command, ...]
    assignments: dict[str, list[Assignment]] = field(default_factory=dict)
    assignment_seqs: dict[str, list[int]] = field(default_factory=dict)
    """For each name, the ``seq`` of the first command each assignment is visible to."""

    def variable(self, name: str, command: Command) -> Assignment | None:
        """The last assignment of ``name`` made before ``command`` runs."""
        seqs = self.assignment_seqs.get(name)
        if not seqs:
            return None
        index = bisect_right(seqs, command.seq) - 1
        return self.assignments[name][index] if index >= 0 else None


def program_name(word: str) -> str:
    """The program a command word runs, without its directory (``/usr/bin/twine`` -> ``twine``)."""
    return word.rsplit("/", 1)[-1]


def is_python(program: str) -> bool:
    """``python``, ``python3.12``, ``pypy3``, ``py``: an interpreter launcher."""
    return bool(_PYTHON.match(program))


def python_module(words: list[str]) -> list[str] | None:
    """For ``python [-opts] -m MODULE args`` (also ``-mMODULE``, ``-Bm MODULE``), ``[MODULE,
    args...]``; else ``None`` (a script, ``-c`` code, or no module)."""
    if not words or not is_python(program_name(words[0])):
        return None
    index = 1
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word in ("-", "--"):
            return None
        if word.startswith("--"):  # --version, --help...: no module follows
            index += 1
            continue
        for position, letter in enumerate(word[1:], start=2):
            if letter == "c":
                return None
            if letter in "mWX":
                value = word[position:]
                if not value:
                    index += 1
                    value = words[index] if index < len(words) else ""
                if letter == "m":
                    return [value, *words[index + 1:]] if value else None
                break
        index += 1
    return None


_LEXEME = lazy_pattern(
    r"""(?P<ws>[ \t\r]+)
    |(?P<cont>\\\n)
    |(?P<op>&&|\|\||;;|\|&|[;&|()\n])
    |(?P<comment>(?<![^\s;&|(])\#[^\n]*)
    |(?P<sq>'[^']*'?)
    |(?P<dq>"(?:\\.|[^"\\])*"?)
    |(?P<bq>`(?:\\.|[^`\\])*`?)
    |(?P<esc>\\.)
    |(?P<word>[^\s'"`\\;&|()]+)
    |(?P<other>.)""",
    re.X | re.S,
)
_DQ_ESCAPE = lazy_pattern(r'\\(?:\n|([\\"$`]))')
_SUBSTITUTION = lazy_pattern(r"\$\(|`")
_PARENTHESIS = lazy_pattern(r"[()]")
_PLACEHOLDER_CHAR = "\ue000"
_PLACEHOLDER_RUN = lazy_pattern("\ue000+")


def split_commands(script: str) -> tuple[Command, ...]:
    """The simple commands of ``script``, in order."""
    return parse_script(script).commands


@lru_cache(maxsize=2048)
def parse_script(script: str) -> Script:
    """The commands of ``script`` and its assignments (cached: several facts read each script)."""
    parser = _Parser()
    parser.parse(script, 0, None)
    return Script(tuple(parser.commands), parser.assignments, parser.assignment_seqs)


class _Parser:
    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.assignments: dict[str, list[Assignment]] = {}
        self.assignment_seqs: dict[str, list[int]] = {}
        self.exported: set[str] = set()

    def parse(self, script: str, depth: int, at: int | None) -> None:
        """Read ``script``; ``at`` is where it starts in the outer script when it is run from
        a string (every word then points there)."""
        text, held = _hold_expressions(script)
        current: list[str] = []
        starts: list[int] = []
        piece: list[str] = []
        word_start = 0
        in_word = False
        for match in _LEXEME.finditer(text):
            kind = match.lastgroup
            if kind == "comment" or kind == "cont":
                continue
            if kind in ("ws", "op"):
                if in_word:
                    current.append("".join(piece))
                    starts.append(word_start)
                    piece, in_word = [], False
                if kind == "op":
                    self.finish(current, starts, held, depth)
                    current, starts = [], []
                continue
            if not in_word:
                in_word = True
                word_start = held.original(match.start()) if at is None else at
            value = match.group()
            if kind == "sq":
                piece.append(value[1:-1] if value.endswith("'") and len(value) > 1 else value[1:])
            elif kind == "dq":
                inner = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
                self.substitutions(held.restore(inner), depth, held.original(match.start()) if at is None else at)
                piece.append(_DQ_ESCAPE.sub(lambda m: m.group(1) or "", inner))
            elif kind == "bq":
                inner = value[1:-1] if value.endswith("`") and len(value) > 1 else value[1:]
                if depth < _MAX_NESTING:
                    self.parse(held.restore(inner), depth + 1, held.original(match.start()) if at is None else at)
                piece.append(value)
            elif kind == "esc":
                piece.append(value[1])
            else:
                piece.append(value)
        if in_word:
            current.append("".join(piece))
            starts.append(word_start)
        self.finish(current, starts, held, depth)

    def substitutions(self, inner: str, depth: int, at: int) -> None:
        """Commands run by ``$(...)`` and backticks inside a double-quoted string."""
        if depth >= _MAX_NESTING or ("$(" not in inner and "`" not in inner):
            return
        position = 0
        while (found := _SUBSTITUTION.search(inner, position)) is not None:
            start = found.end()
            if found.group() == "`":
                end = inner.find("`", start)
                if end < 0:
                    return
                self.parse(inner[start:end], depth + 1, at)
                position = end + 1
                continue
            level = 0
            for parenthesis in _PARENTHESIS.finditer(inner, start):
                level += 1 if parenthesis.group() == "(" else -1
                if level < 0:
                    self.parse(inner[start:parenthesis.start()], depth + 1, at)
                    position = parenthesis.end()
                    break
            else:
                return

    def finish(self, words: list[str], starts: list[int], held: _Held, depth: int) -> None:
        if not words:
            return
        words = [held.restore(word) for word in words]
        env: dict[str, str] = {}
        env_starts: dict[str, int] = {}
        index, count = 0, len(words)
        while index < count:
            head = words[index]
            if head in _CONTROL_KEYWORDS:
                index += 1
            elif _ASSIGNMENT.match(head):
                name, _, value = head.partition("=")
                env[name], env_starts[name] = value, starts[index]
                index += 1
            elif (wrapper := _WRAPPERS.get(program_name(head))) is not None:
                index = _skip_options(words, index + 1, wrapper)
            else:
                break
        if index == count:  # assignments only: shell variables for the commands after
            for name, value in env.items():
                self.assign(name, value, env_starts[name], name in self.exported)
            return
        words, starts = words[index:], starts[index:]
        program = program_name(words[0])
        if program in _EXPORTS:
            self.export(words, starts, exported=program == "export" or any(w.startswith("-") and "x" in w for w in words[1:]))
        elif program == "eval" and depth < _MAX_NESTING and len(words) > 1:
            self.parse(" ".join(words[1:]), depth + 1, starts[1])
        elif program in _SHELLS and depth < _MAX_NESTING:
            found = _shell_command_string(words)
            if found is not None:
                self.parse(words[found], depth + 1, starts[found])
        self.commands.append(Command(words, env, starts, env_starts, len(self.commands)))

    def export(self, words: list[str], starts: list[int], exported: bool) -> None:
        for word, start in zip(words[1:], starts[1:]):
            if word.startswith("-"):
                continue
            if _ASSIGNMENT.match(word):
                name, _, value = word.partition("=")
                self.assign(name, value, start, exported or name in self.exported)
            elif exported and _NAME.match(word):
                self.exported.add(word)
                earlier = self.assignments.get(word)
                if earlier:
                    last = earlier[-1]
                    self.assign(word, last.value, last.start, True)
            if exported:
                self.exported.add(word.partition("=")[0])

    def assign(self, name: str, value: str, start: int, exported: bool) -> None:
        self.assignments.setdefault(name, []).append(Assignment(name, value, start, exported))
        self.assignment_seqs.setdefault(name, []).append(len(self.commands))


def _skip_options(words: list[str], index: int, wrapper: _Wrapper) -> int:
    """The index of the first word after a wrapper's options and operands."""
    count = len(words)
    while index < count:
        word = words[index]
        if word == "--":
            index += 1
            break
        if not word.startswith("-") or word == "-":
            break
        index += 2 if word in wrapper.value_options else 1
    return index + wrapper.operands


def _shell_command_string(words: list[str]) -> int | None:
    """For ``bash [options] -c SCRIPT ...`` (``-ec``, ``-o pipefail -c``), the index of SCRIPT."""
    index, command_mode = 1, False
    while index < len(words):
        word = words[index]
        if word in ("-", "--"):
            index += 1
            break
        if word.startswith("--"):
            index += 2 if word in ("--rcfile", "--init-file") else 1
            continue
        if len(word) > 1 and word[0] in "-+":
            command_mode = command_mode or (word[0] == "-" and "c" in word)
            index += 2 if ("o" in word or "O" in word) else 1
            continue
        break
    return index if command_mode and index < len(words) else None


# --- expressions held while the shell syntax is read -------------------------------------------


class _Held:
    """The expressions of a script, replaced while it is tokenized by placeholders built
    from a character run longer than any the script holds, so no text can pass for one."""

    def __init__(self, expressions: list[str], marker: str, spans: list[tuple[int, int, int, int]]) -> None:
        self.expressions = expressions
        self.marker = marker
        self.pattern = re.compile(re.escape(marker) + "([0-9]+)" + re.escape(marker)) if expressions else None
        self.held_starts = [span[0] for span in spans]
        self.spans = spans

    def restore(self, text: str) -> str:
        if self.pattern is None or self.marker not in text:
            return text
        return self.pattern.sub(lambda m: self.expressions[int(m.group(1))], text)

    def original(self, offset: int) -> int:
        """Where ``offset`` of the text with placeholders is in the script."""
        index = bisect_right(self.held_starts, offset) - 1
        if index < 0:
            return offset
        held_start, held_end, start, end = self.spans[index]
        return start if offset < held_end else offset - held_end + end


def _hold_expressions(script: str) -> tuple[str, _Held]:
    spans = expression_spans(script) if "${{" in script else []
    if not spans:
        return script, _Held([], "", [])
    longest = max(map(len, _PLACEHOLDER_RUN.findall(script)), default=0) if _PLACEHOLDER_CHAR in script else 0
    marker = _PLACEHOLDER_CHAR * (longest + 1)
    pieces: list[str] = []
    expressions: list[str] = []
    held: list[tuple[int, int, int, int]] = []
    position = length = 0
    for start, end in spans:
        pieces.append(script[position:start])
        length += start - position
        placeholder = f"{marker}{len(expressions)}{marker}"
        expressions.append(script[start:end])
        held.append((length, length + len(placeholder), start, end))
        pieces.append(placeholder)
        length += len(placeholder)
        position = end
    pieces.append(script[position:])
    return "".join(pieces), _Held(expressions, marker, held)
