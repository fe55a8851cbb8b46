"""TC501: drop ``attestations: false`` from the PyPA action's inputs (on by default since v1.11.0)."""

from __future__ import annotations

from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.text import Source, remove_keys
from trustycheck.model.analysis import Analysis
from trustycheck.model.facts import Context
from trustycheck.nodes import Mapping, Scalar


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    step = context.step
    upload = step.publish if step is not None else None
    if step is None or upload is None or not isinstance(step.node, Mapping) or not source.owns(step.node):
        return None
    key = upload.attestations_off
    if not isinstance(key, Scalar):
        return None
    edits = remove_keys(step.node, "with", {key.text}, source)
    if not edits:
        return None
    return fix_of(f"job '{context.job.id if context.job else '?'}', step '{step.label}': drop `attestations: false`", edits)
