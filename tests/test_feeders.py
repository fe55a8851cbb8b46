"""Which jobs build what a release uploads (``job.feeds_publish``, read by TC305 and TC403): a
job whose artifact the publishing job downloads before its upload step, into the directory the
upload reads, directly or through a job that feeds it in turn. Files downloaded after the
upload (for a GitHub release, a tag) or next to it do not make their producer a release
builder; where the path cannot be known, the download still feeds."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ids_at, lint_text
from workflows import ON_RELEASE, ON_TAG, job, workflow

_ON_PULL_REQUEST_TARGET = "on:\n  pull_request_target:\n"
"""Pull requests, from forks too, run with the base repository's secrets: lines 1-2, the
release's own trigger (ON_RELEASE or ON_TAG, without its `on:`) after them."""


def _matrix_job(name: str, matrix: str, *steps: str, runs_on: str = "ubuntu-latest") -> str:
    """``job`` with a `strategy:` (``matrix``, the lines under it) before its steps."""
    strategy = textwrap.indent(textwrap.dedent(matrix).rstrip("\n") + "\n", " " * 6)
    return job(name, *steps, runs_on=runs_on).replace("    steps:\n", f"    strategy:\n{strategy}    steps:\n", 1)


def _pull_request_build(steps: str, uploaded: str = "python-package-distributions") -> str:
    """A job that builds a pull request's head (its checkout on line 9) and uploads the files
    as ``uploaded``; TC305 says so when (and only when) that artifact is on the path to the
    PyPI upload in the `release` job, which runs ``steps``."""
    build = job("build-dists", f"""\
        - uses: actions/checkout@v4
          with:
            ref: ${{{{ github.event.pull_request.head.sha }}}}
        - run: python -m build
        - uses: actions/upload-artifact@v4
          with:
            name: {uploaded}
            path: dist/
        """)
    release = job("release", steps, needs="[build-dists]", environment="pypi",
                  permissions="id-token: write\ncontents: write")
    return workflow(build, release, on=_ON_PULL_REQUEST_TARGET + ON_RELEASE.removeprefix("on:\n"))


_FEEDS = [("TC305", 9, 9)]


def _tc305(steps: str, uploaded: str = "python-package-distributions") -> list[tuple[str, int, int]]:
    return ids_at(lint_text(_pull_request_build(steps, uploaded), {"TC305"}))


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


def _chain(merge: str) -> str:
    """Wheels built from a pull request's head (its checkout on line 9), handed on by the
    `merge` job running ``merge`` to `publish`, which uploads the artifact `all-dists`."""
    wheels = job("wheels", """\
        - uses: actions/checkout@v4
          with:
            ref: ${{ github.event.pull_request.head.sha }}
        - run: pipx run cibuildwheel --output-dir wheelhouse
        - uses: actions/upload-artifact@v4
          with:
            name: wheels-linux
            path: wheelhouse/*.whl
        """)
    publish = job("publish", _download("name: all-dists", "path: dist") + _PYPA, needs="[merge]",
                  environment="pypi", permissions="id-token: write")
    return workflow(wheels, job("merge", merge, needs="[wheels]"), publish,
                    on=_ON_PULL_REQUEST_TARGET + ON_TAG.removeprefix("on:\n"))


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
    assert ids_at(lint_text(_chain(merge), {"TC305"})) == [("TC305", 9, 9)]


def test_an_intermediate_job_that_downloads_after_its_upload_does_not_pass_files_on() -> None:
    merge = _MERGE_UPLOAD + _MERGE_DOWNLOAD % "dist"
    assert ids_at(lint_text(_chain(merge), {"TC305"})) == []


def test_an_intermediate_job_builds_from_whatever_it_downloads_before_its_upload() -> None:
    """A job that feeds may make its artifact from what it downloads (cibuildwheel from the
    sdist, a merge job repacking wheels): no path is asked of it."""
    merge = _MERGE_DOWNLOAD % "sdist" + "      - run: pipx run cibuildwheel sdist/*.tar.gz --output-dir dist\n" + _MERGE_UPLOAD
    assert ids_at(lint_text(_chain(merge), {"TC305"})) == [("TC305", 9, 9)]


