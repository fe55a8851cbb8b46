"""Follow local calls: reusable workflows and composite actions, with the caller's context.

A release is often split across files: ``release.yml`` calls ``./.github/workflows/publish.yml``
(``jobs.<id>.uses``), whose job runs a composite action in ``.github/actions/upload/`` (a step's
``uses: ./...``). What a publish step may do depends on its callers: the permissions of the
calling job flow in and can only be narrowed, ``inputs`` come from ``with:``, ``secrets`` from
an explicit map or ``inherit``, and the triggers are those of the top-level workflow.

Expansion turns each top-level workflow into *job instances*: a job as it runs in one call
chain, with its effective permissions, the ``if:`` guards on the way to it, and its steps (the
steps of called composite actions spliced in, as the runner executes them). Rules are then
evaluated once per instance, so a finding in a called file names the chain that reaches it.
(DOMAIN.md §5.2.)
"""

from __future__ import annotations

import os
from collections.abc import Callable

from trustycheck.boundary import refusal
from trustycheck.loader import Document, LinesOf
from trustycheck.model import credentials as cred
from trustycheck.model.credentials import Credential, CredentialKind
from trustycheck.model.expressions import is_pure_expression, references
from trustycheck.model.permissions import Permissions, narrow
from trustycheck.model.publish import Publish
from trustycheck.model.pypi import UNKNOWN_INDEX, classify_index_url
from trustycheck.model.refs import BRANCH, classify_ref
from trustycheck.model.workflow import ACTION, WORKFLOW, Env, Job, Step, Workflow
from trustycheck.nodes import Mapping, Node, Scalar
from dataclasses import dataclass, field, replace

MAX_DEPTH = 10
"""Deepest call chain followed. GitHub's documented limits are lower (4 to 10 levels)."""
MAX_INSTANCES = 5_000
"""Job instances per repository before calls stop being followed (a fan-out bomb guard; real
repositories have tens). Reported once, at the first call not followed."""
MAX_CALLED_STEPS = 10_000
"""Steps that following calls may add per repository (spliced from composite actions, or in
the jobs of called workflows) before calls stop being followed; reported once. Actions that
call actions multiply: eight tiny files, each calling the next eight times, make 8**8 steps.
Every call is checked, so the work done is the files' own steps plus at most this many and
one file's worth (~70 µs a step: under a second). Real repositories add hundreds."""

# What a project hands the expander: the model of a repository file, or None when the file
# does not exist or is not a workflow/action (the reason goes into ``CallProblem``).
Opener = Callable[[str], "Workflow | None"]


@dataclass(frozen=True)
class Link:
    """One hop of a call chain: a job of a workflow file, or a step that runs a local action."""

    path: str
    job: str | None = None
    step: str | None = None

    def __str__(self) -> str:
        name = os.path.basename(self.path)
        if self.step is not None:
            return f"{name} step '{self.step}'"
        return f"{name} job '{self.job}'" if self.job is not None else name


def describe_chain(links: tuple[Link, ...]) -> str:
    return " → ".join(str(link) for link in links)


@dataclass(eq=False, repr=False)
class Scope:
    """How ``inputs.*`` and ``secrets.*`` of a called file resolve in its caller."""

    given: Mapping | None
    """The caller's ``with:``."""
    defaults: dict[str, Node]
    """Declared inputs' ``default:`` values in the called file."""
    secrets: Env | None
    """The caller's ``secrets:`` map; None passes secrets through unchanged (``inherit``, or
    a composite action, which sees its job's secrets)."""
    env: Env
    """The caller's env where ``with:`` is evaluated."""
    parent: "Scope | None" = None


@dataclass(eq=False, repr=False)
class CallProblem:
    """A local call that cannot be followed: the file is missing, not a workflow, or a cycle."""

    message: str
    node: Node | None
    quiet: bool = False
    """Not reported (the same limit was already reported once)."""
    written_by: str | None = None
    """For a local action that names no file: the earlier step that may put one there at run
    time (a checkout of another ref, a download, a script naming the directory)."""


