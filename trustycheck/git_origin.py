"""The GitHub repository a clone's ``origin`` remote names, read offline from ``.git/config``.

Both ``fix --publisher-settings`` and ``status``'s reports name the owner and repository to
register on PyPI. The file is the clone's own: nothing is read through a link (a ``.git`` folder
or ``config`` that is a symlink could name someone else's repository, or a file outside the
repository), nor from a FIFO or device that would block, nor beyond 64 KB.
"""

from __future__ import annotations

import configparser
import os
import stat

MAX_GIT_CONFIG = 64 * 1024


def github_origin(root: str | None) -> tuple[str, str] | None:
    """(owner, repository) of the ``origin`` remote in ``root/.git/config``, if it is on GitHub."""
    text = _git_config(root) if root is not None else None
    if text is None:
        return None
    try:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(text)
    except (OSError, configparser.Error):
        return None
    section = 'remote "origin"'
    url = parser.get(section, "url", fallback=None) if parser.has_section(section) else None
    return github_owner_and_name(url.strip()) if url else None


def _git_config(root: str) -> str | None:
    if os.path.islink(os.path.join(root, ".git")):
        return None
    try:
        descriptor = os.open(os.path.join(root, ".git", "config"),
                             os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_GIT_CONFIG:
                return None
            return handle.read(MAX_GIT_CONFIG).decode("utf-8", "replace")
        except OSError:
            return None


def github_owner_and_name(url: str) -> tuple[str, str] | None:
    """``owner/name`` of a GitHub remote URL (``https://github.com/o/n.git``, ``git@github.com:o/n``)."""
    at = url.find("github.com")
    if at == -1 or url[at + len("github.com"):at + len("github.com") + 1] not in (":", "/"):
        return None
    path = url[at + len("github.com"):].strip(":/").removesuffix("/").removesuffix(".git")
    parts = path.split("/")
    if len(parts) != 2 or not all(_github_name(part) for part in parts):
        return None
    return parts[0], parts[1]


def _github_name(part: str) -> bool:
    """An owner or repository name as GitHub allows it (ASCII letters, digits, ``_.-``)."""
    return 0 < len(part) <= 100 and all(char.isascii() and (char.isalnum() or char in "_.-") for char in part)
