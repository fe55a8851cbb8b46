"""TC204: which write scopes a publishing job needs, where the finding points, and a job that
sets no permissions anywhere (DOMAIN.md §5.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_repo, lint_text


def _publish_job(permissions: str, steps: str = "") -> str:
    return f"""\
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
{permissions}    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
{steps}"""


def _tc204(text: str) -> list[tuple[int, int, str, str]]:
    return [(f.pos.line, f.pos.col, f.severity, f.message) for f in lint_text(text, {"TC204"})]


@pytest.mark.parametrize("scopes", [
    ["id-token: write"],
    ["id-token: write", "attestations: write"],
    ["attestations: write", "id-token: write", "contents: read"],
])
def test_what_trusted_publishing_and_attestations_need_is_not_excessive(scopes: list[str]) -> None:
    block = "    permissions:\n" + "".join(f"      {scope}\n" for scope in scopes)
    assert _tc204(_publish_job(block)) == []


def test_actions_attest_next_to_the_upload_is_fine() -> None:
    block = "    permissions:\n      id-token: write\n      attestations: write\n      contents: read\n"
    steps = "      - uses: actions/attest-build-provenance@v2\n        with:\n          subject-path: dist/*\n"
    assert _tc204(_publish_job(block, steps)) == []


def test_the_finding_points_at_the_offending_scope_not_the_first_key() -> None:
    block = "    permissions:\n      id-token: write\n      attestations: write\n      packages: write\n"
    assert _tc204(_publish_job(block)) == [
        (11, 7, "note", "job 'publish' publishes to PyPI and also holds write access to packages, which uploading does not need"),
    ]


def test_several_excess_scopes_are_named_at_the_first_in_the_file() -> None:
    block = "    permissions:\n      pull-requests: write\n      id-token: write\n      issues: write\n"
    assert _tc204(_publish_job(block)) == [
        (9, 7, "note", "job 'publish' publishes to PyPI and also holds write access to issues, pull-requests, which uploading does not need"),
    ]


def test_contents_write_unused_by_the_job_is_excessive() -> None:
    block = "    permissions:\n      id-token: write\n      contents: write\n"
    assert [line for line, *_ in _tc204(_publish_job(block))] == [10]


@pytest.mark.parametrize("step", [
    "      - run: gh release create \"$GITHUB_REF_NAME\" dist/* --generate-notes\n        env:\n          GH_TOKEN: ${{ github.token }}\n",
    "      - uses: softprops/action-gh-release@v2\n        with:\n          files: dist/*\n",
    "      - uses: ncipollo/release-action@v1\n",
    "      - uses: example-org/actions/release-github@v10\n",
    "      - run: |\n          autopub commit\n          autopub githubrelease\n",
    "      - name: Push the tag\n        run: |\n          git tag v1.2.3\n          git push origin v1.2.3\n",
])
def test_contents_write_used_in_the_job_for_the_github_release_is_not_excessive(step: str) -> None:
    block = "    permissions:\n      id-token: write\n      contents: write\n"
    assert _tc204(_publish_job(block, step)) == []


@pytest.mark.parametrize("step", [
    "      - name: Release\n        run: tox -e release\n        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
    "      - run: make github-release\n        env:\n          GH_TOKEN: ${{ github.token }}\n",
])
def test_contents_write_for_a_script_handed_the_github_token_is_not_excessive(step: str) -> None:
    """A run: step the job hands its GITHUB_TOKEN to (tox, make, a release script) uses the
    token's write access in ways the workflow does not show, such as the GitHub release the
    jaraco skeleton's `tox -e release` creates after the upload: contents: write may be needed."""
    block = "    permissions:\n      id-token: write\n      contents: write\n"
    assert _tc204(_publish_job(block, step)) == []


def test_a_script_handed_the_github_token_does_not_excuse_other_write_scopes() -> None:
    block = "    permissions:\n      id-token: write\n      contents: write\n      issues: write\n"
    step = "      - run: make github-release\n        env:\n          GH_TOKEN: ${{ github.token }}\n"
    assert _tc204(_publish_job(block, step)) == [
        (11, 7, "note", "job 'publish' publishes to PyPI and also holds write access to issues, which uploading does not need"),
    ]


def test_write_all_points_at_its_value_and_names_what_it_grants_beyond_need() -> None:
    text = _publish_job("    permissions: write-all\n")
    [(line, col, severity, message)] = _tc204(text)
    assert (line, col, severity) == (8, 18, "note")
    assert message.startswith("job 'publish' publishes to PyPI and also holds write access to actions, artifact-metadata, checks, contents,")
    assert "attestations" not in message and "id-token" not in message


def test_no_permissions_anywhere_points_at_the_job() -> None:
    text = """\
    on:
      push:
        tags: ["v*"]
    jobs:
      upload:
        runs-on: ubuntu-latest
        environment: pypi
        steps:
          - run: twine upload dist/*
            env:
              TWINE_USERNAME: __token__
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
    """
    assert _tc204(text) == [
        (5, 3, "note", "job 'upload' publishes to PyPI and sets no permissions: at any level, so it runs with the "
                       "repository's default GITHUB_TOKEN permissions, which may be write-all"),
    ]


def test_a_workflow_level_block_is_permissions_set() -> None:
    text = _publish_job("").replace("jobs:", "permissions:\n  id-token: write\njobs:")
    assert _tc204(text) == []


def test_no_permissions_in_caller_nor_callee(tmp_path: Path) -> None:
    caller = """\
    on:
      push:
        tags: ["v*"]
    jobs:
      release:
        uses: ./.github/workflows/upload.yml
        secrets:
          token: ${{ secrets.PYPI_API_TOKEN }}
    """
    callee = """\
    on:
      workflow_call:
        secrets:
          token:
            required: true
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - run: twine upload -u __token__ -p "$T" dist/*
            env:
              T: ${{ secrets.token }}
    """
    found = lint_repo(tmp_path, caller, {".github/workflows/upload.yml": callee}, {"TC204"})
    assert [(f.path, f.pos.line, f.pos.col) for f in found] == [(".github/workflows/upload.yml", 7, 3)]


def test_a_caller_block_is_permissions_set_for_the_callee(tmp_path: Path) -> None:
    caller = """\
    on:
      push:
        tags: ["v*"]
    jobs:
      release:
        uses: ./.github/workflows/upload.yml
        permissions:
          id-token: write
    """
    callee = """\
    on: workflow_call
    jobs:
      upload:
        runs-on: ubuntu-latest
        environment: pypi
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
    """
    assert lint_repo(tmp_path, caller, {".github/workflows/upload.yml": callee}, {"TC204"}) == []


def test_a_reusable_workflow_alone_is_not_blamed_for_its_unknown_caller() -> None:
    text = """\
    on: workflow_call
    jobs:
      upload:
        runs-on: ubuntu-latest
        steps:
          - run: twine upload dist/*
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
    """
    assert _tc204(text) == []