@dataclass(eq=False, repr=False)
class StepInstance:
    """A step as a particular job instance runs it."""

    step: Step
    job: Job
    """The job (or action pseudo-job) that defines the step: earlier steps of it matter."""
    doc: Document
    """The file that defines the step (its lines are split only if an upload is found)."""
    path: str
    scope: Scope | None
    via: tuple[Link, ...] = ()
    """Composite actions the step is reached through."""
    out_of_sight: str | None = None
    """For a local ``uses:`` into a directory where an earlier step checked out another
    repository: that checkout (its action cannot be read offline)."""
    checked_out_from: Placed | None = None
    """For such a ``uses:``: the checkout of the other repository it runs an action of."""

    @property
    def lines(self) -> LinesOf:
        return LinesOf(self.doc)


@dataclass(eq=False, repr=False)
class JobInstance:
    """A job as a particular caller runs it: its caller's permissions, conditions and inputs."""

    job: Job
    workflow: Workflow
    """The file that defines the job."""
    entry: Workflow
    """The top-level workflow whose triggers start it."""
    permissions: Permissions
    conditions: tuple[str, ...]
    chain: tuple[Link, ...]
    scope: Scope | None
    group: tuple[Link, ...]
    """The call chain of the workflow run the job belongs to; ``needs`` resolve inside it."""
    parent: "JobInstance | None" = None
    steps: list[StepInstance] = field(default_factory=list)
    callees: list["JobInstance"] = field(default_factory=list)
    problems: list[CallProblem] = field(default_factory=list)
    """Local calls of this job (or its steps) that could not be followed."""


def local_target(raw: str, root: str | None, *, workflow_call: bool) -> str | None:
    """The file a local ``uses:`` names, or None when the repository root is unknown."""
    if root is None:
        return None
    relative = raw.strip()[2:] if raw.strip()[:2] in ("./", "$/") else ""
    base = os.path.normpath(os.path.join(root, relative))
    if workflow_call:
        return base
    if _climbs_out(base, root):  # the expander refuses it: nothing out there is looked at
        return os.path.join(base, "action.yml")
    for name in ("action.yml", "action.yaml"):
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return candidate
    return os.path.join(base, "action.yml")


def _climbs_out(path: str, root: str) -> bool:
    """Whether ``path`` (normalised) names a place above ``root``, as ``./../x`` does."""
    relative = os.path.relpath(path, root)
    return relative == os.pardir or relative.startswith(os.pardir + os.sep)


def _escape_reason(path: str, root: str) -> str | None:
    """Why a local call to ``path`` must not be followed because of where it leads: above the
    repository root, or (through a symlink) outside it, into ``.git`` or into ``/proc``."""
    if _climbs_out(path, root):
        return "it points outside the repository"
    return refusal(path, root)


