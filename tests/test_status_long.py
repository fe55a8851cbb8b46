"""Long-form `status` output: one row per upload path (jsonl, csv --long)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import PUBLISH_CALLEE, SECRET_CALLER, TRUSTED_PUBLISH, run_cli, write_tree
from test_status import TOKEN_WORKFLOW

GATED_TOKEN = TOKEN_WORKFLOW.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    environment: pypi\n")


def make_repos(root: Path) -> None:
    write_tree(root / "mixed", {".github/workflows/release.yml": TRUSTED_PUBLISH, ".github/workflows/nightly.yml": GATED_TOKEN})
    write_tree(root / "called", {".github/workflows/release.yml": SECRET_CALLER, ".github/workflows/publish.yml": PUBLISH_CALLEE})
    (root / "quiet").mkdir()


def test_jsonl_one_record_per_upload_path(tmp_path: Path) -> None:
    make_repos(tmp_path)
    (tmp_path / "map.csv").write_text("package,repository,downloads\nmixy,mixed,10\n")
    result = run_cli("status", "--each", ".", "--format", "jsonl", "--package-map", "map.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["repository"], r["verdict"], r["path"], r["line"], r["kind"]) for r in records] == [
        ("./called", "token", ".github/workflows/publish.yml", 14, "token"),
        ("./mixed", "mixed", ".github/workflows/nightly.yml", 13, "token"),
        ("./mixed", "mixed", ".github/workflows/release.yml", 12, "oidc"),
        ("./quiet", "none", None, None, None),
    ]
    called, nightly = records[0], records[1]
    assert (called["tool"], called["source"], called["job"], called["chain"]) == (
        "pypa/gh-action-pypi-publish", "secrets.PYPI_API_TOKEN", "upload", "release.yml job 'publish' → publish.yml job 'upload'")
    assert (nightly["packages"], nightly["downloads"], nightly["environment"], nightly["credential"]) == (
        ["mixy"], 10, "pypi", "a long-lived token from secrets.PYPI_TOKEN")
    assert records[3]["reason"] == "no workflow files in .github/workflows"
    assert list(records[3]) == ["repository", "packages", "downloads", "verdict", "reason", "path", "line", "column", "tool", "kind",
                                "credential", "source", "job", "environment", "chain", "needs"]
    assert result.stderr.startswith("3 repositories: token 1 (33.3%), mixed 1 (33.3%), none 1 (33.3%)\n")


def test_jsonl_shards_concatenate_and_are_ascii(tmp_path: Path) -> None:
    write_tree(tmp_path / "caf\u00e9\u202e", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    one = run_cli("status", "--each", ".", "--format", "jsonl", cwd=tmp_path, binary=True).stdout
    assert one.isascii() and one.count(b"\n") == 1
    shards = [json.loads(line) for line in (one + one).splitlines()]
    assert [record["repository"] for record in shards] == ["./caf\u00e9\u202e"] * 2


def test_long_csv(tmp_path: Path) -> None:
    make_repos(tmp_path)
    result = run_cli("status", "--each", ".", "--format", "csv", "--long", cwd=tmp_path)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:7] == ["repository", "packages", "downloads", "verdict", "reason", "path", "line"]
    assert rows[2][:4] + rows[2][5:] == ["./mixed", "", "", "mixed", ".github/workflows/nightly.yml", "13", "11", "twine", "token",
                       "a long-lived token from secrets.PYPI_TOKEN", "secrets.PYPI_TOKEN", "publish", "pypi", "", ""]
    assert rows[4] == ["./quiet", "", "", "none", "no workflow files in .github/workflows"] + [""] * 11
    wrong = run_cli("status", "--long", "--format", "json", cwd=tmp_path)
    assert (wrong.returncode, wrong.stderr) == (2, "trustycheck: error: --long applies to --format csv (jsonl is always long)\n")
