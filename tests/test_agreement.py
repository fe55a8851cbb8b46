"""The agreement benchmark's own logic: label mapping, misses, confusion matrix, report."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from conftest import TRUSTED_PUBLISH
from test_status import TOKEN_WORKFLOW, make_repo

_SPEC = importlib.util.spec_from_file_location("agreement", REPO / "benchmarks" / "agreement.py")
agreement = importlib.util.module_from_spec(_SPEC)
assert _SPEC.loader is not None
sys.modules["agreement"] = agreement
_SPEC.loader.exec_module(agreement)

MANIFEST = [
    {"repo": "a/tp-trusted", "verdict": "tp"},
    {"repo": "a/tp-mixed", "verdict": "tp"},
    {"repo": "a/tp-token", "verdict": "tp"},
    {"repo": "a/notp-none", "verdict": "notp"},
    {"repo": "a/notp-unknown", "verdict": "notp"},
    {"repo": "a/notp-missing", "verdict": "notp"},
]
RESULTS = {
    "a__tp-trusted": {"verdict": "trusted"},
    "a__tp-mixed": {"verdict": "mixed"},
    "a__tp-token": {"verdict": "token", "reason": "uploads with a token", "evidence": [
        {"path": ".github/workflows/r.yml", "line": 3, "column": 5, "what": "twine", "credential": "a long-lived token from secrets.X"}]},
    "a__notp-none": {"verdict": "none"},
    "a__notp-unknown": {"verdict": "unknown"},
}


def test_mapping_and_misses() -> None:
    score = agreement.score(MANIFEST, RESULTS)
    assert [row.agrees for row in score.rows] == [True, True, False, True, False, False]
    assert score.agreement() == (3, 6)
    assert [row.repo for row in score.disagreements] == ["a/tp-token", "a/notp-unknown", "a/notp-missing"]
    assert score.rows[-1].verdict == "unknown"  # no verdict at all is a miss, shown as unknown


def test_confusion_matrix_counts_every_row_once() -> None:
    table = agreement.score(MANIFEST, RESULTS).confusion()
    assert table == {
        "tp": {"trusted": 1, "mixed": 1, "token": 1, "none": 0, "unknown": 0},
        "notp": {"trusted": 0, "mixed": 0, "token": 0, "none": 1, "unknown": 2},
    }


def test_clean_rows_and_disputes_are_scored_separately() -> None:
    caveats = [{"repo": "a/tp-token", "clean": "no"}]
    disputes = {"a/notp-unknown": "the release came from elsewhere"}
    score = agreement.score(MANIFEST, RESULTS, caveats, disputes)
    text = agreement.report(score)
    assert "agreement, all rows:             3/6 = 50.0%" in text
    assert "agreement, clean rows:           3/5 = 60.0%" in text
    assert "agreement, disputed labels left out: 3/5 = 60.0%" in text
    assert "- a/tp-token: label tp, verdict token [label not clean]\n    reason: uploads with a token\n" in text
    assert "    .github/workflows/r.yml:3:5 twine: a long-lived token from secrets.X\n" in text
    assert "- a/notp-unknown: label notp, verdict unknown [disputed: the release came from elsewhere]" in text


def test_the_script_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    make_repo(tmp_path / "repos" / "o__one", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    make_repo(tmp_path / "repos" / "o__two", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    (tmp_path / "manifest.tsv").write_text("package\trepo\tverdict\none\to/one\ttp\ntwo\to/two\ttp\n")
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "agreement.py"), str(tmp_path)],
                            capture_output=True, text=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "agreement, all rows:             1/2 = 50.0%"
    assert "- o/two: label tp, verdict token" in result.stdout


def test_every_disputed_label_is_explained_in_the_benchmarks_readme() -> None:
    readme = (REPO / "benchmarks" / "README.md").read_text()
    disputes = agreement.read_tsv(agreement.DISPUTES)
    assert disputes
    for row in disputes:
        assert row["repo"] in readme, row["repo"]
        assert row["reason"].strip()
