"""Caches a step restores, and how much a poisoned one could change what is released.

GitHub's cache is shared by the runs of a repository, and a pull request's run can save an
entry a release run later restores (DOMAIN.md §5.4; Adnan Khan, "The Monsters in Your Build
Cache"). What was restored decides the damage: a virtualenv or build output runs or ships as
is; a package manager's download cache is installed from; a linter's cache is only read by the
linter. TC403 names the riskiest one a job restores.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model.workflow import Step
from trustycheck.nodes import Scalar
from trustycheck.patterns import lazy_pattern

# How much of the release a poisoned cache can change, riskiest last.
TOOL = 1
"""A linter's or test tool's cache: read by that tool only."""
PACKAGES = 2
"""A package manager's download or wheel cache: what the build installs comes from it."""
RESTORED_CODE = 3
"""A virtualenv, an interpreter, or build output: restored code that runs or ships as is."""


@dataclass(frozen=True)
class CacheAction:
    """An action that restores a cache, and how its inputs switch it on."""

    switch: str | None
    """The input that turns the cache on (a package manager name, or ``true``); None: the
    action is a cache whose ``path:`` says what it holds."""
    on_by_default_since: int | None = None
    """The major version from which the cache is on when ``switch`` is not given."""
    what: str = "{value}'s package cache"
    """What it holds, in words (``{value}``: the switch's value)."""
    risk: int = PACKAGES


CACHE_ACTIONS = {
    "actions/cache": CacheAction(None),
    "actions/cache/restore": CacheAction(None),  # actions/cache/save restores nothing
    "actions/setup-python": CacheAction("cache"),  # pip, pipenv, poetry
    "actions/setup-node": CacheAction("cache"),  # npm, yarn, pnpm
    "actions/setup-java": CacheAction("cache"),
    # setup-uv v5.0.0 (2024-12) made enable-cache default to true ("auto") on GitHub-hosted runners.
    "astral-sh/setup-uv": CacheAction("enable-cache", on_by_default_since=5, what="uv's package cache"),
    "pdm-project/setup-pdm": CacheAction("cache", what="pdm's package cache"),
    # setup-go v4 turned its module and build cache on by default.
    "actions/setup-go": CacheAction("cache", on_by_default_since=4, what="Go's module and build cache", risk=RESTORED_CODE),
    "swatinem/rust-cache": CacheAction(None, on_by_default_since=0, what="Rust build output (target/)", risk=RESTORED_CODE),
    "hendrikmuhs/ccache-action": CacheAction(None, on_by_default_since=0, what="a compiler cache (ccache)", risk=RESTORED_CODE),
}
"""Actions that restore a cache (by ``owner/repo[/path]``, lower case)."""

_CODE_PARTS = frozenset({
    ".venv", "venv", ".tox", ".nox", "site-packages", "build", "dist", "target", "node_modules", "wheelhouse",
    ".eggs", "_skbuild", ".ccache", "ccache", "sccache", "pythonlocation", "bin", "lib",
})
"""Path components of restored code: environments, interpreters, build output."""
_TOOL_PARTS = frozenset({
    ".mypy_cache", ".ruff_cache", "pre-commit", ".pytest_cache", ".hypothesis", "pylint", ".pylint.d", "mypy",
})
_PACKAGE_PARTS = frozenset({"pip", "uv", "pypoetry", "poetry", ".npm", "registry", ".m2", ".gradle", "pdm", "pipenv", "yarn", "pnpm"})
_PARTS = lazy_pattern(r"[^/\\{}$ ]+")
_RUN_CONTEXT = ("github.ref", "github.event_name", "github.ref_type", "startswith(")
"""What an expression-valued switch reads when it turns caching off for releases
(``enable-cache: ${{ github.ref_type != 'tag' }}``): the author decided per trigger."""


@dataclass(frozen=True)
class Cache:
    """A cache a step restores."""

    risk: int
    what: str


def restored_cache(step: Step) -> Cache | None:
    """The cache ``step`` restores, if any (a ``uses:`` step of an action in the table)."""
    ref = step.uses
    spec = CACHE_ACTIONS.get(ref.action) if ref is not None and ref.action else None
    if spec is None or ref is None:
        return None
    if spec.switch is None:
        if spec.on_by_default_since is not None:
            return Cache(spec.risk, spec.what)
        return _path_cache(step)
    pair = step.input(spec.switch)
    if pair is None or not isinstance(pair[1], Scalar):
        major = _major(ref.ref)
        on = spec.on_by_default_since is not None and (major is None or major >= spec.on_by_default_since)
        return Cache(spec.risk, _what(spec, None)) if on else None
    value = pair[1].as_string().strip()
    lowered = value.lower()
    if lowered in ("", "false"):
        return None
    if "${{" in value and any(context in lowered for context in _RUN_CONTEXT):
        return None
    named = lowered not in ("true", "auto") and "${{" not in value
    return Cache(spec.risk, _what(spec, value if named else None))


def _what(spec: CacheAction, value: str | None) -> str:
    if "{value}" not in spec.what:
        return spec.what
    return spec.what.format(value=value) if value is not None else "a package cache"


def _path_cache(step: Step) -> Cache:
    pair = step.input("path")
    paths = pair[1].as_string().split("\n") if pair is not None and isinstance(pair[1], Scalar) else []
    best = Cache(PACKAGES, "a cache")
    best_rank = (0, False)
    for raw in paths:
        path = raw.strip()
        if not path or path.startswith("!"):
            continue
        parts = {part.lower() for part in _PARTS.findall(path.replace("env.pythonLocation", "/pythonLocation/"))}
        known = True
        if parts & _CODE_PARTS:
            risk, what = RESTORED_CODE, f"a virtualenv or build output ({path})"
        elif parts & _TOOL_PARTS:
            risk, what = TOOL, f"a tool cache ({path})"
        elif parts & _PACKAGE_PARTS:
            risk, what = PACKAGES, f"a package cache ({path})"
        else:
            risk, what, known = PACKAGES, f"a cache of {path}", False
        rank = (risk, known)  # at equal risk, a path we recognise says more than one we do not
        if rank > best_rank:
            best, best_rank = Cache(risk, what), rank
    return best


_MAJOR = lazy_pattern(r"v?(\d+)(?:\.\d+)*\Z")


def _major(ref: str | None) -> int | None:
    """The major version a tag ref names (``v6``, ``v5.4.1``); None for a SHA or a branch,
    which are taken to be current."""
    match = _MAJOR.match(ref) if ref and len(ref) < 40 else None
    return int(match.group(1)) if match is not None else None

