"""Linting on several cores gives exactly what one core gives, even when a worker fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import TOKEN_PUBLISH, TRUSTED_PUBLISH, run_cli
from trustycheck import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="shares run in forked processes")


def test_shares_are_balanced_by_weight_and_keep_their_order() -> None:
    weights = [10, 1, 1, 1, 9, 1]
    shares = parallel.balanced_shares(weights, 2)
    assert shares == [[0, 2, 5], [1, 3, 4]]
    assert [sum(weights[i] for i in share) for share in shares] == [12, 11]
    assert parallel.balanced_shares([5], 4) == [[0]]


def test_results_come_back_in_item_order_from_every_share() -> None:
    def work(share: list[int]) -> list[tuple[int, int]]:
        return [(item * item, os.getpid()) for item in share]

    results = parallel.run_in_shares(list(range(20)), [1] * 20, 3, work)
    assert [square for square, _ in results] == [item * item for item in range(20)]
    pids = {pid for _, pid in results}
    assert len(pids) == 3 and os.getpid() in pids


def test_a_failing_worker_share_is_redone_by_the_parent() -> None:
    parent = os.getpid()

    def work(share: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("a worker's bug")
        return [item + 1 for item in share]

    assert parallel.run_in_shares(list(range(10)), [1] * 10, 2, work) == list(range(1, 11))


def test_a_killed_worker_share_is_redone_by_the_parent() -> None:
    parent = os.getpid()

    def work(share: list[int]) -> list[int]:
        if os.getpid() != parent:
            os._exit(9)
        return [-item for item in share]

    assert parallel.run_in_shares(list(range(6)), [1] * 6, 2, work) == [0, -1, -2, -3, -4, -5]


def test_cli_output_is_the_same_on_one_core_and_on_four(tmp_path: Path) -> None:
    """Enough repositories (over the 256 KB threshold) that the run really forks."""
    padding = "# " + "x" * 1000 + "\n"
    for number in range(40):
        workflows = tmp_path / f"repo{number}" / ".github" / "workflows"
        workflows.mkdir(parents=True)
        (workflows / "release.yml").write_text((TOKEN_PUBLISH if number % 3 else TRUSTED_PUBLISH) + padding * 8)
    arguments = ["--format", "json", *sorted(str(path) for path in tmp_path.iterdir())]
    serial = run_cli("--jobs", "1", *arguments)
    shared = run_cli("--jobs", "4", *arguments)
    assert serial.returncode == shared.returncode == 1
    assert shared.stdout == serial.stdout
    assert serial.stdout.count('"rule": "TC101"') == 26
