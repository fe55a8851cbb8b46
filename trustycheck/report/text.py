"""Human output in the style of modern linters: location, severity, rule, message, excerpt,
caret, hint (``text``); one line per finding (``concise``); counts per rule (statistics). The
severity is written as a word, so the output reads the same without colour."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from trustycheck.report.ansi import Style, styler
from trustycheck.report.excerpt import Excerpts
from trustycheck.report.visible import visible, visible_path

if TYPE_CHECKING:  # for annotations only
    from trustycheck.findings import Finding
    from trustycheck.pipeline import FileReport

_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "note": "cyan"}


def render_text(reports: list["FileReport"], *, color: bool, show_source: bool = True, quiet: bool = False,
                baselined: int = 0) -> str:
    """Each finding with its excerpt and hint, then (unless ``quiet``) the summary line."""
    style = styler(color)

    out: list[str] = []
    for report in reports:
        excerpts = Excerpts(report.doc.lines, report.redactions)
        for finding in report.findings:
            colour = _SEVERITY_COLOURS[finding.severity]
            pos = finding.pos
            out.append(f"{_head(finding, style)} [{visible(finding.slug)}] {visible(finding.message)}")
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
    if quiet:
        return "".join(line + "\n" for line in out[:-1]) if out else ""
    out.append(summary(reports, style, baselined))
    return "\n".join(out) + "\n"


def render_concise(reports: list["FileReport"], *, color: bool, quiet: bool = False, baselined: int = 0) -> str:
    """One line per finding (``path:line:col: severity TCxxx message``), then the summary line."""
    style = styler(color)
    out: list[str] = []
    for report in reports:
        out.extend(f"{_head(finding, style)} {visible(finding.message)}" for finding in report.findings)
        if report.left_out:
            out.append(f"{visible_path(report.path)}: {left_out_note(report.left_out)}")
    if not quiet:
        out.append(summary(reports, style, baselined))
    return "".join(line + "\n" for line in out)


def _head(finding: "Finding", style: Style) -> str:
    """``path:line:col: severity TCxxx``, the start of a finding's line in both formats."""
    colour = _SEVERITY_COLOURS[finding.severity]
    pos = finding.pos
    location = style(f"{visible_path(finding.path)}:{pos.line}:{pos.col}:", bold=True)
    return f"{location} {style(finding.severity, fg=colour, bold=True)} {style(finding.rule_id, bold=True)}"


def rule_counts(reports: list["FileReport"]) -> list[tuple[str, str, int]]:
    """(rule id, slug, findings) for each rule that found something, the most findings first."""
    counts = Counter((f.rule_id, f.slug) for report in reports for f in report.findings)
    return [(rule, slug, count) for (rule, slug), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(reports: list["FileReport"], *, color: bool, quiet: bool = False, baselined: int = 0) -> str:
    """A count of findings per rule, as ``ruff --statistics`` gives: count, id, slug."""
    rows = rule_counts(reports)
    count_width = max((len(str(count)) for _, _, count in rows), default=1)
    id_width = max((len(rule) for rule, _, _ in rows), default=1)
    out = [f"{count:>{count_width}}  {rule:<{id_width}}  {visible(slug)}" for rule, slug, count in rows]
    if not quiet:
        out.append(summary(reports, styler(color), baselined))
    return "".join(line + "\n" for line in out)


def left_out_note(count: int) -> str:
    """Words for the findings of a file that were not listed (the same in every format)."""
    from trustycheck.pipeline import MAX_FINDINGS_PER_FILE

    return (f"{count:,} more finding{'s' if count != 1 else ''} not listed "
            f"(trustycheck lists at most {MAX_FINDINGS_PER_FILE:,} per file, the most severe first)")


def summary(reports: list["FileReport"], style: Style, baselined: int = 0) -> str:
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
    if baselined:
        checked += f", {baselined} in the baseline"
    if total == 0:
        return style("No findings", fg="green", bold=True) + f" ({checked})."
    with_findings = sum(1 for report in reports if report.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if counts[s]]
    head = f"Found {total} finding{'s' if total != 1 else ''}"
    return style(head, bold=True) + f" ({', '.join(parts)}) in {with_findings} of {checked}."
