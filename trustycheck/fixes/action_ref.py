"""TC402: an outdated or broken ref of the PyPA action becomes its newest release the model
knows (model/pypa_action.py), pinned to the commit with the version in a comment, as
Dependabot and Renovate keep it."""

from __future__ import annotations

from trustycheck.fixes.fix import Fix, fix_of
from trustycheck.fixes.text import Edit, Source, written_here
from trustycheck.model.analysis import Analysis
from trustycheck.model.facts import Context
from trustycheck.model.pypa_action import KNOWN_COMMITS, PYPA_ACTION
from trustycheck.nodes import Mapping, Scalar
from trustycheck.patterns import lazy_pattern

_VERSION_COMMENT = lazy_pattern(r"#\s*v?\d+(?:\.\d+){0,2}\s*\Z")
"""A comment that only names a version (``# v1.8.0``): it goes with the ref it described."""


def newest_release() -> tuple[str, str]:
    """The commit and tag of the newest release of the action the model knows."""
    sha, version = max(KNOWN_COMMITS.items(), key=lambda item: item[1])
    return sha, "v" + ".".join(map(str, version))


def pinned_uses() -> str:
    """``pypa/gh-action-pypi-publish@<sha> # vX.Y.Z``: the action, as a fix writes it."""
    sha, tag = newest_release()
    return f"{PYPA_ACTION}@{sha} # {tag}"


def fix(context: Context, source: Source, analysis: Analysis) -> Fix | None:
    step = context.step
    uses = step.uses if step is not None else None
    if step is None or uses is None or uses.action != PYPA_ACTION or not uses.ref:
        return None
    node = uses.node
    key = step.node.key_node("uses") if isinstance(step.node, Mapping) else None
    if not isinstance(node, Scalar) or key is None or not written_here(key, node, source) or node.pos.line != node.pos.end_line:
        return None
    start, end = source.span(node)
    needle = "@" + uses.ref
    found = source.text.find(needle, start, end)
    if found == -1:
        return None
    sha, tag = newest_release()
    edits = [Edit(found + 1, found + len(needle), sha)]
    line = node.pos.end_line
    line_end = source.line_ends[line - 1]
    rest = source.text[end:line_end]
    comment = rest.strip()
    if not comment:
        edits.append(Edit(line_end, line_end, f" # {tag}"))
    elif _VERSION_COMMENT.match(comment):
        at = source.text.index("#", end, line_end)
        edits.append(Edit(at, at + len(comment), f"# {tag}"))
    job = context.job.id if context.job else "?"
    return fix_of(f"job '{job}', step '{step.label}': {PYPA_ACTION}@{uses.ref} -> {tag} ({sha[:12]})", edits)
