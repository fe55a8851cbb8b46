"""primaryLocationLineHash: the value GitHub's upload-sarif action computes, checked against the
action's published test vectors and against a character-by-character transcription of its
algorithm (codeql-action src/fingerprints.ts) on many texts."""

from __future__ import annotations

import random

import pytest

from trustycheck.report.sarif_fingerprint import line_hashes

# The codeql-action's own expected hashes (src/fingerprints.test.ts), line by line.
GITHUB_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1",
      "e6ceba753e1a442:1"]),
    *[(text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1",
              "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
      for text in (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                   " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                   " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                   " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")],
    ("Lorem ipsum dolor sit amet.\n" * 10,
     [*(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)), "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1",
      "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize(("text", "expected"), GITHUB_VECTORS)
def test_line_hashes_equal_the_upload_actions_published_ones(text: str, expected: list[str]) -> None:
    lines = range(1, len(expected) + 1)
    assert line_hashes(text, lines) == dict(zip(lines, expected))
    assert line_hashes(text, [len(expected)]) == {len(expected): expected[-1]}  # one line asked for: same value
    assert line_hashes(text, [len(expected) + 1]) == {}  # a line the file does not have


def transcribed(text: str) -> dict[int, str]:
    """The action's algorithm as it is written: one UTF-16 code unit at a time, a rolling window
    of 100, the end of the file as 65535 followed by zeros."""
    block, mask = 100, (1 << 64) - 1
    window, numbers = [0] * block, [-1] * block
    first_mod = pow(37, block, 1 << 64)
    state = {"hash": 0, "index": 0, "line": 0, "start": True, "cr": False}
    counts: dict[str, int] = {}
    out: dict[int, str] = {}

    def output() -> None:
        value = format(state["hash"] & mask, "x")
        counts[value] = counts.get(value, 0) + 1
        out[numbers[state["index"]]] = f"{value}:{counts[value]}"
        numbers[state["index"]] = -1

    def update(current: int) -> None:
        begin = window[state["index"]]
        window[state["index"]] = current
        state["hash"] = (37 * state["hash"] + current - first_mod * begin) & mask
        state["index"] = (state["index"] + 1) % block

    def process(current: int) -> None:
        if current in (0x20, 0x09) or (state["cr"] and current == 0x0A):
            state["cr"] = False
            return
        state["cr"] = current == 0x0D
        if current == 0x0D:
            current = 0x0A
        if numbers[state["index"]] != -1:
            output()
        if state["start"]:
            state["start"] = False
            state["line"] += 1
            numbers[state["index"]] = state["line"]
        if current == 0x0A:
            state["start"] = True
        update(current)

    data = text.encode("utf-16-le")
    for offset in range(0, len(data), 2):
        process(int.from_bytes(data[offset:offset + 2], "little"))
    process(0xFFFF)
    for _ in range(block):
        if numbers[state["index"]] != -1:
            output()
        update(0)
    return out


PIECES = ["a", "b", " ", "\t", "\n", "\r", "\r\n", "\U0001f40d", "é", "x" * 30, "  - uses: actions/checkout@v4\n"]


def test_line_hashes_equal_the_algorithm_as_written_on_many_texts() -> None:
    chooser = random.Random(18)
    for _ in range(400):
        text = "".join(chooser.choice(PIECES) for _ in range(chooser.randint(0, 150)))
        expected = transcribed(text)
        assert line_hashes(text, expected) == expected, repr(text)
        one = chooser.choice(list(expected))
        assert line_hashes(text, [one]) == {one: expected[one]}, repr(text)


def test_the_start_of_a_file_gives_the_same_hashes_where_it_reaches() -> None:
    """Only the lines up to the last result's are hashed: a prefix gives the same values for
    every line whose 100 characters it holds, and none for the others."""
    chooser = random.Random(24)
    for _ in range(200):
        text = "".join(chooser.choice(PIECES) for _ in range(chooser.randint(0, 200)))
        expected = transcribed(text)
        prefix = text[: chooser.randint(0, len(text))]
        got = line_hashes(prefix, expected, complete=False)
        assert all(expected[line] == value for line, value in got.items()), repr(text)
