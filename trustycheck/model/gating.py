"""Which events can start a job, and whether publishing is limited to tags or releases.

The PyPA guide triggers on every push and guards the publish job with
``if: startsWith(github.ref, 'refs/tags/')``: that is gated. A push trigger with only a
``tags:`` filter is gated; ``release`` is gated. Branch pushes and schedules are not.
"""

from __future__ import annotations

import re

from trustycheck.model.triggers import Trigger
from trustycheck.patterns import lazy_pattern

UNTRUSTED_EVENTS = ("pull_request_target", "workflow_run", "issue_comment", "pull_request_review_comment",
                    "issues", "discussion", "discussion_comment", "pull_request_review", "fork", "watch")
"""Events an outsider can cause that run with the base repository's secrets and token."""

_TAG_GUARD = lazy_pattern(
    r"startsWith\(\s*github\.(?:event\.)?ref\s*,\s*'refs/tags"
    r"|github\.ref_type\s*==\s*'tag'"
    r"|github\.event_name\s*==\s*'release'"
    r"|github\.event\.release"
    r"|contains\(\s*github\.(?:event\.)?ref\s*,\s*'refs/tags"
    r"|github\.(?:event\.)?ref\s*==\s*'refs/tags/",
    re.I,
)


def tag_guarded(condition: str | None) -> bool:
    """The job's ``if:`` restricts it to tags or releases (a conjunct, not one side of ``||``)."""
    if not condition or not _TAG_GUARD.search(condition):
        return False
    return "||" not in condition or all(_TAG_GUARD.search(part) for part in condition.split("||"))


_RELEASE_WORD = lazy_pattern(r"release|refs/tags|ref_type|\btag\b", re.I)


def step_release_guarded(condition: str | None) -> bool:
    """A publish step's own ``if:`` that limits it to tags or releases, including the common
    ``if: env.RELEASE == 'true'`` set earlier from the event (looser than for jobs, since a
    step guard that names a release is almost always one)."""
    if not condition:
        return False
    return tag_guarded(condition) or ("||" not in condition and bool(_RELEASE_WORD.search(condition)))


def event_excluded(condition: str | None, event: str) -> bool:
    """The job's ``if:`` keeps ``event`` out (it requires another event or a tag ref)."""
    if not condition:
        return False
    if tag_guarded(condition) and event not in ("release", "push"):
        return True
    required = re.findall(r"github\.event_name\s*==\s*'([a-z_]+)'", condition)
    if required and "||" not in condition:
        return event not in required
    if required and all(re.search(r"github\.event_name\s*==", part) for part in condition.split("||")):
        return event not in required
    return bool(re.search(rf"github\.event_name\s*!=\s*'{event}'", condition))


def ungated_trigger(trigger: Trigger) -> bool:
    """A trigger that publishes on every branch push or on a schedule."""
    if trigger.event == "schedule":
        return True
    if trigger.event != "push":
        return False
    filters = trigger.filters
    only_tags = ("tags" in filters or "tags-ignore" in filters) and "branches" not in filters and "branches-ignore" not in filters
    return not only_tags
