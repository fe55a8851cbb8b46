"""What a file holds can neither act on the terminal or the CI log, nor leak a credential.

Job ids, step names, secret names, file names and the quoted line reach every output; a
stranger's pull request writes them. Every format must show control characters as escapes,
never let a line begin with ``::`` (a GitHub workflow command) unless trustycheck wrote the
command, and mask every credential (issue 15, classes 2 and 4).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import hostile, run_cli, write_tree

HOSTILE = hostile.ESCAPES_IN_NAMES
SHOWN_JOB = "pub\\x1b]0;owned\\x07\\x9b31m\\r\\n::add-mask::x\\u202e\\x7f\\x85\\u2028"
"""The job id of HOSTILE as the text formats show it."""

FORMATS = ["text", "json", "sarif", "github"]

def unsafe(output: str, output_format: str) -> list[str]:
    """What in ``output`` could act on a terminal or a GitHub log (the fuzzer's own check)."""
    from fuzz import unsafe_output  # benchmarks/, on the path through conftest

    return unsafe_output(output, output_format)


@pytest.fixture()
def hostile_repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {".github/workflows/release.yml": HOSTILE})


@pytest.mark.parametrize("output_format", FORMATS)
def test_text_from_the_file_cannot_act_on_the_terminal_or_the_log(hostile_repo: Path, output_format: str) -> None:
    result = run_cli("--format", output_format, ".", cwd=hostile_repo)
    assert result.returncode == 1, result.stderr
    assert unsafe(result.stdout, output_format) == []
    if output_format in ("text", "github"):
        assert SHOWN_JOB in result.stdout


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_formats_carry_the_text_exactly_and_escaped(hostile_repo: Path, output_format: str) -> None:
    """JSON keeps the job id as it is (a program reads it), but as escapes in the bytes."""
    result = run_cli("--format", output_format, ".", cwd=hostile_repo)
    assert unsafe(result.stdout, output_format) == []
    document = json.loads(result.stdout)
    messages = [f["message"] for f in document["findings"]] if output_format == "json" else [
        r["message"]["text"] for r in document["runs"][0]["results"]]
    job = "pub\x1b]0;owned\x07\x9b31m\r\n::add-mask::x\u202e\x7f\x85\u2028"
    assert any(job in message for message in messages), messages


def test_the_text_format_shows_each_control_character_as_an_escape(hostile_repo: Path) -> None:
    result = run_cli("--format", "text", ".", cwd=hostile_repo)
    assert f"job '{SHOWN_JOB}'" in result.stdout
    assert "# \\u202eevil\\u202c\\tend" in result.stdout  # the quoted line too


