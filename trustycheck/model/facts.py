"""Facts: the model flattened into the vocabulary rule conditions are written in.

Rules never see model objects, only these nested dicts, so the engine stays ignorant of PyPI
and a rule author can read ``FACTS`` (also shown by ``trustycheck facts``) to know what exists.
Values that carry a ``pos`` (nodes) are what a rule's ``at:`` points at.
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import partial

from trustycheck.loader import Document, Problem
from trustycheck.model.callgraph import Expander, JobInstance, StepInstance, bind_publish, describe_chain
from trustycheck.model.delegation import Delegation, oidc_used_elsewhere, release_script, remote_action, remote_workflow
from trustycheck.model.gating import UNTRUSTED_EVENTS, event_excluded, step_release_guarded, tag_guarded, ungated_trigger
from trustycheck.model.lazy import LazyFacts, Thunk
from trustycheck.model.permissions import Permissions
from trustycheck.model.project import Project
from trustycheck.model.publish import Publish, detect_publishes
from trustycheck.model.pypa_action import documented_floating_ref
from trustycheck.model.pypi import INDEX_NAMES, looks_like_token, token_spans
from trustycheck.model.refs import ActionRef
from trustycheck.model.roles import artifact_transfer, artifacts_match, looks_like_release, step_role
from trustycheck.model.workflow import ACTION, WORKFLOW, Step, Workflow
from trustycheck.nodes import Node, Pos
from dataclasses import dataclass, field, replace

Facts = dict[str, object]

SCOPE_NAMES = ("problem", "secret", "workflow", "job", "step")

FACTS: dict[str, str] = {
    "file.path": "path of the file as given",
    "file.kind": "'workflow' or 'action' (a local composite action file)",
    "problem.kind": "why the file could not be read: unreadable, limit, encoding, yaml, empty, "
    "duplicate-key, not-a-workflow, structure; or 'call' for a local uses: that cannot be followed",
    "problem.message": "a sentence describing the problem",
    "problem.node": "where the problem is",
    "secret.what": "what is written in the file: a PyPI API token, or the credential of a named tool",
    "secret.node": "where the value is written (masked in every output)",
    "workflow.name": "the workflow's name:",
    "workflow.events": "list of events in on:",
    "workflow.reusable": "true when triggered by workflow_call",
    "workflow.publishes": "true when a job of the workflow uploads to PyPI or TestPyPI",
    "workflow.kind": "'workflow', or 'action' for a local action file (its caller sets permissions and environment)",
    "workflow.node": "the workflow's top-level mapping",
    "workflow.on.node": "the on: value",
    "workflow.permissions.block": "the workflow-level permissions: block, if any",
    "workflow.permissions.*": "workflow-level level of a scope: write, read, none, or default",
    "job.id": "the job's id",
    "job.name": "the job's name:",
    "job.key": "the job's id key",
    "job.node": "the job's mapping",
    "job.if": "the job's if: expression",
    "job.permissions.origin": "where the effective permissions come from: job, workflow, default, "
    "or caller (a called workflow with no block of its own)",
    "job.permissions.block": "the permissions: block in effect (job or workflow level)",
    "job.permissions.writes": "scopes granted write, other than id-token",
    "job.permissions.id_token_node": "the node that grants id-token (its key, or the write-all value)",
    "job.permissions.*": "effective level of a scope (id-token, contents...): write, read, none, default",
    "job.environment.name": "the job's environment name (may be an expression)",
    "job.environment.node": "the environment: value",
    "job.publishes": "true when a step of the job uploads to a package index",
    "job.publishes_to_pypi": "true when a step of the job uploads to PyPI or TestPyPI",
    "job.feeds_publish": "true when a job that publishes to PyPI needs this job (directly or not) "
    "and downloads an artifact this job uploads: it builds what is published",
    "job.artifacts.uploads": "names of the artifacts the job uploads (null for the default name; * for expressions)",
    "job.artifacts.downloads": "names or patterns of the artifacts the job downloads (null: all)",
    "job.uploads_artifact": "true when a step uploads an artifact (actions/upload-artifact)",
    "job.builds": "true when a step builds or runs project code (build, pip install ., tests, tox, "
    "cibuildwheel, or a publish command that builds)",
    "job.build_step.label": "the first step that builds or runs project code",
    "job.build_step.node": "that step",
    "job.caches": "true when a step restores a cache (actions/cache, setup-python cache:...)",
    "job.cache_step.label": "the first step that restores a cache",
    "job.cache_step.node": "that step",
    "job.untrusted_checkout": "true when a step checks out a pull request's or workflow_run's head",
    "job.untrusted_checkout_step.label": "the step that checks out untrusted code",
    "job.untrusted_checkout_step.node": "that step",
    "job.untrusted_events": "events that outsiders can cause (pull_request_target, workflow_run, "
    "issue_comment...) that can start this job, after its if:",
    "job.ungated_events": "events that start this job on every branch push or on a schedule, with no "
    "tag/release filter in the trigger nor tag/release guard in if:",
    "job.untrusted_trigger_node": "the first trigger in untrusted_events",
    "job.tag_guarded": "true when the job's if: (or every publishing step's if:) limits it to tags or releases",
    "job.calls.ref": "for a reusable-workflow call job, the uses: reference",
    "job.calls.node": "for a reusable-workflow call job, the uses: value",
    "job.secrets_inherit": "true for secrets: inherit",
    "job.secrets_node": "the secrets: value of a reusable-workflow call",
    "job.calls.raw": "the uses: value as written",
    "job.calls.release": "true when the called workflow's path names a release (publish, release, pypi...)",
    "job.trigger_node": "the on: value of the top-level workflow that starts the job (the caller's, for a called workflow)",
    "job.delegates": "present when the job calls another repository's reusable workflow and hands it "
    "id-token: write, a PyPI-looking secret or (for a release workflow) secrets: inherit",
    "job.delegates.kind": "remote-workflow",
    "job.delegates.target": "the uses: value",
    "job.delegates.authority": "id-token, token or inherit",
    "job.delegates.credential": "the secret handed over, or 'id-token: write'",
    "job.delegates.node": "the key that hands it over",
    "job.delegates.needs": "what would have to be read to know how it publishes",
    "call.chain": "for a job or step reached through local calls: the chain, e.g. "
    "release.yml job 'publish' → publish.yml job 'upload' (added to every finding's message)",
    "step.delegates": "present when a step may publish out of sight: another repository's action given a "
    "PyPI-looking secret, or a release task or script (make release, nox -s publish, ./release.sh)",
    "step.delegates.kind": "remote-action or script",
    "step.delegates.target": "the action, or the command that runs the task",
    "step.delegates.authority": "token (a PyPI-looking secret is in its env or inputs), id-token "
    "(the job may mint OIDC tokens; a task with neither is not recorded)",
    "step.delegates.credential": "the secret handed over, or 'id-token: write'",
    "step.delegates.node": "the uses: value or run: script",
    "step.delegates.needs": "what would have to be read to know how it publishes",
    "step.index": "0-based position of the step in the job",
    "step.label": "the step's name, id or uses:",
    "step.node": "the step's mapping",
    "step.uses.action": "owner/repo[/path] of the action, lower case",
    "step.uses.raw": "the uses: value as written",
    "step.uses.documented_floating": "true for a moving ref the action itself recommends (pypa/gh-action-pypi-publish@release/v1)",
    "step.uses.ref": "the ref after @",
    "step.uses.ref_kind": "sha, short-sha, tag, branch or none",
    "step.uses.kind": "repo, local or docker",
    "step.uses.node": "the uses: value",
    "step.publish": "present when the step uploads to a package index",
    "step.publish.tool": "the tool or action that uploads",
    "step.publish.index": "pypi, testpypi, other (a private index) or unknown",
    "step.publish.index_name": "the index in words (PyPI, TestPyPI...)",
    "step.publish.to_pypi": "true for PyPI or TestPyPI, where Trusted Publishing exists",
    "step.publish.native_oidc": "true when the tool can do Trusted Publishing itself",
    "step.publish.oidc_since": "the tool version that brought Trusted Publishing (e.g. twine 6.1.0)",
    "step.publish.builds": "true when the upload command also builds the project",
    "step.publish.oidc_gap": "when the upload has no token: why Trusted Publishing cannot work here "
    "(the job lacks id-token: write, or the tool does not support it)",
    "step.publish.attestations_off": "the attestations: false key, when PEP 740 attestations are switched off",
    "step.publish.action_ref_problem": "why the PyPA action's ref is outdated or broken (master, v1, "
    "a version before Trusted Publishing or default attestations)",
    "step.publish.node": "what uploads (the uses: value or run: script)",
    "step.publish.index_node": "the key that sets the index URL, if any",
    "step.publish.credential.kind": "oidc, token, password, literal, minted, none or unknown",
    "step.publish.credential.source": "where it comes from, e.g. secrets.PYPI_API_TOKEN (never the value)",
    "step.publish.credential.origin": "secrets, vars, inputs, env, steps or literal",
    "step.publish.credential.long_lived": "true for a stored token, password or literal",
    "step.publish.credential.node": "the key that passes the credential",
    "step.publish.credential.value_node": "the value that holds the credential",
}


@dataclass
class Analysis:
    """Everything the rules need about a set of files analysed together (one repository)."""

    contexts: dict[str, list[Facts]] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)
    """Files whose findings are shown: the files asked for and the files they call."""
    redactions: dict[str, list[Pos]] = field(default_factory=dict)
    """Spans of secret values per file, to be masked in every output."""


def analyse(doc: Document) -> Analysis:
    """Analyse one document on its own (no repository around it: local calls are not followed)."""
    project = Project(None, lambda path: doc)
    project.add(doc)
    return analyse_project(project, [doc.path])


def analyse_project(project: Project, paths: list[str]) -> Analysis:
    """Build the model for ``paths`` and the files they call (and, for a called file, its
    callers), and flatten it into fact contexts per rule scope."""
    targets = list(dict.fromkeys(paths))
    for path in targets:
        project.document(path)  # a file asked for is always read, so why it cannot be is reported
    models = {path: project.open(path) for path in targets}
    expander = Expander(project.root, project.open)
    reported = dict.fromkeys(targets)
    called_targets = [w for w in models.values() if w is not None and _callable(w)]
    helpers = []
    if called_targets:
        known = {os.path.abspath(path) for path in models}
        helpers = [p for p in project.repository_files() if os.path.abspath(p) not in known]
    instances: list[JobInstance] = []
    reached_any: set[str] = set()
    for path in targets + helpers:
        workflow = project.open(path)
        if workflow is None or not _entry(workflow):
            continue
        made, reached = expander.expand(workflow)
        instances.extend(made)
        reached_any |= reached
        if path in models:
            reported.update(dict.fromkeys(sorted(reached)))
    for path, workflow in models.items():
        if workflow is not None and not _entry(workflow) and path not in reached_any:
            made, reached = expander.expand(workflow)  # a reusable workflow or action with no caller here
            instances.extend(made)
            reported.update(dict.fromkeys(sorted(reached)))
    return _flatten(project, list(reported), instances)


def _callable(workflow: Workflow) -> bool:
    return workflow.kind == ACTION or "workflow_call" in workflow.events


def _entry(workflow: Workflow) -> bool:
    """A workflow that events start by themselves (not only through workflow_call)."""
    return workflow.kind == WORKFLOW and any(event != "workflow_call" for event in workflow.events)


def _flatten(project: Project, reported: list[str], instances: list[JobInstance]) -> Analysis:
    contexts: dict[str, list[Facts]] = {scope: [] for scope in SCOPE_NAMES}
    secrets: list[tuple[Pos, str]] = []
    workflow_facts: dict[str, Facts] = {}
    publishing_files: set[str] = set()
    job_contexts: list[tuple[JobInstance, Facts]] = []

    def facts_of(workflow: Workflow) -> Facts:
        found = workflow_facts.get(workflow.path)
        if found is None:
            found = workflow_facts[workflow.path] = _workflow_facts(workflow)
        return found

    for instance in instances:
        workflow = facts_of(instance.workflow)
        file_facts = {"path": instance.workflow.path, "kind": instance.workflow.kind}
        step_contexts, publishing_steps = _instance_steps(instance, secrets)
        job_facts = _job_facts(instance, step_contexts)
        job_facts["publishes_to_pypi"] = bool(publishing_steps)  # the steps that upload to PyPI or TestPyPI
        job_facts.promise(_ROLE_KEYS, partial(_role_facts, instance, step_contexts))
        job_facts.promise(_ARTIFACT_KEYS, partial(_artifact_facts, instance))
        job_facts.promise(_GATING_KEYS, partial(_gating_facts, instance, publishing_steps))
        chain = describe_chain(instance.chain) if len(instance.chain) > 1 else None
        job_context = {"file": file_facts, "workflow": workflow, "job": job_facts, "call": {"chain": chain}}
        contexts["job"].append(job_context)
        job_contexts.append((instance, job_facts))
        if job_facts["publishes_to_pypi"]:
            publishing_files.update((instance.workflow.path, instance.entry.path))
        # Most steps are in the job's own file and reached through no call: those contexts
        # share one (read-only) file and call mapping.
        own_file = {"path": instance.workflow.path, "kind": instance.workflow.kind}
        job_call = job_context["call"]
        add_step = contexts["step"].append
        for step_instance, facts in step_contexts:
            via = step_instance.via
            links = instance.chain + via if via else instance.chain
            add_step({
                "file": own_file if step_instance.path == own_file["path"] else {"path": step_instance.path, "kind": instance.workflow.kind},
                "workflow": workflow,
                "job": job_facts,
                "step": facts,
                "call": job_call if not via else {"chain": describe_chain(links) if len(links) > 1 else None},
            })
        for problem in _call_problems(instance):
            contexts["problem"].append({"file": {"path": problem.pos.path, "kind": None}, "problem": problem_facts(problem)})
    _mark_feeders(job_contexts)
    documents = project.documents
    for path in reported:
        doc = documents.get(path)
        if doc is None:
            continue
        model = project.open(path)
        file_facts = {"path": path, "kind": model.kind if model else None}
        if model is not None:
            facts = facts_of(model)
            facts["publishes"] = path in publishing_files
            contexts["workflow"].append({"file": file_facts, "workflow": facts})
        # Problems last: building the model may report structure problems and duplicate keys.
        contexts["problem"].extend({"file": file_facts, "problem": problem_facts(p)} for p in doc.problems)
        secrets.extend((pos, "a PyPI API token") for pos in _token_positions(doc))
    redactions: dict[str, list[Pos]] = {}
    for pos, what in _merge_secrets(secrets):
        path = pos.path or ""
        redactions.setdefault(path, []).append(pos)
        contexts["secret"].append({"file": {"path": path, "kind": None}, "secret": {"what": what, "node": pos}})
    return Analysis(contexts, {path: documents[path] for path in reported if path in documents}, reported, redactions)


def _instance_steps(instance: JobInstance, secrets: list[tuple[Pos, str]]) -> tuple[list[tuple[StepInstance, Facts]], list[Step]]:
    """Step facts for every upload of the job's steps (one context per upload, so a script
    that uploads twice is judged twice), with credentials followed up the call chain."""
    id_token = instance.permissions.level("id-token") == "write"
    pypi_oidc = id_token and not oidc_used_elsewhere([s.step for s in instance.steps])
    out: list[tuple[StepInstance, Facts]] = []
    publishing: list[Step] = []
    for step_instance in instance.steps:
        step = step_instance.step
        found = detect_publishes(step, step_instance.job, step_instance.lines)
        if not found:  # most steps
            out.append((step_instance, _step_facts(step, None, _step_delegation(step, pypi_oidc))))
            continue
        publishes = [bind_publish(publish, step_instance.scope) for publish in found]
        if any(publish.to_pypi for publish in publishes):
            publishing.append(step)
        for publish in publishes:
            value = publish.credential.value_node
            if publish.credential.kind == "literal" and value is not None:
                secrets.append((_located(value, step_instance.path), f"the credential given to {publish.tool}"))
        delegates = _no_delegation if publishes else _step_delegation(step, pypi_oidc)
        for publish in publishes or [None]:
            facts = _step_facts(step, publish, delegates)
            if facts["publish"]:
                facts["publish"]["oidc_gap"] = _oidc_gap(facts["publish"], instance.job.id, id_token)
            out.append((step_instance, facts))
    return out, publishing


def _located(value: Node | Pos, path: str) -> Pos:
    pos = value if isinstance(value, Pos) else value.pos
    return pos if pos.path else replace(pos, path=path)


def _call_problems(instance: JobInstance) -> list[Problem]:
    found = []
    for problem in instance.problems:
        if problem.quiet:
            continue
        node = problem.node
        pos = _located(node if node is not None else instance.job.key, instance.workflow.path)
        found.append(Problem("call", problem.message, pos))
    return found


def problems_only(doc: Document) -> Analysis:
    """An analysis holding only the document's problems (when the model could not be built)."""
    file_facts = {"path": doc.path, "kind": None}
    contexts: dict[str, list[Facts]] = {scope: [] for scope in SCOPE_NAMES}
    contexts["problem"] = [{"file": file_facts, "problem": problem_facts(p)} for p in doc.problems]
    return Analysis(contexts, {doc.path: doc}, [doc.path], {})


