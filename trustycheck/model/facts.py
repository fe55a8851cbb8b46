"""Facts: the model flattened into the vocabulary rule conditions are written in.

Rules never see model objects, only these nested dicts, so the engine stays ignorant of PyPI
and a rule author can read ``FACTS`` (also shown by ``trustycheck facts``) to know what exists.
Values that carry a ``pos`` (nodes) are what a rule's ``at:`` points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustycheck.loader import Document, Problem
from trustycheck.model.permissions import SCOPES, Permissions
from trustycheck.model.gating import UNTRUSTED_EVENTS, event_excluded, step_release_guarded, tag_guarded, ungated_trigger
from trustycheck.model.publish import Publish, detect_publishes
from trustycheck.model.pypa_action import documented_floating_ref
from trustycheck.model.roles import looks_like_release, step_role
from trustycheck.model.pypi import INDEX_NAMES, token_spans
from trustycheck.model.refs import ActionRef
from trustycheck.model.workflow import Job, Step, Workflow, build_workflow
from trustycheck.nodes import Pos

Facts = dict[str, Any]

SCOPE_NAMES = ("problem", "secret", "workflow", "job", "step")

FACTS: dict[str, str] = {
    "file.path": "path of the file as given",
    "file.kind": "'workflow' or 'action' (a local composite action file)",
    "problem.kind": "why the file could not be read: unreadable, limit, encoding, yaml, empty, "
    "duplicate-key, not-a-workflow, structure",
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
    "job.permissions.origin": "where the effective permissions come from: job, workflow, default",
    "job.permissions.block": "the permissions: block in effect (job or workflow level)",
    "job.permissions.writes": "scopes granted write, other than id-token",
    "job.permissions.id_token_node": "the node that grants id-token (its key, or the write-all value)",
    "job.permissions.*": "effective level of a scope (id-token, contents...): write, read, none, default",
    "job.environment.name": "the job's environment name (may be an expression)",
    "job.environment.node": "the environment: value",
    "job.publishes": "true when a step of the job uploads to a package index",
    "job.publishes_to_pypi": "true when a step of the job uploads to PyPI or TestPyPI",
    "job.feeds_publish": "true when a job that publishes to PyPI needs this job (directly or not) "
    "and this job uploads an artifact: it builds what is published",
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
    """Everything the rules need about one file."""

    doc: Document
    workflow: Workflow | None
    contexts: dict[str, list[Facts]] = field(default_factory=dict)
    redactions: list[Pos] = field(default_factory=list)
    """Spans of secret values in the file, to be masked in every output."""


def analyse(doc: Document) -> Analysis:
    """Build the model for ``doc`` and flatten it into fact contexts per rule scope."""
    workflow = build_workflow(doc)
    file_facts = {"path": doc.path, "kind": workflow.kind if workflow else None}
    contexts: dict[str, list[Facts]] = {scope: [] for scope in SCOPE_NAMES}
    secrets: list[tuple[Pos, str]] = []
    if workflow is not None:
        workflow_facts = _workflow_facts(workflow)
        contexts["workflow"].append({"file": file_facts, "workflow": workflow_facts})
        for job in workflow.jobs:
            step_facts = []
            publishing_steps = []
            for step in job.steps:
                publishes = detect_publishes(step, job, doc.lines)
                if any(publish.to_pypi for publish in publishes):
                    publishing_steps.append(step)
                for publish in publishes:
                    value = publish.credential.value_node
                    if publish.credential.kind == "literal" and value is not None:
                        secrets.append((value if isinstance(value, Pos) else value.pos, f"the credential given to {publish.tool}"))
                # One context per upload, so a script that uploads twice is judged twice.
                step_facts.extend(_step_facts(step, publish) for publish in publishes or [None])
            id_token = job.effective_permissions.level("id-token") == "write"
            for facts in step_facts:
                if facts["publish"]:
                    facts["publish"]["oidc_gap"] = _oidc_gap(facts["publish"], job.id, id_token)
            job_facts = _job_facts(job, step_facts)
            job_facts.update(_role_facts(job, step_facts))
            job_facts.update(_gating_facts(workflow, job, publishing_steps))
            contexts["job"].append({"file": file_facts, "workflow": workflow_facts, "job": job_facts})
            for facts in step_facts:
                contexts["step"].append({"file": file_facts, "workflow": workflow_facts, "job": job_facts, "step": facts})
        _mark_feeders([context["job"] for context in contexts["job"]], workflow)
        workflow_facts["publishes"] = any(context["job"]["publishes_to_pypi"] for context in contexts["job"])
    # Problems last: building the model may report structure problems and duplicate keys.
    contexts["problem"] = [{"file": file_facts, "problem": _problem_facts(p)} for p in doc.problems]
    secrets = _merge_secrets(secrets, [(pos, "a PyPI API token") for pos in _token_positions(doc)])
    contexts["secret"] = [{"file": file_facts, "secret": {"what": what, "node": pos}} for pos, what in secrets]
    return Analysis(doc, workflow, contexts, [pos for pos, _ in secrets])


def problems_only(doc: Document) -> Analysis:
    """An analysis holding only the document's problems (when the model could not be built)."""
    file_facts = {"path": doc.path, "kind": None}
    contexts = {scope: [] for scope in SCOPE_NAMES}
    contexts["problem"] = [{"file": file_facts, "problem": _problem_facts(p)} for p in doc.problems]
    return Analysis(doc, None, contexts, [])