def test_a_default_working_directory_makes_the_path_unknown() -> None:
    text = _pull_request_build(_download("name: python-package-distributions", "path: dist") + "- run: uv publish\n")
    moved = text.replace("    environment: pypi\n", "    environment: pypi\n    defaults:\n      run:\n        working-directory: pkg\n")
    assert ids_at(lint_text(text, {"TC305"})) == _FEEDS
    assert ids_at(lint_text(moved, {"TC305"})) == _FEEDS
    elsewhere = moved.replace("path: dist", "path: notes")
    assert ids_at(lint_text(elsewhere, {"TC305"})) == _FEEDS  # pkg/dist or not: unknown, still feeding


# Artifacts belong to the workflow run: a job the publishing job needs only through a test job
# (which downloads them to test, and uploads nothing) still hands them to the upload.
def _through_tests(steps: str, *between: str, needs: str | None = "[test-wheels]") -> str:
    """Wheels built on a matrix (unpinned actions on lines 11, 12 and 15) and tested by
    `test-wheels`; then the jobs ``between``; then `publish`, needing ``needs``, runs ``steps``."""
    wheels = _matrix_job("wheels", "matrix:\n  os: [ubuntu-latest, windows-latest]", """\
        - uses: actions/checkout@v4
        - uses: pypa/cibuildwheel@v2.21
          with:
            output-dir: dist
        - uses: actions/upload-artifact@v4
          with:
            name: dist_${{ matrix.os }}
            path: dist
        """, runs_on="${{ matrix.os }}")
    test_wheels = job("test-wheels", _download("pattern: dist_*", "merge-multiple: true", "path: dist")
                      + "- run: pip install dist/*.whl && pytest\n", needs="[wheels]")
    publish = job("publish", steps, needs=needs, environment="pypi", permissions="id-token: write")
    return workflow(wheels, test_wheels, *between, publish, on=ON_TAG)


_RELEASE_DOWNLOAD = """\
      - uses: actions/download-artifact@v4
        with:
          pattern: %s
          merge-multiple: true
          path: dist
"""
_RELEASE_UPLOAD = "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
_BUILDER_UNPINNED = [("TC401", 11, 15), ("TC401", 12, 15), ("TC401", 15, 15)]


def _tc401_in_wheels(text: str) -> list[tuple[str, int, int]]:
    return [found for found in ids_at(lint_text(text, {"TC401"})) if found[1] < 19]


def test_a_job_needed_through_a_test_job_feeds_the_release() -> None:
    steps = _RELEASE_DOWNLOAD % "dist_*" + _RELEASE_UPLOAD
    findings = [f for f in lint_text(_through_tests(steps), {"TC401"}) if f.pos.line < 19]
    assert [(f.rule_id, f.pos.line, f.pos.col) for f in findings] == _BUILDER_UNPINNED
    assert findings[0].message == ("'actions/checkout@v4' is pinned to a tag ref, not a full commit SHA, "
                                   "in job 'wheels', which publishes or builds the release")


def test_a_job_needed_through_several_jobs_feeds_the_release() -> None:
    check = job("check", "- run: echo ok", needs="[test-wheels]")
    steps = _RELEASE_DOWNLOAD % "dist_*" + _RELEASE_UPLOAD
    assert _tc401_in_wheels(_through_tests(steps, check, needs="[check]")) == _BUILDER_UNPINNED


@pytest.mark.parametrize(
    "steps",
    [
        # The release takes another artifact: the wheels are only tested.
        _RELEASE_DOWNLOAD % "sdist" + _RELEASE_UPLOAD,
        # Downloaded after the upload (for a GitHub release): not what PyPI got.
        _RELEASE_UPLOAD + _RELEASE_DOWNLOAD % "dist_*",
        # Downloaded beside the path the upload reads.
        (_RELEASE_DOWNLOAD % "dist_*").replace("path: dist", "path: signing") + _RELEASE_UPLOAD,
    ],
)
def test_a_job_needed_through_a_test_job_feeds_only_what_reaches_the_upload(steps: str) -> None:
    assert _tc401_in_wheels(_through_tests(steps)) == []