def _merge_secrets(found: list[tuple[Pos, str]]) -> list[tuple[Pos, str]]:
    """Each secret span once, sorted; where a literal credential overlaps a token-shaped
    string, the span is described as a PyPI API token."""
    tokens = [(pos, what) for pos, what in found if what == "a PyPI API token"]
    merged = list(tokens)
    for pos, what in found:
        if what != "a PyPI API token" and not any(_overlaps(pos, other) for other, _ in merged):
            merged.append((pos, what))
    unique = {(pos.path, pos.line, pos.col, pos.end_line, pos.end_col): (pos, what) for pos, what in merged}
    return sorted(unique.values(), key=lambda item: (item[0].path or "", item[0].line, item[0].col))


def _overlaps(a: Pos, b: Pos) -> bool:
    return a.path == b.path and (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col)


def _oidc_gap(publish: Facts, job_id: str, id_token: bool) -> str | None:
    kind = publish["credential"]["kind"]
    if kind == "none":
        return f"{publish['tool']} cannot do Trusted Publishing and is given no token"
    if kind == "oidc" and not id_token:
        return f"job '{job_id}' does not grant id-token: write, so no OIDC token can be minted"
    return None


def _mark_feeders(jobs: list[tuple[JobInstance, Facts]]) -> None:
    """Set ``feeds_publish`` on every job a publishing job needs, transitively, that uploads
    an artifact the needing job downloads (a test job earlier in ``needs`` only orders the
    run, and its test report is not the release). ``needs``
    name jobs of the same workflow run; a job of a called workflow also waits for whatever
    its calling job needs, and needing a calling job means needing every job it calls."""
    if not any(facts["publishes_to_pypi"] for _, facts in jobs):  # most workflows
        for _, facts in jobs:
            facts["feeds_publish"] = False
        return
    facts_of = {id(instance): facts for instance, facts in jobs}
    runs: dict[tuple, dict[str, JobInstance]] = defaultdict(dict)
    for instance, _ in jobs:
        runs[(instance.entry.path, instance.group)][instance.job.id] = instance

    def called(instance: JobInstance) -> list[JobInstance]:
        found, pending = [], list(instance.callees)
        while pending:
            callee = pending.pop()
            found.append(callee)
            pending.extend(callee.callees)
        return found

    def prerequisites(instance: JobInstance) -> list[JobInstance]:
        found: list[JobInstance] = []
        current: JobInstance | None = instance
        while current is not None:
            run = runs[(current.entry.path, current.group)]
            for need in current.job.needs:
                other = run.get(need)
                if other is not None:
                    found.append(other)
                    found.extend(called(other))
            current = current.parent
        return found

    def hands_over(giver: JobInstance, taker: JobInstance) -> bool:
        wanted = facts_of[id(taker)]["artifacts"]["downloads"]
        given = facts_of[id(giver)]["artifacts"]["uploads"]
        return any(artifacts_match(name, pattern) for name in given for pattern in wanted)

    pending = [instance for instance, facts in jobs if facts["publishes_to_pypi"]]
    feeders: set[int] = set()
    while pending:
        taker = pending.pop()
        for needed in prerequisites(taker):
            if id(needed) not in feeders and hands_over(needed, taker):
                feeders.add(id(needed))
                pending.append(needed)
    for instance, facts in jobs:
        facts["feeds_publish"] = id(instance) in feeders


