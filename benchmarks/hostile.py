"""Hostile inputs: files written to break a linter, each with the outcome trustycheck must give.

    python benchmarks/hostile.py [--only NAME]...

Run as a script, it builds every case in a temporary directory, runs the installed
``trustycheck`` on it once per output format, and prints wall time and peak memory per case
and format against the bounds of issues 6 and 15 (each under 2 s and 200 MB), whether the JSON
findings were the expected ones, and whether any output holds a control character, a line
GitHub would run as a command, or a planted credential. ``tests/test_hostile.py`` runs the same cases as tests (with a per-test
timeout), so the cases and their expected findings live here, once.

Each case writes files under a directory and returns the command-line arguments to lint them
with; ``expect`` is the exact set of (file name, rule, line, column) the JSON output must hold.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

Finding = tuple[str, str, int, int]

TOKEN_PUBLISH = """\
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""
TOKEN_FINDINGS = {("TC101", 10, 11), ("TC204", 5, 3), ("TC301", 5, 3), ("TC401", 8, 15)}
"""What the token upload above gives: a long-lived token, no permissions at any level, no
environment, a moving tag."""

PUBLISHING_HEADER = """\
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
"""
"""A clean Trusted Publishing job; cases add to it so the model reads every field."""


_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
"""Permissions do not stop root, so as root the unreadable file is read."""


ANY = 0
"""An expected line or column that accepts any: where the parser stops a deeply nested file
differs between PyYAML builds by a level, and the user sees the same finding either way."""


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], list[str]]
    expect: frozenset[Finding]
    why: str
    says: str = ""
    """Words one of the findings' messages must hold (e.g. the limit that was hit)."""

    def holds_for(self, json_output: str | bytes) -> bool:
        """Whether trustycheck's JSON output has exactly the expected findings (and words)."""
        findings = json.loads(json_output)["findings"]
        found = {self._as_expected(finding) for finding in findings_of(json_output)}
        return found == self.expect and (not self.says or any(self.says in f["message"] for f in findings))

    def _as_expected(self, finding: Finding) -> Finding:
        """The expected finding ``finding`` stands for, wildcards included (else itself)."""
        name, rule, line, column = finding
        for expected in self.expect:
            if expected[:2] == (name, rule) and expected[2] in (ANY, line) and expected[3] in (ANY, column):
                return expected
        return finding


def _write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _one(name: str, content: str | bytes) -> Callable[[Path], list[str]]:
    def make(directory: Path) -> list[str]:
        return [str(_write(directory, name, content))]

    return make


def _expect(name: str, *found: tuple[str, int, int]) -> frozenset[Finding]:
    return frozenset((name, rule, line, column) for rule, line, column in found)


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous, current = chr(96 + level), chr(97 + level)
        lines.append(f"{current}: &{current} [{','.join(['*' + previous] * 10)}]")
    return "\n".join(lines) + "\n"


def _five_thousand_jobs() -> str:
    jobs = "".join(f"  test{n}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -k t{n}\n" for n in range(4999))
    publish = TOKEN_PUBLISH.split("jobs:\n", 1)[1]
    return TOKEN_PUBLISH.split("jobs:\n", 1)[0] + "jobs:\n" + jobs + publish


def _symlink_loop(directory: Path) -> list[str]:
    workflows = directory / "repo" / ".github" / "workflows"
    _write(workflows, "release.yml", TOKEN_PUBLISH)
    os.symlink("..", workflows / "loop")  # .github/workflows/loop -> .github/workflows/..
    os.symlink(".", directory / "repo" / ".github" / "again")
    os.symlink("self.yml", workflows / "self.yml")  # a file symlinked to itself: unreadable
    return [str(directory / "repo")]


def _unreadable(directory: Path) -> list[str]:
    workflows = directory / "repo" / ".github" / "workflows"
    _write(workflows, "release.yml", TOKEN_PUBLISH)
    secret = _write(workflows, "secret.yml", TOKEN_PUBLISH)
    secret.chmod(0)
    os.symlink("does-not-exist.yml", workflows / "dangling.yml")
    return [str(directory / "repo")]


