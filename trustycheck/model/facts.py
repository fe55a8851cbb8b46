"""Facts: the typed evidence rules and ``status`` read, declared once.

Each class is a record of facts (see :mod:`trustycheck.engine.vocabulary`): a field declared with
``fact("...")`` or a ``cached_property`` whose docstring says what it means. ``trustycheck facts``
and the catalog's check of rule files list exactly these declarations, walked from
:class:`Context`. Values that carry a ``pos`` (nodes) are what a rule's ``at:`` points at.

Costly facts (what a job builds, how it is gated, whether it hands publishing to something out of
sight) are ``cached_property`` members: computed when a rule, or ``status``, first reads them.
Most jobs never publish, and no built-in rule asks what a non-publishing job builds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from trustycheck.engine.vocabulary import FactRecord, fact, vocabulary
from trustycheck.model.callgraph import JobInstance, StepInstance
from trustycheck.model.inherited import inherit_risk
from trustycheck.model.credentials import CredentialKind
from trustycheck.model.delegation import Authority, Delegation, release_script, remote_action, remote_workflow
from trustycheck.model.gating import step_release_guarded, step_runs_in, tag_guarded
from trustycheck.model.images import JobImage, job_images
from trustycheck.model.permissions import Permissions, publishing_excess
from trustycheck.model.pypa_action import documented_floating_ref
from trustycheck.model.pypi import INDEX_NAMES, PYPI, TESTPYPI, reusable_workflow_publisher
from trustycheck.model.reachability import Reachability
from trustycheck.model.refs import ActionRef, pinned_in_words
from trustycheck.model.caches import Cache
from trustycheck.model.roles import artifact_transfer, caches_read, looks_like_release, step_role
from trustycheck.nodes import Node, Pos


@dataclass(eq=False, repr=False)
class FileFacts(FactRecord):
    """The file a context is in."""

    path: str = field(metadata=fact("path of the file as given"))
    kind: str | None = field(metadata=fact("'workflow' or 'action' (a local composite action file)"))


@dataclass(eq=False, repr=False)
class ProblemFacts(FactRecord):
    """Why (part of) a file could not be read."""

    kind: str = field(metadata=fact("why the file could not be read: unreadable, limit, encoding, yaml, empty, duplicate-key, "
                     "not-a-workflow, structure, internal; or 'call' for a local uses: that cannot be followed"))
    message: str = field(metadata=fact("a sentence describing the problem"))
    node: Pos = field(metadata=fact("where the problem is"))
    written_by: str | None = field(default=None, metadata=fact("for a local uses: that names no action: the earlier step that may put "
                                  "one there at run time (a checkout of another ref, a download, a script naming the directory)"))


@dataclass(eq=False, repr=False)
class SecretFacts(FactRecord):
    """A credential written into a file."""

    what: str = field(metadata=fact("what is written in the file: a PyPI API token, or the credential of a named tool"))
    node: Pos = field(metadata=fact("where the value is written (masked in every output)"))


@dataclass(eq=False, repr=False)
class CallFacts(FactRecord):
    """How a job or step was reached."""

    chain: str | None = field(metadata=fact("for a job or step reached through local calls: the chain, e.g. release.yml job "
                             "'publish' → publish.yml job 'upload' (added to every finding's message)"))
@dataclass(eq=False, repr=False)
class PermissionFacts(FactRecord):
    """Permissions in effect. Each scope's level is a fact of its own (``job.permissions.id-token``)."""

    block: Node | None = field(metadata=fact("the permissions: block in effect, if any"))
    origin: str | None = field(metadata=fact("where the permissions come from: job, workflow, default, or caller "
                              "(a called workflow with no block of its own)"))
    writes: list[str] = field(default_factory=list, metadata=fact("scopes granted write, other than id-token"))
    id_token_node: Node | Pos | None = field(default=None, metadata=fact("the node that grants id-token: write (its key, or the write-all value)"))
    levels: dict[str, str] = field(default_factory=dict, metadata={"doc": "level of a scope (id-token, contents...): "
                                                                           "write, read, none, or default"})
    wildcard = "levels"

    @classmethod
    def of(cls, permissions: Permissions | None) -> PermissionFacts:
        if permissions is None:
            return cls(None, None)
        levels = permissions.levels()
        id_token = permissions.scope_node("id-token") if levels.get("id-token") == "write" else None
        writes = [scope for scope in permissions.write_scopes() if scope != "id-token"]
        return cls(permissions.node, permissions.origin, writes, id_token, levels)


