"""Safe, bounded, position-aware loading of one YAML file.

Every way a file can fail to be read becomes a :class:`Problem` with a position, never an
exception: unreadable, too large, not UTF-8, not YAML, too deeply nested, an alias bomb, more
than one document, duplicate keys. The limits exist so hostile input is rejected in
milliseconds instead of hanging or crashing the C parser (which recurses per nesting level).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Callable, Iterator
from functools import cached_property
from types import ModuleType
from typing import Any, Protocol

from trustycheck.boundary import locate
from trustycheck.nodes import Mapping, Mark, Node, Origin, Pos, Scalar, Sequence, adopt, node_factories
from trustycheck.patterns import lazy_pattern
import yaml
from dataclasses import dataclass, field

_c_yaml: ModuleType | None
try:  # PyYAML built with libyaml: an order of magnitude faster.
    from yaml import _yaml as _c_yaml
    from yaml._yaml import CParser as _BaseParser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    _c_yaml = None
    # The type checker knows _Parser by the C base; the pure-Python one has the same methods.
    from yaml import SafeLoader as _BaseParser  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NO_PATHS: dict[object, None] = {}
"""No path resolvers: each lookup in this empty table finds nothing."""


class _Parser(_BaseParser):
    """The composer alone: no constructor, and none of PyYAML's YAML 1.1 tag resolution, which
    runs a list of regexes in Python for every scalar. nodes.py types plain scalars itself
    (YAML 1.2, as GitHub does), so only the merge key ``<<`` needs its tag. The composer also
    calls two path-resolver hooks per node; they do nothing here, so they are C functions
    that take the same arguments (a Python call per node each was a tenth of composing)."""

    def resolve(self, kind: object, value: str | None, implicit: tuple[bool, bool]) -> str:  # noqa: D102 - PyYAML's hook
        # Only a scalar has a value; the tags of collections are never read.
        return _MERGE if value == "<<" and implicit[0] else _STR

    descend_resolver = _NO_PATHS.get  # called with (parent, index)
    ascend_resolver = tuple  # called with nothing


MAX_BYTES = 2 * 1024 * 1024
"""Largest file read. Real workflows are a few kilobytes (the largest seen: 61 KB); at 2 MiB a
file's text, its lines and its nodes stay well under 200 MB, and reading it under a second."""

MAX_DEPTH = 1000
"""Deepest nesting accepted (real workflows nest a dozen levels). PyYAML's composer recurses
per level and overflows the C stack somewhere past 10,000 levels; libyaml 0.2.6 and newer
(PyYAML 6.0.4's wheels) refuse flow or block nesting past 1,000 levels themselves. Using the
same number makes the answer the same whichever PyYAML is installed."""

_PARSER_DEPTH_REFUSAL = "exceeded maximum nesting depth"
"""libyaml's own words when it refuses to nest further (its scanner raises them)."""

MAX_NODES = 60_000
"""Most YAML nodes a file may hold. The largest real workflow seen (a 1,300-line release
workflow) has under 4,000; every later stage costs time and memory per node (150,000 steps or
200,000 jobs took seconds and gigabytes; 20,000 token uploads in one job take 1.2 s). Past
this, the file is one TC001."""

MAX_ALIAS_EXPANSION = 100_000
"""Most nodes that aliases may add beyond the file's own nodes (billion-laughs guard)."""

_NOT_NODE_START = bytes(byte for byte in range(256) if chr(byte) not in "\n,:-[{?")
"""Every byte but those before which a node can start (deleted to count the rest): a cheap
upper bound on the number of nodes, so that only a file that might be too big is counted."""

_LINE_BREAK = lazy_pattern(r"\r\n|\r|\n|\x85|\u2028|\u2029")
_AMPERSAND_NAME = lazy_pattern(r"&[^\s&,\[\]{}]")
"""``&`` and a character an anchor name may start with (shell ``&&`` does not match)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why (part of) a file could not be read as a workflow."""

    kind: str
    message: str
    pos: Pos


@dataclass(eq=False, repr=False)
class Document:
    """A loaded file: its text, its root node (``None`` when unreadable) and any problems."""

    path: str
    text: str
    root: Node | None
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def lines(self) -> list[str]:
        """Source lines split where YAML splits them (so line numbers match positions)."""
        return _LINE_BREAK.split(self.text)


