"""Publish detection: does a step upload to a package index, where, and with what credential.

All knowledge about publishing lives in the model, as data: the actions that upload in
:mod:`trustycheck.model.actions`, command-line tools in :mod:`trustycheck.model.tools`, the
launchers in front of them in :mod:`trustycheck.model.launchers`; this module reads a step
with them. Rules only read the resulting facts. (DOMAIN.md §1 for the PyPA action, §3 for
the tools.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from trustycheck.loader import Lines
from trustycheck.model import actions
from trustycheck.model import credentials as cred
from trustycheck.model.actions import ActionSpec
from trustycheck.model.credentials import Credential, CredentialKind, Traced, trace_text, trace_value
from trustycheck.model.expressions import expression_spans, replace_expressions
from trustycheck.model.launchers import unwrap
from trustycheck.model.pypa_action import PYPA_ACTION, ref_problem
from trustycheck.model.pypi import MINT_ACTIONS, PYPI, TESTPYPI, UNKNOWN_INDEX, classify_index_url, mints_pypi_token
from trustycheck.model.shell import Command, Script, parse_script, program_name, split_commands
from trustycheck.model.tools import TOOLS, ToolSpec, builds_on_publish
from trustycheck.model.workflow import Job, Step
from trustycheck.nodes import Node, Pos, Scalar
from trustycheck.patterns import lazy_pattern

_NON_SHELL = ("python", "node", "ruby", "perl")


@dataclass(eq=False, repr=False)
class Publish:
    """One upload performed by a step."""

    tool: str
    index: str
    credential: Credential
    node: Node | Pos
    """What performs the upload (the ``uses:`` value or the command in the script)."""
    index_node: Node | Pos | None = None
    native_oidc: bool = True
    """Whether the tool can do Trusted Publishing by itself."""
    oidc_since: str | None = None
    builds: bool = False
    """The upload command also builds the project (pdm/flit/maturin publish, poetry --build)."""
    attestations_off: Node | None = None
    """The ``attestations: false`` key when PEP 740 attestations are switched off."""
    action_ref_problem: str | None = None
    """Why the publish action's ref is outdated or broken (PyPA action only)."""

    oidc_off: bool = False
    """Trusted Publishing is switched off for this upload (``uv publish --trusted-publishing never``)."""
    oidc_when_token_empty: bool = False
    """An empty token (a deleted secret) makes the tool use Trusted Publishing instead."""

    @property
    def to_pypi(self) -> bool:
        """Uploads to PyPI or TestPyPI, where Trusted Publishing is available."""
        return self.index in (PYPI, TESTPYPI)

    @property
    def token_then_oidc(self) -> bool:
        """The upload uses a stored token, and its tool would use Trusted Publishing if that token
        were empty: the PyPA action with user ``__token__`` (DOMAIN.md §1.2) and the other actions
        that can, pdm. A secret, variable or input that is deleted reads as empty, so which one
        uploads is a repository setting the files do not show. twine, uv and maturin upload with
        an empty token when the variable is set; poetry, hatch and flit cannot do Trusted Publishing."""
        credential = self.credential
        return (self.native_oidc and self.oidc_when_token_empty and not self.oidc_off
                and credential.kind == CredentialKind.TOKEN and credential.origin in _EMPTIABLE_ORIGINS)


_EMPTIABLE_ORIGINS = frozenset({"secrets", "vars", "inputs"})
"""Where a token comes from that reads as empty once it is deleted (not a literal, not a file)."""


class _Context:
    """What detection needs beyond the step: the job's other steps and the file's lines."""

    def __init__(self, step: Step, job: Job | None, lines: Lines) -> None:
        self.step = step
        self.job = job
        self.lines = lines
        self._locators: dict[int, _Locator] = {}
        self.configured: dict[str, Credential | None] = {}
        """A credential stored by earlier steps, per tool (every upload of a script asks)."""

    def env_lookup(self, extra: dict[str, str] | None = None, extra_pos: Pos | None = None):
        return cred.env_lookup(self.step.effective_env, extra, extra_pos)

    def find(self, node: Node, needle: str) -> Pos | None:
        """Position of ``needle`` in the source of ``node`` (a scalar's text, e.g. a script)."""
        pos = node.pos
        for number in range(pos.line, min(pos.end_line, len(self.lines)) + 1):
            line = self.lines[number - 1]
            start = pos.col - 1 if number == pos.line else 0
            col = line.find(needle, start)
            if col != -1:
                return Pos(number, col + 1, number, col + 1 + len(needle))
        return None

    def locate(self, node: Scalar, offset: int, needle: str) -> Pos | Node:
        """Position of the first ``needle`` at or after ``offset`` of the script ``node``
        holds: the same occurrence (first, second...) of it in the file's text."""
        locator = self._locators.get(id(node))
        if locator is None:
            locator = self._locators[id(node)] = _Locator(node, self.lines)
        return locator.locate(offset, needle) or self.find(node, needle) or node