@dataclass(eq=False, repr=False)
class ExcessPermissionFacts(FactRecord):
    """Token permissions a publishing job holds beyond what publishing needs."""

    scopes: list[str] = field(metadata=fact("write scopes the job does not need (empty when it sets no permissions at all)"))
    node: Node | Pos = field(metadata=fact("the first such scope's key, the write-all value, or the job's key when no "
                                           "permissions: block applies"))
    what: str = field(metadata=fact("what the job holds, in words"))


@dataclass(eq=False, repr=False)
class OnFacts(FactRecord):
    """The workflow's trigger."""

    node: Node | None = field(metadata=fact("the on: value"))


@dataclass(eq=False, repr=False)
class WorkflowFacts(FactRecord):
    """A workflow, or a local action file."""

    name: str | None = field(metadata=fact("the workflow's name:"))
    events: list[str] = field(metadata=fact("list of events in on:"))
    reusable: bool = field(metadata=fact("true when triggered by workflow_call"))
    kind: str = field(metadata=fact("'workflow', or 'action' for a local action file (its caller sets permissions and environment)"))
    node: Node | None = field(metadata=fact("the workflow's top-level mapping"))
    on: OnFacts = field(metadata=fact("the trigger"))
    permissions: PermissionFacts = field(metadata=fact("the workflow-level permissions"))
    publishes: bool = field(default=False, metadata=fact("true when a job of the workflow uploads to PyPI or TestPyPI"))
    releases_to_pypi: bool = field(default=False, metadata=fact("true when a job of the workflow (or of a workflow it calls) uploads to "
                                   "PyPI, not only TestPyPI: a release workflow"))
    file_name: str | None = field(default=None, metadata=fact("the file's name, e.g. publish.yml (what a trusted publisher names)"))


@dataclass(eq=False, repr=False)
class UsesFacts(FactRecord):
    """A ``uses:`` reference (an action, or a reusable workflow)."""

    raw: str = field(metadata=fact("the uses: value as written"))
    action: str | None = field(metadata=fact("owner/repo[/path] of the action or workflow, lower case"))
    ref: str | None = field(metadata=fact("the ref after @"))
    ref_kind: str = field(metadata=fact("sha, short-sha, tag, branch or none"))
    kind: str = field(metadata=fact("repo, local or docker"))
    node: Node | None = field(metadata=fact("the uses: value"))
    documented_floating: bool = field(metadata=fact("true for a moving ref the action itself recommends (pypa/gh-action-pypi-publish@release/v1)"))
    release: bool = field(metadata=fact("true when the path names a release (publish, release, pypi...)"))

    @classmethod
    def of(cls, ref: ActionRef) -> UsesFacts:
        return cls(ref.raw, ref.action, ref.ref, ref.ref_kind, ref.kind, ref.node, documented_floating_ref(ref), looks_like_release(ref.raw))

    @cached_property
    def pinned_to(self) -> str:
        """how the ref pins the code, in words for a message (a branch, not a full commit SHA)"""
        return pinned_in_words(self.ref_kind)



@dataclass(eq=False, repr=False)
class DelegationFacts(FactRecord):
    """Publishing handed to something trustycheck cannot read."""

    kind: str = field(metadata=fact("remote-workflow, remote-action or script"))
    target: str = field(metadata=fact("the reusable workflow, the action, or the command that runs the task"))
    authority: Authority = field(metadata=fact("token (a PyPI-looking secret is handed over), id-token (the job may mint OIDC tokens) "
                          "or inherit (secrets: inherit)"))
    credential: str | None = field(metadata=fact("the secret handed over, or 'id-token: write'"))
    node: Node | None = field(metadata=fact("the key that hands it over, or the uses: value or run: script"))
    needs: str = field(metadata=fact("what would have to be read to know how it publishes"))

    @classmethod
    def of(cls, delegation: Delegation | None) -> DelegationFacts | None:
        if delegation is None:
            return None
        return cls(delegation.kind, delegation.target, delegation.authority, delegation.credential, delegation.node, delegation.needs)


