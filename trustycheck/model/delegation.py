"""Publishing handed to something trustycheck cannot read offline.

A remote reusable workflow (``uses: org/repo/.github/workflows/release.yml@v1``), a remote
action given a PyPI token, or a script step such as ``make release``, ``nox -s publish`` or
``./scripts/upload.sh`` may publish, but what they run is not in the repository's workflow
files. They are recorded with the credential they are handed, so a repository's verdict can
say "a long-lived token is passed to X" or "X would have to be read to know".
"""

from __future__ import annotations

import re

from trustycheck.model.credentials import WordEnum
from trustycheck.model.expressions import references
from trustycheck.model.launchers import unwrap
from trustycheck.model.refs import ActionRef
from trustycheck.model.pypi import TESTPYPI, index_named_by_secret
from trustycheck.model.shell import Command, Script, is_python, parse_script, program_name, split_commands
from trustycheck.model.workflow import Env, Job, Step
from trustycheck.nodes import Mapping, Node, Scalar
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass


class Authority(WordEnum):
    """How a delegation is authorised (the fact ``delegates.authority``)."""

    ID_TOKEN = "id-token"
    """The call may mint OIDC tokens (``id-token: write``)."""
    SECRET = "token"
    """A PyPI-looking secret is handed to it (a long-lived token, by its name)."""
    INHERIT = "inherit"
    """Every secret is handed to it (``secrets: inherit``)."""


_PYPI_NAME = lazy_pattern(r"pypi|twine|warehouse|flit_password|poetry_http|pdm_publish|uv_publish|hatch_index", re.I)
_RELEASE_WORD = lazy_pattern(r"(?<![a-z])(publish|release|upload|deploy|pypi|dist-upload)(?![a-z])", re.I)
_TASK_RUNNERS = {
    # program: words before the task name (empty: the next word is the task)
    "make": (), "just": (), "invoke": (), "inv": (), "task": (), "poe": (), "nox": ("-s", "--session", "-e"),
    "tox": ("-e",), "rake": (), "mage": (), "doit": (), "semantic-release": (),
}
"""Task runners a Python release may hide behind (npm/yarn/cargo publish elsewhere, so not here).
Launchers that run the project's scripts (``hatch run``, ``pdm run``...) are in
:mod:`trustycheck.model.launchers`."""
_SCRIPT_SHELLS = frozenset({"bash", "sh", "zsh", "pwsh"})
_SCRIPT_DIRECTORIES = ("./", "scripts/", "bin/", "tools/", "ci/")
_OTHER_OIDC_USERS = frozenset({
    "aws-actions/configure-aws-credentials", "google-github-actions/auth", "azure/login",
    "hashicorp/vault-action", "sigstore/gh-action-sigstore-python", "actions/attest-build-provenance",
    "docker/login-action", "octo-sts/action",
})
"""Actions that consume the job's OIDC token for something other than PyPI."""
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".ps1", ".zsh")


@dataclass(eq=False, repr=False)
class Delegation:
    """A call or command that may publish where trustycheck cannot look."""

    kind: str
    """``remote-workflow``, ``remote-action`` or ``script``."""
    target: str
    """What is called, as written (``org/repo/.github/workflows/x.yml@v1``, ``make release``)."""
    authority: Authority
    credential: str | None
    """The secret handed over, or ``id-token: write``."""
    node: Node | None
    needs: str
    """What reading it would take: the words a verdict uses to say why it is unsure."""


def pypi_secrets(pairs: list[tuple[str, Node | None]]) -> list[str]:
    """``secrets.X`` references handed over under names that say PyPI (key or secret name)."""
    return pypi_secrets_in_text([(key, value.as_string()) for key, value in pairs
                                 if isinstance(value, Scalar) and "secrets" in value.text])


def pypi_secrets_in_text(pairs: list[tuple[str, str]]) -> list[str]:
    """:func:`pypi_secrets` over values as text (a script's own assignments)."""
    found = []
    for key, text in pairs:
        if "secrets" not in text:
            continue
        for ref in references(text):
            if ref.context != "secrets" or not ref.parts or ref.parts[0].upper() == "GITHUB_TOKEN":
                continue
            if _PYPI_NAME.search(ref.parts[0]) or _PYPI_NAME.search(key):
                found.append(str(ref))
    return found


def _script_exports(script: Script, command: Command) -> list[tuple[str, str]]:
    """Every variable the script exports before ``command`` runs, in any branch (which branch
    runs is not known), with its value as written."""
    return [(name, assignment.value)
            for name, assignments in script.assignments.items()
            for assignment, seq in zip(assignments, script.assignment_seqs.get(name, ()))
            if assignment.exported and seq <= command.seq]


def _pypi_first(secrets: list[str]) -> list[str]:
    """The secrets with PyPI's before TestPyPI's: a script that exports either, by branch, is a
    release when one of its branches uploads to PyPI."""
    return sorted(secrets, key=lambda secret: index_named_by_secret(secret) == TESTPYPI)


def _env_pairs(env: Env) -> list[tuple[str, Node | None]]:
    return [(name, var.value) for name, var in env.items()]