def problem_facts(problem: Problem) -> Facts:
    """The facts of one problem, as the ``problem`` scope's rules read them."""
    return {"kind": problem.kind, "message": problem.message, "node": problem.pos}


def _permission_facts(permissions: Permissions | None) -> Facts:
    if permissions is None:
        return {"block": None}
    facts: Facts = permissions.levels()
    facts["block"] = permissions.node
    facts["origin"] = permissions.origin
    facts["writes"] = [scope for scope in permissions.write_scopes() if scope != "id-token"]
    facts["id_token_node"] = permissions.scope_node("id-token") if facts["id-token"] == "write" else None
    return facts


def _workflow_facts(workflow: Workflow) -> Facts:
    facts: Facts = {
        "name": workflow.name,
        "events": workflow.events,
        "reusable": "workflow_call" in workflow.events,
        "node": workflow.node,
        "on": {"node": workflow.on_node},
        "kind": workflow.kind,
    }
    permissions = _permission_facts(workflow.permissions) if workflow.permissions else {"block": None}
    facts["permissions"] = permissions
    return facts


def _job_facts(instance: JobInstance, steps: list[tuple[StepInstance, Facts]]) -> Facts:
    job = instance.job
    environment = job.environment
    id_token = instance.permissions.level("id-token") == "write"
    eager = {
        "id": job.id,
        "name": job.name,
        "key": job.key,
        "node": job.node,
        "if": job.condition,
        "permissions": _permission_facts(instance.permissions),
        "environment": {"name": environment.name, "node": environment.node} if environment else None,
        "publishes": any(facts["publish"] for _, facts in steps),
        "calls": _uses_facts(job.uses) if job.uses else None,
        "secrets_inherit": job.secrets_inherit,
        "secrets_node": job.secrets_node,
        "trigger_node": instance.entry.on_node,
    }
    delegates = (lambda: {"delegates": _delegation_facts(remote_workflow(job, id_token))}) if job.uses is not None else _no_delegation
    return LazyFacts(eager, {"delegates": delegates})


