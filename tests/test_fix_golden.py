"""`trustycheck fix --unsafe` on whole release workflows, byte for byte (tests/fix_golden/):
the two seed workflows of examples/ that upload with a token, and a poetry, a uv, a twine (CRLF
line endings) and a maturin release workflow, and an outdated PyPA action. Each must come out
clean of every credential rule, with only the lines that had to change changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES
from trustycheck.cli import run
from trustycheck.fixes.engine import lint_text
from trustycheck.settings import catalog

GOLDEN = Path(__file__).parent / "fix_golden"
CASES = sorted(path.name.removesuffix(".in.yml") for path in GOLDEN.glob("*.in.yml"))
CREDENTIAL_RULES = {"TC101", "TC102", "TC103", "TC104", "TC105", "TC201"}
SEEDS = {"action-with-token", "hardcoded-token", "token-in-secrets"}


def _credential_findings(path: Path) -> list[str]:
    linted = lint_text(str(path), str(path.parents[2]), path.read_bytes().decode("utf-8"), catalog())
    return [finding.rule_id for finding in linted.findings if finding.rule_id in CREDENTIAL_RULES]


@pytest.fixture
def workflow(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    target = tmp_path / ".github" / "workflows" / f"{request.param}.yml"
    target.parent.mkdir(parents=True)
    shutil.copyfile(GOLDEN / f"{request.param}.in.yml", target)
    return target


@pytest.mark.parametrize("workflow", CASES, indirect=True)
def test_fix_unsafe_gives_the_golden_file(workflow: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = workflow.stem
    assert name == "old-action" or _credential_findings(workflow), "the input has a credential finding to fix"
    run(["fix", "--unsafe", str(workflow)])
    assert workflow.read_bytes() == (GOLDEN / f"{name}.out.yml").read_bytes()
    assert _credential_findings(workflow) == []
    capsys.readouterr()
    run(["fix", "--unsafe", str(workflow)])  # nothing is left to fix: a second run changes nothing
    assert workflow.read_bytes() == (GOLDEN / f"{name}.out.yml").read_bytes()
    assert "Applied 0 fixes in 0 files" in capsys.readouterr().out


def test_the_seed_inputs_are_the_examples() -> None:
    for name in SEEDS:
        assert (GOLDEN / f"{name}.in.yml").read_bytes() == (EXAMPLES / f"{name}.yml").read_bytes()


def test_crlf_input_keeps_crlf() -> None:
    data = (GOLDEN / "twine-crlf.out.yml").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 20


def test_readme_migration_section_shows_the_real_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Migrate to Trusted Publishing", 1)[1]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text('[remote "origin"]\n\turl = https://github.com/octo-org/example-package.git\n')
    shutil.copyfile(EXAMPLES / "action-with-token.yml", tmp_path / ".github" / "workflows" / "release.yml")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert run(["fix", "--unsafe", "--diff", "--publisher-settings"]) == 1
    assert capsys.readouterr().out == shown
