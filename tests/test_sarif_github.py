"""SARIF for code scanning and GitHub annotations: valid, complete, stable, and honest exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import CORPUS, EXAMPLES, TOKEN_PUBLISH, run_cli
from trustycheck.pipeline import catalog
from trustycheck.report.github import escape_data, escape_property

SCHEMA_PATH = CORPUS.parent / "schemas" / "sarif-schema-2.1.0.json"

def sarif_of(*args: str, cwd: Path | None = None) -> tuple[dict, int]:
    result = run_cli("--format", "sarif", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout), result.returncode


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the SARIF schema is not present at {SCHEMA_PATH}")
    return json.loads(SCHEMA_PATH.read_text())


def test_sarif_is_valid_against_the_official_schema(sarif_schema: dict) -> None:
    document, code = sarif_of(str(EXAMPLES))
    jsonschema.validate(document, sarif_schema)
    assert code == 1
    assert len(document["runs"]) == 1


def test_driver_describes_every_rule(sarif_schema: dict) -> None:
    document, _ = sarif_of(str(EXAMPLES))
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "trustycheck" and driver["version"] and "informationUri" not in driver  # no page of trustycheck's exists to point at
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [rule.id for rule in catalog()]
    tc101 = driver["rules"][ids.index("TC101")]
    assert tc101["name"] == "token-publish"
    assert tc101["shortDescription"]["text"] and tc101["fullDescription"]["text"]
    assert "```yaml" in tc101["help"]["markdown"] and tc101["help"]["text"]
    assert tc101["defaultConfiguration"]["level"] == "error"
    assert "security" in tc101["properties"]["tags"]
    assert float(tc101["properties"]["security-severity"]) >= 7.0
    scores = {rule["id"]: float(rule["properties"]["security-severity"]) for rule in driver["rules"] if "security" in rule["properties"]["tags"]}
    assert scores["TC102"] >= 9.0 and scores["TC204"] < 4.0  # Critical and Low exist


def test_results_point_at_the_finding_relative_to_the_repository_root(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(TOKEN_PUBLISH)
    document, code = sarif_of("--select", "TC101", str(tmp_path), cwd=Path("/"))
    assert code == 1
    run = document["runs"][0]
    [result] = run["results"]
    assert result["ruleId"] == "TC101"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "TC101"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": ".github/workflows/release.yml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {
        "startLine": 10, "startColumn": 11, "endLine": 10, "endColumn": 19,
        "snippet": {"text": "          password: ${{ secrets.PYPI_API_TOKEN }}"},
    }


def test_fingerprints_survive_unrelated_lines_moving(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    target = workflows / "release.yml"
    target.write_text(TOKEN_PUBLISH)
    before, _ = sarif_of(str(tmp_path))
    target.write_text("# a comment added on top\nname: Release\n" + TOKEN_PUBLISH)
    after, _ = sarif_of(str(tmp_path))

    def prints(document: dict) -> list[tuple[str, str, str]]:
        return sorted((r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"], r["fingerprints"]["trustycheck/v1"]) for r in document["runs"][0]["results"])

    assert prints(before) == prints(after)
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after["runs"][0]["results"]]
    assert min(lines) > 2


def test_exit_code_in_sarif_mode_and_exit_zero(tmp_path: Path) -> None:
    assert run_cli("--format", "sarif", str(EXAMPLES / "action-with-token.yml")).returncode == 1
    assert run_cli("--format", "sarif", "--exit-zero", str(EXAMPLES / "action-with-token.yml")).returncode == 0
    assert run_cli("--format", "sarif", str(EXAMPLES / "trusted-publishing.yml")).returncode == 0
    out = tmp_path / "report.sarif"
    result = run_cli("--format", "sarif", "--output", str(out), str(EXAMPLES / "action-with-token.yml"))
    assert result.returncode == 0 and result.stdout == ""  # the upload step after it must run (issue 18, point 4)
    assert run_cli("--format", "sarif", "--output", str(out), "--exit-code", str(EXAMPLES / "action-with-token.yml")).returncode == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    unwritable = run_cli("--output", str(tmp_path / "missing" / "x.txt"), str(EXAMPLES))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr


def test_github_annotations_are_escaped_workflow_commands() -> None:
    result = run_cli("--format", "github", "--select", "TC101", str(EXAMPLES / "action-with-token.yml"))
    assert result.returncode == 1
    assert result.stdout == (
        "::error file=" + escape_property(str(EXAMPLES / "action-with-token.yml")) +
        ",line=35,col=11,endLine=35,endColumn=19,title=TC101 token-publish::"
        "pypa/gh-action-pypi-publish uploads to PyPI with a long-lived credential (secrets.PYPI_API_TOKEN) "
        "instead of Trusted Publishing%0A" + escape_data(next(r for r in catalog() if r.id == "TC101").hint) + "\n"
    )


def test_github_escaping_rules() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_text_stays_the_default_inside_github_actions() -> None:
    result = run_cli("--select", "TC101", str(EXAMPLES / "action-with-token.yml"), env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith(str(EXAMPLES / "action-with-token.yml"))
    asked = run_cli("--format", "github", "--select", "TC101", str(EXAMPLES / "action-with-token.yml"), env={"GITHUB_ACTIONS": "true"})
    assert asked.stdout.startswith("::error file=")
    explicit = run_cli("--format", "text", "--select", "TC101", str(EXAMPLES / "action-with-token.yml"), env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith(str(EXAMPLES / "action-with-token.yml"))
