"""Precision of trustycheck's findings against a hand-reviewed record.

Usage (from the repository root, with trustycheck installed):

    python benchmarks/precision.py [--set popular|dev] [--corpus DIR] [--trustycheck CMD]

The record (``benchmarks/precision/<set>.tsv``) holds one row per reviewed finding: the
repository, the finding's path, line, column, rule, severity and message, and a maintainer's
judgement (right, wrong or debatable) with one line of reason. The script lints every
repository of ``CORPUS/<folder>/`` again (``popular/`` or ``repos/``), matches each finding to
the record by (repository, path, rule, line, column, message), and prints what is new or
changed since the review, what the record holds that is no longer given, and the precision
(right / (right + wrong)) of the findings that are both given and reviewed. The dev record is
a sample, so new dev findings that the sample left out are not listed, only counted.
It is a report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLUMNS = ("repository", "path", "line", "column", "rule", "severity", "judgement", "reason", "message")
JUDGEMENTS = ("right", "wrong", "debatable")
FOLDER_OF_SET = {"popular": "popular", "dev": "repos"}

Key = tuple[str, str, str, int, int, str]


@dataclass(frozen=True)
class Finding:
    """One finding as printed, located in one repository of the corpus."""

    repository: str
    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str

    @property
    def key(self) -> Key:
        return (self.repository, self.path, self.rule, self.line, self.column, self.message)

    def show(self) -> str:
        return f"{self.repository} {self.path}:{self.line}:{self.column} {self.rule} {self.severity} {self.message}"


@dataclass(frozen=True)
class Review:
    """A reviewed finding: what was given then, and the judgement on it."""

    finding: Finding
    judgement: str
    reason: str


def flat(text: str) -> str:
    """Messages are stored on one TSV line: tabs and newlines become spaces."""
    return " ".join(text.replace("\t", " ").splitlines())


def read_record(path: Path) -> list[Review]:
    """Read a record; lines starting with '#' are comments (the sampling rule lives there)."""
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reviews = []
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        finding = Finding(row["repository"], row["path"], int(row["line"]), int(row["column"]),
                          row["rule"], row["severity"], row["message"])
        reviews.append(Review(finding, row["judgement"], row["reason"]))
    return reviews


def findings_of(repository: str, report: dict[str, Any]) -> list[Finding]:
    """The findings of one `--format json` report."""
    return [Finding(repository, item["path"], int(item["line"]), int(item["column"]), item["rule"],
                    item["severity"], flat(item["message"]))
            for item in report.get("findings", [])]


def lint(command: list[str], folder: Path) -> list[Finding]:
    """Lint each repository folder as a maintainer would, from its root."""
    found: list[Finding] = []
    for repo_dir in sorted(path for path in folder.iterdir() if path.is_dir()):
        done = subprocess.run([*command, "--isolated", "--format", "json", "."], cwd=repo_dir,
                              capture_output=True, text=True, check=False)
        if done.stdout.strip():
            found.extend(findings_of(repo_dir.name, json.loads(done.stdout)))
    return found


@dataclass
class Comparison:
    """Today's findings set against the record."""

    matched: list[Review]
    new: list[Finding]
    gone: list[Review]


def compare(record: list[Review], found: list[Finding], sampled: bool = False) -> Comparison:
    """Match by (repository, path, rule, line, column, message); a finding whose severity
    changed is not matched and is listed as new (its judgement may no longer hold). A sampled
    record reviews every error but only some warnings and notes, so unreviewed non-errors are
    left out of `new` there."""
    by_key = {review.finding.key: review for review in record}
    given = {finding.key for finding in found}
    matched, new = [], []
    for finding in found:
        review = by_key.get(finding.key)
        if review is not None and review.finding.severity == finding.severity:
            matched.append(review)
        elif review is not None or not sampled or finding.severity == "error":
            new.append(finding)
    gone = [review for review in record if review.finding.key not in given]
    return Comparison(matched, new, gone)


def precision(reviews: list[Review]) -> tuple[int, int, int]:
    """(right, wrong, debatable) counts."""
    counts = {word: 0 for word in JUDGEMENTS}
    for review in reviews:
        counts[review.judgement] += 1
    return counts["right"], counts["wrong"], counts["debatable"]


def describe(label: str, reviews: list[Review]) -> str:
    right, wrong, debatable = precision(reviews)
    total = right + wrong + debatable
    share = f"{right / (right + wrong):.1%}" if right + wrong else "n/a"
    debatable_share = f"{debatable / total:.1%}" if total else "n/a"
    return (f"precision, {label}: {right}/{right + wrong} = {share}"
            f"  (debatable {debatable}/{total} = {debatable_share})")


def default_trustycheck() -> str:
    """The trustycheck installed next to the running Python (a venv's bin/ or Scripts/)."""
    return str(Path(sys.executable).with_name("trustycheck"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(FOLDER_OF_SET), default="popular")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--trustycheck", default=default_trustycheck(),
                        help="command to run (split on spaces)")
    args = parser.parse_args(argv)
    record = read_record(HERE / "precision" / f"{args.set}.tsv")
    found = lint(args.trustycheck.split(), args.corpus / FOLDER_OF_SET[args.set])
    sampled = args.set == "dev"
    result = compare(record, found, sampled=sampled)
    print(f"{len(found)} findings on {args.set}; {len(record)} in the record; "
          f"{len(result.matched)} matched")
    if sampled:
        print("(dev: the record holds every error and a sample of warnings; unsampled warnings "
              "and notes are not listed as new)")
    print(f"\nnew or changed since the review ({len(result.new)}):")
    for finding in result.new:
        print(f"  {finding.show()}")
    print(f"\nin the record, no longer given ({len(result.gone)}):")
    for review in result.gone:
        print(f"  {review.finding.show()}  [{review.judgement}]")
    print()
    print(describe("all findings", result.matched))
    print(describe("errors", [review for review in result.matched if review.finding.severity == "error"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
