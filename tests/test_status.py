"""`trustycheck status`: one verdict per repository, with evidence, in three formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import PUBLISH_CALLEE, SECRET_CALLER, TRUSTED_PUBLISH, run_cli, write_tree
from trustycheck.status import judge_repository

TOKEN_WORKFLOW = """\
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
      - run: twine upload dist/*
        env:
          TWINE_USERNAME: __token__
          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""


def make_repo(root: Path, files: dict[str, str]) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    return write_tree(root, files)


def verdict_of(root: Path, files: dict[str, str]):
    return judge_repository(str(make_repo(root, files)))


def test_trusted(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": TRUSTED_PUBLISH})
    assert verdict.verdict == "trusted"
    assert verdict.reason == "every upload uses Trusted Publishing (pypa/gh-action-pypi-publish in release.yml:12)"
    assert [(e.path, e.line, e.kind) for e in verdict.evidence] == [(".github/workflows/release.yml", 12, "oidc")]


def test_token(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": TOKEN_WORKFLOW})
    assert verdict.verdict == "token"
    assert verdict.reason == "uploads with a long-lived credential (secrets.PYPI_TOKEN, twine in release.yml:12)"
    assert [(e.line, e.credential) for e in verdict.evidence] == [(12, "a long-lived token from secrets.PYPI_TOKEN")]


def test_mixed_when_one_path_uses_a_token(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": TRUSTED_PUBLISH, ".github/workflows/nightly.yml": TOKEN_WORKFLOW})
    assert verdict.verdict == "mixed"
    assert verdict.reason == (
        "Trusted Publishing in release.yml:12, but a long-lived credential in nightly.yml:12 (secrets.PYPI_TOKEN)"
    )


def test_none_without_publishing_and_without_workflows(tmp_path: Path) -> None:
    tests_only = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    assert verdict_of(tmp_path / "a", {".github/workflows/ci.yml": tests_only}).reason == "no workflow uploads to PyPI or TestPyPI"
    empty = verdict_of(tmp_path / "b", {})
    assert (empty.verdict, empty.reason) == ("none", "no workflow files in .github/workflows")


def test_private_index_uploads_are_not_pypi_publishing(tmp_path: Path) -> None:
    private = TOKEN_WORKFLOW.replace("twine upload dist/*", "twine upload --repository-url https://pkgs.example.com/simple/ dist/*")
    assert verdict_of(tmp_path, {".github/workflows/release.yml": private}).verdict == "none"


def test_unknown_for_a_remote_reusable_workflow_given_id_token(tmp_path: Path) -> None:
    remote = """\
        on:
          release:
            types: [published]
        jobs:
          release:
            permissions:
              id-token: write
            uses: example-org/shared/.github/workflows/pypi.yml@v2
        """
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": remote})
    assert verdict.verdict == "unknown"
    assert "needs the called workflow (example-org/shared/.github/workflows/pypi.yml@v2)" in verdict.reason


def test_a_token_handed_to_a_remote_workflow_is_token_publishing(tmp_path: Path) -> None:
    remote = """\
        on: workflow_dispatch
        jobs:
          publish:
            uses: speakeasy-api/sdk-generation-action/.github/workflows/sdk-publish.yaml@v15
            secrets:
              pypi_token: ${{ secrets.PYPI_TOKEN }}
        """
    verdict = verdict_of(tmp_path, {".github/workflows/publish.yml": remote})
    assert verdict.verdict == "token"
    assert verdict.evidence[0].credential == "handed secrets.PYPI_TOKEN"


def test_unknown_for_a_release_task_with_id_token(tmp_path: Path) -> None:
    task = """\
        on:
          push:
            tags: ["v*"]
        jobs:
          release:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: nox -s publish
        """
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": task})
    assert verdict.verdict == "unknown"
    assert verdict.reason.endswith("needs what `nox -s publish` runs")


def test_a_release_task_whose_job_uses_oidc_for_a_cloud_is_not_publishing(tmp_path: Path) -> None:
    task = """\
        on: workflow_dispatch
        jobs:
          stage:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: aws-actions/configure-aws-credentials@v4
                with: {role-to-assume: "${{ secrets.ROLE }}", aws-region: us-east-1}
              - run: make pkg-publish-wheel
        """
    assert verdict_of(tmp_path, {".github/workflows/release.yml": task}).verdict == "none"


def test_call_graph_decides_the_verdict(tmp_path: Path) -> None:
    """The upload is in a called workflow; the caller hands it the token."""
    verdict = verdict_of(tmp_path, {".github/workflows/release.yml": SECRET_CALLER, ".github/workflows/publish.yml": PUBLISH_CALLEE})
    assert verdict.verdict == "token"
    assert [(e.path, e.credential, e.chain) for e in verdict.evidence] == [
        (".github/workflows/publish.yml", "a long-lived token from secrets.PYPI_API_TOKEN",
         "release.yml job 'publish' → publish.yml job 'upload'"),
    ]


def test_cli_text_json_and_csv(tmp_path: Path) -> None:
    make_repo(tmp_path / "alpha", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    make_repo(tmp_path / "beta", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    make_repo(tmp_path / "gamma", {})
    text = run_cli("status", "--each", "--no-color", ".", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout == (
        "REPOSITORY  VERDICT  REASON\n"
        "./alpha     trusted  every upload uses Trusted Publishing (pypa/gh-action-pypi-publish in release.yml:12)\n"
        "              .github/workflows/release.yml:12:15 pypa/gh-action-pypi-publish job 'publish': Trusted Publishing (OIDC)\n"
        "./beta      token    uploads with a long-lived credential (secrets.PYPI_TOKEN, twine in release.yml:12)\n"
        "              .github/workflows/release.yml:12:11 twine job 'publish': a long-lived token from secrets.PYPI_TOKEN\n"
        "./gamma     none     no workflow files in .github/workflows\n"
        "\n"
        "3 repositories: trusted 1 (33.3%), token 1 (33.3%), none 1 (33.3%)\n"
    )
    document = json.loads(run_cli("status", "--each", "--format", "json", ".", cwd=tmp_path).stdout)
    assert [r["verdict"] for r in document["repositories"]] == ["trusted", "token", "none"]
    assert document["summary"]["repositories"] == 3
    assert document["summary"]["token"] == {"count": 1, "percent": 33.3}
    assert document["repositories"][1]["evidence"][0]["line"] == 12
    rows = list(csv.reader(io.StringIO(run_cli("status", "--each", "--format", "csv", ".", cwd=tmp_path).stdout)))
    assert rows[0] == ["repository", "verdict", "reason", "evidence"]
    assert rows[2][:2] == ["./beta", "token"]
    assert rows[2][3] == ".github/workflows/release.yml:12:11 twine: a long-lived token from secrets.PYPI_TOKEN"


def test_cli_fail_on_and_usage_errors(tmp_path: Path) -> None:
    make_repo(tmp_path / "beta", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    assert run_cli("status", "--fail-on", "token", str(tmp_path / "beta")).returncode == 1
    assert run_cli("status", "--fail-on", "mixed", str(tmp_path / "beta")).returncode == 0
    missing = run_cli("status", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr == f"trustycheck: error: {tmp_path / 'nope'}: no such directory\n"
    a_file = run_cli("status", str(tmp_path / "beta" / ".github" / "workflows" / "release.yml"))
    assert a_file.returncode == 2 and "not a directory" in a_file.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_many_repositories_in_parallel_keep_their_order(tmp_path: Path, jobs: str) -> None:
    for index in range(6):
        make_repo(tmp_path / f"r{index}", {".github/workflows/release.yml": TRUSTED_PUBLISH if index % 2 else TOKEN_WORKFLOW})
    document = json.loads(run_cli("status", "--each", "--jobs", jobs, "--format", "json", str(tmp_path)).stdout)
    assert [Path(r["repository"]).name for r in document["repositories"]] == [f"r{i}" for i in range(6)]
    assert [r["verdict"] for r in document["repositories"]] == ["token", "trusted"] * 3


def test_secrets_are_never_shown(tmp_path: Path) -> None:
    leaked = "pypi-AgEIcHlwaS5vcmc" + "A" * 80
    workflow = TOKEN_WORKFLOW.replace("${{ secrets.PYPI_TOKEN }}", leaked)
    make_repo(tmp_path, {".github/workflows/release.yml": workflow})
    for output_format in ("text", "json", "csv"):
        result = run_cli("status", "--format", output_format, str(tmp_path))
        assert leaked not in result.stdout and "AgEIcHlwaS5vcmc" not in result.stdout
        assert "a value written in the workflow" in result.stdout


def test_readme_status_example_is_true(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    command = "$ trustycheck status --each repos/\n"
    block = readme.split(command, 1)[1].split("```", 1)[0]
    make_repo(tmp_path / "repos" / "alpha", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    make_repo(tmp_path / "repos" / "beta", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    result = run_cli("status", "--each", "--no-color", "repos/", cwd=tmp_path)
    assert result.stdout == block


@pytest.mark.parametrize("make", ["github-outside", "too-big", "workflow-outside"])
def test_unknown_when_a_workflow_could_not_be_read(tmp_path: Path, make: str) -> None:
    """A workflow that was not read may publish: the verdict says so instead of 'none'."""
    import os

    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    write_tree(outside, {"release.yml": TRUSTED_PUBLISH})
    if make == "github-outside":
        repo.mkdir()
        os.symlink(outside, repo / ".github")
        unread = ".github: not read: it points outside the repository"
    elif make == "too-big":
        write_tree(repo, {".github/workflows/release.yml": "# " + "x" * 3_000_000 + "\n"})
        unread = ".github/workflows/release.yml: file is 3,000,003 bytes, over the 2,097,152-byte limit"
    else:
        (repo / ".github" / "workflows").mkdir(parents=True)
        os.symlink(outside / "release.yml", repo / ".github" / "workflows" / "release.yml")
        unread = ".github/workflows/release.yml: not read: it points outside the repository"
    verdict = judge_repository(str(repo))
    assert (verdict.verdict, verdict.reason) == ("unknown", f"not every workflow could be read: {unread}")
