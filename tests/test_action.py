"""The GitHub Action (action.yml, action/) and the code-scanning example users copy.

The composite steps run for real here, in a temporary runner layout: each `run:` with bash and
the environment the runner would give it (inputs through env, GITHUB_OUTPUT per step, one
GITHUB_STEP_SUMMARY), the `uses:` steps stood in for (a cache miss, an upload recorded)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, REPO, TOKEN_PUBLISH, run_cli
from workflows import ON_TAG, job, workflow

ACTION_TEXT = (REPO / "action.yml").read_text()
ACTION = yaml.safe_load(ACTION_TEXT)
EXAMPLE = yaml.safe_load((EXAMPLES / "code-scanning.yml").read_text())

_SPEC = importlib.util.spec_from_file_location("trustycheck_action", REPO / "action" / "trustycheck_action.py")
assert _SPEC and _SPEC.loader
entry = importlib.util.module_from_spec(_SPEC)
sys.modules["trustycheck_action"] = entry  # dataclasses look their module up
_SPEC.loader.exec_module(entry)

MANY_WARNINGS = workflow(job("publish", *(f"- uses: example/tool-{i}@v1" for i in range(12)),
                             "- uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4",
                             environment="pypi", permissions="id-token: write"), on=ON_TAG, permissions="{}")
"""Twelve actions pinned to a tag in a publishing job: twelve TC401 warnings, two more than
GitHub annotates in one step."""


def test_trustycheck_reports_nothing_on_the_example_and_the_action() -> None:
    result = run_cli("--no-color", str(EXAMPLES / "code-scanning.yml"), str(REPO / "action.yml"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == "No findings (2 files checked).\n"


def test_example_uploads_sarif_with_minimal_permissions_and_a_sha_pin() -> None:
    assert EXAMPLE["permissions"] == {}
    job = EXAMPLE["jobs"]["trustycheck"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert re.fullmatch(r"github/codeql-action/upload-sarif@[0-9a-f]{40}", upload["uses"])
    # trustycheck has no published repository to name: the example says where to put the commit
    lint = next(step for step in steps if step.get("uses", "") == "OWNER/REPO@COMMIT")
    assert lint["with"]["format"] == "sarif"
    assert lint["with"]["output"] == upload["with"]["sarif_file"]
    assert steps[0]["with"]["persist-credentials"] is False
    # the action takes these inputs, and does not upload a second time
    inputs = entry.parse_inputs({"TRUSTYCHECK_" + name.upper().replace("-", "_"): str(value)
                                 for name, value in lint["with"].items()})
    assert inputs.sarif_upload == "false"


# ---- action.yml's shape --------------------------------------------------------------------


def test_every_action_the_action_uses_is_pinned_to_a_commit_with_its_version_named() -> None:
    uses = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert {use.split("@")[0] for use in uses} == {"actions/cache/restore", "actions/cache/save",
                                                     "github/codeql-action/upload-sarif"}
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}", use), use
        assert re.search(re.escape(use) + r"  # v\d+\.\d+\.\d+\n", ACTION_TEXT), f"{use}: no '# vX.Y.Z' comment"
    restore, save = (use for use in uses if use.startswith("actions/cache/"))
    assert restore.split("@")[1] == save.split("@")[1]


def test_action_declares_the_inputs_and_outputs_users_expect() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "format", "output", "args", "min-severity", "config", "fail-on",
                                     "annotations", "sarif-upload", "category", "token"}
    assert set(ACTION["outputs"]) == {"sarif-file", "findings"}
    assert ACTION["inputs"]["sarif-upload"]["default"] == "auto"


def test_scripts_take_inputs_through_env_and_run_on_every_os() -> None:
    """bash is on Linux, macOS and Windows runners (Git Bash); the scripts only start main.py."""
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        assert "${{" not in step["run"], "inputs must reach scripts through env, never by interpolation"
        assert step["shell"] == "bash"
        assert "venv/bin" not in step["run"] and "/bin/" not in step["run"]


def test_the_project_installs_from_the_lock_only() -> None:
    install = next(step for step in ACTION["runs"]["steps"] if step.get("name", "").startswith("Install"))
    assert "main.py\" install" in install["run"]
    source = (REPO / "action" / "trustycheck_action.py").read_text()
    for flag in ("--require-hashes", "--only-binary", "--no-deps", "--no-build-isolation", "--no-index"):
        assert f'"{flag}"' in source, flag


# ---- the lock --------------------------------------------------------------------------------


def _lock() -> dict[str, list[tuple[str, str]]]:
    """Each locked package: its (version, marker) pins (one per marker)."""
    text = (REPO / "action" / "requirements.txt").read_text()
    pins: dict[str, list[tuple[str, str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2] if text.startswith("#") else text):
        head = block.split("\\\n")[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^ ;]+)(?: ; (.+))?", head.rstrip(" \\"))
        assert match, f"not a pin: {head!r}"
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
        assert hashes, f"{head}: no hash"
        pins.setdefault(match[1].lower(), []).append((match[2], match[3] or ""))
    return pins


def test_lock_pins_every_requirement_with_hashes_within_pyproject_ranges() -> None:
    from packaging.requirements import Requirement

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    lock = _lock()
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for line in wanted:
        requirement = Requirement(line)
        pins = lock.get(requirement.name.lower())
        assert pins, f"{requirement.name} is not locked"
        for version, _ in pins:
            assert requirement.specifier.contains(version), f"{requirement.name}=={version} outside {requirement.specifier}"
    assert lock["tomli"] == [(lock["tomli"][0][0], "python_full_version < '3.11'")]


# ---- the Python version and Windows paths ------------------------------------------------------


def test_an_old_python_is_refused_with_a_clear_message() -> None:
    """main.py checks the version before importing anything that needs 3.10."""
    script = ("import runpy, sys; sys.version_info = (3, 9, 18, 'final', 0); sys.version = '3.9.18 (fake)';"
              f"sys.argv = ['main.py', 'prepare']; runpy.run_path({str(REPO / 'action' / 'main.py')!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=trustycheck::trustycheck needs Python 3.10 or later; ")
    assert "is 3.9.18. Add actions/setup-python" in result.stdout


def test_main_py_parses_as_old_pythons_do() -> None:
    """No f-strings, annotations or walrus in main.py: a Python 3.5 must reach the check."""
    source = (REPO / "action" / "main.py").read_text()
    assert not re.search(r"""\bf["']|:=|->|from __future__""", source)


