"""TC405: a local action (``uses: ./shared/x``) taken from another repository that an earlier step
checked out at a moving ref runs that repository's current code in the release job."""

from __future__ import annotations

import textwrap

import pytest

from conftest import lint_text
from workflows import ON_TAG, job, release_workflow, workflow


CHECKOUT = "- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n  with:\n"
PUBLISH = "- uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n"


def _release(checkout_with: str, uses: str = "./shared/actions/publish") -> str:
    """A tag-run release job: a checkout given ``checkout_with`` (its inputs, indented by four),
    the local action ``uses``, then the upload."""
    return release_workflow(CHECKOUT + textwrap.indent(textwrap.dedent(checkout_with), "    "),
                            f"- uses: {uses}\n", PUBLISH, on=ON_TAG, name="release")


@pytest.mark.parametrize(("checkout_with", "severity", "at"), [
    ("repository: example-org/release-tools\npath: shared\n", "error", "its default branch"),
    ("repository: example-org/release-tools\nref: main\npath: shared\n", "error", "branch 'main'"),
    ("repository: example-org/release-tools\nref: v2.1.0\npath: shared\n", "warning", "tag 'v2.1.0'"),
])
def test_an_action_from_another_repository_checked_out_at_a_moving_ref_is_a_finding(
        checkout_with: str, severity: str, at: str) -> None:
    workflow = _release(checkout_with)
    [finding] = lint_text(workflow, {"TC405"})
    line = workflow.splitlines().index("      - uses: ./shared/actions/publish") + 1
    assert (finding.rule_id, finding.pos.line, finding.pos.col, finding.severity) == ("TC405", line, 15, severity)
    assert finding.message == (
        f"'./shared/actions/publish' is an action of example-org/release-tools, checked out at {at} "
        "(step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683'), not at a full commit SHA, "
        "in job 'release', which publishes or builds the release")


@pytest.mark.parametrize("checkout_with", [
    "repository: example-org/release-tools\nref: 0123456789abcdef0123456789abcdef01234567\npath: shared\n",
    "repository: example-org/release-tools\nref: ${{ inputs.tools-ref }}\npath: shared\n",
    "path: shared\n",  # this repository, at the commit being released
])
def test_a_pinned_an_unknown_or_this_repositorys_checkout_is_not(checkout_with: str) -> None:
    assert lint_text(_release(checkout_with), {"TC405"}) == []


def test_a_job_that_neither_publishes_nor_builds_the_release_is_not() -> None:
    lint = job("lint", CHECKOUT + "    repository: example-org/lint-tools\n    path: tools\n", "- uses: ./tools/lint\n")
    assert lint_text(workflow(lint, on="on: [pull_request]\n"), {"TC405"}) == []
