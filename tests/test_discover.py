"""Discovery: which files are linted and how their paths are spelled in every report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trustycheck.discover import discover, spelled


@pytest.mark.parametrize(
    "path",
    ["a", "./a//b/", "a/./b", "/a/b/", "//a/b", "///a", ".", "./", "../x/..", "a/../b", "/"],
)
def test_paths_are_spelled_as_pathlib_spells_them(path: str) -> None:
    assert spelled(path) == str(Path(path))


def _write(root: Path, relative: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("on: push\njobs: {}\n")


def test_a_repository_given_as_a_relative_path_keeps_that_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for relative in (".github/workflows/b.yml", ".github/workflows/a.yaml", ".github/workflows/notes.txt",
                     ".github/actions/a-b/c/action.yml", ".github/actions/a/b/action.yaml", ".github/actions/a/action.yml"):
        _write(tmp_path / "repo", relative)
    monkeypatch.chdir(tmp_path)
    targets = discover(["./repo/"])
    assert [(target.path, target.root) for target in targets] == [
        ("repo/.github/workflows/a.yaml", "repo"),
        ("repo/.github/workflows/b.yml", "repo"),
        ("repo/.github/actions/a/action.yml", "repo"),
        ("repo/.github/actions/a/b/action.yaml", "repo"),
        ("repo/.github/actions/a-b/c/action.yml", "repo"),
    ]
    monkeypatch.chdir(tmp_path / "repo")
    assert [target.path for target in discover([])][:2] == [".github/workflows/a.yaml", ".github/workflows/b.yml"]
    assert discover(["../repo/.github/workflows/b.yml"])[0].root == "../repo"


def test_a_file_inside_the_github_folder_finds_its_repository_from_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "repo", ".github/workflows/w.yml")
    monkeypatch.chdir(tmp_path / "repo" / ".github" / "workflows")
    [target] = discover(["w.yml"])
    assert target.path == "w.yml"
    assert target.root == os.path.join(str(tmp_path), "repo")