class Expander:
    """Expands top-level workflows of one repository into job instances."""

    def __init__(self, root: str | None, open_file: Opener) -> None:
        self.root = root
        self._root_holds_only_github: bool | None = None
        self.open_file = open_file
        self.count = 0
        """Job instances made so far, over every expansion (the fan-out guard)."""
        self.called_steps = 0
        """Steps made by following calls so far, over every expansion (the expansion guard)."""
        self._limits_reported: set[str] = set()
        self._reached: set[str] = set()
        self._out: list[JobInstance] = []
        self._seen: list[Step] = []
        """The steps of the job being expanded so far, as the runner executes them (what an
        earlier step put in the workspace decides what a local ``uses:`` runs)."""

    def expand(self, entry: Workflow) -> tuple[list[JobInstance], set[str]]:
        """The job instances of ``entry`` and of everything it calls, and the called files."""
        self._reached, self._out = set(), []
        self._workflow_jobs(entry, entry, None, None, (), (), (os.path.abspath(entry.path),))
        return self._out, self._reached

    def _workflow_jobs(self, workflow: Workflow, entry: Workflow, caller: JobInstance | None, scope: Scope | None,
                       chain: tuple[Link, ...], conditions: tuple[str, ...], stack: tuple[str, ...]) -> list[JobInstance]:
        made = []
        for job in workflow.jobs:
            self.count += 1
            link = Link(workflow.path, job.id)
            permissions = job.effective_permissions
            if caller is not None:
                declared = permissions if (job.permissions or workflow.permissions) else None
                permissions = narrow(caller.permissions, declared)
            instance = JobInstance(
                job=job,
                workflow=workflow,
                entry=entry,
                permissions=permissions,
                conditions=conditions + ((job.condition,) if job.condition else ()),
                chain=chain + (link,),
                scope=scope,
                group=chain,
                parent=caller,
            )
            self._seen = []
            instance.steps = self._steps(job, workflow, scope, (), instance, stack)
            self._out.append(instance)
            made.append(instance)
            if job.uses is not None and job.uses.kind == "local":
                self._call_workflow(instance, stack)
        return made

    def _call_workflow(self, caller: JobInstance, stack: tuple[str, ...]) -> None:
        ref = caller.job.uses
        assert ref is not None
        path = local_target(ref.raw, self.root, workflow_call=True)
        if path is None:
            return
        problem = self._limits(path, stack, ref.node, ref.raw)
        callee = None if problem else self.open_file(path)
        if callee is None:
            caller.problems.append(
                problem or CallProblem(f"'{ref.raw}' names no workflow file in this repository", ref.node))
            return
        if callee.kind != WORKFLOW or "workflow_call" not in callee.events:
            caller.problems.append(CallProblem(f"'{ref.raw}' is not a reusable workflow (it has no 'on: workflow_call')", ref.node))
            return
        self._reached.add(callee.path)
        job = caller.job
        scope = Scope(job.call_inputs, declared_inputs(callee), None if job.secrets_inherit else job.secrets,
                      caller.workflow.env, caller.scope)
        caller.callees = self._workflow_jobs(callee, caller.entry, caller, scope, caller.chain, caller.conditions,
                                             stack + (os.path.abspath(path),))

    def _steps(self, job: Job, workflow: Workflow, scope: Scope | None, via: tuple[Link, ...],
               instance: JobInstance, stack: tuple[str, ...]) -> list[StepInstance]:
        doc = workflow.doc
        steps: list[StepInstance] = []
        if via or instance.parent is not None:
            self.called_steps += len(job.steps)
        for step in job.steps:
            here = StepInstance(step, job, doc, workflow.path, scope, via)
            steps.append(here)
            if step.uses is not None and step.uses.kind == "local":
                steps.extend(self._call_action(here, workflow, scope, via, instance, stack))
            self._seen.append(step)
        return steps

    def _call_action(self, here: StepInstance, workflow: Workflow, scope: Scope | None, via: tuple[Link, ...],
                     instance: JobInstance, stack: tuple[str, ...]) -> list[StepInstance]:
        step = here.step
        ref = step.uses
        assert ref is not None
        placed = workspace_source(ref.raw, self._seen)
        if placed is not None and not placed.same_repository:
            here.out_of_sight = placed.describe()
            here.checked_out_from = placed
            return []
        raw = placed.resolved if placed is not None else ref.raw
        path = local_target(raw, self.root, workflow_call=False)
        if path is None:
            return []
        problem = self._limits(path, stack, ref.node, ref.raw)
        action = None if problem else self.open_file(path)
        if action is None and problem is None and self._only_workflows_here(path):
            here.out_of_sight = "only the repository's .github folder is here, and the action is outside it"
            return []
        if action is None:
            instance.problems.append(problem or self._missing_action(ref.raw, ref.node, placed))
            return []
        if action.kind != ACTION:
            instance.problems.append(CallProblem(f"'{ref.raw}' is not an action (its action.yml has no 'runs')", ref.node))
            return []
        self._reached.add(action.path)
        inner_scope = Scope(step.inputs, declared_inputs(action), None, step.effective_env, scope)
        link = Link(workflow.path, step=step.label)
        pseudo = action.jobs[0]
        spliced = [
            replace(inner, effective_env={**step.effective_env, **inner.env}, condition=_both(step.condition, inner.condition))
            for inner in pseudo.steps
        ]
        inner_job = replace(pseudo, steps=spliced)
        return self._steps(inner_job, action, inner_scope, via + (link,), instance, stack + (os.path.abspath(path),))

    def _only_workflows_here(self, path: str) -> bool:
        """Whether ``path`` is outside ``.github/`` in a repository of which only ``.github/`` is
        present (workflows linted without the rest: a copy of the folder, an inventory of many
        repositories). A missing file there is unknown, not broken."""
        if self.root is None:
            return False
        github = os.path.join(os.path.abspath(self.root), ".github")
        if os.path.abspath(path).startswith(github + os.sep):
            return False
        if self._root_holds_only_github is None:
            try:
                entries = set(os.listdir(self.root))
            except OSError:
                entries = set()
            self._root_holds_only_github = entries <= {".github", ".git"}
        return self._root_holds_only_github

    def _missing_action(self, raw: str, node: Node | None, placed: "Placed | None") -> CallProblem:
        """A local action with no action file: broken, unless an earlier step may put one there
        at run time (then the problem says which step, and TC002 is a warning)."""
        message = f"'{raw}' names no action in this repository (no action.yml there)"
        if placed is not None and placed.path:
            shown = "the repository root" if placed.resolved == "./" else placed.resolved
            message = (f"'{raw}' names no action in this repository: {placed.describe()}, so it is {shown}, "
                       "which has no action.yml")
        writer = placed.describe() if placed is not None and placed.ref is not None else None
        writer = writer or earlier_writer(placed.resolved if placed is not None else raw, self._seen)
        if writer is not None:
            message += f"; it may exist at run time: {writer}"
        return CallProblem(message, node, written_by=writer)

    def _limits(self, path: str, stack: tuple[str, ...], node: Node | None, raw: str) -> CallProblem | None:
        if self.root is not None:
            escape = _escape_reason(path, self.root)
            if escape is not None:
                return CallProblem(f"'{raw}' is not followed: {escape}", node)
        path = os.path.abspath(path)
        if path in stack:
            names = " → ".join(self._short(p) for p in (*stack[stack.index(path):], path))
            return CallProblem(f"this call makes a cycle ({names}); GitHub rejects it", node)
        if len(stack) > MAX_DEPTH:
            return CallProblem(f"calls nested deeper than {MAX_DEPTH} levels are not followed", node)
        if self.count > MAX_INSTANCES:
            return self._over_limit("jobs", f"more than {MAX_INSTANCES:,} jobs in this repository's call graph; "
                                    "this call and any later ones are not followed", node)
        if self.called_steps > MAX_CALLED_STEPS:
            return self._over_limit("steps", f"more than {MAX_CALLED_STEPS:,} steps reached through local calls in "
                                    "this repository; this call and any later ones are not followed", node)
        return None

    def _over_limit(self, limit: str, message: str, node: Node | None) -> CallProblem:
        """A call refused for a limit: reported at the first such call only (``quiet`` after)."""
        quiet = limit in self._limits_reported
        self._limits_reported.add(limit)
        return CallProblem(message, node, quiet)

    def _short(self, path: str) -> str:
        """A file as named in a message: from .github/ on (``actions/x/action.yml``)."""
        root = os.path.abspath(self.root) if self.root else None
        relative = os.path.relpath(path, root) if root else os.path.basename(path)
        return relative[len(".github/"):] if relative.startswith(".github/") else relative