def _fifo(directory: Path) -> list[str]:
    fifo = directory / "pipe.yml"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came: a hang
    return [str(fifo), str(_write(directory, "release.yml", TOKEN_PUBLISH))]


WRONG_TYPES = PUBLISHING_HEADER.replace("    permissions:\n      id-token: write\n", "    permissions: 5\n") + """\
  build:
    runs-on: {}
    env: "x"
    needs: {a: b}
    if: [1]
    environment: [pypi]
    container: 5
    steps:
      - uses: [a]
      - run: {script: echo}
        with: "x"
        name: {n: 1}
      - "just a string"
  call:
    uses: ./.github/workflows/other.yml
    secrets: 5
    with: [1]
"""

WRONG_TYPES_ELSEWHERE = """\
name: [x]
on:
  push:
    tags: 5
  pull_request_target: [1]
  workflow_call:
    inputs: 5
    secrets: [a]
permissions:
  id-token: [write]
env: [1]
jobs:
  publish:
    runs-on: [ubuntu-latest, {a: 1}]
    environment: {name: [pypi], url: {}}
    permissions:
      id-token: write
      contents: {}
    strategy: 5
    timeout-minutes: {}
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
        env: 5
        if: {}
        with:
          password: [secret]
          attestations: {}
      - run: twine upload dist/*
        env:
          TWINE_PASSWORD: {x: 1}
        shell: [bash]
"""


def _token_findings(name: str, shift_after: int = 0, by: int = 1) -> frozenset[Finding]:
    """TOKEN_FINDINGS in file ``name``, lines after ``shift_after`` moved down ``by`` lines."""
    return frozenset((name, rule, line + (by if shift_after and line > shift_after else 0), column)
                     for rule, line, column in TOKEN_FINDINGS)


def _repository_with(link_name: str, target: Callable[[Path], str]) -> Callable[[Path], list[str]]:
    """A repository with the token upload in release.yml and ``link_name`` in its workflows
    folder, a symlink to what ``target`` makes (given the case's directory)."""
    def make(directory: Path) -> list[str]:
        workflows = directory / "repo" / ".github" / "workflows"
        _write(workflows, "release.yml", TOKEN_PUBLISH)
        os.symlink(target(directory), workflows / link_name)
        return [str(directory / "repo")]

    return make


_PLANTED = "echo planted-secret-value\n"


def _outside_file(directory: Path) -> str:
    return str(_write(directory / "elsewhere", "secret.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: " + _PLANTED))


def _git_config(directory: Path) -> str:
    _write(directory / "repo" / ".git", "config", '[remote "origin"]\n\turl = https://user:planted-secret@example.com/x\n')
    return "../../.git/config"


def _github_to_root(directory: Path) -> list[str]:
    (directory / "repo").mkdir()
    os.symlink("/", directory / "repo" / ".github")
    return [str(directory / "repo")]


