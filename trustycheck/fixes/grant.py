"""Granting ``id-token: write`` to one job, and writing new entries into a job: shared by the
fixes that move an upload to Trusted Publishing.

A job-level ``permissions:`` block replaces the workflow's for that job, so a block added to a
job that inherited the workflow's keeps the workflow's other scopes; a job on the repository's
default permissions gets ``contents: read`` too when it checks out the repository."""

from __future__ import annotations

import json

from trustycheck.fixes.text import Edit, Source, block_entries, insert_entry_lines, written_here
from trustycheck.model.facts import JobFacts
from trustycheck.nodes import Mapping, Node, Scalar

JOB_BODY_KEYS = ("steps", "uses", "with", "secrets")
"""Keys new job settings are written before (after the job's settings, before what it runs)."""
CHECKOUT = "actions/checkout"


def indent_unit(job: JobFacts) -> int:
    """How far the file indents a nested mapping (the job's entries under its key)."""
    node = job.node
    if isinstance(node, Mapping) and node.pairs:
        unit = node.pairs[0][0].pos.col - job.key.pos.col
        if unit > 0:
            return unit
    return 2


def job_lines(job: JobFacts, key: str, entries: list[str]) -> list[str]:
    """``key:`` and its entries, nested one level, as lines at the job's indentation."""
    unit = " " * indent_unit(job)
    return [f"{key}:"] + [unit + entry for entry in entries]


def permission_entry(key: Node, value: Scalar) -> str:
    """``key: value`` copied into a new block so that it reads back as the same strings: a
    quoted or block scalar is written double-quoted (``'read # x'`` written bare would read as
    ``read`` and a comment, a different grant than the workflow's)."""
    written = _scalar(key) if isinstance(key, Scalar) else key.text
    return f"{written}: {_scalar(value)}"


def _scalar(node: Scalar) -> str:
    return json.dumps(node.text) if node.style else node.text


def insert_into_job(job: JobFacts, lines: list[str], source: Source, before: tuple[str, ...] = JOB_BODY_KEYS) -> Edit | None:
    node = job.node
    if not isinstance(node, Mapping) or not written_here(job.key, node, source):
        return None
    return insert_entry_lines(node, before, lines, source)


def grant_id_token(job: JobFacts, source: Source) -> list[Edit] | None:
    """Edits that give this job, and only it, ``id-token: write``; ``[]`` when it has it;
    ``None`` when its permissions are in a shape not edited (``read-all``, a caller's)."""
    permissions = job.permissions
    if permissions.levels.get("id-token") == "write":
        return []
    block = permissions.block
    if permissions.origin == "job":
        key = job.node.key_node("permissions") if isinstance(job.node, Mapping) else None
        if key is None or block is None or not written_here(key, block, source):
            return None
        return _add_to_block(block, source)
    if permissions.origin == "workflow":
        if not isinstance(block, Mapping):
            return None
        if block.pairs and not block_entries(block, source):
            return None
        entries = [permission_entry(key, value) for key, value in block.pairs
                   if key.text != "id-token" and isinstance(value, Scalar)]
    elif permissions.origin in (None, "default"):
        entries = ["contents: read"] if _checks_out(job) else []
    else:
        return None
    edit = insert_into_job(job, job_lines(job, "permissions", entries + ["id-token: write"]), source)
    return [edit] if edit is not None else None


def _add_to_block(block: object, source: Source) -> list[Edit] | None:
    if not isinstance(block, Mapping) or not source.owns(block):
        return None
    if not block.pairs:  # permissions: {}
        start, end = source.span(block)
        return [Edit(start, end, "{id-token: write}")] if source.text[start:end] == "{}" else None
    pair = block.entries.get("id-token")
    if pair is not None:
        value = pair[1]
        if not isinstance(value, Scalar) or not written_here(pair[0], value, source):
            return None
        start, end = source.span(value)
        return [Edit(start, end, "write")]
    edit = insert_entry_lines(block, (), ["id-token: write"], source)
    return [edit] if edit is not None else None


def _checks_out(job: JobFacts) -> bool:
    steps = job._instance.job.steps
    return any(step.uses is not None and step.uses.action == CHECKOUT for step in steps)
