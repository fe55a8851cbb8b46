"""PyPI is not TestPyPI. TestPyPI is a separate index with its own accounts and publishers
(DOMAIN.md §2.6): uploading there on every push to the main branch is an integration test (the
PyPA guide's own workflow does it), not an ungated release. TC303 is about PyPI uploads, a
"release workflow" is one that uploads to PyPI, and messages name the index the job uploads to."""

from __future__ import annotations

import pytest

from conftest import lint_text
from trustycheck.loader import load_text
from trustycheck.model.analysis import analyse
from workflows import ON_TAG, job, workflow

ON_MAIN = "on:\n  push:\n    branches: [main]\n"
"""Every push to the main branch: lines 1-3."""

# The PyPA guide's layout (DOMAIN.md §1.8): build on every push, TestPyPI on every push,
# PyPI only for tags.
GUIDE = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python3 -m pip install build --user
      - run: python3 -m build
      - uses: actions/upload-artifact@v4
        with:
          name: python-package-distributions
          path: dist/
  publish-to-pypi:
    if: startsWith(github.ref, 'refs/tags/')
    needs: [build]
    runs-on: ubuntu-latest
    environment:
      name: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: python-package-distributions
          path: dist/
      - uses: pypa/gh-action-pypi-publish@release/v1
  publish-to-testpypi:
    needs: [build]
    runs-on: ubuntu-latest
    environment:
      name: testpypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: python-package-distributions
          path: dist/
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
"""


def main_push(upload: str) -> str:
    """The `nightly` job on every push to main, with id-token: write: download, then ``upload``."""
    return workflow(job("nightly", "- uses: actions/download-artifact@v4", upload, permissions="id-token: write"),
                    on=ON_MAIN)


def job_facts(text: str) -> dict[str, tuple[bool, bool, str | None]]:
    contexts = analyse(load_text("release.yml", text)).contexts["job"]
    return {c.job.id: (c.job.publishes_to_pypi, c.job.releases_to_pypi, c.job.publishes_to) for c in contexts if c.job}


def releases(text: str) -> bool:
    [context] = analyse(load_text("release.yml", text)).contexts["workflow"]
    return context.workflow.releases_to_pypi


def test_the_guides_testpypi_job_on_every_push_is_not_an_ungated_release() -> None:
    assert lint_text(GUIDE, {"TC303"}) == []
    assert job_facts(GUIDE) == {"build": (False, False, None), "publish-to-pypi": (True, True, "PyPI"),
                                "publish-to-testpypi": (True, False, "TestPyPI")}
    assert releases(GUIDE) is True


@pytest.mark.parametrize(
    "command",
    [
        "twine upload --repository testpypi dist/*",
        "python -m twine upload --repository-url https://test.pypi.org/legacy/ dist/*",
        "uv publish --publish-url https://test.pypi.org/legacy/",
        "pdm publish --no-build -r testpypi",
    ],
)
def test_testpypi_on_every_push_to_main_is_not_flagged_as_ungated(command: str) -> None:
    text = main_push(f"- run: {command}")
    assert lint_text(text, {"TC303"}) == []
    assert job_facts(text) == {"nightly": (True, False, "TestPyPI")}
    assert releases(text) is False


def test_a_job_that_also_uploads_to_pypi_on_every_push_is_ungated() -> None:
    text = main_push("- run: twine upload -r testpypi dist/* && twine upload dist/*")
    assert [(f.rule_id, f.pos.line, f.pos.col) for f in lint_text(text, {"TC303"})] == [("TC303", 2, 3)]
    assert job_facts(text) == {"nightly": (True, True, "PyPI and TestPyPI")}


def test_pypi_on_every_push_to_main_is_still_ungated() -> None:
    text = main_push("- run: twine upload dist/*")
    [finding] = lint_text(text, {"TC303"})
    assert finding.message == "job 'nightly' publishes to PyPI on every push run, with no tag or release filter or guard"


def test_messages_name_testpypi_when_that_is_the_target() -> None:
    steps = """\
        - uses: actions/checkout@v4
        - name: Build
          run: python -m build
        - run: twine upload -r testpypi dist/*
          env:
            TWINE_PASSWORD: ${{ secrets.TEST_PYPI_API_TOKEN }}
    """
    text = workflow(job("test-release", steps, permissions="contents: write"), on=ON_MAIN)
    messages = {(f.rule_id, f.message) for f in lint_text(text, {"TC101", "TC203", "TC204", "TC301", "TC303"})}
    assert messages == {
        ("TC101", "twine uploads to TestPyPI with a long-lived credential (secrets.TEST_PYPI_API_TOKEN) instead of Trusted Publishing"),
    }


def test_the_release_rules_are_about_pypi_and_name_testpypi_next_to_it() -> None:
    """A job that only uploads to TestPyPI is an integration test, not a release: building in it,
    holding other write scopes, having no environment, unpinned actions and caches are not
    release findings (they were judged wrong on real projects). A job that uploads to both
    is a release, and the message names both."""
    steps = ("- uses: actions/checkout@v4", "- name: Build\n  run: python -m build", "- run: twine upload -r testpypi dist/*")
    permissions = "contents: write\nid-token: write"
    text = workflow(job("release", *steps, "- run: twine upload dist/*", permissions=permissions), on=ON_TAG)
    release_rules = {"TC203", "TC204", "TC301", "TC401", "TC403"}
    messages = {(f.rule_id, f.message) for f in lint_text(text, release_rules)}
    assert messages == {
        ("TC203", "job 'release' publishes to PyPI and TestPyPI and also builds or runs project code (step 'Build')"),
        ("TC204", "job 'release' publishes to PyPI and TestPyPI and also holds write access to contents, which uploading does not need"),
        ("TC301", "job 'release' publishes to PyPI and TestPyPI without an environment, so no reviewer or tag rule can gate it"),
        ("TC401", "'actions/checkout@v4' is pinned to a tag ref, not a full commit SHA, in job 'release', which publishes or builds the release"),
    }
    only_testpypi = workflow(job("release", *steps, permissions=permissions), on=ON_TAG)
    assert lint_text(only_testpypi, release_rules) == []


def test_tc103_names_testpypi() -> None:
    text = main_push("- env:\n    TWINE_PASSWORD: ${{ secrets.TEST_PYPI_TOKEN }}\n  run: twine upload -r testpypi dist/*")
    [finding] = lint_text(text, {"TC103"})
    assert finding.message == ("twine still uploads to TestPyPI with a long-lived credential (secrets.TEST_PYPI_TOKEN) although "
                               "the job has id-token: write; the token is what gets used")


def preview_on_pull_request_target(*steps: str) -> str:
    """The `preview` job in the testpypi environment, with id-token: write, on pull_request_target."""
    return workflow(job("preview", *steps, environment="testpypi", permissions="id-token: write"),
                    on="on:\n  pull_request_target:\n")


def test_tc302_names_testpypi_for_a_testpypi_job_outsiders_can_start() -> None:
    [finding] = lint_text(preview_on_pull_request_target("- run: uv publish --index testpypi"), {"TC302"})
    assert finding.message == ("job 'preview' publishes to TestPyPI and can be started by pull_request_target, "
                               "which outsiders can trigger")


def test_tc305_names_a_testpypi_upload_for_a_job_that_only_uploads_there() -> None:
    checkout = """\
        - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
          with:
            ref: ${{ github.event.pull_request.head.sha }}
        - run: uv build
    """
    [finding] = lint_text(preview_on_pull_request_target(checkout, "- run: uv publish --index testpypi"), {"TC305"})
    assert finding.message == ("job 'preview' checks out code from a pull request or workflow_run head "
                               "(step 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683') on the path to a TestPyPI upload")
    [finding] = lint_text(preview_on_pull_request_target(checkout, "- run: uv publish"), {"TC305"})
    assert finding.message.endswith("on the path to a PyPI release")
