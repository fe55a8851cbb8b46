"""Nothing outside the repository is read: symlinks out of it, into .git or /proc are refused
(TC001, without their content), a .github that leads out is not walked, and a folder that
cannot be listed is reported instead of skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import TOKEN_PUBLISH, run_cli
from trustycheck.boundary import locate, repository_of
from trustycheck.discover import discover

MARKER = "planted-secret-value-31337"
FORMATS = ("text", "json", "sarif", "github")
OUTSIDE = "not read: it points outside the repository"


def _repo(root: Path) -> Path:
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").write_text(TOKEN_PUBLISH)
    return workflows


def _outside_file(directory: Path) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / "elsewhere.yml"
    path.write_text(f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo {MARKER}\n\tbad\n")
    return path


def _findings(root: Path, *args: str) -> list[tuple[str, str, int, int, str]]:
    result = run_cli("--format", "json", *args, str(root), cwd=root.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return sorted((os.path.relpath(os.path.join(root.parent, f["path"]), root), f["rule"], f["line"], f["column"], f["message"])
                  for f in json.loads(result.stdout)["findings"])


def _refused(name: str, why: str = OUTSIDE) -> tuple[str, str, int, int, str]:
    return (name, "TC001", 1, 1, why)


def _release_findings() -> list[tuple[str, str, int, int]]:
    return [(".github/workflows/release.yml", rule, line, column) for rule, line, column in
            (("TC101", 10, 11), ("TC204", 5, 3), ("TC301", 5, 3), ("TC401", 8, 15))]


def _without_messages(found):
    return sorted(item[:4] for item in found)


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_workflow_symlinked_outside_is_refused_and_its_content_never_shown(tmp_path: Path, output_format: str) -> None:
    workflows = _repo(tmp_path / "repo")
    os.symlink(_outside_file(tmp_path / "other"), workflows / "linked.yml")
    result = run_cli("--format", output_format, "repo", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert MARKER not in result.stdout + result.stderr
    assert "points outside the repository" in result.stdout


def test_the_refusal_is_one_tc001_at_the_start_and_the_other_files_are_linted(tmp_path: Path) -> None:
    workflows = _repo(tmp_path / "repo")
    os.symlink(_outside_file(tmp_path / "other"), workflows / "linked.yml")
    found = _findings(tmp_path / "repo")
    assert _refused(".github/workflows/linked.yml") in found
    assert _without_messages(found) == sorted([(".github/workflows/linked.yml", "TC001", 1, 1), *_release_findings()])


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_workflow_symlinked_to_the_process_environment_is_not_read(tmp_path: Path, output_format: str) -> None:
    workflows = _repo(tmp_path / "repo")
    os.symlink("/proc/self/environ", workflows / "env.yml")
    result = run_cli("--format", output_format, "repo", cwd=tmp_path, env={"PLANTED": MARKER})
    assert MARKER not in result.stdout + result.stderr
    assert "PLANTED" not in result.stdout + result.stderr
    assert "points outside the repository" in result.stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_workflow_symlinked_into_git_is_not_read(tmp_path: Path, output_format: str) -> None:
    root = tmp_path / "repo"
    workflows = _repo(root)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = https://user:{MARKER}@example.com/x\n')
    os.symlink("../../.git/config", workflows / "config.yml")
    result = run_cli("--format", output_format, "repo", cwd=tmp_path)
    assert MARKER not in result.stdout + result.stderr
    assert "points into the .git folder" in result.stdout


def test_a_file_inside_git_named_on_the_command_line_is_not_read(tmp_path: Path) -> None:
    git = tmp_path / "repo" / ".git"
    git.mkdir(parents=True)
    (git / "w.yml").write_text(TOKEN_PUBLISH)
    result = run_cli("--format", "json", str(git / "w.yml"), cwd=tmp_path)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["line"], finding["message"]) == (
        "TC001", 1, "not read: it is inside a .git folder, which holds git's own data, not workflows")


@pytest.mark.timeout(60)
def test_a_github_folder_symlinked_to_the_root_is_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink("/", root / ".github")
    start = time.perf_counter()
    found = _findings(root)
    assert time.perf_counter() - start < 10
    assert found == [_refused(".github")]


def test_a_workflows_folder_symlinked_outside_is_one_finding(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".github").mkdir(parents=True)
    _outside_file(tmp_path / "other")
    os.symlink(tmp_path / "other", root / ".github" / "workflows")
    assert _findings(root) == [_refused(".github/workflows")]


def test_symlinks_that_stay_inside_the_repository_are_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    workflows = _repo(root)
    (root / "ci").mkdir()
    shutil.move(workflows / "release.yml", root / "ci" / "release.yml")
    os.symlink("../../ci/release.yml", workflows / "release.yml")
    assert _without_messages(_findings(root)) == _release_findings()


def test_in_a_git_checkout_the_repository_is_the_git_top_level(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    (top / ".git").mkdir(parents=True)
    (top / "shared").mkdir()
    (top / "shared" / "release.yml").write_text(TOKEN_PUBLISH)
    workflows = top / "service" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    os.symlink("../../../shared/release.yml", workflows / "release.yml")
    assert repository_of(str(workflows / "release.yml")) == str(top)
    assert _without_messages(_findings(top / "service")) == _release_findings()


def test_without_git_a_lone_file_belongs_to_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "lone").mkdir()
    elsewhere = _outside_file(tmp_path / "other")
    os.symlink(elsewhere, tmp_path / "lone" / "linked.yml")
    (tmp_path / "lone" / "plain.yml").write_text(TOKEN_PUBLISH)
    assert repository_of(str(tmp_path / "lone" / "plain.yml")) == str(tmp_path / "lone")
    assert locate(str(tmp_path / "lone" / "plain.yml"))[1] is None
    assert locate(str(tmp_path / "lone" / "linked.yml"))[1] == "it points outside the repository"
    result = run_cli("--format", "json", "lone/linked.yml", "lone/plain.yml", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["rule"], f["message"]) for f in findings if f["rule"] == "TC001"] == [
        ("lone/linked.yml", "TC001", OUTSIDE)]
    assert {f["rule"] for f in findings if f["path"] == "lone/plain.yml"} == {"TC101", "TC204", "TC301", "TC401"}


def test_a_file_of_the_kernel_named_directly_is_not_read(tmp_path: Path) -> None:
    result = run_cli("--format", "json", "/proc/self/environ", cwd=tmp_path, env={"PLANTED": MARKER})
    assert MARKER not in result.stdout
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["message"] == "not read: it is a special file of the operating system, not a workflow"


# --- folders that cannot be listed ---------------------------------------------------------

TOO_LONG = "cannot read it: File name too long (the path is longer than the system accepts); nothing in it is checked"


def _deeper_than_a_path_can_name(start: Path, marker: str = "action.yml") -> Path:
    """Folders nested past PATH_MAX (made one level at a time, relative to an open folder),
    with ``marker`` written at the bottom; returns the first folder whose path is too long."""
    name = "d" * 200
    first_too_long = None
    descriptor = os.open(start, os.O_RDONLY | os.O_DIRECTORY)
    path = start
    try:
        for _ in range(25):
            os.mkdir(name, dir_fd=descriptor)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
            path = path / name
            if first_too_long is None and len(os.fsencode(str(path))) >= 4096:
                first_too_long = path
        file_descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(file_descriptor, TOKEN_PUBLISH.encode())
        os.close(file_descriptor)
    finally:
        os.close(descriptor)
    assert first_too_long is not None
    return first_too_long


def test_an_action_deeper_than_a_path_can_name_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _repo(root)
    (root / ".github" / "actions").mkdir()
    too_long = _deeper_than_a_path_can_name(root / ".github" / "actions")
    targets = [target.path for target in discover([str(root)])]
    assert targets == [str(root / ".github" / "workflows" / "release.yml"), str(too_long)]
    found = _findings(root)
    assert [item[1:] for item in found if item[1] == "TC001"] == [("TC001", 1, 1, TOO_LONG)]


def test_a_folder_named_on_the_command_line_that_cannot_be_looked_at_is_a_finding(tmp_path: Path) -> None:
    too_long = _deeper_than_a_path_can_name(tmp_path, "w.yml")
    relative = os.path.relpath(too_long, tmp_path)
    result = run_cli("--format", "json", relative, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "no workflow files found" not in result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["message"]) == ("TC001", TOO_LONG)


def _without_permission_override() -> list[str]:
    """A command prefix under which permission bits apply: nothing for a user, and for root
    ``setpriv`` dropping the capabilities that let root read anything. Skips when neither works."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    drop = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"] if setpriv else []
    if not drop or subprocess.run([*drop, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, and root's permission override cannot be dropped here (no setpriv)")
    return drop


@pytest.mark.parametrize("folder", [".github/workflows", ".github/actions/upload"])
def test_a_folder_without_permission_is_a_finding_not_silence(tmp_path: Path, folder: str) -> None:
    prefix = _without_permission_override()
    root = tmp_path / "repo"
    (root / folder).mkdir(parents=True)
    (root / folder / ("action.yml" if "actions" in folder else "release.yml")).write_text(TOKEN_PUBLISH)
    (root / folder).chmod(0)
    try:
        result = subprocess.run([*prefix, *_cli(), "--format", "json", "repo"], cwd=tmp_path, capture_output=True, text=True,
                                timeout=60, env=_cli_env())
    finally:
        (root / folder).chmod(0o755)
    assert "no workflow files found" not in result.stderr
    assert result.returncode == 1, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["rule"], finding["message"]) == (
        f"repo/{folder}", "TC001", "cannot list this folder: Permission denied; the workflows or actions in it are not checked")


def _cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "trustycheck"]


