"""``primaryLocationLineHash``, computed the way GitHub's ``upload-sarif`` action computes it.

Code scanning matches an alert across uploads by this value alone (an upload through the REST
API gets no other help), so it must be exactly what the action would write, or the action
logs a mismatch and alerts made by the two ways never meet. The algorithm (codeql-action,
``src/fingerprints.ts``), over the file read as UTF-16 code units:

- spaces and tabs are skipped; ``\\r\\n`` and a lone ``\\r`` count as ``\\n``;
- a line's hash is a polynomial hash, base 37 modulo 2**64, of the 100 code units from the
  line's first kept unit on (across later lines), after which the file ends with one unit
  65535 and then zeros;
- the hash is written in lowercase hexadecimal, then ``:n`` for its n-th occurrence in file
  order, so identical lines (followed by identical text) still differ.

Lines are numbered as that algorithm numbers them (a file ending with a line break has one
more, empty, line), which is how ``startLine`` is read.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable

BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_END_OF_FILE = 0xFFFF
_LINE_FEED = 0x0A
_FIRST_MOD = pow(_BASE, BLOCK_SIZE, 1 << 64)


def line_hashes(text: str, wanted: Iterable[int], complete: bool = True) -> dict[int, str]:
    """The ``primaryLocationLineHash`` of each wanted line (1-based) of ``text``. ``complete``
    False: ``text`` is only the start of the file, and a line whose 100 units run past it gets
    no hash (nor does a line the text does not have)."""
    wanted = set(wanted)
    if not wanted:
        return {}
    stream = _kept(text)
    last = max(wanted)
    # Lines after the last one wanted play no part: only the 100 units from its start do.
    start = _start_of_line(stream, last)
    padded = complete and (start is None or start + BLOCK_SIZE >= len(stream))
    units = _code_units(stream if padded or start is None else stream[: start + BLOCK_SIZE])
    if padded:
        units.append(_END_OF_FILE)
    prefix = [0] * (len(units) + 1)
    starts = [0]
    value = 0
    for index, unit in enumerate(units):
        value = (value * _BASE + unit) & _MASK
        prefix[index + 1] = value
        if unit == _LINE_FEED:
            starts.append(index + 1)
    counts: dict[str, int] = {}
    found: dict[int, str] = {}
    total = len(units)
    for number, begin in enumerate(starts[:last], start=1):
        end = begin + BLOCK_SIZE
        if end <= total:
            window_end = prefix[end]
        elif padded:  # past the end of the file: zeros
            window_end = prefix[total] * pow(_BASE, end - total, 1 << 64)
        else:
            break
        digest = format((window_end - _FIRST_MOD * prefix[begin]) & _MASK, "x")
        counts[digest] = counts.get(digest, 0) + 1
        if number in wanted:
            found[number] = f"{digest}:{counts[digest]}"
    return found


def _kept(text: str) -> str:
    """The characters the hash reads: line breaks as ``\\n``, no spaces or tabs."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")


def _start_of_line(stream: str, number: int) -> int | None:
    """Where line ``number`` starts in ``stream`` (None: it has fewer lines)."""
    position = 0
    for _ in range(number - 1):
        position = stream.find("\n", position) + 1
        if position == 0:
            return None
    return position


def _code_units(stream: str) -> array:
    units = array("H")
    units.frombytes(stream.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":  # pragma: no cover
        units.byteswap()
    return units
