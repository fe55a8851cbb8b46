"""The job summary (trustycheck/report/summary.py) and GitHub's annotation limit (github.py):
what the Action writes to $GITHUB_STEP_SUMMARY when annotations cannot show everything."""

from __future__ import annotations

import json

from conftest import TOKEN_PUBLISH, run_cli, write_tree
from trustycheck.report.github import ANNOTATIONS_PER_KIND, annotation, dropped_annotations
from trustycheck.report.summary import SummaryRow, markdown_cell, render_summary, rows_from_json


def _row(message: str = "uses a token", severity: str = "warning", path: str = ".github/workflows/release.yml",
         hint: str = "Use Trusted Publishing.") -> SummaryRow:
    return SummaryRow(severity, "TC101", "token-publish", path, 10, 11, message, hint)


def test_summary_lists_every_finding_and_the_dropped_annotations() -> None:
    rows = [_row(), _row(severity="error", message="second")]
    assert render_summary(rows, 3, {"warning": 2, "error": 1}) == (
        "## trustycheck\n"
        "\n"
        "2 findings in 3 files: 1 error, 1 warning.\n"
        "\n"
        "GitHub shows at most 10 annotations of each kind per step, so 1 error, 2 warnings were not annotated: "
        "every finding is listed below.\n"
        "\n"
        "| Severity | Rule | Location | Finding | How to fix |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| warning | TC101 token-publish | .github/workflows/release.yml:10:11 | uses a token | Use Trusted Publishing. |\n"
        "| error | TC101 token-publish | .github/workflows/release.yml:10:11 | second | Use Trusted Publishing. |\n"
    )


def test_text_from_files_cannot_break_the_table_or_inject_markup() -> None:
    hostile = "a|b `code` <img src=x onerror=alert(1)> [click](https://evil.example) **bold** ~~s~~ $x$ :+1: @team \\|"
    cell = markdown_cell(hostile)
    for raw in "|`<>[]*~$@\\":
        assert raw not in cell, raw
    assert cell == ("a&#124;b &#96;code&#96; &#60;img src=x onerror=alert(1)&#62; &#91;click&#93;(https&#58;//evil.example) "
                    "&#42;&#42;bold&#42;&#42; &#126;&#126;s&#126;&#126; &#36;x&#36; &#58;+1&#58; &#64;team &#92;&#124;")
    # a line break or an escape sequence in a file shows as an escape: the row stays one line
    assert markdown_cell("one\ntwo\x1b[2J") == "one&#92;ntwo&#92;x1b&#91;2J"
    [table_row] = [line for line in render_summary([_row(hostile, path="x|y.yml")], 1, {}).splitlines()
                   if line.startswith("| warning")]
    assert table_row.count("|") == 6


def test_summary_stays_under_githubs_size_limit() -> None:
    rows = [_row("x" * 500) for _ in range(50)]
    text = render_summary(rows, 1, {}, budget=5_000)
    assert len(text.encode()) <= 5_000
    shown = text.count("\n| warning |")
    assert 0 < shown < 50
    assert text.endswith(f"\n{50 - shown} more findings not listed: a step summary is limited to 1 MiB; "
                         "the step's log and the SARIF report have them all.\n")


def test_findings_trustycheck_left_out_are_counted() -> None:
    text = render_summary([_row()], 1, {}, left_out=5)
    assert text.startswith("## trustycheck\n\n6 findings in 1 file: 1 warning.\n")
    assert text.endswith("\n5 findings left out by trustycheck itself (it lists at most 1,000 per file).\n")


def test_rows_come_from_the_json_report(tmp_path) -> None:
    write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH})
    result = run_cli("--format", "json", "--select", "TC101", cwd=tmp_path)
    [row] = rows_from_json(json.loads(result.stdout))
    assert (row.severity, row.rule, row.slug, row.path, row.line, row.column) == \
        ("error", "TC101", "token-publish", ".github/workflows/release.yml", 10, 11)


def test_github_drops_annotations_past_ten_of_a_kind() -> None:
    assert ANNOTATIONS_PER_KIND == 10
    assert dropped_annotations(["warning"] * 12 + ["error"] * 10 + ["note"] * 11) == {"warning": 2, "notice": 1}
    assert dropped_annotations(["error"] * 3) == {}


def test_an_annotation_escapes_what_a_file_put_in_it() -> None:
    line = annotation("note", "a,b:c.yml", 1, 2, 1, 5, "TC1 x", "50% done\n::add-mask::x", "hint\r")
    assert line == ("::notice file=a%2Cb%3Ac.yml,line=1,col=2,endLine=1,endColumn=5,title=TC1 x::"
                    "50%25 done\\n::add-mask::x%0Ahint\\r")