# --- what earlier steps put in the workspace ---------------------------------------------------

CHECKOUT = "actions/checkout"
_SAME_REPOSITORY = frozenset({"", "${{github.repository}}"})
"""``repository:`` values (blanks removed, lower case) that name the repository the workflow
runs in (the default)."""


@dataclass(frozen=True)
class Placed:
    """What a local ``uses:`` runs when an earlier ``actions/checkout`` put its directory there."""

    path: str
    """The checkout's ``path:``, relative to the workspace ("" for the workspace itself)."""
    repository: str | None
    """Its ``repository:``; None for this repository."""
    ref: str | None
    """Its ``ref:``, when it checks out another ref than the one the workflow runs at."""
    step: str
    """The checkout step's label."""
    resolved: str
    """The ``uses:`` value as a path of the repository the checkout holds (``./.github/actions/x``)."""

    @property
    def same_repository(self) -> bool:
        return self.repository is None

    @property
    def ref_kind(self) -> str:
        """How firmly the checkout pins the code: a full SHA, a short SHA, a tag or a branch
        (no ``ref:`` is the default branch), or ``expression`` when it cannot be read offline."""
        if self.ref is None:
            return BRANCH
        return "expression" if "${{" in self.ref else classify_ref(self.ref)

    @property
    def ref_words(self) -> str:
        """The checked-out ref in words (``its default branch``, ``tag 'v2.1.0'``)."""
        if self.ref is None:
            return "its default branch"
        return f"{self.ref_kind.replace('-', ' ').replace('sha', 'SHA')} '{self.ref}'"

    def describe(self) -> str:
        what = self.repository or "this repository"
        at = f" at {self.ref}" if self.ref else ""
        into = f" into '{self.path}'" if self.path else ""
        return f"step '{self.step}' checks out {what}{at}{into}"


