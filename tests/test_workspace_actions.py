"""A local ``uses: ./x`` runs what is in the workspace at ``x``: GitHub resolves it there, where
``actions/checkout`` put a repository. This repository checked out into ``path: src`` makes
``./src/.github/actions/a`` this repository's ``.github/actions/a``; another repository checked
out there is out of sight (not missing); TC002 is an error only for a reference that is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE_WORKFLOW, lint_repo
from workflows import ON_TAG, before_steps, job, workflow

TOKEN_ACTION = """\
name: upload
description: upload the distributions
runs:
  using: composite
  steps:
    - run: twine upload dist/*
      shell: bash
      env:
        TWINE_PASSWORD: ${{ env.PYPI_TOKEN }}
"""


def _workflow(*steps: str) -> str:
    """The `release` job on a tag, the token in its env (lines 7-8): ``steps`` from line 10."""
    return workflow(before_steps(job("release", *steps), "env:\n  PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}"),
                    on=ON_TAG)


def _checkout(**inputs: str) -> str:
    lines = ["- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"]
    if inputs:
        lines.append("  with:")
        lines += [f"    {key}: {value}" for key, value in inputs.items()]
    return "\n".join(lines)


def _found(findings) -> list[tuple[str, str, int, str]]:
    return [(f.rule_id, f.path, f.pos.line, f.severity) for f in findings]


ACTION_FILES = {".github/actions/upload/action.yml": TOKEN_ACTION}


@pytest.mark.parametrize("path", ["src", "./src", "src/", "'./src/'"])
def test_this_repository_checked_out_into_a_path_is_followed_there(tmp_path: Path, path: str) -> None:
    workflow = _workflow(_checkout(path=path), "- uses: ./src/.github/actions/upload")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002", "TC101"})
    assert _found(findings) == [("TC101", ".github/actions/upload/action.yml", 9, "error")]
    assert findings[0].message.endswith("(via example.yml job 'release' → example.yml step './src/.github/actions/upload')")


def test_this_repository_named_by_expression_is_this_repository(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(repository="${{ github.repository }}", path="project"),
                         "- uses: ./project/.github/actions/upload")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002", "TC101"})
    assert _found(findings) == [("TC101", ".github/actions/upload/action.yml", 9, "error")]


def test_a_path_checkout_of_this_repository_naming_no_action_is_broken(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(path="src"), "- name: Upload\n  uses: ./src/.github/actions/uplaod")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert _found(findings) == [("TC002", EXAMPLE_WORKFLOW, 14, "error")]
    assert findings[0].message == (
        "'./src/.github/actions/uplaod' names no action in this repository: step 'actions/checkout@"
        "11bd71901bbe5b1630ceea73d27597364c9af683' checks out this repository into 'src', so it is "
        "./.github/actions/uplaod, which has no action.yml"
    )


def test_this_repository_checked_out_into_a_path_is_its_root_action_there(tmp_path: Path) -> None:
    files = {"action.yml": TOKEN_ACTION}
    workflow = _workflow(_checkout(path="the-action"), "- uses: ./the-action")
    findings = lint_repo(tmp_path, workflow, files, {"TC002", "TC101"})
    assert _found(findings) == [("TC101", "action.yml", 9, "error")]
    findings = lint_repo(tmp_path / "without", workflow, {"README.md": "no action here"}, {"TC002"})
    assert [f.message for f in findings] == [
        "'./the-action' names no action in this repository: step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' "
        "checks out this repository into 'the-action', so it is the repository root, which has no action.yml"
    ]


def test_a_plain_broken_reference_is_still_an_error(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(), "- uses: ./.github/actions/uplaod")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert _found(findings) == [("TC002", EXAMPLE_WORKFLOW, 11, "error")]
    assert findings[0].message == "'./.github/actions/uplaod' names no action in this repository (no action.yml there)"


@pytest.mark.parametrize("where", ["path: tools\n", ""])
def test_another_repositorys_action_is_out_of_sight_not_missing(tmp_path: Path, where: str) -> None:
    inputs = {"repository": "example-org/release-tools"}
    if where:
        inputs["path"] = "tools"
    uses = "./tools/upload" if where else "./upload"
    workflow = _workflow(_checkout(), _checkout(**inputs), f"- uses: {uses}")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert findings == []
    steps = _step_contexts(tmp_path)
    assert [s.step.out_of_sight for s in steps if s.step.uses and s.step.uses.raw == uses] == [
        "step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' checks out example-org/release-tools"
        + (" into 'tools'" if where else "")
    ]


def test_the_last_checkout_into_a_path_decides_what_is_there(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(path="src"), _checkout(repository="example-org/other", path="src"),
                         "- uses: ./src/.github/actions/upload")
    assert lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002", "TC101"}) == []


def test_this_repository_at_another_ref_may_hold_an_action_this_commit_lacks(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(ref="release-tools", path="tools"), "- uses: ./tools/.github/actions/sign")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert _found(findings) == [("TC002", EXAMPLE_WORKFLOW, 14, "warning")]
    assert findings[0].message.endswith(
        "; it may exist at run time: step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' checks out "
        "this repository at release-tools into 'tools'")


@pytest.mark.parametrize("writer, said", [
    ("- run: |\n    mkdir -p .github/actions/generated\n    ./render > .github/actions/generated/action.yml",
     "step 'mkdir -p .github/actions/generated' names '.github/actions/generated'"),
    ("- uses: actions/download-artifact@v4\n  with:\n    name: actions\n    path: .github/actions",
     "step 'actions/download-artifact@v4' writes into '.github/actions'"),
])
def test_an_action_an_earlier_step_writes_is_a_warning_at_most(tmp_path: Path, writer: str, said: str) -> None:
    workflow = _workflow(_checkout(), writer, "- uses: ./.github/actions/generated")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert [(f.rule_id, f.severity) for f in findings] == [("TC002", "warning")]
    assert findings[0].message.endswith(f"; it may exist at run time: {said}")


def test_a_step_after_the_reference_does_not_excuse_it(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(), "- uses: ./.github/actions/generated",
                         "- run: ./render > .github/actions/generated/action.yml")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert [(f.rule_id, f.severity) for f in findings] == [("TC002", "error")]


def _step_contexts(root: Path) -> list:
    from trustycheck.pipeline import repository_files
    from trustycheck.loader import load_path
    from trustycheck.model.analysis import analyse_project
    from trustycheck.model.project import Project

    project = Project(str(root), load_path, repository_files)
    analysis = analyse_project(project, [str(root / EXAMPLE_WORKFLOW)])
    return analysis.contexts["step"]



def test_this_repository_at_another_ref_in_the_workspace_root_is_a_warning_when_missing(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(ref="main"), "- uses: ./.github/actions/lockfile")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002"})
    assert [(f.rule_id, f.severity) for f in findings] == [("TC002", "warning")]
    assert findings[0].message == (
        "'./.github/actions/lockfile' names no action in this repository (no action.yml there); it may exist at "
        "run time: step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' checks out this repository at main"
    )


def test_dollar_slash_names_this_repository_whatever_was_checked_out(tmp_path: Path) -> None:
    workflow = _workflow(_checkout(repository="example-org/other"), "- uses: $/.github/actions/upload")
    findings = lint_repo(tmp_path, workflow, ACTION_FILES, {"TC002", "TC101"})
    assert _found(findings) == [("TC101", ".github/actions/upload/action.yml", 9, "error")]


def test_an_action_outside_github_is_out_of_sight_when_only_the_github_folder_is_here(tmp_path: Path) -> None:
    """Workflows are often linted without the rest of the repository (a copy of .github/, an
    inventory of many repositories): a root action.yml, or any file outside .github/, cannot be
    known to be missing then. Inside .github/ a missing action is still broken."""
    workflow = _workflow(_checkout(path="the-action"), "- uses: ./the-action")
    assert lint_repo(tmp_path, workflow, {}, {"TC002"}) == []
    broken = _workflow(_checkout(), "- uses: ./.github/actions/uplaod")
    assert _found(lint_repo(tmp_path / "inside", broken, {}, {"TC002"})) == [("TC002", EXAMPLE_WORKFLOW, 11, "error")]
    elsewhere = _workflow(_checkout(), "- uses: ./tools/upload")
    assert lint_repo(tmp_path / "elsewhere", elsewhere, {}, {"TC002"}) == []
    assert _found(lint_repo(tmp_path / "whole", elsewhere, {"README.md": "x"}, {"TC002"})) == [
        ("TC002", EXAMPLE_WORKFLOW, 11, "error")]
