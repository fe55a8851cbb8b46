"""TC202: ``id-token: write`` granted to the whole workflow moves into the jobs that need it.

The workflow-level entry goes (``permissions: {}`` when it was the only one, so the other
jobs keep exactly what they had); each job that inherited the workflow's block and publishes,
calls a reusable workflow, or exchanges its OIDC token with a cloud or signing service gets a
block of its own: the workflow's scopes, ``id-token: write`` included. Only what no job uses
is taken away, so the fix is safe."""

from __future__ import annotations

from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.grant import insert_into_job, job_lines, permission_entry
from trustycheck.fixes.text import Edit, Source, block_entries, remove_entry, written_here
from trustycheck.model.analysis import Analysis
from trustycheck.model.delegation import oidc_used_elsewhere
from trustycheck.model.facts import Context, JobFacts
from trustycheck.nodes import Mapping, Scalar


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    workflow = context.workflow
    if workflow is None or not isinstance(workflow.node, Mapping) or not source.owns(workflow.node):
        return None
    key = workflow.node.key_node("permissions")
    block = workflow.node.get("permissions")
    if key is None or not isinstance(block, Mapping) or not block_entries(block, source) or not written_here(key, block, source):
        return None
    pair = block.entries.get("id-token")
    if pair is None or not isinstance(pair[1], Scalar) or pair[1].text != "write":
        return None
    edits = _drop_from_workflow(workflow.node, block, source)
    if edits is None:
        return None
    entries = [permission_entry(key, value) for key, value in block.pairs if isinstance(value, Scalar)]
    receivers = []
    seen: set[int] = set()
    for other in analysis.contexts.get("job", ()):
        job = other.job
        if job is None or other.file.path != context.file.path or id(job.node) in seen or not source.owns(job.node):
            continue
        seen.add(id(job.node))
        if job.permissions.origin != "workflow" or not _needs_id_token(job):
            continue
        edit = insert_into_job(job, job_lines(job, "permissions", entries), source)
        if edit is None:
            return None
        edits.append(edit)
        receivers.append(job.id)
    if not receivers:
        return None
    named = ", ".join(f"'{name}'" for name in receivers)
    return fix_of(f"move id-token: write from the workflow's permissions into job {named}", edits)


def _needs_id_token(job: JobFacts) -> bool:
    """A job that publishes, calls a reusable workflow (which may), or hands its OIDC token to
    a cloud or signing service keeps ``id-token: write``, now in a block of its own."""
    return job.publishes_to_pypi or job.calls is not None or oidc_used_elsewhere(job._instance.job.steps)


def _drop_from_workflow(root: Mapping, block: Mapping, source: Source) -> list[Edit] | None:
    if len(block.pairs) > 1:
        edit = remove_entry(block, "id-token", source)
        return [edit] if edit is not None else None
    key = root.key_node("permissions")
    if key is None or not source.starts_line(key) or source.line(key.pos.line)[:key.pos.col - 1].strip():
        return None
    start = source.offset(key.pos.line, key.pos.col)
    end = source.line_ends[source.last_content_line(block) - 1]
    return [Edit(start, end, "permissions: {}")]