class Lines(Protocol):
    """A file's lines, indexed from 0: a list, or :class:`LinesOf`."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> str: ...


class LinesOf:
    """A document's lines as a sequence that splits the text only when first indexed (most
    documents are never quoted: they have no findings and no upload to locate)."""

    __slots__ = ("_doc",)

    def __init__(self, doc: Document) -> None:
        self._doc = doc

    def __len__(self) -> int:
        return len(self._doc.lines)

    def __getitem__(self, index: int) -> str:
        return self._doc.lines[index]


def load_path(path: str) -> Document:
    """Read and load a file from disk; any failure becomes a problem in the document.

    Only a file of the repository is read (:mod:`trustycheck.boundary`): one whose real path
    is outside it, in its ``.git`` folder or in ``/proc`` is refused without being opened. The
    real path is what is opened, with ``O_NOFOLLOW`` (a link put in its place meanwhile is not
    followed), without blocking, and must be a regular file: a FIFO or device named like a
    workflow would otherwise hang the run or stream forever. A folder here is one discovery
    could not list."""
    real, refused = locate(path)
    if refused is not None:
        return _failed(path, "unreadable", f"not read: {refused}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(real, flags)
    except OSError as error:
        return _failed(path, "unreadable", _unopenable(real, error))
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            return _failed(path, "unreadable", _unlistable(real))
        if not stat.S_ISREG(status.st_mode):
            return _failed(path, "unreadable", f"cannot read file: it is {_file_kind(status.st_mode)}, not a regular file")
        if status.st_size > MAX_BYTES:
            return _failed(path, "limit", f"file is {status.st_size:,} bytes, over the {MAX_BYTES:,}-byte limit")
        data = _read_all(descriptor, status.st_size)
    except OSError as error:
        return _failed(path, "unreadable", f"cannot read file: {_reason(error)}")
    finally:
        os.close(descriptor)
    return load_bytes(path, data)


def _unopenable(real: str, error: OSError) -> str:
    if os.path.isdir(real):
        return f"cannot list this folder: {_reason(error)}; the workflows or actions in it are not checked"
    if error.errno == errno.ENAMETOOLONG:  # not even whether it is a folder can be told
        return f"cannot read it: {_reason(error)} (the path is longer than the system accepts); nothing in it is checked"
    return f"cannot read file: {_reason(error)}"


def _unlistable(folder: str) -> str:
    """Why a folder handed to the loader could not be searched (it is listed again to say)."""
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError as error:
        return f"cannot list this folder: {_reason(error)}; the workflows or actions in it are not checked"
    return "cannot read file: it is a folder, not a file"


def _read_all(descriptor: int, size: int) -> bytes:
    """The file's bytes, at most MAX_BYTES + 1 (enough to tell it is too large). ``size`` is
    what fstat said; reading on until end of file copes with a file that grows meanwhile."""
    chunks: list[bytes] = []
    total, wanted = 0, min(size, MAX_BYTES) + 1
    while total <= MAX_BYTES:
        chunk = os.read(descriptor, wanted)
        if not chunk:
            break
        chunks.append(chunk)
        total, wanted = total + len(chunk), 65536
    return b"".join(chunks)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def load_bytes(path: str, data: bytes) -> Document:
    """Load a file's bytes (kept separate from disk access for tests and stdin)."""
    if len(data) > MAX_BYTES:
        return _failed(path, "limit", f"file is over the {MAX_BYTES:,}-byte limit")
    text, problem = _decode(data)
    if problem is not None:
        return Document(path, "", None, [problem])
    return load_text(path, text, data if len(data) == len(text) else None)


def load_text(path: str, text: str, ascii_data: bytes | None = None) -> Document:
    """Compose ``text`` into position-aware nodes, applying every limit first. ``ascii_data``
    is the text's bytes when each character is one byte (a cheaper input for the depth check)."""
    problems: list[Problem] = []
    doc = Document(path, text, None, problems)
    too_deep = _depth_problem(text, ascii_data)
    if too_deep is not None:
        problems.append(too_deep)
        return doc

    reported: set[int] = set()

    def duplicate(key: Scalar, first: Scalar) -> None:
        if id(key) in reported:  # a merge source's keys are read again by each mapping merging it
            return
        reported.add(id(key))
        problems.append(
            Problem(
                "duplicate-key",
                f"duplicate key '{key.text}' (first defined on line {first.pos.line}); "
                "GitHub rejects workflows with duplicate keys",
                key.pos,
            )
        )

    end = None
    if not text.endswith(("\n", "\r", "\x85", "\u2028", "\u2029")):
        end = (len(doc.lines), len(doc.lines[-1]) + 1)  # libyaml would end the last node a line further
    try:
        root = _compose(text, Origin(path, duplicate, end), counted=_may_be_too_big(text, ascii_data))
    except _TooManyNodes as error:
        problems.append(Problem("limit", f"over {MAX_NODES:,} YAML nodes, far more than a workflow has; "
                                         "trustycheck does not analyse a file this large", error.pos))
        return doc
    except yaml.MarkedYAMLError as error:
        problems.append(_depth_refusal(error) or _yaml_problem(error, text, doc.lines))
        return doc
    except yaml.reader.ReaderError as error:
        problems.append(_reader_problem(error, text))
        return doc
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML error carries a mark
        problems.append(Problem("yaml", f"invalid YAML: {error}", Pos.point(1, 1)))
        return doc
    except RecursionError:  # pragma: no cover - only PyYAML's pure-Python composer recurses in Python
        problems.append(Problem("limit", "nesting too deep for the YAML parser", Pos.point(1, 1)))
        return doc
    if root is None:
        problems.append(Problem("empty", "file is empty: no YAML document in it", Pos.point(1, 1)))
        return doc
    if _may_have_anchor(text):
        bomb = _alias_problem(root)
        if bomb is not None:
            problems.append(bomb)
            return doc
    doc.root = root
    return doc


