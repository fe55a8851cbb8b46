"""Fuzz trustycheck: generated workflows and mutated real ones, checked against its promises.

    python benchmarks/fuzz.py --minutes 10 [--seed N] [--corpus ../shared/corpus] [--save DIR]

Each input is either a workflow generated from the structure GitHub reads (events, permissions,
jobs, steps, publish actions and commands, credentials, expressions, calls, and wrong types
now and then) or a real workflow from ``CORPUS/speed/`` with random mutations (bytes cut,
lines doubled or swapped, indentation shifted, YAML and expression syntax inserted). Every
input is linted in-process and must satisfy :func:`violations`: no exception and no internal
error, every finding positioned inside its file, JSON output that parses and matches the
output schema, SARIF output valid against the SARIF 2.1.0 schema, no control character and no
line that GitHub would read as a workflow command in any format (:func:`unsafe_output`), no
planted credential and nothing from a file outside the repository in any output, and (in a
fuzz run) each input linted within :data:`SECONDS_PER_INPUT`. Generated strings include
control characters and long runs of one character class in every position, and each input
sits next to a workflow symlinked to a file outside its repository. The run prints how many
inputs were tried and how many failed; failing inputs are saved for replay.

``tests/test_properties.py`` drives the same generators from Hypothesis.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import re
import sys
import tempfile
import time
import traceback
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
SARIF_SCHEMA = HERE.parent.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

# -- generation ------------------------------------------------------------------------------

EVENTS = ["push", "pull_request", "pull_request_target", "release", "workflow_dispatch", "workflow_call",
          "workflow_run", "schedule", "issue_comment", "merge_group"]
SCOPES = ["contents", "id-token", "packages", "actions", "attestations", "pull-requests", "issues"]
LEVELS = ["read", "write", "none", "admin", "", 5]
ACTIONS = ["actions/checkout", "actions/upload-artifact", "actions/download-artifact", "actions/cache",
           "actions/setup-python", "astral-sh/setup-uv", "pypa/gh-action-pypi-publish", "pypa/cibuildwheel",
           "PyO3/maturin-action", "casperdcl/deploy-pypi", "softprops/action-gh-release", "./.github/actions/local",
           "./.github/workflows/called.yml", "docker://python:3.12", "octo/unknown-action"]
REFS = ["v4", "release/v1", "main", "76f52bc884231f62b9a034ebfe128415bbaabdfc", "v1.12.4", "${{ inputs.ref }}", ""]
TOKEN = "pypi-AgEIcHlwaS5vcmc" + "A1b2C3d4" * 12
CREDENTIALS = ["${{ secrets.PYPI_API_TOKEN }}", "${{ secrets.TEST_PYPI }}", "${{ inputs.token }}", "${{ env.TOKEN }}",
               "${{ steps.mint.outputs.token }}", TOKEN, "hunter2", "", "${{ secrets[format('{0}', 'X')] }}"]
COMMANDS = ["twine upload dist/*", "twine upload -u __token__ -p {cred} dist/*", "python -m twine upload --repository testpypi dist/*",
            "uv publish", "uv publish --token {cred}", "uv build", "poetry publish --build", "poetry config pypi-token.pypi {cred}",
            "hatch publish -u __token__ -a {cred}", "pdm publish", "flit publish", "maturin upload dist/*", "make release",
            "nox -s publish", "./scripts/upload.sh", "pytest -q", "python -m build", "pip install -e .", "echo \"twine upload\"",
            "gh pr checkout ${{ github.event.pull_request.number }}", "cat > ~/.pypirc <<EOF\n[pypi]\npassword = {cred}\nEOF",
            "${{ inputs.command }}", "TWINE_PASSWORD={cred} twine upload dist/*", "sudo -E env X=1 twine upload dist/* # comment"]
CONDITIONS = ["startsWith(github.ref, 'refs/tags/')", "github.event_name == 'release'", "${{ github.event_name != 'pull_request' }}",
              "always()", "github.repository == 'o/r' && !cancelled()", "((", "contains(github.ref, 'v')", ""]
ENV_NAMES = ["TWINE_PASSWORD", "TWINE_USERNAME", "UV_PUBLISH_TOKEN", "POETRY_PYPI_TOKEN_PYPI", "HATCH_INDEX_AUTH",
             "PDM_PUBLISH_PASSWORD", "FLIT_PASSWORD", "MATURIN_PYPI_TOKEN", "TOKEN", "GH_TOKEN"]
WEIRD = [None, 5, True, [], {}, [1, [2]], {"a": {"b": None}}, "", "${{ fromJSON('x') }}", "\u202e\u0000".strip("\x00"), 3.5]

PLANTED = "Planted5ecretValue"
"""A password written into credential positions of generated workflows: never in any output."""
GITHUB_TOKEN = "ghp_" + "Zz9" * 12
OUTSIDE = "OUTSIDE-THE-REPOSITORY-" + "q" * 8
"""The content of a file outside the repository that a workflow is symlinked to."""
SECRET_COMMANDS = [f"export TWINE_PASSWORD={PLANTED}; twine upload dist/*",
                   f"twine upload --repository-url https://__token__:{PLANTED}@upload.pypi.org/legacy/ dist/*",
                   f"printf '[pypi]\\nusername = __token__\\npassword = {PLANTED}\\n' > ~/.pypirc",
                   f"poetry config http-basic.pypi __token__ {PLANTED} && poetry publish",
                   f'echo "TWINE_PASSWORD={PLANTED}" >> "$GITHUB_ENV"', f"uv publish --token {PLANTED}",
                   f"GH_TOKEN={GITHUB_TOKEN} gh release create v1 && twine upload dist/*"]
CONTROL_PIECES = ["\x1b[2J", "\x1b]0;title\x07", "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "\x9b31m", "\r",
                  "\n::add-mask::x\n", "\n::error ::injected", "::warning ::x", "\x00", "\x7f", "\x85", "\u2028",
                  "\u202e", "\u2066", "\t", "\x08"]
RUN_CLASSES = ["a", "-", "=", ":", "@", "$", "{", "[", " ", "\\", "'", '"', "A=1 ", "-- ", "${{ ", "%", "/", ".", "0"]


def hostile_string(rng: random.Random) -> str:
    """A string meant to break whatever shows or parses it: control characters and terminal
    escapes, a line that GitHub would run as a command, or a long run of one character class
    (the input a super-linear regex needs)."""
    if rng.random() < 0.5:
        return "".join(rng.choice(CONTROL_PIECES + ["x", "job", "v1"]) for _ in range(rng.randint(1, 6)))
    return rng.choice(["", "x", "v"]) + rng.choice(RUN_CLASSES) * rng.randint(100, 20_000)


def _maybe_hostile(rng: random.Random, value: str) -> str:
    return hostile_string(rng) if rng.random() < 0.05 else value


def _maybe_weird(rng: random.Random, value):
    """Usually ``value``; now and then a value of the wrong type."""
    return rng.choice(WEIRD) if rng.random() < 0.06 else value


def _uses(rng: random.Random) -> str:
    action = rng.choice(ACTIONS)
    if action.startswith("./"):
        return action
    ref = _maybe_hostile(rng, rng.choice(REFS))
    return f"{action}@{ref}" if ref else action


def _step(rng: random.Random) -> dict:
    step: dict = {}
    if rng.random() < 0.5:
        step["uses"] = _maybe_weird(rng, _uses(rng))
        if rng.random() < 0.7:
            inputs = {}
            for name in rng.sample(["password", "user", "repository-url", "attestations", "command", "name", "pattern",
                                    "ref", "cache", "enable-cache", "packages-dir", "skip-existing"], rng.randint(0, 4)):
                inputs[name] = _maybe_weird(rng, rng.choice(CREDENTIALS + ["false", "upload", "dist", "https://test.pypi.org/legacy/"]))
            step["with"] = _maybe_weird(rng, inputs)
    else:
        commands = COMMANDS + SECRET_COMMANDS
        script = "\n".join(_maybe_hostile(rng, rng.choice(commands).replace("{cred}", rng.choice(CREDENTIALS)))
                           for _ in range(rng.randint(1, 4)))
        step["run"] = _maybe_weird(rng, script)
    if rng.random() < 0.4:
        step["env"] = _maybe_weird(rng, {rng.choice(ENV_NAMES): rng.choice(CREDENTIALS) for _ in range(rng.randint(1, 3))})
    if rng.random() < 0.2:
        step["if"] = _maybe_weird(rng, rng.choice(CONDITIONS))
    if rng.random() < 0.3:
        step["name"] = _maybe_weird(rng, _maybe_hostile(rng, rng.choice(["Publish", "Build", TOKEN, "x" * rng.randint(0, 300)])))
    if rng.random() < 0.1:
        step["id"] = "mint"
    return step


def _permissions(rng: random.Random):
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(["read-all", "write-all", "", {}, 7])
    return {scope: rng.choice(LEVELS) for scope in rng.sample(SCOPES, rng.randint(0, 4))}


def _on(rng: random.Random):
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(EVENTS)
    if roll < 0.35:
        return rng.sample(EVENTS, rng.randint(1, 4))
    on: dict = {}
    for event in rng.sample(EVENTS, rng.randint(1, 4)):
        if event == "schedule":
            on[event] = [{"cron": "0 0 * * *"}]
        elif event in ("push", "pull_request", "pull_request_target"):
            on[event] = _maybe_weird(rng, {rng.choice(["tags", "branches", "paths", "tags-ignore"]): [rng.choice(["v*", "main", "**"])]})
        elif event == "release":
            on[event] = {"types": [rng.choice(["published", "created", "released"])]}
        elif event == "workflow_call":
            on[event] = {"inputs": {"token": {"type": "string"}}, "secrets": {"PYPI_API_TOKEN": {"required": False}}}
        else:
            on[event] = None
    return on


def generate_workflow(rng: random.Random) -> str:
    """A random workflow (or action) as YAML text, built the way GitHub reads them."""
    if rng.random() < 0.08:
        steps = [_step(rng) for _ in range(rng.randint(0, 4))]
        for step in steps:
            if "run" in step:
                step["shell"] = "bash"
        document: dict = {"name": "local", "runs": {"using": "composite", "steps": steps}}
        return yaml.safe_dump(document, sort_keys=False)
    ids = [_maybe_hostile(rng, rng.choice(["build", "test", "publish", "release", "deploy", "pypi", "j"])) + str(n)
           for n in range(rng.randint(1, 5))]
    jobs: dict = {}
    for index, job_id in enumerate(ids):
        job: dict = {"runs-on": _maybe_weird(rng, "ubuntu-latest")}
        if rng.random() < 0.15:
            job = {"uses": _uses(rng), "with": {"token": rng.choice(CREDENTIALS)}}
            if rng.random() < 0.5:
                job["secrets"] = rng.choice(["inherit", {"PYPI_API_TOKEN": rng.choice(CREDENTIALS)}, 5])
        else:
            job["steps"] = _maybe_weird(rng, [_step(rng) for _ in range(rng.randint(0, 6))])
        if index and rng.random() < 0.5:
            job["needs"] = _maybe_weird(rng, rng.sample(ids[:index], rng.randint(1, index)))
        if rng.random() < 0.5:
            job["permissions"] = _permissions(rng)
        if rng.random() < 0.3:
            job["environment"] = _maybe_weird(rng, rng.choice(["pypi", {"name": "release", "url": "https://pypi.org/p/x"}, ""]))
        if rng.random() < 0.3:
            job["if"] = _maybe_weird(rng, rng.choice(CONDITIONS))
        if rng.random() < 0.2:
            name = rng.choice(ENV_NAMES)
            if name != "TWINE_USERNAME" and rng.random() < 0.2:  # a credential variable set to a literal
                job["env"] = {name: PLANTED}
            else:
                job["env"] = _maybe_weird(rng, {_maybe_hostile(rng, name): rng.choice(CREDENTIALS)})
        jobs[job_id] = _maybe_weird(rng, job)
    document = {"name": rng.choice(["Release", "CI", TOKEN]), "on": _maybe_weird(rng, _on(rng))}
    if rng.random() < 0.5:
        document["permissions"] = _permissions(rng)
    if rng.random() < 0.3:
        document["env"] = {rng.choice(ENV_NAMES): rng.choice(CREDENTIALS)}
    document["jobs"] = _maybe_weird(rng, jobs)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=rng.choice([80, 10_000]))
    return text.replace("'on':", "on:", 1) if rng.random() < 0.8 else text


INSERTS = ["${{", "}}", "${{ secrets.PYPI_API_TOKEN }}", "&a ", "*a", "<<: *a\n", "\t", "\x00", ": ", "- ", "{", "}", "[", "]",
           "'", '"', "\\", "#", "|\n", ">-\n", "---\n", "%YAML 1.1\n", "\r\n", "\u2028", "\ufeff", TOKEN, "id-token: write\n",
           "uses: pypa/gh-action-pypi-publish@release/v1\n", "run: twine upload dist/*\n", "? ", "!!binary ", "!tag "]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with one to eight random edits, aimed at YAML's and the model's structure."""
    for _ in range(rng.randint(1, 8)):
        lines = data.split(b"\n")
        operation = rng.randrange(8)
        if operation == 0 and data:  # cut a range of bytes
            start = rng.randrange(len(data))
            data = data[:start] + data[start + rng.randint(1, 64):]
        elif operation == 1:  # insert syntax
            at = rng.randrange(len(data) + 1)
            data = data[:at] + rng.choice(INSERTS).encode("utf-8") + data[at:]
        elif operation == 2 and lines:  # duplicate a line (duplicate keys, repeated jobs)
            at = rng.randrange(len(lines))
            lines.insert(at, lines[at])
            data = b"\n".join(lines)
        elif operation == 3 and len(lines) > 1:  # swap two lines
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            data = b"\n".join(lines)
        elif operation == 4 and lines:  # shift indentation
            at = rng.randrange(len(lines))
            lines[at] = (b" " * rng.choice([1, 2, 4])) + lines[at] if rng.random() < 0.5 else lines[at].lstrip()
            data = b"\n".join(lines)
        elif operation == 5 and data:  # flip a byte
            at = rng.randrange(len(data))
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        elif operation == 6 and data:  # truncate
            data = data[: rng.randrange(len(data))]
        elif operation == 7 and lines:  # repeat a block
            at = rng.randrange(len(lines))
            data = b"\n".join(lines[:at] + lines[at:at + rng.randint(1, 6)] * rng.randint(2, 20) + lines[at:])
    return data


