"""Launchers: commands that run another command by name.

``python -m twine``, ``pipx run build``, ``uvx twine``, ``uv run nox``, ``hatch run release``:
what matters is the command launched. This is the one table of them, and :func:`unwrap` the
one way through them, read by publish, build and release-task detection alike, so a launcher
spelled here is seen through by all three. (Options from each tool's command reference.)
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model.shell import is_python, program_name, python_module

# What the word after a launcher names.
MODULE = "module"
"""A module (``python -m build``), read as the program it provides."""
PACKAGE = "package"
"""A package, perhaps with a version (``pipx run twine==6.1.0``), read as the program it provides."""
EXECUTABLE = "executable"
"""An executable, perhaps pinned to its package's version (``uvx twine@6.1.0``)."""
COMMAND = "command"
"""A command, or a script of the project's configuration (``uv run pytest``, ``hatch run release``)."""

_UV_OPTIONS = frozenset({
    "--with", "-w", "--with-editable", "--with-requirements", "--python", "-p", "--directory", "--project",
    "--index", "--default-index", "--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--env-file",
    "--config-file", "--cache-dir", "--constraints", "--overrides", "--exclude-newer", "--resolution", "--prerelease",
})
"""Options of ``uv run`` and ``uv tool run`` that take the next word as their value."""


@dataclass(eq=False, repr=False)
class Launcher:
    """A command that runs another command (``python -m``, ``uvx``, ``hatch run``...)."""

    program: str
    subcommand: tuple[str, ...]
    """The words after the program that make it launch (``run``; ``-m`` for python)."""
    names: str
    """What the word after it (and its options) names: one of the constants above."""
    value_options: frozenset[str] = frozenset()
    """Its options that take the next word as their value (``uv run --with twine``)."""
    project_environment: bool = False
    """It runs the command in the project's environment, installing the project first: running
    anything through it runs project code."""
    runs_scripts: bool = False
    """The word after it may name a script of the project's configuration (``pdm run publish``)."""
    without_project: frozenset[str] = frozenset()
    """Its options that keep the project out of the environment (``uv run --only-group release``):
    with one of them, what it runs is not project code."""

    @property
    def spelling(self) -> str:
        return " ".join((self.program, *self.subcommand))


PYTHON_M = Launcher("python", ("-m",), MODULE)
"""Any interpreter (``python3.12``, ``py``), options before ``-m`` and ``-mNAME`` included."""
LAUNCHERS = (
    PYTHON_M,
    Launcher("pipx", ("run",), PACKAGE, frozenset({"--spec", "--python", "--pip-args", "--index-url", "-i", "--backend"})),
    Launcher("uvx", (), EXECUTABLE, _UV_OPTIONS | {"--from"}),
    Launcher("uv", ("tool", "run"), EXECUTABLE, _UV_OPTIONS | {"--from"}),
    Launcher("uv", ("run",), COMMAND, _UV_OPTIONS | {"--package", "--extra", "--group", "--only-group", "--no-group"},
             project_environment=True, runs_scripts=True,
             # uv's reference: --only-group/--only-dev omit the project, --no-project ignores it.
             # (--no-sync installs nothing, but runs in whatever environment is there, perhaps
             # restored from a cache with the project in it.)
             without_project=frozenset({"--no-project", "--only-group", "--only-dev"})),
    Launcher("hatch", ("run",), COMMAND, project_environment=True, runs_scripts=True),
    Launcher("pdm", ("run",), COMMAND, frozenset({"-p", "--project", "--venv"}), project_environment=True, runs_scripts=True),
    Launcher("poetry", ("run",), COMMAND, frozenset({"-C", "--directory", "-P", "--project"}), project_environment=True,
             runs_scripts=True),
    Launcher("pipenv", ("run",), COMMAND, runs_scripts=True),
)
_BY_PROGRAM: dict[str, list[Launcher]] = {}
for _launcher in LAUNCHERS[1:]:
    _BY_PROGRAM.setdefault(_launcher.program, []).append(_launcher)