def test_the_environment_python_on_windows_and_elsewhere() -> None:
    assert entry.venv_python(PureWindowsPath(r"D:\a\_temp\trustycheck-action\venv")) == \
        PureWindowsPath(r"D:\a\_temp\trustycheck-action\venv\Scripts\python.exe")
    assert entry.venv_python(PurePosixPath("/home/runner/work/_temp/trustycheck-action/venv")) == \
        PurePosixPath("/home/runner/work/_temp/trustycheck-action/venv/bin/python")
    # bash on Windows runs a path with forward slashes
    assert entry.venv_python(PureWindowsPath(r"D:\a\_temp\venv")).as_posix() == "D:/a/_temp/venv/Scripts/python.exe"


def test_cache_key_names_os_python_ref_and_content() -> None:
    env = {"RUNNER_OS": "Windows", "RUNNER_ARCH": "X64", "TRUSTYCHECK_ACTION_REF": "v1.2.0"}
    key = entry.cache_key(env, "3.12.7-cpython", r"C:\hostedtoolcache\windows\Python\3.12.7\x64", "ab" * 32)
    assert re.fullmatch(r"trustycheck-action-Windows-X64-py3\.12\.7-cpython-[0-9a-f]{8}-v1\.2\.0-(ab){8}", key)
    assert entry.cache_key({**env, "TRUSTYCHECK_ACTION_REF": ""}, "3.12.7", "/", "0" * 64).split("-")[-2] == "local"
    assert "," not in entry.cache_key({**env, "TRUSTYCHECK_ACTION_REF": "a,b"}, "3.12.7", "/", "0" * 64)
    assert entry.content_digest() != entry.content_digest(REPO / "tests")  # reads the files, not the names


# ---- inputs ----------------------------------------------------------------------------------


def _inputs(**values: str) -> dict[str, str]:
    return {"TRUSTYCHECK_" + name.upper(): value for name, value in values.items()}


