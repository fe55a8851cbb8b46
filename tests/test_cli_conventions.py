"""The command line's conventions (issue 18, points 4, 9, 10, 11, 13): what a ruff user expects
of a linter run by hand, by pre-commit and in CI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import PUBLISH_CALLEE, SECRET_CALLER, TOKEN_PUBLISH, check_sarif_written, write_tree
from workflows import composite_action

TC101 = ("pypa/gh-action-pypi-publish uploads to PyPI with a long-lived credential (secrets.PYPI_API_TOKEN) "
         "instead of Trusted Publishing")
"""TOKEN_PUBLISH's TC101 message (10:11, an error); it also has TC204 (5:3, a note), TC301 (5:3, a
warning) and TC401 (8:15, a note: a branch ref)."""

ACTION = composite_action("upload", """\
    - uses: pypa/gh-action-pypi-publish@release/v1
      with:
        password: ${{ env.PYPI_TOKEN }}
    """)
"""An action.yml that uploads with a token from its environment: TC401 (a note) on line 5."""


def run_here(capsys: pytest.CaptureFixture[str], *arguments: str, stdin: bytes | None = None,
             monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    """Run the CLI in this process: exit status, standard output, standard error."""
    from trustycheck.cli import run

    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = run(list(arguments))
    out, err = capsys.readouterr()
    check_sarif_written(arguments, status, out, Path.cwd())
    return status, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one release workflow that uploads with a token; the working directory."""
    write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


# Point 10: the severity in words, concise output, quiet, statistics, colour.

def test_text_names_the_severity_of_each_finding(capsys, repo: Path) -> None:
    status, out, _ = run_here(capsys, "--isolated")
    heads = [line for line in out.splitlines() if line.startswith(".github/")]
    assert [line.split(" [")[0] for line in heads] == [
        ".github/workflows/release.yml:5:3: note TC204",
        ".github/workflows/release.yml:5:3: warning TC301",
        ".github/workflows/release.yml:8:15: note TC401",
        ".github/workflows/release.yml:10:11: error TC101",
    ]
    assert status == 1


@pytest.mark.parametrize("option", ["--format", "--output-format"])
def test_concise_is_one_line_per_finding_and_the_summary(capsys, repo: Path, option: str) -> None:
    status, out, err = run_here(capsys, "--isolated", option, "concise", "--select", "TC101,TC301")
    assert (status, err) == (1, "")
    assert out == (
        ".github/workflows/release.yml:5:3: warning TC301 job 'publish' publishes to PyPI without an environment, "
        "so no reviewer or tag rule can gate it\n"
        f".github/workflows/release.yml:10:11: error TC101 {TC101}\n"
        "Found 2 findings (1 error, 1 warning) in 1 of 1 file checked.\n"
    )


def test_quiet_drops_the_summary_and_twice_quiet_writes_nothing(capsys, repo: Path) -> None:
    status, out, _ = run_here(capsys, "--isolated", "-q", "--format", "concise", "--select", "TC101")
    assert (status, out) == (1, f".github/workflows/release.yml:10:11: error TC101 {TC101}\n")
    status, out, _ = run_here(capsys, "--isolated", "--quiet", "--select", "TC101")
    assert status == 1 and out.startswith(".github/workflows/release.yml:10:11: error TC101") and "Found" not in out
    assert run_here(capsys, "--isolated", "-qq") == (1, "", "")
    assert run_here(capsys, "--isolated", "-q", "--select", "TC102") == (0, "", "")


