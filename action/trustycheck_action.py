"""The Action's steps (action.yml runs them through main.py): check the inputs, install
trustycheck from the hash-locked requirements, run it, and report.

One script for Linux, macOS and Windows runners, run by the runner's python (prepare, install)
and then by the private environment's (run), so nothing here depends on a shell. Inputs arrive
in environment variables (TRUSTYCHECK_<INPUT>), never interpolated into a script.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from pathlib import Path, PurePath, PureWindowsPath

SEVERITIES = ("note", "warning", "error")
FORMATS = ("github", "text", "json", "sarif")
ACTION_ROOT = Path(__file__).resolve().parent.parent
"""The action's checkout (GITHUB_ACTION_PATH): pyproject.toml, trustycheck/, action/."""
LOCK = ACTION_ROOT / "action" / "requirements.txt"
MARKER = ".trustycheck-action-key"
"""Written into the environment last, holding its cache key: an environment without it (an
install cut short) is built again."""
EXIT_USAGE = 2


class InputError(Exception):
    """An input the Action cannot use, or two that contradict each other."""


@dataclass(frozen=True)
class Inputs:
    paths: list[str]
    format: str
    output: str
    args: list[str]
    min_severity: str
    config: str
    fail_on: str
    sarif_upload: str
    category: str
    annotations: bool


# Options the Action sets itself, from its own inputs: given in `args` too, they would fight.
_OWN_OPTIONS = {
    "--format": "format", "--output": "output", "-o": "output", "--min-severity": "min-severity",
    "--config": "config", "--fail-level": "fail-on",
}


def parse_inputs(env: Mapping[str, str]) -> Inputs:
    """The inputs from TRUSTYCHECK_<NAME> variables: lists split as a POSIX shell splits them
    (quotes keep spaces; a backslash escapes the next character), contradictions refused."""
    def get(name: str, default: str = "") -> str:
        return env.get("TRUSTYCHECK_" + name.upper().replace("-", "_"), default).strip()

    def split(name: str) -> list[str]:
        try:
            return shlex.split(get(name))
        except ValueError as error:  # an unclosed quote
            raise InputError(f"{name}: {error} in {get(name)!r}") from None

    def one_of(name: str, allowed: Sequence[str], default: str) -> str:
        value = get(name, default).lower() or default
        if value not in allowed:
            raise InputError(f"{name} must be one of {', '.join(a or repr('') for a in allowed)}, not {value!r}")
        return value

    inputs = Inputs(
        paths=split("paths") or ["."],
        format=one_of("format", FORMATS, "github"),
        output=get("output"),
        args=split("args"),
        min_severity=one_of("min-severity", ("", *SEVERITIES), ""),
        config=get("config"),
        fail_on=one_of("fail-on", ("", *SEVERITIES, "never"), ""),
        sarif_upload=one_of("sarif-upload", ("auto", "true", "false"), "auto"),
        category=get("category", "trustycheck"),
        annotations=one_of("annotations", ("true", "false"), "true") == "true",
    )
    _refuse_contradictions(inputs)
    return inputs


def _refuse_contradictions(inputs: Inputs) -> None:
    for arg in inputs.args:
        name = arg.split("=", 1)[0]
        if arg == "--":
            raise InputError("args: '--' starts the paths; give paths in the paths input")
        if name in _OWN_OPTIONS or (arg.startswith("-o") and not arg.startswith("--")):
            own = _OWN_OPTIONS.get(name, "output")
            raise InputError(f"args: {name} is set by the action; give it as the {own} input instead")
    if "--exit-zero" in inputs.args and inputs.fail_on:
        raise InputError(f"args: --exit-zero never fails, and fail-on: {inputs.fail_on} asks when to; give only one")
    if inputs.format == "github" and not inputs.annotations:
        raise InputError("format: github is annotations, and annotations: false asks for none; "
                         "choose format: text (or json, sarif) for the log, or annotations: true")
    if inputs.format in ("json", "sarif") and not inputs.output and inputs.annotations:
        raise InputError(f"format: {inputs.format} without output prints {inputs.format.upper()} to the log, "
                         "where the annotations would be mixed into it; give output: FILE, or annotations: false")
    if inputs.sarif_upload == "true" and not inputs.category:
        raise InputError("sarif-upload: true needs a category (code scanning keeps one analysis per category)")


def venv_python(venv: PurePath) -> PurePath:
    """The environment's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere
    (``PurePath(path)`` is a Windows path on Windows)."""
    if isinstance(venv, PureWindowsPath):
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def cache_key(env: Mapping[str, str], python_version: str, python_home: str, content: str) -> str:
    """The environment's cache key: the action's ref, the OS and architecture, the Python that
    built it (version and installation, as a venv points at its base interpreter), and a digest
    of what it installs, so a moved tag or a local action (no ref) never reuses a stale one."""
    ref = re.sub(r"[^A-Za-z0-9._-]", "-", env.get("TRUSTYCHECK_ACTION_REF") or "local")[:64]
    home = hashlib.sha256(python_home.encode()).hexdigest()[:8]
    return (f"trustycheck-action-{env.get('RUNNER_OS', platform.system())}-{env.get('RUNNER_ARCH', platform.machine())}"
            f"-py{python_version}-{home}-{ref}-{content[:16]}")


