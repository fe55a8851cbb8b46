"""The new `status` formats keep the promises of the old ones: nothing in a file can steer the
output, any stream encoding works, and no secret is ever shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_tree
from test_output_encoding import CALLED, ENCODINGS
from test_output_safety import HOSTILE, unsafe
from test_secret_leak import _leaks, repository  # noqa: F401 (a fixture)
from conftest import SECRET_CALLER

NEW_FORMATS = [("jsonl",), ("csv", "--long"), ("markdown",), ("html",)]


@pytest.mark.parametrize("output_format", NEW_FORMATS, ids=" ".join)
def test_status_cannot_be_steered_in_new_formats(tmp_path: Path, output_format: tuple[str, ...]) -> None:
    repos = tmp_path / "repos"
    write_tree(repos / "::add-mask::x", {".github/workflows/release.yml": HOSTILE})
    write_tree(repos / "evil\x1b]8;;https:\x07", {".github/workflows/release.yml": HOSTILE})
    result = run_cli("status", "--each", "--format", *output_format, str(repos), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert unsafe(result.stdout, output_format[0]) == [] and unsafe(result.stderr, output_format[0]) == []


@pytest.mark.parametrize("output_format", NEW_FORMATS, ids=" ".join)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_new_formats_write_on_any_encoding(tmp_path: Path, encoding: str, output_format: tuple[str, ...]) -> None:
    write_tree(tmp_path / "caf\u00e9 \U0001f40d", {".github/workflows/release.yml": SECRET_CALLER, ".github/workflows/publish.yml": CALLED})
    result = run_cli("status", "--each", "--format", *output_format, ".", cwd=tmp_path, env={"PYTHONIOENCODING": encoding}, binary=True)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    text = result.stdout.decode(encoding)
    assert "token" in text
    if output_format == ("jsonl",):
        assert json.loads(text)["repository"] == "./caf\u00e9 \U0001f40d"


@pytest.mark.parametrize("output_format", NEW_FORMATS, ids=" ".join)
def test_no_planted_secret_appears_in_new_formats(repository: Path, output_format: tuple[str, ...]) -> None:  # noqa: F811
    result = run_cli("status", "--format", *output_format, str(repository))
    assert result.returncode == 0, result.stderr
    assert _leaks(result.stdout + result.stderr) == []


@pytest.mark.parametrize("long", [(), ("--long",)])
def test_csv_cells_a_spreadsheet_would_run_as_a_formula_are_quoted_as_text(tmp_path: Path, long: tuple[str, ...]) -> None:
    """A repository named (or a reason starting) with = + - @ is a formula to Excel and LibreOffice:
    such a cell starts with ' so it is shown as text (OWASP's advice on CSV injection)."""
    import csv
    import io

    names = ["=HYPERLINK(\"http:x\")", "+1+1", "-2+3", "@SUM(A1)"]
    for name in names:
        write_tree(tmp_path / name, {".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    (tmp_path / "list").write_text("".join(name + "\n" for name in names))
    result = run_cli("status", "--repos-from", "list", "--format", "csv", *long, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    assert sorted(row[0] for row in rows) == sorted("'" + name for name in names)
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)


@pytest.mark.parametrize("called", ["upload.yml", "up job x → y.yml"])
def test_the_publisher_to_register_for_a_reusable_workflow_names_the_called_file(tmp_path: Path, called: str) -> None:
    """PyPI matches the file whose job uploads (the called one, DOMAIN.md §2.2), whatever it is
    named: even a name that reads like trustycheck's own call-chain words."""
    write_tree(tmp_path, {
        ".github/workflows/release.yml": "on:\n  release:\n    types: [published]\njobs:\n  call:\n"
                                          f"    uses: './.github/workflows/{called}'\n    secrets: inherit\n",
        f".github/workflows/{called}": "on: workflow_call\njobs:\n  upload:\n    runs-on: ubuntu-latest\n"
                                       "    environment: pypi\n    steps:\n      - run: twine upload dist/*\n"
                                       "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n",
    })
    result = run_cli("status", "--format", "markdown", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"workflow {called}, environment pypi (a reusable workflow: PyPI matches the called file)" in result.stdout


@pytest.mark.parametrize("action", ["pub", "pub job x"])
def test_the_publisher_for_an_upload_in_a_composite_action_is_the_workflow_that_runs_it(tmp_path: Path, action: str) -> None:
    write_tree(tmp_path, {
        ".github/workflows/release.yml": "on:\n  release:\n    types: [published]\njobs:\n  publish:\n"
                                          "    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n"
                                          f"      - uses: './.github/actions/{action}'\n",
        f".github/actions/{action}/action.yml": "runs:\n  using: composite\n  steps:\n    - run: twine upload dist/*\n"
                                               "      shell: bash\n      env:\n        TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n",
    })
    result = run_cli("status", "--format", "markdown", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "| owner unknown, repository unknown, workflow release.yml, environment pypi |" in result.stdout
