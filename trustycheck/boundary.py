"""What "the repository" is for a path, and whether a file may be read as part of it.

A pull request decides what its files are, symlinks included: a workflow can be a link to
``/proc/self/environ``, to a file outside the checkout or to ``.git/config``, and ``.github``
can be a link to ``/``. Linting must only read the repository's own files, so every file is
read through its real path, and only when that path lies inside the repository, outside its
``.git`` folder and outside the kernel's ``/proc`` and ``/sys`` (whose files look regular).

The repository of a path is, from the path as given (before symlinks are followed):

1. the nearest directory above it that holds ``.git`` (a folder, or a file in a worktree or
   submodule): the git top level;
2. else the parent of the nearest ``.github`` folder above it;
3. else the directory the path is in (for a directory named on the command line, the files
   found in it are in it, so that directory).

The answer only decides what may be read; where local calls (``uses: ./x``) start from is the
parent of ``.github`` (see :mod:`trustycheck.discover`).
"""

from __future__ import annotations

import os
from functools import lru_cache

_KERNEL_FOLDERS = ("/proc", "/sys")
"""Where the kernel shows its state as files that claim to be regular (Linux)."""

_GIT = ".git"


def repository_of(path: str) -> str:
    """The repository ``path`` belongs to (an absolute path, symlinks not followed)."""
    return _repository_of_folder(os.path.dirname(os.path.abspath(path)))


@lru_cache(maxsize=1024)  # the files of a folder share it; a run never changes the tree it reads
def _repository_of_folder(folder: str) -> str:
    current, github_parent = folder, None
    while True:
        if os.path.lexists(os.path.join(current, _GIT)):
            return current
        parent = os.path.dirname(current)
        if github_parent is None and os.path.basename(current) == ".github":
            github_parent = parent
        if parent == current:
            return github_parent or folder
        current = parent


def locate(path: str, repository: str | None = None) -> tuple[str, str | None]:
    """The real path of ``path`` (a file or a folder: what reading it would read) and why it
    must not be read, in words (None when it may be). ``repository`` defaults to
    :func:`repository_of` the path."""
    real = _real_path(path)
    if _has_git_part(os.path.abspath(path)):
        return real, "it is inside a .git folder, which holds git's own data, not workflows"
    top = _real_folder(repository_of(path) if repository is None else os.path.abspath(repository))
    inside = top.rstrip(os.sep) + os.sep
    if real != top and not real.startswith(inside):
        return real, "it points outside the repository"
    if _has_git_part(real[len(inside):]):
        return real, "it points into the .git folder, which holds git's own data, not workflows"
    if any(real == folder or real.startswith(folder + os.sep) for folder in _KERNEL_FOLDERS):
        return real, "it is a special file of the operating system, not a workflow"
    return real, None


def refusal(path: str, repository: str | None = None) -> str | None:
    """Why ``path`` must not be read (see :func:`locate`), or None."""
    return locate(path, repository)[1]


def _real_path(path: str) -> str:
    """``os.path.realpath(path)``, with the folder's real path worked out once for all the
    files in it (most files are not links: one ``lstat`` each instead of one per part)."""
    absolute = os.path.abspath(path)
    if ".." in path.split(os.sep):  # a link before the .. decides where it leads: resolve it all
        return os.path.realpath(path)
    folder, name = os.path.split(absolute)
    candidate = os.path.join(_real_folder(folder), name)
    return os.path.realpath(candidate) if name and os.path.islink(candidate) else candidate


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _has_git_part(path: str) -> bool:
    return any(part.lower() == _GIT for part in path.split(os.sep))