def _delegation_facts(delegation: Delegation | None) -> Facts | None:
    if delegation is None:
        return None
    return {
        "kind": delegation.kind,
        "target": delegation.target,
        "authority": delegation.authority,
        "credential": delegation.credential,
        "node": delegation.node,
        "needs": delegation.needs,
    }


_ROLE_KEYS = ("builds", "build_step", "caches", "cache_step", "untrusted_checkout", "untrusted_checkout_step")
_ARTIFACT_KEYS = ("uploads_artifact", "artifacts")
_GATING_KEYS = ("tag_guarded", "untrusted_events", "untrusted_trigger_node", "ungated_events")


def _artifact_facts(instance: JobInstance) -> Facts:
    """What the job uploads and downloads: read for every job a publishing job needs, to
    tell whether it builds what is published, so kept apart from the costlier roles."""
    uploads: list[str | None] = []
    downloads: list[str | None] = []
    for step_instance in instance.steps:
        uploaded, downloaded, name = artifact_transfer(step_instance.step)
        if uploaded:
            uploads.append(name)
        if downloaded:
            downloads.append(name)
    return {"uploads_artifact": bool(uploads), "artifacts": {"uploads": uploads, "downloads": downloads}}


def _role_facts(instance: JobInstance, step_facts: list[tuple[StepInstance, Facts]]) -> Facts:
    builds = caches = untrusted = None
    for step_instance in instance.steps:
        step = step_instance.step
        role = step_role(step)
        facts = {"label": step.label, "node": step.node}
        if builds is None and role.builds:
            builds = facts
        if caches is None and role.caches:
            caches = facts
        if untrusted is None and role.untrusted_checkout:
            untrusted = facts
    if builds is None:
        for _, facts in step_facts:
            if facts["publish"] and facts["publish"]["builds"]:
                builds = {"label": facts["label"], "node": facts["publish"]["node"]}
                break
    return {
        "builds": builds is not None,
        "build_step": builds,
        "caches": caches is not None,
        "cache_step": caches,
        "untrusted_checkout": untrusted is not None,
        "untrusted_checkout_step": untrusted,
    }