def _merge_secrets(credentials: list[tuple[Pos, str]], tokens: list[tuple[Pos, str]]) -> list[tuple[Pos, str]]:
    """Literal credentials plus token-shaped strings, once each: a token that is also a
    credential value is described as a PyPI API token."""
    merged = list(tokens)
    for pos, what in credentials:
        if not any(_overlaps(pos, other) for other, _ in tokens):
            merged.append((pos, what))
    return sorted(merged, key=lambda item: (item[0].line, item[0].col))


def _overlaps(a: Pos, b: Pos) -> bool:
    return (a.line, a.col) < (b.end_line, b.end_col) and (b.line, b.col) < (a.end_line, a.end_col)


def _oidc_gap(publish: Facts, job_id: str, id_token: bool) -> str | None:
    kind = publish["credential"]["kind"]
    if kind == "none":
        return f"{publish['tool']} cannot do Trusted Publishing and is given no token"
    if kind == "oidc" and not id_token:
        return f"job '{job_id}' does not grant id-token: write, so no OIDC token can be minted"
    return None


def _mark_feeders(job_facts: list[Facts], workflow: Workflow) -> None:
    """Set ``feeds_publish`` on every job a publishing job needs, transitively, that hands
    files on as an artifact (a test job earlier in ``needs`` only orders the run)."""
    needs = {job.id: job.needs for job in workflow.jobs}
    pending = [facts["id"] for facts in job_facts if facts["publishes_to_pypi"]]
    feeders: set[str] = set()
    while pending:
        for needed in needs.get(pending.pop(), []):
            if needed not in feeders:
                feeders.add(needed)
                pending.append(needed)
    for facts in job_facts:
        facts["feeds_publish"] = facts["id"] in feeders and facts["uploads_artifact"]


def _problem_facts(problem: Problem) -> Facts:
    return {"kind": problem.kind, "message": problem.message, "node": problem.pos}


def _permission_facts(permissions: Permissions | None) -> Facts:
    if permissions is None:
        return {"block": None}
    facts: Facts = {scope: permissions.level(scope) for scope in SCOPES}
    facts["block"] = permissions.node
    facts["origin"] = permissions.origin
    facts["writes"] = [scope for scope in permissions.write_scopes() if scope != "id-token"]
    facts["id_token_node"] = permissions.scope_node("id-token") if permissions.level("id-token") == "write" else None
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


def _job_facts(job: Job, steps: list[Facts]) -> Facts:
    environment = job.environment
    return {
        "id": job.id,
        "name": job.name,
        "key": job.key,
        "node": job.node,
        "if": job.condition,
        "permissions": _permission_facts(job.effective_permissions),
        "environment": {"name": environment.name, "node": environment.node} if environment else None,
        "publishes": any(step.get("publish") for step in steps),
        "calls": _uses_facts(job.uses) if job.uses else None,
        "secrets_inherit": job.secrets_inherit,
        "secrets_node": job.secrets_node,
    }


def _role_facts(job: Job, step_facts: list[Facts]) -> Facts:
    builds = caches = untrusted = None
    uploads = False
    for step in job.steps:
        role = step_role(step)
        uploads = uploads or role.uploads_artifact
        facts = {"label": step.label, "node": step.node}
        if builds is None and role.builds:
            builds = facts
        if caches is None and role.caches:
            caches = facts
        if untrusted is None and role.untrusted_checkout:
            untrusted = facts
    if builds is None:
        for facts in step_facts:
            if facts["publish"] and facts["publish"]["builds"]:
                builds = {"label": facts["label"], "node": facts["publish"]["node"]}
                break
    return {
        "publishes_to_pypi": any(f["publish"] and f["publish"]["to_pypi"] for f in step_facts),
        "builds": builds is not None,
        "build_step": builds,
        "caches": caches is not None,
        "cache_step": caches,
        "untrusted_checkout": untrusted is not None,
        "untrusted_checkout_step": untrusted,
        "uploads_artifact": uploads,
    }


def _gating_facts(workflow: Workflow, job: Job, publishing_steps: list[Step]) -> Facts:
    untrusted = [t for t in workflow.triggers if t.event in UNTRUSTED_EVENTS and not event_excluded(job.condition, t.event)]
    guarded = tag_guarded(job.condition) or (
        bool(publishing_steps) and all(step_release_guarded(step.condition) for step in publishing_steps)
    )
    return {
        "tag_guarded": guarded,
        "untrusted_events": [t.event for t in untrusted],
        "untrusted_trigger_node": untrusted[0].node if untrusted else None,
        "ungated_events": [] if guarded else sorted({t.event for t in workflow.triggers if ungated_trigger(t)}),
    }


def _uses_facts(ref: ActionRef) -> Facts:
    return {"raw": ref.raw, "documented_floating": documented_floating_ref(ref), "release": looks_like_release(ref.raw), "action": ref.action, "ref": ref.ref, "ref_kind": ref.ref_kind, "kind": ref.kind, "node": ref.node}


def _step_facts(step: Step, publish: Publish | None) -> Facts:
    return {
        "index": step.index,
        "label": step.label,
        "node": step.node,
        "uses": _uses_facts(step.uses) if step.uses else None,
        "publish": _publish_facts(publish) if publish else None,
    }


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
    if "pypi-" not in doc.text:
        return []
    positions = []
    for number, line in enumerate(doc.lines, start=1):
        for start, end in token_spans(line):
            positions.append(Pos(number, start + 1, number, end + 1))
    return positions
