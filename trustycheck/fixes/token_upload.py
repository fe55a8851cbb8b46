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

_NATIVE_TOOLS = {spec.name: spec for spec in TOOLS.values() if spec.native_oidc}
_USER_NAMES = frozenset({"user", "username"} | {name for spec in TOOLS.values() for name in spec.user_env})
"""Inputs and env vars that name the upload's user: with Trusted Publishing there is none."""


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
    """Whether a script of the job installs ``program`` at a version before ``since``
    (``twine==5.1.1``, ``twine<6``, ``twine[keyring]~=5.0``)."""
    wanted = tuple(int(part) for part in since.split(".")[:2])
    for model in job._instance.job.steps:
        if model.run is None:
            continue
        script = model.run.as_string()
        at = script.find(program)
        while at != -1:
            pin = _pin_after(script, at, program)
            if pin is not None and (pin[0] == "<" and pin[1] <= wanted or pin[0] != "<" and pin[1] < wanted):
                return True
            at = script.find(program, at + 1)
    return False


def _pin_after(script: str, at: int, program: str) -> tuple[str, tuple[int, int]] | None:
    """The operator and (major, minor) of a requirement on ``program`` written at ``at``."""
    if at and (script[at - 1].isalnum() or script[at - 1] in "_-"):
        return None  # another package whose name ends with the tool's
    rest = script[at + len(program):at + len(program) + 120]
    if rest.startswith("["):
        close = rest.find("]")
        if close == -1:
            return None
        rest = rest[close + 1:]
    rest = rest.lstrip(" ")
    operator = next((op for op in ("==", "<=", "~=", "<") if rest.startswith(op)), None)
    if operator is None:
        return None
    parts = rest[len(operator):].lstrip(" ").split(".", 2)
    major, minor = _leading_digits(parts[0]), _leading_digits(parts[1]) if len(parts) > 1 else ""
    if not major or len(parts[0]) != len(major) and len(parts) > 1:
        return None
    return operator, (int(major), int(minor or 0))


def _leading_digits(text: str) -> str:
    digits = ""
    for char in text[:6]:
        if not char.isdigit():
            break
        digits += char
    return digits


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