def _workspace_path(text: str) -> str | None:
    """A path relative to the workspace, normalised (``./src/`` is ``src``; the workspace is
    ""); None for an expression or a path that leaves the workspace."""
    if "${{" in text:
        return None
    text = text.strip()
    if text.startswith("/"):
        return None
    path = os.path.normpath(text) if text else "."
    if path == os.curdir:
        return ""
    if path == os.pardir or path.startswith(os.pardir + os.sep):
        return None
    return path.replace(os.sep, "/")


def _under(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


def _input_text(step: Step, name: str) -> str:
    given = step.input(name)
    return given[1].as_string() if given is not None and isinstance(given[1], Scalar) else ""


def workspace_source(raw: str, earlier: list[Step]) -> Placed | None:
    """The checkout that put the directory of a local action (``./src/.github/actions/x``) in the
    workspace: the last earlier ``actions/checkout`` whose ``path:`` holds it (GitHub resolves
    ``./`` against the workspace, where checkouts put repositories). None when no checkout with
    a ``path:`` or another repository holds it: the action is this repository's file as named.
    ``$/`` names this repository at the running commit, whatever was checked out."""
    if not raw.strip().startswith("./"):
        return None
    target = _workspace_path(raw.strip()[2:])
    if target is None:
        return None
    for step in reversed(earlier):
        uses = step.uses
        if uses is None or uses.action != CHECKOUT:
            continue
        path = _workspace_path(_input_text(step, "path"))
        if path is None or not _under(target, path):
            continue
        repository = _input_text(step, "repository").strip()
        other = None if repository.lower().replace(" ", "") in _SAME_REPOSITORY else repository
        ref = _input_text(step, "ref").strip() or None
        if other is None and path == "" and ref is None:
            return None  # this repository where the workflow expects it: nothing to resolve
        rest = target[len(path):].lstrip("/") if path else target
        return Placed(path, other, ref, step.label, f"./{rest}" if rest else "./")
    return None


def earlier_writer(raw: str, earlier: list[Step]) -> str | None:
    """An earlier step that may write the directory of a local action at run time: one whose
    ``path:`` input holds it (a download, a cache) or whose command names it (a script that
    generates it). Asked only when the action file is missing."""
    target = _workspace_path(raw.strip()[2:]) if raw.strip().startswith("./") else None
    if not target:
        return None
    for step in reversed(earlier):
        if step.uses is not None and step.uses.action == CHECKOUT:
            continue
        path = _workspace_path(_input_text(step, "path"))
        if path and _under(target, path):
            return f"step '{step.label}' writes into '{path}'"
        if step.run is not None and target in step.run.as_string():
            return f"step '{step.label}' names '{target}'"
    return None


def _both(outer: str | None, inner: str | None) -> str | None:
    if outer and inner:
        return f"({outer}) && ({inner})"
    return outer or inner


def declared_inputs(workflow: Workflow) -> dict[str, Node]:
    """``default:`` values of the inputs a reusable workflow or action declares."""
    if workflow.kind == ACTION:
        block = workflow.node.get("inputs")
    else:
        on = workflow.on_node
        call = on.get("workflow_call") if isinstance(on, Mapping) else None
        block = call.get("inputs") if isinstance(call, Mapping) else None
    defaults: dict[str, Node] = {}
    if isinstance(block, Mapping):
        for key, spec in block.items():
            default = spec.get("default") if isinstance(spec, Mapping) else None
            if default is not None:
                defaults[key.text] = default
    return defaults


# --- resolving values through the chain ------------------------------------------------------


def rebind(credential: Credential, scope: Scope | None) -> Credential:
    """Follow a credential read from ``inputs.X`` or ``secrets.X`` up the callers.

    A secret or input the caller does not pass is empty: the tool then falls back to what it
    does without a credential (kind ``none``; the caller decides whether that means OIDC).
    """
    hops = 0
    while scope is not None and credential.origin in ("inputs", "secrets") and credential.source and hops < MAX_DEPTH * 2:
        hops += 1
        name = credential.source.split(".", 1)[1] if "." in credential.source else ""
        if credential.origin == "secrets" and scope.secrets is None:
            scope = scope.parent
            continue
        value = _bound_value(credential.origin, name, scope)
        if value is None:
            return Credential(CredentialKind.NONE, None, None, credential.node)
        secret_kind = CredentialKind.PASSWORD if credential.kind == CredentialKind.PASSWORD else CredentialKind.TOKEN
        if not isinstance(value, Scalar):
            return replace(credential, kind=CredentialKind.UNKNOWN)
        kind, source, origin = cred.trace_text(value.as_string(), cred.env_lookup(scope.env), secret_kind=secret_kind)
        value_node = value if kind == CredentialKind.LITERAL else credential.value_node
        credential = Credential(kind, source, origin, credential.node, value_node)
        scope = scope.parent
    return credential


def _bound_value(origin: str, name: str, scope: Scope) -> Node | None:
    if origin == "inputs":
        given = scope.given.get(name) if scope.given is not None else None
        if given is None and scope.given is not None:
            given = scope.given.get(name.replace("_", "-")) or scope.given.get(name.replace("-", "_"))
        return given if given is not None else scope.defaults.get(name)
    secrets = scope.secrets or {}
    var = secrets.get(name) or next((v for k, v in secrets.items() if k.lower() == name.lower()), None)
    return var.value if var is not None else None


def bind_publish(publish: Publish, scope: Scope | None) -> Publish:
    """An upload in a called file, with its credential and index URL read through the callers.
    An input or secret the caller does not pass is empty, so the tool does what it does with
    no credential (Trusted Publishing, for tools that can)."""
    if scope is None:
        return publish
    credential = rebind(publish.credential, scope)
    if credential.kind == CredentialKind.NONE and publish.credential.kind != CredentialKind.NONE:
        credential = cred.fallback(publish.native_oidc, credential.node)
    index = publish.index
    if index == UNKNOWN_INDEX and isinstance(publish.index_node, Scalar):
        index = classify_index_url(resolve_text(publish.index_node.as_string(), scope))
    if credential is publish.credential and index == publish.index:
        return publish
    return replace(publish, credential=credential, index=index)


def resolve_text(text: str, scope: Scope | None) -> str:
    """A value that is exactly ``${{ inputs.X }}``, replaced by what the callers pass (for
    index URLs and similar settings); anything else is returned unchanged."""
    hops = 0
    while scope is not None and is_pure_expression(text) and hops < MAX_DEPTH * 2:
        hops += 1
        refs = references(text)
        if len(refs) != 1 or refs[0].context != "inputs" or not refs[0].parts:
            return text
        value = _bound_value("inputs", refs[0].parts[0], scope)
        if not isinstance(value, Scalar):
            return text
        text = value.as_string()
        scope = scope.parent
    return text


__all__ = [
    "CallProblem", "Expander", "JobInstance", "Link", "Placed", "Scope", "StepInstance",
    "bind_publish", "declared_inputs", "describe_chain", "earlier_writer", "local_target", "rebind", "resolve_text",
    "workspace_source",
]