@dataclass(eq=False, repr=False)
class CredentialFacts(FactRecord):
    """What authenticates an upload (never the value)."""

    kind: CredentialKind = field(metadata=fact("oidc, token, password, literal, minted, none or unknown"))
    source: str | None = field(metadata=fact("where it comes from, e.g. secrets.PYPI_API_TOKEN (never the value)"))
    origin: str | None = field(metadata=fact("secrets, vars, inputs, env, steps or literal"))
    long_lived: bool = field(metadata=fact("true for a stored token, password or literal"))
    node: Node | Pos | None = field(metadata=fact("the key that passes the credential"))
    value_node: Node | Pos | None = field(metadata=fact("the value that holds the credential"))


@dataclass(eq=False, repr=False)
class UploadFacts(FactRecord):
    """One upload path: what uploads, where to, and with which credential."""

    tool: str = field(metadata=fact("the tool or action that uploads (for a task handed a token: the command that runs it)"))
    index: str = field(metadata=fact("pypi, testpypi, other (a private index) or unknown"))
    index_name: str = field(metadata=fact("the index in words (PyPI, TestPyPI...)"))
    to_pypi: bool = field(metadata=fact("true for PyPI or TestPyPI, where Trusted Publishing exists"))
    native_oidc: bool = field(metadata=fact("true when the tool can do Trusted Publishing itself"))
    oidc_since: str | None = field(metadata=fact("the tool version that brought Trusted Publishing (e.g. twine 6.1.0)"))
    builds: bool = field(metadata=fact("true when the upload command also builds the project"))
    attestations_off: Node | None = field(metadata=fact("the attestations: false key, when PEP 740 attestations are switched off"))
    action_ref_problem: str | None = field(metadata=fact("why the PyPA action's ref is outdated or broken (master, v1, a version "
                                          "before Trusted Publishing or default attestations)"))
    node: Node | Pos = field(metadata=fact("what uploads (the uses: value or run: script)"))
    index_node: Node | Pos | None = field(metadata=fact("the key that sets the index URL, if any"))
    credential: CredentialFacts = field(metadata=fact("what authenticates the upload"))
    delegated: bool = field(default=False, metadata=fact("true when a release task or another repository's action is handed a PyPI token: "
                           "the upload is out of sight, the token is not"))
    oidc_gap: str | None = field(default=None, metadata=fact("when the upload has no token: why Trusted Publishing cannot work here "
                                "(the job lacks id-token: write, or the tool does not support it)"))
    token_then_oidc: bool = field(default=False, metadata=fact("true when the upload uses a stored token in a job with id-token: write, "
                                  "and its tool (the PyPA action, pdm) would use Trusted Publishing once that secret is "
                                  "empty or deleted"))


@dataclass(eq=False, repr=False)
class EnvironmentFacts(FactRecord):
    """A job's deployment environment."""

    name: str | None = field(metadata=fact("the job's environment name (may be an expression)"))
    node: Node | None = field(metadata=fact("the environment: value"))


@dataclass(eq=False, repr=False)
class StepRefFacts(FactRecord):
    """A step a job fact points at."""

    label: str = field(metadata=fact("the step's name:, else its uses: or the first line of its command (as GitHub's log names it)"))
    node: Node | Pos = field(metadata=fact("that step"))


@dataclass(eq=False, repr=False)
class ArtifactFacts(FactRecord):
    """Artifacts a job hands on and receives."""

    uploads: list[str | None] = field(metadata=fact("names of the artifacts the job uploads (null for the default name; * for expressions)"))
    downloads: list[str | None] = field(metadata=fact("names or patterns of the artifacts the job downloads (null: all)"))


