"""Long-form ``status`` output: one row per upload path (a piece of evidence), for spreadsheets
and dashboards: ``--format jsonl`` and ``--format csv --long``.

A repository with no upload path still gets one row (its path fields empty), so counting
repositories by verdict over the rows gives the same numbers as the wide formats.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from trustycheck.report.status import StatusRow, StatusWriter, json_line, spreadsheet_cell
from trustycheck.report.visible import visible, visible_path

LONG_COLUMNS = ("repository", "packages", "downloads", "verdict", "reason", "path", "line", "column", "tool", "kind",
                "credential", "source", "job", "environment", "chain", "needs")
"""The repository's verdict and reason repeat on each of its rows. ``kind`` is oidc, token, token-then-oidc or unsure; ``source`` is where a long-lived
credential comes from (``secrets.PYPI_TOKEN``); ``credential`` says it in words."""


def long_rows(row: StatusRow) -> list[dict[str, Any]]:
    verdict, listing = row.verdict, row.listing
    common: dict[str, Any] = {
        "repository": verdict.repository,
        "packages": list(listing.packages) if listing else [],
        "downloads": listing.downloads if listing else None,
        "verdict": str(verdict.verdict),
        "reason": verdict.reason,
    }
    empty = dict.fromkeys(LONG_COLUMNS[5:])
    if not verdict.evidence:
        return [{**common, **empty}]
    return [
        {**common, "path": e.path, "line": e.line, "column": e.column, "tool": e.what, "kind": str(e.kind), "credential": e.credential,
         "source": e.source, "job": e.job, "environment": e.environment, "chain": e.chain, "needs": e.needs}
        for e in verdict.evidence
    ]


class JsonLinesWriter(StatusWriter):
    """One JSON object per line: shards' outputs concatenate into one valid file."""

    summary_on_stderr = True

    def row(self, row: StatusRow) -> None:
        self.emit("".join(json_line(record) for record in long_rows(row)))


class LongCsvWriter(StatusWriter):
    """The JSON Lines records as CSV (packages space-separated, empty for none)."""

    summary_on_stderr = True

    def start(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.writer.writerow(LONG_COLUMNS)
        self._flush()

    def row(self, row: StatusRow) -> None:
        for record in long_rows(row):
            cells = [_cell(record[column]) for column in LONG_COLUMNS]
            cells[0] = visible_path(record["repository"])
            self.writer.writerow([spreadsheet_cell(cell) for cell in cells])
        self._flush()

    def _flush(self) -> None:
        self.emit(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return visible(" ".join(value))
    return visible(str(value))
