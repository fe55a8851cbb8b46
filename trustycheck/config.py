"""Configuration: ``[tool.trustycheck]`` in ``pyproject.toml`` or ``.trustycheck.toml``.

Found by walking up from the first linted path (a ``.trustycheck.toml`` wins over a
``pyproject.toml`` in the same directory; a ``pyproject.toml`` without the table is skipped),
or named with ``--config``; ``--isolated`` ignores every file. The table is checked by plain
typed checks (no schema library to import on every run): an unknown or mistyped key is a usage
error naming the key, the file and the expected type. How these values merge with the command
line is :mod:`trustycheck.settings`' job.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from trustycheck.findings import SEVERITIES
from trustycheck.toml_shape import toml_shape_problem

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

CONFIG_LIMIT = 256 << 10
"""The largest configuration file read. A configuration is a few KB (a big pyproject.toml some
tens); TOML near this size can take the parser about a second (many small inline tables)."""
MAX_NESTING = 32
"""Arrays and inline tables nested deeper than this are refused before parsing."""
MAX_KEY_PARTS = 32
"""Dotted keys and table headers with more parts than this are refused before parsing."""


class ConfigError(Exception):
    """A configuration file that cannot be used."""

    def __init__(self, message: str, too_big: bool = False, head: bytes = b"") -> None:
        super().__init__(message)
        self.too_big = too_big
        self.head = head


@dataclass(eq=False, repr=False)
class Config:
    """Settings read from a configuration file."""

    path: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    min_severity: str | None = None
    rules_dirs: list[Path] = field(default_factory=list)
    fail_level: str | None = None
    exit_code: bool | None = None

    @property
    def base(self) -> Path:
        """Directory that relative paths in the file are relative to."""
        from pathlib import Path  # pathlib costs ~3 ms to import; a run without a config never needs it

        return self.path.parent if self.path is not None else Path.cwd()


def find_config(start: str | None) -> Path | None:
    """The nearest configuration file at or above ``start`` (a file or directory)."""
    from trustycheck.discover import spelled

    here = spelled(os.path.join(os.getcwd(), start or "."))
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        for name in (".trustycheck.toml", "pyproject.toml"):
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
                from pathlib import Path

                return Path(here, name)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def load_config(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table, not {_describe(tool)}")
        table = tool.get("trustycheck", {})
        where = "[tool.trustycheck]"
    else:
        table, where = data, "the top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table, not {_describe(table)}")
    _validate(table, path, where)
    config = Config(path=path)
    config.select = table.get("select")
    config.ignore = list(table.get("ignore", []))
    config.severity = dict(table.get("severity", {}))
    config.per_path_ignores = {glob: list(rules) for glob, rules in table.get("per-path-ignores", {}).items()}
    config.min_severity = table.get("min-severity")
    config.rules_dirs = [(path.parent / entry).resolve() for entry in table.get("rules-dirs", [])]
    config.fail_level = table.get("fail-level")
    config.exit_code = table.get("exit-code")
    return config


def _has_table(pyproject: str) -> bool:
    """Whether a pyproject.toml has a [tool.trustycheck] table. Most have none, and their text
    then never spells the name (TOML keys can only hide it behind \\u escapes), so they are
    ruled out without loading the TOML parser. One too big to read is passed over unless it
    spells the name, and then refused by :func:`load_config`."""
    try:
        data = read_small_file(pyproject, CONFIG_LIMIT)
    except ConfigError as error:
        if not error.too_big:
            return False
        data = error.head
    text = data.decode("utf-8", errors="replace")
    if "trustycheck" not in text and "\\u" not in text and "\\U" not in text:
        return False
    if len(data) > CONFIG_LIMIT:
        return "trustycheck" in text
    try:
        tool = _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return "trustycheck" in text  # spelled out but unusable: load_config says why
    return not isinstance(tool, dict) or "trustycheck" in tool


def read_small_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. A file that is not a regular
    file (a FIFO, a device) is refused before anything is read, so it cannot block, and
    nothing past ``limit`` is read from a big one (the error carries the head it read)."""
    import stat

    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    with open(descriptor, "rb", closefd=True) as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ConfigError(f"{path}: not a regular file")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > limit:
        raise ConfigError(f"{path}: larger than {_size(limit)}", too_big=True, head=data)
    return data


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 and not limit % (1 << 20) else f"{limit >> 10} KiB"


