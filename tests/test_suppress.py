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
        f"{path}:12:52: TC003 [unused-ignore] unused suppression: 'TC999' names no rule ('TC999')"
    )


def test_unused_is_not_judged_for_rules_that_did_not_run(tmp_path: Path) -> None:
    path = tmp_path / "release.yml"
    path.write_text(workflow(inline="  # trustycheck: ignore[TC401]"))
    result = run_cli("--select", "TC101,TC003", "--report-unused-ignores", "--format", "json", str(path))
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["TC101"]


def test_sarif_keeps_suppressed_findings_with_their_justification(tmp_path: Path) -> None:
    path = tmp_path / "release.yml"
    path.write_text(workflow(above="# trustycheck: ignore[TC101] mirror needs it"))
    result = run_cli("--format", "sarif", "--select", "TC101", str(path))
    assert result.returncode == 0
    [finding] = json.loads(result.stdout)["runs"][0]["results"]
    assert finding["ruleId"] == "TC101"
    assert finding["suppressions"] == [{"kind": "inSource", "justification": "mirror needs it"}]


def test_the_directive_is_read_in_any_case() -> None:
    assert lint_text(workflow(inline="  # TrustyCheck: IGNORE[tc101]"), {"TC101"}) == []
