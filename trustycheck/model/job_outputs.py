"""Where a job's outputs come from, and which needed jobs' outputs an ``if:`` tests.

A job output is set from an expression when the job ends (DOMAIN.md §5.2): the common
``release: ${{ steps.tag.outputs.release }}`` is the output of the step ``tag``, empty when that
step did not run, and ``${{ needs.check.outputs.release }}`` passes a needed job's output on.
Those two shapes are read; any other value (several sources, a function, text around it) is
not, and may be set in any run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trustycheck.model.workflow import Job, Step
from trustycheck.nodes import Mapping, Scalar
from trustycheck.patterns import lazy_pattern

_NAME = r"[A-Za-z_][\w-]*"


def _member(name: str) -> str:
    """``.name`` or ``['name']``: the ways an expression reads a property (GitHub's expressions
    quote strings with ``'`` only; ``name`` is a pattern, each form's capture one group)."""
    return rf"(?:\.({name})|\[\s*'({name})'\s*\])"


_SOURCE = lazy_pattern(rf"\$\{{\{{\s*(steps|needs){_member(_NAME)}{_member('outputs')}{_member(_NAME)}\s*\}}\}}", re.I)
"""A whole output value that is one step's or one needed job's output."""
_TEST = lazy_pattern(rf"\bneeds{_member(_NAME)}{_member('outputs')}{_member(_NAME)}", re.I)
"""A needed job's output named in an ``if:``."""


def _names(match: re.Match[str]) -> list[str]:
    """The names a match of ``_SOURCE`` or ``_TEST`` captured, one per member (and the context
    for ``_SOURCE``), in lower case: of each member's two forms, the one that matched."""
    groups = [group for group in match.groups() if group is not None]
    return [group.lower() for group in groups]
MAX_TESTS = 64
"""Outputs of needed jobs read per ``if:``; the rest stay unknown (a guard names one or two)."""


@dataclass(frozen=True)
class OutputSource:
    """An output is ``steps.<owner>.outputs.<name>`` (``kind`` ``steps``) or
    ``needs.<owner>.outputs.<name>`` (``needs``), ids and name in lower case."""

    kind: str
    owner: str
    name: str


def output_tests(condition: str) -> tuple[tuple[str, str], ...]:
    """The ``(job, output)`` pairs, in lower case, of the ``needs.<job>.outputs.<output>`` that
    ``condition`` names."""
    if "outputs" not in condition.lower():
        return ()
    found: dict[tuple[str, str], None] = {}
    for match in _TEST.finditer(condition):
        job, _, output = _names(match)
        found[(job, output)] = None
        if len(found) >= MAX_TESTS:
            break
    return tuple(found)


def output_sources(job: Job) -> dict[str, OutputSource]:
    """The outputs of ``job`` whose source can be read, by name in lower case."""
    node = job.node.get("outputs")
    if not isinstance(node, Mapping):
        return {}
    sources: dict[str, OutputSource] = {}
    for key, value in node.items():
        if not isinstance(value, Scalar):
            continue
        match = _SOURCE.fullmatch(value.as_string().strip())
        if match is not None:
            kind, owner, _, name = _names(match)
            sources[str(key.value).lower()] = OutputSource(kind, owner, name)
    return sources


def steps_by_id(job: Job) -> dict[str, Step]:
    """The steps of ``job`` that have an ``id:``, by id in lower case (the first of a repeated id)."""
    found: dict[str, Step] = {}
    for step in job.steps:
        if step.id:
            found.setdefault(step.id.lower(), step)
    return found
