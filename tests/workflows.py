"""Builders for the workflow skeletons tests share: the trigger, the `jobs:` header, a job's
runs-on, environment and permissions. A test gives only what it is about (the steps, which
permissions, which environment) and still gets the exact text a hand-written workflow would
have (two-space indents, one key per line, keys in the usual order), so the lines and columns
it asserts can be counted from the builder's call."""

from __future__ import annotations

import textwrap

ON_RELEASE = "on:\n  release:\n    types: [published]\n"
"""A published GitHub release: lines 1-3."""

ON_TAG = 'on:\n  push:\n    tags: ["v*"]\n'
"""A pushed version tag: lines 1-3."""

ON_CALL = "on:\n  workflow_call:\n"
"""A reusable workflow: lines 1-2."""


def _block(text: str, indent: str) -> str:
    """``text`` (dedented, one trailing newline) with each line indented by ``indent``."""
    return textwrap.indent(textwrap.dedent(text).rstrip("\n") + "\n", indent)


def _permissions(value: str, indent: str) -> str:
    """`permissions:` with a flow value (``{}``, ``{id-token: write}``) on its line, or the
    given scopes (one per line) as a block under it."""
    if value.startswith("{"):
        return f"{indent}permissions: {value}\n"
    return f"{indent}permissions:\n" + _block(value, indent + "  ")


def job(name: str, *steps: str, needs: str | None = None, environment: str | None = None,
        permissions: str | None = None, runs_on: str = "ubuntu-latest") -> str:
    """One job under `jobs:`: needs, runs-on, environment, permissions, then ``steps``: pieces
    of the YAML list, each whole steps, each dedented here on its own."""
    text = f"  {name}:\n"
    if needs is not None:
        text += f"    needs: {needs}\n"
    text += f"    runs-on: {runs_on}\n"
    if environment is not None:
        text += f"    environment: {environment}\n"
    if permissions is not None:
        text += _permissions(permissions, "    ")
    return text + "    steps:\n" + "".join(_block(piece, "      ") for piece in steps)


def call_job(name: str, uses: str, *, permissions: str | None = None) -> str:
    """A job under `jobs:` that calls the reusable workflow ``uses``: permissions, then uses."""
    text = f"  {name}:\n"
    if permissions is not None:
        text += _permissions(permissions, "    ")
    return text + f"    uses: {uses}\n"


def workflow(*jobs: str, on: str = ON_RELEASE, permissions: str | None = None) -> str:
    """A workflow of ``jobs`` (from ``job`` or ``call_job``), with workflow-wide ``permissions`` when given."""
    top = _permissions(permissions, "") if permissions is not None else ""
    return on + top + "jobs:\n" + "".join(jobs)


def release_workflow(*steps: str, on: str = ON_RELEASE, name: str = "publish", environment: str | None = "pypi",
                     permissions: str | None = "id-token: write") -> str:
    """The common case: one publishing job, by default `publish` on a release, in the `pypi`
    environment, with `id-token: write`. The job is on line 5 (4 with ``ON_CALL``), its
    `steps:` on line 10 when it has both an environment and one permission."""
    return workflow(job(name, *steps, environment=environment, permissions=permissions), on=on)


def composite_action(name: str, steps: str) -> str:
    """An action.yml running ``steps`` (a YAML list, dedented here): the first step on line 5."""
    return f"name: {name}\nruns:\n  using: composite\n  steps:\n" + _block(steps, "    ")


def before_steps(text: str, keys: str) -> str:
    """``text`` (a job, or a workflow whose first job has steps) with more job keys
    (``container:``, ``services:``, ``env:``, a ``permissions:`` scalar), dedented here, just
    before that job's `steps:`: the keys ``job`` does not take, in the place GitHub's examples put them."""
    return text.replace("    steps:\n", _block(keys, "    ") + "    steps:\n", 1)
