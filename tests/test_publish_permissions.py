"""TC204: which write scopes a publishing job needs, where the finding points, and a job that
sets no permissions anywhere (DOMAIN.md §5.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_repo, lint_text
from workflows import ON_CALL, ON_TAG, before_steps, call_job, job, release_workflow, workflow

UPLOAD = ("- uses: actions/download-artifact@v4", "- uses: pypa/gh-action-pypi-publish@release/v1")


def _publish_job(permissions: str | None, *steps: str) -> str:
    """The `publish` job on a release with these job ``permissions`` (scopes, one a line, from
    line 9): download, upload, then ``steps``."""
    return release_workflow(*UPLOAD, *steps, permissions=permissions)


def _tc204(text: str) -> list[tuple[int, int, str, str]]:
    return [(f.pos.line, f.pos.col, f.severity, f.message) for f in lint_text(text, {"TC204"})]


@pytest.mark.parametrize("scopes", [
    ["id-token: write"],
    ["id-token: write", "attestations: write"],
    ["attestations: write", "id-token: write", "contents: read"],
])
def test_what_trusted_publishing_and_attestations_need_is_not_excessive(scopes: list[str]) -> None:
    assert _tc204(_publish_job("\n".join(scopes))) == []


def test_actions_attest_next_to_the_upload_is_fine() -> None:
    block = "id-token: write\nattestations: write\ncontents: read"
    step = "- uses: actions/attest-build-provenance@v2\n  with:\n    subject-path: dist/*"
    assert _tc204(_publish_job(block, step)) == []


def test_the_finding_points_at_the_offending_scope_not_the_first_key() -> None:
    assert _tc204(_publish_job("id-token: write\nattestations: write\npackages: write")) == [
        (11, 7, "note", "job 'publish' publishes to PyPI and also holds write access to packages, which uploading does not need"),
    ]


def test_several_excess_scopes_are_named_at_the_first_in_the_file() -> None:
    assert _tc204(_publish_job("pull-requests: write\nid-token: write\nissues: write")) == [
        (9, 7, "note", "job 'publish' publishes to PyPI and also holds write access to issues, pull-requests, which uploading does not need"),
    ]


def test_contents_write_unused_by_the_job_is_excessive() -> None:
    assert [line for line, *_ in _tc204(_publish_job("id-token: write\ncontents: write"))] == [10]


@pytest.mark.parametrize("step", [
    "- run: gh release create \"$GITHUB_REF_NAME\" dist/* --generate-notes\n  env:\n    GH_TOKEN: ${{ github.token }}",
    "- uses: softprops/action-gh-release@v2\n  with:\n    files: dist/*",
    "- uses: ncipollo/release-action@v1",
    "- uses: example-org/actions/release-github@v10",
    "- run: |\n    autopub commit\n    autopub githubrelease",
    "- name: Push the tag\n  run: |\n    git tag v1.2.3\n    git push origin v1.2.3",
])
def test_contents_write_used_in_the_job_for_the_github_release_is_not_excessive(step: str) -> None:
    assert _tc204(_publish_job("id-token: write\ncontents: write", step)) == []


@pytest.mark.parametrize("step", [
    "- name: Release\n  run: tox -e release\n  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n    GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
    "- run: make github-release\n  env:\n    GH_TOKEN: ${{ github.token }}",
])
def test_contents_write_for_a_script_handed_the_github_token_is_not_excessive(step: str) -> None:
    """A run: step the job hands its GITHUB_TOKEN to (tox, make, a release script) uses the
    token's write access in ways the workflow does not show, such as the GitHub release the
    jaraco skeleton's `tox -e release` creates after the upload: contents: write may be needed."""
    assert _tc204(_publish_job("id-token: write\ncontents: write", step)) == []


def test_a_script_handed_the_github_token_does_not_excuse_other_write_scopes() -> None:
    step = "- run: make github-release\n  env:\n    GH_TOKEN: ${{ github.token }}"
    assert _tc204(_publish_job("id-token: write\ncontents: write\nissues: write", step)) == [
        (11, 7, "note", "job 'publish' publishes to PyPI and also holds write access to issues, which uploading does not need"),
    ]


def test_write_all_points_at_its_value_and_names_what_it_grants_beyond_need() -> None:
    text = before_steps(_publish_job(None), "permissions: write-all")
    [(line, col, severity, message)] = _tc204(text)
    assert (line, col, severity) == (8, 18, "note")
    assert message.startswith("job 'publish' publishes to PyPI and also holds write access to actions, artifact-metadata, checks, contents,")
    assert "attestations" not in message and "id-token" not in message


def test_no_permissions_anywhere_points_at_the_job() -> None:
    step = "- run: twine upload dist/*\n  env:\n    TWINE_USERNAME: __token__\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}"
    text = release_workflow(step, on=ON_TAG, name="upload", permissions=None)
    assert _tc204(text) == [
        (5, 3, "note", "job 'upload' publishes to PyPI and sets no permissions: at any level, so it runs with the "
                       "repository's default GITHUB_TOKEN permissions, which may be write-all"),
    ]


def test_a_workflow_level_block_is_permissions_set() -> None:
    text = workflow(job("publish", *UPLOAD, environment="pypi"), permissions="id-token: write")
    assert _tc204(text) == []


def test_no_permissions_in_caller_nor_callee(tmp_path: Path) -> None:
    caller = workflow(call_job("release", "./.github/workflows/upload.yml")
                      + "    secrets:\n      token: ${{ secrets.PYPI_API_TOKEN }}\n", on=ON_TAG)
    step = '- run: twine upload -u __token__ -p "$T" dist/*\n  env:\n    T: ${{ secrets.token }}'
    callee = workflow(job("upload", step), on=ON_CALL + "    secrets:\n      token:\n        required: true\n")
    found = lint_repo(tmp_path, caller, {".github/workflows/upload.yml": callee}, {"TC204"})
    assert [(f.path, f.pos.line, f.pos.col) for f in found] == [(".github/workflows/upload.yml", 7, 3)]


def test_a_caller_block_is_permissions_set_for_the_callee(tmp_path: Path) -> None:
    caller = workflow(call_job("release", "./.github/workflows/upload.yml") + "    permissions:\n      id-token: write\n",
                      on=ON_TAG)
    callee = release_workflow("- uses: pypa/gh-action-pypi-publish@release/v1", on="on: workflow_call\n", name="upload",
                              permissions=None)
    assert lint_repo(tmp_path, caller, {".github/workflows/upload.yml": callee}, {"TC204"}) == []


def test_a_reusable_workflow_alone_is_not_blamed_for_its_unknown_caller() -> None:
    step = "- run: twine upload dist/*\n  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}"
    text = workflow(job("upload", step), on="on: workflow_call\n")
    assert _tc204(text) == []
