"""The real CLI end to end: exit codes, exact text output, JSON, selection, hostile files."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import EXAMPLES, REPO, TOKEN_PUBLISH, run_cli

TOKEN_WORKFLOW = textwrap.dedent("""\
    on:
      release:
        types: [published]
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        steps:
          - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
        permissions:
          contents: read
    """)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(TOKEN_WORKFLOW)
    (workflows / "ci.yaml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n")
    (workflows / "notes.txt").write_text("not yaml: [")
    return tmp_path


def test_text_output_is_exact(repo: Path) -> None:
    result = run_cli(".github/workflows/release.yml", cwd=repo)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout == (
        ".github/workflows/release.yml:11:11: error TC101 [token-publish] pypa/gh-action-pypi-publish uploads to PyPI "
        "with a long-lived credential (secrets.PYPI_API_TOKEN) instead of Trusted Publishing\n"
        "   |\n"
        "11 |           password: ${{ secrets.PYPI_API_TOKEN }}\n"
        "   |           ^^^^^^^^\n"
        "   = help: Use Trusted Publishing: drop the token, grant `id-token: write` to this job, and register the "
        "workflow on PyPI.\n"
        "\n"
        "Found 1 finding (1 error) in 1 of 1 file checked.\n"
    )


def test_no_path_lints_the_current_repository(repo: Path) -> None:
    result = run_cli("--format", "json", cwd=repo)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["files"] == [".github/workflows/ci.yaml", ".github/workflows/release.yml"]
    assert [(f["rule"], f["line"], f["column"]) for f in document["findings"]] == [("TC101", 11, 11)]


@pytest.mark.parametrize("argument", [".", ".github", ".github/workflows"])
def test_repo_root_and_workflows_folder_are_searched_alike(repo: Path, argument: str) -> None:
    document = json.loads(run_cli("--format", "json", argument, cwd=repo).stdout)
    assert [Path(p).name for p in document["files"]] == ["ci.yaml", "release.yml"]


def test_local_actions_under_github_are_linted(repo: Path) -> None:
    action = repo / ".github" / "actions" / "publish" / "action.yml"
    action.parent.mkdir(parents=True)
    action.write_text(textwrap.dedent("""\
        name: publish
        runs:
          using: composite
          steps:
            - uses: pypa/gh-action-pypi-publish@release/v1
              with:
                password: ${{ env.PYPI_TOKEN }}
        """))
    document = json.loads(run_cli("--format", "json", cwd=repo).stdout)
    assert ".github/actions/publish/action.yml" in document["files"]


def test_file_with_any_name_is_linted_as_given(tmp_path: Path) -> None:
    (tmp_path / "release.workflow").write_text(TOKEN_WORKFLOW)
    result = run_cli("--format", "json", "release.workflow", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["TC101"]


def test_clean_file_exits_zero(repo: Path) -> None:
    result = run_cli(".github/workflows/ci.yaml", cwd=repo)
    assert (result.returncode, result.stdout) == (0, "No findings (1 file checked).\n")


def test_json_output_matches_its_schema() -> None:
    result = run_cli("--format", "json", str(EXAMPLES))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    schema = json.loads((REPO / "trustycheck" / "schemas" / "output.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["summary"]["findings"] == len(document["findings"]) >= 1


def test_examples_report_findings_with_lines() -> None:
    document = json.loads(run_cli("--format", "json", "examples/").stdout)
    found = {(Path(f["path"]).name, f["rule"], f["line"]) for f in document["findings"]}
    assert ("action-with-token.yml", "TC101", 35) in found
    assert not any(name == "trusted-publishing.yml" for name, _, _ in found)


@pytest.mark.parametrize(
    ("options", "expected_rules"),
    [
        ((), ["TC001", "TC101"]),
        (("--select", "TC101"), ["TC101"]),
        (("--select", "token-publish"), ["TC101"]),
        (("--select", "TC1"), ["TC101"]),
        (("--ignore", "TC101,invalid-workflow"), []),
        (("--select", "TC0", "--select", "TC1", "--ignore", "TC001"), ["TC101"]),
        (("--min-severity", "error"), ["TC001", "TC101"]),
    ],
)
def test_select_ignore_and_min_severity(tmp_path: Path, options: tuple, expected_rules: list[str]) -> None:
    (tmp_path / "a.yml").write_text(TOKEN_WORKFLOW)
    (tmp_path / "b.yml").write_text("on: push\njobs: [x]\n")
    result = run_cli("--format", "json", *options, str(tmp_path))
    rules = sorted({f["rule"] for f in json.loads(result.stdout)["findings"]})
    assert rules == expected_rules
    assert result.returncode == (1 if expected_rules else 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--select", "TC999"), "trustycheck: error: 'TC999' matches no rule id, id prefix or slug"),
        (("--ignore", "no-such-rule"), "trustycheck: error: 'no-such-rule' matches no rule id"),
        (("does-not-exist.yml",), "trustycheck: error: does-not-exist.yml: no such file or directory"),
        (("--format", "xml"), "trustycheck: error: argument --format/--output-format: invalid choice: 'xml'"),
        (("--min-severity", "fatal"), "trustycheck: error: argument --min-severity: invalid choice: 'fatal'"),
        (("--jobs", "0"), "trustycheck: error: argument -j/--jobs: '0' is not a whole number of at least 1"),
        (("status", "--fail-on", "great"), "trustycheck: error: argument --fail-on: invalid choice: 'great'"),
        (("--no-such-option",), "trustycheck: error: unrecognized arguments: --no-such-option"),
        (("explain", "TC999"), "trustycheck: error: no rule 'TC999'"),
    ],
)
def test_usage_errors_exit_two_without_traceback(tmp_path: Path, arguments: tuple, message: str) -> None:
    result = run_cli(*arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_directory_without_workflows_warns_and_exits_zero(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 0
    assert "no workflow files found in the current directory" in result.stderr


def test_yaml_bomb_and_invalid_utf8_give_tc001_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]")
    (tmp_path / "bomb.yml").write_text("\n".join(lines) + "\n")
    (tmp_path / "latin1.yml").write_bytes(b"on: push\nname: caf\xe9\njobs: {}\n")
    (tmp_path / "deep.yml").write_text("[" * 200_000 + "]" * 200_000)
    start = time.perf_counter()
    result = run_cli("--format", "json", str(tmp_path))
    assert time.perf_counter() - start < 20  # a hang guard, not a speed target
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    by_file = {Path(f["path"]).name: f for f in json.loads(result.stdout)["findings"]}
    assert {name: (f["rule"], f["line"], f["column"]) for name, f in by_file.items() if name != "deep.yml"} == {
        "bomb.yml": ("TC001", 5, 4),
        "latin1.yml": ("TC001", 2, 10),
    }
    deep = by_file["deep.yml"]  # where the parser stops counting differs between PyYAML builds
    assert (deep["rule"], deep["line"]) == ("TC001", 1)
    assert 1 < deep["column"] <= 400_000
    assert "nesting deeper than 1000 levels" in deep["message"]


def test_colour_only_when_forced_and_never_with_no_color(repo: Path) -> None:
    plain = run_cli(".github/workflows/release.yml", cwd=repo).stdout
    forced = run_cli(".github/workflows/release.yml", cwd=repo, env={"FORCE_COLOR": "1"}).stdout
    refused = run_cli("--no-color", ".github/workflows/release.yml", cwd=repo, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in plain
    assert "\x1b[31m" in forced
    assert refused == plain


def test_version_and_help() -> None:
    from trustycheck import __version__

    assert run_cli("--version").stdout == f"trustycheck {__version__}\n"
    help_text = run_cli("--help").stdout
    for expected in ("Usage: trustycheck [OPTIONS] [PATH]...", "--select RULES", "--min-severity", "explain", "Exit status"):
        assert expected in help_text


def test_rules_lists_the_catalog() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["TC001", "invalid-workflow", "error"]
    assert any(line.split()[:3] == ["TC101", "token-publish", "error"] for line in lines)


@pytest.mark.parametrize("name", ["TC101", "tc101", "token-publish"])
def test_explain_by_id_or_slug(name: str) -> None:
    result = run_cli("explain", name)
    assert result.returncode == 0
    assert result.stdout.startswith("TC101 token-publish (error, step scope)\n")
    for section in ("Why it matters", "How to fix", "Before:", "After:", "References"):
        assert section in result.stdout


def test_a_literal_token_is_masked_in_the_excerpt(tmp_path: Path) -> None:
    token = "pypi-AgEIcHlwaS5vcmc" + "A" * 120
    (tmp_path / "w.yml").write_text(TOKEN_WORKFLOW.replace("${{ secrets.PYPI_API_TOKEN }}", token))
    for options in ((), ("--format", "json")):
        result = run_cli(*options, str(tmp_path / "w.yml"))
        assert result.returncode == 1
        assert token not in result.stdout and "AgEIcHlwaS5vcmc" not in result.stdout
    text = run_cli(str(tmp_path / "w.yml")).stdout
    assert "password: " + "*" * len(token) in text
    assert "a value written in the workflow" in text


def test_everything_after_a_double_dash_is_a_path(tmp_path: Path) -> None:
    """pre-commit passes file names after '--'; a file may be named like an option."""
    for name in ("--help.yml", "-rf.yml"):
        (tmp_path / name).write_text(TOKEN_PUBLISH)
    result = run_cli("--select", "TC101", "--format", "json", "--", "--help.yml", "-rf.yml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = {(f["path"], f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("--help.yml", "TC101", 10), ("-rf.yml", "TC101", 10)}
    assert run_cli("check", "--", "-rf.yml", cwd=tmp_path).returncode == 1


def test_an_option_after_the_double_dash_is_a_missing_file_with_a_hint(tmp_path: Path) -> None:
    result = run_cli("--", "--select", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("trustycheck: error: --select: no such file or directory\nOptions go before '--'")
    assert run_cli("explain", "--", "TC101", cwd=tmp_path).returncode == 2


def run_here(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """Run the CLI in this process (what it prints does not depend on a fresh interpreter):
    exit status, standard output, standard error."""
    from trustycheck.cli import run

    status = run(list(arguments))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("arguments", "stderr"),
    [
        (("--format", "xml"), "trustycheck: error: argument --format/--output-format: invalid choice: 'xml' (choose from 'text', "
                              "'concise', 'json', 'sarif', 'github')\nTry 'trustycheck --help' for help.\n"),
        (("check", "--jobs", "0"), "trustycheck: error: argument -j/--jobs: '0' is not a whole number of at least 1\n"
                                   "Try 'trustycheck check --help' for help.\n"),
        (("status", "--each", "--no-evidnce"), "trustycheck: error: unrecognized arguments: --no-evidnce (did you mean --no-evidence?)\n"
                                               "Try 'trustycheck status --help' for help.\n"),
        (("--ignroe", "TC1"), "trustycheck: error: unrecognized arguments: --ignroe (did you mean --ignore?)\n"
                              "Try 'trustycheck --help' for help.\n"),
        (("status", "--format"), "trustycheck: error: argument --format: expected one argument\nTry 'trustycheck status --help' for help.\n"),
        (("--isolated=yes",), "trustycheck: error: argument --isolated: takes no value\nTry 'trustycheck --help' for help.\n"),
        (("-rf.yml",), "trustycheck: error: unrecognized arguments: -rf.yml\nTry 'trustycheck --help' for help.\n"),
        (("explain",), "trustycheck: error: the following arguments are required: RULE\nTry 'trustycheck explain --help' for help.\n"),
        (("explain", "TC101", "TC102"), "trustycheck: error: unrecognized arguments: TC102\nTry 'trustycheck explain --help' for help.\n"),
        (("rules", "x"), "trustycheck: error: unrecognized arguments: x\nTry 'trustycheck rules --help' for help.\n"),
    ],
)
def test_a_usage_error_is_one_line_and_a_hint_naming_the_command(capsys, monkeypatch, tmp_path: Path, arguments: tuple,
                                                                 stderr: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_here(capsys, *arguments) == (2, "", stderr)


def test_an_option_named_file_is_pointed_after_the_double_dash(capsys, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "-x.yml").write_text(TOKEN_PUBLISH)
    monkeypatch.chdir(tmp_path)
    assert run_here(capsys, "-x.yml") == (
        2, "", "trustycheck: error: unrecognized arguments: -x.yml\nA file whose name starts with '-' goes after '--': trustycheck -- -x.yml\n")


@pytest.mark.parametrize("arguments", [("--\x1b]0;owned\x07",), ("--format", "\x1b[2J"), ("-\x1b[31m.yml",), ("status", "\u202e")])
def test_control_characters_in_arguments_are_escaped_in_errors(capsys, monkeypatch, tmp_path: Path, arguments: tuple) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run_here(capsys, *arguments)
    assert (status, out) == (2, "")
    assert err.startswith("trustycheck: error: ") and err.count("\n") <= 2, err
    assert not set(err) & {"\x1b", "\x07", "\u202e"}


COMMANDS = ["check", "status", "rules", "explain", "facts"]


def test_help_lists_the_lint_options_and_the_commands_in_order(capsys) -> None:
    status, help_text, _ = run_here(capsys, "-h")
    assert status == 0
    assert help_text.startswith("Usage: trustycheck [OPTIONS] [PATH]...\n   or: trustycheck COMMAND [ARGS]...\n\n"
                                "  Lint GitHub Actions workflows that publish Python packages.\n")
    commands = help_text.split("\nCommands:\n", 1)[1]
    assert [line.split()[0] for line in commands.splitlines() if line.startswith("  ") and not line.startswith("   ")][:5] == COMMANDS
    assert run_here(capsys, "--help") == (0, help_text, "")


@pytest.mark.parametrize(("command", "usage", "options"), [
    ("check", "[OPTIONS] [PATH]...", ["--format, --output-format FORMAT", "--select RULES", "--config FILE", "-j, --jobs N", "--version", "-h, --help"]),
    ("status", "[OPTIONS] [REPO]...", ["--each", "--repos-from FILE", "--format FORMAT", "--fail-on VERDICT", "-h, --help"]),
    ("rules", "[OPTIONS]", ["--format [text|json]", "-h, --help"]),
    ("explain", "[OPTIONS] RULE", ["-h, --help"]),
    ("facts", "[OPTIONS]", ["-h, --help"]),
])
def test_every_command_has_help_in_clicks_style(capsys, command: str, usage: str, options: list[str]) -> None:
    status, out, err = run_here(capsys, command, "--help")
    assert (status, err) == (0, "")
    assert out.startswith(f"Usage: trustycheck {command} {usage}\n\n  ")
    listed = out.split("\nOptions:\n", 1)[1]
    for option in options:  # a long one has its help on the next line
        assert f"\n  {option} " in "\n" + listed or f"\n  {option}\n" in "\n" + listed, option


def test_a_folder_named_like_a_command_is_linted_with_check_or_a_path(capsys, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "release.yml").write_text(TOKEN_PUBLISH)
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_here(capsys, "rules")
    assert status == 0 and out.startswith("TC001  invalid-workflow")
    for arguments in (("check", "--format", "json", "rules"), ("./rules", "--format", "json"), ("--format", "json", "--", "rules"),
                      ("--format", "json", "rules")):
        status, out, err = run_here(capsys, *arguments)
        assert status == 1, (arguments, err)
        assert "TC101" in {f["rule"] for f in json.loads(out)["findings"]}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_are_produced(capsys, monkeypatch, shell: str) -> None:
    monkeypatch.setenv("_TRUSTYCHECK_COMPLETE", f"{shell}_source")
    with pytest.raises(SystemExit) as leaving:
        run_here(capsys)
    out, err = capsys.readouterr()
    assert (leaving.value.code, err) == (0, "")
    assert "_trustycheck_completion" in out
    assert f"_TRUSTYCHECK_COMPLETE={shell}_complete" in out


@pytest.mark.parametrize(("words", "expected"), [
    ("trustycheck ", ["plain,check", "plain,status", "plain,rules", "plain,explain", "plain,facts", "plain,fix"]),
    ("trustycheck st", ["plain,status"]),
    ("trustycheck exa", ["file,exa"]),
    ("trustycheck --sel", ["plain,--select"]),
    ("trustycheck examples --min-severity ", ["plain,note", "plain,warning", "plain,error"]),
    ("trustycheck status --fail-on to", ["plain,token"]),
    ("trustycheck status ", ["dir,"]),
    ("trustycheck explain token-p", ["plain,token-publish"]),
])
def test_shell_completion_offers_commands_options_values_and_paths(capsys, monkeypatch, words: str, expected: list[str]) -> None:
    for name, value in {"_TRUSTYCHECK_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as leaving:
        run_here(capsys)
    out, err = capsys.readouterr()
    assert (leaving.value.code, err) == (0, "")
    assert out.splitlines() == expected


def test_the_process_exits_normally() -> None:
    """No os._exit: atexit handlers run and the exit status is the run's."""
    code = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('atexit ran\\n')); "
            "sys.argv = ['trustycheck', 'explain', 'TC999']; from trustycheck.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.endswith("atexit ran\n"), result.stderr


