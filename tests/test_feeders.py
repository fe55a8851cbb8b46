"""Which jobs build what a release uploads (``job.feeds_publish``, read by TC305 and TC403): a
job whose artifact the publishing job downloads before its upload step, into the directory the
upload reads, directly or through a job that feeds it in turn. Files downloaded after the
upload (for a GitHub release, a tag) or next to it do not make their producer a release
builder; where the path cannot be known, the download still feeds."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ids_at, lint_text

# A job that builds a pull request's head: TC305 says so when (and only when) its artifact is
# on the path to the PyPI upload.
_WORKFLOW = """\
on:
  pull_request_target:
  release:
    types: [published]
jobs:
  build-dists:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
      - run: python -m build
      - uses: actions/upload-artifact@v4
        with:
          name: {uploaded}
          path: dist/
  release:
    needs: [build-dists]
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
      contents: write
    steps:
{steps}
"""
_FEEDS = [("TC305", 9, 9)]


def _tc305(steps: str, uploaded: str = "python-package-distributions") -> list[tuple[str, int, int]]:
    text = _WORKFLOW.format(uploaded=uploaded, steps=textwrap.indent(textwrap.dedent(steps), " " * 6))
    return ids_at(lint_text(text, {"TC305"}))


_PYPA = "- uses: pypa/gh-action-pypi-publish@release/v1\n"


def _download(*inputs: str) -> str:
    body = "".join(f"\n    {line}" for line in inputs)
    return f"- uses: actions/download-artifact@v4\n" + (f"  with:{body}\n" if inputs else "")


def test_download_into_dist_before_the_upload_feeds() -> None:
    assert _tc305(_download("name: python-package-distributions", "path: dist/") + _PYPA) == _FEEDS


def test_download_after_the_upload_does_not_feed() -> None:
    """The PyPA guide's shape: the GitHub release job downloads the same files to sign them;
    here the publishing job does so after uploading."""
    steps = _PYPA + _download("name: python-package-distributions", "path: dist/") + (
        "- run: gh release upload ${{ github.event.release.tag_name }} dist/** --repo ${{ github.repository }}\n"
        "  env:\n    GITHUB_TOKEN: ${{ github.token }}\n")
    assert _tc305(steps) == []


@pytest.mark.parametrize(
    ("download", "upload", "feeds"),
    [
        # The PyPA action reads packages-dir (default dist/).
        (("path: dist",), _PYPA, True),
        (("path: ./dist/",), _PYPA, True),
        (("path: ${{ github.workspace }}/dist",), _PYPA, True),
        (("path: release-notes",), _PYPA, False),
        (("path: /tmp/signing",), _PYPA, False),
        (("path: wheelhouse",), _PYPA + "  with:\n    packages-dir: wheelhouse/\n", True),
        (("path: dist",), _PYPA + "  with:\n    packages-dir: wheelhouse/\n", False),
        (("path: dist",), _PYPA + "  with:\n    packages_dir: ${{ inputs.dir }}\n", True),
        # twine upload <paths>, uv publish <paths> (default dist/*).
        (("path: wheelhouse",), "- run: twine upload wheelhouse/*.whl\n", True),
        (("path: dist",), "- run: python -m twine upload --skip-existing wheelhouse/*\n", False),
        (("path: dist",), "- run: uv publish\n", True),
        (("path: artifacts",), "- run: uv publish\n", False),
        (("path: artifacts",), "- run: uv publish --trusted-publishing always artifacts/*\n", True),
        (("path: artifacts",), "- run: uvx twine upload artifacts/**/*.whl\n", True),
        # A script reads relative to its working directory.
        (("path: pkg/dist",), "- run: twine upload dist/*\n  working-directory: pkg\n", True),
        (("path: dist",), "- run: twine upload dist/*\n  working-directory: pkg\n", False),
        # No path: the workspace, which holds every path the upload may read.
        ((), _PYPA, True),
        (("merge-multiple: true",), "- run: uv publish\n", True),
    ],
)
def test_download_feeds_only_the_path_the_upload_reads(download: tuple[str, ...], upload: str, feeds: bool) -> None:
    assert _tc305(_download("name: python-package-distributions", *download) + upload) == (_FEEDS if feeds else [])


def test_files_moved_between_download_and_upload_still_feed() -> None:
    """Where a script moves the files, the path they reach cannot be known: still feeding."""
    steps = _download("path: artifacts") + "- run: mkdir dist && mv artifacts/*/* dist/\n" + _PYPA
    assert _tc305(steps) == _FEEDS


def test_an_unrelated_script_between_download_and_upload_changes_nothing() -> None:
    steps = _download("name: python-package-distributions", "path: notes") + "- run: ls dist\n" + _PYPA
    assert _tc305(steps) == []


@pytest.mark.parametrize(
    ("uploaded", "download", "feeds"),
    [
        ("python-package-distributions", ("name: python-package-distributions",), True),
        ("coverage-report", ("name: python-package-distributions",), False),
        ("dist-${{ matrix.os }}", ("pattern: dist-*", "merge-multiple: true", "path: dist"), True),
        ("wheels-linux", ("pattern: dist-*", "merge-multiple: true", "path: dist"), False),
        # No name, no merge: every artifact of the run, each in a directory named after it.
        ("coverage-report", ("path: dist",), True),
        ("coverage-report", (), False),
        ("dist", (), True),
        ("dist", ("pattern: '*'",), True),
        ("coverage-report", ("pattern: '*'", "merge-multiple: true"), True),
        ("coverage-report", ("pattern: '*'",), False),
    ],
)
def test_artifact_names_and_patterns(uploaded: str, download: tuple[str, ...], feeds: bool) -> None:
    assert _tc305(_download(*download) + _PYPA, uploaded=uploaded) == (_FEEDS if feeds else [])


def test_every_artifact_downloaded_next_to_dist_does_not_feed() -> None:
    """A test job's report downloaded with all artifacts lands in ``coverage-report/``,
    beside the ``dist/`` the upload reads."""
    assert _tc305(_download() + _PYPA, uploaded="coverage-report") == []
    assert _tc305(_download() + "- run: mv coverage-report/* dist/\n" + _PYPA, uploaded="coverage-report") == _FEEDS


def test_a_release_task_handed_a_token_reads_an_unknown_path() -> None:
    steps = _download("path: somewhere") + "- run: make release\n  env:\n    TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n"
    assert _tc305(steps) == _FEEDS


def test_testpypi_then_pypi_download_between_feeds_the_second() -> None:
    steps = (_PYPA + "  with:\n    repository-url: https://test.pypi.org/legacy/\n"
             + _download("name: python-package-distributions", "path: dist") + _PYPA)
    assert _tc305(steps) == _FEEDS


_CHAIN = """\
on:
  pull_request_target:
  push:
    tags: ["v*"]
