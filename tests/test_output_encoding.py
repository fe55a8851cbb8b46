"""Output on any stdout encoding: a Windows pipe (cp1252) or ``LC_ALL=C`` (ASCII) must never
turn a finding into a traceback, and machine formats must stay exact.

pre-commit and GitHub Actions read a hook's output through a pipe; on Windows that pipe's
encoding is the ANSI code page. The call-chain arrow (``→``), the dashes of rule texts and
whatever a workflow quotes (an emoji on a flagged line) are not in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, PUBLISH_CALLEE, SECRET_CALLER, run_cli, write_tree

CALLED = PUBLISH_CALLEE.replace("${{ secrets.PYPI_TOKEN }}", "${{ secrets.PYPI_TOKEN }}  # 🐍 café → PyPI")

ENCODINGS = ["ascii", "cp1252"]


@pytest.fixture()
def chained_repo(tmp_path: Path) -> Path:
    """A token upload reached through a call (its messages hold ``→``), with an emoji, an
    accented letter and an arrow on the flagged line."""
    return write_tree(tmp_path, {".github/workflows/release.yml": SECRET_CALLER, ".github/workflows/publish.yml": CALLED})


def _run(*arguments: str, encoding: str, cwd: Path):
    return run_cli(*arguments, cwd=cwd, env={"PYTHONIOENCODING": encoding}, binary=True)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_text_output_falls_back_to_ascii_arrows_and_escapes(chained_repo: Path, encoding: str) -> None:
    result = _run(".", encoding=encoding, cwd=chained_repo)
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr
    text = result.stdout.decode(encoding)
    assert "release.yml job 'publish' -> publish.yml job 'upload'" in text
    assert "# \\U0001f40d caf" in text  # the emoji shown as its code point, not as '?'
    assert ("café -> PyPI" if encoding == "cp1252" else "caf\\xe9 -> PyPI") in text


@pytest.mark.parametrize("output_format", ["json", "sarif"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_json_formats_are_exact_on_any_encoding(chained_repo: Path, encoding: str, output_format: str) -> None:
    """What cannot be encoded is written as a JSON escape: the document reads back exactly."""
    utf8 = _run("--format", output_format, ".", encoding="utf-8", cwd=chained_repo)
    narrow = _run("--format", output_format, ".", encoding=encoding, cwd=chained_repo)
    assert narrow.returncode == utf8.returncode == 1, narrow.stderr
    assert b"Traceback" not in narrow.stderr
    assert json.loads(narrow.stdout.decode(encoding)) == json.loads(utf8.stdout.decode("utf-8"))
    assert "→" in utf8.stdout.decode("utf-8") and b"\\u2192" in narrow.stdout


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_github_annotations_fall_back_to_ascii_arrows(chained_repo: Path, encoding: str) -> None:
    result = _run("--format", "github", ".", encoding=encoding, cwd=chained_repo)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert "job 'publish' -> publish.yml" in result.stdout.decode(encoding)


@pytest.mark.parametrize("output_format", ["text", "json", "csv"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_status_writes_on_any_encoding(chained_repo: Path, encoding: str, output_format: str) -> None:
    result = _run("status", "--format", output_format, ".", encoding=encoding, cwd=chained_repo)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    text = result.stdout.decode(encoding)
    assert "token" in text
    if output_format == "json":
        assert json.loads(text)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_documentation_commands_write_on_any_encoding(tmp_path: Path, encoding: str) -> None:
    for arguments in (("explain", "TC104"), ("rules",), ("facts",), ("--help",), ("status", "--help")):
        result = _run(*arguments, encoding=encoding, cwd=tmp_path)
        assert result.returncode == 0 and b"Traceback" not in result.stderr, (arguments, result.stderr)
        assert result.stdout.decode(encoding)


def test_output_file_gets_utf8_whatever_stdout_is(chained_repo: Path) -> None:
    result = _run("--format", "json", "--output", "out.json", ".", encoding="ascii", cwd=chained_repo)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert "→" in (chained_repo / "out.json").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_format_over_the_whole_corpus_writes_without_a_traceback(corpus: Path, encoding: str) -> None:
    """The dev corpus holds call chains and emoji on flagged lines (7 repositories crashed)."""
    repositories = sorted(str(path) for path in (corpus / "repos").iterdir() if path.is_dir())
    runs = [("--format", name, *repositories) for name in ("text", "json", "sarif", "github")]
    runs += [("status", "--each", "--format", name, str(corpus / "repos")) for name in ("text", "json", "csv")]
    for arguments in runs:
        result = _run(*arguments, encoding=encoding, cwd=corpus)
        assert result.returncode in (0, 1), (arguments[:4], result.stderr[-500:])
        assert b"Traceback" not in result.stderr, (arguments[:4], result.stderr[-500:])
        result.stdout.decode(encoding)  # every byte is in the stream's encoding


def _failing_command(**options) -> int:
    raise RecursionError("maximum recursion depth exceeded\n::error ::not from trustycheck")


@pytest.mark.parametrize("debug", ["", "1"])
def test_an_internal_error_is_one_line_and_exit_2(monkeypatch, capsys, debug: str) -> None:
    """Exit 1 means "findings" to a CI gate; a crash must never look like it."""
    from trustycheck import cli

    monkeypatch.setattr(cli.check, "callback", _failing_command)
    monkeypatch.setenv("TRUSTYCHECK_DEBUG", debug)
    assert cli.run_guarded(["."]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    last = captured.err.splitlines()[-1]
    assert last == (
        "trustycheck: internal error (a bug in trustycheck; please report it, TRUSTYCHECK_DEBUG=1 shows where): "
        "RecursionError: maximum recursion depth exceeded\\n::error ::not from trustycheck"
    )
    assert ("Traceback" in captured.err) == bool(debug)