class _TooManyNodes(Exception):
    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.pos = Pos.point(mark.line + 1, mark.column + 1)


def _may_be_too_big(text: str, ascii_data: bytes | None) -> bool:
    """Whether ``text`` may hold over MAX_NODES nodes: every node but the root starts after a
    line break, ``,``, ``:``, ``-``, ``[``, ``{`` or ``?``, so their count bounds the nodes."""
    if ascii_data is not None:
        return len(ascii_data.translate(None, _NOT_NODE_START)) > MAX_NODES
    return sum(text.count(char) for char in "\n,:-[{?") > MAX_NODES


def _counting(factories: tuple[Callable[..., Node], ...], limit: int) -> tuple[Callable[..., Node], ...]:
    """The node factories, stopping the composer (with its position) past ``limit`` nodes."""
    built = 0

    def counted(factory: Callable[..., Node]) -> Callable[..., Node]:
        def build(*arguments: Any) -> Node:
            nonlocal built
            built += 1
            if built > limit:
                raise _TooManyNodes(arguments[2])  # (tag, value, start_mark, ...)
            return factory(*arguments)

        return build

    return tuple(counted(factory) for factory in factories)


def _compose(text: str, origin: Origin, counted: bool = False) -> Node | None:
    """The document's root node, built as nodes.py's classes; with ``counted``, composing
    stops past MAX_NODES nodes (a Python call per node: only for a file that may be that big).

    libyaml's composer looks up the node classes it calls as globals of PyYAML's C module;
    they are swapped for ours while it runs and put back at once, so other users of PyYAML in
    the process are unaffected (composing is not shared between threads in this program)."""
    parser = _Parser(text)
    try:
        if _c_yaml is None:  # pragma: no cover - depends on the PyYAML build
            raw = parser.get_single_node()
            return None if raw is None else adopt(raw, origin)
        factories = node_factories(origin)
        saved = _c_yaml.ScalarNode, _c_yaml.SequenceNode, _c_yaml.MappingNode
        # The C module's stub leaves out these globals, so the type checker cannot see them set.
        _c_yaml.ScalarNode, _c_yaml.SequenceNode, _c_yaml.MappingNode = (  # type: ignore[attr-defined]
            _counting(factories, MAX_NODES) if counted else factories)
        try:
            composed = parser.get_single_node()
        finally:
            _c_yaml.ScalarNode, _c_yaml.SequenceNode, _c_yaml.MappingNode = saved  # type: ignore[attr-defined]
        if composed is None or isinstance(composed, Node):
            return composed
        return adopt(composed, origin)  # a PyYAML that binds its classes early
    finally:
        parser.dispose()


def _may_have_anchor(text: str) -> bool:
    """Whether an anchor (``&name`` where a node starts: at the start of the text, after
    white space or a flow indicator) may be in ``text``; only then can aliases blow up. A
    pattern that starts with the literal ``&`` is searched at C speed; one that starts by
    looking for the preceding character was a fifth of the loading time."""
    for match in _AMPERSAND_NAME.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1].isspace() or text[start - 1] in ",[{":
            return True
    return False


