"""The pipeline's safety net: a bug in the analysis of one file is a finding, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustycheck import pipeline
from trustycheck.discover import Target, discover
from trustycheck.settings import Settings


def test_an_analysis_crash_becomes_tc001_and_other_files_are_still_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.yml"
    bad = tmp_path / "boom.yml"
    for path in (good, bad):
        path.write_text("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: make\n")
    _break_analysis_of("boom.yml", monkeypatch)
    reports = pipeline.lint([Target(bad, None), Target(good, None)], Settings(rules=pipeline.catalog()))
    assert [(f.rule_id, f.pos.line) for f in reports[0].findings] == [("TC001", 1)]
    assert "could not analyse this file (KeyError: 'surprise')" in reports[0].findings[0].message
    assert reports[1].findings == []


def test_a_crash_in_a_repository_costs_only_the_file_that_caused_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "boom.yml").write_text("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: make\n")
    (workflows / "publish.yml").write_text(
        "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
        "      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n          password: ${{ secrets.T }}\n"
    )
    _break_analysis_of("boom.yml", monkeypatch)
    reports = pipeline.lint(discover([str(tmp_path)]), Settings(rules=tuple(r for r in pipeline.catalog() if r.id in ("TC001", "TC101"))))
    found = {Path(r.path).name: [f.rule_id for f in r.findings] for r in reports}
    assert found == {"boom.yml": ["TC001"], "publish.yml": ["TC101"]}


def _break_analysis_of(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the analysis raise whenever it meets the file ``name``."""
    real_one, real_project = pipeline.analyse, pipeline.analyse_project

    def one(doc):
        if doc.path.endswith(name):
            raise KeyError("surprise")
        return real_one(doc)

    def project(project, paths):
        if any(path.endswith(name) for path in paths):
            raise KeyError("surprise")
        return real_project(project, paths)

    monkeypatch.setattr(pipeline, "analyse", one)
    monkeypatch.setattr(pipeline, "analyse_project", project)


def test_a_failure_in_a_fact_read_late_costs_only_its_own_context(tmp_path, monkeypatch) -> None:
    """Some facts are computed when a rule first reads them, after the analysis. A bug there
    must not erase the run: the other contexts, in this file and in others, keep their
    findings, and the file says once that part of it could not be analysed."""
    from conftest import TOKEN_PUBLISH, lint_repo
    from trustycheck.model import facts

    from functools import cached_property

    real = facts.JobFacts._gating.func

    def failing(job):
        if job.id == "broken":
            raise IndexError("list index out of range")
        return real(job)

    gating = cached_property(failing)
    gating.__set_name__(facts.JobFacts, "_gating")
    monkeypatch.setattr(facts.JobFacts, "_gating", gating)
    broken = TOKEN_PUBLISH.replace("  publish:\n", "  broken:\n") + TOKEN_PUBLISH.split("jobs:\n", 1)[1]
    found = lint_repo(tmp_path, TOKEN_PUBLISH, {".github/workflows/broken.yml": broken}, select={"TC001", "TC101", "TC301", "TC303"})
    assert [(f.path, f.rule_id, f.pos.line) for f in found] == [
        (".github/workflows/broken.yml", "TC001", 1),
        (".github/workflows/broken.yml", "TC101", 10),  # the broken job's step: still judged
        (".github/workflows/broken.yml", "TC301", 11),  # the other job of the same file
        (".github/workflows/broken.yml", "TC101", 16),
        (".github/workflows/example.yml", "TC301", 5),  # another file
        (".github/workflows/example.yml", "TC101", 10),
    ]  # only the broken job's own TC301 (it reads the failing facts) is lost
    assert "could not analyse part of this file (IndexError: list index out of range)" in found[0].message