class _Locator:
    """Maps offsets in a script to positions in the file by counting occurrences of a word:
    the text of a script is its source less indentation (and quoting), and the words looked
    for hold no line break, so the n-th occurrence in one is the n-th in the other. Counts
    resume where the last look-up of the same word stopped, so a script's many uploads cost
    one pass over it."""

    def __init__(self, node: Scalar, lines: Lines) -> None:
        self.node = node
        self.script = node.as_string()
        self.lines = lines
        self.counted: dict[str, tuple[int, int]] = {}
        """needle -> (script offset counted up to, occurrences before it)"""
        self.found: dict[str, tuple[int, int, int]] = {}
        """needle -> (occurrences passed, line number, column) in the source"""

    def locate(self, offset: int, needle: str) -> Pos | None:
        needle = needle.split("\n", 1)[0]
        if not needle:
            return None
        at = self.script.find(needle, offset)
        if at < 0:
            return None
        done, before = self.counted.get(needle, (0, 0))
        if at < done:
            done, before = 0, 0
        before += self.script.count(needle, done, at)
        self.counted[needle] = (at, before)
        return self._source(needle, before)

    def _source(self, needle: str, occurrence: int) -> Pos | None:
        pos = self.node.pos
        passed, number, col = self.found.get(needle, (0, pos.line, pos.col - 1))
        if passed > occurrence:
            passed, number, col = 0, pos.line, pos.col - 1
        last = min(pos.end_line, len(self.lines))
        while number <= last:
            line = self.lines[number - 1]
            stop = pos.end_col - 1 if number == pos.end_line else len(line)
            found = line.find(needle, col, stop)
            if found < 0:
                number, col = number + 1, 0
                continue
            if passed == occurrence:
                self.found[needle] = (passed, number, found)
                return Pos(number, found + 1, number, found + 1 + len(needle))
            passed, col = passed + 1, found + len(needle)
        return None


def detect_publishes(step: Step, job: Job | None = None, lines: Lines | None = None) -> list[Publish]:
    """Every upload ``step`` performs."""
    if step.uses is not None:
        spec = actions.action_spec(step)
        if spec is None or spec.uploads is None or not actions.uploads(spec, step):
            return []
        context = _Context(step, job, lines if lines is not None else [])
        found = [_UPLOADS_BY[spec.uploads](context, spec)]
    elif step.run is not None and _names_a_tool(step.run.as_string()) and not _non_shell(step.shell):
        context = _Context(step, job, lines if lines is not None else [])
        found = _run_publishes(context)
    else:
        return []
    for publish in found:
        publish.credential = _settle_minted(context, publish.credential)
    return found


def _names_a_tool(script: str) -> bool:
    """Whether the script names a publishing tool's program and an upload subcommand, each
    as a word (not inside one: ``uvicorn``, ``hatchling``). A script that does not cannot
    upload with a known tool, and most scripts (``uv sync``, ``poetry install``) do not."""
    # The subcommands first: fewer scripts name one than name a tool (``uv sync``).
    if "\\\n" in script:  # a line continuation may split a word
        script = script.replace("\\\n", "")
    return _UPLOAD_SUBCOMMANDS.search(script) is not None and _TOOL_NAMES.search(script) is not None


def _word_pattern(words: Iterable[str]):
    """Any of ``words``, not inside a longer word (ASCII letters, digits, ``_``). Words that
    start and end with such a character take ``\\b`` for it, which lets the regex engine skip
    ahead to a candidate first letter instead of testing a look-behind at every position."""
    words = sorted(set(words))
    alternatives = "|".join(map(re.escape, words))
    if all(word[0] in _WORD_CHARACTERS and word[-1] in _WORD_CHARACTERS for word in words):
        return lazy_pattern(rf"\b(?:{alternatives})\b", re.ASCII)
    return lazy_pattern(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])")


