"""A PyPI token handed to a release task or another repository's action is an upload path:
the linter and ``status`` see the same publishing job."""

from __future__ import annotations

from pathlib import Path

import hostile
from conftest import lint_text, write_tree
from trustycheck.status import judge_repository

RELEASE_JOB = hostile.TAG_RELEASE + """\
  release:
    runs-on: ubuntu-latest
    steps:
"""

SCRIPT_WITH_STEP_TOKEN = RELEASE_JOB + """\
      - uses: actions/checkout@v4
      - run: scripts/publish
        env:
          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""

SCRIPT_WITH_JOB_TOKEN = """\
on:
  release:
    types: [published]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: pypi
    env:
      TWINE_USERNAME: __token__
      TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: python ./release/deploy.py
"""

SCRIPT_WITHOUT_TOKEN = RELEASE_JOB + """\
      - run: scripts/publish
"""


def _found(text: str) -> list[tuple[str, int, int, str]]:
    return [(f.rule_id, f.pos.line, f.pos.col, f.message) for f in lint_text(text)]


def test_a_release_script_given_a_token_in_its_step_is_a_token_upload() -> None:
    found = _found(SCRIPT_WITH_STEP_TOKEN)
    assert ("TC101", 9, 14, "`scripts/publish` (a release task handed the token) uploads to PyPI with a long-lived "
                            "credential (secrets.PYPI_TOKEN) instead of Trusted Publishing") in found
    assert [rule for rule, *_ in found] == ["TC204", "TC301", "TC401", "TC101"]


def test_a_job_level_token_handed_to_a_python_release_script_is_a_token_upload() -> None:
    found = _found(SCRIPT_WITH_JOB_TOKEN)
    assert found == [
        ("TC204", 5, 3, "job 'deploy' publishes to PyPI and sets no permissions: at any level, so it runs with the "
                        "repository's default GITHUB_TOKEN permissions, which may be write-all"),
        ("TC203", 13, 9, "job 'deploy' publishes to PyPI and also builds or runs project code (step 'python ./release/deploy.py')"),
        ("TC101", 13, 14, "`./release/deploy.py` (a release task handed the token) uploads to PyPI with a long-lived "
                          "credential (secrets.PYPI_API_TOKEN) instead of Trusted Publishing"),
    ]


def test_a_release_script_with_no_credential_in_sight_is_not_an_upload() -> None:
    assert _found(SCRIPT_WITHOUT_TOKEN) == []


def test_status_and_the_linter_agree_on_a_handed_token(tmp_path: Path) -> None:
    write_tree(tmp_path, {".github/workflows/release.yml": SCRIPT_WITH_STEP_TOKEN})
    verdict = judge_repository(str(tmp_path))
    assert verdict.verdict == "token"
    assert [(e.path, e.line, e.column, e.credential) for e in verdict.evidence] == [
        (".github/workflows/release.yml", 9, 14, "handed secrets.PYPI_TOKEN")]
    assert [f.pos.line for f in lint_text(SCRIPT_WITH_STEP_TOKEN, select={"TC101"})] == [9]


def test_a_token_named_for_testpypi_is_an_upload_to_testpypi_and_latest_is_not_test() -> None:
    test_token = SCRIPT_WITH_STEP_TOKEN.replace("secrets.PYPI_TOKEN", "secrets.TEST_PYPI_TOKEN")
    assert "uploads to TestPyPI" in lint_text(test_token, select={"TC101"})[0].message
    latest = SCRIPT_WITH_STEP_TOKEN.replace("secrets.PYPI_TOKEN", "secrets.LATEST_PYPI_TOKEN")
    assert "uploads to PyPI" in lint_text(latest, select={"TC101"})[0].message


SCRIPT_EXPORTING_THE_TOKEN = """\
on:
  push:
    branches: [main]
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: release
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - name: Publish
        env:
          TWINE_USERNAME: "__token__"
        run: |
          if [[ "$GITHUB_EVENT_NAME" == "push" ]]; then
            export TWINE_REPOSITORY_URL="https://test.pypi.org/legacy/"
            export TWINE_PASSWORD="${{ secrets.TEST_PYPI_UPLOAD_TOKEN }}"
          else
            export TWINE_PASSWORD="${{ secrets.PYPI_UPLOAD_TOKEN }}"
          fi
          tox -e release
"""


def test_a_token_the_script_exports_before_its_release_task_is_handed_to_the_task(tmp_path: Path) -> None:
    """Exported in the script itself (not in env:), the token still reaches `tox -e release`;
    of the tokens the branches export, the PyPI one is what makes it a release."""
    found = _found(SCRIPT_EXPORTING_THE_TOKEN)
    assert ("TC101", 15, 14, "`tox -e release` (a release task handed the token) uploads to PyPI with a long-lived "
                             "credential (secrets.PYPI_UPLOAD_TOKEN) instead of Trusted Publishing") in found
    write_tree(tmp_path, {".github/workflows/publish.yml": SCRIPT_EXPORTING_THE_TOKEN})
    assert judge_repository(str(tmp_path)).verdict == "token"


def test_a_secret_the_script_does_not_export_is_not_handed_over() -> None:
    kept = SCRIPT_EXPORTING_THE_TOKEN.replace("export TWINE_PASSWORD=", "TWINE_PASSWORD=")
    assert "TC101" not in [rule for rule, *_ in _found(kept)]