# -- checking --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validators():
    import jsonschema

    output = json.loads((HERE.parent / "trustycheck" / "schemas" / "output.schema.json").read_text(encoding="utf-8"))
    sarif = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")) if SARIF_SCHEMA.is_file() else None
    sarif_validator = jsonschema.Draft4Validator(sarif) if sarif else None
    return jsonschema.Draft202012Validator(output), sarif_validator


SECONDS_PER_INPUT = 2.0
"""The bound on linting and rendering one input (issue 15: 2 s for a file of up to 10 MB)."""

_CONTROL = frozenset(chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]) | frozenset(
    "\u2028\u2029\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_OUR_COMMANDS = ("::error file=", "::warning file=", "::notice file=")


def unsafe_output(output: str, output_format: str) -> list[str]:
    """What in ``output`` could act on a terminal or on a GitHub Actions log: a control
    character other than the line break, or a line that the runner reads as a workflow command
    (it begins, after blanks, with ``::``) that trustycheck did not write."""
    problems = [f"{output_format}: control character U+{ord(char):04X}" for char in sorted(set(output) & _CONTROL - {"\n"})]
    for line in output.split("\n"):
        if line.lstrip().startswith("::") and not (output_format == "github" and line.startswith(_OUR_COMMANDS)):
            problems.append(f"{output_format}: a line GitHub would run as a command: {line[:80]!r}")
    return problems


def plant_outside_link(directory: Path) -> None:
    """A workflow symlinked to a file outside the repository (``directory``), whose content
    must never reach any output."""
    outside = directory.parent / f"{directory.name}-outside.yml"
    outside.write_text(f"on: [{OUTSIDE}\n", encoding="utf-8")
    link = directory / ".github" / "workflows" / "linked.yml"
    if not link.is_symlink():
        link.symlink_to(outside)


def violations(data: bytes, directory: Path, name: str = "fuzz.yml", planted: bool = False) -> list[str]:
    """How linting ``data`` (written as ``directory/.github/workflows/name``, in a repository
    that also holds a workflow symlinked outside it) breaks a promise. ``planted``: the input
    holds :data:`PLANTED` only in credential positions (a generated, unmutated workflow)."""
    from trustycheck.discover import discover
    from trustycheck.pipeline import catalog, lint
    from trustycheck.settings import Settings
    from trustycheck.report.github import render_github
    from trustycheck.report.json_report import render_json
    from trustycheck.report.sarif import render_sarif
    from trustycheck.report.text import render_text

    workflows = directory / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    path = workflows / name
    path.write_bytes(data)
    plant_outside_link(directory)
    problems: list[str] = []
    try:
        rules = list(catalog())
        reports = lint(discover([str(directory)]), Settings(rules=tuple(rules)))
        outputs = {"text": render_text(reports, color=False), "github": render_github(reports)}
        outputs["json"] = render_json(reports)
        outputs["sarif"] = render_sarif(reports, rules)
    except Exception:  # noqa: BLE001 - the property under test
        return [f"exception: {traceback.format_exc(limit=8)}"]
    line_count = _line_count(data)
    for report in reports:
        for finding in report.findings:
            if "please report this" in finding.message:
                problems.append(f"internal error: {finding.message}")
            pos = finding.pos
            lines = line_count if Path(finding.path).name == name else 1  # the linked file: never read
            if not (1 <= pos.line <= pos.end_line <= lines and pos.col >= 1 and pos.end_col >= 1):
                problems.append(f"{finding.rule_id} at {pos.line}:{pos.col}-{pos.end_line}:{pos.end_col} outside a file of {line_count} lines")
    output_validator, sarif_validator = _validators()
    try:
        document = json.loads(outputs["json"])
        problems.extend(f"JSON output: {error.message}" for error in output_validator.iter_errors(document))
    except ValueError as error:
        problems.append(f"JSON output does not parse: {error}")
    try:
        sarif = json.loads(outputs["sarif"])
        if sarif_validator is not None:
            problems.extend(f"SARIF output: {error.message}" for error in sarif_validator.iter_errors(sarif))
    except ValueError as error:
        problems.append(f"SARIF output does not parse: {error}")
    every = "".join(outputs.values())
    for secret, what in ((TOKEN, "a planted PyPI token"), (GITHUB_TOKEN, "a planted GitHub token"),
                         (OUTSIDE, "text of a file outside the repository"), (PLANTED if planted else TOKEN, "a planted password")):
        if secret in every:
            problems.append(f"{what} appears in the output")
    for output_format, output in outputs.items():
        problems.extend(unsafe_output(output, output_format))
    return problems


def _line_count(data: bytes) -> int:
    """Lines as the loader counts them: UTF-8, or UTF-16/32 with a byte-order mark; bytes that
    do not decode are counted by their newlines."""
    encoding = "utf-8"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
                      (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return data.count(b"\n") + 1
    return len(re.split(r"\r\n|\r|\n|\x85|\u2028|\u2029", text))


def corpus_files(corpus: Path) -> list[Path]:
    speed = corpus / "speed"
    return sorted(speed.glob("*.y*ml")) if speed.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz trustycheck for N minutes; report inputs tried and failures.")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--save", type=Path, default=Path("fuzz-failures"), help="where failing inputs are written")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    seeds = [path.read_bytes() for path in corpus_files(args.corpus)]
    if not seeds:
        print(f"note: no corpus at {args.corpus}; generating workflows only", file=sys.stderr)
    if not SARIF_SCHEMA.is_file():
        print(f"note: {SARIF_SCHEMA} not found; SARIF is parsed but not schema-checked", file=sys.stderr)
    deadline = time.monotonic() + args.minutes * 60
    tried = failed = generated = mutated = 0
    with tempfile.TemporaryDirectory() as temporary:
        while time.monotonic() < deadline:
            planted = False
            if seeds and rng.random() < 0.5:
                data, mutated = mutate(rng, rng.choice(seeds)), mutated + 1
            else:
                text, planted = generate_workflow(rng), rng.random() >= 0.2
                data, generated = (text.encode("utf-8") if planted else mutate(rng, text.encode("utf-8"))), generated + 1
            started = time.monotonic()
            problems = violations(data, Path(temporary) / str(tried % 50), planted=planted)
            seconds = time.monotonic() - started
            if seconds > SECONDS_PER_INPUT:
                problems.append(f"slow: {seconds:.2f} s for {len(data):,} bytes (bound: {SECONDS_PER_INPUT} s)")
            tried += 1
            if problems:
                failed += 1
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"failure-{seed}-{tried}.yml").write_bytes(data)
                (args.save / f"failure-{seed}-{tried}.txt").write_text("\n".join(problems), encoding="utf-8")
                print(f"FAIL #{tried}: {problems[0][:300]}", file=sys.stderr)
            if tried % 500 == 0:
                print(f"  {tried} inputs, {failed} failing", file=sys.stderr)
    print(f"seed {seed}: {tried} inputs tried ({generated} generated, {mutated} mutated corpus files) "
          f"in {args.minutes:g} min, {failed} failing" + (f" (saved in {args.save})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