_WORD_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
"""What ``\\b`` takes for a word character under ``re.ASCII``."""


_TOOL_NAMES = lazy_pattern(rf"(?:\b|(?<=m))(?:{'|'.join(sorted(spec.program for spec in TOOLS.values()))})\b", re.ASCII)
"""A tool's name as a word, or glued to python's ``-m`` (``python -mtwine``, ``-Bmtwine``)."""
_UPLOAD_SUBCOMMANDS = _word_pattern(name for spec in TOOLS.values() for name in spec.subcommands)


def _non_shell(shell: str | None) -> bool:
    return bool(shell) and program_name(shell.split()[0]) in _NON_SHELL  # type: ignore[union-attr]


# --- actions -------------------------------------------------------------------------------


def _pypa_action(context: _Context, spec: ActionSpec) -> Publish:
    """``pypa/gh-action-pypi-publish``: Trusted Publishing iff user is ``__token__`` and the
    password is empty; the URL default lives on the deprecated snake_case alias."""
    step = context.step
    url_pair = step.input("repository-url", "repository_url")
    index = _index_of_input(url_pair)
    credential = _input_credential(step, step.input("password"), _secret_kind(step.input("user")), native=spec.native_oidc)
    assert step.uses is not None
    tool = f"{step.uses.owner}/{step.uses.repo}"
    attestations = step.input("attestations")
    switch = attestations[1].as_string().strip() if attestations is not None and isinstance(attestations[1], Scalar) else None
    off = switch == "false"
    return Publish(tool, index, credential, step.uses.node or step.node, url_pair[0] if url_pair else None, oidc_since="v1.8.0",
                   attestations_off=attestations[0] if off and attestations else None,
                   action_ref_problem=ref_problem(step.uses, attestations_on=switch == "true") if step.uses.action == PYPA_ACTION else None,
                   oidc_when_token_empty=spec.native_oidc)


def _maturin_action(context: _Context, spec: ActionSpec) -> Publish:
    """maturin's own command line, as the action's ``command`` and ``args`` inputs give it."""
    step = context.step
    args_pair = step.input("args")
    args = args_pair[1].as_string() if args_pair and isinstance(args_pair[1], Scalar) else ""
    commands = split_commands(args)
    words = [actions.command(spec, step), *(commands[0].words if commands else [])]
    starts = [0, *(commands[0].starts if commands else [])]
    assert step.uses is not None
    publish = _tool_publish(context, TOOLS["maturin"], Command(words, starts=starts), 0, step.uses.node or step.node,
                            args_pair[1] if args_pair else None)
    publish.tool = "PyO3/maturin-action"
    publish.builds = actions.builds(spec, step)
    return publish


def _token_input_action(context: _Context, spec: ActionSpec) -> Publish:
    """Third-party publish actions that take a token input (DOMAIN.md §3.1)."""
    step = context.step
    assert step.uses is not None and spec.token_input is not None
    secret_kind = _secret_kind(step.input(spec.user_input)) if spec.user_input else CredentialKind.TOKEN
    credential = _input_credential(step, step.input(spec.token_input), secret_kind, native=spec.native_oidc)
    url_pair = step.input(spec.url_input) if spec.url_input else None
    index = _index_of_input(url_pair)
    tool = f"{step.uses.owner}/{step.uses.repo}"
    return Publish(tool, index, credential, step.uses.node or step.node, url_pair[0] if url_pair else None,
                   native_oidc=spec.native_oidc, builds=actions.builds(spec, step), oidc_when_token_empty=spec.native_oidc)


def _input_credential(step: Step, pair: tuple[Scalar, Node] | None, secret_kind: CredentialKind, *, native: bool) -> Credential:
    """The credential an action input passes; absent or empty, the action's fallback."""
    if pair is None:
        return cred.fallback(native)
    kind, source, origin = trace_value(pair[1], step.effective_env, secret_kind=secret_kind)
    if kind == CredentialKind.NONE:
        return cred.fallback(native, pair[0])
    return Credential(kind, source, origin, pair[0], pair[1])


def _index_of_input(pair) -> str:
    if pair is None:
        return PYPI
    return classify_index_url(pair[1].as_string()) if isinstance(pair[1], Scalar) else UNKNOWN_INDEX


