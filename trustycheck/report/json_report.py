"""Machine output: a stable, versioned JSON document (schema: trustycheck/schemas/output.schema.json)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from trustycheck import __version__
from trustycheck.report.encoding import json_text

if TYPE_CHECKING:  # for annotations only
    from trustycheck.pipeline import FileReport

FORMAT_VERSION = 1


def render_json(reports: list["FileReport"]) -> str:
    findings = []
    for report in reports:
        for finding in report.findings:
            pos = finding.pos
            findings.append(
                {
                    "rule": finding.rule_id,
                    "slug": finding.slug,
                    "severity": finding.severity,
                    "message": finding.message,
                    "path": finding.path,
                    "line": pos.line,
                    "column": pos.col,
                    "end_line": pos.end_line,
                    "end_column": pos.end_col,
                    "hint": finding.hint,
                }
            )
    counts = Counter(f["severity"] for f in findings)
    truncated = [{"path": report.path, "left_out": report.left_out} for report in reports if report.left_out]
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "tool": {"name": "trustycheck", "version": __version__},
        "files": [report.path for report in reports],
        "findings": findings,
        "summary": {
            "files": len(reports),
            "findings": len(findings),
            "error": counts["error"],
            "warning": counts["warning"],
            "note": counts["note"],
        },
    }
    if truncated:
        document["truncated"] = truncated
        document["summary"]["left_out"] = sum(report.left_out for report in reports)
    return json_text(document)
