"""Publish detection: does a step upload to a package index, where, and with what credential.

All knowledge about publishing lives in the model: the PyPA action and other publish actions
here, command-line tools as data in :mod:`trustycheck.model.tools`. Rules only read the
resulting facts. (DOMAIN.md §1 for the PyPA action, §3 for the tools.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from trustycheck.model import credentials as cred
from trustycheck.model.credentials import Credential, trace_text, trace_value
from trustycheck.model.expressions import expression_spans, replace_expressions
from trustycheck.model.pypa_action import ref_problem
from trustycheck.model.pypi import PYPI, TESTPYPI, UNKNOWN, classify_index_url
from trustycheck.model.shell import Command, is_python, program_name, python_module, split_commands
from trustycheck.model.tools import RUNNERS, TOOLS, ToolSpec, builds_on_publish
from trustycheck.model.workflow import Job, Step
from trustycheck.nodes import Node, Pos, Scalar
from trustycheck.patterns import lazy_pattern
from trustycheck.records import record

PYPA_ACTION = "pypa/gh-action-pypi-publish"
_NON_SHELL = ("python", "node", "ruby", "perl")
_RUNNER_VALUE_OPTIONS = frozenset({"--with", "-w", "--from", "--spec", "--python", "-p", "--index-url", "--with-requirements", "--directory"})
"""Options of uv/pipx runners that take a value (``uv run --with twine twine upload``)."""


@record
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

    @property
    def to_pypi(self) -> bool:
        """Uploads to PyPI or TestPyPI, where Trusted Publishing is available."""
        return self.index in (PYPI, TESTPYPI)


class _Context:
    """What detection needs beyond the step: the job's other steps and the file's lines."""

    def __init__(self, step: Step, job: Job | None, lines: Sequence[str]) -> None:
        self.step = step
        self.job = job
        self.lines = lines

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


def detect_publishes(step: Step, job: Job | None = None, lines: Sequence[str] | None = None) -> list[Publish]:
    """Every upload ``step`` performs."""
    if step.uses is not None:
        detector = _ACTION_DETECTORS.get(step.uses.action or "")
        publish = detector(_Context(step, job, lines if lines is not None else [])) if detector else None
        return [publish] if publish is not None else []
    if step.run is not None and _names_a_tool(step.run.as_string()) and not _non_shell(step.shell):
        return _run_publishes(_Context(step, job, lines if lines is not None else []))
    return []


def _names_a_tool(script: str) -> bool:
    """Whether the script names a publishing tool's program and an upload subcommand, each
    as a word (not inside one: ``uvicorn``, ``hatchling``). A script that does not cannot
    upload with a known tool, and most scripts (``uv sync``, ``poetry install``) do not."""
    # The subcommands first: fewer scripts name one than name a tool (``uv sync``).
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


_TOOL_NAMES = _word_pattern(spec.program for spec in TOOLS.values())
_UPLOAD_SUBCOMMANDS = _word_pattern(name for spec in TOOLS.values() for name in spec.subcommands)


def _non_shell(shell: str | None) -> bool:
    return bool(shell) and program_name(shell.split()[0]) in _NON_SHELL  # type: ignore[union-attr]


# --- actions -------------------------------------------------------------------------------


def _pypa_action(context: _Context) -> Publish:
    """``pypa/gh-action-pypi-publish``: Trusted Publishing iff user is ``__token__`` and the
    password is empty; the URL default lives on the deprecated snake_case alias."""
    step = context.step
    url_pair = step.input("repository-url", "repository_url")
    index = _index_of_input(url_pair)
    credential = _input_credential(step, step.input("password"), _secret_kind(step.input("user")), native=True)
    assert step.uses is not None
    tool = f"{step.uses.owner}/{step.uses.repo}"
    attestations = step.input("attestations")
    off = attestations is not None and isinstance(attestations[1], Scalar) and attestations[1].as_string().strip() == "false"
    return Publish(tool, index, credential, step.uses.node or step.node, url_pair[0] if url_pair else None, oidc_since="v1.8.0",
                   attestations_off=attestations[0] if off and attestations else None,
                   action_ref_problem=ref_problem(step.uses) if step.uses.action == PYPA_ACTION else None)


def _maturin_action(context: _Context) -> Publish | None:
    step = context.step
    command = step.input("command")
    name = command[1].as_string() if command and isinstance(command[1], Scalar) else "build"
    if name not in ("upload", "publish"):
        return None
    args_pair = step.input("args")
    args = args_pair[1].as_string() if args_pair and isinstance(args_pair[1], Scalar) else ""
    words = [name, *(split_commands(args)[0].words if split_commands(args) else [])]
    assert step.uses is not None
    publish = _tool_publish(context, TOOLS["maturin"], Command(words), step.uses.node or step.node, args_pair[1] if args_pair else None)
    publish.tool = "PyO3/maturin-action"
    return publish


def _token_input_action(token_input: str, *, native: bool, builds: bool, user_input: str | None = None, url_input: str | None = None):
    """Third-party publish actions that take a token input (DOMAIN.md §3.1)."""

    def detect(context: _Context) -> Publish:
        step = context.step
        assert step.uses is not None
        secret_kind = _secret_kind(step.input(user_input)) if user_input else cred.TOKEN
        credential = _input_credential(step, step.input(token_input), secret_kind, native=native)
        url_pair = step.input(url_input) if url_input else None
        index = _index_of_input(url_pair)
        tool = f"{step.uses.owner}/{step.uses.repo}"
        build = builds and not (step.input("build") and _input_false(step.input("build")))
        return Publish(tool, index, credential, step.uses.node or step.node, url_pair[0] if url_pair else None,
                       native_oidc=native, builds=build)

    return detect


def _input_credential(step: Step, pair: tuple[Scalar, Node] | None, secret_kind: str, *, native: bool) -> Credential:
    """The credential an action input passes; absent or empty, the action's fallback."""
    if pair is None:
        return cred.fallback(native)
    kind, source, origin = trace_value(pair[1], step.effective_env, secret_kind=secret_kind)
    if kind == cred.NONE:
        return cred.fallback(native, pair[0])
    return Credential(kind, source, origin, pair[0], pair[1])