def _secret_kind(user_pair) -> CredentialKind:
    """Token or password, from an action's ``user`` input."""
    if user_pair is None or not isinstance(user_pair[1], Scalar):
        return CredentialKind.TOKEN
    return cred.kind_for_user(user_pair[1].as_string())


_UPLOADS_BY: dict[str, Callable[[_Context, ActionSpec], Publish]] = {
    actions.PYPA_INPUTS: _pypa_action,
    actions.MATURIN_COMMAND: _maturin_action,
    actions.TOKEN_INPUT: _token_input_action,
}
"""How each way of uploading named in :mod:`trustycheck.model.actions` is read."""


# --- run: scripts ----------------------------------------------------------------------------


def _run_publishes(context: _Context) -> list[Publish]:
    run = context.step.run
    assert run is not None
    script = parse_script(run.as_string())
    publishes = []
    for command in script.commands:
        found = _tool_of(command)
        if found is None:
            continue
        spec, index = found
        words = command.words[index + 1:]
        if any(flag in words for flag in spec.not_an_upload):
            continue
        anchor = context.locate(run, command.start(index), spec.program)
        publishes.append(_tool_publish(context, spec, command, index + 1, anchor, run, script))
    return publishes


def _tool_of(command: Command) -> tuple[ToolSpec, int] | None:
    """The publishing tool a command runs and the index of the word naming it (its
    subcommand follows), seen through launchers (``python -m``, ``pipx run``, ``uvx``...)."""
    launched = unwrap(command.words)
    spec = TOOLS.get(launched.program)
    if spec is not None and len(launched.words) > 1 and launched.words[1] in spec.subcommands:
        return spec, launched.start
    return None


def _flag_value(words: list[str], flags: tuple[str, ...]) -> tuple[str, str, int] | None:
    """(flag, value, index of the word holding the value) for ``--flag value``,
    ``--flag=value`` or ``-fvalue``; the last one wins."""
    if not flags:
        return None
    found = None
    for index, word in enumerate(words):
        if not word.startswith("-"):
            continue
        for flag in flags:
            if word == flag and index + 1 < len(words):
                found = (flag, words[index + 1], index + 1)
            elif flag.startswith("--") and word.startswith(flag + "="):
                found = (flag, word[len(flag) + 1:], index)
            elif len(flag) == 2 and word.startswith(flag) and len(word) > 2 and not word.startswith("--"):
                found = (flag, word[2:], index)
    return found


class _Shell:
    """What one command of a script sees: the words after its tool's name, the variables
    set before it, and where each is written."""

    def __init__(self, context: _Context, command: Command, first: int, node: Node | None, script: Script | None) -> None:
        self.context = context
        self.command = command
        self.first = first
        self.words = command.words[first:]
        self.node = node if isinstance(node, Scalar) else None
        self.script = script

    def word_pos(self, index: int, needle: str) -> Pos | Node | None:
        """Where word ``index`` (of ``self.words``) is written, as ``needle``."""
        if self.node is None:
            return None
        return self.context.locate(self.node, self.command.start(self.first + index), needle)

    def variable(self, name: str, exported: bool) -> tuple[str, Node | Pos | None, Node | Pos | None] | None:
        """(value, where the name is set, where the value is written) of ``name``: the
        command's own ``NAME=value`` prefix, else an assignment earlier in the script
        (``exported``: only one the program's environment receives), else the step's env."""
        command, step_env = self.command, self.context.step.effective_env
        if name in command.env:
            return command.env[name], *self._assignment_pos(name, command.env[name], command.env_starts.get(name, 0))
        assignment = self.script.variable(name, command) if self.script is not None else None
        if assignment is not None:
            if not exported or assignment.exported or name in step_env:
                return assignment.value, *self._assignment_pos(name, assignment.value, assignment.start)
            return None
        var = step_env.get(name)
        return (var.text, var.key, var.value) if var is not None else None

    def _assignment_pos(self, name: str, value: str, start: int) -> tuple[Pos | Node | None, Pos | Node | None]:
        if self.node is None:
            return None, None
        name_pos = self.context.locate(self.node, start, name + "=")
        value_pos = self.context.locate(self.node, start + len(name) + 1, value) if value else None
        if isinstance(name_pos, Pos):
            name_pos = Pos(name_pos.line, name_pos.col, name_pos.end_line, name_pos.end_col - 1)
        return name_pos, value_pos

    def lookup(self, exported: bool):
        """An :data:`~trustycheck.model.credentials.EnvLookup` over :meth:`variable`."""

        def lookup(name: str):
            found = self.variable(name, exported)
            return (found[0], found[1]) if found is not None else None

        return lookup


