"""`trustycheck status --format html` and `--format markdown`: reports people read.

The HTML report is rendered in real headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it): a screenshot must show the chart and the table, and hostile repository names
must come out as text, never as elements.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from conftest import TRUSTED_PUBLISH, run_cli, write_tree
from test_status import TOKEN_WORKFLOW
from trustycheck.report.status_html import CSP, SCRIPT, STYLE

CHROMIUM = "/usr/bin/chromium"
GATED_TOKEN = TOKEN_WORKFLOW.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    environment: release\n")
HOSTILE = ['<script>alert("repo")</script>', "\"quoted' & <b>bold</b>", "bell\x07\x1b[31mred", "<img src=x onerror=alert(1)>"]
HOSTILE_LISTED = "gone/</textarea><script>alert(2)</script>"


def inventory(root: Path) -> None:
    """Eight repositories (trusted, token with an environment, mixed, none) and a package map."""
    for index in range(3):
        write_tree(root / f"pallets__trusted{index}", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    write_tree(root / "psf__requests", {".github/workflows/publish.yml": GATED_TOKEN})
    write_tree(root / "encode__mixed", {".github/workflows/release.yml": TRUSTED_PUBLISH, ".github/workflows/nightly.yml": TOKEN_WORKFLOW})
    for index in range(3):
        (root / f"quiet{index}").mkdir()
    (root / "map.csv").write_text("package,repository,rank,downloads\n"
                                  "requests,https://github.com/psf/requests,1,7000000\n"
                                  "flask,pallets__trusted0,2,2000000\n"
                                  "mixy,encode__mixed,3,1000000\n")


def chromium() -> str:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} not found (Debian's chromium package; .ci/run installs it)")
    return CHROMIUM


def browse(page: Path, tmp_path: Path, *what: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *what, page.as_uri()]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and colour in (2, 6)
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
        rows.append(bytes(v for i, v in enumerate(line) if i % channels < 3))
    return width, height, rows


def where(rows: list[bytes], rgb: tuple[int, int, int]) -> list[int]:
    """The y of every pixel of exactly this colour."""
    pixel = bytes(rgb)
    found = []
    for y, row in enumerate(rows):
        found += [y] * sum(1 for x in range(0, len(row), 3) if row[x:x + 3] == pixel)
    return found


@pytest.mark.slow
def test_html_report_renders_its_chart_and_table_in_chromium(tmp_path: Path) -> None:
    chromium()
    inventory(tmp_path)
    result = run_cli("status", "--each", ".", "--package-map", "map.csv", "--format", "html", "-o", "report.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shot = tmp_path / "shot.png"
    browse(tmp_path / "report.html", tmp_path, f"--screenshot={shot}", "--window-size=1200,900")
    width, height, rows = read_png(shot)
    assert (width, height) == (1200, 900)
    green, red, grey = where(rows, (0x2E, 0x7D, 0x32)), where(rows, (0xC6, 0x28, 0x28)), where(rows, (0x9E, 0x9E, 0x9E))
    header = where(rows, (0x1F, 0x3A, 0x5F))
    assert len(header) > 10_000, "the table's header row is not drawn"
    top = min(header)
    # Two bars (by count, by downloads) above the table: 3/8 trusted by count, 2/10 by downloads.
    assert sum(1 for y in green if y < top) > 8_000 and sum(1 for y in red if y < top) > 8_000 and sum(1 for y in grey if y < top) > 8_000
    body = rows[top + 40:]
    ink = sum(1 for row in body for x in range(0, len(row), 3) if row[x] < 128 and row[x + 1] < 128 and row[x + 2] < 128)
    assert ink > 5_000, "the table has no text"
    dom = browse(tmp_path / "report.html", tmp_path, "--dump-dom").stdout.decode()
    assert 'data-sortable="yes"' in dom, "the inline sorting script did not run under the page's CSP"
    assert dom.count("<tr>") == 9
    assert "owner psf, repository requests, workflow publish.yml, environment release" in dom
    assert "owner encode, repository mixed, workflow nightly.yml, environment (none)" in dom


@pytest.mark.slow
def test_hostile_names_are_text_in_html(tmp_path: Path) -> None:
    chromium()
    for name in HOSTILE:
        write_tree(tmp_path / name, {".github/workflows/release.yml": TOKEN_WORKFLOW})
    (tmp_path / "list.txt").write_text("\n".join(HOSTILE + [HOSTILE_LISTED]) + "\n")
    (tmp_path / "map.csv").write_text('package,repository,downloads\n"</textarea><script>alert(3)</script>",' + HOSTILE[1].replace('"', '""').join('""') + ",5\n")
    result = run_cli("status", "--repos-from", "list.txt", "--package-map", "map.csv", "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert page.count("<script") == 1 and "<img" not in page and "<textarea" not in page.lower() and "\x1b" not in page
    assert "&lt;script&gt;alert(&quot;repo&quot;)&lt;/script&gt;" in page
    assert "bell\\x07\\x1b[31mred" in page
    (tmp_path / "report.html").write_text(page)
    dom = browse(tmp_path / "report.html", tmp_path, "--dump-dom").stdout.decode()
    assert dom.count("<script") == 1, "an injected script element exists"
    assert "<img" not in dom and "<textarea" not in dom and "<b>" not in dom
    assert "alert(2)" in dom and "alert(3)" in dom  # shown, as text
    assert dom.count("<tr>") == 6


def test_html_report_loads_nothing(tmp_path: Path) -> None:
    inventory(tmp_path)
    page = run_cli("status", "--each", ".", "--format", "html", cwd=tmp_path).stdout
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP and "unsafe-inline" not in CSP
    assert f"<style>{STYLE}</style>" in page and f"<script>{SCRIPT}</script>" in page
    assert not re.search(r"\b(src|srcset|xlink:href)\s*=|url\(|@import", page)
    assert [m for m in re.findall(r'href="([^"]*)"', page) if not m.startswith("https://github.com/")] == []


def test_markdown_table_escapes_names(tmp_path: Path) -> None:
    for name in ["pipe|name", "tick`name", "<b>html</b>", "star*_name_"]:
        write_tree(tmp_path / name, {".github/workflows/release.yml": TOKEN_WORKFLOW})
    (tmp_path / "list.txt").write_text("pipe|name\ntick`name\n<b>html</b>\nstar*_name_\nline\nbreak\n")
    (tmp_path / "map.csv").write_text('package,repository,downloads\n"a|b\nc",pipe|name,10\n')
    result = run_cli("status", "--repos-from", "list.txt", "--package-map", "map.csv", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    table = [line for line in lines[2:] if line.startswith("|")][:8]
    assert table[0] == "| Repository | Packages | Verdict | Reason | Evidence | Trusted publisher to register |"
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in table)
    assert table[2].startswith("| pipe\\|name | a\\|b\\\\nc (10 downloads) | **token** | uploads with a long\u002dlived credential")
    assert table[3].startswith("| tick\\`name |") and table[4].startswith("| &lt;b&gt;html&lt;/b&gt; |")
    assert table[5].startswith("| star\\*\\_name\\_ |")
    assert "owner unknown, repository unknown, workflow release.yml, environment (none)" in table[2]
    assert lines[-8:-6] == ["| **trusted** | 0 | 0.0% | 0 | 0.0% |", "| **token** | 4 | 66.7% | 10 | 100.0% |"]


def test_owner_and_name_from_the_clones_origin_and_never_from_a_fifo(tmp_path: Path) -> None:
    write_tree(tmp_path / "checkout", {".github/workflows/release.yml": TOKEN_WORKFLOW,
                                       ".git/config": '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:psf/black.git\n'})
    write_tree(tmp_path / "odd", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    (tmp_path / "odd" / ".git").mkdir()
    os.mkfifo(tmp_path / "odd" / ".git" / "config")
    result = run_cli("status", "--each", ".", "--format", "markdown", cwd=tmp_path, timeout=30)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ./")]
    assert rows[0].endswith("| owner psf, repository black, workflow release.yml, environment (none) |")
    assert rows[1].endswith("| owner unknown, repository unknown, workflow release.yml, environment (none) |")
