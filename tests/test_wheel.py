"""The built wheel carries the rule catalog and schemas and works away from the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "trustycheck"
    # Build from a copy so a stray build never touches the checkout.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", ".ci-venv", "__pycache__", "*.egg-info", "dist", "build"))
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=source, check=True, capture_output=True)
    (built,) = out.glob("trustycheck-*.whl")
    return built


def test_wheel_contains_rules_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = sorted(p.name for p in (REPO / "rules").glob("*.yml"))
    assert rules
    for name in rules:
        assert f"trustycheck/rules/{name}" in names
    assert "trustycheck/schemas/rule.schema.json" in names
    assert "trustycheck/schemas/output.schema.json" in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import trustycheck; print(trustycheck.__file__)"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(site))
    result = subprocess.run(
        [sys.executable, "-m", "trustycheck", "--format", "json", str(EXAMPLES)],
        cwd=elsewhere, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    assert any(f["rule"] == "TC101" for f in json.loads(result.stdout)["findings"])
    listed = subprocess.run([sys.executable, "-m", "trustycheck", "rules"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert "TC101  token-publish" in listed.stdout