jobs:
  wheels:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: pipx run cibuildwheel --output-dir wheelhouse
      - uses: actions/upload-artifact@v4
        with:
          name: wheels-linux
          path: wheelhouse/*.whl
  merge:
    needs: [wheels]
    runs-on: ubuntu-latest
    steps:
%s
  publish:
    needs: [merge]
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: all-dists
          path: dist
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
_MERGE_DOWNLOAD = """\
      - uses: actions/download-artifact@v4
        with:
          pattern: wheels-*
          path: %s
          merge-multiple: true
"""
_MERGE_UPLOAD = """\
      - uses: actions/upload-artifact@v4
        with:
          name: all-dists
          path: dist/
"""


def test_feeding_through_an_intermediate_job() -> None:
    merge = _MERGE_DOWNLOAD % "dist" + _MERGE_UPLOAD
    assert ids_at(lint_text(_CHAIN % merge, {"TC305"})) == [("TC305", 9, 9)]


def test_an_intermediate_job_that_downloads_after_its_upload_does_not_pass_files_on() -> None:
    merge = _MERGE_UPLOAD + _MERGE_DOWNLOAD % "dist"
    assert ids_at(lint_text(_CHAIN % merge, {"TC305"})) == []


def test_an_intermediate_job_builds_from_whatever_it_downloads_before_its_upload() -> None:
    """A job that feeds may make its artifact from what it downloads (cibuildwheel from the
    sdist, a merge job repacking wheels): no path is asked of it."""
    merge = _MERGE_DOWNLOAD % "sdist" + "      - run: pipx run cibuildwheel sdist/*.tar.gz --output-dir dist\n" + _MERGE_UPLOAD
    assert ids_at(lint_text(_CHAIN % merge, {"TC305"})) == [("TC305", 9, 9)]


def test_a_default_working_directory_makes_the_path_unknown() -> None:
    steps = textwrap.indent(_download("name: python-package-distributions", "path: dist") + "- run: uv publish\n", " " * 6)
    text = _WORKFLOW.format(uploaded="python-package-distributions", steps=steps)
    moved = text.replace("    environment: pypi\n", "    environment: pypi\n    defaults:\n      run:\n        working-directory: pkg\n")
    assert ids_at(lint_text(text, {"TC305"})) == _FEEDS
    assert ids_at(lint_text(moved, {"TC305"})) == _FEEDS
    elsewhere = moved.replace("path: dist", "path: notes")
    assert ids_at(lint_text(elsewhere, {"TC305"})) == _FEEDS  # pkg/dist or not: unknown, still feeding
