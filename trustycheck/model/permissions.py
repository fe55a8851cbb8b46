"""GITHUB_TOKEN permissions: parsing a ``permissions:`` block and resolving a job's effective set.

GitHub's rules (workflow syntax docs): a job-level block *replaces* the workflow-level one;
naming any scope sets every unnamed scope to ``none``; ``read-all``/``write-all``/``{}`` are
shorthands; with no block anywhere the repository default applies, and ``id-token`` is
``none`` in both defaults, so Trusted Publishing always needs an explicit grant.
"""

from __future__ import annotations

from trustycheck.model.expressions import ContextRef, references
from trustycheck.nodes import Mapping, Node, ProblemReporter, Scalar, describe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from trustycheck.model.workflow import Step
from dataclasses import dataclass, field

SCOPES = (
    "actions", "artifact-metadata", "attestations", "checks", "contents", "deployments",
    "discussions", "id-token", "issues", "models", "packages", "pages", "pull-requests",
    "repository-projects", "security-events", "statuses", "workflows",
)
LEVELS = ("read", "write", "none")
_ALLOWED = {"id-token": ("write", "none"), "models": ("read", "none"), "workflows": ("write", "none")}

WRITE = "write"
READ = "read"
NONE = "none"
DEFAULT = "default"
"""Level of a scope left to the repository's default (unknowable from the workflow file)."""

# Block kinds.
KIND_DEFAULT = "default"
KIND_MAP = "map"
KIND_READ_ALL = "read-all"
KIND_WRITE_ALL = "write-all"


@dataclass(eq=False, repr=False)
class Permissions:
    """One ``permissions:`` block (or the repository default when ``kind`` is ``default``)."""

    kind: str
    scopes: dict[str, str] = field(default_factory=dict)
    node: Node | None = None
    origin: str = "default"
    """Where the effective block was written: ``job``, ``workflow`` or ``default``."""

    def level(self, scope: str) -> str:
        """``write``, ``read``, ``none``, or ``default`` when only the repo setting knows."""
        if self.kind == KIND_WRITE_ALL:
            return WRITE
        if self.kind == KIND_READ_ALL:
            return NONE if scope in ("id-token", "workflows") else READ
        if self.kind == KIND_MAP:
            return self.scopes.get(scope, NONE)
        return NONE if scope == "id-token" else DEFAULT

    def levels(self) -> dict[str, str]:
        """Every scope's level (a new dict the caller may change)."""
        if self.kind == KIND_MAP:
            get = self.scopes.get
            return {scope: get(scope, NONE) for scope in SCOPES}
        return dict(_FIXED_LEVELS[self.kind])

    def write_scopes(self) -> list[str]:
        """Scopes granted ``write``, in SCOPES order; for ``default`` none are certain."""
        if self.kind == KIND_MAP:
            return [scope for scope in SCOPES if self.scopes.get(scope) == WRITE]
        return list(_FIXED_WRITES[self.kind])

    def scope_node(self, scope: str) -> Node | None:
        """The node granting ``scope`` (its key in a map, else the whole block)."""
        if isinstance(self.node, Mapping):
            return self.node.key_node(scope) or self.node
        return self.node


DEFAULT_PERMISSIONS = Permissions(KIND_DEFAULT)

_FIXED_LEVELS = {kind: {scope: Permissions(kind).level(scope) for scope in SCOPES}
                 for kind in (KIND_DEFAULT, KIND_READ_ALL, KIND_WRITE_ALL)}
"""The levels of the blocks that name no scope, worked out once."""
_FIXED_WRITES = {kind: tuple(scope for scope, level in levels.items() if level == WRITE) for kind, levels in _FIXED_LEVELS.items()}


def parse_permissions(node: Node, problem: ProblemReporter) -> Permissions | None:
    """Parse a ``permissions:`` value; report unusable values through ``problem(node, msg)``."""
    if isinstance(node, Scalar):
        value = node.value
        if value in ("read-all", "write-all"):
            return Permissions(value, node=node)
        if value is None or value == "":
            return Permissions(KIND_MAP, node=node)
        if isinstance(value, str) and "${{" in value:
            return None
        problem(node, f"'permissions' must be read-all, write-all or a mapping of scopes, not {node.text!r}")
        return None
    if not isinstance(node, Mapping):
        problem(node, "'permissions' must be read-all, write-all or a mapping of scopes, not a list")
        return None
    scopes: dict[str, str] = {}
    for key, value in node.items():
        level = value.as_string() if isinstance(value, Scalar) else None
        allowed = _ALLOWED.get(key.text, LEVELS)
        if key.text not in SCOPES:
            problem(key, f"unknown permission scope '{key.text}'")
            continue
        if level is None or level not in allowed:
            shown = repr(level) if level is not None else describe(value)
            problem(value, f"'{key.text}' accepts {', '.join(allowed)}, not {shown}")
            continue
        scopes[key.text] = level
    return Permissions(KIND_MAP, scopes, node)


def effective_permissions(job_block: Permissions | None, workflow_block: Permissions | None) -> Permissions:
    """The job's own block if it has one, else the workflow's, else the repository default."""
    if job_block is not None:
        return Permissions(job_block.kind, job_block.scopes, job_block.node, "job")
    if workflow_block is not None:
        return Permissions(workflow_block.kind, workflow_block.scopes, workflow_block.node, "workflow")
    return DEFAULT_PERMISSIONS


_RANK = {NONE: 0, READ: 1, DEFAULT: 1, WRITE: 2}


