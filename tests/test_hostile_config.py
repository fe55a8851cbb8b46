"""A pull request can change the configuration and an organisation's rules directory as
freely as a workflow: each hostile file is one clear error line and exit 2, quickly, never a
traceback, a hang or an "internal error"."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import REPO, TOKEN_PUBLISH, run_cli, write_tree

GUARD = 20.0
"""Seconds a run may take (a hang guard, not a speed target: the runs take well under 1 s)."""


def _repo(tmp_path: Path, name: str, content: bytes | str) -> Path:
    repo = write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH})
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    target.write_bytes(content)
    return repo


def _refused(repo: Path, *args: str) -> str:
    """Run the CLI in ``repo``; it must stop with exit 2 and one error line, which is returned."""
    started = time.monotonic()
    result = run_cli(*args, ".", cwd=repo, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < GUARD, f"took {elapsed:.1f} s"
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustycheck: error: "), result.stderr[-2000:]
    return lines[0]


DEEP = 5000


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(".trustycheck.toml", b'select = ["TC101\xff"]\n', "is not UTF-8", id="dotfile-not-utf8"),
        pytest.param("pyproject.toml", b'[tool.trustycheck]\nselect = ["\xe9"]\n', "is not UTF-8", id="pyproject-not-utf8"),
        pytest.param(".trustycheck.toml", "select = " + "[" * DEEP + "]" * DEEP + "\n", "nests arrays or tables more than", id="deep-arrays"),
        pytest.param(".trustycheck.toml", "severity = " + "{a = " * DEEP + '"note"' + "}" * DEEP + "\n", "nests arrays or tables more than",
                     id="deep-inline-tables"),
        pytest.param(".trustycheck.toml", "[[a]]\nb = [" + "{c = [" * DEEP + "]}" * DEEP + "]\n", "nests arrays or tables more than",
                     id="deep-mixed"),
        pytest.param(".trustycheck.toml", "a" + ".a" * 8000 + " = 1\n", "a key of more than", id="dotted-key"),
        pytest.param(".trustycheck.toml", "x = {" + "a." * 8000 + "a = 1}\n", "a key of more than", id="dotted-key-in-inline-table"),
        pytest.param(".trustycheck.toml", "[a" + ".a" * 8000 + "]\n", "a key of more than", id="dotted-table-header"),
        pytest.param("pyproject.toml", 'tool = "trustycheck"\n', "'tool' must be a table, not a string", id="tool-is-a-string"),
        pytest.param("pyproject.toml", 'tool = ["trustycheck"]\n', "'tool' must be a table, not a list", id="tool-is-a-list"),
        pytest.param("pyproject.toml", "[tool]\ntrustycheck = 5\n", "[tool.trustycheck] must be a table, not a number", id="table-is-a-number"),
        pytest.param("pyproject.toml", '[tool]\ntrustycheck = "select"\n', "[tool.trustycheck] must be a table, not a string",
                     id="table-is-a-string"),
        pytest.param(".trustycheck.toml", "# " + "x" * (2 << 20) + "\n", "larger than 256 KiB", id="too-big"),
        pytest.param("pyproject.toml", "[tool.trustycheck]\n" + "# " + "x" * (2 << 20) + "\n", "larger than 256 KiB", id="pyproject-too-big"),
    ],
)
def test_a_hostile_configuration_is_one_clear_error(tmp_path: Path, name: str, content: bytes | str, expected: str) -> None:
    repo = _repo(tmp_path, name, content)
    line = _refused(repo)
    assert line.startswith(f"trustycheck: error: {repo / name}: "), line
    assert expected in line, line


def test_a_26_mb_configuration_is_refused_without_reading_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ".trustycheck.toml", "".join(f'k{i} = "value"\n' for i in range(1_500_000)))
    assert (repo / ".trustycheck.toml").stat().st_size > 25 << 20
    line = _refused(repo)
    assert line == (f"trustycheck: error: {repo / '.trustycheck.toml'}: larger than 256 KiB "
                    "(a configuration is a few KB; this limit bounds the time spent reading it)")


def test_a_big_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "pyproject.toml", '[project]\nname = "x"\n' + "# " + "x" * (2 << 20) + "\n")
    result = run_cli("--format", "json", ".", cwd=repo, timeout=60)
    assert result.returncode == 1 and '"TC101"' in result.stdout, result.stderr


def test_a_configuration_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "policy/placeholder", "")
    fifo = repo / "policy.toml"
    os.mkfifo(fifo)
    line = _refused(repo, "--config", str(fifo))
    assert line.startswith(f"trustycheck: error: {fifo}: "), line


def test_a_large_legal_configuration_within_the_limit_is_read_quickly(tmp_path: Path) -> None:
    """The slowest TOML the parser reads near the size limit: many small inline tables."""
    text = "[tool.trustycheck]\nselect = [\"TC101\"]\n[other]\na = [" + ",".join("{x=1}" for _ in range(40_000)) + "]\n"
    assert len(text) < 256 << 10
    repo = _repo(tmp_path, "pyproject.toml", text)
    started = time.monotonic()
    result = run_cli("--format", "json", ".", cwd=repo, timeout=60)
    assert time.monotonic() - started < GUARD
    assert result.returncode == 1 and '"TC101"' in result.stdout, result.stderr


# Rules directories: a rule file is configuration too.

ORG_RULE = (REPO / "rules" / "TC301-publish-without-environment.yml").read_text().replace("id: TC301", "id: ORG001").replace(
    "slug: publish-without-environment", "slug: org-environment")


def _org_repo(tmp_path: Path, rule: str) -> Path:
    repo = _repo(tmp_path, ".trustycheck.toml", 'rules-dirs = ["policies"]\n')
    (repo / "policies").mkdir()
    (repo / "policies" / "ORG001.yml").write_text(rule)
    return repo


def _with_condition(condition: str) -> str:
    start = ORG_RULE.index("condition:")
    end = ORG_RULE.index("\nat:")
    return ORG_RULE[:start] + condition.rstrip("\n") + ORG_RULE[end:]


CATASTROPHIC = TOKEN_PUBLISH.replace("runs-on: ubuntu-latest", "name: " + "a" * 40 + "!\n    runs-on: ubuntu-latest")
"""A job name that the refused patterns below would take seconds to minutes to search."""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^(a+)+$", "nested quantifiers"),
        ("^(?:a|a)*!x", "alternatives that can start with the same character"),
        ("^a*a*!x", "adjacent quantifiers"),
        (r"^(\w+)x\1", "backreference"),
        ("^(?=a*x)b", "lookaround containing a quantifier"),
        ("a+!x", "unanchored pattern"),
    ],
)
def test_a_super_linear_rule_regex_is_refused(tmp_path: Path, pattern: str, expected: str) -> None:
    repo = _org_repo(tmp_path, _with_condition(f"condition:\n  fact: job.name\n  matches: '{pattern}'\n"))
    (repo / ".github/workflows/release.yml").write_text(CATASTROPHIC)
    line = _refused(repo)
    assert line.startswith(f"trustycheck: error: {repo / 'policies' / 'ORG001.yml'}: field 'condition.matches': "), line
    assert expected in line, line


def test_an_alias_bomb_condition_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 {fact: job.environment, exists: false}"]
    levels += [f"a{i}: &a{i} {{any: [{', '.join([f'*a{i - 1}'] * 10)}]}}" for i in range(1, 9)]
    bomb = "x-anchors:\n" + "".join(f"  {line}\n" for line in levels) + "condition: *a8\n"  # 10**8 tests
    line = _refused(_org_repo(tmp_path, _with_condition(bomb)))
    assert "ORG001.yml" in line and "more than" in line, line


def test_an_alias_bomb_anywhere_in_a_rule_file_is_refused(tmp_path: Path) -> None:
    levels = ['b0: &b0 ["x", "x", "x", "x"]'] + [f"b{i}: &b{i} [*b{i - 1}, *b{i - 1}, *b{i - 1}, *b{i - 1}]" for i in range(1, 30)]
    rule = "x-anchors:\n" + "".join(f"  {line}\n" for line in levels) + ORG_RULE.replace("\nat:", "\nreferences: *b29\nat:", 1)
    line = _refused(_org_repo(tmp_path, rule))
    assert "ORG001.yml" in line and "more than" in line, line


def test_a_deeply_nested_not_is_refused(tmp_path: Path) -> None:
    condition = "condition: " + "{not: " * 200 + "{fact: job.environment, exists: false}" + "}" * 200 + "\n"
    line = _refused(_org_repo(tmp_path, _with_condition(condition)))
    assert line.startswith(f"trustycheck: error: {tmp_path / 'policies' / 'ORG001.yml'}: field 'condition': "), line
    assert "nests deeper than" in line, line


def test_a_condition_with_too_many_tests_is_refused(tmp_path: Path) -> None:
    condition = "condition:\n  any:\n" + "    - {fact: job.environment, exists: false}\n" * 5000
    line = _refused(_org_repo(tmp_path, _with_condition(condition)))
    assert "field 'condition'" in line and "more than" in line, line


def test_a_yaml_error_in_a_rule_file_is_one_line(tmp_path: Path) -> None:
    line = _refused(_org_repo(tmp_path, ORG_RULE + "x: *undefined\n"))
    assert "ORG001.yml: not valid YAML: found undefined alias" in line, line


def test_deep_yaml_nesting_in_a_rule_file_is_refused(tmp_path: Path) -> None:
    line = _refused(_org_repo(tmp_path, ORG_RULE + "x: " + "[" * 900 + "]" * 900 + "\n"))
    assert "ORG001.yml" in line, line


def test_a_huge_rule_file_is_refused(tmp_path: Path) -> None:
    line = _refused(_org_repo(tmp_path, ORG_RULE + "# " + "x" * (2 << 20) + "\n"))
    assert "ORG001.yml" in line and "larger than" in line, line


def test_a_rule_file_that_is_a_fifo_is_skipped_or_refused_but_never_hangs(tmp_path: Path) -> None:
    repo = _org_repo(tmp_path, ORG_RULE)
    os.mkfifo(repo / "policies" / "ORG002.yml")
    started = time.monotonic()
    result = run_cli("--format", "json", ".", cwd=repo, timeout=60)
    assert time.monotonic() - started < GUARD
    assert "Traceback" not in result.stderr and result.returncode in (1, 2), result.stderr


@pytest.mark.parametrize(("old", "new", "field"), [
    ('message: "', 'message: "' + "{job.id}" * 20000, "message"),
    ('  hint: "', '  hint: "' + "x" * 20000, "fix.hint"),
], ids=["message", "hint"])  # short ids: a 160 KB test id in PYTEST_CURRENT_TEST makes exec fail (E2BIG)
def test_text_repeated_in_every_finding_is_bounded(tmp_path: Path, old: str, new: str, field: str) -> None:
    """A message or hint is printed with each finding: 20,000 placeholders in one would make
    every finding hundreds of KB of output."""
    line = _refused(_org_repo(tmp_path, ORG_RULE.replace(old, new, 1)))
    assert f"ORG001.yml: field '{field}': " in line and "is too long" in line, line[:300]


def test_a_rules_directory_with_thousands_of_rules_is_refused(tmp_path: Path) -> None:
    repo = _org_repo(tmp_path, ORG_RULE)
    for index in range(2, 1000):
        rule = ORG_RULE.replace("id: ORG001", f"id: ORG{index:03d}").replace("slug: org-environment", f"slug: org-environment-{index}")
        (repo / "policies" / f"ORG{index:03d}.yml").write_text(rule)
    line = _refused(repo)
    assert line == f"trustycheck: error: {repo / 'policies'}: rules directories hold more than 200 rule files in all", line
