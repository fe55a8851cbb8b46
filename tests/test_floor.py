"""benchmarks/floor.py's stage processes still run against the package as it is (the timing
itself needs the peers from PyPI and is not a test)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def stage_script() -> str:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import floor
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return floor._STAGE


@pytest.mark.parametrize("stage", ["start-up", "load", "model", "facts", "rules"])
def test_each_stage_runs_over_the_examples(stage_script: str, stage: str) -> None:
    done = subprocess.run([sys.executable, "-c", stage_script, stage, str(REPO / "examples")], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
