"""Output of ``trustycheck status``, written as verdicts arrive: an aligned table, JSON or CSV
(this module), JSON Lines and long-form CSV (``status_long``), Markdown (``status_markdown``)
and HTML (``status_html``). Each format carries the summary of :class:`Tally`; CSV and JSON
Lines, which are tables read by programs, give it on stderr instead (a summary row would be
read as one more repository by a spreadsheet, and break concatenating shards)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trustycheck import __version__
from trustycheck.report.ansi import styler
from trustycheck.report.encoding import json_text
from trustycheck.report.status_tally import COLOURS, Tally
from trustycheck.report.visible import visible, visible_path
from trustycheck.status_packages import Listing
from trustycheck.verdict import VERDICTS, Verdict

STATUS_FORMAT_VERSION = 1
Emit = Callable[[str], None]


@dataclass
class StatusRow:
    """One repository's verdict, with what the package map says about it (None: not listed)."""

    verdict: Verdict
    listing: Listing | None = None


class StatusWriter:
    """Writes one format through ``emit`` as rows arrive; ``finish`` ends the document."""

    summary_on_stderr = False
    is_json = False

    def __init__(self, emit: Emit, mapped: bool = False) -> None:
        self.emit = emit
        self.mapped = mapped

    def start(self) -> None:
        """Write what comes before the first row."""

    def row(self, row: StatusRow) -> None:
        raise NotImplementedError

    def finish(self, tally: Tally) -> None:
        """Write what comes after the last row."""


class TextWriter(StatusWriter):
    """The aligned table; ``width`` is the widest repository path (known from the list of roots)."""

    def __init__(self, emit: Emit, mapped: bool = False, *, width: int, color: bool, evidence: bool = True) -> None:
        super().__init__(emit, mapped)
        self.width = max(len("REPOSITORY"), width)
        self.verdict_width = max(len(name) for name in VERDICTS)
        self.style = styler(color)
        self.evidence = evidence

    def start(self) -> None:
        self.emit(self.style(f"{'REPOSITORY':<{self.width}}  {'VERDICT':<{self.verdict_width}}  REASON", bold=True) + "\n")

    def row(self, row: StatusRow) -> None:
        verdict, style, width = row.verdict, self.style, self.width
        label = style(f"{verdict.verdict:<{self.verdict_width}}", fg=COLOURS[verdict.verdict], bold=True)
        out = [f"{visible_path(verdict.repository):<{width}}  {label}  {visible(verdict.reason)}"]
        if self.evidence:
            if row.listing is not None:
                out.append(f"{'':<{width}}    {visible(listing_words(row.listing))}")
            for item in verdict.evidence:
                where = style(visible(item.location()), bold=True)
                job = f" job '{item.job}'" if item.job else ""
                chain = f" (via {item.chain})" if item.chain else ""
                out.append(f"{'':<{width}}    {where} {visible(f'{item.what}{job}: {item.credential}{chain}')}")
        self.emit("\n".join(out) + "\n")

    def finish(self, tally: Tally) -> None:
        self.emit("\n" + "\n".join(tally.lines(self.style)) + "\n")


def text_width(roots: list[str]) -> int:
    """The width of the repository column for these roots."""
    return max((len(visible_path(root)) for root in roots), default=0)


def listing_words(listing: Listing) -> str:
    """``PyPI: flask, werkzeug (rank 1, 12,345 downloads)``."""
    extra = [f"rank {listing.rank}"] if listing.rank is not None else []
    extra += [f"{listing.downloads:,} downloads"] if listing.downloads is not None else []
    return f"PyPI: {', '.join(listing.packages)}" + (f" ({', '.join(extra)})" if extra else "")


def verdict_dict(row: StatusRow, mapped: bool) -> dict[str, Any]:
    """A repository as a JSON object; with a package map, also its packages, rank and downloads."""
    document = row.verdict.to_dict()
    if mapped:
        listing = row.listing
        document["packages"] = list(listing.packages) if listing else []
        document["rank"] = listing.rank if listing else None
        document["downloads"] = listing.downloads if listing else None
    return document


class JsonWriter(StatusWriter):
    """One JSON document, written piece by piece: the same text ``json_text`` would give for the
    whole document, without holding it."""

    is_json = True

    def start(self) -> None:
        head = json_text({"version": STATUS_FORMAT_VERSION, "tool": {"name": "trustycheck", "version": __version__}})
        self.emit(head.rstrip()[:-1].rstrip() + ',\n  "repositories": [')
        self.first = True

    def row(self, row: StatusRow) -> None:
        item = json_text(verdict_dict(row, self.mapped)).rstrip("\n").replace("\n", "\n    ")
        self.emit(("\n    " if self.first else ",\n    ") + item)
        self.first = False

    def finish(self, tally: Tally) -> None:
        summary = json_text(tally.to_dict()).rstrip("\n").replace("\n", "\n  ")
        self.emit(("]" if self.first else "\n  ]") + f',\n  "summary": {summary}\n}}\n')


class CsvWriter(StatusWriter):
    """One row per repository; evidence as ``path:line:col what: credential`` joined by `` | ``;
    with a package map, its packages (space-separated), rank and downloads last."""

    summary_on_stderr = True

    def start(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        extra = ["packages", "rank", "downloads"] if self.mapped else []
        self._write(["repository", "verdict", "reason", "evidence", *extra])

    def row(self, row: StatusRow) -> None:
        verdict = row.verdict
        evidence = " | ".join(f"{e.location()} {e.what}: {e.credential}" for e in verdict.evidence)
        cells = [visible_path(verdict.repository), verdict.verdict, visible(verdict.reason), visible(evidence)]
        if self.mapped:
            listing = row.listing
            cells += [visible(" ".join(listing.packages)), _number(listing.rank), _number(listing.downloads)] if listing else ["", "", ""]
        self._write(cells)

    def _write(self, cells: list[str]) -> None:
        self.writer.writerow([spreadsheet_cell(cell) for cell in cells])
        self.emit(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula (``=``, ``+``,
    ``-``, ``@``: a repository named ``=HYPERLINK(...)``) gets a leading ``'``, which Excel and
    LibreOffice read as "text" (OWASP's advice on CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def summary_for_stderr(tally: Tally) -> str:
    return "\n".join(tally.lines(styler(False))) + "\n"


def json_line(document: dict[str, Any]) -> str:
    """One JSON Lines record: compact and ASCII (every other character as a JSON escape, so no
    character from a file acts on a terminal or log, and the data reads back exactly)."""
    return json.dumps(document, separators=(",", ":")) + "\n"
