"""TC101/TC103 for a tool that cannot do Trusted Publishing (poetry, hatch, flit): its upload
step becomes the PyPA action, which can; a tool that builds as it uploads (``poetry publish
--build``, ``flit publish``) keeps a step that only builds, and the action's step follows it.
Unsafe: the upload changes hands, and works only once PyPI knows the publisher.

Only a step whose script is that one command, with options known to mean nothing for the
action (credentials, prompts), is rewritten; anything else is left to the user."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from trustycheck.fixes.action_ref import pinned_uses
from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.grant import grant_id_token
from trustycheck.fixes.script_flags import reads_variable
from trustycheck.fixes.text import Edit, Source, insert_lines_after, remove_entry, remove_keys, written_here
from trustycheck.fixes.token_upload import after_move_notes
from trustycheck.model.analysis import Analysis
from trustycheck.model.facts import Context
from trustycheck.model.pypa_action import PYPA_ACTION
from trustycheck.model.pypi import PYPI
from trustycheck.model.tools import TOOLS
from trustycheck.nodes import Mapping, Scalar


@dataclass(frozen=True)
class _Rewrite:
    """How one tool's upload command is read: the options that take a value and can be
    dropped (credentials), those without one, and the command that builds what it would."""

    program: str
    dropped_with_value: frozenset[str]
    dropped_flags: frozenset[str]
    build_flags: frozenset[str]
    build_command: str | None
    always_builds: bool = False


_REWRITES = {
    "poetry publish": _Rewrite("poetry", frozenset({"-u", "--username", "-p", "--password"}),
                               frozenset({"-n", "--no-interaction", "-q", "--quiet", "-v", "--verbose"}),
                               frozenset({"--build"}), "poetry build"),
    "hatch publish": _Rewrite("hatch", frozenset({"-u", "--user", "-a", "--auth"}),
                              frozenset({"-n", "--no-prompt", "-y", "--yes"}), frozenset(), None),
    "flit publish": _Rewrite("flit", frozenset(), frozenset(), frozenset(), "flit build", always_builds=True),
}
_STEP_KEYS_DROPPED = ("shell",)
"""Keys of a run step that a uses: step must not have."""


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    step, job = context.step, context.job
    upload = step.publish if step is not None else None
    if step is None or job is None or upload is None or upload.delegated or upload.index != PYPI:
        return None
    rewrite = _REWRITES.get(upload.tool)
    node = step.node
    if rewrite is None or not isinstance(node, Mapping) or not source.owns(node) or "working-directory" in node:
        return None
    run_pair = node.entries.get("run")
    if run_pair is None or not isinstance(run_pair[1], Scalar) or not written_here(run_pair[0], run_pair[1], source):
        return None
    builds = _upload_builds(run_pair[1].as_string(), rewrite)
    if builds is None:
        return None
    edits = _rewritten(node, run_pair, builds, rewrite, source)
    granted = grant_id_token(job, source)
    if edits is None or granted is None:
        return None
    credential = upload.credential
    env_names = {credential.node.text} if isinstance(credential.node, Scalar) else set()
    spec = TOOLS[rewrite.program]
    script = run_pair[1].as_string()
    env_names |= {name.text for name, _ in _env_pairs(node) if name.text in spec.password_env + spec.user_env
                  or name.text.startswith(spec.password_env_prefixes) or reads_variable(script, name.text)}
    dropped = remove_keys(node, "env", env_names, source)
    if dropped is None:
        return None
    return fix_of(f"job '{job.id}', step '{step.label}': upload with {PYPA_ACTION} instead of {upload.tool}", edits + dropped + granted,
                  after_move_notes(credential.source, credential.origin))


def _env_pairs(node: Mapping) -> list[tuple[Scalar, object]]:
    env = node.get("env")
    return [(key, value) for key, value in env.pairs if isinstance(key, Scalar)] if isinstance(env, Mapping) else []


def _upload_builds(script: str, rewrite: _Rewrite) -> bool | None:
    """Whether the one-line upload command also builds; ``None`` when it is anything else."""
    lines = [line for line in script.strip().splitlines() if line.strip()]
    if len(lines) != 1:
        return None
    try:
        words = shlex.split(lines[0])
    except ValueError:
        return None
    if words[:2] != [rewrite.program, "publish"]:
        return None
    builds = rewrite.always_builds
    rest = iter(words[2:])
    for word in rest:
        option = word.split("=", 1)[0]
        if option in rewrite.dropped_with_value:
            if "=" not in word and next(rest, None) is None:
                return None
        elif option in rewrite.build_flags:
            builds = True
        elif option not in rewrite.dropped_flags:
            return None
    return builds


def _rewritten(node: Mapping, run_pair: tuple[Scalar, object], builds: bool, rewrite: _Rewrite, source: Source) -> list[Edit] | None:
    key, value = run_pair
    if not isinstance(value, Scalar):
        return None
    start = source.offset(key.pos.line, key.pos.col)
    last = source.last_content_line(value)
    end = source.line_ends[last - 1]
    if builds:
        condition = _condition(node, source)
        if rewrite.build_command is None or condition is None:
            return None
        return [Edit(start, end, f"run: {rewrite.build_command}"), _step_after(node, source, condition)]
    edits = [Edit(start, end, f"uses: {pinned_uses()}")]
    for name in _STEP_KEYS_DROPPED:
        if name in node:
            removed = remove_entry(node, name, source)
            if removed is None:
                return None
            edits.append(removed)
    return edits


def _condition(node: Mapping, source: Source) -> list[str] | None:
    """The step's ``if:`` as written, for the upload step that follows it: the upload runs only
    when the tool's upload did (once in a matrix, only for a new version). ``None`` for a
    condition not copied (over several lines)."""
    pair = node.entries.get("if")
    if pair is None:
        return []
    key, value = pair
    if not isinstance(value, Scalar) or value.pos.end_line != value.pos.line or not written_here(key, value, source):
        return None
    start, end = source.span(value)
    return [f"if: {source.text[start:end]}"]


def _step_after(node: Mapping, source: Source, condition: list[str]) -> Edit:
    """A new step, after this one, that uploads with the PyPA action, under the same condition."""
    first = node.pairs[0][0]
    line = source.line(first.pos.line)
    dash = line.rfind("-", 0, first.pos.col - 1)
    indent = " " * (dash if dash >= 0 else max(first.pos.col - 3, 0))
    inner = " " * (first.pos.col - 1)
    return insert_lines_after(source, source.last_content_line(node),
                              [f"{indent}- name: Publish to PyPI", *(inner + line for line in condition),
                               f"{inner}uses: {pinned_uses()}"])