def _read_toml(path: str | Path) -> dict[str, Any]:
    """The file's TOML, after checks that bound what the parser does with it: its size, its
    nesting and the length of its dotted keys (tomllib recurses once per nesting level, and
    its time and memory grow with the square of a dotted key's length)."""
    try:
        data = read_small_file(path, CONFIG_LIMIT)
    except ConfigError as error:
        if error.too_big:
            raise ConfigError(f"{error} (a configuration is a few KB; this limit bounds the time spent reading it)") from None
        raise
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path}: is not UTF-8 (as TOML must be): byte 0x{data[error.start]:02x} on line {line}") from None
    problem = toml_shape_problem(text, MAX_NESTING, MAX_KEY_PARTS)
    if problem:
        raise ConfigError(f"{path}: {problem}")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _strings(value: Any) -> str | None:
    """What is wrong with a value that must be a list of strings, or None."""
    if not isinstance(value, list):
        return f"must be a list, not {_describe(value)}"
    wrong = next((item for item in value if not isinstance(item, str)), None)
    if wrong is not None:
        return f"must be a list of strings, not a list holding {_describe(wrong)}"
    return None


def _severity(value: Any) -> str | None:
    """What is wrong with a value that must be a severity, or None."""
    if isinstance(value, str) and value in SEVERITIES:
        return None
    return f"must be one of {', '.join(SEVERITIES)}, not {_shown(value) if isinstance(value, str) else _describe(value)}"


def _boolean(value: Any) -> str | None:
    """What is wrong with a value that must be true or false, or None."""
    return None if isinstance(value, bool) else f"must be true or false, not {_describe(value)}"


_KEYS: dict[str, Callable[[Any], str | None]] = {
    "select": _strings,  # only these rules: ids, id prefixes or slugs
    "ignore": _strings,
    "severity": _severity,  # a table: rule id or slug -> severity
    "per-path-ignores": _strings,  # a table: glob, relative to the file -> rules ignored there
    "min-severity": _severity,
    "rules-dirs": _strings,  # rule directories, relative to the file
    "fail-level": _severity,  # the lowest severity that fails the run
    "exit-code": _boolean,  # exit 1 on findings even for a SARIF report written to a file
}
"""Each key and the check of its value (of each of its values, for a key in :data:`_TABLES`),
in the order the error message lists them. ``schemas/config.schema.json`` says the same for
editors; a test keeps the two in step."""
_TABLES = frozenset({"severity", "per-path-ignores"})


def _validate(table: dict[str, Any], path: Path, where: str) -> None:
    """Refuse a table with an unknown key or a value of the wrong type, naming the key, the
    file and what was expected. An unknown key is reported first (a misspelt key is the
    likeliest mistake), then the first wrong value in the order of the file."""
    unknown = sorted(key for key in table if key not in _KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {_shown(unknown[0])} in {where} (known keys: {', '.join(_KEYS)})")
    for key, value in table.items():
        check = _KEYS[key]
        if key not in _TABLES:
            named = [(key, value)]
        elif isinstance(value, dict):
            named = [(f"{key}.{inner}", item) for inner, item in value.items()]
        else:
            raise ConfigError(f"{path}: {_shown(key)} in {where} must be a table, not {_describe(value)}")
        for name, item in named:
            problem = check(item)
            if problem:
                raise ConfigError(f"{path}: {_shown(name)} in {where} {problem}")


_SHOWN_LIMIT = 80
"""Characters of a key or value quoted in an error message (a file may hold a megabyte one)."""


def _shown(text: str) -> str:
    """``text`` quoted for an error message, cut short when long."""
    return repr(text if len(text) <= _SHOWN_LIMIT else text[:_SHOWN_LIMIT] + "...")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"a string ({_shown(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"  # the only other kind of TOML value


def matches_path(glob: str, path: str, base: Path) -> bool:
    """Whether ``path`` matches a per-path-ignores glob, relative to ``base`` (``**`` spans
    directories; a glob without ``/`` also matches the file name alone)."""
    import fnmatch
    from pathlib import Path

    absolute = Path(path).absolute()
    try:
        relative = absolute.relative_to(base.absolute()).as_posix()
    except ValueError:
        relative = Path(path).as_posix()
    if fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(relative, glob.replace("**/", "")):
        return True
    return "/" not in glob and fnmatch.fnmatchcase(os.path.basename(relative), glob)
