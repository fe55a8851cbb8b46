"""Analysis: the model of a set of files (one repository), as fact contexts per rule scope.

Builds the call graph's job instances (:mod:`trustycheck.model.callgraph`), binds every upload to
the credential its callers hand it, and records one :class:`~trustycheck.model.facts.Context` per
problem, secret, workflow, job and step. The rules and ``status`` both read these contexts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from trustycheck.loader import Document, Problem
from trustycheck.model.callgraph import Expander, JobInstance, StepInstance, bind_publish, describe_chain
from trustycheck.model.credentials import CredentialKind
from trustycheck.model.delegation import oidc_used_elsewhere, token_hand_over
from trustycheck.model.facts import (
    SCOPE_NAMES, CallFacts, Context, CredentialFacts, DelegationFacts, EnvironmentFacts, FileFacts, JobFacts, OnFacts,
    PermissionFacts, ProblemFacts, SecretFacts, StepFacts, UploadFacts, UsesFacts, WorkflowFacts,
)
from trustycheck.model.feeders import mark_feeders
from trustycheck.model.project import Project
from trustycheck.model.publish import Publish, detect_publishes
from trustycheck.model.pypi import INDEX_NAMES, index_named_by_secret
from trustycheck.model.reachability import Reachability
from trustycheck.model.secret_spans import LITERAL_CREDENTIAL, TOKEN_WRITTEN, merge_secrets, token_positions
from trustycheck.model.workflow import ACTION, WORKFLOW, Workflow
from trustycheck.nodes import Node, Pos


@dataclass(eq=False, repr=False)
class Analysis:
    """Everything the rules need about a set of files analysed together (one repository)."""

    contexts: dict[str, list[Context]] = field(default_factory=dict)
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
    callers), and record its fact contexts per rule scope."""
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
    return _contexts(project, list(reported), instances)


def _callable(workflow: Workflow) -> bool:
    return workflow.kind == ACTION or "workflow_call" in workflow.events


def _entry(workflow: Workflow) -> bool:
    """A workflow that events start by themselves (not only through workflow_call)."""
    return workflow.kind == WORKFLOW and any(event != "workflow_call" for event in workflow.events)


def _contexts(project: Project, reported: list[str], instances: list[JobInstance]) -> Analysis:
    contexts: dict[str, list[Context]] = {scope: [] for scope in SCOPE_NAMES}
    secrets: list[tuple[Pos, str]] = []
    workflow_facts: dict[str, WorkflowFacts] = {}
    publishing_files: set[str] = set()
    releasing_files: set[str] = set()
    jobs: list[JobFacts] = []
    reach = Reachability(instances)

    def facts_of(workflow: Workflow) -> WorkflowFacts:
        found = workflow_facts.get(workflow.path)
        if found is None:
            found = workflow_facts[workflow.path] = _workflow_facts(workflow)
        return found

    for instance in instances:
        workflow = facts_of(instance.workflow)
        own_file = FileFacts(instance.workflow.path, instance.workflow.kind)
        steps, publishing = _step_facts(instance, secrets)
        if publishing or any(step.publish is not None for step in steps):
            if not reach.can_run(instance):  # a job that never runs publishes nothing
                publishing = _without_uploads(steps)
        job = _job_facts(instance, steps, publishing, reach)
        jobs.append(job)
        chain = CallFacts(describe_chain(instance.chain) if len(instance.chain) > 1 else None)
        contexts["job"].append(Context(own_file, workflow, job, call=chain))
        if job.publishes_to_pypi:
            publishing_files.update((instance.workflow.path, instance.entry.path))
            if job.releases_to_pypi:
                releasing_files.update((instance.workflow.path, instance.entry.path))
        # Most steps are in the job's own file and reached through no call: those contexts
        # share one (read-only) file and call record.
        for step in steps:
            step_instance = step._instance
            via = step_instance.via
            links = instance.chain + via if via else instance.chain
            here = own_file if step_instance.path == own_file.path else FileFacts(step_instance.path, instance.workflow.kind)
            call = chain if not via else CallFacts(describe_chain(links) if len(links) > 1 else None)
            contexts["step"].append(Context(here, workflow, job, step, call))
        for problem, written_by in _call_problems(instance):
            called = problem_facts(problem)
            called.written_by = written_by
            contexts["problem"].append(Context(FileFacts(problem.pos.path or "", None), problem=called))
    mark_feeders(jobs)
    documents = project.documents
    for path in reported:
        doc = documents.get(path)
        if doc is None:
            continue
        model = project.open(path)
        file_facts = FileFacts(path, model.kind if model else None)
        if model is not None:
            facts = facts_of(model)
            facts.publishes = path in publishing_files
            facts.releases_to_pypi = path in releasing_files
            contexts["workflow"].append(Context(file_facts, facts))
        # Problems last: building the model may report structure problems and duplicate keys.
        contexts["problem"].extend(Context(file_facts, problem=problem_facts(p)) for p in doc.problems)
        secrets.extend((pos, TOKEN_WRITTEN) for pos in token_positions(doc))
    redactions: dict[str, list[Pos]] = {}
    for pos, what in merge_secrets(secrets):
        path = pos.path or ""
        redactions.setdefault(path, []).append(pos)
        contexts["secret"].append(Context(FileFacts(path, None), secret=SecretFacts(what, pos)))
    return Analysis(contexts, {path: documents[path] for path in reported if path in documents}, reported, redactions)