def test_lists_split_as_a_shell_splits_them() -> None:
    inputs = entry.parse_inputs(_inputs(paths=".github/workflows/release.yml 'docs/my workflow.yml' \"a b\"",
                                        args="--select 'TC1,TC2' --ignore=TC403"))
    assert inputs.paths == [".github/workflows/release.yml", "docs/my workflow.yml", "a b"]
    assert inputs.args == ["--select", "TC1,TC2", "--ignore=TC403"]
    assert entry.parse_inputs({}).paths == ["."]


@pytest.mark.parametrize(("values", "message"), [
    ({"paths": "'unclosed"}, "paths: No closing quotation in \"'unclosed\""),
    ({"format": "xml"}, "format must be one of github, text, json, sarif, not 'xml'"),
    ({"fail-on": "high"}, "fail-on must be one of '', note, warning, error, never, not 'high'"),
    ({"annotations": "yes"}, "annotations must be one of true, false, not 'yes'"),
    ({"format": "github", "annotations": "false"}, "format: github is annotations, and annotations: false asks for none"),
    ({"format": "json"}, "format: json without output prints JSON to the log, where the annotations would be mixed"),
    ({"args": "--format sarif"}, "args: --format is set by the action; give it as the format input instead"),
    ({"args": "-o report.txt"}, "args: -o is set by the action; give it as the output input instead"),
    ({"args": "--min-severity=error"}, "args: --min-severity is set by the action; give it as the min-severity input"),
    ({"args": "--exit-zero", "fail-on": "error"}, "args: --exit-zero never fails, and fail-on: error asks when to"),
    ({"args": "--fail-level=note"}, "args: --fail-level is set by the action; give it as the fail-on input instead"),
    ({"args": "-- x.yml"}, "args: '--' starts the paths; give paths in the paths input"),
    ({"sarif-upload": "true", "category": ""}, "sarif-upload: true needs a category"),
])
def test_unusable_and_contradictory_inputs_are_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(entry.InputError) as error:
        entry.parse_inputs(_inputs(**{name.replace("-", "_"): value for name, value in values.items()}))
    assert str(error.value).startswith(message)


def test_a_report_to_a_file_goes_with_annotations() -> None:
    inputs = entry.parse_inputs(_inputs(format="json", output="trustycheck.json"))
    assert (inputs.format, inputs.output, inputs.annotations) == ("json", "trustycheck.json", True)
    assert entry.parse_inputs(_inputs(format="TEXT", annotations="False")).annotations is False


# ---- the upload decision -----------------------------------------------------------------------


def _decide(env: dict[str, str], status: int | None = 404, **values: str) -> tuple[bool, str, list[str]]:
    asked: list[str] = []

    def probe(url: str, token: str) -> int | None:
        asked.append(url)
        return status

    base = {"TRUSTYCHECK_TOKEN": "t", "GITHUB_REPOSITORY": "octo/pkg", "GITHUB_API_URL": "https://api.example"}
    upload, why = entry.decide_upload(entry.parse_inputs(_inputs(**values)), {**base, **env}, probe)
    return upload, why, asked


def test_upload_is_on_when_the_token_can_use_code_scanning() -> None:
    assert _decide({}, 404) == (True, "the token can read code scanning (security-events)",
                                ["https://api.example/repos/octo/pkg/code-scanning/analyses?per_page=1"])
    assert _decide({}, 200)[0] is True
    upload, why, _ = _decide({}, 403)
    assert not upload and why.startswith("the token cannot use code scanning (HTTP 403): grant security-events: write")
    assert _decide({}, None)[1].startswith("the token cannot use code scanning (unreachable)")


def test_upload_is_off_for_read_only_tokens_without_asking(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {"full_name": "stranger/pkg"}}}}))
    assert _decide({"GITHUB_EVENT_PATH": str(event)}) == (False, "a pull request from a fork gets a read-only token", [])
    assert _decide({"GITHUB_ACTOR": "dependabot[bot]"}) == (False, "Dependabot's token is read-only", [])
    assert _decide({"TRUSTYCHECK_TOKEN": ""}) == (False, "no token or repository to upload with", [])
    assert _decide({}, 403, sarif_upload="true") == (True, "sarif-upload: true", [])
    assert _decide({}, 404, sarif_upload="false") == (False, "sarif-upload: false", [])


