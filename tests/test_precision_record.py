"""The hand-reviewed precision record: both TSV files are well formed, and the script matches
findings to the record by (repository, path, rule, line, column, message)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import REPO

_SPEC = importlib.util.spec_from_file_location("precision", REPO / "benchmarks" / "precision.py")
precision = importlib.util.module_from_spec(_SPEC)
assert _SPEC.loader is not None
sys.modules["precision"] = precision  # dataclasses look their module up there
_SPEC.loader.exec_module(precision)

RECORDS = [REPO / "benchmarks" / "precision" / name for name in ("popular.tsv", "dev.tsv")]


def data_lines(path: Path) -> list[str]:
    return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("#")]


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.name)
def test_record_has_the_header_and_nine_columns_in_every_row(path: Path) -> None:
    lines = data_lines(path)
    assert lines[0].split("\t") == list(precision.COLUMNS)
    assert len(lines) > 1
    for number, line in enumerate(lines[1:], start=2):
        assert len(line.split("\t")) == len(precision.COLUMNS), f"{path.name} data row {number}"


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.name)
def test_every_row_is_judged_with_a_reason(path: Path) -> None:
    reviews = precision.read_record(path)
    assert reviews
    for review in reviews:
        assert review.judgement in ("right", "wrong", "debatable"), review.finding.show()
        assert review.reason.strip(), review.finding.show()
        assert review.finding.severity in ("error", "warning", "note"), review.finding.show()


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.name)
def test_record_keys_are_unique(path: Path) -> None:
    keys = [review.finding.key for review in precision.read_record(path)]
    assert len(keys) == len(set(keys))


def finding(rule: str = "TC401", line: int = 12, severity: str = "warning",
            message: str = "'actions/checkout@v4' is pinned to a tag ref") -> object:
    return precision.Finding("octo__pkg", ".github/workflows/release.yml", line, 15, rule, severity, message)


def review(judgement: str, **changes: object) -> object:
    return precision.Review(finding(**changes), judgement, "a reason")  # type: ignore[arg-type]


def test_matching_reports_new_gone_and_changed_findings() -> None:
    record = [
        review("right"),
        review("wrong", rule="TC303", line=3, message="publishes on every push"),
        review("right", rule="TC203", line=30, message="builds in the publishing job"),
    ]
    found = [
        finding(),                                                   # unchanged
        finding(rule="TC203", line=31, message="builds in the publishing job"),  # moved a line
        finding(rule="TC101", line=40, severity="error", message="a token"),     # new
    ]
    result = precision.compare(record, found)
    assert [item.finding.rule for item in result.matched] == ["TC401"]
    assert [(item.rule, item.line) for item in result.new] == [("TC203", 31), ("TC101", 40)]
    assert sorted(item.finding.rule for item in result.gone) == ["TC203", "TC303"]


def test_a_changed_message_or_severity_is_not_matched() -> None:
    record = [review("right"), review("right", rule="TC402", line=20, message="frozen")]
    found = [finding(message="'actions/checkout@v4' is pinned to a tag ref, now worded otherwise"),
             finding(rule="TC402", line=20, message="frozen", severity="error")]
    result = precision.compare(record, found)
    assert result.matched == []
    assert len(result.new) == 2
    assert [item.finding.line for item in result.gone] == [12]  # the severity change still matches a key


def test_a_sampled_record_lists_only_new_errors() -> None:
    record = [review("right")]
    found = [finding(), finding(line=50), finding(rule="TC101", line=60, severity="error", message="a token")]
    result = precision.compare(record, found, sampled=True)
    assert [item.line for item in result.new] == [60]
    assert result.gone == []


def test_precision_counts_right_against_wrong_and_shares_debatable() -> None:
    reviews = [review("right"), review("right"), review("right"), review("wrong"), review("debatable")]
    assert precision.precision(reviews) == (3, 1, 1)
    assert precision.describe("all findings", reviews) == (
        "precision, all findings: 3/4 = 75.0%  (debatable 1/5 = 20.0%)")
    assert precision.describe("errors", []) == "precision, errors: 0/0 = n/a  (debatable 0/0 = n/a)"


def test_findings_of_a_json_report_flatten_the_message() -> None:
    report = {"findings": [{"path": "w.yml", "line": 4, "column": 3, "rule": "TC301", "severity": "warning",
                            "message": "job 'x'\tpublishes\nwithout an environment"}]}
    [item] = precision.findings_of("o__r", report)
    assert item.key == ("o__r", "w.yml", "TC301", 4, 3, "job 'x' publishes without an environment")


def test_record_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "record.tsv"
    path.write_text("# a comment naming the sampling rule\n" + "\t".join(precision.COLUMNS) + "\n"
                    + "o__r\tw.yml\t4\t3\tTC301\twarning\twrong\t[m1] the job runs only on tags\tno env\n",
                    encoding="utf-8")
    [item] = precision.read_record(path)
    assert item.judgement == "wrong"
    assert item.finding.key == ("o__r", "w.yml", "TC301", 4, 3, "no env")