def _tool_publish(context: _Context, spec: ToolSpec, command: Command, first: int, anchor: Node | Pos,
                  script_node: Node | None, script: Script | None = None) -> Publish:
    shell = _Shell(context, command, first, script_node, script)
    words = shell.words
    environment = shell.lookup(exported=True)
    index, index_node = _tool_index(spec, shell, environment)
    user = _flag_value(words, spec.user_flags)
    user_text = user[1] if user else next((found[0] for name in spec.user_env if (found := environment(name))), None)
    secret_kind = cred.kind_for_user(user_text)
    switch = _flag_value(words, spec.trusted_publishing_flags)
    oidc_off = switch is not None and switch[1] == "never"
    credential = _tool_credential(context, spec, shell, secret_kind, oidc_off)
    return Publish(spec.name, index, credential, anchor, index_node, native_oidc=spec.native_oidc,
                   oidc_since=spec.oidc_since, builds=builds_on_publish(spec, words), oidc_off=oidc_off,
                   oidc_when_token_empty=spec.oidc_when_token_empty)


def _flag_pos(shell: _Shell, found: tuple[str, str, int]) -> Pos | Node | None:
    flag, value, index = found
    word = shell.words[index]
    if word == value and index > 0 and shell.words[index - 1] == flag:
        return shell.word_pos(index - 1, flag)
    return shell.word_pos(index, flag)


def _tool_index(spec: ToolSpec, shell: _Shell, environment) -> tuple[str, Node | Pos | None]:
    words = shell.words
    url = _flag_value(words, spec.url_flags)
    if url is not None:
        return classify_index_url(url[1]), _flag_pos(shell, url)
    repo = _flag_value(words, spec.repo_flags)
    if repo is not None:
        return _repo_index(spec, repo[1]), _flag_pos(shell, repo)
    for name in spec.url_env:
        found = environment(name)
        if found is not None:
            return classify_index_url(found[0]), found[1]
    for name in spec.repo_env:
        found = environment(name)
        if found is not None:
            return _repo_index(spec, found[0]), found[1]
    return PYPI, None


def _repo_index(spec: ToolSpec, name: str) -> str:
    if "://" in name:
        return classify_index_url(name)
    if "$" in name:
        return UNKNOWN_INDEX
    return spec.repo_names.get(name.strip().lower(), UNKNOWN_INDEX)


def _tool_credential(context: _Context, spec: ToolSpec, shell: _Shell, secret_kind: CredentialKind,
                     oidc_off: bool = False) -> Credential:
    """Flags win over env vars, env vars over config files, as every tool documents."""
    words = shell.words
    variables = shell.lookup(exported=False)
    for flags, kind in ((spec.token_flags, CredentialKind.TOKEN), (spec.password_flags, secret_kind)):
        flag = _flag_value(words, flags)
        if flag is not None:
            traced = trace_text(flag[1], variables, secret_kind=kind)
            if traced[0] != CredentialKind.NONE:
                value_pos = shell.word_pos(flag[2], flag[1]) if traced[0] == CredentialKind.LITERAL else None
                return Credential(traced[0], traced[1], traced[2], _flag_pos(shell, flag), value_pos)
    env_names = list(spec.token_env) + list(spec.password_env)
    if spec.password_env_prefixes:
        candidates = list(shell.command.env) + list(shell.script.assignments if shell.script else ()) + list(context.step.effective_env)
        env_names += [name for name in dict.fromkeys(candidates)
                      if name.startswith(spec.password_env_prefixes) and not name.endswith("_USERNAME")]
    for name in env_names:
        found = shell.variable(name, exported=True)
        if found is None:
            continue
        kind = CredentialKind.TOKEN if name in spec.token_env else secret_kind
        traced = trace_text(found[0], variables, secret_kind=kind)
        if traced[0] != CredentialKind.NONE:
            return Credential(traced[0], traced[1], traced[2], found[1], found[2] if traced[0] == CredentialKind.LITERAL else None)
    if spec.program not in context.configured:
        context.configured[spec.program] = _configured_credential(context, spec)
    configured = context.configured[spec.program]
    if configured is not None:
        return configured
    return cred.fallback(spec.native_oidc and not oidc_off)


