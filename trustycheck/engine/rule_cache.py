"""A cache of checked rule files, so a run does not parse 75 KB of rule YAML every time.

Parsing the built-in catalog takes ≈ 10 ms, as long as linting a small workflow; pre-commit
starts trustycheck once per commit. The cache holds, per rules directory, the data of every
rule file after it was parsed, validated and its facts checked. It is keyed like a ``.pyc``:
trustycheck's version, Python's, the fact vocabulary and each file's name, size and
modification time. Any change, a missing or corrupt cache file or an unwritable cache
directory means the files are read as if there were no cache; nothing is ever fatal.

Where: ``$TRUSTYCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/trustycheck``, else
``~/.cache/trustycheck`` (``%LOCALAPPDATA%\\trustycheck`` on Windows).
``TRUSTYCHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from trustycheck import __version__

_FORMAT = 1


def cache_dir() -> str | None:
    """The directory cache files go in, or ``None`` when caching is off."""
    if os.environ.get("TRUSTYCHECK_NO_CACHE"):
        return None
    explicit = os.environ.get("TRUSTYCHECK_CACHE_DIR")
    if explicit:
        return explicit
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return os.path.join(os.environ["LOCALAPPDATA"], "trustycheck")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "trustycheck")


def cache_key(directory: str, files: list[str], vocabulary: object, validated: bool) -> tuple | None:
    """What the cached data depends on; ``None`` if a file cannot be looked at."""
    stamps = []
    for path in files:
        try:
            status = os.stat(path)
        except OSError:
            return None
        stamps.append((os.path.basename(path), status.st_size, status.st_mtime_ns))
    python = ".".join(map(str, sys.version_info[:3]))
    return (_FORMAT, __version__, python, os.path.abspath(directory), validated, tuple(stamps), vocabulary)


def load(key: tuple | None) -> list | None:
    """The rule data stored under ``key``, or ``None``."""
    data = read_stored(_file(key), key)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    return data


def read_stored(where: str | None, key: tuple | None) -> object:
    """What a cache file written as ``(key, value)`` holds, if it is there, readable and was
    stored under ``key``; otherwise ``None``."""
    if where is None or key is None:
        return None
    try:
        with open(where, "rb") as handle:
            stored_key, value = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return value if stored_key == key else None


def store(key: tuple | None, data: list) -> None:
    """Keep ``data`` under ``key`` (atomically; silently skipped if it cannot be written)."""
    where = _file(key)
    if where is None:
        return
    try:
        payload = marshal.dumps((key, data))
    except ValueError:  # a value marshal cannot hold (a YAML date, say): just do not cache
        return
    write_atomically(where, payload)


def write_atomically(where: str, payload: bytes, mode: int = 0o666) -> None:
    """Write ``payload`` to ``where`` through a temporary file, so a reader never sees half of
    it; an unwritable cache is silently not written. ``mode`` is narrowed by the umask."""
    partial = f"{where}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(where), exist_ok=True)
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), mode), "wb") as handle:
            handle.write(payload)
        os.replace(partial, where)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass


def _file(key: tuple | None) -> str | None:
    directory = cache_dir()
    if key is None or directory is None:
        return None
    return os.path.join(directory, f"rules-{zlib.crc32(repr(key[:5]).encode()):08x}.marshal")
