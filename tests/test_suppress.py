"""Inline suppressions: `# trustycheck: ignore[...]` on the line or the line above."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ids_at, lint_text, run_cli

TOKEN_STEP = """\
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          {comment_above}
          password: ${{{{ secrets.PYPI_API_TOKEN }}}}{comment_inline}
"""


def workflow(above: str = "", inline: str = "") -> str:
    return TOKEN_STEP.format(comment_above=above or "repository-url: https://upload.pypi.org/legacy/", comment_inline=inline)


def test_unsuppressed_baseline() -> None:
    assert ids_at(lint_text(workflow(), {"TC101"})) == [("TC101", 12, 11)]


def test_same_line_by_id() -> None:
    assert lint_text(workflow(inline="  # trustycheck: ignore[TC101]"), {"TC101"}) == []


def test_line_above_by_slug_with_a_reason() -> None:
    text = workflow(above="# trustycheck: ignore[token-publish] the mirror index has no OIDC yet")
    assert lint_text(text, {"TC101"}) == []


def test_several_entries_and_only_named_rules() -> None:
    text = workflow(inline="  # trustycheck: ignore[TC401, TC101]")
    assert lint_text(text, {"TC101"}) == []
    other = workflow(inline="  # trustycheck: ignore[TC401]")
    assert ids_at(lint_text(other, {"TC101"})) == [("TC101", 12, 11)]


def test_two_lines_above_does_not_count() -> None:
    text = TOKEN_STEP.replace("      - uses:", "      # trustycheck: ignore[TC101]\n      - uses:").format(
        comment_above="repository-url: https://upload.pypi.org/legacy/", comment_inline="")
    assert ids_at(lint_text(text, {"TC101"})) == [("TC101", 13, 11)]


def test_tc001_is_never_suppressed() -> None:
    text = "on: push  # trustycheck: ignore[TC001]\njobs:\n\tbuild: {}\n"
    found = lint_text(text, {"TC001"})
    assert [f.rule_id for f in found] == ["TC001"]
    text = "# trustycheck: ignore[invalid-workflow]\nsteps: [\n"
    assert [f.rule_id for f in lint_text(text, {"TC001"})] == ["TC001"]


def test_cli_summary_counts_suppressed_and_unused_ones_are_reported_on_request(tmp_path: Path) -> None:
    path = tmp_path / "release.yml"
    path.write_text(workflow(inline="  # trustycheck: ignore[TC101, TC999]"))
    quiet = run_cli("--select", "TC101", "--no-color", str(path))
    assert quiet.returncode == 0
    assert quiet.stdout == "No findings (1 file checked, 1 suppressed).\n"
    loud = run_cli("--select", "TC101,TC003", "--report-unused-ignores", "--no-color", str(path))
    assert loud.returncode == 1
    assert loud.stdout.splitlines()[0] == (
        f"{path}:12:52: warning TC003 [unused-ignore] unused suppression: 'TC999' names no rule ('TC999')"
    )


def test_unused_is_not_judged_for_rules_that_did_not_run(tmp_path: Path) -> None:
    path = tmp_path / "release.yml"
    path.write_text(workflow(inline="  # trustycheck: ignore[TC401]"))
    result = run_cli("--select", "TC101,TC003", "--report-unused-ignores", "--format", "json", str(path))
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["TC101"]


def test_sarif_keeps_suppressed_findings_with_their_justification(tmp_path: Path) -> None:
    path = tmp_path / "release.yml"
    path.write_text(workflow(above="# trustycheck: ignore[TC101] mirror needs it"))
    result = run_cli("--format", "sarif", "--include-suppressed", "--select", "TC101", str(path))
    assert result.returncode == 0
    [finding] = json.loads(result.stdout)["runs"][0]["results"]
    assert finding["ruleId"] == "TC101"
    assert finding["suppressions"] == [{"kind": "inSource", "justification": "mirror needs it"}]


def test_the_directive_is_read_in_any_case() -> None:
    assert lint_text(workflow(inline="  # TrustyCheck: IGNORE[tc101]"), {"TC101"}) == []


# The suppression stage judges names against the catalog in effect: an organisation's own rules
# (from rules-dirs) and rules deselected by --select/--ignore are names it knows.

ORG_RULE = (Path(__file__).resolve().parent.parent / "rules" / "TC301-publish-without-environment.yml").read_text().replace(
    "id: TC301", "id: ORG001").replace("slug: publish-without-environment", "slug: org-environment")
"""An organisation's rule: a publishing job with no environment (a copy of TC301)."""