def _configured_credential(context: _Context, spec: ToolSpec) -> Credential | None:
    """A credential stored by an earlier step of the job: a ``.pypirc`` written with a
    password, or ``poetry config pypi-token.<repo> <token>``."""
    if context.job is None:
        return None
    env_names = set(spec.token_env) | set(spec.password_env)
    for step in context.job.steps:
        if step.index > context.step.index:
            continue
        code = _code_of(step)
        if code is None:
            continue
        script = code.as_string()
        if _exports_env(script) and step is not context.step:
            exported = next((name for name in env_names if name in script), None) or next(
                (_name_at(script, script.index(prefix)) for prefix in spec.password_env_prefixes if prefix in script), None)
            if exported is not None:
                return _exported_credential(context, step, code, exported)
        if step.run is None:
            continue
        if spec.reads_pypirc and ".pypirc" in script and "password" in script:
            return _pypirc_credential(context, step)
        if spec.program == "poetry" and "poetry" in script and "config" in script:
            for command in split_commands(script):
                words = command.words
                if words[:2] == ["poetry", "config"] and len(words) >= 4 and words[2].startswith(("pypi-token.", "http-basic.")):
                    lookup = _Context(step, context.job, context.lines).env_lookup(command.env)
                    kind, where, origin = trace_text(words[-1], lookup)
                    if kind != CredentialKind.NONE:
                        value_pos = context.locate(step.run, command.start(len(words) - 1), words[-1]) if kind == CredentialKind.LITERAL else None
                        return Credential(kind, where, origin, context.locate(step.run, command.start(2), words[2]), value_pos)
    return None


def _exported_credential(context: _Context, step: Step, code: Scalar, exported: str) -> Credential:
    """The credential an earlier step exports as ``exported`` for the steps after it: the
    secret its script names, a token it mints through OIDC, else a token of unknown origin."""
    script = code.as_string()
    kind, where, origin = _pypirc_source(script, _Context(step, context.job, context.lines).env_lookup())
    if origin == "pypirc":
        if _mints(step):
            kind, where, origin = CredentialKind.MINTED, f"{exported} minted in step '{step.label}'", "github_env"
        else:
            kind, where, origin = CredentialKind.TOKEN, f"{exported} exported through $GITHUB_ENV", "github_env"
    return Credential(kind, where, origin, context.find(code, exported) or code)


def _name_at(script: str, start: int) -> str:
    """The variable name written at ``start`` (``POETRY_PYPI_TOKEN_PYPI`` from its prefix)."""
    end = start
    while end < len(script) and (script[end].isascii() and script[end].isalnum() or script[end] == "_"):
        end += 1
    return script[start:end]


def _exports_env(script: str) -> bool:
    """Whether a script sets variables for the steps after it (``>> $GITHUB_ENV``, or
    ``core.exportVariable`` in ``actions/github-script``)."""
    return "GITHUB_ENV" in script or "exportVariable" in script


# --- PyPI's manual Trusted Publishing flow -------------------------------------------------------


def _code_of(step: Step) -> Scalar | None:
    """The code a step runs: its ``run:`` script, or the ``script:`` of ``actions/github-script``."""
    if step.run is not None:
        return step.run
    if step.uses is not None and step.uses.action == _GITHUB_SCRIPT:
        pair = step.input("script")
        if pair is not None and isinstance(pair[1], Scalar):
            return pair[1]
    return None


_GITHUB_SCRIPT = "actions/github-script"


def _mints(step: Step) -> bool:
    """Whether a step exchanges the job's OIDC token for a short-lived PyPI token (DOMAIN.md §2.6)."""
    if step.uses is not None and step.uses.action in MINT_ACTIONS:
        return True
    code = _code_of(step)
    return code is not None and mints_pypi_token(code.as_string())


