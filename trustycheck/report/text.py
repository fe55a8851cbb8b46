"""Human output in the style of modern linters: location, rule, message, excerpt, caret, hint."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from trustycheck.report.ansi import Style, styler
from trustycheck.report.excerpt import Excerpts
from trustycheck.report.visible import visible, visible_path

if TYPE_CHECKING:  # for annotations only
    from trustycheck.pipeline import FileReport

_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "note": "cyan"}


def render_text(reports: list["FileReport"], *, color: bool, show_source: bool = True) -> str:
    style = styler(color)

    out: list[str] = []
    for report in reports:
        excerpts = Excerpts(report.doc.lines, report.redactions)
        for finding in report.findings:
            colour = _SEVERITY_COLOURS[finding.severity]
            pos = finding.pos
            location = style(f"{visible_path(finding.path)}:{pos.line}:{pos.col}:", bold=True)
            rule = style(finding.rule_id, fg=colour, bold=True)
            out.append(f"{location} {rule} [{visible(finding.slug)}] {visible(finding.message)}")
            shown = excerpts.shown(pos) if show_source else None
            hint = visible(finding.hint)
            if shown is not None:
                gutter = " " * len(str(pos.line))
                out.append(style(f"{gutter} |", fg="blue"))
                out.append(style(f"{pos.line} |", fg="blue") + f" {shown.text}")
                out.append(style(f"{gutter} |", fg="blue") + " " + " " * shown.caret + style("^" * shown.width, fg=colour, bold=True))
                out.append(style(f"{gutter} = ", fg="blue") + style("help:", bold=True) + f" {hint}")
            else:
                out.append(style("  = ", fg="blue") + style("help:", bold=True) + f" {hint}")
            out.append("")
        if report.left_out:
            out.append(f"{visible_path(report.path)}: {left_out_note(report.left_out)}")
            out.append("")
    out.append(summary(reports, style))
    return "\n".join(out) + "\n"


def left_out_note(count: int) -> str:
    """Words for the findings of a file that were not listed (the same in every format)."""
    from trustycheck.pipeline import MAX_FINDINGS_PER_FILE

    return (f"{count:,} more finding{'s' if count != 1 else ''} not listed "
            f"(trustycheck lists at most {MAX_FINDINGS_PER_FILE:,} per file, the most severe first)")


def summary(reports: list["FileReport"], style: Style) -> str:
    counts = Counter(f.severity for report in reports for f in report.findings)
    total = sum(counts.values())
    files = len(reports)
    hidden = sum(len(report.suppressed) for report in reports)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if hidden:
        checked += f", {hidden} suppressed"
    left_out = sum(report.left_out for report in reports)
    if left_out:
        checked += f", {left_out:,} more not listed"
    if total == 0:
        return style("No findings", fg="green", bold=True) + f" ({checked})."
    with_findings = sum(1 for report in reports if report.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if counts[s]]
    head = f"Found {total} finding{'s' if total != 1 else ''}"
    return style(head, bold=True) + f" ({', '.join(parts)}) in {with_findings} of {checked}."
