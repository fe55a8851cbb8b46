"""Agreement of `trustycheck status` with a labelled corpus (Trusty Pub's tp/notp labels).

Usage (from the repository root, with trustycheck installed):

    python benchmarks/agreement.py [CORPUS]          # default: ../shared/corpus

CORPUS holds ``repos/<owner>__<name>/`` (one repository root each), ``manifest.tsv`` (columns
``repo`` = owner/name and ``verdict`` = tp|notp) and optionally ``caveats.tsv`` (column
``clean`` = yes|no). trustycheck's verdicts map to labels as the issue defines: trusted and
mixed are ``tp``; token and none are ``notp``; unknown agrees with nothing. The script prints
the agreement over all rows and over clean rows, the confusion matrix, and every disagreement
with the verdict's evidence, marking the ones listed in ``benchmarks/label-disputes.tsv``
(labels we believe are wrong, each with its reason).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

VERDICTS = ("trusted", "mixed", "token", "none", "unknown")
LABEL_OF = {"trusted": "tp", "mixed": "tp", "token": "notp", "none": "notp"}
HERE = Path(__file__).resolve().parent
DISPUTES = HERE / "label-disputes.tsv"


@dataclass
class Row:
    repo: str
    label: str
    verdict: str
    clean: bool = True
    disputed: str | None = None
    result: dict = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return LABEL_OF.get(self.verdict) == self.label


@dataclass
class Score:
    rows: list[Row]

    def agreement(self, rows: list[Row] | None = None) -> tuple[int, int]:
        chosen = self.rows if rows is None else rows
        return sum(row.agrees for row in chosen), len(chosen)

    def confusion(self) -> dict[str, dict[str, int]]:
        table = {label: {verdict: 0 for verdict in VERDICTS} for label in ("tp", "notp")}
        for row in self.rows:
            table[row.label][row.verdict] += 1
        return table

    @property
    def disagreements(self) -> list[Row]:
        return [row for row in self.rows if not row.agrees]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def repo_dir_name(repo: str) -> str:
    """``owner/name`` -> the corpus folder name ``owner__name``."""
    return repo.replace("/", "__")


def score(manifest: list[dict[str, str]], results: dict[str, dict], caveats: list[dict[str, str]] | None = None,
          disputes: dict[str, str] | None = None) -> Score:
    """Join labels and verdicts by repository; a labelled repository with no verdict is a miss."""
    clean = {row["repo"]: row.get("clean", "yes") == "yes" for row in caveats or []}
    rows = []
    for entry in manifest:
        repo = entry["repo"]
        result = results.get(repo_dir_name(repo), {})
        rows.append(Row(repo, entry["verdict"], result.get("verdict", "unknown"), clean.get(repo, True),
                        (disputes or {}).get(repo), result))
    return Score(rows)


def run_status(repos_dir: Path) -> dict[str, dict]:
    """``trustycheck status --each --format json`` over the corpus, keyed by folder name."""
    command = [sys.executable, "-m", "trustycheck", "status", "--each", "--format", "json", str(repos_dir)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"trustycheck status failed ({completed.returncode}):\n{completed.stderr}")
    document = json.loads(completed.stdout)
    return {os.path.basename(item["repository"].rstrip("/")): item for item in document["repositories"]}


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def report(result: Score) -> str:
    lines = []
    agree, total = result.agreement()
    clean_rows = [row for row in result.rows if row.clean]
    clean_agree, clean_total = result.agreement(clean_rows)
    undisputed = [row for row in result.rows if not row.disputed]
    undisputed_agree, undisputed_total = result.agreement(undisputed)
    lines.append(f"agreement, all rows:             {agree}/{total} = {percent(agree, total)}")
    lines.append(f"agreement, clean rows:           {clean_agree}/{clean_total} = {percent(clean_agree, clean_total)}")
    lines.append(f"agreement, disputed labels left out: {undisputed_agree}/{undisputed_total} = {percent(undisputed_agree, undisputed_total)}")
    lines.append("")
    lines.append("confusion matrix (label \\ verdict):")
    lines.append("        " + "".join(f"{verdict:>9}" for verdict in VERDICTS))
    for label, counts in result.confusion().items():
        lines.append(f"{label:<8}" + "".join(f"{counts[verdict]:>9}" for verdict in VERDICTS))
    lines.append("")
    lines.append(f"disagreements ({len(result.disagreements)}):")
    for row in result.disagreements:
        flags = [] if row.clean else ["label not clean"]
        if row.disputed:
            flags.append(f"disputed: {row.disputed}")
        lines.append(f"- {row.repo}: label {row.label}, verdict {row.verdict}" + (f" [{'; '.join(flags)}]" if flags else ""))
        if row.result.get("reason"):
            lines.append(f"    reason: {row.result['reason']}")
        for item in row.result.get("evidence", []):
            lines.append(f"    {item['path']}:{item['line']}:{item['column']} {item['what']}: {item['credential']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(HERE.parent.parent / "shared" / "corpus"))
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the report")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    manifest = read_tsv(corpus / "manifest.tsv")
    caveats = read_tsv(corpus / "caveats.tsv") if (corpus / "caveats.tsv").exists() else None
    disputes = {row["repo"]: row["reason"] for row in read_tsv(DISPUTES)} if DISPUTES.exists() else {}
    result = score(manifest, run_status(corpus / "repos"), caveats, disputes)
    if args.json:
        print(json.dumps([{"repo": r.repo, "label": r.label, "verdict": r.verdict, "agrees": r.agrees} for r in result.rows], indent=2))
    else:
        print(report(result), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