def _input_false(pair) -> bool:
    return isinstance(pair[1], Scalar) and pair[1].as_string().strip().lower() == "false"


def _index_of_input(pair) -> str:
    if pair is None:
        return PYPI
    return classify_index_url(pair[1].as_string()) if isinstance(pair[1], Scalar) else UNKNOWN


def _secret_kind(user_pair) -> str:
    """Token or password, from an action's ``user`` input."""
    if user_pair is None or not isinstance(user_pair[1], Scalar):
        return cred.TOKEN
    return cred.kind_for_user(user_pair[1].as_string())


_ACTION_DETECTORS: dict[str, Callable[[_Context], Publish | None]] = {
    PYPA_ACTION: _pypa_action,
    "step-security/gh-action-pypi-publish": _pypa_action,
    "pyo3/maturin-action": _maturin_action,
    "casperdcl/deploy-pypi": _token_input_action("password", native=True, builds=True, user_input="user", url_input="url"),
    "jrubics/poetry-publish": _token_input_action("pypi_token", native=False, builds=True, url_input="repository_url"),
    "code-specialist/pypi-poetry-publish": _token_input_action("PUBLISH_REGISTRY_PASSWORD", native=False, builds=True),
    "mariamrf/py-package-publish-action": _token_input_action("TWINE_PASSWORD", native=False, builds=True),
    "etils-actions/pypi-auto-publish": _token_input_action("pypi-token", native=True, builds=True),
}


# --- run: scripts ----------------------------------------------------------------------------


def _run_publishes(context: _Context) -> list[Publish]:
    run = context.step.run
    assert run is not None
    script = run.as_string()
    publishes = []
    for command in split_commands(script):
        found = _tool_of(command)
        if found is None:
            continue
        spec, words = found
        if any(flag in words for flag in spec.not_an_upload):
            continue
        anchor = context.find(run, spec.program) or run
        publishes.append(_tool_publish(context, spec, Command(words, command.env), anchor, run))
    return publishes