def narrow(caller: Permissions, declared: Permissions | None) -> Permissions:
    """A local called workflow's permissions: its own block (job or workflow level) can keep
    or reduce what the calling job has, never raise it; with no block it gets the caller's.

    ``id-token`` is the exception GitHub makes for a called workflow of the same
    organisation: when the caller sets no permissions at all, the called workflow's own
    ``id-token: write`` is honoured (only a callee outside the organisation needs the caller
    to grant it, GitHub changelog 2023-06-15). A caller block that leaves id-token out
    forbids it.
    """
    if declared is None:
        return Permissions(caller.kind, caller.scopes, caller.node, "caller")
    scopes = {}
    for scope in SCOPES:
        mine, theirs = declared.level(scope), caller.level(scope)
        if scope == "id-token" and caller.kind == KIND_DEFAULT:
            scopes[scope] = mine
            continue
        scopes[scope] = mine if _RANK[mine] <= _RANK[theirs] else theirs
    return Permissions(KIND_MAP, scopes, declared.node, declared.origin)


@dataclass(frozen=True)
class PublishingNeed:
    """A write scope a publishing job may hold, and why. With ``actions`` or ``commands``, the
    scope is needed only when a step of the job visibly uses it for that."""

    why: str
    actions: frozenset[str] = frozenset()
    action_words: tuple[str, ...] = ()
    """Parts of an action's name that say what it does (``ansys/actions/release-github``)."""
    commands: tuple[str, ...] = ()
    token_to_scripts: bool = False
    """Needed, too, when a ``run:`` step is handed the job's GITHUB_TOKEN: what the script
    runs (``tox -e release``, ``make release``) is not in the workflow, and may use it so."""


PUBLISHING_NEEDS = {
    "id-token": PublishingNeed("Trusted Publishing (and Sigstore signing) mint the job's OIDC token"),
    "attestations": PublishingNeed("actions/attest and actions/attest-build-provenance store attestations of the "
                                   "built files (PEP 740 attestations need id-token only)"),
    # A maintainer who makes the GitHub release, or pushes the release tag, in the job that
    # uploads uses contents: write for the release itself (the PyPA guide's split into a
    # separate job is hardening, not a fix); held for nothing, it is excessive.
    "contents": PublishingNeed(
        "creating the GitHub release, uploading its assets or pushing the release tag in the same job",
        actions=frozenset({
            "softprops/action-gh-release", "ncipollo/release-action", "actions/create-release",
            "actions/upload-release-asset", "svenstaro/upload-release-action", "python-semantic-release/python-semantic-release",
            "python-semantic-release/publish-action", "sigstore/gh-action-sigstore-python",
        }),
        action_words=("gh-release", "github-release", "release-github", "create-release", "release-action"),
        commands=("gh release ", "git push", "semantic-release ", "autopub "),
        token_to_scripts=True,
    ),
}
"""Write scopes a job that uploads to PyPI may legitimately hold (DOMAIN.md §5.1, §6)."""


def excess_writes(permissions: Permissions, actions: set[str], scripts: list[str],
                  token_to_scripts: bool = False) -> list[str]:
    """Write scopes ``permissions`` grants that a publishing job does not need, given the
    actions its steps use, its ``run:`` scripts (read only for a conditional need) and
    whether a script is handed the GITHUB_TOKEN."""
    excess = []
    for scope in permissions.write_scopes():
        need = PUBLISHING_NEEDS.get(scope)
        if need is None:
            excess.append(scope)
        elif need.actions or need.commands:
            used = (not actions.isdisjoint(need.actions) or any(word in action for action in actions for word in need.action_words)
                    or any(command in script for script in scripts for command in need.commands)
                    or (need.token_to_scripts and token_to_scripts))
            if not used:
                excess.append(scope)
    return excess


def hands_github_token(step: Step) -> bool:
    """A ``run:`` step whose environment carries the job's GITHUB_TOKEN
    (``${{ secrets.GITHUB_TOKEN }}`` or ``${{ github.token }}``): the script may use its write
    access. The token is always in the runner's context, so only handing it over counts."""
    if step.run is None:
        return False
    for var in step.effective_env.values():
        text = var.text
        if "${{" in text and any(_is_github_token(ref) for ref in references(text)):
            return True
    return False


def _is_github_token(ref: ContextRef) -> bool:
    first = ref.parts[0].lower() if ref.parts else ""
    return (ref.context == "secrets" and first == "github_token") or (ref.context == "github" and first == "token")


def publishing_excess(permissions: Permissions, steps: list[Step],
                      caller_unknown: bool) -> tuple[list[str], Node | None, str] | None:
    """What a publishing job holds beyond what publishing needs: (the excess write scopes, the
    first one's node, the words for a message), or None. No ``permissions:`` at any level means
    the repository default applies, which may be write-all (DOMAIN.md §5.1); for an action or a
    reusable workflow alone (``caller_unknown``) the caller's block decides, and is not known."""
    if permissions.kind == KIND_DEFAULT:
        if caller_unknown:
            return None
        return [], None, ("sets no permissions: at any level, so it runs with the repository's default GITHUB_TOKEN "
                          "permissions, which may be write-all")
    if not permissions.write_scopes():
        return None
    actions = {step.uses.action for step in steps if step.uses is not None and step.uses.action}
    scripts = [step.run.as_string() for step in steps if step.run is not None]
    scopes = excess_writes(permissions, actions, scripts, any(map(hands_github_token, steps)))
    if not scopes:
        return None
    nodes = [node for node in map(permissions.scope_node, scopes) if node is not None]
    first = min(nodes, key=lambda node: (node.pos.line, node.pos.col)) if nodes else None
    return scopes, first, f"also holds write access to {', '.join(scopes)}, which uploading does not need"
