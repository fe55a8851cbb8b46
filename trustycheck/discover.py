"""Turn command-line paths into the files to lint.

A file named directly is always linted, whatever its name. A directory is searched the
conventional way: in a repository root (or its ``.github`` folder) the workflows GitHub runs
(``.github/workflows/*.y{a,}ml``, top level only, as GitHub reads them) plus local actions
(``action.y{a,}ml`` anywhere under ``.github/``); any other directory is treated as a
workflows folder (its ``*.y{a,}ml`` files). Symlinked directories are not followed, so a
symlink loop cannot hang the search; a file entry that cannot be read is still listed, so
it is reported rather than skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from trustycheck.records import record

_YAML_SUFFIXES = (".yml", ".yaml")
_ACTION_NAMES = ("action.yml", "action.yaml")


class DiscoveryError(Exception):
    """A path argument that cannot be used (does not exist)."""


@record(frozen=True)
class Target:
    """A file to lint and the repository root it belongs to (if known)."""

    path: Path
    root: Path | None


def discover(arguments: list[str]) -> list[Target]:
    """Files to lint for the given arguments (the current directory when there are none)."""
    targets: list[Target] = []
    seen: set[Path] = set()
    for argument in arguments or ["."]:
        path = Path(argument)
        if not os.path.lexists(path):
            raise DiscoveryError(f"{argument}: no such file or directory")
        found = [Target(path, _root_of(path))] if not path.is_dir() else _search(path)
        for target in found:
            key = Path(os.path.normpath(target.path))
            if key not in seen:
                seen.add(key)
                targets.append(target)
    return targets


def _search(directory: Path) -> list[Target]:
    github = directory / ".github"
    if (github / "workflows").is_dir() or github.is_dir():
        return _search_repo(directory)
    if directory.name == ".github":
        return _search_repo(directory.parent)
    if directory.name == "workflows" and directory.parent.name == ".github":
        return _search_repo(directory.parent.parent)
    return [Target(path, None) for path in _yaml_files(directory)]


def discover_repository(root: Path) -> list[Target]:
    """The workflows and local actions of the repository at ``root``."""
    return _search_repo(root)


def _search_repo(root: Path) -> list[Target]:
    github = root / ".github"
    files = _yaml_files(github / "workflows")
    files.extend(_action_files(github))
    return [Target(path, root) for path in files]


def _yaml_files(directory: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return []
    return [Path(entry.path) for entry in entries if entry.name.endswith(_YAML_SUFFIXES) and _lintable(entry)]


def _action_files(directory: Path) -> list[Path]:
    """``action.y{a,}ml`` files below ``directory``, without following symlinked folders."""
    found: list[Path] = []
    pending = [directory]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif entry.name in _ACTION_NAMES and _lintable(entry):
                found.append(Path(entry.path))
    return sorted(found)


def _lintable(entry: os.DirEntry) -> bool:
    """Anything with a workflow's name that is not a directory: a dangling symlink, a symlink
    loop or a FIFO is kept, so the loader reports why it cannot be read instead of the file
    silently going unchecked."""
    try:
        return not entry.is_dir()
    except OSError:
        return True


def _root_of(path: Path) -> Path | None:
    """The repository root for a file under ``<root>/.github/``, if it is one (spelled like
    the path given, so files reached from it are named the same way)."""
    for parent in path.parents:
        if parent.name == ".github":
            return parent.parent
    resolved = path.absolute()
    for parent in resolved.parents:
        if parent.name == ".github":
            return parent.parent
    return None
