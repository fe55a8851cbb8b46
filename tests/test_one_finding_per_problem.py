"""One problem, one finding: what several jobs reach at one place is reported once, naming them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conftest import catalog, lint_repo, lint_text
from workflows import ON_TAG, job, workflow

SETUP_ACTION = """\
name: setup
description: Python and the build tools
runs:
  using: composite
  steps:
    - uses: actions/setup-python@v5
      with:
        python-version: "3.12"
    - run: python -m pip install build
      shell: bash
"""

def _workflow(build: str = "build", publish: str = "publish") -> str:
    """A tag-run job ``build`` and the job ``publish`` after it, both running the local action `setup`."""
    build_job = job(build, """\
        - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        - uses: ./.github/actions/setup
        - run: python -m build
        - uses: actions/upload-artifact@b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882 # v4.4.3
          with:
            name: dist
            path: dist/
        """)
    publish_job = job(publish, """\
        - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        - uses: ./.github/actions/setup
        - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8
          with:
            name: dist
            path: dist/
        - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
        """, needs=build, environment="pypi", permissions="id-token: write")
    return workflow(build_job, publish_job, on=ON_TAG)


def test_a_composite_action_two_jobs_run_gives_one_finding_naming_both(tmp_path: Path) -> None:
    files = {".github/actions/setup/action.yml": SETUP_ACTION}
    findings = lint_repo(tmp_path, _workflow(), files, {"TC401"})
    assert [(f.rule_id, f.path, f.pos.line, f.pos.col, f.severity) for f in findings] == [
        ("TC401", ".github/actions/setup/action.yml", 6, 13, "warning"),
    ]
    assert findings[0].message == (
        "'actions/setup-python@v5' is pinned to a tag ref, not a full commit SHA, in jobs 'build' and 'publish', "
        "which publish or build the release (via example.yml job 'build' → example.yml step './.github/actions/setup'; "
        "example.yml job 'publish' → example.yml step './.github/actions/setup')"
    )


def test_the_jobs_are_named_whatever_they_are_called_and_in_the_order_they_run(tmp_path: Path) -> None:
    files = {".github/actions/setup/action.yml": SETUP_ACTION}
    findings = lint_repo(tmp_path, _workflow("wheels", "release"), files, {"TC401"})
    assert len(findings) == 1
    assert "in jobs 'wheels' and 'release', which publish" in findings[0].message


def test_a_trigger_that_starts_several_publishing_jobs_is_one_finding() -> None:
    on_push = "on:\n  push:\n    branches: [main]\n"
    text = workflow(job("wheels", "- run: uv publish dist/*.whl", environment="pypi", permissions="id-token: write"),
                    job("pypi", "- run: uv publish", environment="pypi", permissions="id-token: write"), on=on_push)
    findings = [f for f in lint_text(text) if f.pos.line == 2]
    assert len(findings) == len({f.rule_id for f in findings}) >= 1
    assert all("jobs 'wheels' and 'pypi' " in f.message for f in findings)
    # the verb agrees with the jobs named
    assert [f.message for f in findings if f.rule_id == "TC303"] == [
        "jobs 'wheels' and 'pypi' publish to PyPI on every push run, with no tag or release filter or guard"]


def test_contexts_that_differ_in_more_than_one_placeholder_stay_apart() -> None:
    """A rule whose message names the job and the action, placed at the workflow's top: contexts
    differing only in the job merge, those differing in the action too stay apart."""
    from trustycheck.engine.runner import run_rules
    from trustycheck.loader import load_text
    from trustycheck.model.analysis import analyse

    rule = next(r for r in catalog() if r.id == "TC401")
    placed = replace(rule, at=("workflow.node",), message="'{step.uses.raw}' in '{job.id}'", message_many=None)
    text = workflow(job("one", "- uses: actions/setup-python@v5\n- run: twine upload dist/*"),
                    job("two", "- uses: actions/setup-python@v5\n- uses: actions/cache@v4\n- run: twine upload dist/*"))
    findings = run_rules([placed], analyse(load_text("workflow.yml", text)))
    assert sorted(f.message for f in findings) == [
        "'actions/cache@v4' in 'two'",
        "'actions/setup-python@v5' in 'one' and 'two'",
    ]


def test_workflow_wide_id_token_is_one_finding_at_the_grant_naming_the_jobs() -> None:
    text = workflow(job("docs", "- run: make docs"), job("tests", "- run: make test"),
                    job("upload", "- uses: pypa/gh-action-pypi-publish@release/v1", needs="[docs, tests]", environment="pypi"),
                    permissions="contents: read\nid-token: write")
    findings = lint_text(text, {"TC202"})
    assert [(f.rule_id, f.pos.line, f.pos.col, f.severity) for f in findings] == [("TC202", 6, 3, "warning")]
    assert findings[0].message == (
        "id-token: write granted at workflow level reaches jobs that do not publish: 'docs' and 'tests'"
    )


def test_write_all_is_the_grant_tc202_points_at() -> None:
    ungranted = workflow(job("lint", "- run: make lint"), job("publish", "- run: uv publish", environment="pypi"), on=ON_TAG)
    text = ungranted.replace("jobs:\n", "permissions: write-all\njobs:\n", 1)  # line 4
    findings = lint_text(text, {"TC202"})
    assert [(f.pos.line, f.pos.col) for f in findings] == [(4, 14)]
    assert findings[0].message.endswith("do not publish: 'lint'")


def _pypa_at(ref: str) -> str:
    """A release job uploading with a stored token through the PyPA action at ``ref`` (line 10)."""
    return workflow(job("pypi-release", f"""\
        - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8
        - name: Publish
          uses: pypa/gh-action-pypi-publish@{ref}
          with:
            password: ${{{{ secrets.PYPI_API_TOKEN }}}}
        """))


def test_the_pypa_action_at_master_is_one_finding_saying_branch_and_frozen() -> None:
    findings = lint_text(_pypa_at("master"), {"TC401", "TC402"})
    assert [(f.rule_id, f.pos.line, f.pos.col, f.severity) for f in findings] == [("TC402", 10, 15, "warning")]
    assert findings[0].message == (
        "'pypa/gh-action-pypi-publish@master' is pinned to a branch, not a full commit SHA, and 'master' is frozen "
        "since 2023 and cannot do Trusted Publishing or attestations"
    )


def test_an_old_pypa_tag_is_one_finding_saying_tag_and_too_old() -> None:
    findings = lint_text(_pypa_at("v1.4.2"), {"TC401", "TC402"})
    assert [(f.rule_id, f.pos.line) for f in findings] == [("TC402", 10)]
    assert findings[0].message == (
        "'pypa/gh-action-pypi-publish@v1.4.2' is pinned to a tag, not a full commit SHA, and v1.4.2 predates "
        "Trusted Publishing (v1.8.0)"
    )


def test_an_old_pypa_release_pinned_by_sha_says_so() -> None:
    findings = lint_text(_pypa_at("8ef2b3d46c9ecba901fb2ae21d98e322c4089c4e"), {"TC401", "TC402"})
    assert [f.message for f in findings] == [
        "'pypa/gh-action-pypi-publish@8ef2b3d46c9ecba901fb2ae21d98e322c4089c4e' is pinned to a full commit SHA, "
        "and v1.8.0 predates default PEP 740 attestations (v1.11.0)"
    ]


def test_other_branch_pins_in_the_publishing_job_stay_tc401_errors() -> None:
    workflow = _pypa_at("release/v1").replace(
        "actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8", "actions/download-artifact@main")
    findings = lint_text(workflow, {"TC401", "TC402"})
    assert [(f.rule_id, f.pos.line, f.severity) for f in findings] == [("TC401", 8, "error"), ("TC401", 10, "note")]


@pytest.mark.parametrize(("ref", "expected"), [
    ("v1.10.3", [("TC401", 10)]),  # the opt-in is honoured: only the tag pin is left
    ("v1.10.0", [("TC401", 10)]),
    ("v1.9.0", [("TC402", 10)]),  # the input did not exist yet
])
def test_attestations_switched_on_by_hand_are_made_by_v1_10(ref: str, expected: list[tuple[str, int]]) -> None:
    """``attestations: true`` was added (off by default) in v1.10.0; v1.11.0 only made it the
    default, so a v1.10.x step that sets it is not outdated for attestations."""
    workflow = _pypa_at(ref).replace(
        "          password: ${{ secrets.PYPI_API_TOKEN }}\n", "          attestations: true\n")
    assert [(f.rule_id, f.pos.line) for f in lint_text(workflow, {"TC401", "TC402"})] == expected