def _closed_pipe_run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI with its standard output a pipe whose reader has already gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "trustycheck", *arguments], stdout=write_end, stderr=subprocess.PIPE,
                              cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60, text=True)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(("arguments", "status"), [(("examples",), 1), (("--exit-zero", "examples"), 0), (("--help",), 0),
                                                   (("explain", "TC101"), 0), (("status", "."), 0)])
def test_a_reader_that_went_away_ends_the_output_quietly(arguments: tuple, status: int) -> None:
    """The exit status stays the run's: 1 for findings, 0 otherwise (not 1 for a closed pipe)."""
    result = _closed_pipe_run(*arguments, cwd=REPO)
    assert (result.returncode, result.stderr) == (status, "")


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_piped_into_head_prints_no_broken_pipe_noise(tmp_path: Path, unbuffered: str) -> None:
    """A real `| head -1` on a report far bigger than a pipe holds. Buffered, the write after
    head has gone fails (EPIPE); unbuffered (PYTHONUNBUFFERED=1), the one write just stops short."""
    steps = "".join(f"      - uses: actions/checkout@v{index}\n" for index in range(2000))
    (tmp_path / "release.yml").write_text(TOKEN_PUBLISH.replace("    steps:\n", "    steps:\n" + steps, 1))
    command = f"{shlex.quote(sys.executable)} -m trustycheck --isolated --exit-zero release.yml | head -1; echo \"status=${{PIPESTATUS[0]}}\" >&2"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": unbuffered}
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("release.yml:") and result.stdout.count("\n") == 1
    assert result.stderr == "status=0\n"