@dataclass(eq=False, repr=False)
class _Roles:
    """The steps that give a job its roles."""

    builds: StepRefFacts | None
    caches: StepRefFacts | None
    """The step restoring the riskiest cache (the first of equal risk)."""
    untrusted_checkout: StepRefFacts | None
    cache_what: str | None = None


@dataclass(eq=False, repr=False)
class _Gating:
    """When the job can run, as the rules about triggers read it."""

    untrusted_events: list[str]
    untrusted_trigger_node: Node | None
    ungated_events: list[str]


@dataclass(eq=False, repr=False)
class CheckedOutActionFacts(FactRecord):
    """The other repository a local ``uses:`` runs an action of, as an earlier checkout put it in
    the workspace."""

    repository: str = field(metadata=fact("the repository the checkout fetched (owner/name, as written)"))
    ref_kind: str = field(metadata=fact("how the checkout pins it: sha, short-sha, tag, branch (no ref: is the default "
                                        "branch) or expression (not known offline)"))
    at: str = field(metadata=fact("the checked-out ref in words: its default branch, branch 'main', tag 'v2'"))
    step: str = field(metadata=fact("the checkout step's label"))


@dataclass(eq=False, repr=False)
class StepFacts(FactRecord):
    """A step of a job instance (one record per upload, when a step uploads several times)."""

    index: int = field(metadata=fact("0-based position of the step in the job"))
    label: str = field(metadata=fact("the step's name:, else its uses: or the first line of its command (as GitHub's log names it)"))
    node: Node = field(metadata=fact("the step's mapping"))
    publish: UploadFacts | None = field(metadata=fact("present when the step uploads to a package index, or hands a PyPI token "
                                       "to a release task or another repository's action"))
    _instance: StepInstance = field(repr=False)
    _pypi_oidc: bool = field(default=False, repr=False)
    """The job may mint an OIDC token for PyPI (and uses it for nothing else in sight)."""
    _handed: DelegationFacts | None = field(default=None, repr=False)
    """A PyPI token handed to a task or action, found while building the step (it is ``publish``)."""
    unreachable_upload: UploadFacts | None = field(default=None, repr=False)
    """The upload this step would make, in a job no run can start (``publish`` is then empty): not a
    fact for rules, only for saying why a repository publishes nothing."""

    @cached_property
    def delegates(self) -> DelegationFacts | None:
        """present when a step may publish out of sight: another repository's action given a PyPI-looking
        secret, or a release task or script (make release, nox -s publish, ./release.sh)"""
        if self._handed is not None or self.publish is not None:
            return self._handed
        step = self._instance.step
        return DelegationFacts.of(remote_action(step) or release_script(step, self._pypi_oidc))

    @cached_property
    def out_of_sight(self) -> str | None:
        """for a local uses: into a directory where an earlier step checked out another repository: that
        checkout (the action cannot be read offline, so nothing it does is seen)"""
        return self._instance.out_of_sight

    @cached_property
    def checked_out_action(self) -> CheckedOutActionFacts | None:
        """present when the step's local uses: runs an action of another repository that an earlier step
        checked out into the workspace (actions/checkout with repository: and path:)"""
        placed = self._instance.checked_out_from
        if placed is None or placed.repository is None:
            return None
        return CheckedOutActionFacts(placed.repository, placed.ref_kind, placed.ref_words, placed.step)

    @cached_property
    def uses(self) -> UsesFacts | None:
        """the action the step runs"""
        ref = self._instance.step.uses
        return UsesFacts.of(ref) if ref is not None else None