def _gating_facts(instance: JobInstance, publishing_steps: list[Step]) -> Facts:
    """Gating seen from the top-level workflow: its triggers, and every ``if:`` on the way
    down the call chain (a guard on the calling job guards the called jobs too)."""
    conditions = instance.conditions
    triggers = instance.entry.triggers
    untrusted = [t for t in triggers if t.event in UNTRUSTED_EVENTS and not any(event_excluded(c, t.event) for c in conditions)]
    guarded = any(tag_guarded(c) for c in conditions) or (
        bool(publishing_steps) and all(step_release_guarded(step.condition) for step in publishing_steps)
    )
    return {
        "tag_guarded": guarded,
        "untrusted_events": [t.event for t in untrusted],
        "untrusted_trigger_node": untrusted[0].node if untrusted else None,
        "ungated_events": [] if guarded else sorted({t.event for t in triggers if ungated_trigger(t)}),
    }


def _uses_facts(ref: ActionRef) -> Facts:
    return {"raw": ref.raw, "documented_floating": documented_floating_ref(ref), "release": looks_like_release(ref.raw), "action": ref.action, "ref": ref.ref, "ref_kind": ref.ref_kind, "kind": ref.kind, "node": ref.node}


def _step_facts(step: Step, publish: Publish | None, delegates: Thunk) -> Facts:
    eager = {
        "index": step.index,
        "label": step.label,
        "node": step.node,
        "publish": _publish_facts(publish) if publish else None,
    }
    if step.uses is None:
        eager["uses"] = None
        return LazyFacts(eager, {"delegates": delegates})
    return LazyFacts(eager, {"delegates": delegates, "uses": partial(_lazy_uses_facts, step.uses)})


