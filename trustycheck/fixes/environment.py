"""TC301: ``environment: pypi`` on a release job that has none. Unsafe: PyPI's trusted
publisher must name the same environment (or none), and the environment's protection rules
(reviewers, tag rules) then apply to every release."""

from __future__ import annotations

from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.grant import insert_into_job
from trustycheck.fixes.text import Source
from trustycheck.model.analysis import Analysis
from trustycheck.model.facts import Context

ENVIRONMENT = "pypi"
"""The name the PyPA guide and PyPI's form suggest."""


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    job = context.job
    if job is None or job.environment is not None or job.calls is not None:
        return None
    edit = insert_into_job(job, [f"environment: {ENVIRONMENT}"], source, before=("permissions", "steps", "uses", "with", "secrets"))
    if edit is None:
        return None
    return fix_of(f"job '{job.id}': add `environment: {ENVIRONMENT}`", [edit],
                  [f"create the environment '{ENVIRONMENT}' in the repository settings (Environments), with required "
                   "reviewers, and name it in PyPI's trusted publisher"])