def _deep_action(directory: Path) -> list[str]:
    """An action folder nested past PATH_MAX (made one level at a time, relative to an open
    folder): searching it by path fails with 'File name too long'."""
    _write(directory / "repo" / ".github" / "workflows", "release.yml", TOKEN_PUBLISH)
    actions = directory / "repo" / ".github" / "actions"
    actions.mkdir()
    descriptor = os.open(actions, os.O_RDONLY)
    try:
        for _ in range(25):
            os.mkdir("d" * 200, dir_fd=descriptor)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        action = os.open("action.yml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(action, b"runs:\n  using: composite\n  steps: []\n")
        os.close(action)
    finally:
        os.close(descriptor)
    return [str(directory / "repo")]


def _unreadable_action_folder(directory: Path) -> list[str]:
    _write(directory / "repo" / ".github" / "workflows", "release.yml", TOKEN_PUBLISH)
    action = _write(directory / "repo" / ".github" / "actions" / "upload", "action.yml", "runs:\n  using: composite\n  steps: []\n")
    action.parent.chmod(0)  # the test's tmp_path clean-up restores permissions to remove it
    return [str(directory / "repo")]


def _call_out_of_repository(directory: Path) -> list[str]:
    _write(directory / "other-repo" / ".github" / "workflows", "publish.yml",
           "on: workflow_call\njobs:\n  upload:\n    runs-on: x\n    steps:\n"
           "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n")
    _write(directory / "repo" / ".github" / "workflows", "w.yml",
           "on: push\njobs:\n  release:\n    uses: ./../other-repo/.github/workflows/publish.yml\n")
    return [str(directory / "repo")]


def _composite_fan_out(directory: Path) -> list[str]:
    """Nine tiny files: a workflow calling action a1 ten times, each action calling the next ten
    times, the last uploading: 10**8 steps if every call were followed."""
    steps = "      - uses: ./.github/actions/a1\n" * 10
    _write(directory / "repo" / ".github" / "workflows", "w.yml", "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n" + steps)
    for level in range(1, 9):
        inner = (f"    - uses: ./.github/actions/a{level + 1}\n" * 10 if level < 8
                 else '    - run: twine upload -p "${{ secrets.PYPI }}" dist/*\n      shell: bash\n')
        _write(directory / "repo" / ".github" / "actions" / f"a{level}", "action.yml",
               "runs:\n  using: composite\n  steps:\n" + inner)
    return [str(directory / "repo")]


_TOO_DEEP = "nesting deeper than 1000 levels"


TAG_RELEASE = 'on:\n  push:\n    tags: ["v*"]\njobs:\n'
"""The head of a workflow run for every pushed version tag (a release); cases add jobs to it."""

ESCAPES_IN_NAMES = TAG_RELEASE + """\
  "pub\\e]0;owned\\a\\u009b31m\\r\\n::add-mask::x\\u202e\\x7f\\N\\L":
    runs-on: ubuntu-latest
    steps:
      - name: "step\\e[2J\\n::error ::fake"
        uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}  # \u202eevil\u202c\tend
"""
"""A job id and a step name written with YAML escapes (OSC window title, C1 CSI, CR, a newline
and a workflow command, a bidi override, DEL, NEL, a line separator), and a bidi override and
a tab on the flagged line."""
_ESCAPE_FINDINGS = (("TC101", 11, 11), ("TC204", 5, 3), ("TC301", 5, 3), ("TC401", 9, 15))

GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5" * 4
_CREDENTIAL_LINES = TAG_RELEASE + f"""\
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    steps:
      - run: twine upload --repository-url https://__token__:hunter2@upload.pypi.org/legacy/ dist/*
      - run: printf '[pypi]\\nusername = __token__\\npassword = hunter2\\n' > ~/.pypirc && twine upload dist/*
      - run: poetry config http-basic.pypi __token__ hunter2 && poetry publish
      - run: echo "TWINE_PASSWORD=hunter2" >> "$GITHUB_ENV" && twine upload dist/*
      - run: export TWINE_PASSWORD=hunter2; twine upload dist/*
      - run: GH_TOKEN={GITHUB_TOKEN} gh release upload v1 dist/* && twine upload -p hunter2 dist/*
"""
_CREDENTIAL_FINDINGS = (("TC201", 9, 14), ("TC204", 5, 3), ("TC102", 10, 63), ("TC101", 10, 78), ("TC101", 11, 28), ("TC102", 11, 54),
                        ("TC101", 13, 21), ("TC102", 13, 36), ("TC101", 14, 112), ("TC102", 14, 115))
"""What matters most here: no output holds 'hunter2' or the GitHub token (checked in every format)."""


def _dashed_file(directory: Path) -> list[str]:
    _write(directory, "-rf.yml", TOKEN_PUBLISH)
    return ["--", "-rf.yml"]


def _big(jobs: str, tag: bool = False) -> Callable[[Path], list[str]]:
    head = TAG_RELEASE if tag else "on: push\njobs:\n"
    return _one("w.yml", head + jobs)


_UPLOAD_STEP = "      - run: twine upload -p ${{ secrets.T }} dist/*\n"


def _capped_uploads(count: int) -> frozenset[Finding]:
    """The 1,000 findings listed for ``count`` token uploads, one a line from line 8 (TC101 at
    the ``-p``): errors come first, so the job's TC301 (a warning) is among those counted."""
    return frozenset(("w.yml", "TC101", 8 + n, 27) for n in range(min(count, 1000)))


def _alias_fan_out(copies: int) -> str:
    job = ("  j0: &j\n    runs-on: ubuntu-latest\n    steps:\n"
           "      - run: twine upload -u __token__ -p ${{ secrets.PYPI_TOKEN }} dist/*\n")
    return TAG_RELEASE + job + "".join(f"  j{n}: *j\n" for n in range(1, copies))


CASES: list[Case] = [
    Case("unclosed-quote", _one("w.yml", 'on: push\njobs:\n  a:\n    runs-on: "ubuntu\n'),
         _expect("w.yml", ("TC001", 5, 1)), "a double-quoted scalar never closed"),
    Case("bad-indentation", _one("w.yml", "on: push\njobs:\n  a:\n    runs-on: x\n   steps: []\n"),
         _expect("w.yml", ("TC001", 5, 4)), "a key indented less than its siblings"),
    Case("tab-indentation", _one("w.yml", "on: push\njobs:\n\ta: {}\n"),
         _expect("w.yml", ("TC001", 3, 1)), "a tab where YAML needs spaces"),
    Case("unclosed-flow", _one("w.yml", "on: [push\njobs: {}\n"),
         _expect("w.yml", ("TC001", 2, 5)), "a flow sequence never closed"),
    Case("stray-bracket", _one("w.yml", "on: push\n]\njobs: {}\n"),
         _expect("w.yml", ("TC001", 2, 1)), "a closing bracket with no opening one"),
    Case("mapping-in-scalar", _one("w.yml", "on: push: tag\njobs: {}\n"),
         _expect("w.yml", ("TC001", 1, 9)), "a mapping value where a scalar is open"),
    Case("undefined-alias", _one("w.yml", "on: push\njobs: *nope\n"),
         _expect("w.yml", ("TC001", 2, 7)), "an alias to an anchor that does not exist"),
    Case("bad-escape", _one("w.yml", 'on: push\nname: "\\q"\njobs: {}\n'),
         _expect("w.yml", ("TC001", 2, 8)), "an escape sequence YAML does not define"),
    Case("bad-directive", _one("w.yml", "%YAML 9.9\n---\non: push\njobs: {}\n"),
         _expect("w.yml", ("TC001", 1, 1)), "a YAML version directive from the future"),
    Case("two-documents", _one("w.yml", "on: push\njobs: {}\n---\non: push\njobs: {}\n"),
         _expect("w.yml", ("TC001", 3, 1)), "two documents in one workflow file"),
    Case("control-character", _one("w.yml", "on: push\nname: a\x07b\njobs: {}\n"),
         _expect("w.yml", ("TC001", 2, 8)), "a control character YAML forbids"),
    Case("billion-laughs", _one("w.yml", _billion_laughs()),
         _expect("w.yml", ("TC001", 5, 4)), "aliases that expand to 10^10 nodes"),
    Case("deep-flow-nesting", _one("w.yml", "[" * 100_000 + "]" * 100_000),
         _expect("w.yml", ("TC001", 1, ANY)), "100,000 nested flow sequences", _TOO_DEEP),
    Case("deep-mapping-nesting", _one("w.yml", "{a: " * 100_000 + "1" + "}" * 100_000),
         _expect("w.yml", ("TC001", 1, ANY)), "100,000 nested flow mappings", _TOO_DEEP),
    Case("deep-block-nesting", _one("w.yml", "- " * 100_000 + "x\n"),
         _expect("w.yml", ("TC001", 1, ANY)), "100,000 nested block sequences on one line", _TOO_DEEP),
    Case("deep-block-nesting-by-indentation", _one("w.yml", "".join(" " * level + "-\n" for level in range(1500))),
         _expect("w.yml", ("TC001", ANY, ANY)), "1,500 block sequences each indented one more", _TOO_DEEP),
    Case("fifty-megabytes", _one("w.yml", b"# " + b"x" * (50 * 1024 * 1024) + b"\n"),
         _expect("w.yml", ("TC001", 1, 1)), "a 50 MB file"),
    Case("nul-bytes", _one("w.yml", b"on: push\njobs:\n  a:\x00\n"),
         _expect("w.yml", ("TC001", 3, 5)), "a NUL byte inside otherwise valid YAML"),
    Case("binary-data", _one("w.yml", bytes(range(256)) * 64),
         _expect("w.yml", ("TC001", 2, 118)), "bytes that are not text at all"),
    Case("invalid-utf8", _one("w.yml", b"on: push\nname: caf\xe9\njobs: {}\n"),
         _expect("w.yml", ("TC001", 2, 10)), "Latin-1 bytes in a UTF-8 file"),
    Case("utf16-with-bom", _one("w.yml", codecs.BOM_UTF16_LE + TOKEN_PUBLISH.encode("utf-16-le")),
         frozenset(("w.yml", rule, line, column) for rule, line, column in TOKEN_FINDINGS),
         "a UTF-16 workflow (with BOM) is read, and judged like its UTF-8 twin"),
    Case("empty-file", _one("w.yml", ""), _expect("w.yml", ("TC001", 1, 1)), "an empty file"),
    Case("only-comments", _one("w.yml", "# nothing here\n"), _expect("w.yml", ("TC001", 1, 1)), "a file of comments"),
    Case("document-marker-only", _one("w.yml", "---\n  "), _expect("w.yml", ("TC001", 2, 3)),
         "a document marker and spaces with no final newline (libyaml places the node on a line that does not exist)"),
    Case("unterminated-last-line", _one("w.yml", "on: push\njobs:\n  a: {b"), _expect("w.yml", ("TC001", 3, 8)),
         "an error at the end of a last line with no newline"),
    Case("root-is-a-list", _one("w.yml", "- on: push\n- jobs: {}\n"), _expect("w.yml", ("TC001", 1, 1)), "a list at the top"),
    Case("root-is-a-scalar", _one("w.yml", "just words\n"), _expect("w.yml", ("TC001", 1, 1)), "a scalar at the top"),
    Case("jobs-is-a-list", _one("w.yml", "on: push\njobs:\n  - build\n"), _expect("w.yml", ("TC001", 3, 3)), "jobs as a list"),
    Case("steps-is-a-mapping", _one("w.yml", PUBLISHING_HEADER.replace("    steps:\n      - uses:", "    steps:\n      uses:")),
         _expect("w.yml", ("TC001", 11, 7)), "steps as a mapping"),
    Case("wrong-types", _one("w.yml", WRONG_TYPES),
         _expect("w.yml", ("TC204", 5, 3), ("TC001", 8, 18), ("TC201", 10, 15), ("TC001", 12, 14), ("TC001", 13, 10), ("TC001", 14, 12),
                 ("TC001", 15, 9), ("TC001", 16, 18), ("TC001", 17, 16), ("TC001", 19, 15), ("TC001", 20, 14),
                 ("TC001", 21, 15), ("TC001", 22, 15), ("TC001", 23, 9), ("TC001", 26, 14), ("TC001", 27, 11)),
         "a wrong type in every field of a job and step the model reads (the publish job loses its invalid permissions)"),
    Case("wrong-types-elsewhere", _one("w.yml", WRONG_TYPES_ELSEWHERE),
         _expect("w.yml", ("TC001", 1, 7), ("TC303", 3, 3), ("TC001", 4, 11), ("TC302", 5, 3), ("TC001", 5, 24),
                 ("TC001", 10, 13), ("TC001", 11, 6), ("TC001", 14, 30), ("TC001", 15, 25), ("TC001", 15, 38),
                 ("TC001", 18, 17), ("TC001", 23, 14), ("TC001", 24, 13), ("TC001", 26, 21), ("TC001", 27, 25),
                 ("TC001", 30, 27), ("TC001", 31, 16)),
         "wrong types in triggers, permission levels, environment, inputs and env (an invalid tag filter is no filter)"),
    Case("one-megabyte-line", _one("w.yml", TOKEN_PUBLISH.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    name: " + "x" * 1_000_000)),
         frozenset(("w.yml", rule, line + (line > 6), column) for rule, line, column in TOKEN_FINDINGS),
         "a single line of a million characters"),
    Case("unclosed-expressions", _one("w.yml", PUBLISHING_HEADER + "      - run: |\n          twine upload " + "${{ " * 100_000 + "\n"),
         frozenset(), "100,000 '${{' never closed in one script (a lazy regex takes minutes on this)"),
    Case("fifty-thousand-uploads", _one("w.yml", PUBLISHING_HEADER + "      - run: |\n          " + "twine upload dist/* && " * 50_000 + "true\n"),
         frozenset(), "one script that uploads 50,000 times (each upload is judged)"),
    Case("five-thousand-jobs", _one("w.yml", _five_thousand_jobs()),
         frozenset(("w.yml", rule, line + 4 * 4999, column) for rule, line, column in TOKEN_FINDINGS),
         "5,000 jobs, one of which uploads with a token"),
    Case("duplicate-keys", _one("w.yml", TOKEN_PUBLISH.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    runs-on: windows-latest\n")),
         frozenset({("w.yml", "TC001", 7, 5)} | {("w.yml", rule, line + (line > 6), column) for rule, line, column in TOKEN_FINDINGS}),
         "a key given twice (GitHub rejects it; the first value is used)"),
    Case("symlink-loop", _symlink_loop,
         frozenset({("self.yml", "TC001", 1, 1)} | {("release.yml", rule, line, column) for rule, line, column in TOKEN_FINDINGS}),
         "directory symlinks that loop, and a file symlinked to itself"),
    Case("unreadable-file", _unreadable,
         frozenset({("dangling.yml", "TC001", 1, 1)}
                   | {(name, rule, line, column) for rule, line, column in TOKEN_FINDINGS for name in ("release.yml", "secret.yml")}
                   if _ROOT else
                   {("dangling.yml", "TC001", 1, 1), ("secret.yml", "TC001", 1, 1)}
                   | {("release.yml", rule, line, column) for rule, line, column in TOKEN_FINDINGS}),
         "a file nobody may read (root can: then it is linted) and a dangling symlink; the other files are still linted"),
    Case("named-pipe", _fifo,
         frozenset({("pipe.yml", "TC001", 1, 1)} | {("release.yml", rule, line, column) for rule, line, column in TOKEN_FINDINGS}),
         "a FIFO named like a workflow (reading it would block forever)"),
    Case("suppression-openings", _one("w.yml", TOKEN_PUBLISH + "# " + "#trustycheck:ignore[" * 50_000 + "\n"),
         _token_findings("w.yml"), "a 1 MB comment of suppression openings never closed (quadratic: minutes)"),
    Case("self-merging-job", _one("w.yml", TOKEN_PUBLISH.replace("  publish:\n", "  publish: &self\n    <<: *self\n")),
         _token_findings("w.yml", 5), "a job that merges itself (<<: *self) was a RecursionError and lost the file's findings"),
    Case("deep-merge-chain", _one("w.yml", TOKEN_PUBLISH.replace("  publish:\n", "  publish:\n    <<: " + "{<<: " * 990
                                                                  + "{timeout-minutes: 1}" + "}" * 990 + "\n")),
         _token_findings("w.yml", 5), "merge keys nested 990 deep (a RecursionError that lost the file's findings)"),
    Case("five-thousand-digit-number", _one("w.yml", "name: " + "9" * 5000 + "\n" + TOKEN_PUBLISH),
         _token_findings("w.yml", 1), "an integer Python refuses to convert (a ValueError that lost the file's findings)"),
    Case("five-thousand-digit-version", _one("w.yml", TOKEN_PUBLISH.replace("@release/v1", "@v" + "9" * 5000 + ".2.3")),
         _token_findings("w.yml"), "a 5,000-digit version in the publish action's ref (a ValueError that lost the file's findings)"),
    Case("symlink-to-environment", _repository_with("env.yml", lambda directory: "/proc/self/environ"),
         _token_findings("release.yml") | {("env.yml", "TC001", 1, 1)},
         "a workflow symlinked to /proc/self/environ (its variables were echoed)", "points outside the repository"),
    Case("symlink-outside", _repository_with("linked.yml", _outside_file),
         _token_findings("release.yml") | {("linked.yml", "TC001", 1, 1)},
         "a workflow symlinked to a file outside the repository", "points outside the repository"),
    Case("symlink-into-git", _repository_with("config.yml", _git_config),
         _token_findings("release.yml") | {("config.yml", "TC001", 1, 1)},
         "a workflow symlinked to .git/config (its URL and token were echoed)", "points into the .git folder"),
    Case("github-symlinked-to-root", _github_to_root, _expect(".github", ("TC001", 1, 1)),
         "a .github folder symlinked to / (walked: 7.6 s, 265 MB)", "points outside the repository"),
    Case("action-deeper-than-a-path", _deep_action,
         _token_findings("release.yml") | {("d" * 200, "TC001", 1, 1)},
         "an action.yml nested past PATH_MAX: the folder that cannot be listed is reported", "File name too long"),
    Case("unreadable-action-folder", _unreadable_action_folder,
         _token_findings("release.yml") | (frozenset() if _ROOT else {("upload", "TC001", 1, 1)}),
         "an action folder nobody may list (root can: then it is searched)"),
    Case("call-out-of-repository", _call_out_of_repository, _expect("w.yml", ("TC002", 4, 11)),
         "a reusable workflow called from another repository beside this one (./../other-repo/...)",
         "outside the repository"),
    Case("composite-fan-out", _composite_fan_out,
         frozenset({("w.yml", "TC204", 3, 3), ("w.yml", "TC301", 3, 3), ("w.yml", "TC303", 1, 5), ("action.yml", "TC002", 5, 13),
                    ("action.yml", "TC101", 4, 25)}),
         "nine composite actions each calling the next ten times (10**8 steps; 15-18 s and 1.2 GB before)",
         "steps reached through local calls"),
    Case("terminal-escapes-in-names", _one("w.yml", ESCAPES_IN_NAMES), _expect("w.yml", *_ESCAPE_FINDINGS),
         "ESC, OSC, C1, CR, newline + '::add-mask::', bidi and DEL in a job id and a step name (reached every output raw)"),
    Case("credentials-on-flagged-lines", _one("w.yml", _CREDENTIAL_LINES), _expect("w.yml", *_CREDENTIAL_FINDINGS),
         "a URL password, a .pypirc printf, poetry http-basic, GITHUB_ENV, export and a GitHub token (shown whole before)"),
    Case("file-named-like-an-option", _dashed_file, _expect("-rf.yml", *TOKEN_FINDINGS),
         "a workflow named -rf.yml after '--' (taken as an option, exit 2, before)"),
    Case("two-hundred-thousand-jobs", _big("".join(f"  j{n}:\n    runs-on: x\n" for n in range(200_000))),
         _expect("w.yml", ("TC001", 1, 1)), "a 5 MB file of 200,000 jobs (1.1 GB before): over the size limit"),
    Case("thirty-thousand-jobs", _big("".join(f"  j{n}:\n    runs-on: x\n" for n in range(30_000))),
         _expect("w.yml", ("TC001", 30000, 14)), "30,000 jobs in 0.9 MB: past the node limit (the 60,001st node)",
         "over 60,000 YAML nodes"),
    Case("ninety-thousand-steps", _big("  a:\n    runs-on: x\n    steps:\n" + "      - run: echo\n" * 90_000),
         _expect("w.yml", ("TC001", 20002, 9)), "90,000 steps in 1.7 MB (150,000 took 424 MB before): past the node limit",
         "over 60,000 YAML nodes"),
    Case("twenty-thousand-uploads", _big("  a:\n    runs-on: x\n    steps:\n" + _UPLOAD_STEP * 19_900, tag=True),
         _capped_uploads(19_900), "19,900 token uploads in one job, just under the node limit (1,000 listed, the rest counted)"),
    Case("many-duplicate-keys", _big("  a:\n    runs-on: x\n" + "    runs-on: x\n" * 25_000),
         frozenset(("w.yml", "TC001", line, 5) for line in range(5, 1005)),
         "25,000 duplicate keys: 1,000 listed (100,000 took 880 MB in SARIF before)"),
    Case("huge-permissions-block", _one("w.yml", "on: push\npermissions:\n" + "".join(f"  scope{n}: write\n" for n in range(25_000))
                                         + "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n"),
         frozenset(("w.yml", "TC001", line, 3) for line in range(3, 1003)),
         "25,000 unknown permission scopes: 1,000 listed (200,000: 9.1 s and 448 MB in SARIF before)"),
    Case("alias-fan-out-over-jobs", _one("w.yml", _alias_fan_out(12_000)),
         _expect("w.yml", ("TC101", 8, 40), ("TC301", 5, 3), *(("TC301", line, 3) for line in range(9, 1007))),
         "one publishing job aliased 12,000 times, each a job without an environment: 1,000 listed "
         "(4.9 s and 149 MB in SARIF before)"),
]


FORMATS = ("json", "text", "sarif", "github")

NEVER_SHOWN = ("hunter2", GITHUB_TOKEN)
"""Credentials the cases plant: no output of any case may hold them."""


def output_problems(output: str, output_format: str) -> list[str]:
    """What in one output of a case breaks a promise beyond its findings: a control
    character or a ``::`` line trustycheck did not write, or a planted credential."""
    from fuzz import unsafe_output  # beside this script

    problems = unsafe_output(output, output_format)
    problems += [f"{output_format}: a planted credential is shown" for secret in NEVER_SHOWN if secret in output]
    return problems


def findings_of(json_output: str | bytes) -> set[Finding]:
    """(file name, rule, line, column) of every finding in trustycheck's JSON output."""
    return {(Path(f["path"]).name, f["rule"], f["line"], f["column"]) for f in json.loads(json_output)["findings"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time and memory of trustycheck on each hostile input.")
    parser.add_argument("--only", action="append", default=[], help="run only this case (repeatable)")
    args = parser.parse_args(argv)
    from measure import measure  # beside this script; imported here so tests can load CASES alone

    command = [str(Path(sys.executable).parent / "trustycheck")]
    failed = 0
    print(f"  {'case':<34} {'format':<7} {'seconds':>8} {'peak MB':>8}  outcome")
    for case in CASES:
        if args.only and case.name not in args.only:
            continue
        for output_format in FORMATS:
            with tempfile.TemporaryDirectory() as temporary:
                workspace = Path(temporary) / "case"
                workspace.mkdir()
                arguments = case.make(workspace)
                with open(Path(temporary) / "out", "w+b") as out_file, open(Path(temporary) / "err", "w+b") as err_file:
                    run = measure([*command, "--format", output_format, *arguments], cwd=str(workspace),
                                  stdout=out_file, stderr=err_file)
                    out_file.seek(0)
                    err_file.seek(0)
                    out, err = out_file.read(), err_file.read()
            seconds, peak = run.seconds, run.max_rss_kb / 1024
            problems = output_problems(out.decode("utf-8", "replace"), output_format)
            if output_format == "json":
                try:
                    found, holds = findings_of(out), case.holds_for(out)
                except ValueError:
                    found, holds = set(), False
                if not holds:
                    problems.append(f"findings differ: {sorted(found ^ case.expect)[:6]}")
            if b"Traceback" in err or run.exit_code not in (0, 1):
                problems.append(f"exit {run.exit_code}" + (" with a traceback" if b"Traceback" in err else ""))
            if seconds >= 2 or peak >= 200:
                problems.append("over the 2 s / 200 MB bound")
            failed += bool(problems)
            print(f"  {case.name:<34} {output_format:<7} {seconds:>8.3f} {peak:>8.1f}  {'; '.join(problems) or 'ok'}")
    print(f"{failed} of the runs failed" if failed else "every case ok in every format")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
