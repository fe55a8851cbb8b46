"""Configuration files: found by walking up, validated with clear errors, overridden by flags."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, TOKEN_PUBLISH, run_cli, write_tree

def make_repo(tmp_path: Path, config_name: str | None = None, config: str = "") -> Path:
    """A repository with a token upload (TC101, TC301, TC401) and, optionally, a configuration file."""
    return write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH, **({config_name: config} if config_name else {})})


def rules_found(*args: str, cwd: Path) -> tuple[list[tuple[str, str]], int]:
    result = run_cli("--format", "json", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return [(f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]], result.returncode


def test_no_configuration(tmp_path: Path) -> None:
    found, code = rules_found(".", cwd=make_repo(tmp_path))
    assert ("TC101", "error") in found and ("TC301", "warning") in found and code == 1


def test_dotfile_is_found_from_a_subdirectory_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", 'select = ["TC101", "TC301"]\nseverity = {TC301 = "note", "token-publish" = "warning"}\n')
    found, _ = rules_found(".github/workflows/release.yml", cwd=repo)
    assert found == [("TC301", "note"), ("TC101", "warning")]


def test_pyproject_table_and_min_severity(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.trustycheck]\nmin-severity = "error"\nignore = ["TC401"]\n')
    found, _ = rules_found(".", cwd=repo)
    assert found and all(severity == "error" for _, severity in found)
    assert "TC101" in {rule for rule, _ in found}


def test_pyproject_found_only_with_the_table_even_when_its_key_is_escaped(tmp_path: Path) -> None:
    parent = make_repo(tmp_path, ".trustycheck.toml", 'select = ["TC301"]\n')
    repo = write_tree(parent / "inner", {".github/workflows/release.yml": TOKEN_PUBLISH, "pyproject.toml": '[project]\nname = "x"\n'})
    found, _ = rules_found(".", cwd=repo)
    assert found == [("TC301", "warning")]  # the pyproject without the table is passed over
    (repo / "pyproject.toml").write_text('[tool."trust\\u0079check"]\nselect = ["TC101"]\n')
    found, _ = rules_found(".", cwd=repo)
    assert found == [("TC101", "error")]


def test_command_line_wins(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", 'select = ["TC301"]\nmin-severity = "error"\n')
    found, _ = rules_found("--select", "TC101", "--min-severity", "note", ".", cwd=repo)
    assert found == [("TC101", "error")]
    isolated, _ = rules_found("--isolated", "--select", "TC301", ".", cwd=repo)
    assert isolated == [("TC301", "warning")]


def test_explicit_config_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    elsewhere = tmp_path / "policy.toml"
    elsewhere.write_text('select = ["TC303"]\n')
    found, code = rules_found("--config", str(elsewhere), ".", cwd=repo)
    assert found == [] and code == 0
    missing = run_cli("--config", "nope.toml", ".", cwd=repo)
    assert missing.returncode == 2 and missing.stderr == "trustycheck: error: nope.toml: no such configuration file\n"


def test_per_path_ignores_suppress_and_sarif_marks_them_external(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", '[per-path-ignores]\n".github/workflows/release.yml" = ["TC101", "unpinned-action"]\n')
    found, _ = rules_found(".", cwd=repo)
    assert "TC101" not in {rule for rule, _ in found} and "TC401" not in {rule for rule, _ in found}
    assert "TC301" in {rule for rule, _ in found}
    sarif = json.loads(run_cli("--format", "sarif", "--include-suppressed", ".", cwd=repo).stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if r["suppressions"]]
    assert {r["ruleId"] for r in suppressed} == {"TC101", "TC401"}
    assert suppressed[0]["suppressions"][0]["kind"] == "external"


def test_per_path_glob_without_slash_matches_file_names(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", '[per-path-ignores]\n"release.*" = ["TC1"]\n')
    found, _ = rules_found(".", cwd=repo)
    assert not any(rule.startswith("TC1") for rule, _ in found)


def test_unknown_key_names_key_file_and_known_keys(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", 'selct = ["TC101"]\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (
        f"trustycheck: error: {repo / '.trustycheck.toml'}: unknown key 'selct' in the top level "
        "(known keys: select, ignore, severity, per-path-ignores, min-severity, rules-dirs, fail-level, exit-code)\n"
    )


def test_mistyped_values_name_the_expected_type(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "pyproject.toml", '[tool.trustycheck]\nselect = "TC101"\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (
        f"trustycheck: error: {repo / 'pyproject.toml'}: 'select' in [tool.trustycheck] must be a list, not a string ('TC101')\n"
    )
    (repo / "pyproject.toml").write_text('[tool.trustycheck]\nseverity = {TC101 = "fatal"}\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2 and "'severity.TC101' in [tool.trustycheck] must be one of note, warning, error, not 'fatal'" in result.stderr


def test_unknown_rule_names_and_bad_toml_are_usage_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", 'severity = {TC999 = "note"}\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2 and "severity.TC999: 'TC999' matches no rule" in result.stderr
    (repo / ".trustycheck.toml").write_text("select = [\n")
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_rules_dirs_add_an_organisations_own_rule(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", 'rules-dirs = ["policies"]\nselect = ["ORG"]\n')
    (repo / "policies").mkdir()
    rule = (REPO / "rules" / "TC301-publish-without-environment.yml").read_text()
    rule = rule.replace("id: TC301", "id: ORG001").replace("slug: publish-without-environment", "slug: org-environment")
    (repo / "policies" / "ORG001.yml").write_text(rule)
    found, _ = rules_found(".", cwd=repo)
    assert found == [("ORG001", "warning")]
    (repo / "policies" / "ORG001.yml").write_text(rule.replace("fact: job.environment", "fact: job.enviroment"))
    broken = run_cli(".", cwd=repo)
    assert broken.returncode == 2 and "ORG001.yml" in broken.stderr and "job.enviroment" in broken.stderr


def test_a_wrong_item_in_a_list_is_named_with_its_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "pyproject.toml", '[tool.trustycheck]\nselect = ["TC101", 5]\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (f"trustycheck: error: {repo / 'pyproject.toml'}: 'select' in [tool.trustycheck] must be a list of "
                             "strings, not a list holding a number\n")
    (repo / "pyproject.toml").write_text('[tool.trustycheck.per-path-ignores]\n"a.yml" = "TC101"\n')
    result = run_cli(".", cwd=repo)
    assert result.stderr.endswith(": 'per-path-ignores.a.yml' in [tool.trustycheck] must be a list, not a string ('TC101')\n")


def test_a_long_key_or_value_is_quoted_short(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ".trustycheck.toml", f'{"k" * 5000} = 1\nmin-severity = "{"x" * 5000}"\n')
    result = run_cli(".", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (f"trustycheck: error: {repo / '.trustycheck.toml'}: unknown key '{'k' * 80}...' in the top level "
                             "(known keys: select, ignore, severity, per-path-ignores, min-severity, rules-dirs, fail-level, exit-code)\n")
    (repo / ".trustycheck.toml").write_text(f'min-severity = "{"x" * 5000}"\n')
    assert run_cli(".", cwd=repo).stderr.endswith(f"must be one of note, warning, error, not '{'x' * 80}...'\n")


_MODULES = ("import json, sys\nfrom trustycheck.cli import run\nstatus = run(sys.argv[1:])\nsys.stdout.flush()\n"
            "sys.stderr.write('\\n' + json.dumps([status, sorted(sys.modules)]))\n")


def modules_after(*args: str, cwd: Path) -> tuple[int, str, set[str]]:
    """Run the CLI in a fresh interpreter: its exit status, output and every module it imported."""
    result = subprocess.run([sys.executable, "-c", _MODULES, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    status, modules = json.loads(result.stderr.rsplit("\n", 1)[1])
    return status, result.stdout, set(modules)


REPORTERS = {f"trustycheck.report.{name}" for name in ("json_report", "sarif", "github", "text", "status")}


def test_linting_with_a_configuration_imports_no_schema_library_and_one_reporter(tmp_path: Path) -> None:
    """A [tool.trustycheck] table is checked without jsonschema (its import took ~200 ms)."""
    repo = make_repo(tmp_path, "pyproject.toml", '[tool.trustycheck]\nselect = ["TC101", "TC301"]\nseverity = {TC301 = "note"}\n'
                                                 '[tool.trustycheck.per-path-ignores]\n"other.yml" = ["TC101"]\n')
    status, output, modules = modules_after("--format", "json", ".", cwd=repo)
    assert status == 1
    assert [(f["rule"], f["severity"]) for f in json.loads(output)["findings"]] == [("TC301", "note"), ("TC101", "error")]
    assert "tomllib" in modules or "tomli" in modules  # the configuration was read
    assert not {name for name in modules if name.split(".")[0] == "jsonschema"}
    assert REPORTERS & modules == {"trustycheck.report.json_report"}


def test_documentation_commands_import_no_linting_machinery(tmp_path: Path) -> None:
    status, output, modules = modules_after("explain", "TC101", cwd=tmp_path)
    assert status == 0 and output.startswith("TC101 token-publish")
    assert not modules & {"jsonschema", "trustycheck.pipeline", "trustycheck.discover", *REPORTERS}
    assert not {name for name in modules if name.startswith("trustycheck.model")}  # the built-in rules need no fact check
    status, output, modules = modules_after("--help", cwd=tmp_path)
    assert status == 0 and output.startswith("Usage: trustycheck")
    assert not {name for name in modules if name.startswith(("trustycheck.model", "trustycheck.engine", "trustycheck.pipeline", "yaml"))}


CONFIG_SCHEMA = json.loads((REPO / "trustycheck" / "schemas" / "config.schema.json").read_text())

GOOD_TABLES = [
    {},
    {"select": ["TC1", "token-publish"], "ignore": [], "rules-dirs": ["policies"]},
    {"severity": {"TC101": "note", "unpinned-action": "error"}, "min-severity": "warning"},
    {"per-path-ignores": {".github/workflows/*.yml": ["TC101"], "x": []}},
    {"severity": {}, "per-path-ignores": {}},
    {"fail-level": "note", "exit-code": True},
    {"fail-level": "error", "exit-code": False},
]
BAD_TABLES = [
    {"selct": ["TC101"]},
    {"select": "TC101"},
    {"select": ["TC101", 5]},
    {"ignore": [["TC101"]]},
    {"rules-dirs": {"a": "b"}},
    {"severity": ["TC101"]},
    {"severity": {"TC101": "fatal"}},
    {"severity": {"TC101": 1}},
    {"severity": {"TC101": "Error"}},
    {"per-path-ignores": ["x"]},
    {"per-path-ignores": {"x": "TC101"}},
    {"per-path-ignores": {"x": [True]}},
    {"min-severity": "fatal"},
    {"min-severity": 2},
    {"min-severity": ["error"]},
    {"min-severity": datetime.date(2025, 1, 1)},
    {"select": [], "extra": 1},
    {"fail-level": "never"},
    {"fail-level": 1},
    {"exit-code": "true"},
    {"exit-code": 1},
]


def _plain_accepts(table: dict) -> bool:
    from trustycheck.config import ConfigError, _validate

    try:
        _validate(table, Path(".trustycheck.toml"), "the top level")
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize("table", GOOD_TABLES + BAD_TABLES)
def test_the_plain_checks_and_the_published_schema_agree(table: dict) -> None:
    """schemas/config.schema.json is for editors; the checks that run are plain Python. They
    must accept and refuse the same tables."""
    schema_accepts = jsonschema.Draft202012Validator(CONFIG_SCHEMA).is_valid(table)
    assert schema_accepts == (table in GOOD_TABLES)
    assert _plain_accepts(table) == schema_accepts


_STRINGS = st.sampled_from(["note", "warning", "error", "TC101", "", "Note"])
_SCALARS = st.one_of(_STRINGS, st.integers(), st.booleans(), st.floats(allow_nan=False), st.dates())
_LISTS = st.lists(st.one_of(_STRINGS, _STRINGS, _SCALARS), max_size=3)
_TABLES = st.dictionaries(st.sampled_from(["TC101", "a.yml", "x"]), st.one_of(_STRINGS, _LISTS, _SCALARS), max_size=3)
_TOML_VALUES = st.one_of(_STRINGS, _LISTS, _TABLES, _SCALARS, st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=2) |
                                                                         st.dictionaries(st.sampled_from(["TC101", "x"]), inner, max_size=2), max_leaves=6))
"""Values a TOML table can hold, mostly near the right shape (the edge the checks decide)."""
_KEY_NAMES = ["select", "ignore", "severity", "per-path-ignores", "min-severity", "rules-dirs", "fail-level", "exit-code", "selct"]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEY_NAMES), _TOML_VALUES, max_size=4))
def test_the_plain_checks_and_the_published_schema_agree_on_any_table(table: dict) -> None:
    assert _plain_accepts(table) == jsonschema.Draft202012Validator(CONFIG_SCHEMA).is_valid(table)
