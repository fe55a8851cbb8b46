"""What a reusable workflow of this repository does with ``secrets: inherit``.

``inherit`` hands the called workflow every repository, organisation and environment secret
the caller can see (DOMAIN.md §5.2). A local callee runs at the caller's commit, so whoever
could change it could change the caller too: the risk TC104 describes for another
repository's workflow is not there, only secrets handed out that nothing needs. The callee's
file says which it reads.
"""

from __future__ import annotations

from trustycheck.model.callgraph import JobInstance
from trustycheck.model.expressions import references

ALWAYS_THERE = frozenset({"GITHUB_TOKEN"})
"""Secrets every workflow gets whatever its caller passes."""


def secrets_read(callees: list[JobInstance]) -> list[str] | None:
    """The secrets the called workflow reads (sorted, upper case), or None when that cannot be
    known: the call was not followed, the callee reads the whole ``secrets`` context, or it
    passes ``inherit`` on in turn."""
    if not callees:
        return None
    names: set[str] = set()
    for workflow in {id(c.workflow): c.workflow for c in callees}.values():
        if any(job.secrets_inherit for job in workflow.jobs):
            return None
        for ref in references(workflow.doc.text):
            if ref.context != "secrets":
                continue
            if not ref.parts:
                return None
            names.add(ref.parts[0].upper())
    return sorted(names - ALWAYS_THERE)


def inherit_risk(instance: JobInstance) -> str | None:
    """What the callee of ``secrets: inherit`` can do with every secret, in words; None when it
    is a workflow of this repository that reads none."""
    uses = instance.job.uses
    if not instance.job.secrets_inherit or uses is None:
        return None
    if uses.kind != "local":
        return "whoever can change that workflow (another repository, a moving ref) can read them all"
    read = secrets_read(instance.callees)
    if read is None:
        return "the called workflow runs at the same commit; pass only the secrets it reads, by name"
    if not read:
        return None
    return f"the called workflow runs at the same commit and reads {', '.join(read)}; pass those by name"
