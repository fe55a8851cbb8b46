"""A cache of compiled rule conditions, so a run does not compile the same generated code again.

The engine turns the conditions of each scope into Python source (``conditions.py``);
compiling that source took ≈ 7 ms per run, a seventh of a pre-commit run on one small
file, and the source only changes with the rules. Code objects are kept in the rule cache's
directory, one file per source text, beside the source itself and the versions they were
compiled for (like a ``.pyc``, a code object only runs on the Python that made it). A
missing, stale or corrupt file, or an unwritable directory, means the source is compiled as
if there were no cache; ``TRUSTYCHECK_NO_CACHE=1`` turns it off with the rule cache.

Loading code runs it, so a cache file is trusted only as far as the interpreter trusts its
own bytecode caches, and a little less: on POSIX systems the file and its directory must
belong to the user running trustycheck and the file must be writable by no one else, so a
cache directory others can write to (``TRUSTYCHECK_CACHE_DIR=/tmp/shared``) is never read
for code. Whoever can write as that user can change what runs anyway.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from types import CodeType

from trustycheck import __version__
from trustycheck.engine.rule_cache import cache_dir, read_stored, write_atomically

_FORMAT = 1
_compiled: dict[tuple[str, str], CodeType] = {}
"""Code compiled or loaded in this process, by (source, file name)."""


def compiled(source: str, filename: str) -> CodeType:
    """``compile(source, filename, "exec")``, from the cache when it holds it."""
    memo_key = (source, filename)
    code = _compiled.get(memo_key)
    if code is not None:
        return code
    key = (_FORMAT, __version__, sys.implementation.cache_tag, sys.version_info[:3], filename, source)
    where = _file(source)
    code = _load(where, key)
    if code is None:
        code = compile(source, filename, "exec")
        if where is not None:
            write_atomically(where, marshal.dumps((key, code)), mode=0o600)
    _compiled[memo_key] = code
    return code


def _load(where: str | None, key: tuple) -> CodeType | None:
    if where is None or not _private(where):
        return None
    code = read_stored(where, key)
    return code if isinstance(code, CodeType) else None


def _private(where: str) -> bool:
    """Whether the file and its directory are the running user's, and only the user can
    change the file or replace it (always true where there are no POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        file, directory = os.stat(where), os.stat(os.path.dirname(where))
    except OSError:
        return False
    user = os.getuid()
    return (file.st_uid == directory.st_uid == user and not file.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            and not directory.st_mode & stat.S_IWOTH)


def _file(source: str) -> str | None:
    directory = cache_dir()
    if directory is None:
        return None
    # Each Python has files of its own: marshal's format for code differs between versions.
    return os.path.join(directory, f"conditions-{sys.implementation.cache_tag}-{zlib.crc32(source.encode()):08x}.marshal")
