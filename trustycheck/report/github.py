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


def escape_data(text: str) -> str:
    """GitHub's escapes for a command's data. Text from a file has already passed through
    :func:`visible`, so the only line breaks left here are trustycheck's own."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: list["FileReport"]) -> str:
    lines = []
    for report in reports:
        for finding in report.findings:
            pos = finding.pos
            properties = ",".join(
                f"{name}={escape_property(visible(str(value)))}"
                for name, value in (
                    ("file", finding.path),
                    ("line", pos.line),
                    ("col", pos.col),
                    ("endLine", pos.end_line),
                    ("endColumn", pos.end_col),
                    ("title", f"{finding.rule_id} {finding.slug}"),
                )
            )
            message = f"{visible(finding.message)}\n{visible(finding.hint)}"
            lines.append(f"::{_COMMANDS[finding.severity]} {properties}::{escape_data(message)}")
        if report.left_out:
            where = escape_property(visible(report.path))
            lines.append(f"::notice file={where},title=trustycheck::{escape_data(left_out_note(report.left_out))}")
    return "".join(line + "\n" for line in lines)