NO_ENVIRONMENT = """\
on:
  push:
    tags: ["v*"]
jobs:
  publish:{comment}
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
"""A Trusted Publishing upload from a job with no environment: TC301 and ORG001 at 5:3."""


def org_repo(tmp_path: Path, comment: str, environment: bool = False, config: str = "") -> Path:
    text = NO_ENVIRONMENT.format(comment=comment)
    if environment:
        text = text.replace("    runs-on:", "    environment: pypi\n    runs-on:")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "release.yml").write_text(text)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "ORG001.yml").write_text(ORG_RULE)
    (tmp_path / ".trustycheck.toml").write_text('rules-dirs = ["policies"]\n' + config)
    return tmp_path


def findings_of(repo: Path, *args: str) -> list[tuple[str, int, int, str, str]]:
    result = run_cli("--report-unused-ignores", "--format", "json", *args, ".", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return [(f["rule"], f["line"], f["column"], f["severity"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_an_ignore_naming_an_organisation_rule_that_fires_is_used(tmp_path: Path) -> None:
    repo = org_repo(tmp_path, "  # trustycheck: ignore[ORG001] the org's own check is handled elsewhere")
    assert findings_of(repo, "--select", "ORG001,TC003") == []
    by_slug = org_repo(tmp_path / "slug", "  # trustycheck: ignore[org-environment, TC301]")
    assert findings_of(by_slug, "--select", "ORG001,TC301,TC003") == []


def test_an_ignore_naming_an_organisation_rule_that_does_not_fire_is_unused(tmp_path: Path) -> None:
    repo = org_repo(tmp_path, "  # trustycheck: ignore[ORG001]", environment=True)
    assert findings_of(repo, "--select", "ORG001,TC003") == [
        ("TC003", 5, 13, "warning", "unused suppression: 'ORG001' suppresses nothing: no ORG001 finding on this line or the next"),
    ]


def test_an_ignore_naming_no_rule_of_the_catalog_in_effect_names_no_rule(tmp_path: Path) -> None:
    repo = org_repo(tmp_path, "  # trustycheck: ignore[ORG002, ORG001]")
    assert findings_of(repo, "--select", "ORG001,TC003") == [
        ("TC003", 5, 13, "warning", "unused suppression: 'ORG002' names no rule ('ORG002')"),
    ]


def test_an_ignore_naming_a_deselected_organisation_rule_is_not_judged(tmp_path: Path) -> None:
    repo = org_repo(tmp_path, "  # trustycheck: ignore[ORG001, TC301]")
    assert findings_of(repo, "--select", "TC301,TC003") == []
    assert [f for f in findings_of(repo, "--ignore", "ORG001") if f[0] == "TC003"] == []
    assert findings_of(repo, "--select", "TC101,TC003") == []


def test_unused_ignores_take_the_configured_severity_and_per_path_ignores(tmp_path: Path) -> None:
    repo = org_repo(tmp_path, "  # trustycheck: ignore[TC101]", config='severity = {TC003 = "error"}\n')
    assert findings_of(repo, "--select", "TC101,TC003") == [
        ("TC003", 5, 13, "error", "unused suppression: 'TC101' suppresses nothing: no TC101 finding on this line or the next"),
    ]
    repo = org_repo(tmp_path / "per-path", "  # trustycheck: ignore[TC101]",
                    config='[per-path-ignores]\n".github/workflows/release.yml" = ["TC003"]\n')
    assert findings_of(repo, "--select", "TC101,TC003") == []


def test_the_stage_judges_directives_from_findings_alone() -> None:
    """No rule runs again: the unused entries are judged from the rules that ran and the names known."""
    from trustycheck.loader import load_text
    from trustycheck.pipeline import catalog
    from trustycheck.suppress import apply, unused_ignores

    rules = {rule.id: rule for rule in catalog()}
    doc = load_text("release.yml", workflow(inline="  # trustycheck: ignore[TC101, TC401, TC999, token-publish]"))
    [finding] = [f for f in lint_text(workflow(), {"TC101"})]
    kept, suppressed, unused = apply([finding], doc)
    assert kept == [] and [why.justification for _, why in suppressed] == [
        "suppressed by # trustycheck: ignore[TC101, TC401, TC999, token-publish]"]
    ran = [rules["TC101"], rules["TC003"]]
    stale = unused_ignores(unused, "release.yml", rules["TC003"], ran, catalog())
    assert [(f.rule_id, f.slug, f.severity, f.path, f.pos.line, f.pos.col, f.message) for f in stale] == [
        ("TC003", "unused-ignore", "warning", "release.yml", 12, 52, "unused suppression: 'TC999' names no rule ('TC999')"),
        ("TC003", "unused-ignore", "warning", "release.yml", 12, 52,
         "unused suppression: 'token-publish' suppresses nothing: no token-publish finding on this line or the next"),
    ]
    assert all(f.hint == rules["TC003"].hint for f in stale)