def _settle_minted(context: _Context, credential: Credential) -> Credential:
    """Whether a token that comes from the job itself was minted through OIDC, however it
    travels (DOMAIN.md §2.6): a step output is minted only if the step that sets it mints; a
    value traced no further (a shell variable, ``${{ env.X }}``) is minted when this step's own
    script mints, or when an earlier minting step exports it through ``$GITHUB_ENV``."""
    kind = credential.kind
    if kind == CredentialKind.MINTED and credential.origin == "steps":
        producer = _producer(context, credential.source)
        if producer is not None and _mints(producer):
            return credential
        return replace(credential, kind=CredentialKind.UNKNOWN)
    if kind != CredentialKind.UNKNOWN:
        return credential
    if _mints(context.step):
        return replace(credential, kind=CredentialKind.MINTED, source="a token minted in the same script", origin="script")
    name = _variable_name(credential.source)
    exporter = _minting_exporter(context, name) if name else None
    if exporter is not None:
        return replace(credential, kind=CredentialKind.MINTED, source=f"{name} minted in step '{exporter.label}'", origin="github_env")
    return credential


def _producer(context: _Context, source: str | None) -> Step | None:
    """The earlier step of the job whose output ``source`` (``steps.<id>.outputs.<name>``) is."""
    if context.job is None or not source:
        return None
    step_id = source.split(".")[1] if source.count(".") >= 2 else None
    return next((step for step in context.job.steps if step.id == step_id and step.index < context.step.index), None)


_VARIABLE_SOURCE = lazy_pattern(r"(?:\$|env\.)([A-Za-z_][A-Za-z0-9_]*)\Z")


def _variable_name(source: str | None) -> str | None:
    """The variable a value traced no further than ``$NAME`` or ``env.NAME`` reads."""
    found = _VARIABLE_SOURCE.match(source) if source else None
    return found.group(1) if found else None


def _minting_exporter(context: _Context, name: str) -> Step | None:
    """An earlier step of the job that mints a PyPI token and exports ``name`` to the steps after it."""
    if context.job is None:
        return None
    for step in context.job.steps:
        if step.index >= context.step.index:
            break
        code = _code_of(step)
        if code is not None and name in code.as_string() and _exports_env(code.as_string()) and _mints(step):
            return step
    return None


_SHELL_VARIABLE = lazy_pattern(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
_PYPIRC_PASSWORD = lazy_pattern(r"password[ \t]*[=:][ \t]*")
_PYPIRC_VALUE = lazy_pattern(r"[^\s'\"\\]+")


def _pypirc_credential(context: _Context, step: Step) -> Credential:
    """The password a ``.pypirc`` is written with: traced to a secret when the script names
    one, a literal (masked) when it is written out, else a token from the file."""
    assert step.run is not None
    script = step.run.as_string()
    kind, where, origin = _pypirc_source(script, _Context(step, context.job, context.lines).env_lookup())
    value_pos = None
    if origin == "pypirc":
        literal = _pypirc_literal(script)
        if _mints(step):
            kind, where = CredentialKind.MINTED, f".pypirc written with a token minted in step '{step.label}'"
        elif literal is not None:
            kind, where, origin = CredentialKind.LITERAL, cred.LITERAL_SOURCE, "literal"
            value_pos = context.locate(step.run, literal[0], literal[1])
    return Credential(kind, where, origin, context.find(step.run, ".pypirc") or step.run, value_pos)


def _pypirc_literal(script: str) -> tuple[int, str] | None:
    """(offset, text) of a password written out after ``password =`` in a script."""
    for found in _PYPIRC_PASSWORD.finditer(script):
        value = _PYPIRC_VALUE.match(script, found.end())
        if value is None:
            continue
        text = value.group()
        if "$" in text or "%" in text or text.startswith("{") or text in ("__token__",):
            continue
        return value.start(), text
    return None


def _references_in_order(script: str) -> list[str]:
    """Every ``${{ ... }}`` expression and ``$VAR``/``${VAR}`` of ``script``, in order."""
    found: list[tuple[int, str]] = [(start, script[start:end]) for start, end in expression_spans(script)]
    masked = replace_expressions(script, lambda expression: " " * len(expression))
    found.extend((match.start(), match.group()) for match in _SHELL_VARIABLE.finditer(masked))
    return [reference for _, reference in sorted(found)]


def _pypirc_source(script: str, lookup) -> Traced:
    """Where the password written into a ``.pypirc`` comes from: the first reference in the
    script that traces to a credential, else the file itself."""
    for reference in _references_in_order(script):
        kind, where, origin = trace_text(reference, lookup)
        if kind not in (CredentialKind.NONE, CredentialKind.UNKNOWN, CredentialKind.LITERAL):
            return kind, where, origin
    return CredentialKind.TOKEN, ".pypirc written in the job", "pypirc"