_PROGRAM_OF = {"build": "pyproject-build"}
"""Modules and packages whose program has another name."""
_MAX_LAUNCHERS = 4
"""How many launchers in a row are seen through (``python -m pipx run twine``)."""


@dataclass(eq=False, repr=False)
class Launched:
    """The command a command launches, through any launchers in front of it."""

    words: list[str]
    """The launched command, its first word read as a program name where a launcher names a
    module or package (``-mtwine``, ``twine==6.1.0`` -> ``twine``)."""
    start: int
    """Index, in the words given, of the word that names the launched command."""
    launchers: tuple[Launcher, ...] = ()
    """The launchers passed, outermost first."""
    launcher_starts: tuple[int, ...] = ()
    """Index, in the words given, of the word where each of them starts."""
    options: tuple[tuple[str, ...], ...] = ()
    """The options (and their values) given to each of them."""

    @property
    def program(self) -> str:
        return program_name(self.words[0]) if self.words else ""

    @property
    def in_project_environment(self) -> bool:
        """The project is installed before the command runs (``uv run`` unless told otherwise)."""
        return any(launcher.project_environment and not any(_is_option(word, launcher.without_project) for word in options)
                   for launcher, options in zip(self.launchers, self.options))

    def option_values(self, *names: str) -> list[str]:
        """The values given to the launchers' options ``names`` (``uvx --from dist/x.whl``)."""
        return [options[index + 1] if "=" not in word else word.split("=", 1)[1]
                for options in self.options for index, word in enumerate(options)
                if _is_option(word, frozenset(names)) and ("=" in word or index + 1 < len(options))]

    @property
    def may_run_script(self) -> bool:
        """The launched word may be a script of the project's configuration."""
        return bool(self.launchers) and self.launchers[-1].runs_scripts


def unwrap(words: list[str]) -> Launched:
    """The command ``words`` runs once every launcher in front is seen through
    (``uvx --from twine twine upload`` -> ``twine upload``); ``words`` itself if none."""
    start, passed, starts, options = 0, list[Launcher](), list[int](), []
    while words and len(passed) < _MAX_LAUNCHERS:
        found = _launch(words)
        if found is None:
            break
        launcher, offset, name = found
        passed.append(launcher)
        starts.append(start)
        options.append(tuple(words[1 + len(launcher.subcommand) if launcher is not PYTHON_M else 1:offset]))
        start += offset
        words = [name, *words[offset + 1:]] if name is not None else []
    return Launched(words, start, tuple(passed), tuple(starts), tuple(options))


def _is_option(word: str, names: frozenset[str]) -> bool:
    """``word`` is one of the options ``names``, alone or as ``--name=value``."""
    return word in names or word.split("=", 1)[0] in names


def _launch(words: list[str]) -> tuple[Launcher, int, str | None] | None:
    """(launcher, index of the word naming what it runs, that name) when ``words`` start
    with a launcher; the name is ``None`` when nothing follows it."""
    program = program_name(words[0])
    if is_python(program):
        module = python_module(words)
        if module is None:
            return None
        return PYTHON_M, len(words) - len(module), _PROGRAM_OF.get(module[0], module[0])
    for launcher in _BY_PROGRAM.get(program, ()):
        index = 1 + len(launcher.subcommand)
        if tuple(words[1:index]) != launcher.subcommand:
            continue
        while index < len(words) and words[index].startswith("-"):
            index += 2 if words[index] in launcher.value_options else 1
        if index >= len(words):
            return launcher, index, None
        return launcher, index, _name(launcher, words[index])
    return None


def _name(launcher: Launcher, word: str) -> str:
    if launcher.names in (PACKAGE, EXECUTABLE):
        word = _without_version(word)
    return _PROGRAM_OF.get(word, word) if launcher.names == PACKAGE else word


def _without_version(requirement: str) -> str:
    """``twine==6.1.0``, ``twine@6.1.0``, ``twine[keyring]>=6`` -> ``twine``."""
    for index, character in enumerate(requirement):
        if character in "=<>!~[@;":
            return requirement[:index]
    return requirement
