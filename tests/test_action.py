"""The GitHub Action (action.yml) and the code-scanning example users copy."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO, run_cli

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXAMPLE = yaml.safe_load((EXAMPLES / "code-scanning.yml").read_text())


def test_trustycheck_reports_nothing_on_the_example_and_the_action() -> None:
    result = run_cli("--no-color", str(EXAMPLES / "code-scanning.yml"), str(REPO / "action.yml"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == "No findings (2 files checked).\n"


def test_example_uploads_sarif_with_minimal_permissions_and_a_sha_pin() -> None:
    assert EXAMPLE["permissions"] == {}
    job = EXAMPLE["jobs"]["trustycheck"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert re.fullmatch(r"github/codeql-action/upload-sarif@[0-9a-f]{40}", upload["uses"])
    lint = next(step for step in steps if step.get("uses", "").startswith("trustycheck/"))
    assert lint["with"]["format"] == "sarif"
    assert lint["with"]["output"] == upload["with"]["sarif_file"]
    assert steps[0]["with"]["persist-credentials"] is False


def test_action_declares_its_inputs_and_installs_from_its_own_checkout() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "format", "output", "args"}
    install = ACTION["runs"]["steps"][0]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs must reach scripts through env, never by interpolation"


@pytest.mark.slow
def test_action_steps_run_for_real(tmp_path: Path) -> None:
    """Run the composite steps the way the runner would: inputs in env, bash, the action's path."""
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    workspace = tmp_path / "workspace"
    (workspace / ".github" / "workflows").mkdir(parents=True)
    (workspace / ".github" / "workflows" / "release.yml").write_text((EXAMPLES / "action-with-token.yml").read_text())
    inputs = {"paths": ".", "format": "sarif", "output": "trustycheck.sarif", "args": "--exit-zero --select TC101"}
    env = {
        **os.environ,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ACTION_PATH": str(REPO),
        **{f"TRUSTYCHECK_{name.upper()}": value for name, value in inputs.items()},
    }
    for step in ACTION["runs"]["steps"]:
        result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{step['name']}: {result.stdout}\n{result.stderr}"
    sarif = json.loads((workspace / "trustycheck.sarif").read_text())
    [finding] = sarif["runs"][0]["results"]
    assert finding["ruleId"] == "TC101"
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".github/workflows/release.yml"