def _failed(path: str, kind: str, message: str) -> Document:
    return Document(path, "", None, [Problem(kind, message, Pos.point(1, 1))])


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode(data: bytes) -> tuple[str, Problem | None]:
    """Decode UTF-8 (or UTF-16/32 with a BOM); the BOM itself is dropped."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as error:
        return "", _encoding_problem(data, error, encoding)


def _encoding_problem(data: bytes, error: UnicodeDecodeError, encoding: str) -> Problem:
    if encoding != "utf-8":
        return Problem("encoding", f"invalid {encoding.upper()} data at byte {error.start}", Pos.point(1, 1))
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[line_start:error.start].decode("utf-8", "replace")) + 1
    byte = data[error.start]
    return Problem("encoding", f"file is not valid UTF-8: byte 0x{byte:02x} cannot be decoded", Pos.point(line, column))


def _yaml_problem(error: yaml.MarkedYAMLError, text: str, lines: list[str]) -> Problem:
    mark = error.problem_mark or error.context_mark
    pos = Pos.point(1, 1)
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
        if line > len(lines):  # at the end of an unterminated last line, libyaml counts one line more
            line, column = len(lines), len(lines[-1]) + 1
        pos = Pos.point(line, column)
    what = error.problem or error.context or "invalid YAML"
    if error.context and error.problem:
        what = f"{error.problem} ({error.context})"
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        what = "a tab character here; YAML indents with spaces only"
    if "expected a single document" in what:
        what = "more than one YAML document in the file; a workflow is a single document"
    return Problem("yaml", f"invalid YAML: {what}", pos)


def _reader_problem(error: yaml.reader.ReaderError, text: str) -> Problem:
    """A character YAML forbids (NUL, most control characters). libyaml gives the position as
    a UTF-8 byte offset; turn it into the line and column of that character."""
    before = text.encode("utf-8")[: max(error.position, 0)].decode("utf-8", "replace")
    lines = _LINE_BREAK.split(before)
    character = error.character
    code = character if isinstance(character, int) else ord(character) if character else 0
    name = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
    return Problem("yaml", f"invalid YAML: {name} is not allowed in YAML text", Pos.point(len(lines), len(lines[-1]) + 1))


_NOT_NESTING = bytes(byte for byte in range(256) if chr(byte) not in "[{-?\n")
"""Every byte but those a nesting level needs (deleted to count the rest)."""


def _depth_problem(text: str, ascii_data: bytes | None = None) -> Problem | None:
    """Reject nesting past MAX_DEPTH before the composer can overflow the stack.

    Every nesting level needs a ``[``, ``{``, ``-``, ``?`` or a new line, so their count bounds
    the depth; only when that cheap bound exceeds the limit are parser events counted exactly.
    """
    if ascii_data is not None:  # one pass in C instead of five
        bound = len(ascii_data.translate(None, _NOT_NESTING))
    else:
        bound = text.count("[") + text.count("{") + text.count("-") + text.count("?") + text.count("\n")
    if bound <= MAX_DEPTH:
        return None
    depth = nodes = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for event in _events(text):
            if isinstance(event, starts):
                depth += 1
                nodes += 1
                if depth > MAX_DEPTH:
                    return _too_deep(event.start_mark)
            elif isinstance(event, ends):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent):
                nodes += 1
            if nodes > MAX_NODES:
                return None  # the composer stops at MAX_NODES nodes, before it could nest deeper
    except yaml.MarkedYAMLError as error:
        return _depth_refusal(error)  # any other syntax error is the composer's to report
    except yaml.YAMLError:
        return None
    return None


def _events(text: str) -> Iterator[yaml.Event | None]:
    """``yaml.parse(text)`` with this module's parser, which is not one of the loaders that
    PyYAML's type stub lets ``yaml.parse`` take."""
    parser = _Parser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


def _depth_refusal(error: yaml.MarkedYAMLError) -> Problem | None:
    """The parser's own refusal to nest deeper, as the same limit problem trustycheck's depth
    check gives, at the parser's position; ``None`` for any other error."""
    if error.problem != _PARSER_DEPTH_REFUSAL:
        return None
    return _too_deep(error.problem_mark or error.context_mark)


def _too_deep(mark: Mark | None) -> Problem:
    pos = Pos.point(mark.line + 1, mark.column + 1) if mark is not None else Pos.point(1, 1)
    return Problem("limit", f"nesting deeper than {MAX_DEPTH} levels", pos)


def _alias_problem(root: Node) -> Problem | None:
    """Count the nodes aliases would expand to; reject a billion-laughs style blow-up.

    Iterative, memoised per node: linear in the composed graph however deep or shared it is.
    """
    sizes: dict[int, int] = {}
    unique = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children = _children(node)
        if not children_done:
            sizes[key] = -1  # in progress; recursive aliases count once
            unique += 1
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1
        for child in children:
            total += max(sizes.get(id(child), 1), 1)
        sizes[key] = total
        if total - unique > MAX_ALIAS_EXPANSION:
            mark = node.start_mark
            return Problem(
                "limit",
                f"aliases expand to over {MAX_ALIAS_EXPANSION:,} extra nodes (an alias bomb?)",
                Pos.point(mark.line + 1, mark.column + 1),
            )
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, Sequence):
        return list(node.items)
    if isinstance(node, Mapping):
        return [part for pair in node.pairs for part in pair]
    return []
