"""`trustycheck status` at scale: --repos-from, --output, streamed verdicts, a summary in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import TRUSTED_PUBLISH, run_cli, write_tree
from test_status import TOKEN_WORKFLOW
from trustycheck import status as status_module
from trustycheck.report.encoding import json_text
from trustycheck.status import judged


def make_repos(root: Path) -> None:
    write_tree(root / "pallets__flask", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    write_tree(root / "psf__requests", {".github/workflows/publish.yml": TOKEN_WORKFLOW})
    (root / "empty").mkdir()


def test_repos_from_a_file_with_comments_blanks_and_a_missing_clone(tmp_path: Path) -> None:
    make_repos(tmp_path)
    (tmp_path / "list.txt").write_text("# top packages\npallets__flask\n\n  psf__requests  \r\ngone__away\npallets__flask\n")
    result = run_cli("status", "--repos-from", "list.txt", "--no-color", "--no-evidence", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "REPOSITORY      VERDICT  REASON\n"
        "pallets__flask  trusted  every upload uses Trusted Publishing (pypa/gh-action-pypi-publish in release.yml:12)\n"
        "psf__requests   token    uploads with a long-lived credential (secrets.PYPI_TOKEN, twine in publish.yml:12)\n"
        "gone__away      unknown  not judged: no such directory\n"
        "\n"
        "3 repositories: trusted 1 (33.3%), token 1 (33.3%), unknown 1 (33.3%)\n"
    )
    assert result.stderr == "trustycheck: warning: 1 listed path is not a directory (verdict unknown, reason 'not judged: ...')\n"


def test_repos_from_stdin_and_paths_together(tmp_path: Path) -> None:
    make_repos(tmp_path)
    import subprocess
    import sys

    from conftest import REPO

    result = subprocess.run([sys.executable, "-m", "trustycheck", "status", "--format", "json", "--repos-from", "-", "empty"],
                            input=b"psf__requests\n# a comment\n", cwd=tmp_path, capture_output=True,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(r["repository"], r["verdict"]) for r in document["repositories"]] == [("empty", "none"), ("psf__requests", "token")]


def test_repos_from_refuses_an_unreadable_list_and_an_endless_line(tmp_path: Path) -> None:
    missing = run_cli("status", "--repos-from", "nope.txt", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (2, "trustycheck: error: nope.txt: cannot read the repository list (No such file or directory)\n")
    (tmp_path / "huge.txt").write_bytes(b"ok\n" + b"x" * 10_000 + b"\n")
    huge = run_cli("status", "--repos-from", "huge.txt", cwd=tmp_path)
    assert (huge.returncode, huge.stderr) == (2, "trustycheck: error: huge.txt:2: line longer than 4096 bytes (one repository path per line)\n")


def test_listed_paths_keep_any_bytes(tmp_path: Path) -> None:
    name = b"caf\xe9\x1b[31m"
    (tmp_path / name.decode("utf-8", "surrogateescape")).mkdir()
    (tmp_path / "list.txt").write_bytes(name + b"\n")
    result = run_cli("status", "--repos-from", "list.txt", "--no-evidence", cwd=tmp_path, binary=True)
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stdout
    assert b"caf\\udce9\\x1b[31m  none" in result.stdout


def test_output_file_and_summaries_in_every_format(tmp_path: Path) -> None:
    make_repos(tmp_path)
    text = run_cli("status", "--each", ".", "--output", "out.txt", cwd=tmp_path)
    assert (text.returncode, text.stdout, text.stderr) == (0, "", "")
    assert (tmp_path / "out.txt").read_text().endswith("\n3 repositories: trusted 1 (33.3%), token 1 (33.3%), none 1 (33.3%)\n")
    table = run_cli("status", "--each", ".", "--format", "csv", "-o", "out.csv", cwd=tmp_path)
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert [row[:2] for row in rows] == [["repository", "verdict"], ["./empty", "none"], ["./pallets__flask", "trusted"], ["./psf__requests", "token"]]
    assert table.stderr == "3 repositories: trusted 1 (33.3%), token 1 (33.3%), none 1 (33.3%)\n"


def test_streamed_json_is_the_whole_document(tmp_path: Path) -> None:
    """JSON written row by row is the same text as the document rendered at once."""
    make_repos(tmp_path)
    streamed = run_cli("status", "--each", ".", "--format", "json", cwd=tmp_path).stdout
    document = json.loads(streamed)
    assert streamed == json_text(document)
    assert list(document) == ["version", "tool", "repositories", "summary"]
    assert document["summary"] == {"repositories": 3, "trusted": {"count": 1, "percent": 33.3},
                                   "token": {"count": 1, "percent": 33.3}, "mixed": {"count": 0, "percent": 0.0},
                                   "none": {"count": 1, "percent": 33.3}, "unknown": {"count": 0, "percent": 0.0}}
    (tmp_path / "empty.txt").write_text("# none\n")
    nothing = run_cli("status", "--repos-from", "empty.txt", "--format", "json", cwd=tmp_path)
    assert json.loads(nothing.stdout)["repositories"] == []
    assert nothing.stdout == json_text(json.loads(nothing.stdout))


def test_verdicts_stream_without_reading_every_root_first(tmp_path: Path) -> None:
    """The first verdict is out before the list of roots is read to its end (memory stays flat)."""
    taken: list[str] = []

    def roots():
        for index in range(1000):
            taken.append(str(index))
            yield str(tmp_path / f"missing{index}")

    stream = judged(roots(), jobs=2)
    first = next(stream)
    assert first.reason == "not judged: no such directory"
    assert len(taken) < 100
    stream.close()


def test_judge_batch_keeps_order(tmp_path: Path) -> None:
    make_repos(tmp_path)
    names = ["psf__requests", "empty", "pallets__flask"]
    verdicts = status_module.judge_batch([str(tmp_path / n) for n in names])
    assert [v.verdict for v in verdicts] == ["token", "none", "trusted"]


def test_rows_and_the_progress_bar_do_not_mix_on_a_terminal(tmp_path: Path) -> None:
    """Rows are written as they come while the bar is drawn on the same screen: each row
    clears the bar first, so no visible line holds both."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import REPO

    for index in range(60):  # more than a write buffer's worth of rows
        write_tree(tmp_path / f"r{index:02d}", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "trustycheck", "status", "--each", "--no-color", "-j2", "."],
                               cwd=tmp_path, stdout=terminal, stderr=terminal, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    visible = [line.rstrip(b"\r").split(b"\r\x1b[K")[-1].split(b"\r")[-1] for line in shown.split(b"\n")]
    rows = [line for line in visible if line.startswith(b"./r")]
    assert len(rows) == 60 and all(b"trusted" in row and b"[#" not in row for row in rows)
