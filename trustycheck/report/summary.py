"""The job summary: every finding as a Markdown table on the run's summary page.

GitHub shows at most 10 annotations of each kind per step, so past a handful of findings the
annotations alone hide most of them; the summary lists them all. It is read from the JSON
report (the Action runs the CLI once for it), so the Action needs nothing else of the model.

Every cell holds text from a file a stranger may have written: it is escaped so that no ``|``
ends the cell, no backtick opens code, no ``<`` opens HTML and no ``[`` opens a link; GitHub
refuses a step summary over 1 MiB, so the table stops short of that and says what it left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trustycheck.report.visible import visible

SUMMARY_BUDGET = 1_000_000
"""Bytes the summary may take: GitHub refuses (and drops) a step summary over 1 MiB."""

_SEVERITY_WORDS = {"error": "error", "warning": "warning", "note": "note"}

_MARKDOWN_ENTITIES = {char: f"&#{ord(char)};" for char in "\\`*_[]<>|~&:@$"}
"""Characters that may end a cell or start Markdown or HTML inside one (emphasis, code, links,
tags, strike-through, entities, emoji, mentions, math), written as character references: GitHub's
Markdown shows them as the characters and reads no markup in them."""


@dataclass(frozen=True)
class SummaryRow:
    severity: str
    rule: str
    slug: str
    path: str
    line: int
    column: int
    message: str
    hint: str


def rows_from_json(document: Mapping[str, Any]) -> list[SummaryRow]:
    """The findings of a JSON report (format version 1), in the report's order."""
    return [SummaryRow(str(f["severity"]), str(f["rule"]), str(f["slug"]), str(f["path"]), int(f["line"]),
                       int(f["column"]), str(f["message"]), str(f["hint"]))
            for f in document.get("findings", [])]


def markdown_cell(text: str) -> str:
    """``text`` as plain text in one table cell: control characters shown as escapes, and every
    character that could end the cell or start markup written as a character reference."""
    return "".join(_MARKDOWN_ENTITIES.get(char, char) for char in visible(text))


def render_summary(rows: list[SummaryRow], files: int, dropped: Mapping[str, int], left_out: int = 0,
                   budget: int = SUMMARY_BUDGET) -> str:
    """The summary in Markdown: counts, the annotations GitHub dropped, and one row per finding
    (as many as fit in ``budget`` bytes of UTF-8)."""
    counts = {severity: sum(row.severity == severity for row in rows) for severity in _SEVERITY_WORDS}
    total = len(rows) + left_out
    parts = ", ".join(f"{count} {word}{'s' if count != 1 else ''}"
                      for severity, word in _SEVERITY_WORDS.items() if (count := counts[severity]))
    head = [
        "## trustycheck",
        "",
        f"{total} finding{'s' if total != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        + (f": {parts}." if parts else "."),
    ]
    if dropped:
        lost = ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in sorted(dropped.items()))
        head += ["", f"GitHub shows at most 10 annotations of each kind per step, so {lost} "
                     f"{'were' if sum(dropped.values()) != 1 else 'was'} not annotated: every finding is listed below."]
    head += ["", "| Severity | Rule | Location | Finding | How to fix |", "| --- | --- | --- | --- | --- |"]
    lines = [line + "\n" for line in head]
    size = sum(len(line.encode()) for line in lines)
    shown = 0
    for row in rows:
        line = (f"| {row.severity} | {markdown_cell(row.rule)} {markdown_cell(row.slug)} | "
                f"{markdown_cell(row.path)}:{row.line}:{row.column} | {markdown_cell(row.message)} | "
                f"{markdown_cell(row.hint)} |\n")
        size += len(line.encode())
        if size > budget - 300:  # room for the closing notes
            break
        lines.append(line)
        shown += 1
    if shown < len(rows):
        more = len(rows) - shown
        lines.append(f"\n{more} more finding{'s' if more != 1 else ''} not listed: a step summary is limited to "
                     "1 MiB; the step's log and the SARIF report have them all.\n")
    if left_out:
        lines.append(f"\n{left_out} finding{'s' if left_out != 1 else ''} left out by trustycheck itself "
                     "(it lists at most 1,000 per file).\n")
    return "".join(lines)