def _cli_env() -> dict[str, str]:
    from conftest import REPO

    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_a_plain_folder_named_on_the_command_line_without_permission_is_a_finding(tmp_path: Path) -> None:
    prefix = _without_permission_override()
    folder = tmp_path / "workflows-copy"
    folder.mkdir()
    (folder / "release.yml").write_text(TOKEN_PUBLISH)
    folder.chmod(0)
    try:
        result = subprocess.run([*prefix, *_cli(), "--format", "json", folder.name], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60, env=_cli_env())
    finally:
        folder.chmod(0o755)
    assert "no workflow files found" not in result.stderr
    assert result.returncode == 1, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["path"], finding["rule"], finding["message"]) == (
        folder.name, "TC001", "cannot list this folder: Permission denied; the workflows or actions in it are not checked")


def test_the_real_path_is_the_one_the_system_resolves(tmp_path: Path) -> None:
    from trustycheck.boundary import _real_path

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.yml").write_text("x")
    os.symlink("a/b", tmp_path / "folder-link")
    os.symlink("b/f.yml", tmp_path / "a" / "file-link.yml")
    os.symlink("file-link.yml", tmp_path / "a" / "chain.yml")
    os.symlink("missing.yml", tmp_path / "a" / "dangling.yml")
    for relative in ("a/b/f.yml", "folder-link/f.yml", "a/file-link.yml", "a/chain.yml", "a/dangling.yml",
                     "folder-link/../b/f.yml", "a/b/../file-link.yml", "folder-link", "a/./b/f.yml"):
        path = str(tmp_path / relative)
        assert _real_path(path) == os.path.realpath(path), relative
