"""TC403: every cache a release job restores, each with its off switch, and the riskiest named."""

from __future__ import annotations

import pytest

from tests.conftest import lint_text
from workflows import ON_TAG, release_workflow


BUILD_AND_UPLOAD = "      - run: uv build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n"


def _release(steps: str, then: str = BUILD_AND_UPLOAD) -> str:
    """A tag-run release job: ``steps``, then ``then`` (by default a build and the upload)."""
    return release_workflow(steps, then, on=ON_TAG, name="release")


def _tc403(steps: str) -> list[tuple[int, str]]:
    return [(f.pos.line, f.message) for f in lint_text(_release(steps), {"TC403"})]


@pytest.mark.parametrize(("step", "what"), [
    ("      - uses: astral-sh/setup-uv@v6\n", "uv's package cache"),
    ("      - uses: astral-sh/setup-uv@v5\n        with:\n          python-version: '3.12'\n", "uv's package cache"),
    ("      - uses: astral-sh/setup-uv@e92bafb6253dcd438e0484186d7669ea7a8ca1cc  # v6.4.3\n", "uv's package cache"),
    ("      - uses: astral-sh/setup-uv@v6\n        with:\n          enable-cache: true\n", "uv's package cache"),
    ("      - uses: astral-sh/setup-uv@v4\n        with:\n          enable-cache: true\n", "uv's package cache"),
    ("      - uses: actions/setup-python@v5\n        with:\n          cache: pip\n", "pip's package cache"),
    ("      - uses: actions/setup-python@v5\n        with:\n          cache: poetry\n", "poetry's package cache"),
    ("      - uses: actions/setup-node@v4\n        with:\n          cache: npm\n", "npm's package cache"),
    ("      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n          key: pip\n", "a package cache (~/.cache/pip)"),
    ("      - uses: actions/cache/restore@v4\n        with:\n          path: .venv\n          key: venv\n", "a virtualenv or build output (.venv)"),
])
def test_each_cache_is_found(step: str, what: str) -> None:
    [(line, message)] = _tc403(step)
    assert line == 11
    assert message.startswith(f"job 'release' restores {what} (step '")


@pytest.mark.parametrize("step", [
    "      - uses: astral-sh/setup-uv@v6\n        with:\n          enable-cache: false\n",
    "      - uses: astral-sh/setup-uv@v6\n        with:\n          enable-cache: 'false'\n",
    "      - uses: astral-sh/setup-uv@v4\n",
    "      - uses: astral-sh/setup-uv@v3.2.0\n        with:\n          version: latest\n",
    "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n",
    "      - uses: actions/setup-python@v5\n        with:\n          cache: ''\n",
    "      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n",
    "      - uses: actions/cache/save@v4\n        with:\n          path: .venv\n          key: venv\n",
])
def test_each_off_switch_or_absence(step: str) -> None:
    assert _tc403(step) == []


def test_the_riskiest_cache_is_named_not_the_first() -> None:
    steps = (
        "      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pre-commit\n          key: pre-commit\n"
        "      - uses: actions/setup-python@v5\n        with:\n          cache: pip\n"
        "      - uses: actions/cache@v4\n        with:\n          path: |\n            build/\n            ~/.ccache\n          key: build\n"
    )
    [(line, message)] = _tc403(steps)
    assert line == 18
    assert message == ("job 'release' restores a virtualenv or build output (build/) (step 'actions/cache@v4') "
                       "while building or publishing the release")


def test_a_package_cache_outranks_a_linter_cache() -> None:
    steps = (
        "      - uses: actions/cache@v4\n        with:\n          path: .mypy_cache\n          key: mypy\n"
        "      - name: Install uv\n        uses: astral-sh/setup-uv@v6\n"
    )
    [(line, message)] = _tc403(steps)
    assert line == 15
    assert message.startswith("job 'release' restores uv's package cache (step 'Install uv')")


# --- a cache matters only when something in the job reads it ---------------------------------

def _publish_only(steps: str) -> str:
    """A job that downloads the built files and uploads them, with ``steps`` after the download."""
    return _release("      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8\n", steps)


UV_SETUP = "      - uses: astral-sh/setup-uv@e92bafb6253dcd438e0484186d7669ea7a8ca1cc  # v6.4.3\n"
PIP_SETUP = "      - uses: actions/setup-python@v5\n        with:\n          cache: pip\n"
VENV_CACHE = "      - uses: actions/cache@v4\n        with:\n          path: .venv\n          key: venv\n"


@pytest.mark.parametrize("steps", [
    UV_SETUP + "      - run: uv publish\n",  # uv publish uploads files; it installs nothing
    UV_SETUP + "      - uses: pypa/gh-action-pypi-publish@release/v1\n",  # a container: the runner's cache is not in it
    PIP_SETUP + "      - run: echo done\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    "      - run: pip install twine\n" + PIP_SETUP + "      - run: twine upload dist/*\n",  # installed before the restore
])
def test_a_cache_nothing_in_the_job_reads_cannot_reach_the_upload(steps: str) -> None:
    assert lint_text(_publish_only(steps), {"TC403"}) == []


@pytest.mark.parametrize(("steps", "what"), [
    (PIP_SETUP + "      - run: pip install twine\n      - run: twine upload dist/*\n", "pip's package cache"),
    (PIP_SETUP + "      - run: python -m pip install -U twine && twine upload dist/*\n", "pip's package cache"),
    (UV_SETUP + "      - run: uvx twine upload dist/*\n", "uv's package cache"),
    (UV_SETUP + "      - run: uv tool run twine upload dist/*\n", "uv's package cache"),
    (UV_SETUP + "      - run: uv pip install --system twine\n      - run: twine upload dist/*\n", "uv's package cache"),
    (UV_SETUP + "      - run: pipx run twine upload dist/*\n", "uv's package cache"),
    # restored code runs when any command of the job can reach it
    (VENV_CACHE + "      - run: .venv/bin/twine upload dist/*\n", "a virtualenv or build output (.venv)"),
])
def test_a_cache_a_later_step_installs_or_runs_from_is_a_finding(steps: str, what: str) -> None:
    [finding] = lint_text(_publish_only(steps), {"TC403"})
    assert finding.message.startswith(f"job 'release' restores {what} (step '")
