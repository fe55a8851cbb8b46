"""`trustycheck status --package-map`: rows carry PyPI projects; summaries weighted by downloads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import TRUSTED_PUBLISH, run_cli, write_tree
from test_status import TOKEN_WORKFLOW
from trustycheck import status_packages
from trustycheck.status_packages import PackageMapError, parse_package_map, read_package_map

MAP = """\
package,repository,rank,downloads
flask,https://github.com/pallets/flask,12,"300,000"
requests,https://github.com/psf/requests.git,3,900000
requests-toolbelt,git@github.com:psf/requests,400,100000
"""


def make_repos(root: Path) -> None:
    write_tree(root / "pallets__flask", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    write_tree(root / "psf__requests", {".github/workflows/publish.yml": TOKEN_WORKFLOW})
    (root / "unlisted").mkdir()


def test_text_rows_name_packages_and_the_summary_is_weighted_by_downloads(tmp_path: Path) -> None:
    make_repos(tmp_path)
    (tmp_path / "map.csv").write_text(MAP)
    result = run_cli("status", "--each", ".", "--package-map", "map.csv", "--no-color", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2] == "                    PyPI: flask (rank 12, 300,000 downloads)"
    assert lines[5] == "                    PyPI: requests, requests-toolbelt (rank 3, 1,000,000 downloads)"
    assert lines[-3:] == [
        "3 repositories: trusted 1 (33.3%), token 1 (33.3%), none 1 (33.3%)",
        "2 of 3 in the package map",
        "by downloads (1,300,000 over 2 repositories): trusted 23.1%, token 76.9%",
    ]


def test_json_and_csv_carry_packages_and_downloads(tmp_path: Path) -> None:
    make_repos(tmp_path)
    (tmp_path / "map.tsv").write_text(MAP.replace(',"300,000"', ",300000").replace(",", "\t"))
    document = json.loads(run_cli("status", "--each", ".", "--package-map", "map.tsv", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["packages"], r["rank"], r["downloads"]) for r in document["repositories"]] == [
        (["flask"], 12, 300000), (["requests", "requests-toolbelt"], 3, 1000000), ([], None, None)]
    assert document["summary"]["listed"] == 2
    assert document["summary"]["downloads"] == {
        "repositories": 2, "total": 1300000,
        "trusted": {"downloads": 300000, "percent": 23.1}, "token": {"downloads": 1000000, "percent": 76.9},
        "mixed": {"downloads": 0, "percent": 0.0}, "none": {"downloads": 0, "percent": 0.0}, "unknown": {"downloads": 0, "percent": 0.0}}
    table = run_cli("status", "--each", ".", "--package-map", "map.tsv", "--format", "csv", cwd=tmp_path)
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert rows[0] == ["repository", "verdict", "reason", "evidence", "packages", "rank", "downloads"]
    assert rows[2][4:] == ["requests requests-toolbelt", "3", "1000000"]
    assert table.stderr.splitlines()[-1] == "by downloads (1,300,000 over 2 repositories): trusted 23.1%, token 76.9%"


def test_a_map_by_path_and_by_owner_folder(tmp_path: Path) -> None:
    write_tree(tmp_path / "src" / "pallets" / "flask", {".github/workflows/release.yml": TRUSTED_PUBLISH})
    write_tree(tmp_path / "clones" / "mine", {".github/workflows/release.yml": TOKEN_WORKFLOW})
    (tmp_path / "map.csv").write_text(f"Package,Repository\nflask,https://github.com/Pallets/Flask\nmine,{tmp_path / 'clones' / 'mine'}/\n")
    listings = read_package_map(str(tmp_path / "map.csv"))
    found = listings.listing(str(tmp_path / "src" / "pallets" / "flask"))
    assert found is not None and found.packages == ("flask",) and found.slug == ("Pallets", "Flask")
    mine = listings.listing(str(tmp_path / "clones" / "." / "mine"))
    assert mine is not None and (mine.packages, mine.downloads) == (("mine",), None)


def test_hostile_map_bytes_are_read_and_bounded(tmp_path: Path) -> None:
    data = (b"\xef\xbb\xbfpackage,repository,downloads\n"
            b"evil\x00name,https://github.com/a/b,12\n"
            b"caf\xe9,/srv/\xff,not-a-number\n"
            + b"x" * 2000 + b",https://github.com/c/d,1\n"
            b",https://github.com/e/f,1\n")
    listings = parse_package_map(data, "map.csv")
    assert listings.by_slug[("a", "b")].packages == ("evil\ufffdname",)
    assert [entry.packages for entry in listings.by_path.values()] == [("caf\udce9",)]
    assert listings.skipped == 2


def test_a_map_without_its_header_or_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PackageMapError, match="the first line must name the columns"):
        parse_package_map(b"flask,https://github.com/pallets/flask\n", "map.csv")
    (tmp_path / "map.csv").write_text(MAP)
    monkeypatch.setattr(status_packages, "MAX_MAP_BYTES", 10)
    with pytest.raises(PackageMapError, match="package map over 10 bytes"):
        read_package_map(str(tmp_path / "map.csv"))
    result = run_cli("status", "--package-map", "nope.csv", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, "trustycheck: error: nope.csv: cannot read the package map (No such file or directory)\n")


def test_skipped_rows_are_counted_on_stderr(tmp_path: Path) -> None:
    make_repos(tmp_path)
    (tmp_path / "map.csv").write_text(MAP + ",https://github.com/x/y\n")
    result = run_cli("status", "pallets__flask", "--package-map", "map.csv", cwd=tmp_path)
    assert result.stderr == ("trustycheck: warning: map.csv: 1 rows skipped (no package or repository, "
                             "or a field over 1,024 characters)\n")
