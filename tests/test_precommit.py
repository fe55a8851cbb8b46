"""The pre-commit hook, driven by the real pre-commit against a temporary git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TOKEN_PUBLISH, TRUSTED_PUBLISH, write_tree

pytestmark = pytest.mark.slow

def _pre_commit() -> list[str]:
    found = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (it is in the [test] extra)")
    return [found]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's working tree (committed or not, as ``pre-commit try-repo`` would take
    it) committed into a repository of its own: its path and revision.

    Every test names that one revision in its ``.pre-commit-config.yaml``, so pre-commit
    builds the hook's environment once per run; ``try-repo`` makes a new revision, and so a
    new environment (5 s), for every call."""
    if not (REPO / ".git").exists():
        pytest.skip("the hook is taken from this checkout's git repository")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet staged is listed too
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=snapshot, check=True, capture_output=True, text=True)
    return snapshot, revision.stdout.strip()


@pytest.fixture(scope="session")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the whole run, so the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def _project(tmp_path: Path, files: dict[str, str], hook_repo: tuple[Path, str], hook_settings: dict | None = None,
             hook_id: str = "trustycheck") -> Path:
    """A user's repository whose .pre-commit-config.yaml uses the trustycheck hook."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    source, revision = hook_repo
    config = {"repos": [{"repo": str(source), "rev": revision, "hooks": [{"id": hook_id, **(hook_settings or {})}]}]}
    write_tree(repo, {**files, ".pre-commit-config.yaml": yaml.safe_dump(config)})
    _git(repo, "add", "-A")
    return repo


def _run(repo: Path, home: Path, *args: str, hook_id: str = "trustycheck") -> subprocess.CompletedProcess:
    """``pre-commit run`` as a user runs it, with the hook from this checkout (and this
    interpreter's scripts first on PATH, as for a user who installed trustycheck)."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never",
           "PATH": os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*_pre_commit(), "run", hook_id, "--color", "never", *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())

ACTION = """\
name: build
description: Build the distributions.
runs:
  using: composite
  steps:
    - run: python -m build
      shell: bash
"""

BROKEN_ACTION = "name: broken\nruns: [\n"
"""Not YAML (TC001 if it were linted): a fixture of a test suite that checks parse errors."""


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook["id"])
def test_hook_manifest_matches_the_workflows_github_runs_and_local_actions_only(hook: dict) -> None:
    """GitHub runs workflows directly in .github/workflows; actions live at the repository's
    root (the repository is the action) or under .github/. Copies elsewhere, in test fixtures
    and docs, are not what GitHub runs, and often bad on purpose."""
    pattern = re.compile(hook["files"])
    for path in (".github/workflows/release.yml", ".github/workflows/ci.yaml", "action.yml", "action.yaml",
                 ".github/action.yml", ".github/actions/upload/action.yaml"):
        assert pattern.search(path), path
    for path in ("release.yml", ".github/workflows/sub/x.yml", ".github/dependabot.yml", "docs/action.yml.md",
                 "myaction.yml", "tools/setup/action.yml", "tests/fixtures/bad/action.yml",
                 "docs/examples/workflow.yml", "docs/.github/workflows/release.yml", ".github/workflows/x.yml.orig"):
        assert not pattern.search(path), path


def test_the_two_hooks_differ_only_in_how_trustycheck_is_installed() -> None:
    python, system = HOOKS
    assert (python["id"], python["language"]) == ("trustycheck", "python")
    assert (system["id"], system["language"]) == ("trustycheck-system", "system")
    same = ("entry", "files", "types", "require_serial", "minimum_pre_commit_version")
    assert {key: python[key] for key in same} == {key: system[key] for key in same}
    assert python["entry"].endswith(" --")


def test_fixtures_and_docs_are_not_passed_to_the_hook(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    """A repository keeping bad workflows as test fixtures and docs passes: only the workflow
    and the action GitHub runs are linted, and they are clean."""
    files = {".github/workflows/release.yml": TRUSTED_PUBLISH, "action.yml": ACTION,
             "tests/fixtures/broken/action.yml": BROKEN_ACTION, "tests/fixtures/token/.github/workflows/release.yml": TOKEN_PUBLISH,
             "docs/examples/workflow.yml": TOKEN_PUBLISH, "docs/.github/workflows/release.yml": TOKEN_PUBLISH}
    repo = _project(tmp_path, files, hook_repo)
    result = _run(repo, hook_home, "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    result = _run(repo, hook_home, "--files", "tests/fixtures/broken/action.yml", "docs/examples/workflow.yml")
    assert result.returncode == 0 and "Skipped" in result.stdout, result.stdout + result.stderr


def test_system_hook_runs_the_trustycheck_on_path(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    repo = _project(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH, "docs/workflow.yml": TOKEN_PUBLISH},
                    hook_repo, hook_id="trustycheck-system")
    result = _run(repo, hook_home, "--all-files", hook_id="trustycheck-system")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ".github/workflows/release.yml:10:11: error TC101 [token-publish]" in result.stdout
    assert "docs/workflow.yml" not in result.stdout


def test_bad_workflow_fails_the_hook_with_the_finding(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    repo = _project(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH}, hook_repo)
    result = _run(repo, hook_home, "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "trustycheck" in result.stdout and "Failed" in result.stdout
    assert ".github/workflows/release.yml:10:11: error TC101 [token-publish]" in result.stdout


def test_good_workflow_passes(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    repo = _project(tmp_path, {".github/workflows/release.yml": TRUSTED_PUBLISH}, hook_repo)
    result = _run(repo, hook_home, "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_only_the_files_passed_are_checked(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    repo = _project(tmp_path, {".github/workflows/release.yml": TRUSTED_PUBLISH, ".github/workflows/old.yml": TOKEN_PUBLISH}, hook_repo)
    result = _run(repo, hook_home, "--files", ".github/workflows/release.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run(repo, hook_home, "--files", ".github/workflows/old.yml")
    assert result.returncode == 1 and "old.yml:10:11: error TC101" in result.stdout


def test_a_change_touching_no_workflow_is_not_blocked(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    repo = _project(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH, "README.md": "hello\n"}, hook_repo)
    result = _run(repo, hook_home, "--files", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Skipped" in result.stdout


def test_a_file_named_like_an_option_is_linted_as_a_file(tmp_path: Path, hook_repo, hook_home: Path) -> None:
    """With the hook's files widened by the user, pre-commit passes '-rf.yml' and '--help.yml'
    at the top of the repository: after '--', they are file names, not options."""
    files = {"-rf.yml": TOKEN_PUBLISH, "--help.yml": TRUSTED_PUBLISH}
    repo = _project(tmp_path, files, hook_repo, {"files": r"^-.*\.yml$"})
    result = _run(repo, hook_home, "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "-rf.yml:10:11: error TC101 [token-publish]" in result.stdout
    assert "error:" not in result.stdout