def content_digest(root: Path = ACTION_ROOT) -> str:
    """A digest of the files an install reads: the lock, pyproject.toml, the package and rules."""
    files = [root / "action" / "requirements.txt", root / "pyproject.toml",
             *sorted((root / "trustycheck").rglob("*.py")), *sorted((root / "trustycheck").rglob("*.json")),
             *sorted((root / "rules").glob("*.yml"))]
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_outputs(values: Mapping[str, str], env: Mapping[str, str]) -> None:
    """Step outputs, each in GitHub's delimited form, so a value may hold any character."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


# ---- prepare -------------------------------------------------------------------------------


Probe = Callable[[str, str], "int | None"]


def _probe_code_scanning(url: str, token: str) -> int | None:
    """The status of GET code-scanning/analyses with the token, None when unreachable."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/vnd.github+json",
                                                   "X-GitHub-Api-Version": "2022-11-28"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def decide_upload(inputs: Inputs, env: Mapping[str, str], probe: Probe = _probe_code_scanning) -> tuple[bool, str]:
    """Whether to upload the SARIF report to code scanning, and why (said in the log).

    Uploading needs a token with ``security-events: write``, which a step cannot read. ``auto``
    leaves it out where the token is read-only anyway (a pull request from a fork, Dependabot)
    and otherwise asks the API for the repository's code-scanning analyses: that needs
    ``security-events`` (read or write) and code scanning available on the repository; 200 or
    404 (no analysis yet) means yes. A token with only ``read`` passes and then fails to upload:
    set sarif-upload: false there."""
    if inputs.sarif_upload != "auto":
        return inputs.sarif_upload == "true", f"sarif-upload: {inputs.sarif_upload}"
    token, repository = env.get("TRUSTYCHECK_TOKEN", ""), env.get("GITHUB_REPOSITORY", "")
    if not token or not repository:
        return False, "no token or repository to upload with"
    if env.get("GITHUB_ACTOR") == "dependabot[bot]":
        return False, "Dependabot's token is read-only"
    event = _event(env)
    head = ((event.get("pull_request") or {}).get("head") or {}).get("repo") or {}
    if head.get("full_name") not in (None, repository):
        return False, "a pull request from a fork gets a read-only token"
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    status = probe(f"{api}/repos/{repository}/code-scanning/analyses?per_page=1", token)
    if status in (200, 404):
        return True, "the token can read code scanning (security-events)"
    why = "unreachable" if status is None else f"HTTP {status}"
    return False, (f"the token cannot use code scanning ({why}): grant security-events: write "
                   "to upload, or set sarif-upload: false")


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    try:
        with open(env.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError):
        return {}
    return event if isinstance(event, dict) else {}


def prepare(env: Mapping[str, str], probe: Probe = _probe_code_scanning) -> int:
    inputs = parse_inputs(env)
    work = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir()) / "trustycheck-action"
    work.mkdir(parents=True, exist_ok=True)
    venv = work / "venv"
    upload, why = decide_upload(inputs, env, probe)
    print(f"trustycheck: {'uploading' if upload else 'not uploading'} the SARIF report to code scanning: {why}")
    version = ".".join(map(str, sys.version_info[:3]))
    write_outputs({
        "venv": str(venv),
        "python": venv_python(PurePath(venv)).as_posix(),  # bash on Windows runs D:/a/... too
        "key": cache_key(env, f"{version}-{sys.implementation.name}", sys.base_prefix, content_digest()),
        "work": tempfile.mkdtemp(prefix="run-", dir=work),
        "upload": "true" if upload else "false",
    }, env)
    return 0


# ---- install -------------------------------------------------------------------------------


def install(env: Mapping[str, str]) -> int:
    """Build the environment unless the cache restored it: the locked requirements with
    --require-hashes and wheels only (an sdist would build with unhashed build requirements),
    then this checkout with --no-deps and --no-build-isolation (its backend, hatchling, comes
    from the lock), and --no-index (nothing else is fetched).

    The runner's own pip installs into the environment (``pip --python``) when it can, so the
    environment holds no pip: 3 s less to create, and 24 MB less to cache."""
    venv, key = Path(env["TRUSTYCHECK_VENV"]), env["TRUSTYCHECK_KEY"]
    python = Path(venv_python(PurePath(venv)))
    marker = venv / MARKER
    if python.exists() and marker.is_file() and marker.read_text(encoding="utf-8") == key:
        print(f"trustycheck: using the cached environment ({key})")
        return 0
    shutil.rmtree(venv, ignore_errors=True)
    outer = outer_pip_can_target()
    create = [sys.executable, "-m", "venv", *(["--without-pip"] if outer else []), str(venv)]
    pip = [*([sys.executable, "-m", "pip", "--python", str(python)] if outer else [str(python), "-m", "pip"]),
           "--disable-pip-version-check", "--no-input", "install", "--quiet"]
    for command in (create,
                    [*pip, "--require-hashes", "--only-binary", ":all:", "-r", str(LOCK)],
                    [*pip, "--no-deps", "--no-build-isolation", "--no-index", str(ACTION_ROOT)]):
        if subprocess.run(command).returncode != 0:
            print(f"::error title=trustycheck::installing trustycheck failed: {shlex.join(command)}")
            return 1
    marker.write_text(key, encoding="utf-8")
    return 0


