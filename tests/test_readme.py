"""The README's copy-paste snippets work, so they cannot rot."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
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
    assert blocks[1].strip() == "python -m pip install -e '.[test]' && python -m mypy && python -m pytest"
    assert (REPO / ".ci" / "run").read_text().count("python -m pip install -e '.[test]' && python -m mypy && python -m pytest") == 1


def test_shell_completion_snippet_produces_each_shells_script(capsys, monkeypatch) -> None:
    from trustycheck.cli import run

    shells = []
    for line in block_after("### Shell completion", "sh").splitlines():
        match = re.match(r"_TRUSTYCHECK_COMPLETE=(\w+)_source trustycheck > (\S+)", line)
        assert match, line
        shell, target = match.groups()
        shells.append(shell)
        monkeypatch.setenv("_TRUSTYCHECK_COMPLETE", f"{shell}_source")
        with pytest.raises(SystemExit) as leaving:
            run([])
        assert leaving.value.code == 0 and f"_TRUSTYCHECK_COMPLETE={shell}_complete" in capsys.readouterr().out, shell
        assert target.endswith(f".{shell}")
    assert shells == ["bash", "zsh", "fish"]


def test_usage_table_lists_every_lint_option(capsys) -> None:
    """Every option of `trustycheck --help` is in the README's table, and nothing else is."""
    from trustycheck.cli import run

    assert run(["--help"]) == 0
    help_text = capsys.readouterr().out.split("\nOptions:\n", 1)[1].split("\nCommands:\n", 1)[0]
    offered = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", " ".join(line.split("  ")[1] for line in help_text.splitlines()
                                                                     if line.startswith("  -"))))
    table = README.split("| Option | Meaning |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"`(--?[a-z][a-z-]*)", table))
    assert documented == offered


def test_nothing_points_at_a_repository_or_release_of_trustycheck_that_does_not_exist() -> None:
    """trustycheck is published nowhere yet: the README, the examples and the rules' references
    name placeholders for the user's own copy, never an invented repository, tag or PyPI page."""
    texts = {"README.md": README}
    texts |= {f"examples/{path.name}": path.read_text() for path in EXAMPLES.iterdir() if path.is_file()}
    texts |= {f"rules/{path.name}": path.read_text() for path in (REPO / "rules").glob("*.yml")}
    invented = re.compile(r"github\.com/trustycheck/|uses:\s*trustycheck/|pypi\.org/project/trustycheck|rev:\s*v\d")
    assert {name: invented.findall(text) for name, text in texts.items() if invented.search(text)} == {}
