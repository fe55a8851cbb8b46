"""Output of ``trustycheck status``: an aligned table, JSON or CSV, each ending with a summary."""

from __future__ import annotations

import csv
import io

from trustycheck import __version__
from trustycheck.report.encoding import json_text
from trustycheck.report.ansi import Style, styler
from trustycheck.report.visible import visible, visible_path
from trustycheck.verdict import VERDICTS, Verdict, summarise

STATUS_FORMAT_VERSION = 1
_COLOURS = {"trusted": "green", "token": "red", "mixed": "yellow", "none": "bright_black", "unknown": "magenta"}


def render_status_text(verdicts: list[Verdict], *, color: bool, evidence: bool = True) -> str:
    style = styler(color)

    width = max([len("REPOSITORY")] + [len(visible_path(v.repository)) for v in verdicts])
    verdict_width = max(len(name) for name in VERDICTS)
    out = [style(f"{'REPOSITORY':<{width}}  {'VERDICT':<{verdict_width}}  REASON", bold=True)]
    for verdict in verdicts:
        label = style(f"{verdict.verdict:<{verdict_width}}", fg=_COLOURS[verdict.verdict], bold=True)
        out.append(f"{visible_path(verdict.repository):<{width}}  {label}  {visible(verdict.reason)}")
        if evidence:
            for item in verdict.evidence:
                where = style(visible(item.location()), bold=True)
                job = f" job '{item.job}'" if item.job else ""
                chain = f" (via {item.chain})" if item.chain else ""
                out.append(f"{'':<{width}}    {where} {visible(f'{item.what}{job}: {item.credential}{chain}')}")
    out.append("")
    out.append(_summary_line(verdicts, style))
    return "\n".join(out) + "\n"


def _summary_line(verdicts: list[Verdict], style: Style) -> str:
    total = len(verdicts)
    parts = [
        style(f"{name} {figures['count']} ({figures['percent']:.1f}%)", fg=_COLOURS[name])
        for name, figures in summarise(verdicts).items()
        if figures["count"]
    ]
    noun = "repository" if total == 1 else "repositories"
    return style(f"{total} {noun}:", bold=True) + (" " + ", ".join(parts) if parts else "")


def render_status_json(verdicts: list[Verdict]) -> str:
    document = {
        "version": STATUS_FORMAT_VERSION,
        "tool": {"name": "trustycheck", "version": __version__},
        "repositories": [v.to_dict() for v in verdicts],
        "summary": {"repositories": len(verdicts), **summarise(verdicts)},
    }
    return json_text(document)


def render_status_csv(verdicts: list[Verdict]) -> str:
    """One row per repository; evidence as ``path:line:col what: credential`` joined by `` | ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["repository", "verdict", "reason", "evidence"])
    for verdict in verdicts:
        evidence = " | ".join(f"{e.location()} {e.what}: {e.credential}" for e in verdict.evidence)
        writer.writerow([visible_path(verdict.repository), verdict.verdict, visible(verdict.reason), visible(evidence)])
    return buffer.getvalue()
