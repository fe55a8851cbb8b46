"""Every rule's documented examples run: bad ones report exactly their lines, good ones nothing."""

from __future__ import annotations

import pytest

from pathlib import Path

from conftest import EXAMPLE_WORKFLOW, lint_repo, lint_text
from trustycheck.pipeline import catalog

_BAD = [(rule.id, i, ex) for rule in catalog() for i, ex in enumerate(rule.examples["bad"])]
_GOOD = [(rule.id, i, ex) for rule in catalog() for i, ex in enumerate(rule.examples["good"])]


@pytest.mark.parametrize(("rule_id", "index", "example"), _BAD, ids=[f"{r}-bad{i}" for r, i, _ in _BAD])
def test_bad_example_reports_its_lines(rule_id: str, index: int, example: dict, tmp_path: Path) -> None:
    findings = _lint_example(example, {rule_id}, tmp_path)
    where = example.get("in", EXAMPLE_WORKFLOW) if "files" in example else None
    assert [(f.path if where else None, f.pos.line) for f in findings] == [(where, line) for line in example["lines"]], example["title"]


@pytest.mark.parametrize(("rule_id", "index", "example"), _GOOD, ids=[f"{r}-good{i}" for r, i, _ in _GOOD])
def test_good_example_is_clean(rule_id: str, index: int, example: dict, tmp_path: Path) -> None:
    assert _lint_example(example, {rule_id}, tmp_path) == [], example["title"]


@pytest.mark.parametrize(("rule_id", "index", "example"), _GOOD, ids=[f"{r}-good{i}" for r, i, _ in _GOOD])
def test_good_example_is_a_valid_workflow(rule_id: str, index: int, example: dict, tmp_path: Path) -> None:
    """A good example must not be 'good' merely because it fails to parse or to call."""
    assert _lint_example(example, {"TC001", "TC002"}, tmp_path) == [], example["title"]


def _lint_example(example: dict, select: set[str], tmp_path: Path) -> list:
    """A snippet alone, or, with ``files:``, a small repository around it."""
    if "files" in example:
        return lint_repo(tmp_path, example["workflow"], example["files"], select)
    return lint_text(example["workflow"], select=select)


def test_every_rule_has_two_examples_of_each_kind_or_is_tc001() -> None:
    for rule in catalog():
        assert len(rule.examples["bad"]) >= 2, rule.id
        assert len(rule.examples["good"]) >= 2, rule.id


def test_severity_cases_set_each_findings_severity() -> None:
    """TC401: a branch ref is an error, a tag a warning, the PyPA action's release/v1 a note."""
    findings = lint_text("""\
        on:
          push:
            tags: ["v*"]
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: pypi
            permissions:
              id-token: write
            steps:
              - uses: example-org/fetch-dist@main
              - uses: actions/download-artifact@v4
              - uses: pypa/gh-action-pypi-publish@release/v1
        """, select={"TC401"})
    assert [(f.pos.line, f.severity) for f in findings] == [(11, "error"), (12, "warning"), (13, "note")]
