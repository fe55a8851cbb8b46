"""Hostile input: every case of benchmarks/hostile.py, run through the real command line.

Each must end cleanly (exit 0 or 1, never 2, no traceback) with exactly the expected findings,
every one positioned inside its file. A per-test timeout turns a hang into a failure; the time
and memory bounds themselves are measured by ``python benchmarks/hostile.py``.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import CORPUS, hostile, run_cli
from sarif_checks import check_for_code_scanning, official_schema, schema_path


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", hostile.CASES, ids=[case.name for case in hostile.CASES])
def test_hostile_input_ends_cleanly_with_the_expected_findings(case, tmp_path: Path) -> None:
    arguments = case.make(tmp_path)
    result = run_cli("--format", "json", *arguments, cwd=tmp_path, timeout=50)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == (1 if case.expect else 0), result.stderr
    report = json.loads(result.stdout)
    assert case.holds_for(result.stdout), (sorted(hostile.findings_of(result.stdout)), case.expect, case.says)
    for finding in report["findings"]:
        path = Path(finding["path"]) if Path(finding["path"]).is_absolute() else tmp_path / finding["path"]
        lines = _line_count(path)
        assert 1 <= finding["line"] <= finding["end_line"] <= max(lines, 1), finding
        assert finding["column"] >= 1 and finding["end_column"] >= 1, finding


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", hostile.CASES, ids=[case.name for case in hostile.CASES])
def test_no_output_format_shows_a_control_character_a_command_or_a_credential(case, tmp_path: Path, monkeypatch) -> None:
    """Every format, rendered in-process from one lint of the case (the command line's JSON
    run above checks the findings; `python benchmarks/hostile.py` times every format)."""
    from trustycheck.discover import discover
    from trustycheck.pipeline import catalog, lint
    from trustycheck.settings import Settings
    from trustycheck.report.github import render_github
    from trustycheck.report.json_report import render_json
    from trustycheck.report.sarif import render_sarif
    from trustycheck.report.text import render_text

    arguments = [argument for argument in case.make(tmp_path) if argument != "--"]
    monkeypatch.chdir(tmp_path)
    rules = list(catalog())
    reports = lint(discover(arguments), Settings(rules=tuple(rules)))
    outputs = {"json": render_json(reports), "text": render_text(reports, color=False), "sarif": render_sarif(reports, rules),
               "github": render_github(reports)}
    assert [problem for name, output in outputs.items() for problem in hostile.output_problems(output, name)] == []
    check_for_code_scanning(json.loads(outputs["sarif"]), official_schema(schema_path(CORPUS)))


def _line_count(path: Path) -> int:
    """Lines of a file as YAML counts them (0 when it cannot be read: positions are then 1:1)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return 0  # a FIFO: reading it here would block
        data = path.read_bytes()
    except OSError:
        return 0
    for encoding in ("utf-8", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    return text.count("\n") + 1


def test_every_case_is_described_and_named_once() -> None:
    names = [case.name for case in hostile.CASES]
    assert len(names) == len(set(names))
    assert all(case.why for case in hostile.CASES)