def _step_facts(instance: JobInstance, secrets: list[tuple[Pos, str]]) -> tuple[list[StepFacts], list[StepInstance]]:
    """Step facts for every upload of the job's steps (one record per upload, so a script that
    uploads twice is judged twice), with credentials followed up the call chain; and the steps
    that upload to PyPI or TestPyPI."""
    id_token = instance.permissions.level("id-token") == "write"
    pypi_oidc = id_token and not oidc_used_elsewhere([s.step for s in instance.steps])
    out: list[StepFacts] = []
    publishing: list[StepInstance] = []
    for step_instance in instance.steps:
        step = step_instance.step
        found = detect_publishes(step, step_instance.job, step_instance.lines)
        if not found:  # most steps
            handed = DelegationFacts.of(token_hand_over(step))
            if handed is not None:
                publishing.append(step_instance)
            upload = _delegated_upload(handed) if handed is not None else None
            out.append(StepFacts(step.index, step.label, step.node, upload, step_instance, pypi_oidc, handed))
            continue
        publishes = [bind_publish(publish, step_instance.scope) for publish in found]
        if any(publish.to_pypi for publish in publishes):
            publishing.append(step_instance)
        for publish in publishes:
            value = publish.credential.value_node
            if publish.credential.kind == CredentialKind.LITERAL and value is not None:
                secrets.append((_located(value, step_instance.path), LITERAL_CREDENTIAL.format(tool=publish.tool)))
            upload = _upload_facts(publish, _oidc_gap(publish, instance.job.id, id_token), id_token)
            out.append(StepFacts(step.index, step.label, step.node, upload, step_instance, pypi_oidc))
    return out, publishing


def _delegated_upload(handed: DelegationFacts) -> UploadFacts:
    """The upload path of a token handed over (see :func:`token_hand_over`)."""
    index = index_named_by_secret(handed.credential)
    what = "a release task" if handed.kind == "script" else "another repository's action"
    node = handed.node if handed.node is not None else Pos.point(1, 1)
    credential = CredentialFacts(CredentialKind.TOKEN, handed.credential, origin="secrets", long_lived=True, node=node,
                                 value_node=None)
    return UploadFacts(f"`{handed.target}` ({what} handed the token)", index, INDEX_NAMES[index], to_pypi=True,
                       native_oidc=False, oidc_since=None, builds=False, attestations_off=None, action_ref_problem=None,
                       node=node, index_node=None, credential=credential, delegated=True)


def _upload_facts(publish: Publish, oidc_gap: str | None, id_token: bool) -> UploadFacts:
    credential = publish.credential
    return UploadFacts(
        publish.tool, publish.index, INDEX_NAMES[publish.index], publish.to_pypi, publish.native_oidc, publish.oidc_since,
        publish.builds, publish.attestations_off, publish.action_ref_problem, publish.node, publish.index_node,
        CredentialFacts(credential.kind, credential.source, credential.origin, credential.long_lived, credential.node,
                        credential.value_node),
        oidc_gap=oidc_gap, token_then_oidc=id_token and publish.to_pypi and publish.token_then_oidc,
    )


def _oidc_gap(publish: Publish, job_id: str, id_token: bool) -> str | None:
    kind = publish.credential.kind
    if kind == CredentialKind.NONE:
        return f"{publish.tool} cannot do Trusted Publishing and is given no token"
    if kind in (CredentialKind.OIDC, CredentialKind.MINTED) and not id_token:
        return f"job '{job_id}' does not grant id-token: write, so no OIDC token can be minted"
    return None


def _without_uploads(steps: list[StepFacts]) -> list[StepInstance]:
    """Forget the uploads of a job no run can start (no publishing steps are left); each step
    keeps its upload as ``unreachable_upload`` so the verdict can say why nothing publishes."""
    for step in steps:
        step.unreachable_upload, step.publish = step.publish, None
        step._handed = None
    return []


def _job_facts(instance: JobInstance, steps: list[StepFacts], publishing: list[StepInstance], reach: Reachability) -> JobFacts:
    job = instance.job
    environment = job.environment
    return JobFacts(
        job.id, job.name, job.key, job.node, job.condition, PermissionFacts.of(instance.permissions),
        EnvironmentFacts(environment.name, environment.node) if environment else None,
        any(step.publish is not None for step in steps), bool(publishing),
        UsesFacts.of(job.uses) if job.uses else None, job.secrets_inherit, job.secrets_node, instance.entry.on_node,
        _instance=instance, _steps=steps, _publishing_steps=publishing, _reach=reach,
    )


def _workflow_facts(workflow: Workflow) -> WorkflowFacts:
    return WorkflowFacts(workflow.name, workflow.events, "workflow_call" in workflow.events, workflow.kind, workflow.node,
                         OnFacts(workflow.on_node), PermissionFacts.of(workflow.permissions),
                         file_name=os.path.basename(workflow.path))


def _located(value: Node | Pos, path: str) -> Pos:
    pos = value if isinstance(value, Pos) else value.pos
    return pos if pos.path else replace(pos, path=path)


def _call_problems(instance: JobInstance) -> list[tuple[Problem, str | None]]:
    found = []
    for problem in instance.problems:
        if problem.quiet:
            continue
        node = problem.node
        pos = _located(node if node is not None else instance.job.key, instance.workflow.path)
        found.append((Problem("call", problem.message, pos), problem.written_by))
    return found


def problems_only(doc: Document) -> Analysis:
    """An analysis holding only the document's problems (when the model could not be built)."""
    file_facts = FileFacts(doc.path, None)
    contexts: dict[str, list[Context]] = {scope: [] for scope in SCOPE_NAMES}
    contexts["problem"] = [Context(file_facts, problem=problem_facts(p)) for p in doc.problems]
    return Analysis(contexts, {doc.path: doc}, [doc.path], {})


def problem_facts(problem: Problem) -> ProblemFacts:
    """The facts of one problem, as the ``problem`` scope's rules read them."""
    return ProblemFacts(problem.kind, problem.message, problem.pos)
