"""Same-repository callees: secrets: inherit to a local reusable workflow (TC104) and Trusted
Publishing inside one (TC304), against a call to another repository (DOMAIN.md §2.2, §5.2)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import lint_repo, lint_text
from workflows import ON_TAG, call_job, job, release_workflow, workflow

ON_CALL_INLINE = "on: workflow_call\n"
"""A reusable workflow, its trigger on one line: line 1."""

UPLOAD = "- uses: pypa/gh-action-pypi-publish@release/v1"


def _inherit(name: str, uses: str, permissions: str | None = None) -> str:
    """A job calling ``uses`` that passes it every secret (`secrets: inherit`, its last line)."""
    return call_job(name, uses, permissions=permissions) + "    secrets: inherit\n"


CALLER = workflow(_inherit("release", "./.github/workflows/publish.yml"))
"""`secrets: inherit` on line 7."""

TOKEN_CALLEE = workflow(job("upload", """\
    - uses: pypa/gh-action-pypi-publish@release/v1
      with:
        password: ${{ secrets.PYPI_API_TOKEN }}
    - run: |
        curl -s https://codecov.io -H "Authorization: ${{ secrets.CODECOV_TOKEN }} ${{ secrets.GITHUB_TOKEN }}"
    """, environment="pypi"), on=ON_CALL_INLINE)
"""An upload with a stored token, then a step that reads two more secrets."""

OIDC_CALLEE = release_workflow(UPLOAD, on=ON_CALL_INLINE, name="upload")
"""Trusted Publishing in a reusable workflow: the upload on line 9."""


def _found(findings) -> list[tuple[str, str, int, str, str]]:
    return [(f.rule_id, f.path, f.pos.line, f.severity, f.message) for f in findings]


def test_inherit_to_a_local_workflow_is_a_note_naming_what_it_reads(tmp_path: Path) -> None:
    found = lint_repo(tmp_path, CALLER, {".github/workflows/publish.yml": TOKEN_CALLEE}, {"TC104"})
    assert _found(found) == [
        ("TC104", ".github/workflows/example.yml", 7, "note",
         "job 'release' passes every secret to './.github/workflows/publish.yml' with secrets: inherit in a release "
         "workflow: the called workflow runs at the same commit and reads CODECOV_TOKEN, PYPI_API_TOKEN; pass those by name"),
    ]


def test_inherit_to_a_local_workflow_that_reads_no_secret_is_no_finding(tmp_path: Path) -> None:
    caller = workflow(_inherit("release", "./.github/workflows/publish.yml", permissions="id-token: write"))
    assert lint_repo(tmp_path, caller, {".github/workflows/publish.yml": OIDC_CALLEE}, {"TC104"}) == []


def test_inherit_to_another_repository_stays_a_warning() -> None:
    text = workflow(_inherit("docs", "example-org/shared/.github/workflows/docs.yml@v2"),
                    job("publish", UPLOAD, environment="pypi", permissions="id-token: write"), on=ON_TAG)
    assert _found(lint_text(text, {"TC104"})) == [
        ("TC104", "workflow.yml", 7, "warning",
         "job 'docs' passes every secret to 'example-org/shared/.github/workflows/docs.yml@v2' with secrets: inherit in a "
         "release workflow: whoever can change that workflow (another repository, a moving ref) can read them all"),
    ]


def test_a_workflow_that_uploads_only_to_testpypi_is_not_a_release_workflow() -> None:
    upload = job("test-upload", UPLOAD + "\n  with:\n    repository-url: https://test.pypi.org/legacy/",
                 environment="testpypi", permissions="id-token: write")
    text = workflow(_inherit("lint", "example-org/shared/.github/workflows/lint.yml@v2"), upload,
                    on="on:\n  push:\n    branches: [main]\n")
    assert lint_text(text, {"TC104"}) == []


def test_trusted_publishing_in_a_same_repository_callee_is_a_note(tmp_path: Path) -> None:
    caller = workflow(call_job("release", "./.github/workflows/publish.yml") + "    permissions:\n      id-token: write\n")
    found = lint_repo(tmp_path, caller, {".github/workflows/publish.yml": OIDC_CALLEE}, {"TC304"})
    assert [(rule, path, line, severity) for rule, path, line, severity, _ in _found(found)] == [
        ("TC304", ".github/workflows/publish.yml", 9, "note"),
    ]
    assert found[0].message.startswith(
        "pypa/gh-action-pypi-publish uses Trusted Publishing inside a reusable workflow, which PyPI documents as "
        "unsupported: today PyPI matches the called file, so this upload works only while the trusted publisher "
        "names 'publish.yml', not the calling 'example.yml'")


def test_trusted_publishing_in_a_reusable_workflow_with_no_caller_here_stays_a_warning() -> None:
    [finding] = lint_text(OIDC_CALLEE, {"TC304"}, path=".github/workflows/publish.yml")
    assert (finding.pos.line, finding.severity) == (9, "warning")
    assert "a caller in another repository never matches" in finding.message
