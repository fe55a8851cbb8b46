"""``status --package-map``: which PyPI project(s) each repository publishes, and how much they
are downloaded, read from a CSV or TSV file a security team keeps (e.g. a top-15,000 list).

The file is the user's, but it is often assembled from scraped data: any bytes are read (file
names in the OS's own decoding, a NUL as U+FFFD), the file and each field are bounded, and a row
that does not fit is skipped and counted rather than trusted.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from trustycheck.patterns import lazy_pattern

MAX_MAP_BYTES = 64 * 1024 * 1024
"""Largest package map read (the top 15,000 packages with URLs take about 1 MB)."""
MAX_FIELD = 1024
"""Longest field kept: no package name, URL or path is longer; a longer one is skipped."""

_GITHUB_URL = lazy_pattern(r"^(?:[a-z+]+://)?(?:[^@/\s]+@)?(?:www\.)?github\.com[:/]+([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100}?)(?:\.git)?/*$", re.IGNORECASE)
"""``https://github.com/owner/repo``, ``git@github.com:owner/repo.git``, ``github.com/owner/repo``."""
_SLUG_PART = lazy_pattern(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class PackageMapError(Exception):
    """The package map cannot be read at all (missing, too large, no usable header)."""


@dataclass(frozen=True)
class Listing:
    """What the package map says about one repository."""

    packages: tuple[str, ...] = ()
    rank: int | None = None
    """The best (lowest) rank among its packages."""
    downloads: int | None = None
    """The sum of its packages' downloads, when any is known."""
    slug: tuple[str, str] | None = field(default=None)
    """GitHub owner and repository name, when the map gives a GitHub URL."""


@dataclass
class PackageMap:
    """Listings by repository path (absolute, normalised) and by lower-case ``owner/repo``."""

    by_path: dict[str, Listing] = field(default_factory=dict)
    by_slug: dict[tuple[str, str], Listing] = field(default_factory=dict)
    skipped: int = 0
    """Rows skipped: over-long fields, no package or repository."""

    def listing(self, root: str) -> Listing | None:
        """The listing of the repository at ``root``: by its path, else by the GitHub owner and
        name its folder is named after (``owner__repo``, or ``.../owner/repo``)."""
        found = self.by_path.get(_path_key(root))
        if found is not None:
            return found
        slug = folder_slug(root)
        if slug is not None:
            found = self.by_slug.get(_lower(slug))
        if found is None:
            parent, name = os.path.split(os.path.normpath(os.path.abspath(root)))
            owner = os.path.basename(parent)
            if _SLUG_PART.search(owner) and _SLUG_PART.search(name):
                found = self.by_slug.get(_lower((owner, name)))
        return found


def folder_slug(root: str) -> tuple[str, str] | None:
    """GitHub owner and name from a clone folder named ``owner__repo`` (the way inventories
    and the Trusty Pub corpus name them); None for any other name."""
    name = os.path.basename(os.path.normpath(root))
    owner, sep, repo = name.partition("__")
    if sep and _SLUG_PART.search(owner) and _SLUG_PART.search(repo) and "__" not in repo:
        return owner, repo
    return None


def github_slug(value: str) -> tuple[str, str] | None:
    match = _GITHUB_URL.search(value.strip())
    return (match.group(1), match.group(2)) if match else None


def read_package_map(path: str) -> PackageMap:
    """The package map at ``path`` (``-`` is not accepted: stdin may carry the repository list)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MAP_BYTES + 1)
    except OSError as error:
        raise PackageMapError(f"{path}: cannot read the package map ({error.strerror or error})") from None
    if len(data) > MAX_MAP_BYTES:
        raise PackageMapError(f"{path}: package map over {MAX_MAP_BYTES:,} bytes; split the inventory into shards")
    return parse_package_map(data, path)


def parse_package_map(data: bytes, name: str) -> PackageMap:
    text = os.fsdecode(data).replace("\x00", "\ufffd")
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(rows, [])]
    except csv.Error as error:
        raise PackageMapError(f"{name}: line 1: {error}") from None
    columns = {column: index for index, column in reversed(list(enumerate(header)))}
    if "package" not in columns or "repository" not in columns:
        raise PackageMapError(f"{name}: the first line must name the columns: package, repository, and optionally rank, downloads")
    result = PackageMap()
    # the rows of each repository, merged once at the end: merging row by row copies the
    # package list each time, quadratic for a repository on every row of a big map
    by_slug: dict[tuple[str, str], list[Listing]] = {}
    by_path: dict[str, list[Listing]] = {}
    for cells in _rows(rows, name):
        listing_and_key = _listing(cells, columns)
        if listing_and_key is None:
            result.skipped += 1
            continue
        repository, listing = listing_and_key
        if listing.slug is not None:
            by_slug.setdefault(_lower(listing.slug), []).append(listing)
        else:
            by_path.setdefault(_path_key(repository), []).append(listing)
    result.by_slug = {key: _merged_all(listings) for key, listings in by_slug.items()}
    result.by_path = {key: _merged_all(listings) for key, listings in by_path.items()}
    return result


def _merged_all(listings: list[Listing]) -> Listing:
    """The rows of one repository as one listing, its best rank, its packages once each, its downloads summed."""
    first = listings[0]
    if len(listings) == 1:
        return first
    ranks = [listing.rank for listing in listings if listing.rank is not None]
    known = [listing.downloads for listing in listings if listing.downloads is not None]
    packages = tuple(dict.fromkeys(package for listing in listings for package in listing.packages))
    slug = next((listing.slug for listing in listings if listing.slug is not None), None)
    return replace(first, packages=packages, rank=min(ranks) if ranks else None,
                   downloads=sum(known) if known else None, slug=slug)


def _rows(rows: Iterator[list[str]], name: str) -> Iterator[list[str]]:
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over the csv module's own limit
            raise PackageMapError(f"{name}: line {getattr(rows, 'line_num', '?')}: {error}") from None
        yield cells


def _listing(cells: list[str], columns: dict[str, int]) -> tuple[str, Listing] | None:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    if any(len(value) > MAX_FIELD for value in cells):
        return None
    package, repository = cell("package"), cell("repository")
    if not package or not repository:
        return None
    return repository, Listing((package,), _number(cell("rank")), _number(cell("downloads")), github_slug(repository))


def _number(text: str) -> int | None:
    digits = text.replace(",", "").replace("_", "")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 20 else None


def _path_key(path: str) -> str:
    return os.path.normcase(os.path.normpath(os.path.abspath(path)))


def _lower(slug: tuple[str, str]) -> tuple[str, str]:
    return slug[0].lower(), slug[1].lower()