def _tool_of(command: Command) -> tuple[ToolSpec, list[str]] | None:
    """The publishing tool a command runs and its arguments after the subcommand's name,
    seeing through ``python -m``, ``pipx run``, ``uvx`` and similar launchers."""
    words = list(command.words)
    for _ in range(3):
        if not words:
            return None
        program = program_name(words[0])
        if is_python(program):
            module = python_module(words)
            if module is None:
                return None
            words = module
            continue
        spec = TOOLS.get(program)
        if spec is not None and len(words) > 1 and words[1] in spec.subcommands:
            return spec, words[1:]
        runner = RUNNERS.get(program)
        if runner is None:
            return None
        rest = words[1:]
        for sub in runner:
            parts = sub.split()
            if rest[: len(parts)] == parts:
                rest = rest[len(parts):]
                break
        else:
            if runner:
                return None
        while rest and rest[0].startswith("-"):
            takes_value = rest[0] in _RUNNER_VALUE_OPTIONS
            rest = rest[2:] if takes_value else rest[1:]
        if rest and "==" in rest[0]:
            rest = [rest[0].split("==", 1)[0], *rest[1:]]
        if rest and "@" in rest[0]:
            rest = [rest[0].split("@", 1)[0], *rest[1:]]
        words = rest
    return None


def _flag_value(words: list[str], flags: tuple[str, ...]) -> tuple[str, str] | None:
    """(flag, value) for ``--flag value``, ``--flag=value`` or ``-fvalue``; last one wins."""
    found = None
    for index, word in enumerate(words):
        for flag in flags:
            if word == flag and index + 1 < len(words):
                found = (flag, words[index + 1])
            elif flag.startswith("--") and word.startswith(flag + "="):
                found = (flag, word[len(flag) + 1:])
            elif len(flag) == 2 and not flag.startswith("--") and word.startswith(flag) and len(word) > 2 and not word.startswith("--"):
                found = (flag, word[2:])
    return found


def _tool_publish(context: _Context, spec: ToolSpec, command: Command, anchor: Node | Pos, script: Node | None) -> Publish:
    words = command.words
    prefix_pos = None
    if command.env and script is not None:
        prefix_pos = context.find(script, next(iter(command.env)) + "=")
    lookup = context.env_lookup(command.env, prefix_pos)
    index, index_node = _tool_index(context, spec, words, lookup, script)
    user = _flag_value(words, spec.user_flags)
    user_text = user[1] if user else next((found[0] for name in spec.user_env if (found := lookup(name))), None)
    secret_kind = cred.kind_for_user(user_text)
    credential = _tool_credential(context, spec, words, lookup, script, command, secret_kind)
    return Publish(spec.name, index, credential, anchor, index_node, native_oidc=spec.native_oidc,
                   oidc_since=spec.oidc_since, builds=builds_on_publish(spec, words))


def _tool_index(context: _Context, spec: ToolSpec, words: list[str], lookup, script: Node | None) -> tuple[str, Node | Pos | None]:
    url = _flag_value(words, spec.url_flags)
    if url is not None:
        return classify_index_url(url[1]), _find(context, script, url[0])
    repo = _flag_value(words, spec.repo_flags)
    if repo is not None:
        return _repo_index(spec, repo[1]), _find(context, script, repo[0])
    for name in spec.url_env:
        found = lookup(name)
        if found is not None:
            return classify_index_url(found[0]), found[1]
    for name in spec.repo_env:
        found = lookup(name)
        if found is not None:
            return _repo_index(spec, found[0]), found[1]
    return PYPI, None


def _repo_index(spec: ToolSpec, name: str) -> str:
    if "://" in name:
        return classify_index_url(name)
    if "$" in name:
        return UNKNOWN
    return spec.repo_names.get(name.strip().lower(), UNKNOWN)


def _find(context: _Context, node: Node | None, needle: str) -> Pos | Node | None:
    if node is None:
        return None
    return context.find(node, needle) or node


