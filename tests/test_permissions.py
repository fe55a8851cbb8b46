"""Effective permissions per job: GitHub's resolution table."""

from __future__ import annotations

import pytest

from trustycheck.loader import load_text
from trustycheck.model.workflow import build_workflow


def _effective(workflow_block: str | None, job_block: str | None) -> dict[str, str]:
    lines = ["on: push"]
    if workflow_block is not None:
        lines.append(f"permissions: {workflow_block}")
    lines += ["jobs:", "  j:", "    runs-on: ubuntu-latest"]
    if job_block is not None:
        lines.append(f"    permissions: {job_block}")
    workflow = build_workflow(load_text("w.yml", "\n".join(lines) + "\n"))
    permissions = workflow.jobs[0].effective_permissions
    return {"id-token": permissions.level("id-token"), "contents": permissions.level("contents"), "origin": permissions.origin}


@pytest.mark.parametrize(
    ("workflow_block", "job_block", "id_token", "contents", "origin"),
    [
        (None, None, "none", "default", "default"),
        ("write-all", None, "write", "write", "workflow"),
        ("read-all", None, "none", "read", "workflow"),
        ("{}", None, "none", "none", "workflow"),
        ("{id-token: write}", None, "write", "none", "workflow"),
        ("{contents: write}", None, "none", "write", "workflow"),
        # A job block replaces the workflow block entirely, it does not merge.
        ("{id-token: write}", "{contents: read}", "none", "read", "job"),
        ("write-all", "{}", "none", "none", "job"),
        ("{contents: read}", "{id-token: write}", "write", "none", "job"),
        ("read-all", "write-all", "write", "write", "job"),
        (None, "read-all", "none", "read", "job"),
    ],
)
def test_resolution_table(workflow_block, job_block, id_token, contents, origin) -> None:
    assert _effective(workflow_block, job_block) == {"id-token": id_token, "contents": contents, "origin": origin}


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("{id-token: read}", "'id-token' accepts write, none, not 'read'"),
        ("{contents: admin}", "'contents' accepts read, write, none, not 'admin'"),
        ("{packages-write: write}", "unknown permission scope 'packages-write'"),
        ("5", "'permissions' must be read-all, write-all or a mapping of scopes, not '5'"),
        ("[contents]", "'permissions' must be read-all, write-all or a mapping of scopes, not a list"),
    ],
)
def test_invalid_blocks_are_structure_problems(block: str, message: str) -> None:
    doc = load_text("w.yml", f"on: push\npermissions: {block}\njobs:\n  j:\n    runs-on: x\n")
    build_workflow(doc)
    assert [(p.kind, p.message, p.pos.line) for p in doc.problems] == [("structure", message, 2)]