@dataclass(eq=False, repr=False)
class JobFacts(FactRecord):
    """A job as it runs: for a called workflow, one record per call chain that reaches it."""

    id: str = field(metadata=fact("the job's id"))
    name: str | None = field(metadata=fact("the job's name:"))
    key: Node = field(metadata=fact("the job's id key"))
    node: Node = field(metadata=fact("the job's mapping"))
    condition: str | None = field(metadata=fact("the job's if: expression", name="if"))
    permissions: PermissionFacts = field(metadata=fact("the permissions in effect (job, workflow, default, or the caller's)"))
    environment: EnvironmentFacts | None = field(metadata=fact("the job's environment"))
    publishes: bool = field(metadata=fact("true when a step of the job uploads to a package index"))
    publishes_to_pypi: bool = field(metadata=fact("true when a step of the job uploads to PyPI or TestPyPI (itself, or through "
                                   "a release task or action handed a PyPI token)"))
    calls: UsesFacts | None = field(metadata=fact("for a reusable-workflow call job, the uses: reference"))
    secrets_inherit: bool = field(metadata=fact("true for secrets: inherit"))
    secrets_node: Node | None = field(metadata=fact("the secrets: value of a reusable-workflow call"))
    trigger_node: Node | None = field(metadata=fact("the on: value of the top-level workflow that starts the job "
                                     "(the caller's, for a called workflow)"))
    _instance: JobInstance = field(repr=False, compare=False)
    feeds_publish: bool = field(default=False, metadata=fact("true when a job that publishes to PyPI needs this job (directly or not) and downloads "
                               "an artifact this job uploads: it builds what is published"))
    _steps: list[StepFacts] = field(default_factory=list, repr=False, compare=False)
    _publishing_steps: list[StepInstance] = field(default_factory=list, repr=False, compare=False)
    _reach: Reachability | None = field(default=None, repr=False, compare=False)

    @cached_property
    def delegates(self) -> DelegationFacts | None:
        """present when the job calls another repository's reusable workflow and hands it id-token: write,
        a PyPI-looking secret or (for a release workflow) secrets: inherit"""
        if self._instance.job.uses is None:
            return None
        id_token = self._instance.permissions.level("id-token") == "write"
        return DelegationFacts.of(remote_workflow(self._instance.job, id_token))

    @cached_property
    def releases_to_pypi(self) -> bool:
        """true when a step of the job uploads to PyPI itself, not only to TestPyPI (itself, or through a
        release task or action handed a PyPI token): what makes a release job"""
        return any(step.publish is not None and step.publish.to_pypi and step.publish.index != TESTPYPI for step in self._steps)

    @cached_property
    def on_path_to(self) -> str | None:
        """what the job's work ends in, in words: a PyPI release (it uploads to PyPI, or builds what a PyPI
        upload publishes), else a TestPyPI upload; absent for a job that does neither"""
        if self.releases_to_pypi or self.feeds_publish:
            return "a PyPI release"
        return "a TestPyPI upload" if self.publishes_to_pypi else None

    @cached_property
    def publishes_to(self) -> str | None:
        """the indexes with Trusted Publishing the job uploads to, in words: PyPI, TestPyPI, or PyPI and TestPyPI"""
        indexes = {step.publish.index for step in self._steps if step.publish is not None and step.publish.to_pypi}
        return " and ".join(INDEX_NAMES[index] for index in (PYPI, TESTPYPI) if index in indexes) or None

    @cached_property
    def excess_permissions(self) -> ExcessPermissionFacts | None:
        """present when the job holds write scopes publishing does not need (id-token and attestations are
        needed; contents only when the job makes the GitHub release or pushes), or sets no permissions at
        any level (job, workflow, caller), so the repository default applies"""
        instance = self._instance
        entry = instance.entry
        caller_unknown = entry.kind != "workflow" or all(event == "workflow_call" for event in entry.events)
        excess = publishing_excess(instance.permissions, [s.step for s in instance.steps], caller_unknown)
        if excess is None:
            return None
        scopes, node, what = excess
        return ExcessPermissionFacts(scopes, node if node is not None else self.key, what)

    @cached_property
    def _unpinned_images(self) -> list[JobImage]:
        return [image for image in job_images(self._instance.job.node) if not image.pinned]

    @cached_property
    def unpinned_images(self) -> list[str]:
        """the job's container: and services: images pinned by a tag rather than an @sha256: digest"""
        return [str(image) for image in self._unpinned_images]

    @cached_property
    def unpinned_image_node(self) -> Node | None:
        """the first such image's value"""
        return self._unpinned_images[0].node if self._unpinned_images else None

    @cached_property
    def caller_file(self) -> str | None:
        """for a job of a called workflow: the file name of the top-level workflow that calls it (null when the
        job's own workflow was started by an event)"""
        entry = self._instance.entry
        return None if entry is self._instance.workflow else os.path.basename(entry.path)

    @cached_property
    def publisher_workflow(self) -> str:
        """the workflow file name a PyPI trusted publisher must name for this job's uploads: the file that
        defines the job, which for a called workflow is the called file today (the OIDC job_workflow_ref
        claim, DOMAIN.md §2.2); an upload in a composite action belongs to the workflow running the job"""
        return os.path.basename(self._instance.workflow.path)

    @cached_property
    def reusable_publishing(self) -> str | None:
        """for a job of a reusable workflow that runs as called: what Trusted Publishing from it depends on. PyPI
        matches the called file (the OIDC job_workflow_ref claim) today, so only a same-repository caller can work
        (DOMAIN.md §2.2). Null when the workflow runs started by its own events (push, dispatch...), where it
        is the top-level workflow PyPI expects"""
        workflow = self._instance.workflow
        only_called = all(event == "workflow_call" for event in workflow.events)
        return reusable_workflow_publisher(self.publisher_workflow, self.caller_file, only_called)

    @cached_property
    def inherit_risk(self) -> str | None:
        """for secrets: inherit: what the callee can do with every secret (null for a workflow of this repository
        that reads none)"""
        return inherit_risk(self._instance)

    @cached_property
    def artifacts(self) -> ArtifactFacts:
        """the artifacts the job uploads and downloads"""
        uploads: list[str | None] = []
        downloads: list[str | None] = []
        for step_instance in self._instance.steps:
            uploaded, downloaded, name = artifact_transfer(step_instance.step)
            if uploaded:
                uploads.append(name)
            if downloaded:
                downloads.append(name)
        return ArtifactFacts(uploads, downloads)

    @cached_property
    def uploads_artifact(self) -> bool:
        """true when a step uploads an artifact (actions/upload-artifact)"""
        return bool(self.artifacts.uploads)

    @cached_property
    def builds(self) -> bool:
        """true when a step builds or runs project code (build, pip install ., tests, tox, cibuildwheel,
        or a publish command that builds)"""
        return self._roles.builds is not None

    @cached_property
    def build_step(self) -> StepRefFacts | None:
        """the first step that builds or runs project code"""
        return self._roles.builds

    @cached_property
    def caches(self) -> bool:
        """true when a step restores a cache (actions/cache, setup-python cache:...) that a later step reads: an
        install, a fetch or a build for a package cache, any command for a restored virtualenv or build output"""
        return self._roles.caches is not None

    @cached_property
    def cache_step(self) -> StepRefFacts | None:
        """the step that restores the riskiest cache a later step reads (a virtualenv or build output before
        a package cache, a package cache before a linter's)"""
        return self._roles.caches

    @cached_property
    def cache_restored(self) -> str | None:
        """what the riskiest cache the job restores holds, in words (e.g. uv's package cache)"""
        return self._roles.cache_what

    @cached_property
    def untrusted_checkout(self) -> bool:
        """true when a step checks out a pull request's or workflow_run's head"""
        return self._roles.untrusted_checkout is not None

    @cached_property
    def untrusted_checkout_step(self) -> StepRefFacts | None:
        """the step that checks out untrusted code"""
        return self._roles.untrusted_checkout

    @cached_property
    def tag_guarded(self) -> bool:
        """true when the job's if: (or every publishing step's if:) limits it to tags or releases"""
        publishing = self._publishing_steps
        return any(tag_guarded(c) for c in self._instance.conditions) or (
            bool(publishing) and all(step_release_guarded(s.step.condition) for s in publishing))

    @cached_property
    def untrusted_events(self) -> list[str]:
        """events that outsiders can cause (pull_request_target, workflow_run, issue_comment...) that can
        start this job, after its if:"""
        return self._gating.untrusted_events

    @cached_property
    def untrusted_trigger_node(self) -> Node | None:
        """the first trigger in untrusted_events"""
        return self._gating.untrusted_trigger_node

    @cached_property
    def ungated_events(self) -> list[str]:
        """events that start this job on every branch push or on a schedule, with no tag/release filter in
        the trigger nor tag/release guard in if:"""
        return self._gating.ungated_events

    @cached_property
    def _roles(self) -> _Roles:
        builds = caches = untrusted = None
        cache = None
        restored: list[tuple[StepRefFacts, Cache]] = []  # caches restored so far that no step has read yet
        for step_instance in self._instance.steps:
            step = step_instance.step
            role = step_role(step)
            here = StepRefFacts(step.label, step.node)
            if builds is None and role.builds:
                builds = here
            for restored_here, restored_cache in caches_read(role, restored):
                if cache is None or restored_cache.risk > cache.risk:
                    caches, cache = restored_here, restored_cache
            if role.cache is not None:
                restored.append((here, role.cache))
            if untrusted is None and role.untrusted_checkout:
                untrusted = here
        for step_facts in self._steps:
            upload = step_facts.publish
            if upload is not None and upload.builds:  # a publish command that builds installs from caches too
                builds = builds or StepRefFacts(step_facts.label, upload.node)
                for restored_here, restored_cache in restored:
                    if cache is None or restored_cache.risk > cache.risk:
                        caches, cache = restored_here, restored_cache
                break
        return _Roles(builds, caches, untrusted, cache.what if cache is not None else None)

    @cached_property
    def can_run(self) -> bool:
        """false when no run can start the job: no trigger passes its if:, a job it needs never runs
        (without always(), cancelled() or failure() in its if:), or its caller never runs. Such a job
        publishes nothing"""
        return self._reachability.can_run(self._instance)

    @property
    def _reachability(self) -> Reachability:
        return self._reach if self._reach is not None else Reachability([self._instance])

    @cached_property
    def _gating(self) -> _Gating:
        """Gating seen from the top-level workflow: the runs its triggers start in which this job can
        run, after every ``if:`` on the way down the call chain and the jobs it needs."""
        instance = self._instance
        runs = self._reachability.runs(instance)
        untrusted = list(dict.fromkeys(run.trigger for run in runs if run.untrusted and run.trigger is not None))
        publishing = self._publishing_steps
        ungated = sorted({run.event for run in runs if run.ungated and run.event is not None and (
            not publishing or any(step_runs_in(s.step.condition, self._reachability.step_situation(
                instance, s.step.condition, run)) for s in publishing))})
        return _Gating([t.event for t in untrusted], untrusted[0].node if untrusted else None, ungated)