def _lazy_uses_facts(ref: ActionRef) -> Facts:
    """Read only by rules about jobs that publish or build the release (and by ``status``)."""
    return {"uses": _uses_facts(ref)}


def _no_delegation() -> Facts:
    return {"delegates": None}


def _step_delegation(step: Step, pypi_oidc: bool) -> Thunk:
    """Whether the step hands publishing to something we cannot read (only ``status`` asks)."""
    return lambda: {"delegates": _delegation_facts(remote_action(step) or release_script(step, pypi_oidc))}


def _publish_facts(publish: Publish) -> Facts:
    credential = publish.credential
    return {
        "tool": publish.tool,
        "index": publish.index,
        "index_name": INDEX_NAMES[publish.index],
        "to_pypi": publish.to_pypi,
        "native_oidc": publish.native_oidc,
        "oidc_since": publish.oidc_since,
        "builds": publish.builds,
        "attestations_off": publish.attestations_off,
        "action_ref_problem": publish.action_ref_problem,
        "node": publish.node,
        "index_node": publish.index_node,
        "credential": {
            "kind": credential.kind,
            "source": credential.source,
            "origin": credential.origin,
            "long_lived": credential.long_lived,
            "node": credential.node,
            "value_node": credential.value_node,
        },
    }


def _token_positions(doc: Document) -> list[Pos]:
    """Positions of PyPI tokens written anywhere in the file, comments included."""
    if "pypi-" not in doc.text or not looks_like_token(doc.text):  # most files name pypi-... actions only
        return []
    positions = []
    for number, line in enumerate(doc.lines, start=1):
        for start, end in token_spans(line):
            positions.append(Pos(number, start + 1, number, end + 1, doc.path))
    return positions
