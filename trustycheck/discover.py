"""Turn command-line paths into the files to lint.

A file named directly is always linted, whatever its name. A directory is searched the
conventional way: in a repository root (a folder holding ``.github`` or ``.git``, or its
``.github`` folder) the workflows GitHub runs (``.github/workflows/*.y{a,}ml``, top level only,
as GitHub reads them) plus local actions (``action.y{a,}ml`` anywhere under ``.github/``); any
other directory is treated as a workflows folder (its ``*.y{a,}ml`` files). With no argument,
only the current directory's workflows are looked for: a project's ``docker-compose.yml`` is
not a workflow. ``-`` is standard input, read by the CLI and named by ``--stdin-filename``.
Symlinked directories are not followed, so a symlink loop cannot hang the search; a file
entry that cannot be read is still listed, so it is reported rather than skipped.
"""

from __future__ import annotations

import errno
import os

from trustycheck.boundary import refusal
from dataclasses import dataclass

_YAML_SUFFIXES = (".yml", ".yaml")
_ACTION_NAMES = ("action.yml", "action.yaml")


class DiscoveryError(Exception):
    """A path argument that cannot be used (does not exist)."""


@dataclass(eq=False, repr=False)
class Target:
    """A file to lint and the repository root it belongs to (if known). Paths are strings
    spelled from the argument given (``./w/`` gives ``w/a.yml``): pathlib objects cost a few
    microseconds each, which mattered across hundreds of files."""

    path: str
    root: str | None
    data: bytes | None = None
    """The file's bytes when they are not read from ``path`` (standard input)."""


STDIN = "-"


def discover(arguments: list[str], stdin: tuple[str, bytes] | None = None) -> list[Target]:
    """Files to lint for the given arguments (the current directory's workflows when there are
    none); ``stdin`` is the name and bytes of standard input, given as ``-``."""
    if not arguments:
        return _search_current()
    targets: list[Target] = []
    seen: set[str] = set()
    for argument in arguments:
        if argument == STDIN and stdin is not None:
            name = spelled(stdin[0])
            targets.append(Target(name, _root_of(name), stdin[1]))
            seen.add(os.path.normpath(name))
            continue
        if not _exists(argument):
            raise DiscoveryError(f"{argument}: no such file or directory")
        path = spelled(argument)
        found = [Target(path, _root_of(path))] if not os.path.isdir(path) else _search(path)
        for target in found:
            key = os.path.normpath(target.path)
            if key not in seen:
                seen.add(key)
                targets.append(target)
    return targets


def _exists(path: str) -> bool:
    """Whether ``path`` names something, even something that cannot be looked at (a path too
    long, a folder above it without permission): that is linted, to report why it cannot be."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def spelled(path: str | os.PathLike[str]) -> str:
    """``path`` as pathlib spells it: no empty or ``.`` parts, no trailing separator (so
    ``./a//b/`` is ``a/b``); ``..`` is kept, as it may cross a symlink."""
    text = os.fspath(path)
    if os.name == "nt":  # pragma: no cover - drives and UNC names: leave them to pathlib
        from pathlib import PurePath

        return str(PurePath(text))
    if text.startswith("//") and not text.startswith("///"):
        anchor = "//"
    else:
        anchor = "/" if text.startswith("/") else ""
    parts = [part for part in text.split("/") if part and part != "."]
    return anchor + "/".join(parts) if parts or anchor else "."


def _join(directory: str, name: str) -> str:
    """``directory/name`` as pathlib spells it (``.`` joined with ``a`` is ``a``)."""
    return name if directory == "." else os.path.join(directory, name)


def _name(path: str) -> str:
    return os.path.basename(path)


def _parent(path: str) -> str:
    return os.path.dirname(path) or "."


def _search_current() -> list[Target]:
    """With no argument: the workflows and actions of the repository here, or of the one whose
    ``.github`` (or ``.github/workflows``) folder this is; nothing in any other folder."""
    here = os.getcwd()
    if _name(here) == ".github" or (_name(here) == "workflows" and _name(_parent(here)) == ".github"):
        return _search(".")
    return _search_repo(".")


def _search(directory: str) -> list[Target]:
    github = _join(directory, ".github")
    if os.path.isdir(github) or os.path.lexists(_join(directory, ".git")):
        return _search_repo(directory)
    if _name(directory) == ".github":
        return _search_repo(_parent(directory))
    if _name(directory) == "workflows" and _name(_parent(directory)) == ".github":
        return _search_repo(_parent(_parent(directory)))
    return [Target(path, None) for path in _yaml_files(directory)]


def discover_repository(root: str | os.PathLike[str]) -> list[Target]:
    """The workflows and local actions of the repository at ``root``."""
    return _search_repo(spelled(root))


def _search_repo(root: str) -> list[Target]:
    """The workflows and local actions under ``root``'s ``.github``. A ``.github`` or
    ``workflows`` folder that leads out of the repository (a symlink to ``/``, say) is not
    searched but listed itself, so the loader reports it instead of reading what is there."""
    github = _join(root, ".github")
    if refusal(github) is not None:
        return [Target(github, root)]
    workflows = os.path.join(github, "workflows")
    files = [workflows] if refusal(workflows) is not None else _yaml_files(workflows)
    files.extend(_action_files(github))
    return [Target(path, root) for path in files]


_ABSENT = (errno.ENOENT, errno.ENOTDIR)
"""Listing errors that mean there is nothing to search (no such folder), not a failure."""


def _yaml_files(directory: str) -> list[str]:
    """The ``*.y{a,}ml`` entries of ``directory``; the directory itself when it exists but
    cannot be listed (no permission, a path too long), so that is reported, not skipped."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        return [] if error.errno in _ABSENT else [directory]
    return [_join(directory, entry.name) for entry in entries if entry.name.endswith(_YAML_SUFFIXES) and _lintable(entry)]


def _action_files(directory: str) -> list[str]:
    """``action.y{a,}ml`` files below ``directory``, without following symlinked folders; a
    folder below it that cannot be listed is listed itself (see :func:`_yaml_files`)."""
    found: list[str] = []
    pending = [directory]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            if error.errno not in _ABSENT or current != directory:
                found.append(current)
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(_join(current, entry.name))
            elif entry.name in _ACTION_NAMES and _lintable(entry):
                found.append(_join(current, entry.name))
    return sorted(found, key=_parts)  # ordered as paths, part by part (``a/b`` before ``a-b/c``)


def _parts(path: str) -> list[str]:
    return path.split(os.sep)


def _lintable(entry: os.DirEntry[str]) -> bool:
    """Anything with a workflow's name that is not a directory: a dangling symlink, a symlink
    loop or a FIFO is kept, so the loader reports why it cannot be read instead of the file
    silently going unchecked."""
    try:
        return not entry.is_dir()
    except OSError:
        return True


def _root_of(path: str) -> str | None:
    """The repository root for a file under ``<root>/.github/``, if it is one (spelled like
    the path given, so files reached from it are named the same way)."""
    candidates = [path] if os.path.isabs(path) else [path, spelled(os.path.join(os.getcwd(), path))]
    for candidate in candidates:
        parent = os.path.dirname(candidate)
        while parent and _name(parent) != ".github":
            up = os.path.dirname(parent)
            parent = up if up != parent else ""
        if parent:
            return _parent(parent)
    return None
