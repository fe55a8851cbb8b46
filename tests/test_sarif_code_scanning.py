"""SARIF as GitHub code scanning reads it (issue 18, points 1-5): fingerprints it matches alerts
by, suppressed findings left out, security-severity that follows the configuration, URIs
relative to the repository's git top level, UTF-16 columns, and the invocation."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import CORPUS, TOKEN_PUBLISH, run_cli

SCHEMA_PATH = CORPUS.parent / "schemas" / "sarif-schema-2.1.0.json"
LINE_HASH = re.compile(r"[0-9a-f]{1,16}:[1-9][0-9]*")


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"the SARIF schema is not present at {SCHEMA_PATH}")
    return json.loads(SCHEMA_PATH.read_text())


def check_for_code_scanning(document: dict, schema: dict) -> None:
    """The official schema, and what GitHub's documentation adds for code scanning: a line
    hash on every result that has a line (but in a file that could not be read: the upload
    action hashes it from the checkout), security-severity only on security rules and as a
    number string in (0, 10], relative URIs without ``..``, UTF-16 columns, an invocation, and
    the upload limits (25,000 rules and results a run, 20 tags a rule)."""
    jsonschema.validate(document, schema)
    [run] = document["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"] and all(isinstance(i["executionSuccessful"], bool) for i in run["invocations"])
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) <= 25_000 and len(run["results"]) <= 25_000
    for rule in rules:
        properties = rule["properties"]
        assert len(properties["tags"]) <= 20
        if "security" in properties["tags"]:
            assert 0.0 < float(properties["security-severity"]) <= 10.0
            assert re.fullmatch(r"\d+\.\d", properties["security-severity"])
        else:
            assert "security-severity" not in properties
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and ".." not in uri.split("/"), uri
        assert not re.search(r"[ #?\\]|%(?![0-9A-F]{2})", uri), uri
        if "region" in location and (result["ruleId"] != "TC001" or "partialFingerprints" in result):
            assert LINE_HASH.fullmatch(result["partialFingerprints"]["primaryLocationLineHash"])
        assert set(result["fingerprints"]) == {"trustycheck/v1"}


def sarif(*args: str, cwd: Path, schema: dict) -> dict:
    result = run_cli("--format", "sarif", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    check_for_code_scanning(document, schema)
    return document


def repository(tmp_path: Path, workflow: str, name: str = "release.yml", config: str | None = None) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / name).write_text(workflow, encoding="utf-8")
    if config is not None:
        (tmp_path / ".trustycheck.toml").write_text(config)
    return tmp_path


def results(document: dict) -> list[dict]:
    return document["runs"][0]["results"]


def by_rule(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for result in results(document):
        found.setdefault(result["ruleId"], []).append(result)
    return found


def line_hash(result: dict) -> str:
    return result["partialFingerprints"]["primaryLocationLineHash"]


def start(result: dict) -> tuple[int, int]:
    region = result["locations"][0]["physicalLocation"]["region"]
    return region["startLine"], region["startColumn"]


# 1. Fingerprints


def test_line_hash_survives_lines_added_above_and_changes_with_the_flagged_line(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path, TOKEN_PUBLISH)
    before = by_rule(sarif(".", cwd=repo, schema=sarif_schema))
    edited = TOKEN_PUBLISH.replace("jobs:\n", "# Releases go out from tags only.\nname: Release\njobs:\n")
    repository(tmp_path, edited)
    after = by_rule(sarif(".", cwd=repo, schema=sarif_schema))
    [tc101_before], [tc101_after] = before["TC101"], after["TC101"]
    assert start(tc101_after) == (start(tc101_before)[0] + 2, start(tc101_before)[1])
    assert line_hash(tc101_after) == line_hash(tc101_before)
    assert tc101_after["fingerprints"] == tc101_before["fingerprints"]

    repository(tmp_path, edited.replace("secrets.PYPI_API_TOKEN", "secrets.PYPI_UPLOAD_TOKEN"))
    [tc101_renamed] = by_rule(sarif(".", cwd=repo, schema=sarif_schema))["TC101"]
    assert start(tc101_renamed) == start(tc101_after)
    assert line_hash(tc101_renamed) != line_hash(tc101_after)


TWO_UPLOADS = """\
on:
  push:
    tags: ["v*"]
