"""``status --format markdown``: a table to paste into an issue or a wiki page.

Names come from the inventory and from workflow files, so every cell is made inert: control
characters become escapes, ``&``, ``<``, ``>`` and ``$`` become entities (no HTML, no autolink,
no math), and Markdown punctuation (``|`` that would end the cell, backticks, emphasis, links, ``@`` mentions)
is escaped with a backslash.
"""

from __future__ import annotations

from trustycheck.report.status import StatusRow, StatusWriter, listing_words
from trustycheck.report.status_publisher import Publisher, publishers
from trustycheck.report.status_tally import Tally
from trustycheck.report.visible import visible

_PUNCTUATION = frozenset("\\`*_[]!|~@")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
"""``$`` too: GitHub renders ``$...$`` as LaTeX math (styled text of the name's choosing)."""


def md(text: str) -> str:
    """``text`` as literal Markdown table-cell content (one linear pass)."""
    return "".join(_ENTITIES.get(char) or (f"\\{char}" if char in _PUNCTUATION else char) for char in visible(text))


def publisher_words(publisher: Publisher) -> str:
    def known(value: str | None) -> str:
        return value if value else "unknown"

    words = (f"owner {known(publisher.owner)}, repository {known(publisher.repository)}, workflow {known(publisher.workflow)}, "
             f"environment {publisher.environment or '(none)'}")
    return f"{words} ({publisher.note})" if publisher.note else words


class MarkdownWriter(StatusWriter):
    """One table row per repository, the summary (count and downloads shares) after the table."""

    def start(self) -> None:
        package = " Packages |" if self.mapped else ""
        rule = "---|" if self.mapped else ""
        self.emit("## Publishing to PyPI\n\n"
                  f"| Repository |{package} Verdict | Reason | Evidence | Trusted publisher to register |\n"
                  f"|---|{rule}---|---|---|---|\n")

    def row(self, row: StatusRow) -> None:
        verdict = row.verdict
        cells = [md(verdict.repository)]
        if self.mapped:
            cells.append(md(listing_words(row.listing).removeprefix("PyPI: ")) if row.listing else "")
        evidence = "<br>".join(md(f"{e.path}:{e.line} {e.what}: {e.credential}") for e in verdict.evidence)
        settings = "<br>".join(md(publisher_words(p)) for p in publishers(row))
        cells += [f"**{verdict.verdict}**", md(verdict.reason), evidence, settings]
        self.emit("| " + " | ".join(cells) + " |\n")

    def finish(self, tally: Tally) -> None:
        weighted = tally.by_downloads()
        head = "| Verdict | Repositories | Share |" + (" Downloads | Share of downloads |" if weighted else "")
        out = ["", "### Summary", "", head, "|---|---:|---:|" + ("---:|---:|" if weighted else "")]
        for name, figures in tally.by_count().items():
            cells = [f"**{name}**", f"{figures['count']:,}", f"{figures['percent']:.1f}%"]
            if weighted:
                cells += [f"{weighted[name]['downloads']:,}", f"{weighted[name]['percent']:.1f}%"]
            out.append("| " + " | ".join(cells) + " |")
        out.append(f"| **total** | {tally.total:,} | 100% |" + (f" {tally.downloads_total:,} | 100% |" if weighted else ""))
        if tally.mapped:
            out += ["", f"{tally.listed:,} of {tally.total:,} repositories are in the package map"
                    + (f"; downloads known for {tally.with_downloads:,}." if weighted else ".")]
        self.emit("\n".join(out) + "\n")