@pytest.mark.parametrize("output_format", ["text", "json", "csv"])
def test_status_cannot_be_steered_either(tmp_path: Path, output_format: str) -> None:
    repos = tmp_path / "repos"
    write_tree(repos / "::add-mask::x", {".github/workflows/release.yml": HOSTILE})
    write_tree(repos / "evil\x1b]8;;https:\x07", {".github/workflows/release.yml": HOSTILE})
    result = run_cli("status", "--each", "--format", output_format, str(repos), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert unsafe(result.stdout, output_format) == []


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_hostile_file_name_is_shown_escaped(tmp_path: Path, output_format: str) -> None:
    names = ["::add-mask::x.yml", "evil\x1b]8;;https:\x07.yml", "new\n::error ::line.yml"]
    write_tree(tmp_path, {f".github/workflows/{name}": HOSTILE for name in names})
    result = run_cli("--format", output_format, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert unsafe(result.stdout, output_format) == []
    assert "Traceback" not in result.stderr


def test_an_error_message_quoting_a_path_is_escaped(tmp_path: Path) -> None:
    result = run_cli("no-such\x1b[2J\n::error ::x.yml", cwd=tmp_path)
    assert result.returncode == 2
    assert unsafe(result.stderr, "text") == []
    assert "no-such\\x1b[2J\\n::error ::x.yml" in result.stderr


# -- credentials ------------------------------------------------------------------------------

GITHUB_TOKEN = hostile.GITHUB_TOKEN
SECRET_LINES = {
    "userinfo": "twine upload --repository-url https://__token__:hunter2-userinfo@upload.pypi.org/legacy/ dist/*",
    "pypirc-printf": r"printf '[pypi]\nusername = __token__\npassword = hunter2-pypirc\n' > ~/.pypirc && twine upload dist/*",
    "poetry-http-basic": "poetry config http-basic.pypi __token__ hunter2-poetry && poetry publish",
    "github-env": 'echo "TWINE_PASSWORD=hunter2-githubenv" >> "$GITHUB_ENV" && twine upload dist/*',
    "export": "export TWINE_PASSWORD=hunter2-export; twine upload dist/*",
    "github-token": f"GH_TOKEN={GITHUB_TOKEN} gh release upload v1 dist/* && twine upload dist/*",
}


def _secret_workflow(script: str) -> str:
    return hostile.TAG_RELEASE + f"""\
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: {json.dumps(script)}  # trustycheck: ignore[TC999] reason with {GITHUB_TOKEN}
"""


@pytest.mark.parametrize("name", sorted(SECRET_LINES))
@pytest.mark.parametrize("output_format", FORMATS)
def test_credentials_on_a_flagged_line_are_masked_in_every_format(tmp_path: Path, name: str, output_format: str) -> None:
    script = SECRET_LINES[name]
    write_tree(tmp_path, {".github/workflows/release.yml": _secret_workflow(script)})
    result = run_cli("--format", output_format, ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert GITHUB_TOKEN not in result.stdout + result.stderr


def test_the_mask_keeps_what_is_not_a_secret() -> None:
    """References, user names and permission words are shown as written."""
    from trustycheck.masking import mask_secrets

    for line in ["password: ${{ secrets.PYPI_API_TOKEN }}", "permissions:\n  id-token: write", "secrets: inherit",
                 "TWINE_USERNAME: __token__", "twine upload -p \"$PASSWORD\" dist/*", "author: someone", "mkdir -p dist"]:
        assert mask_secrets(line) == line


# -- bounds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_findings_past_the_per_file_cap_are_counted_not_listed(tmp_path: Path, output_format: str) -> None:
    """2,500 token uploads in one job: every format lists 1,000 and says how many it left out."""
    steps = "".join("      - run: twine upload -p ${{ secrets.T }} dist/*\n" for _ in range(2500))
    (tmp_path / "w.yml").write_text(hostile.TAG_RELEASE + '  a:\n    runs-on: x\n    permissions: {}\n    steps:\n' + steps)
    result = run_cli("--format", output_format, "w.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    note = "1,501 more findings not listed (trustycheck lists at most 1,000 per file, the most severe first)"
    if output_format == "json":
        document = json.loads(result.stdout)
        assert len(document["findings"]) == 1000
        assert document["truncated"] == [{"path": "w.yml", "left_out": 1501}]
        assert document["summary"]["left_out"] == 1501
    elif output_format == "sarif":
        run = json.loads(result.stdout)["runs"][0]
        assert len(run["results"]) == 1000
        [notification] = run["invocations"][0]["toolExecutionNotifications"]
        assert notification["message"]["text"] == note
    elif output_format == "github":
        lines = result.stdout.splitlines()
        assert len(lines) == 1001 and lines[-1] == f"::notice file=w.yml,title=trustycheck::{note}"
    else:
        assert f"w.yml: {note}\n" in result.stdout
        assert result.stdout.endswith("Found 1000 findings (1000 errors) in 1 of 1 file checked, 1,501 more not listed.\n")


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path, output_format: str) -> None:
    """Linux file names are bytes; Python hands an undecodable one over with surrogates."""
    import os

    from conftest import TOKEN_PUBLISH

    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    with open(os.path.join(os.fsencode(workflows), b"caf\xe9.yml"), "w") as handle:
        handle.write(TOKEN_PUBLISH)
    result = run_cli("--format", output_format, ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    # shown as an escape, in JSON as a JSON escape; a SARIF URI percent-encodes the byte
    assert ("caf%E9.yml" if output_format == "sarif" else "caf\\udce9.yml") in result.stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_located_password_is_masked_where_the_file_repeats_it(tmp_path: Path, output_format: str) -> None:
    """A literal password is found at ``password:``; a comment on a flagged line repeats it."""
    (tmp_path / "w.yml").write_text(
        hostile.TAG_RELEASE + '  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    steps:\n'
        "      - uses: pypa/gh-action-pypi-publish@release/v1  # hunter2value was the old password\n"
        "        with:\n          password: hunter2value\n")
    result = run_cli("--format", output_format, "w.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert "hunter2value" not in result.stdout


@pytest.mark.parametrize("folded", [
    '    - run: "printf \'[pypi]\\\\npassword\\\n        \\ = hunter2-folded\\\\n\' > ~/.pypirc\\nuv publish"\n',
    '    - run: "printf \'[pypi]\\\\npassword =\\\n        \\ hunter2-folded\\\\n\' > ~/.pypirc\\nuv publish"\n',
])
def test_a_credential_folded_onto_the_next_line_is_masked(tmp_path: Path, folded: str) -> None:
    """A double-quoted YAML scalar folded between the key and its value (found by the fuzzer)."""
    (tmp_path / "w.yml").write_text(hostile.TAG_RELEASE + '  a:\n    runs-on: x\n    steps:\n' + folded)
    for output_format in FORMATS:
        result = run_cli("--format", output_format, "w.yml", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "hunter2" not in result.stdout, output_format


def test_a_suppressed_finding_in_sarif_masks_its_message_too(tmp_path: Path) -> None:
    """Suppressed results kept in SARIF (--include-suppressed) mask a job id shaped like a token too."""
    job = GITHUB_TOKEN
    (tmp_path / "w.yml").write_text(hostile.TOKEN_PUBLISH.replace(
        "  publish:\n", f"  {job}:  # trustycheck: ignore[TC301] a reviewed job\n"))
    result = run_cli("--format", "sarif", "--include-suppressed", "w.yml", cwd=tmp_path)
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert any(r.get("suppressions") for r in results)
    assert GITHUB_TOKEN not in result.stdout