jobs:
{jobs}"""
UPLOAD_JOB = """\
  {name}:
    runs-on: ubuntu-latest
    environment: pypi
    permissions: {{}}
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
        with:
          password: ${{{{ secrets.PYPI_API_TOKEN }}}}
      - run: echo "uploaded; the release notes and the attestations are published by the next workflow"
      - run: echo "nothing else runs in this job, so the token is not exposed to any other step here"
"""


def test_identical_flagged_lines_get_distinct_hashes_as_github_numbers_them(tmp_path: Path, sarif_schema: dict) -> None:
    """Two jobs that upload the same way: the flagged line and the 100 characters after it are
    the same, so GitHub's hash is too, and its occurrence count tells them apart."""
    jobs = UPLOAD_JOB.format(name="publish-pypi") + UPLOAD_JOB.format(name="publish-mirror")
    repo = repository(tmp_path, TWO_UPLOADS.format(jobs=jobs))
    first, second = by_rule(sarif(".", cwd=repo, schema=sarif_schema))["TC101"]
    value, _, count = line_hash(first).partition(":")
    assert (count, line_hash(second)) == ("1", f"{value}:2")
    assert first["fingerprints"] != second["fingerprints"]


def test_ids_do_not_depend_on_whether_suppressed_findings_are_included(tmp_path: Path, sarif_schema: dict) -> None:
    """The first of two identical uploads is suppressed: the second keeps the same line hash
    and stable id whether or not the first is written."""
    first = UPLOAD_JOB.format(name="publish-mirror").replace(
        "        with:\n", "        with:\n          # trustycheck: ignore[TC101] the mirror has no Trusted Publishing\n")
    repo = repository(tmp_path, TWO_UPLOADS.format(jobs=first + UPLOAD_JOB.format(name="publish-pypi")))
    [alone] = by_rule(sarif(".", cwd=repo, schema=sarif_schema))["TC101"]
    suppressed, kept = by_rule(sarif("--include-suppressed", ".", cwd=repo, schema=sarif_schema))["TC101"]
    assert suppressed["suppressions"] and kept["suppressions"] == []
    assert (line_hash(alone), alone["fingerprints"]) == (line_hash(kept), kept["fingerprints"])
    assert line_hash(alone).endswith(":2")


def test_nothing_in_the_output_depends_on_a_literal_password(tmp_path: Path, sarif_schema: dict) -> None:
    """The line hash is taken over the text with credentials masked: a 64-bit polynomial hash
    of a short password next to known text could be searched back."""
    literal = TOKEN_PUBLISH.replace("${{ secrets.PYPI_API_TOKEN }}", "hunter2-letmein")
    repo = repository(tmp_path / "a", literal)
    other = repository(tmp_path / "b", literal.replace("hunter2-letmein", "s3cret!-opensez"))
    first = run_cli("--format", "sarif", ".", cwd=repo)
    second = run_cli("--format", "sarif", ".", cwd=other)
    assert "hunter2" not in first.stdout and first.stdout == second.stdout
    check_for_code_scanning(json.loads(first.stdout), sarif_schema)


# 2. Suppressed findings


SUPPRESSED = TOKEN_PUBLISH.replace(
    "  publish:\n", "  publish:  # trustycheck: ignore[TC301] the environment is set by the organisation's ruleset\n")


def test_suppressed_findings_are_left_out_unless_asked_for(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path, SUPPRESSED, config='[per-path-ignores]\n".github/workflows/*.yml" = ["TC204"]\n')
    default = sarif(".", cwd=repo, schema=sarif_schema)
    assert {r["ruleId"] for r in results(default)} == {"TC101", "TC401"}
    assert not any("suppressions" in r for r in results(default))

    kept = sarif("--include-suppressed", ".", cwd=repo, schema=sarif_schema)
    assert {r["ruleId"] for r in results(kept)} == {"TC101", "TC204", "TC301", "TC401"}
    suppressions = {r["ruleId"]: r["suppressions"] for r in results(kept)}
    assert suppressions["TC101"] == suppressions["TC401"] == []
    assert suppressions["TC301"] == [{"kind": "inSource", "justification": "the environment is set by the organisation's ruleset"}]
    assert suppressions["TC204"] == [{"kind": "external", "justification": "ignored for this path by per-path-ignores in .trustycheck.toml"}]
    assert str(tmp_path) not in json.dumps(kept)