def _mapping_pairs(mapping: Mapping | None) -> list[tuple[str, Node | None]]:
    return [(key.text, value) for key, value in mapping.items()] if mapping is not None else []


def remote_workflow(job: Job, id_token: bool) -> Delegation | None:
    """A job that calls a reusable workflow in another repository, handed a credential."""
    ref = job.uses
    if ref is None or ref.kind != "repo":
        return None
    target = ref.raw.strip()
    needs = f"the called workflow ({target})"
    secrets = pypi_secrets(_env_pairs(job.secrets) + _mapping_pairs(job.call_inputs))
    if secrets:
        return Delegation("remote-workflow", target, Authority.SECRET, secrets[0], job.secrets_node or ref.node, needs)
    if id_token:
        return Delegation("remote-workflow", target, Authority.ID_TOKEN, "id-token: write", ref.node, needs)
    if job.secrets_inherit and _RELEASE_WORD.search(target):
        return Delegation("remote-workflow", target, Authority.INHERIT, "secrets: inherit", job.secrets_node, needs)
    return None


def token_hand_over(step: Step) -> Delegation | None:
    """A release task or another repository's action handed a PyPI-looking secret: an upload
    with a long-lived token, though what uploads cannot be read. Most steps are settled by their
    env alone (no secret in it: nothing to hand over), before any script is read."""
    if step.run is not None:
        in_env = any(isinstance(var.value, Scalar) and "secrets" in var.value.text for var in step.effective_env.values())
        if not in_env and "secrets" not in step.run.as_string():
            return None
        handed = release_script(step, False)
    else:
        handed = remote_action(step)
    return handed if handed is not None and handed.authority == Authority.SECRET else None


def remote_action(step: Step) -> Delegation | None:
    """A step running another repository's action (not a known publisher) handed a PyPI secret."""
    ref: ActionRef | None = step.uses
    if ref is None or ref.kind != "repo":
        return None
    secrets = pypi_secrets(_mapping_pairs(step.inputs) + _env_pairs(step.env))
    if not secrets:
        return None
    target = ref.raw.strip()
    return Delegation("remote-action", target, Authority.SECRET, secrets[0], ref.node, f"the action's code ({target})")


def oidc_used_elsewhere(steps: list[Step]) -> bool:
    """The job exchanges its OIDC token with a cloud or signing service: its id-token: write
    is explained without PyPI."""
    return any(step.uses is not None and step.uses.action in _OTHER_OIDC_USERS for step in steps)


def release_script(step: Step, id_token: bool) -> Delegation | None:
    """A ``run:`` step whose command hands the release to a task runner or script
    (``make release``, ``nox -s publish``, ``./scripts/upload.sh``). ``id_token`` says the
    job may mint an OIDC token for PyPI (and uses it for nothing else we can see)."""
    if step.run is None:
        return None
    script = step.run.as_string()
    if not _RELEASE_WORD.search(script):
        return None
    # What the task would be handed is mostly known before the script is read: a script that
    # neither gets a PyPI secret from env: nor names a secret itself, in a job that cannot mint
    # an OIDC token, cannot upload to PyPI and need not be parsed.
    handed = pypi_secrets(_env_pairs(step.effective_env))
    if not handed and not id_token and "secrets" not in script:
        return None
    parsed = parse_script(script)
    for command in parsed.commands:
        task = _release_task(command.words)
        if task is None:
            continue
        secrets = handed or _pypi_first(pypi_secrets_in_text(_script_exports(parsed, command)))
        if secrets:
            return Delegation("script", task, Authority.SECRET, secrets[0], step.run, f"what `{task}` runs")
        if id_token:
            return Delegation("script", task, Authority.ID_TOKEN, "id-token: write", step.run, f"what `{task}` runs")
        return None  # with no credential in sight it cannot upload to PyPI
    return None


def _release_task(words: list[str]) -> str | None:
    """The task a command runs, named without the launchers and interpreter in front, when
    it is named for releasing: ``make release``, ``nox -s publish`` (also from ``uv run nox -s
    publish``), a script with its first argument, which often says what it does
    (``scripts/release.py patch`` from ``python scripts/release.py patch``), or a script of
    the project's configuration with the launcher that runs it (``hatch run release``)."""
    launched = unwrap(words)
    inner = launched.words
    if not inner:
        return None
    program = launched.program
    script = 1 if len(inner) > 1 and ((is_python(program) and inner[1].endswith(".py")) or program in _SCRIPT_SHELLS) else 0
    name = program_name(inner[script])
    if name.endswith(_SCRIPT_SUFFIXES) or inner[script].startswith(_SCRIPT_DIRECTORIES):
        return " ".join(inner[script: script + 2]) if _RELEASE_WORD.search(name) else None
    lead = _TASK_RUNNERS.get(program)
    if lead is not None:
        named, candidates = inner, range(1, min(len(inner), 4))
    elif launched.may_run_script:
        named, lead, candidates = words[launched.launcher_starts[-1]:], (), range(min(len(inner), 2))
    else:
        return None
    for position in candidates:
        word = inner[position]
        if word.startswith("-") or word in lead:
            continue
        if _RELEASE_WORD.search(word):
            return " ".join(named[: len(named) - len(inner) + position + 1])
    return None