def test_quiet_also_drops_the_note_that_nothing_was_found(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_here(capsys, "-q") == (0, "", "")


def test_statistics_count_findings_per_rule(capsys, repo: Path) -> None:
    with_environment = TOKEN_PUBLISH.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    environment: pypi\n")
    write_tree(repo, {".github/workflows/nightly.yml": TOKEN_PUBLISH, ".github/workflows/gated.yml": with_environment})
    status, out, _ = run_here(capsys, "--isolated", "--statistics")
    assert status == 1
    assert out == (
        "3  TC101  token-publish\n"
        "3  TC204  excessive-publish-permissions\n"
        "3  TC401  unpinned-action\n"
        "2  TC301  publish-without-environment\n"
        "Found 11 findings (3 errors, 2 warnings, 6 notes) in 3 of 3 files checked.\n"
    )
    status, out, _ = run_here(capsys, "--isolated", "--statistics", "--format", "json", "--select", "TC3")
    assert (status, json.loads(out)) == (1, [{"rule": "TC301", "slug": "publish-without-environment", "count": 2}])
    assert run_here(capsys, "--isolated", "--statistics", "-q", "--select", "TC301") == (1, "2  TC301  publish-without-environment\n", "")


def test_statistics_are_refused_with_sarif_and_annotations(capsys, repo: Path) -> None:
    status, out, err = run_here(capsys, "--statistics", "--format", "sarif")
    assert (status, out) == (2, "")
    assert err.startswith("trustycheck: error: --statistics works with the text, concise and json formats, not sarif\n")


@pytest.mark.parametrize(("arguments", "environ", "coloured"), [
    (("--color", "always"), {}, True),
    (("--color", "always"), {"NO_COLOR": "1"}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    (("--color", "auto"), {}, False),  # standard output is not a terminal here
    (("--color", "auto"), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("--no-color",), {"FORCE_COLOR": "1"}, False),
    (("--color", "always", "--format", "concise"), {}, True),
    (("--color", "always", "--format", "json"), {}, False),
])
def test_color_auto_always_never(capsys, repo: Path, monkeypatch, arguments: tuple, environ: dict, coloured: bool) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    status, out, _ = run_here(capsys, "--isolated", "--select", "TC101", *arguments)
    assert status == 1
    assert ("\x1b[" in out) is coloured
    if coloured:
        assert "\x1b[31m\x1b[1merror\x1b[0m" in out  # the severity in its colour


def test_color_always_and_no_color_contradict(capsys, repo: Path) -> None:
    status, _, err = run_here(capsys, "--color", "always", "--no-color")
    assert status == 2 and err.startswith("trustycheck: error: --no-color contradicts --color always\n")


def test_stdin_is_linted_as_the_file_it_names(capsys, repo: Path, monkeypatch) -> None:
    data = TOKEN_PUBLISH.encode()
    status, out, _ = run_here(capsys, "--isolated", "--format", "concise", "--select", "TC101", "-", stdin=data, monkeypatch=monkeypatch)
    assert (status, out.splitlines()[0]) == (1, f"-:10:11: error TC101 {TC101}")
    status, out, _ = run_here(capsys, "--isolated", "--format", "concise", "--select", "TC101", "--stdin-filename",
                              ".github/workflows/publish.yml", "-", stdin=data, monkeypatch=monkeypatch)
    assert (status, out.splitlines()[0]) == (1, f".github/workflows/publish.yml:10:11: error TC101 {TC101}")
    # --stdin-filename alone reads standard input, as ruff does
    status, out, _ = run_here(capsys, "--isolated", "--format", "json", "--stdin-filename", "upload/action.yml",
                              stdin=ACTION.encode(), monkeypatch=monkeypatch)
    assert status == 0  # a note: it does not fail the run
    [finding] = json.loads(out)["findings"]
    assert (finding["path"], finding["rule"], finding["line"]) == ("upload/action.yml", "TC401", 5)
    assert "in job '(action)'" in finding["message"]  # read as an action, by its content


def test_stdin_replaces_the_file_on_disk_it_names(capsys, repo: Path, monkeypatch) -> None:
    """An editor lints its unsaved buffer: what is on disk under that name is not read."""
    clean = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    assert run_here(capsys, "--isolated", "--stdin-filename", ".github/workflows/release.yml", "-", stdin=clean.encode(),
                    monkeypatch=monkeypatch) == (0, "No findings (1 file checked).\n", "")


def test_stdin_named_in_a_repository_is_judged_with_its_callers(capsys, tmp_path: Path, monkeypatch) -> None:
    """pre-commit or an editor hands over a reusable workflow: the caller on disk passes it the token."""
    write_tree(tmp_path, {".github/workflows/example.yml": SECRET_CALLER})
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_here(capsys, "--isolated", "--select", "TC101", "--format", "concise", "--stdin-filename",
                              ".github/workflows/publish.yml", stdin=PUBLISH_CALLEE.encode(), monkeypatch=monkeypatch)
    assert status == 1
    assert out.splitlines()[0] == (".github/workflows/publish.yml:14:11: error TC101 " + TC101
                                   + " (via example.yml job 'publish' → publish.yml job 'upload')")


def test_stdin_finds_the_configuration_from_the_name_it_is_given(capsys, repo: Path, monkeypatch) -> None:
    write_tree(repo, {"pyproject.toml": '[tool.trustycheck]\nper-path-ignores = {".github/workflows/*.yml" = ["TC101"]}\n'})
    status, out, _ = run_here(capsys, "--select", "TC101", "--stdin-filename", ".github/workflows/release.yml",
                              stdin=TOKEN_PUBLISH.encode(), monkeypatch=monkeypatch)
    assert (status, out) == (0, "No findings (1 file checked, 1 suppressed).\n")


def test_stdin_is_bounded_like_a_file(capsys, repo: Path, monkeypatch) -> None:
    from trustycheck.loader import MAX_BYTES

    big = b"# " + b"x" * MAX_BYTES + b"\n"
    status, out, _ = run_here(capsys, "--isolated", "--format", "json", "-", stdin=big, monkeypatch=monkeypatch)
    [finding] = json.loads(out)["findings"]
    assert (status, finding["rule"], finding["path"]) == (1, "TC001", "-")
    assert f"over the {MAX_BYTES:,}-byte limit" in finding["message"]


@pytest.mark.parametrize(("arguments", "message"), [
    (("-", "-"), "standard input ('-') can be read only once"),
    (("--stdin-filename", "x.yml", "a.yml"), "--stdin-filename names standard input: give '-' among the paths"),
])
def test_stdin_misuse_is_a_usage_error(capsys, repo: Path, monkeypatch, arguments: tuple, message: str) -> None:
    write_tree(repo, {"a.yml": TOKEN_PUBLISH})
    status, out, err = run_here(capsys, *arguments, stdin=b"", monkeypatch=monkeypatch)
    assert (status, out) == (2, "")
    assert err.startswith(f"trustycheck: error: {message}\n")


@pytest.mark.parametrize(("arguments", "message"), [
    (("--select", "TC1O1"), "'TC1O1' matches no rule id, id prefix or slug (did you mean 'TC101'?)"),
    (("--ignore", "token-publsh"), "'token-publsh' matches no rule id, id prefix or slug (did you mean 'token-publish'?)"),
    (("--select", "TC999"), "'TC999' matches no rule id, id prefix or slug (see `trustycheck rules`)"),
    (("explain", "tokn-publish"), "no rule 'tokn-publish' (did you mean 'token-publish'?)"),
    (("explain", "tc1011"), "no rule 'tc1011' (did you mean 'TC101'?)"),
])
def test_a_mistyped_rule_gets_a_suggestion(capsys, repo: Path, arguments: tuple, message: str) -> None:
    status, out, err = run_here(capsys, *arguments)
    assert (status, out) == (2, "")
    assert err.startswith(f"trustycheck: error: {message}")


# Point 11: fail level and baseline.

@pytest.mark.parametrize(("arguments", "config", "status"), [
    (("--select", "TC204"), "", 0),  # notes never fail by default
    (("--select", "TC204", "--fail-level", "note"), "", 1),
    (("--select", "TC204"), 'fail-level = "note"\n', 1),
    (("--select", "TC204", "--fail-level", "warning"), 'fail-level = "note"\n', 0),  # the command line wins
    (("--select", "TC301"), "", 1),
    (("--select", "TC301", "--fail-level", "error"), "", 0),
    (("--select", "TC101", "--fail-level", "error"), "", 1),
    (("--select", "TC101", "--fail-level", "note", "--exit-zero"), "", 0),
    (("--select", "TC101", "--min-severity", "error", "--fail-level", "note"), "", 1),
    (("--select", "TC204", "--min-severity", "warning", "--fail-level", "note"), "", 0),  # not reported, so cannot fail
])
def test_fail_level_sets_the_lowest_severity_that_fails(capsys, repo: Path, arguments: tuple, config: str, status: int) -> None:
    write_tree(repo, {".trustycheck.toml": config})
    assert run_here(capsys, *arguments)[0] == status


def test_a_notes_only_run_still_shows_its_notes(capsys, repo: Path) -> None:
    status, out, _ = run_here(capsys, "--isolated", "--format", "concise", "--select", "TC204")
    assert status == 0 and out.startswith(".github/workflows/release.yml:5:3: note TC204 ")


def test_sarif_written_to_a_file_exits_zero_unless_asked(capsys, repo: Path) -> None:
    assert run_here(capsys, "--isolated", "--format", "sarif", "--output", "out.sarif")[:2] == (0, "")
    assert json.loads((repo / "out.sarif").read_text())["runs"][0]["results"]
    assert run_here(capsys, "--isolated", "--format", "sarif", "--output", "out.sarif", "--exit-code")[0] == 1
    assert run_here(capsys, "--isolated", "--format", "sarif")[0] == 1  # on standard output: as every format
    assert run_here(capsys, "--isolated", "--format", "json", "--output", "out.json")[0] == 1
    write_tree(repo, {".trustycheck.toml": "exit-code = true\n"})
    assert run_here(capsys, "--format", "sarif", "--output", "out.sarif")[0] == 1
    status, _, err = run_here(capsys, "--exit-code", "--exit-zero")
    assert status == 2 and err.startswith("trustycheck: error: --exit-code contradicts --exit-zero\n")


def _baseline(repo: Path) -> dict:
    return json.loads((repo / "baseline.json").read_text())


def test_a_baseline_hides_the_findings_it_records_until_they_change(capsys, repo: Path, monkeypatch) -> None:
    status, out, err = run_here(capsys, "--isolated", "--write-baseline", "baseline.json")
    assert (status, out, err) == (0, "", "trustycheck: wrote 4 findings in 1 file to baseline.json\n")
    assert run_here(capsys, "--isolated", "--baseline", "baseline.json") == (0, "No findings (1 file checked, 4 in the baseline).\n", "")
    workflow = repo / ".github" / "workflows" / "release.yml"
    # lines added above, and the run started from elsewhere: still the same findings
    workflow.write_text("name: release\n# publishes on tags\n" + TOKEN_PUBLISH)
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    status, out, _ = run_here(capsys, "--isolated", "--baseline", "../baseline.json", "..", "--format", "concise")
    assert (status, out) == (0, "No findings (1 file checked, 4 in the baseline).\n")
    monkeypatch.chdir(repo)
    # the flagged line changes: that finding is reported again, the others stay hidden
    workflow.write_text(TOKEN_PUBLISH.replace("secrets.PYPI_API_TOKEN", "secrets.PYPI_TOKEN"))
    status, out, _ = run_here(capsys, "--isolated", "--baseline", "baseline.json", "--format", "concise")
    assert status == 1
    assert out.splitlines()[0].startswith(".github/workflows/release.yml:10:11: error TC101 ")
    assert out.splitlines()[1] == "Found 1 finding (1 error) in 1 of 1 file checked, 3 in the baseline."


def test_the_baseline_file_is_stable_keyed_by_line_text_and_holds_no_secret(capsys, repo: Path) -> None:
    token = "pypi-AgEIcHlwaS5vcmc" + "A" * 120
    workflow = repo / ".github" / "workflows" / "release.yml"
    workflow.write_text(TOKEN_PUBLISH.replace("${{ secrets.PYPI_API_TOKEN }}", token))
    run_here(capsys, "--isolated", "--write-baseline", "baseline.json")
    first = (repo / "baseline.json").read_text()
    assert token not in first and "AgEIcHlwaS5vcmc" not in first
    document = _baseline(repo)
    assert document["version"] == 1
    entries = document["findings"]
    assert {entry["rule"] for entry in entries} >= {"TC102", "TC204", "TC301", "TC401"}
    assert all(set(entry) == {"rule", "slug", "path", "fingerprint", "message"} for entry in entries)
    assert all(entry["path"] == ".github/workflows/release.yml" for entry in entries)
    assert entries == sorted(entries, key=lambda entry: (entry["path"], entry["rule"], entry["fingerprint"]))
    workflow.write_text("# moved down\n\n" + workflow.read_text())
    run_here(capsys, "--isolated", "--write-baseline", "baseline.json")
    assert (repo / "baseline.json").read_text() == first  # no line numbers: an edit above changes nothing


def test_a_baseline_entry_hides_one_finding_each(capsys, repo: Path) -> None:
    """Two identical uploads in one job: a baseline made with one hides one, not both."""
    run_here(capsys, "--isolated", "--select", "TC101", "--write-baseline", "baseline.json")
    workflow = repo / ".github" / "workflows" / "release.yml"
    step = "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n"
    workflow.write_text(TOKEN_PUBLISH + step)
    status, out, _ = run_here(capsys, "--isolated", "--select", "TC101", "--baseline", "baseline.json", "--format", "concise")
    assert status == 1 and out.count("error TC101") == 1


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline.json: no such baseline file"),
    ("{", "baseline.json: not a trustycheck baseline (not valid JSON"),
    ('{"version": 1, "findings": [{"rule": 1}]}', "baseline.json: not a trustycheck baseline (findings[0]"),
    ("[" * 200_000 + "]" * 200_000, "baseline.json: not a trustycheck baseline (nested too deep)"),
])
def test_an_unusable_baseline_is_a_usage_error(capsys, repo: Path, content: str | None, message: str) -> None:
    if content is not None:
        (repo / "baseline.json").write_text(content)
    status, out, err = run_here(capsys, "--baseline", "baseline.json")
    assert (status, out) == (2, "")
    assert err.startswith(f"trustycheck: error: {message}")


