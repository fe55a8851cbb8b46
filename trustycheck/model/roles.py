"""What a job does besides publishing: builds or runs project code, restores caches, checks
out code a stranger controls. (Trap 13 of DOMAIN.md: builds hide inside publish commands.)"""

from __future__ import annotations

import fnmatch
import re
from typing import TypeVar

from trustycheck.model import actions
from trustycheck.model.caches import RESTORED_CODE, Cache, restored_cache
from trustycheck.model.expressions import references, replace_expressions
from trustycheck.model.launchers import PYTHON_M, unwrap
from trustycheck.model.shell import is_python, split_commands
from trustycheck.model.workflow import Step
from trustycheck.nodes import Node, Scalar
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass

_RUNS_CODE = {
    # program (or module, or package: python -m build, pipx run build): subcommands that
    # build or execute the project (empty: any use). Launchers (uv run, hatch run...) are in
    # trustycheck.model.launchers.
    "pytest": (), "tox": (), "nox": (), "make": (), "cibuildwheel": (), "pyproject-build": (),
    "uv": ("build", "sync", "pip install"), "poetry": ("build", "install"),
    "hatch": ("build", "test"), "pdm": ("build", "install", "sync"), "flit": ("build", "install"),
    "maturin": ("build", "develop", "publish", "sdist"), "pip": ("install", "wheel"), "pip3": ("install", "wheel"),
    "npm": ("install", "ci", "run", "test"), "cargo": ("build", "test"),
}
_UNTRUSTED_REF = lazy_pattern(
    r"github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch)"
    r"|github\.event\.pull_request\.head\.repo|refs/pull/|github\.event\.issue\.pull_request"
)


_RELEASE_NAME = lazy_pattern(r"publish|release|pypi|deploy|upload", re.I)


def looks_like_release(name: str | None) -> bool:
    """A called workflow whose path says it releases (its contents are not read here)."""
    return bool(name and _RELEASE_NAME.search(name))


@dataclass(eq=False, repr=False)
class StepRole:
    """What a step does besides publishing."""

    builds: bool = False
    caches: bool = False
    cache: Cache | None = None
    """What the restored cache holds (:mod:`trustycheck.model.caches`)."""
    untrusted_checkout: bool = False
    reads_packages: bool = False
    """It installs or fetches packages (``pip install twine``, ``uvx twine``) or builds: a package
    cache restored before it is what it installs from."""
    runs_command: bool = False
    """It runs a shell command, which may run code from a restored virtualenv or build output."""


_FETCHES_PACKAGES = {
    # program: subcommands that install or fetch packages, and so read a package manager's cache
    # (empty: any use). Launchers other than ``python -m`` (uvx, pipx run, uv run...) fetch what
    # they run, and count without this table.
    "pip": ("install", "download", "wheel"), "pip3": ("install", "download", "wheel"),
    "uv": ("sync", "pip install", "pip sync", "tool install", "add", "lock", "build", "venv"),
    "poetry": ("install", "add", "update", "lock", "build"), "pdm": ("install", "sync", "add", "update", "lock", "build"),
    "pipenv": ("install", "sync"), "hatch": (), "tox": (), "nox": (), "pre-commit": (),
    "conda": ("install", "create", "update"), "mamba": ("install", "create", "update"),
    "micromamba": ("install", "create", "update"), "npm": ("install", "ci"), "yarn": (), "pnpm": ("install",),
    "cargo": (), "go": ("build", "install", "mod", "get"),
}


_UPLOAD_ACTIONS = frozenset({"actions/upload-artifact"})
_DOWNLOAD_ACTIONS = frozenset({"actions/download-artifact", "dawidd6/action-download-artifact"})


def artifact_transfer(step: Step) -> tuple[bool, bool, str | None]:
    """(uploads, downloads, artifact name) of a step: the part of its role that says which
    jobs hand files to which (cheap: no script is read)."""
    action = step.uses.action if step.uses else None
    uploads, downloads = action in _UPLOAD_ACTIONS, action in _DOWNLOAD_ACTIONS
    if uploads or downloads:
        return uploads, downloads, _artifact_name(step, "name", *(("pattern",) if downloads else ()))
    return False, False, None


def step_role(step: Step) -> StepRole:
    role = StepRole()
    action = step.uses.action if step.uses else None
    if action:
        spec = actions.action_spec(step)
        role.builds = role.reads_packages = spec is not None and actions.builds(spec, step)
        role.cache = restored_cache(step)
        role.caches = role.cache is not None
        if action == "actions/checkout":
            role.untrusted_checkout = any(_untrusted(step.input(name)) for name in ("ref", "repository"))
    elif step.run is not None:
        script = step.run.as_string()
        role.untrusted_checkout = "gh pr checkout" in script or bool(_UNTRUSTED_REF.search(script) and "git" in script)
        commands = split_commands(script)
        role.builds = any(_runs_code(command.words) for command in commands)
        role.reads_packages = role.builds or any(_fetches_packages(command.words) for command in commands)
        role.runs_command = True
    return role


Restored = TypeVar("Restored")


def caches_read(role: StepRole, restored: list[tuple[Restored, Cache]]) -> list[tuple[Restored, Cache]]:
    """The caches restored earlier in the job that a step with ``role`` reads, taken out of
    ``restored``: a package or tool cache by a step that installs, fetches or builds; restored
    code (a virtualenv, build output) by any command. A cache nothing reads cannot change the
    release: ``uv publish`` and the PyPA action's container install nothing from it."""
    read = [(where, cache) for where, cache in restored
            if role.reads_packages or (role.runs_command and cache.risk >= RESTORED_CODE)]
    if read:
        restored[:] = [item for item in restored if item not in read]
    return read


