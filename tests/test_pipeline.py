"""The pipeline's safety net: a bug in the analysis of one file is a finding, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustycheck import pipeline
from trustycheck.discover import Target


def test_an_analysis_crash_becomes_tc001_and_other_files_are_still_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.yml"
    bad = tmp_path / "boom.yml"
    for path in (good, bad):
        path.write_text("on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: make\n")
    real = pipeline.analyse

    def flaky(doc):
        if doc.path.endswith("boom.yml"):
            raise KeyError("surprise")
        return real(doc)

    monkeypatch.setattr(pipeline, "analyse", flaky)
    reports = pipeline.lint([Target(bad, None), Target(good, None)], list(pipeline.catalog()))
    assert [(f.rule_id, f.pos.line) for f in reports[0].findings] == [("TC001", 1)]
    assert "could not analyse this file (KeyError: 'surprise')" in reports[0].findings[0].message
    assert reports[1].findings == []