# Point 9: GITHUB_ACTIONS does not change the default format. Point 13: no workflows, no lint.

def test_text_stays_the_default_under_github_actions(capsys, repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    status, out, _ = run_here(capsys, "--isolated", "--select", "TC101")
    assert status == 1 and out.startswith(".github/workflows/release.yml:10:11: error TC101 [token-publish]")
    assert run_here(capsys, "--isolated", "--select", "TC101", "--format", "github")[1].startswith("::error file=")


def test_no_path_outside_a_repository_lints_no_other_yaml(capsys, tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  web:\n    image: nginx\n", "mkdocs.yml": "site_name: x\n"})
    monkeypatch.chdir(tmp_path)
    status, out, err = run_here(capsys)
    assert (status, out) == (0, "No findings (0 files checked).\n")
    assert err == ("trustycheck: warning: no workflow files found in the current directory (none in .github/workflows/; "
                   "name a file or folder to lint other YAML)\n")


def test_a_repository_without_workflows_named_as_a_folder_lints_no_other_yaml(capsys, tmp_path: Path, monkeypatch) -> None:
    """A folder with a .git but no .github is a repository without workflows; any other folder
    is a folder of workflows (its YAML files), as --help says."""
    write_tree(tmp_path, {"project/.git/HEAD": "ref: refs/heads/main\n", "project/docker-compose.yml": "services: {}\n",
                          "flows/release.yml": TOKEN_PUBLISH})
    monkeypatch.chdir(tmp_path)
    status, out, err = run_here(capsys, "project")
    assert (status, out) == (0, "No findings (0 files checked).\n")
    assert "no workflow files found in project" in err
    status, out, _ = run_here(capsys, "--isolated", "--format", "concise", "--select", "TC101", "flows")
    assert (status, out.splitlines()[0]) == (1, f"flows/release.yml:10:11: error TC101 {TC101}")


def test_a_baseline_for_files_outside_github_is_relative_to_its_own_folder(capsys, tmp_path: Path, monkeypatch) -> None:
    write_tree(tmp_path, {"ci/flows/release.yml": TOKEN_PUBLISH, "elsewhere/.keep": ""})
    monkeypatch.chdir(tmp_path / "ci")
    assert run_here(capsys, "--isolated", "--write-baseline", "baseline.json", "flows")[0] == 0
    assert {entry["path"] for entry in json.loads((tmp_path / "ci" / "baseline.json").read_text())["findings"]} == {"flows/release.yml"}
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert run_here(capsys, "--isolated", "--baseline", "../ci/baseline.json", "../ci/flows") == (
        0, "No findings (1 file checked, 4 in the baseline).\n", "")


def test_twice_quiet_still_writes_the_report_file_asked_for(capsys, repo: Path) -> None:
    assert run_here(capsys, "--isolated", "-qq", "--format", "json", "--output", "report.json") == (1, "", "")
    assert json.loads((repo / "report.json").read_text())["summary"]["findings"] == 4


def test_status_takes_the_same_color_option(capsys, repo: Path) -> None:
    status, out, _ = run_here(capsys, "status", "--color", "always", ".")
    assert status == 0 and "\x1b[" in out
    assert "\x1b[" not in run_here(capsys, "status", "--color", "never", ".")[1]