def _tool_credential(context: _Context, spec: ToolSpec, words: list[str], lookup, script: Node | None,
                     command: Command, secret_kind: str) -> Credential:
    """Flags win over env vars, env vars over config files, as every tool documents."""
    for flags, kind in ((spec.token_flags, cred.TOKEN), (spec.password_flags, secret_kind)):
        flag = _flag_value(words, flags)
        if flag is not None:
            traced = trace_text(flag[1], lookup, secret_kind=kind)
            if traced[0] != cred.NONE:
                value_pos = _find(context, script, flag[1]) if traced[0] == cred.LITERAL else None
                return Credential(traced[0], traced[1], traced[2], _find(context, script, flag[0]), value_pos)
    env_names = list(spec.token_env) + list(spec.password_env)
    env_names += [name for name in _env_names(context, command) if name.startswith(spec.password_env_prefixes or ("\0",))
                  and not name.endswith("_USERNAME")]
    for name in env_names:
        found = lookup(name)
        if found is None:
            continue
        kind = cred.TOKEN if name in spec.token_env else secret_kind
        traced = trace_text(found[0], lookup, secret_kind=kind)
        if traced[0] != cred.NONE:
            value = _env_value_node(context, name, command)
            return Credential(traced[0], traced[1], traced[2], found[1], value if traced[0] == cred.LITERAL else None)
    configured = _configured_credential(context, spec)
    if configured is not None:
        return configured
    return cred.fallback(spec.native_oidc)


def _env_names(context: _Context, command: Command) -> list[str]:
    return list(command.env) + list(context.step.effective_env)


def _env_value_node(context: _Context, name: str, command: Command) -> Node | Pos | None:
    if name in command.env and context.step.run is not None:
        return context.find(context.step.run, command.env[name]) if command.env[name] else None
    var = context.step.effective_env.get(name)
    return var.value if var is not None else None


def _configured_credential(context: _Context, spec: ToolSpec) -> Credential | None:
    """A credential stored by an earlier step of the job: a ``.pypirc`` written with a
    password, or ``poetry config pypi-token.<repo> <token>``."""
    if context.job is None:
        return None
    env_names = set(spec.token_env) | set(spec.password_env)
    for step in context.job.steps:
        if step is context.step or step.index > context.step.index or step.run is None:
            continue
        script = step.run.as_string()
        if "GITHUB_ENV" in script:
            exported = next((name for name in env_names if name in script), None) or next(
                (prefix for prefix in spec.password_env_prefixes if prefix in script), None)
            if exported is not None:
                lookup = _Context(step, context.job, context.lines).env_lookup()
                kind, where, origin = _pypirc_source(script, lookup)
                if origin == "pypirc":
                    kind, where, origin = cred.TOKEN, f"{exported} exported through $GITHUB_ENV", "github_env"
                return Credential(kind, where, origin, context.find(step.run, exported) or step.run)
        if spec.reads_pypirc and ".pypirc" in script and "password" in script:
            kind, where, origin = _pypirc_source(script, _Context(step, context.job, context.lines).env_lookup())
            return Credential(kind, where, origin, context.find(step.run, ".pypirc") or step.run)
        if spec.program == "poetry" and "poetry" in script and "config" in script:
            for command in split_commands(script):
                words = command.words
                if words[:2] == ["poetry", "config"] and len(words) >= 4 and words[2].startswith(("pypi-token.", "http-basic.")):
                    lookup = _Context(step, context.job, context.lines).env_lookup(command.env)
                    kind, where, origin = trace_text(words[-1], lookup)
                    if kind != cred.NONE:
                        return Credential(kind, where, origin, context.find(step.run, words[2]) or step.run)
    return None


_SHELL_VARIABLE = lazy_pattern(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def _references_in_order(script: str) -> list[str]:
    """Every ``${{ ... }}`` expression and ``$VAR``/``${VAR}`` of ``script``, in order."""
    found: list[tuple[int, str]] = [(start, script[start:end]) for start, end in expression_spans(script)]
    masked = replace_expressions(script, lambda expression: " " * len(expression))
    found.extend((match.start(), match.group()) for match in _SHELL_VARIABLE.finditer(masked))
    return [reference for _, reference in sorted(found)]


def _pypirc_source(script: str, lookup) -> tuple[str, str | None, str | None]:
    """Where the password written into a ``.pypirc`` comes from: the first reference in the
    script that traces to a credential, else the file itself."""
    for reference in _references_in_order(script):
        kind, where, origin = trace_text(reference, lookup)
        if kind not in (cred.NONE, cred.UNKNOWN, cred.LITERAL):
            return kind, where, origin
    return cred.TOKEN, ".pypirc written in the job", "pypirc"