def test_a_configuration_outside_the_repository_is_named_without_its_folder(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path / "repo", TOKEN_PUBLISH)
    config = tmp_path / "shared" / "trustycheck.toml"
    config.parent.mkdir()
    config.write_text('[per-path-ignores]\n"**/release.yml" = ["TC204"]\n')
    document = sarif("--include-suppressed", "--config", str(config), str(repo), cwd=tmp_path, schema=sarif_schema)
    [suppression] = next(r["suppressions"] for r in results(document) if r["ruleId"] == "TC204")
    assert suppression["justification"] == "ignored for this path by per-path-ignores in trustycheck.toml"
    assert str(tmp_path) not in json.dumps(document)


# 3. Severity


def rule_entry(document: dict, rule_id: str) -> dict:
    return next(rule for rule in document["runs"][0]["tool"]["driver"]["rules"] if rule["id"] == rule_id)


THREE_REFS = TOKEN_PUBLISH.replace(
    "      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    "      - uses: actions/download-artifact@v4\n"
    "      - uses: actions/setup-python@main\n"
    "      - uses: pypa/gh-action-pypi-publish@release/v1\n")
"""TC401's cases: a tag (warning), a branch (error), the branch PyPA documents (note)."""


def test_a_configured_severity_changes_the_rules_security_severity(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path, THREE_REFS)
    default = sarif(".", cwd=repo, schema=sarif_schema)
    (repo / ".trustycheck.toml").write_text('[severity]\nunpinned-action = "error"\nTC301 = "note"\n')
    configured = sarif(".", cwd=repo, schema=sarif_schema)
    score = {name: {rule: float(rule_entry(doc, rule)["properties"]["security-severity"]) for rule in ("TC401", "TC301")}
             for name, doc in (("default", default), ("configured", configured))}
    assert score["default"]["TC401"] < 7.0 <= score["configured"]["TC401"]  # Medium -> High
    assert score["configured"]["TC301"] < 4.0 <= score["default"]["TC301"]  # Medium -> Low
    assert [(r["level"], "properties" in r) for r in by_rule(configured)["TC401"]] == [("error", False)] * 3
    assert rule_entry(configured, "TC401")["defaultConfiguration"] == {"level": "warning"}
    overrides = configured["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    assert {(o["descriptor"]["id"], o["configuration"]["level"]) for o in overrides} == {("TC401", "error"), ("TC301", "note")}


def test_a_per_case_severity_gives_the_result_its_own_score(tmp_path: Path, sarif_schema: dict) -> None:
    """Code scanning ranks by the rule's score only; each result carries its level (which
    GitHub shows) and, where its case differs from the rule's severity, its own score."""
    document = sarif(".", cwd=repository(tmp_path, THREE_REFS), schema=sarif_schema)
    tag, branch, documented = by_rule(document)["TC401"]
    assert (tag["level"], branch["level"], documented["level"]) == ("warning", "error", "note")
    assert "properties" not in tag
    rule_score = float(rule_entry(document, "TC401")["properties"]["security-severity"])
    assert float(branch["properties"]["security-severity"]) >= 7.0 > rule_score
    assert float(documented["properties"]["security-severity"]) < 4.0 <= rule_score


def test_tool_and_hygiene_rules_are_not_security_queries(tmp_path: Path, sarif_schema: dict) -> None:
    document = sarif(".", cwd=repository(tmp_path, "on: push\njobs: [oops\n"), schema=sarif_schema)
    assert [r["ruleId"] for r in results(document)] == ["TC001"]
    for rule_id in ("TC001", "TC002", "TC003"):
        properties = rule_entry(document, rule_id)["properties"]
        assert "security" not in properties["tags"] and "security-severity" not in properties
    assert "security" in rule_entry(document, "TC101")["properties"]["tags"]


# 4. Paths and columns


def test_uris_are_relative_to_the_git_top_level(tmp_path: Path, sarif_schema: dict) -> None:
    """A project in a subfolder of a git repository: code scanning resolves URIs against the
    checkout, so the subfolder is part of the URI, wherever trustycheck runs from."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project = repository(tmp_path / "packages" / "core", TOKEN_PUBLISH)
    for cwd, argument in ((Path("/"), str(project)), (project, "."), (project / ".github", "workflows/release.yml")):
        document = sarif(argument, cwd=cwd, schema=sarif_schema)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(document)}
        assert uris == {"packages/core/.github/workflows/release.yml"}, (cwd, argument)


def test_a_file_outside_the_working_directory_never_gets_dot_dot(tmp_path: Path, sarif_schema: dict) -> None:
    (tmp_path / "elsewhere").mkdir()
    lone = tmp_path / "elsewhere" / "release.yml"
    lone.write_text(TOKEN_PUBLISH)
    (tmp_path / "here").mkdir()
    document = sarif(str(lone), cwd=tmp_path / "here", schema=sarif_schema)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(document)}
    assert uris == {"release.yml"}


def test_uris_percent_encode_what_a_uri_cannot_hold(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path, TOKEN_PUBLISH, name="release #2? 100%.yml")
    document = sarif(".", cwd=repo, schema=sarif_schema)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(document)}
    assert uris == {".github/workflows/release%20%232%3F%20100%25.yml"}


def test_columns_count_utf16_code_units(tmp_path: Path, sarif_schema: dict) -> None:
    """An emoji before the flagged text is one code point but two UTF-16 code units."""
    workflow = TOKEN_PUBLISH.replace(
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n",
        '      - {name: "\U0001f40d upload", uses: pypa/gh-action-pypi-publish@release/v1, '
        'with: {password: "${{ secrets.PYPI_API_TOKEN }}"}}\n')
    document = sarif(".", cwd=repository(tmp_path, workflow), schema=sarif_schema)
    [tc401] = by_rule(document)["TC401"]
    region = tc401["locations"][0]["physicalLocation"]["region"]
    line = region["snippet"]["text"]
    flagged = "pypa/gh-action-pypi-publish@release/v1"
    assert line.index(flagged) + 1 == 34  # in code points
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (8, 35, 35 + len(flagged))
    assert line.encode("utf-16-le")[(region["startColumn"] - 1) * 2:].decode("utf-16-le").startswith(flagged)


# 5. Invocations


def test_every_run_has_an_invocation(tmp_path: Path, sarif_schema: dict) -> None:
    clean = TOKEN_PUBLISH.replace("@release/v1", "@76f52bc884231f62b9a034ebfe128415bbaabdfc")
    document = sarif("--select", "TC102", ".", cwd=repository(tmp_path, clean), schema=sarif_schema)
    assert document["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert results(document) == []


def test_files_that_could_not_be_read_are_tool_notifications_even_without_tc001(tmp_path: Path, sarif_schema: dict) -> None:
    repo = repository(tmp_path, TOKEN_PUBLISH)
    repository(tmp_path, "on: push\njobs:\n\tbuild: {}\n", name="broken.yml")
    (repo / ".github" / "workflows" / "latin1.yml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    document = sarif("--ignore", "TC001", ".", cwd=repo, schema=sarif_schema)
    [invocation] = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    located = [(n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                n["locations"][0]["physicalLocation"]["region"]["startLine"], n["associatedRule"]["id"]) for n in notes]
    assert located == [("error", ".github/workflows/broken.yml", 3, "TC001"), ("error", ".github/workflows/latin1.yml", 1, "TC001")]
    assert "tab" in notes[0]["message"]["text"] and "UTF-8" in notes[1]["message"]["text"]
    assert "TC001" not in {r["ruleId"] for r in results(document)}

    reported = by_rule(sarif(".", cwd=repo, schema=sarif_schema))["TC001"]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "partialFingerprints" in r) for r in reported] == [
        (".github/workflows/broken.yml", True), (".github/workflows/latin1.yml", False)]  # its text was never read