def test_a_job_not_needed_at_all_does_not_feed() -> None:
    """Without ``needs`` (directly or not) the artifact may not exist yet when the release downloads."""
    assert _tc401_in_wheels(_through_tests(_RELEASE_DOWNLOAD % "dist_*" + _RELEASE_UPLOAD, needs=None)) == []


# hynek/build-and-inspect-python-package builds the sdist and wheel and uploads them itself, as
# the artifact ``Packages`` (its ``upload-name-suffix`` input appends to that name).
def _inspected(inputs: str, downloaded: str) -> str:
    """`package` runs the action (line 9) with ``inputs``; `deploy` uploads the artifact ``downloaded``."""
    package = job("package", "- uses: actions/checkout@v4\n- uses: hynek/build-and-inspect-python-package@v2\n" + inputs)
    deploy = job("deploy", _download(f"name: {downloaded}", "path: dist") + _PYPA, needs="[package]",
                 environment="pypi", permissions="id-token: write")
    return workflow(package, deploy)


_INSPECTED_FEEDS = [("TC401", 8, 15), ("TC401", 9, 15)]


@pytest.mark.parametrize(
    ("inputs", "downloaded", "feeds"),
    [
        ("", "Packages", True),
        ("", "Package Metadata", False),
        ("  with:\n    upload-name-suffix: -signed", "Packages-signed", True),
        ("  with:\n    upload-name-suffix: -signed", "Packages", False),
        ("  with:\n    upload-name-suffix: -${{ matrix.os }}", "Packages-ubuntu-latest", True),
    ],
)
def test_an_action_that_uploads_the_distributions_feeds_the_release(inputs: str, downloaded: str, feeds: bool) -> None:
    findings = ids_at(lint_text(_inspected(inputs, downloaded), {"TC401"}))
    assert [found for found in findings if found[1] < 11] == (_INSPECTED_FEEDS if feeds else [])


# Matrix values spelled out in the workflow name the artifacts: a test build's
# ``python-3.12-build`` never matches the release's ``python-cibw-*``, though both are needed.
def _matrix(matrix: str, pattern: str) -> str:
    """A `build` job on ``matrix`` naming its artifact after the Python version; `release`
    downloads the artifacts matching ``pattern`` (with `sdist`'s) and uploads them."""
    build = _matrix_job("build", matrix, """\
        - uses: actions/checkout@v4
        - run: pip wheel . -w target/wheels
        - uses: actions/upload-artifact@v4
          with:
            name: python-${{ matrix.python-version }}-build
            path: target/wheels/
        """)
    sdist = job("sdist", """\
        - run: pipx run build --sdist
        - uses: actions/upload-artifact@v4
          with:
            name: python-cibw-sdist
            path: dist
        """, needs="[all-green]")
    release = job("release", _download(f"pattern: {pattern}", "path: dist", "merge-multiple: true") + _PYPA,
                  needs="[all-green, sdist]", environment="pypi", permissions="id-token: write")
    return workflow(build, job("all-green", "- run: echo ok", needs="[build]"), sdist, release)


_LISTED = '      matrix:\n        python-version: ["3.12", "pypy3.11"]'


@pytest.mark.parametrize(
    ("matrix", "pattern", "feeds"),
    [
        (_LISTED, "python-cibw-*", False),
        (_LISTED, "python-3.12-*", True),
        (_LISTED, "python-*", True),
        # include adds values (or leaves the key unset: python--build).
        (_LISTED + '\n        include:\n          - python-version: "cibw-3.13"', "python-cibw-*", True),
        (_LISTED + "\n        include:\n          - os: windows-latest", "python--build", True),
        # A matrix made at run time may give any value.
        ("      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}", "python-cibw-*", True),
    ],
)
def test_matrix_values_name_the_artifacts(matrix: str, pattern: str, feeds: bool) -> None:
    text = _matrix(matrix, pattern)
    lines = text.splitlines()
    in_build = [number for number, line in enumerate(lines, 1) if line.startswith("      - uses: actions/")][:2]
    findings = [found for found in ids_at(lint_text(text, {"TC401"})) if found[1] <= in_build[-1]]
    assert findings == ([("TC401", number, 15) for number in in_build] if feeds else [])