def test_the_probe_asks_the_api_with_the_token() -> None:
    """The real request, to a server on the loopback interface standing in for the API."""
    import http.server
    import threading

    seen: list[tuple[str, str | None]] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(403 if "/denied/" in self.path else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = f"http://127.0.0.1:{server.server_port}"
        env = {"TRUSTYCHECK_TOKEN": "ghs_x", "GITHUB_API_URL": api}
        allowed = entry.decide_upload(entry.parse_inputs({}), {**env, "GITHUB_REPOSITORY": "octo/pkg"})
        denied = entry.decide_upload(entry.parse_inputs({}), {**env, "GITHUB_REPOSITORY": "denied/pkg"})
    finally:
        server.shutdown()
        server.server_close()
    assert allowed == (True, "the token can read code scanning (security-events)")
    assert denied[0] is False and "(HTTP 403)" in denied[1]
    assert seen == [("/repos/octo/pkg/code-scanning/analyses?per_page=1", "Bearer ghs_x"),
                    ("/repos/denied/pkg/code-scanning/analyses?per_page=1", "Bearer ghs_x")]


# ---- fail-on reaches the CLI as --fail-level ---------------------------------------------------


def _fake_cli(calls: list[list[str]], findings: list[dict[str, Any]], status: int = 0) -> Any:
    def cli(args: list[str]) -> int:
        calls.append(args)
        if "--output" not in args:
            return 0
        output = Path(args[args.index("--output") + 1])
        document = {"version": 1, "files": ["w.yml"], "findings": findings, "summary": {}}
        output.write_text(json.dumps(document) if "json" in args else "{}")
        return status if "json" in args else 0
    return cli


@pytest.mark.parametrize(("fail_on", "expected"), [
    ("warning", ["--fail-level", "warning"]), ("never", ["--exit-zero"]), ("", []),
])
def test_fail_on_is_passed_to_the_report_that_decides_the_exit(tmp_path: Path, fail_on: str, expected: list[str]) -> None:
    calls: list[list[str]] = []
    env = {**_inputs(fail_on=fail_on, min_severity="warning", config="ci/trustycheck.toml", paths="a.yml 'b c.yml'"),
           "TRUSTYCHECK_WORK": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out")}
    assert entry.run(env, cli=_fake_cli(calls, [], status=1), has_option=lambda option: True) == 0
    json_run, sarif_run = calls
    common = ["--min-severity", "warning", "--config", "ci/trustycheck.toml", "--", "a.yml", "b c.yml"]
    assert json_run == ["check", "--format", "json", "--output", str(tmp_path / "trustycheck.json"), *expected, *common]
    assert sarif_run == ["check", "--format", "sarif", "--output", str(tmp_path / "trustycheck.sarif"), "--exit-zero", *common]
    assert "exit-code<<" in (tmp_path / "out").read_text() and "\n1\n" in (tmp_path / "out").read_text()


def test_fail_on_needs_a_cli_with_fail_level(tmp_path: Path) -> None:
    env = {**_inputs(fail_on="error"), "TRUSTYCHECK_WORK": str(tmp_path)}
    with pytest.raises(entry.InputError, match="fail-on needs trustycheck's --fail-level"):
        entry.run(env, cli=_fake_cli([], []), has_option=lambda option: False)


def test_a_text_report_is_a_third_run_to_the_log(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    env = {**_inputs(format="text", annotations="false"), "TRUSTYCHECK_WORK": str(tmp_path)}
    assert entry.run(env, cli=_fake_cli(calls, [])) == 0
    assert [call[:3] for call in calls] == [["check", "--format", "json"], ["check", "--format", "sarif"],
                                            ["check", "--format", "text"]]
    assert calls[2] == ["check", "--format", "text", "--exit-zero", "--", "."]


# ---- the steps, for real -----------------------------------------------------------------------


_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
_CONDITION = re.compile(r"([\w.-]+) (==|!=) '([^']*)'")


class Runner:
    """The composite action's steps as the runner runs them, in ``tmp_path``."""

    def __init__(self, tmp_path: Path, inputs: dict[str, str], python: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.root = tmp_path
        self.workspace = tmp_path / "workspace"
        (tmp_path / "runner").mkdir()
        self.summary = tmp_path / "summary.md"
        self.summary.touch()
        defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        self.context: dict[str, str] = {f"inputs.{name}": value for name, value in {**defaults, **inputs}.items()}
        self.context.update({"inputs.token": inputs.get("token", ""), "github.action_ref": ""})
        self.python = python
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith(("GITHUB_", "RUNNER_", "TRUSTYCHECK_", "PIP_REQUIRE"))}
        self.env.update({"RUNNER_TEMP": str(tmp_path / "runner"), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
                         "GITHUB_ACTION_PATH": str(REPO), "GITHUB_STEP_SUMMARY": str(self.summary),
                         "GITHUB_WORKSPACE": str(self.workspace), "PYTHONPATH": str(REPO),
                         "PATH": os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", ""))),
                         **(env or {})})
        self.uploads: list[dict[str, str]] = []
        self.results: dict[str, subprocess.CompletedProcess] = {}

    def value(self, text: str) -> str:
        return _EXPRESSION.sub(lambda match: self.context.get(match[1], ""), text)

    def run(self) -> int:
        """Run the steps in order; the exit status of the first failing one (0 when none fails)."""
        for number, step in enumerate(ACTION["runs"]["steps"]):
            condition = step.get("if")
            if condition:
                name, operator, expected = _CONDITION.fullmatch(condition).groups()  # type: ignore[union-attr]
                if (self.context.get(name, "") == expected) != (operator == "=="):
                    continue
            if self.python and step["name"].startswith("Install"):
                continue  # the tests' own interpreter has trustycheck: no install
            if "uses" in step:  # the cache misses; an upload is recorded
                if "upload-sarif" in step["uses"]:
                    self.uploads.append({name: self.value(str(v)) for name, v in step["with"].items()})
                continue
            outputs = self.root / f"output-{number}"
            outputs.touch()
            env = {**self.env, **{name: self.value(str(v)) for name, v in step.get("env", {}).items()},
                   "GITHUB_OUTPUT": str(outputs)}
            if step.get("id") == "run" and self.python:
                env["TRUSTYCHECK_PYTHON"] = self.python
            result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=self.workspace, env=env,
                                    capture_output=True, text=True, timeout=600)
            self.results[step.get("id", step["name"])] = result
            for name, value in _read_outputs(outputs.read_text()).items():
                self.context[f"steps.{step.get('id')}.outputs.{name}"] = value
            if result.returncode != 0:
                return result.returncode
        return 0

    def output(self, name: str) -> str:
        return self.value(ACTION["outputs"][name]["value"])


def _read_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: name=value, and name<<DELIMITER ... DELIMITER."""
    values, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            for part in lines:
                if part == delimiter:
                    break
                body.append(part)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def _workspace(runner: Runner, files: dict[str, str]) -> None:
    for name, text in files.items():
        (runner.workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (runner.workspace / name).write_text(text)


def test_the_steps_annotate_summarise_and_fail_on_findings(tmp_path: Path) -> None:
    """12 warnings: all annotated in the log (GitHub shows 10), all in the summary, the count
    and the SARIF report as outputs, and the last step fails the job."""
    runner = Runner(tmp_path, {"args": "--select TC401"}, python=sys.executable)
    _workspace(runner, {".github/workflows/release.yml": MANY_WARNINGS})
    assert runner.run() == 1
    log = runner.results["run"].stdout
    annotations = [line for line in log.splitlines() if line.startswith("::warning ")]
    assert len(annotations) == 12
    assert annotations[0].startswith("::warning file=.github/workflows/release.yml,line=12,col=15,endLine=12,"
                                     "endColumn=32,title=TC401 unpinned-action::'example/tool-0@v1' is pinned")
    assert "trustycheck: GitHub shows 10 annotations of each kind per step: 2 not shown; the job summary lists every finding" in log
    assert runner.output("findings") == "12"
    sarif = json.loads(Path(runner.output("sarif-file")).read_text())
    assert len(sarif["runs"][0]["results"]) == 12
    summary = runner.summary.read_text()
    assert summary.startswith("## trustycheck\n\n12 findings in 1 file: 12 warnings.\n\n"
                              "GitHub shows at most 10 annotations of each kind per step, so 2 warnings were not "
                              "annotated: every finding is listed below.\n\n| Severity | Rule | Location | Finding | How to fix |\n")
    assert summary.count("\n| warning | TC401 unpinned-action | .github/workflows/release.yml:") == 12
    assert runner.results["Fail on findings"].stdout == (
        "trustycheck: failing on findings (12 reported; see 'Run trustycheck' and the job summary)\n")
    assert runner.uploads == []  # no token: sarif-upload auto stays off
    assert "not uploading the SARIF report to code scanning: no token or repository" in runner.results["prepare"].stdout


def test_a_clean_repository_passes_and_writes_no_summary(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {"sarif-upload": "true", "category": "release workflows"}, python=sys.executable)
    _workspace(runner, {".github/workflows/release.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                                                         "    steps:\n      - run: pytest\n"})
    assert runner.run() == 0
    assert runner.output("findings") == "0"
    assert runner.summary.read_bytes() == b""
    assert runner.uploads == [{"sarif_file": runner.output("sarif-file"), "category": "release workflows", "token": ""}]
    assert "Fail on findings" not in runner.results


def test_contradictory_inputs_stop_before_the_install(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {"format": "sarif"}, python=sys.executable)
    runner.workspace.mkdir()
    assert runner.run() == 2
    assert list(runner.results) == ["prepare"]
    assert runner.results["prepare"].stdout == (
        "::error title=trustycheck::format: sarif without output prints SARIF to the log, where the annotations "
        "would be mixed into it; give output: FILE, or annotations: false\n")


def test_a_usage_error_fails_the_run_step(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {"paths": "'no such.yml'"}, python=sys.executable)
    runner.workspace.mkdir()
    assert runner.run() == 2
    assert "no such.yml: no such file or directory" in runner.results["run"].stderr
    assert runner.uploads == []


def test_a_report_file_in_the_format_asked_beside_the_annotations(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {"format": "json", "output": "trustycheck.json", "fail-on": "never"}, python=sys.executable)
    _workspace(runner, {".github/workflows/release.yml": TOKEN_PUBLISH})
    if not entry.supports("--exit-zero"):
        pytest.skip("this trustycheck's check --help is not readable")
    assert runner.run() == 0
    report = json.loads((runner.workspace / "trustycheck.json").read_text())
    assert runner.output("findings") == str(report["summary"]["findings"]) != "0"
    assert "::error file=.github/workflows/release.yml,line=10,col=11," in runner.results["run"].stdout


def test_without_annotations_the_text_report_goes_to_the_log(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {"format": "text", "annotations": "false", "args": "--select TC101 --no-color"},
                    python=sys.executable)
    _workspace(runner, {".github/workflows/release.yml": TOKEN_PUBLISH})
    assert runner.run() == 1
    log = runner.results["run"].stdout
    assert ".github/workflows/release.yml:10:11: error TC101 [token-publish]" in log
    assert "::error" not in log
    assert runner.summary.read_text().startswith("## trustycheck\n\n1 finding in 1 file: 1 error.\n\n| Severity |")


@pytest.mark.slow
def test_action_installs_from_the_lock_and_runs_for_real(tmp_path: Path) -> None:
    """Every step from a clean runner layout: the environment built from the hash lock with the
    runner's python, then reused (the install step's second run finds it complete)."""
    runner = Runner(tmp_path, {"format": "sarif", "output": "trustycheck.sarif", "args": "--select TC101"},
                    env={"PYTHONPATH": ""})
    _workspace(runner, {".github/workflows/release.yml": TOKEN_PUBLISH})
    assert runner.run() == 1, {name: r.stdout + r.stderr for name, r in runner.results.items()}
    assert runner.output("sarif-file") == "trustycheck.sarif"
    [finding] = json.loads((runner.workspace / "trustycheck.sarif").read_text())["runs"][0]["results"]
    assert finding["ruleId"] == "TC101"
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".github/workflows/release.yml"
    venv = Path(runner.context["steps.prepare.outputs.venv"])
    assert (venv / entry.MARKER).read_text() == runner.context["steps.prepare.outputs.key"]
    again = subprocess.run([sys.executable, str(REPO / "action" / "main.py"), "install"], capture_output=True, text=True,
                           env={**runner.env, "TRUSTYCHECK_VENV": str(venv),
                                "TRUSTYCHECK_KEY": runner.context["steps.prepare.outputs.key"]})
    assert again.returncode == 0 and again.stdout.startswith("trustycheck: using the cached environment")
