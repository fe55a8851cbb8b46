"""The summary of a ``status`` run, counted as verdicts stream past (no list of them is kept):
per verdict the number of repositories and, when a package map gives downloads, their sum."""

from __future__ import annotations

from typing import Any

from trustycheck.report.ansi import Style
from trustycheck.status_packages import Listing
from trustycheck.verdict import VERDICTS, Outcome

COLOURS = {"trusted": "green", "token": "red", "mixed": "yellow", "none": "bright_black", "unknown": "magenta"}


class Tally:
    """Counts and downloads per verdict."""

    def __init__(self, mapped: bool = False) -> None:
        self.mapped = mapped
        """A package map was given (the summary then says how many repositories it listed)."""
        self.total = 0
        self.counts: dict[Outcome, int] = dict.fromkeys(VERDICTS, 0)
        self.downloads: dict[Outcome, int] = dict.fromkeys(VERDICTS, 0)
        self.listed = 0
        self.with_downloads = 0

    def add(self, verdict: Outcome, listing: Listing | None) -> None:
        self.total += 1
        self.counts[verdict] += 1
        if listing is not None:
            self.listed += 1
            if listing.downloads is not None:
                self.with_downloads += 1
                self.downloads[verdict] += listing.downloads

    @property
    def downloads_total(self) -> int:
        return sum(self.downloads.values())

    def by_count(self) -> dict[str, dict[str, float]]:
        """Counts and percentages per verdict, in the fixed order of ``VERDICTS``."""
        return {name: {"count": count, "percent": _percent(count, self.total)} for name, count in self.counts.items()}

    def by_downloads(self) -> dict[str, dict[str, float]] | None:
        """Downloads and their share per verdict, or None when no repository's are known."""
        if not self.with_downloads:
            return None
        total = self.downloads_total
        return {name: {"downloads": value, "percent": _percent(value, total)} for name, value in self.downloads.items()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary: as before package maps existed, plus what the map adds."""
        document: dict[str, Any] = {"repositories": self.total, **self.by_count()}
        if self.mapped:
            document["listed"] = self.listed
            weighted = self.by_downloads()
            if weighted is not None:
                document["downloads"] = {"repositories": self.with_downloads, "total": self.downloads_total, **weighted}
        return document

    def lines(self, style: Style) -> list[str]:
        """The summary in words: counts, then (when known) the share of downloads."""
        noun = "repository" if self.total == 1 else "repositories"
        parts = [style(f"{name} {figures['count']} ({figures['percent']:.1f}%)", fg=COLOURS[name])
                 for name, figures in self.by_count().items() if figures["count"]]
        out = [style(f"{self.total} {noun}:", bold=True) + (" " + ", ".join(parts) if parts else "")]
        if self.mapped:
            out.append(f"{self.listed} of {self.total} in the package map")
        weighted = self.by_downloads()
        if weighted is not None:
            shares = [style(f"{name} {figures['percent']:.1f}%", fg=COLOURS[name]) for name, figures in weighted.items() if figures["downloads"]]
            out.append(style(f"by downloads ({self.downloads_total:,} over {self.with_downloads} repositories):", bold=True)
                       + (" " + ", ".join(shares) if shares else ""))
        return out


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0
