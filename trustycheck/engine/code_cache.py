"""A cache of compiled rule conditions, so a run does not compile the same generated code again.

The engine turns the conditions of each scope into Python source (``conditions.py``);
compiling that source took ≈ 7 ms per run, a seventh of a pre-commit run on one small
file, and the source only changes with the rules. Code objects are kept in the rule cache's
directory, one file per source text, beside the source itself and the versions they were
compiled for (like a ``.pyc``, a code object only runs on the Python that made it). A
missing, stale or corrupt file, or an unwritable directory, means the source is compiled as
if there were no cache; ``TRUSTYCHECK_NO_CACHE=1`` turns it off with the rule cache.
"""

from __future__ import annotations

import marshal
import os
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
            write_atomically(where, marshal.dumps((key, code)))
    _compiled[memo_key] = code
    return code


def _load(where: str | None, key: tuple) -> CodeType | None:
    code = read_stored(where, key)
    return code if isinstance(code, CodeType) else None


def _file(source: str) -> str | None:
    directory = cache_dir()
    if directory is None:
        return None
    # Each Python has files of its own: marshal's format for code differs between versions.
    return os.path.join(directory, f"conditions-{sys.implementation.cache_tag}-{zlib.crc32(source.encode()):08x}.marshal")
