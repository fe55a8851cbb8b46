"""A stored token in a job with ``id-token: write`` (TC103). A deleted secret reads as an empty
string. The PyPA action (DOMAIN.md §1.2), the other actions that can do Trusted Publishing, and
pdm take an empty token for none and use Trusted Publishing: which one uploads is a repository
setting the files do not show, so the ``status`` verdict is ``mixed`` while the lint finding
stays an error (remove the token). twine 7.0.0, uv 0.13.9 and maturin 1.16.0, run with the
variable set to "", upload with the empty value and never reach Trusted Publishing; poetry,
hatch and flit cannot do it: those stay ``token``."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_text, write_tree
from trustycheck.status import judge_repository
from workflows import job, release_workflow, workflow

DOWNLOAD = "- uses: actions/download-artifact@v4"


def upload(*steps: str, permissions: str | None = "id-token: write") -> str:
    """The `upload` job on a release, in the pypi environment with ``permissions``: download the
    distributions (line 11), then ``steps``."""
    return release_workflow(DOWNLOAD, *steps, name="upload", permissions=permissions)


PYPA_ACTION = """\
- uses: pypa/gh-action-pypi-publish@release/v1
  with:
    password: ${{ secrets.PYPI_API_TOKEN }}
"""
TWINE = """\
- run: python -m twine upload dist/*
  env:
    TWINE_USERNAME: __token__
    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
"""
UV = """\
- run: uv publish --trusted-publishing automatic
  env:
    UV_PUBLISH_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
"""
PDM = """\
- run: pdm publish --no-build
  env:
    PDM_PUBLISH_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
"""
MATURIN = """\
- uses: PyO3/maturin-action@v1
  env:
    MATURIN_PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
  with:
    command: upload
    args: --non-interactive --skip-existing wheels-*/*
"""
UV_NEVER = """\
- run: uv publish --trusted-publishing never
  env:
    UV_PUBLISH_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
"""
POETRY = """\
- run: poetry publish
  env:
    POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI_API_TOKEN }}
"""
HATCH = """\
- run: hatch publish
  env:
    HATCH_INDEX_USER: __token__
    HATCH_INDEX_AUTH: ${{ secrets.PYPI_API_TOKEN }}
"""
FLIT = """\
- run: flit publish
  env:
    FLIT_USERNAME: __token__
    FLIT_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
"""
PYPA_ACTION_WITH_A_USER = """\
- uses: pypa/gh-action-pypi-publish@release/v1
  with:
    user: maintainer
    password: ${{ secrets.PYPI_PASSWORD }}
"""


def verdict(tmp_path: Path, text: str):
    write_tree(tmp_path, {".github/workflows/release.yml": text})
    return judge_repository(str(tmp_path))


DEPLOY_PYPI = """\
- uses: casperdcl/deploy-pypi@v2
  with:
    password: ${{ secrets.PYPI_API_TOKEN }}
"""


@pytest.mark.parametrize(
    ("step", "what"),
    [(PYPA_ACTION, "pypa/gh-action-pypi-publish"), (PDM, "pdm publish"), (DEPLOY_PYPI, "casperdcl/deploy-pypi")],
    ids=["pypa-action", "pdm", "deploy-pypi-action"],
)
def test_a_token_a_tool_gives_up_for_trusted_publishing_is_mixed(step: str, what: str, tmp_path: Path) -> None:
    text = upload(step)
    [finding] = lint_text(text, {"TC101", "TC103"})
    assert (finding.rule_id, finding.severity) == ("TC103", "error")
    assert finding.message == (f"{what} still uploads to PyPI with a long-lived credential (secrets.PYPI_API_TOKEN) although "
                               "the job has id-token: write; the token is what gets used")
    judged = verdict(tmp_path, text)
    assert judged.verdict == "mixed"
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "secrets.PYPI_API_TOKEN" in row)
    assert judged.reason == (
        f"{what} in release.yml:{line} uploads with a long-lived token (secrets.PYPI_API_TOKEN) in a job with id-token: write: "
        "the token is used while the secret exists, Trusted Publishing once it is empty or deleted, "
        "a repository setting the workflow does not show")
    assert [e.kind for e in judged.evidence] == ["token-then-oidc"]


@pytest.mark.parametrize(
    "step", [TWINE, UV, MATURIN, UV_NEVER, POETRY, HATCH, FLIT, PYPA_ACTION_WITH_A_USER],
    ids=["twine", "uv", "maturin-action", "uv-trusted-publishing-never", "poetry", "hatch", "flit", "pypa-action-with-a-user"],
)
def test_a_token_a_tool_never_gives_up_stays_token(step: str, tmp_path: Path) -> None:
    text = upload(step)
    assert [f.rule_id for f in lint_text(text, {"TC101", "TC103"})] == ["TC103"]
    judged = verdict(tmp_path, text)
    assert judged.verdict == "token"
    assert [e.kind for e in judged.evidence] == ["token"]


def test_without_id_token_a_token_is_token(tmp_path: Path) -> None:
    text = upload(PYPA_ACTION, permissions="contents: read")
    assert [f.rule_id for f in lint_text(text, {"TC101", "TC103"})] == ["TC101"]
    assert verdict(tmp_path, text).verdict == "token"


def test_id_token_granted_for_the_whole_workflow_counts_too(tmp_path: Path) -> None:
    text = workflow(job("upload", DOWNLOAD, PYPA_ACTION, environment="pypi"), permissions="id-token: write")
    assert verdict(tmp_path, text).verdict == "mixed"


def test_a_written_out_token_never_becomes_empty(tmp_path: Path) -> None:
    text = upload(PDM.replace("${{ secrets.PYPI_API_TOKEN }}", "pypi-" + "A" * 90))
    judged = verdict(tmp_path, text)
    assert judged.verdict == "token"


def test_the_token_then_oidc_fact_is_visible_to_rules() -> None:
    from trustycheck.loader import load_text
    from trustycheck.model.analysis import analyse

    contexts = analyse(load_text("release.yml", upload(PYPA_ACTION, TWINE, PDM))).contexts["step"]
    assert [(c.step.publish.tool, c.step.publish.token_then_oidc) for c in contexts if c.step and c.step.publish] == [
        ("pypa/gh-action-pypi-publish", True), ("twine", False), ("pdm publish", True)]