def _fetches_packages(words: list[str]) -> bool:
    """The command installs or fetches packages (through any launcher)."""
    launched = unwrap(words)
    if any(launcher is not PYTHON_M for launcher in launched.launchers):
        return True
    subs = _FETCHES_PACKAGES.get(launched.program)
    return subs is not None and (not subs or _has_sub(launched.words[1:], subs))


def _artifact_name(step: Step, *inputs: str) -> str | None:
    for name in inputs:
        pair = step.input(name)
        if pair is not None and isinstance(pair[1], Scalar) and pair[1].as_string().strip():
            return replace_expressions(pair[1].as_string().strip(), lambda _: "*")
    return None


def artifacts_match(uploaded: str | None, wanted: str | None) -> bool:
    """Whether a download of ``wanted`` (None: every artifact) can receive an upload named
    ``uploaded`` (None: the default name, ``artifact``). Expressions count as wildcards, so
    ``dist-${{ matrix.os }}`` feeds ``pattern: dist-*``."""
    if wanted is None:
        return True
    name = uploaded or "artifact"
    if fnmatch.fnmatchcase(name, wanted) or fnmatch.fnmatchcase(wanted, name):
        return True
    if "*" not in name and "*" not in wanted:
        return False
    name_prefix, wanted_prefix = name.split("*", 1)[0], wanted.split("*", 1)[0]
    return name_prefix.startswith(wanted_prefix) or wanted_prefix.startswith(name_prefix)


def _untrusted(pair: tuple[Scalar, Node] | None) -> bool:
    if pair is None or not isinstance(pair[1], Scalar):
        return False
    text = pair[1].as_string()
    return bool(_UNTRUSTED_REF.search(text)) or any(str(ref).startswith("github.event.pull_request.head") for ref in references(text))


def _runs_code(words: list[str]) -> bool:
    launched = unwrap(words)
    if launched.in_project_environment:  # uv run, hatch run...: the project is installed first
        return True
    if launched.launchers and any(_local_distribution(value) for value in launched.option_values("--from", "--spec", "--with")):
        return True  # uvx --from dist/pkg.whl pkg: runs the freshly built wheel
    words, program = launched.words, launched.program
    if not words:
        return False
    if is_python(program):
        return len(words) > 1 and words[1].endswith(".py")  # python setup.py ...
    if program in ("pip", "pip3") or (program == "uv" and words[1:3] == ["pip", "install"]):
        return _installs_project(words)
    if (program == "pipx" and words[1:2] == ["install"]) or (program == "uv" and words[1:3] == ["tool", "install"]):
        return any(_local_distribution(word) or word == "." for word in words[2:])
    subs = _RUNS_CODE.get(program)
    if subs is None or not (not subs or _has_sub(words[1:], subs)):
        return False
    keeps_out = _WITHOUT_PROJECT.get((program, words[1] if len(words) > 1 else ""))
    return not (keeps_out and any(word in keeps_out or word.split("=", 1)[0] in keeps_out for word in words[2:]))


def _has_sub(words: list[str], subs: tuple[str, ...]) -> bool:
    joined = " ".join(words[:2])
    return any(joined == sub or joined.startswith(sub + " ") or (words and words[0] == sub) for sub in subs)


_WITHOUT_PROJECT = {
    # Options that install the locked dependencies but not the project itself (each tool's
    # command reference): pinned tools, no build.
    ("uv", "sync"): frozenset({"--no-install-project", "--only-group", "--only-dev", "--no-install-workspace"}),
    ("poetry", "install"): frozenset({"--no-root"}),
    ("pdm", "install"): frozenset({"--no-self"}),
    ("pdm", "sync"): frozenset({"--no-self"}),
}
_DISTRIBUTION_SUFFIXES = (".whl", ".tar.gz", ".zip")


def _local_distribution(word: str) -> bool:
    """A distribution built in this run: a wheel or sdist file, a ``file:`` URL
    (``pkg @ file://$PWD/dist/pkg.whl``), or a path into the workspace."""
    return word.endswith(_DISTRIBUTION_SUFFIXES) or "file:" in word or word.startswith(("./", "dist/", "../"))


def _installs_project(words: list[str]) -> bool:
    """``pip install .``/``-e .``/``-r requirements.txt``/``dist/*.whl``/``wheel``: runs the
    project's build, its freshly built distribution or its unpinned dependencies; installing
    named tools (``pip install build twine``) does not, nor does hash-checking mode
    (``--require-hashes``), which refuses the project's directory and unhashed files."""
    if "wheel" in words[1:2]:
        return True
    args = words[2:] if words[1:3] != ["pip", "install"] else words[3:]
    if "--require-hashes" in args:
        return False
    for index, arg in enumerate(args):
        if arg in (".", "-e", "--editable", "-r", "--requirement") or arg.startswith((".[", "-r", "--requirement=")):
            return True
        if _local_distribution(arg):
            return True
        if arg in ("-f", "--find-links") and index + 1 < len(args) and "://" not in args[index + 1].replace("file://", ""):
            return True  # --find-links dist: the wheels built in this run
        if arg.startswith("--find-links=") and "://" not in arg.split("=", 1)[1].replace("file://", ""):
            return True
    return False
