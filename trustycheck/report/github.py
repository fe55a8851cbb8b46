"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

The format is ``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message``. Data
escapes ``%``, CR and LF; property values also escape ``:`` and ``,``, or the runner would cut
the property short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustycheck.report.text import left_out_note
from trustycheck.report.visible import visible

if TYPE_CHECKING:  # for annotations only
    from trustycheck.pipeline import FileReport

_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}

ANNOTATIONS_PER_KIND = 10
"""Annotations of one kind (error, warning, notice) GitHub shows for a step; it drops the rest
without a word (the log keeps them). The Action lists every finding in the job summary."""


def escape_data(text: str) -> str:
    """GitHub's escapes for a command's data. Text from a file has already passed through
    :func:`visible`, so the only line breaks left here are trustycheck's own."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(severity: str, path: str, line: int, col: int, end_line: int, end_col: int, title: str,
               message: str, hint: str) -> str:
    """One workflow command for a finding. Every value may come from a file, so each passes
    through :func:`visible` before GitHub's escapes."""
    properties = ",".join(
        f"{name}={escape_property(visible(str(value)))}"
        for name, value in (("file", path), ("line", line), ("col", col), ("endLine", end_line),
                            ("endColumn", end_col), ("title", title))
    )
    data = escape_data(f"{visible(message)}\n{visible(hint)}")
    return f"::{_COMMANDS[severity]} {properties}::{data}"


def left_out_annotation(path: str, left_out: int) -> str:
    return f"::notice file={escape_property(visible(path))},title=trustycheck::{escape_data(left_out_note(left_out))}"


def dropped_annotations(severities: list[str]) -> dict[str, int]:
    """How many annotations of each kind GitHub will not show, for findings of ``severities``
    (kinds named as GitHub names them: error, warning, notice)."""
    counts: dict[str, int] = {}
    for severity in severities:
        kind = _COMMANDS[severity]
        counts[kind] = counts.get(kind, 0) + 1
    return {kind: count - ANNOTATIONS_PER_KIND for kind, count in counts.items() if count > ANNOTATIONS_PER_KIND}


def render_github(reports: list["FileReport"]) -> str:
    lines = []
    for report in reports:
        for finding in report.findings:
            pos = finding.pos
            lines.append(annotation(finding.severity, finding.path, pos.line, pos.col, pos.end_line, pos.end_col,
                                    f"{finding.rule_id} {finding.slug}", finding.message, finding.hint))
        if report.left_out:
            lines.append(left_out_annotation(report.path, report.left_out))
    return "".join(line + "\n" for line in lines)