def outer_pip_can_target() -> bool:
    """Whether this interpreter's pip installs into another environment (``--python``, pip 22.3)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("pip")
    except PackageNotFoundError:
        return False
    numbers = tuple(int(part) for part in re.findall(r"\d+", found)[:2])
    return numbers >= (22, 3)


# ---- run -----------------------------------------------------------------------------------


def run_cli(args: list[str]) -> int:
    """``trustycheck ARGS`` with this environment's interpreter; its output goes to the log."""
    return subprocess.run([sys.executable, "-m", "trustycheck", *args]).returncode


def supports(option: str) -> bool:
    """Whether this trustycheck's ``check`` takes ``option`` (read from its --help)."""
    shown = subprocess.run([sys.executable, "-m", "trustycheck", "check", "--help"], capture_output=True, text=True)
    return option in shown.stdout


def run(env: Mapping[str, str], cli: Callable[[list[str]], int] = run_cli,
        has_option: Callable[[str], bool] = supports) -> int:
    """Lint once for the JSON report (which decides the exit status and feeds the annotations,
    the summary and the outputs), once for SARIF, and once more only when the log or `output`
    wants another format. Returns 2 on a usage error; findings fail a later step, after the
    upload, through the exit-code output."""
    from trustycheck.report.github import annotation, dropped_annotations, left_out_annotation
    from trustycheck.report.summary import render_summary, rows_from_json

    inputs = parse_inputs(env)
    work = Path(env["TRUSTYCHECK_WORK"])
    common = [*(["--min-severity", inputs.min_severity] if inputs.min_severity else []),
              *(["--config", inputs.config] if inputs.config else []), *inputs.args]
    fail: list[str] = []
    if inputs.fail_on == "never":
        fail = ["--exit-zero"]
    elif inputs.fail_on:
        if not has_option("--fail-level"):
            raise InputError("fail-on needs trustycheck's --fail-level, which this version does not have")
        fail = ["--fail-level", inputs.fail_on]
    report = Path(inputs.output) if inputs.format == "json" and inputs.output else work / "trustycheck.json"
    sarif = Path(inputs.output) if inputs.format == "sarif" and inputs.output else work / "trustycheck.sarif"
    paths = ["--", *inputs.paths]

    status = cli(["check", "--format", "json", "--output", str(report), *fail, *common, *paths])
    if status not in (0, 1):
        return EXIT_USAGE
    if cli(["check", "--format", "sarif", "--output", str(sarif), "--exit-zero", *common, *paths]) != 0:
        return EXIT_USAGE
    written = inputs.format in ("json", "sarif") and inputs.output  # by one of the two runs above
    annotated = inputs.format == "github" and not inputs.output  # the annotations below are that report
    if not (written or annotated):
        output = ["--output", inputs.output] if inputs.output else []
        if cli(["check", "--format", inputs.format, *output, "--exit-zero", *common, *paths]) != 0:
            return EXIT_USAGE

    document = json.loads(report.read_text(encoding="utf-8"))
    rows = rows_from_json(document)
    truncated = document.get("truncated", [])
    left_out = sum(int(entry["left_out"]) for entry in truncated)
    dropped: dict[str, int] = {}
    if inputs.annotations:
        lines = [annotation(f["severity"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"],
                            f"{f['rule']} {f['slug']}", f["message"], f["hint"]) for f in document.get("findings", [])]
        lines += [left_out_annotation(entry["path"], int(entry["left_out"])) for entry in truncated]
        sys.stdout.write("".join(line + "\n" for line in lines))
        dropped = dropped_annotations([row.severity for row in rows] + ["note"] * len(truncated))
    if dropped:
        lost = sum(dropped.values())
        print(f"trustycheck: GitHub shows 10 annotations of each kind per step: {lost} not shown; "
              "the job summary lists every finding")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary and (rows or left_out):
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render_summary(rows, len(document.get("files", [])), dropped, left_out))
    write_outputs({"sarif-file": str(sarif), "findings": str(len(rows) + left_out), "exit-code": str(status)}, env)
    return 0


def main(argv: list[str], env: Mapping[str, str] = os.environ) -> int:
    steps: dict[str, Callable[[Mapping[str, str]], int]] = {"prepare": prepare, "install": install, "run": run}
    if len(argv) != 1 or argv[0] not in steps:
        print(f"usage: main.py {'|'.join(steps)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return steps[argv[0]](env)
    except InputError as error:
        print(f"::error title=trustycheck::{_escape_data(str(error))}")
        return EXIT_USAGE


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
