"""Which events can start a job, and whether publishing is limited to tags or releases.

The PyPA guide triggers on every push and guards the publish job with
``if: startsWith(github.ref, 'refs/tags/')``: that is gated. Which runs can start a job is
worked out in :mod:`trustycheck.model.reachability`; this module holds the guards' readings.
"""

from __future__ import annotations

import re

from trustycheck.model.guards import BranchRef, NotAmong, can_hold, outcome
from trustycheck.patterns import lazy_pattern

UNTRUSTED_EVENTS = ("pull_request_target", "workflow_run", "issue_comment", "pull_request_review_comment",
                    "issues", "discussion", "discussion_comment", "pull_request_review", "fork", "watch")
"""Events an outsider can cause that run with the base repository's secrets and token."""

_NOT_A_TAG: dict[tuple[str, ...], object] = {
    ("github", "ref"): BranchRef(),
    ("github", "event", "ref"): BranchRef(),
    ("github", "ref_type"): "branch",
    ("github", "event", "release"): None,
}
"""What is known of a run that is not for a tag or a release."""
_BRANCH_RUN = {**_NOT_A_TAG, ("github", "event_name"): NotAmong("release")}


def tag_guarded(condition: str | None) -> bool:
    """The job's ``if:`` is false on every run that is not for a tag or a release."""
    if not condition:
        return False
    return not can_hold(condition, _BRANCH_RUN)


_RELEASE_WORD = lazy_pattern(r"release|refs/tags|ref_type|\btag\b", re.I)
_NEGATION = lazy_pattern(r"!(?!=)")
"""A ``!`` that negates (not the one of ``!=``)."""


def step_release_guarded(condition: str | None) -> bool:
    """A publish step's own ``if:`` that limits it to tags or releases, including the common
    ``if: env.RELEASE == 'true'`` set earlier from the event (looser than for jobs, since a
    step guard that names a release is almost always one, unless it negates or offers an
    alternative); a condition that holds on a branch run is none."""
    if not condition:
        return False
    held = outcome(condition, _BRANCH_RUN)
    if held is not None:  # decided by what a branch run is known to be
        return held is False
    return _names_a_release(condition)


def _names_a_release(condition: str) -> bool:
    """An undecided step guard that names a release, with no alternative or negation."""
    return "||" not in condition and not _NEGATION.search(condition) and bool(_RELEASE_WORD.search(condition))


def step_runs_in(condition: str | None, situation: dict[tuple[str, ...], object]) -> bool:
    """A publish step's own ``if:`` may hold in a run known to be ``situation`` (read as
    :func:`step_release_guarded` reads it for a branch run)."""
    if not condition:
        return True
    held = outcome(condition, situation)
    if held is not None:
        return held
    return not _names_a_release(condition)
