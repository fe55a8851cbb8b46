"""``status --format html``: one self-contained report file for people who do not read JSON.

The share of each verdict (by count and, when a package map gives them, by downloads) as an
inline SVG chart; a sortable table of repositories with verdict, reason, evidence (``file:line``,
linked to GitHub when the repository is known) and, for repositories still on tokens, the
trusted publisher to register. Nothing is loaded from anywhere: the CSS and the sorting script
are inline, and a Content-Security-Policy allows exactly them (by hash) and nothing else.
Every string from a file or an inventory is HTML-escaped after its control characters are
made visible.

Rows are spooled to a temporary file as they arrive (the chart, which needs the totals, comes
first in the page), so memory stays flat however many repositories there are.
"""

from __future__ import annotations

import base64
import hashlib
import html
import tempfile
from collections.abc import Iterable
from urllib.parse import quote

from trustycheck import __version__
from trustycheck.report.status import StatusRow, StatusWriter, listing_words
from trustycheck.report.status_markdown import publisher_words
from trustycheck.report.status_publisher import publishers, repository_slug
from trustycheck.report.status_tally import Tally
from trustycheck.report.visible import visible
from trustycheck.verdict import VERDICTS, Evidence

FILL = {"trusted": "#2e7d32", "token": "#c62828", "mixed": "#f9a825", "none": "#9e9e9e", "unknown": "#6a1b9a"}

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1a1a1a;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.meta{color:#555;margin:0 0 16px}
table{border-collapse:collapse;width:100%}
th{background:#1f3a5f;color:#fff;text-align:left;padding:6px 8px;cursor:pointer;position:sticky;top:0}
td{padding:6px 8px;border-bottom:1px solid #d0d7de;vertical-align:top;word-break:break-word}
tbody tr:nth-child(even){background:#eef2f7}
.v{font-weight:bold;color:#fff;border-radius:4px;padding:1px 6px;white-space:nowrap}
.trusted{background:#2e7d32}.token{background:#c62828}.mixed{background:#f9a825;color:#000}
.none{background:#9e9e9e}.unknown{background:#6a1b9a}
code{font-size:12px}
ul{margin:0;padding-left:16px}
svg text{font:13px system-ui,sans-serif}
""".strip()

SCRIPT = """
document.documentElement.dataset.sortable = "yes";
document.querySelectorAll("th").forEach(function (th, column) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0];
    var up = th.getAttribute("aria-sort") !== "ascending";
    th.closest("tr").querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var key = function (row) { var cell = row.cells[column]; return cell.dataset.sort !== undefined ? Number(cell.dataset.sort) : cell.textContent; };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) { var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1); });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
""".strip()


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; img-src 'none'; "
       "connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'")


def esc(text: str) -> str:
    """Text from a file or an inventory as inert HTML (also inside attribute values)."""
    return html.escape(visible(text), quote=True)


class HtmlWriter(StatusWriter):
    def start(self) -> None:
        self.spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024, mode="w+", encoding="utf-8", errors="surrogateescape")

    def row(self, row: StatusRow) -> None:
        verdict = row.verdict
        slug = repository_slug(verdict.repository, row.listing.slug if row.listing else None)
        cells = [f"<td>{esc(verdict.repository)}</td>"]
        if self.mapped:
            listing = row.listing
            cells.append(f"<td>{esc(listing_words(listing).removeprefix('PyPI: ')) if listing else ''}</td>")
            downloads = listing.downloads if listing and listing.downloads is not None else -1
            cells.append(f'<td data-sort="{downloads}">{f"{downloads:,}" if downloads >= 0 else ""}</td>')
        order = VERDICTS.index(verdict.verdict)
        cells.append(f'<td data-sort="{order}"><span class="v {verdict.verdict}">{verdict.verdict}</span></td>')
        cells.append(f"<td>{esc(verdict.reason)}</td>")
        cells.append(f"<td>{_list(_evidence(e, slug) for e in verdict.evidence)}</td>")
        cells.append(f"<td>{_list(esc(publisher_words(p)) for p in publishers(row))}</td>")
        self.spool.write("<tr>" + "".join(cells) + "</tr>\n")

    def finish(self, tally: Tally) -> None:
        package_heads = "<th>Packages</th><th>Downloads</th>" if self.mapped else ""
        self.emit(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Publishing to PyPI: {tally.total:,} repositories</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>Publishing to PyPI</h1>\n<p class=\"meta\">{esc(_summary_words(tally))} "
            f"Made by trustycheck {esc(__version__)} from the workflow files alone.</p>\n"
            f"{chart(tally)}\n"
            '<table id="repositories">\n<thead><tr><th>Repository</th>' + package_heads +
            "<th>Verdict</th><th>Reason</th><th>Evidence</th><th>Trusted publisher to register</th></tr></thead>\n<tbody>\n"
        )
        self.spool.seek(0)
        while True:
            chunk = self.spool.read(1 << 16)
            if not chunk:
                break
            self.emit(chunk)
        self.spool.close()
        self.emit(f"</tbody>\n</table>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _list(items: Iterable[str]) -> str:
    shown = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul>{shown}</ul>" if shown else ""


def _evidence(item: Evidence, slug: tuple[str, str] | None) -> str:
    where = esc(f"{item.path}:{item.line}")
    if slug is not None:
        url = f"https://github.com/{quote(slug[0])}/{quote(slug[1])}/blob/HEAD/{quote(item.path)}#L{item.line}"
        where = f'<a href="{html.escape(url, quote=True)}" rel="noreferrer noopener">{where}</a>'
    return f"<code>{where}</code> {esc(f'{item.what}: {item.credential}')}"


def _summary_words(tally: Tally) -> str:
    counts = ", ".join(f"{name} {figures['count']:,} ({figures['percent']:.1f}%)" for name, figures in tally.by_count().items() if figures["count"])
    words = f"{tally.total:,} repositories: {counts or 'none judged'}."
    weighted = tally.by_downloads()
    if weighted is not None:
        shares = ", ".join(f"{name} {figures['percent']:.1f}%" for name, figures in weighted.items() if figures["downloads"])
        words += f" By downloads ({tally.downloads_total:,} over {tally.with_downloads:,} repositories): {shares}."
    return words


def chart(tally: Tally) -> str:
    """The share of each verdict as stacked horizontal bars: by count, then by downloads."""
    bars = [("by count", {name: float(figures["count"]) for name, figures in tally.by_count().items()})]
    weighted = tally.by_downloads()
    if weighted is not None:
        bars.append(("by downloads", {name: float(figures["downloads"]) for name, figures in weighted.items()}))
    left, width, height, gap = 110, 760, 44, 22
    total_height = 40 + len(bars) * (height + gap)
    parts = [f'<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{total_height}" '
             f'role="img" aria-label="share of each verdict">']
    for index, (label, values) in enumerate(bars):
        y = index * (height + gap)
        whole = sum(values.values())
        parts.append(f'<text x="0" y="{y + height // 2 + 5}">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{height}" fill="#f3f4f6"/>')
        x = float(left)
        for name, value in values.items():
            if not value or not whole:
                continue
            span = width * value / whole
            share = 100.0 * value / whole
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{height}" fill="{FILL[name]}">'
                         f"<title>{name}: {share:.1f}%</title></rect>")
            if span > 60:
                parts.append(f'<text x="{x + 6:.1f}" y="{y + height // 2 + 5}" fill="#fff">{name} {share:.0f}%</text>')
            x += span
    legend_y = len(bars) * (height + gap) + 12
    for index, name in enumerate(VERDICTS):
        x = left + index * 130
        parts.append(f'<rect x="{x}" y="{legend_y - 11}" width="14" height="14" fill="{FILL[name]}"/>')
        parts.append(f'<text x="{x + 20}" y="{legend_y + 1}">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)
