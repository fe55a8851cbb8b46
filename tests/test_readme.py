"""The README's copy-paste snippets work, so they cannot rot."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import yaml

from conftest import EXAMPLES, REPO, lint_text, run_cli

README = (REPO / "README.md").read_text()


def block_after(marker: str, language: str) -> str:
    """The first fenced block of ``language`` after ``marker``."""
    rest = README.split(marker, 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", rest, re.S)
    assert match, f"no ```{language} block after {marker!r}"
    return match.group(1)


def test_code_scanning_snippet_is_the_example_file() -> None:
    assert block_after("### GitHub Action and code scanning", "yaml") == (EXAMPLES / "code-scanning.yml").read_text()


def test_pre_commit_snippet_names_the_hook_this_repository_offers() -> None:
    config = yaml.safe_load(block_after("### pre-commit", "yaml"))
    [hook] = config["repos"][0]["hooks"]
    offered = {entry["id"] for entry in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hook["id"] in offered


def test_configuration_snippet_is_valid_and_takes_effect(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(block_after("### Configuration", "toml"))
    (tmp_path / "ci" / "trustycheck-rules").mkdir(parents=True)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text((EXAMPLES / "action-with-token.yml").read_text())
    result = run_cli("--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["severity"] in ("warning", "error") for f in findings)
    assert {f["severity"] for f in findings if f["rule"] == "TC401"} == {"error"}
    assert not any(f["rule"] == "TC204" for f in findings)


def test_inline_suppression_snippet_suppresses_the_finding() -> None:
    step = textwrap.dedent(block_after("### Inline suppression", "yaml"))
    workflow = "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n" + textwrap.indent(step, "      ")
    assert lint_text(workflow, {"TC001", "TC101"}) == []
    assert [f.rule_id for f in lint_text(workflow.replace("# trustycheck: ignore[TC101]", "#"), {"TC101"})] == ["TC101"]


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert blocks[0].strip() == "python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && trustycheck examples/"
    assert blocks[1].strip() == "python -m pip install -e '.[test]' && python -m pytest"
    assert (REPO / ".ci" / "run").read_text().count("python -m pytest") == 1
