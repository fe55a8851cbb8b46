"""No secret leaves in any output: tokens planted in every place a credential (or any other
text a message might quote) can appear, and every output format searched for them."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from pathlib import Path

import pytest

from conftest import run_cli, write_tree

_SERIAL = itertools.count(1)


def _token(prefix: str = "pypi-AgEIcHlwaS5vcmc") -> str:
    """A distinct, well-formed (fake) PyPI token."""
    seed = f"trustycheck leak test {next(_SERIAL)}".encode()
    body = b"".join(hashlib.sha256(seed + bytes([n])).digest() for n in range(3))
    return prefix + base64.urlsafe_b64encode(body).decode().rstrip("=")


def _password() -> str:
    """A literal password that does not look like a token (only its place says it is one)."""
    return f"hunter{next(_SERIAL):04d}-correct-horse-battery"


PLANTED: dict[str, str] = {}


def _plant(place: str, value: str) -> str:
    PLANTED[place] = value
    return value


WORKFLOW = f"""\
name: release {_plant("workflow name", _token())}
on:
  push:
    tags: ["v*"]
env:
  TWINE_PASSWORD: {_plant("workflow env", _token())}
jobs:
  {_plant("job id", _token())}:
    name: {_plant("job name", _token())}
    runs-on: ubuntu-latest
    env:
      UV_PUBLISH_TOKEN: {_plant("job env", _token("pypi-AgENdGVzdC5weXBpLm9yZw"))}
    steps:
      - name: {_plant("step name", _token())}
        uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: {_plant("action input (token)", _token())}
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          user: someone
          password: {_plant("action input (password)", _password())}
      - run: twine upload -u __token__ -p {_plant("twine -p", _token())} dist/*
      - run: twine upload --password={_plant("twine --password=", _password())} dist/*
      - run: TWINE_PASSWORD={_plant("inline env prefix", _token())} twine upload dist/*
      - run: uv publish --token {_plant("uv --token", _password())}
      - run: poetry config pypi-token.pypi {_plant("poetry config", _token())} && poetry publish
      - run: poetry publish -u __token__ -p {_plant("poetry -p", _password())}
      - run: hatch publish -u __token__ -a {_plant("hatch -a", _password())}
      - run: pdm publish -u __token__ -P {_plant("pdm -P", _password())}
      - run: maturin upload --password {_plant("maturin --password", _password())} dist/*
      - run: |
          cat > ~/.pypirc <<EOF
          [pypi]
          username = __token__
          password = {_plant("pypirc heredoc", _token())}
          EOF
          twine upload dist/*
      - run: twine upload --repository-url https://__token__:{_plant("url userinfo", _token())}@upload.pypi.org/legacy/ dist/*
      - env:
          FLIT_PASSWORD: {_plant("flit env", _password())}
          FLIT_USERNAME: __token__
        run: flit publish
      - env:
          POETRY_PYPI_TOKEN_PYPI: {_plant("poetry env", _token())}
          HATCH_INDEX_AUTH: {_plant("hatch env", _password())}
          PDM_PUBLISH_PASSWORD: {_plant("pdm env", _password())}
          MATURIN_PYPI_TOKEN: {_plant("maturin env", _token())}
        run: hatch publish && pdm publish && maturin upload dist/* && poetry publish
      # a comment with a token: {_plant("comment", _token())}
      - run: echo "{_plant("echo in a script", _token())}"
        if: github.ref != '{_plant("if condition", _token())}'
  call:
    uses: ./.github/workflows/publish.yml
    with:
      token: {_plant("reusable workflow input", _token())}
    secrets:
      PYPI_TOKEN: {_plant("reusable workflow secret", _token())}
"""

CALLED = f"""\
on:
  workflow_call:
    inputs:
      token: {{type: string}}
    secrets:
      PYPI_TOKEN: {{required: true}}
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{{{ secrets.PYPI_TOKEN }}}}
      - uses: ./.github/actions/upload
        with:
          password: {_plant("composite input", _password())}
"""

ACTION = f"""\
name: upload
inputs:
  password: {{required: true}}
runs:
  using: composite
  steps:
    - run: twine upload -p {_plant("composite script", _token())} dist/*
      shell: bash
    - run: twine upload -p "${{{{ inputs.password }}}}" dist/*
      shell: bash
"""

BROKEN = f"""\
on: push
jobs:
  publish:
    steps:
      - run: twine upload dist/*
        env:
\t  TWINE_PASSWORD: {_plant("invalid YAML line", _token())}
"""


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leak")
    write_tree(root, {
        ".github/workflows/release.yml": WORKFLOW,
        ".github/workflows/publish.yml": CALLED,
        ".github/workflows/broken.yml": BROKEN,
        ".github/actions/upload/action.yml": ACTION,
    })
    return root


def _leaks(output: str) -> list[str]:
    """Places whose secret appears in ``output``, whole or as any 16-character piece."""
    found = []
    for place, secret in PLANTED.items():
        unique = secret.removeprefix("pypi-AgEIcHlwaS5vcmc").removeprefix("pypi-AgENdGVzdC5weXBpLm9yZw")
        pieces = {unique[i:i + 16] for i in range(len(unique) - 15)}
        if secret in output or any(piece in output for piece in pieces):
            found.append(place)
    return found


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_no_planted_secret_appears_in_lint_output(repository: Path, output_format: str) -> None:
    result = run_cli("--format", output_format, ".", cwd=repository, env={"FORCE_COLOR": "1"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
    assert _leaks(result.stdout + result.stderr) == []


def test_the_planted_secrets_are_found_and_reported_masked(repository: Path) -> None:
    """The test above could pass by reporting nothing: the tokens must be reported, masked."""
    report = json.loads(run_cli("--format", "json", ".", cwd=repository).stdout)
    rules = {finding["rule"] for finding in report["findings"]}
    assert {"TC001", "TC101", "TC102"} <= rules
    text = run_cli("--no-color", ".", cwd=repository).stdout
    assert "*" * 40 in text


@pytest.mark.parametrize("output_format", ["text", "json", "csv"])
def test_no_planted_secret_appears_in_status_output(repository: Path, output_format: str) -> None:
    result = run_cli("status", "--format", output_format, str(repository))
    assert result.returncode == 0, result.stderr
    assert _leaks(result.stdout + result.stderr) == []


def test_every_place_is_planted_once() -> None:
    assert len(set(PLANTED.values())) == len(PLANTED) >= 30
