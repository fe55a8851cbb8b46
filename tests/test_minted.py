"""PyPI's documented manual Trusted Publishing flow (DOMAIN.md §2.3, §2.6): the job asks GitHub
for its OIDC token, exchanges it at PyPI's mint-token endpoint, and hands the 15-minute token to
the upload. That is Trusted Publishing however the token travels (a step output, ``$GITHUB_ENV``,
a variable of the same script) and whatever the variable is called; a token from a step that
does not mint is not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import ids_at, lint_text, write_tree
from workflows import ON_TAG, release_workflow
from trustycheck.loader import load_text
from trustycheck.model.analysis import analyse
from trustycheck.status import judge_repository

HEAD = release_workflow("""\
    - uses: actions/download-artifact@v4
      with:
        name: dist
        path: dist/
    """, on=ON_TAG, name="pypi")
"""A tag-run `pypi` job that downloads the built files (line 11); tests append its next steps."""

CURL_MINT = """\
resp=$(curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi")
oidc_token=$(jq -r '.value' <<< "$resp")
resp=$(curl -sS -X POST https://pypi.org/_/oidc/mint-token -d "{\\"token\\": \\"$oidc_token\\"}")
api_token=$(jq -r '.token' <<< "$resp")
echo "::add-mask::$api_token"
"""

GITHUB_SCRIPT_MINT = """\
const oidc = await core.getIDToken('pypi');
const response = await fetch('https://pypi.org/_/oidc/mint-token', {
  method: 'POST',
  body: JSON.stringify({token: oidc}),
});
const token = (await response.json()).token;
core.setSecret(token);
"""


def _block(text: str, indent: int) -> str:
    return textwrap.indent(text, " " * indent)


def run_step(script: str, *, step_id: str = "mint", name: str = "Mint a PyPI token") -> str:
    return f"      - name: {name}\n        id: {step_id}\n        run: |\n{_block(script, 10)}"


def github_script_step(script: str, *, step_id: str = "exchange") -> str:
    return (f"      - id: {step_id}\n        uses: actions/github-script@v7\n        with:\n          script: |\n"
            f"{_block(script, 12)}")


def uploads(text: str) -> list[tuple[str, str, str | None]]:
    """(tool, credential kind, credential source) of every upload of the workflow."""
    contexts = analyse(load_text("release.yml", text)).contexts["step"]
    return [(c.step.publish.tool, str(c.step.publish.credential.kind), c.step.publish.credential.source)
            for c in contexts if c.step is not None and c.step.publish is not None]


def verdict(tmp_path: Path, text: str):
    write_tree(tmp_path, {".github/workflows/release.yml": text})
    return judge_repository(str(tmp_path))


# --- how the token travels -------------------------------------------------------------------

STEP_OUTPUT_TWINE = HEAD + run_step(CURL_MINT + 'echo "token=$api_token" >> "$GITHUB_OUTPUT"\n') + """\
      - run: twine upload dist/*
        env:
          TWINE_USERNAME: __token__
          TWINE_PASSWORD: ${{ steps.mint.outputs.token }}
"""

STEP_OUTPUT_PYPA_ACTION = HEAD + github_script_step(GITHUB_SCRIPT_MINT + "core.setOutput('api-token', token);\n") + """\
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ steps.exchange.outputs.api-token }}
"""

GITHUB_ENV_TWINE = HEAD + run_step(CURL_MINT + 'echo "TWINE_PASSWORD=$api_token" >> "$GITHUB_ENV"\n') + """\
      - run: python -m twine upload --non-interactive dist/*
        env:
          TWINE_USERNAME: __token__
"""

EXPORT_VARIABLE_POETRY = HEAD + github_script_step(GITHUB_SCRIPT_MINT + "core.exportVariable('POETRY_PYPI_TOKEN_PYPI', token);\n") + """\
      - run: poetry publish
"""

GITHUB_ENV_THROUGH_ENV_CONTEXT = HEAD + run_step(CURL_MINT + 'echo "PYPI_API_TOKEN=$api_token" >> "$GITHUB_ENV"\n') + """\
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ env.PYPI_API_TOKEN }}
"""

SAME_SCRIPT_UV = HEAD + run_step(CURL_MINT + 'UV_PUBLISH_TOKEN="$api_token" uv publish\n', name="Publish") + ""

SAME_SCRIPT_FLIT = HEAD + run_step(CURL_MINT + 'export FLIT_USERNAME=__token__\nexport FLIT_PASSWORD="$api_token"\nflit publish\n',
                                   name="Publish")

SAME_SCRIPT_TWINE_FLAG = HEAD + run_step(CURL_MINT + 'twine upload -u __token__ -p "$api_token" dist/*\n', name="Publish")


@pytest.mark.parametrize(
    ("workflow", "expected"),
    [
        (STEP_OUTPUT_TWINE, [("twine", "minted", "steps.mint.outputs.token")]),
        (STEP_OUTPUT_PYPA_ACTION, [("pypa/gh-action-pypi-publish", "minted", "steps.exchange.outputs.api-token")]),
        (GITHUB_ENV_TWINE, [("twine", "minted", "TWINE_PASSWORD minted in step 'Mint a PyPI token'")]),
        (EXPORT_VARIABLE_POETRY, [("poetry publish", "minted", "POETRY_PYPI_TOKEN_PYPI minted in step 'actions/github-script@v7'")]),
        (GITHUB_ENV_THROUGH_ENV_CONTEXT, [("pypa/gh-action-pypi-publish", "minted", "PYPI_API_TOKEN minted in step 'Mint a PyPI token'")]),
        (SAME_SCRIPT_UV, [("uv publish", "minted", "a token minted in the same script")]),
        (SAME_SCRIPT_FLIT, [("flit publish", "minted", "a token minted in the same script")]),
        (SAME_SCRIPT_TWINE_FLAG, [("twine", "minted", "a token minted in the same script")]),
    ],
    ids=["step-output-twine", "step-output-pypa-action", "github-env-twine", "export-variable-poetry",
         "github-env-then-env-context", "same-script-uv", "same-script-flit", "same-script-twine-flag"],
)
def test_a_token_minted_through_oidc_is_minted_however_it_travels(workflow: str, expected: list, tmp_path: Path) -> None:
    assert uploads(workflow) == expected
    assert ids_at(lint_text(workflow, {"TC101", "TC103", "TC201"})) == []
    judged = verdict(tmp_path, workflow)
    assert judged.verdict == "trusted"
    assert [e.kind for e in judged.evidence] == ["oidc"]
    assert judged.evidence[0].credential.startswith("a token minted through OIDC (")


def test_mint_step_and_upload_step_may_be_renamed_and_reordered_with_other_steps() -> None:
    workflow = STEP_OUTPUT_TWINE.replace("id: mint", "id: pypi-token").replace("steps.mint.", "steps.pypi-token.").replace(
        "jobs:\n  pypi:", "jobs:\n  upload-release:")
    assert uploads(workflow) == [("twine", "minted", "steps.pypi-token.outputs.token")]


# --- what is not minted ----------------------------------------------------------------------


def test_an_output_of_a_step_that_does_not_mint_is_not_minted(tmp_path: Path) -> None:
    workflow = HEAD + """\
      - id: vault
        uses: hashicorp/vault-action@v3
        with:
          secrets: secret/data/ci/pypi token | PYPI_TOKEN
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ steps.vault.outputs.PYPI_TOKEN }}
"""
    assert uploads(workflow) == [("pypa/gh-action-pypi-publish", "unknown", "steps.vault.outputs.PYPI_TOKEN")]
    assert verdict(tmp_path, workflow).verdict == "unknown"


def test_a_script_that_only_names_the_endpoint_does_not_mint() -> None:
    not_minting = 'echo "see https://pypi.org/_/oidc/mint-token"\necho "token=$(cat token.txt)" >> "$GITHUB_OUTPUT"\n'
    workflow = STEP_OUTPUT_TWINE.replace(_block(CURL_MINT, 10), _block(not_minting, 10))
    assert uploads(workflow) == [("twine", "unknown", "steps.mint.outputs.token")]


def test_a_step_that_mints_after_the_upload_does_not_feed_it() -> None:
    upload = "      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: ${{ steps.mint.outputs.token }}\n"
    workflow = HEAD + upload + run_step(CURL_MINT + 'echo "token=$api_token" >> "$GITHUB_OUTPUT"\n')
    assert uploads(workflow) == [("twine", "unknown", "steps.mint.outputs.token")]


def test_a_secret_exported_next_to_a_mint_is_still_the_secret() -> None:
    workflow = HEAD + run_step(CURL_MINT + 'echo "TWINE_PASSWORD=${{ secrets.PYPI_TOKEN }}" >> "$GITHUB_ENV"\n') + """\
      - run: twine upload dist/*
"""
    assert uploads(workflow) == [("twine", "token", "secrets.PYPI_TOKEN")]
    assert [(f.rule_id, f.pos.line) for f in lint_text(workflow, {"TC101", "TC103"})] == [("TC103", 23)]


def test_minting_without_id_token_cannot_work() -> None:
    workflow = STEP_OUTPUT_TWINE.replace("    permissions:\n      id-token: write\n", "    permissions:\n      contents: read\n")
    assert uploads(workflow) == [("twine", "minted", "steps.mint.outputs.token")]
    [finding] = lint_text(workflow, {"TC101", "TC103", "TC201"})
    assert (finding.rule_id, finding.pos.line, finding.pos.col) == ("TC201", 24, 14)
    assert finding.message == ("twine uploads to PyPI without a token, but job 'pypi' does not grant id-token: write, "
                               "so no OIDC token can be minted")