@dataclass(eq=False, repr=False)
class Context(FactRecord):
    """What a rule sees in one place: the file, and the records of its scope and those around it.
    A rule of scope ``step`` reads file, workflow, job, step and call; ``job`` reads file,
    workflow, job and call; ``workflow`` reads file and workflow; ``problem`` and ``secret`` read
    file and their own record."""

    file: FileFacts = field(metadata=fact("the file"))
    workflow: WorkflowFacts | None = field(default=None, metadata=fact("the workflow (or local action) the file defines"))
    job: JobFacts | None = field(default=None, metadata=fact("the job (for a called workflow, the job instance as its caller runs it)"))
    step: StepFacts | None = field(default=None, metadata=fact("the step"))
    call: CallFacts | None = field(default=None, metadata=fact("how the job or step was reached through local calls"))
    problem: ProblemFacts | None = field(default=None, metadata=fact("a problem that kept part of a file from being read"))
    secret: SecretFacts | None = field(default=None, metadata=fact("a credential written into a file"))


SCOPE_NAMES = ("problem", "secret", "workflow", "job", "step")

@lru_cache(maxsize=1)
def fact_vocabulary() -> dict[str, str]:
    """Every fact path a rule may name, with what it means (``trustycheck facts`` prints it)."""
    return vocabulary(Context)
