"""TC101/TC103 for a tool that can do Trusted Publishing itself (the PyPA action, twine >= 6.1,
uv, pdm, maturin): drop the token (and the ``__token__`` user), and grant ``id-token: write``
to that job only. Unsafe: the upload then works only once PyPI knows the publisher."""

from __future__ import annotations

from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.grant import grant_id_token
from trustycheck.fixes.script_flags import flag_edits
from trustycheck.fixes.text import Edit, Source, remove_keys
from trustycheck.model.actions import MATURIN_COMMAND, PYPA_INPUTS, action_spec
from trustycheck.model.analysis import Analysis
from trustycheck.model.facts import Context, JobFacts, StepFacts
from trustycheck.model.tools import TOOLS
from trustycheck.nodes import Mapping, Node, Pos, Scalar
from trustycheck.patterns import lazy_pattern

_NATIVE_TOOLS = {spec.name: spec for spec in TOOLS.values() if spec.native_oidc}
_USER_NAMES = frozenset({"user", "username"} | {name for spec in TOOLS.values() for name in spec.user_env})
"""Inputs and env vars that name the upload's user: with Trusted Publishing there is none."""
_PINNED = lazy_pattern(r"\b([a-z][a-z0-9_-]{0,40})(?:\[[^\]\s]{0,80}\])?\s?(==|<=|<|~=)\s?(\d{1,6})\.(\d{1,6})")
"""A requirement that pins a tool's version from above (``twine==5.1.1``, ``twine<6``)."""


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    step, job = context.step, context.job
    upload = step.publish if step is not None else None
    if step is None or job is None or upload is None or upload.delegated or not upload.to_pypi:
        return None
    if not _uploads_natively(step, job, upload.tool):
        return None
    key = upload.credential.node
    if isinstance(key, Pos):
        removed = _from_script(key, step, upload.tool, source)
    elif isinstance(key, Scalar) and source.owns(key):
        removed = _from_mapping(key, step, job, source)
    else:
        return None
    granted = grant_id_token(job, source)
    if not removed or granted is None:
        return None
    what = upload.credential.source or "a token"
    where = f" (line {key.line})" if isinstance(key, Pos) else ""
    return fix_of(f"job '{job.id}', step '{step.label}': {upload.tool} uploads with Trusted Publishing instead of {what}{where}",
                  removed + granted, after_move_notes(upload.credential.source, upload.credential.origin))


def _from_mapping(key: Scalar, step: StepFacts, job: JobFacts, source: Source) -> list[Edit] | None:
    """Edits deleting the input or env var ``key`` (and the user's) from where it is written."""
    found = _holder(key, step, job)
    if found is None:
        return None
    parent, field_name = found
    holder = parent.get(field_name)
    assert isinstance(holder, Mapping)
    names = {key.text} | {name.text for name, _ in holder.pairs if name.text in _USER_NAMES}
    return remove_keys(parent, field_name, names, source)


def _from_script(flag: Pos, step: StepFacts, tool: str, source: Source) -> list[Edit] | None:
    """Edits deleting a credential option from the step's script."""
    spec = _NATIVE_TOOLS.get(tool)
    run = step._instance.step.run
    if spec is None or run is None or not isinstance(step.node, Mapping) or not source.owns(run) or flag.path not in (None, source.path):
        return None
    return flag_edits(flag, run, step.node, spec, source)


def after_move_notes(source: str | None, origin: str | None) -> list[str]:
    """What to do once the workflow publishes with Trusted Publishing: the token must go."""
    if origin == "secrets" and source and source.startswith("secrets."):
        name = source.removeprefix("secrets.")
        return [f"delete the secret {name} (repository or environment secret) and revoke its token on PyPI "
                "(Account settings > API tokens)"]
    if origin == "literal":
        return ["revoke on PyPI the token that was written in the workflow: it stays in the repository's history"]
    return [f"revoke on PyPI the token that {source or 'the workflow'} held"]


def _uploads_natively(step: StepFacts, job: JobFacts, tool: str) -> bool:
    """Whether dropping the token leaves an upload that does Trusted Publishing by itself."""
    model = step._instance.step
    if model.uses is not None:
        action = action_spec(model)
        return action is not None and action.uploads in (PYPA_INPUTS, MATURIN_COMMAND) and action.native_oidc
    spec = _NATIVE_TOOLS.get(tool)
    if spec is None or spec.oidc_since is None:
        return False
    return not _pinned_below(job, spec.program, spec.oidc_since)


def _pinned_below(job: JobFacts, program: str, since: str) -> bool:
    """Whether a script of the job installs ``program`` at a version before ``since``."""
    wanted = tuple(int(part) for part in since.split(".")[:2])
    for model in job._instance.job.steps:
        if model.run is None:
            continue
        for match in _PINNED.finditer(model.run.as_string()):
            if match.group(1) != program:
                continue
            version = (int(match.group(3)), int(match.group(4)))
            if match.group(2) == "<" and version <= wanted or match.group(2) != "<" and version < wanted:
                return True
    return False


def _holder(key: Scalar, step: StepFacts, job: JobFacts) -> tuple[Mapping, str] | None:
    """The mapping and field (``with``, ``env``) whose entry ``key`` is: the step's or the job's
    (a workflow-wide ``env:`` may feed other jobs, so it is not edited)."""
    places: list[tuple[Node, str]] = [(step.node, "with"), (step.node, "env"), (job.node, "env")]
    for parent, field_name in places:
        if not isinstance(parent, Mapping):
            continue
        child = parent.get(field_name)
        if isinstance(child, Mapping) and any(name is key for name, _ in child.pairs):
            return parent, field_name
    return None
