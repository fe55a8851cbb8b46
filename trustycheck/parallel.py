"""Run work in shares across forked processes, the parent doing a share itself.

Why fork and pipes rather than a process pool: a lint of a few hundred files takes tenths of a
second, and a pool's start-up (spawning interpreters, re-importing, queues and threads) would
eat the gain. A forked child starts with everything already imported and loaded, does its
share, and writes one pickle to a pipe. Where ``fork`` does not exist (Windows) or a child
fails in any way, the parent does that share itself, so parallelism can only change speed,
never results.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def usable_cores() -> int:
    """Cores this process may run on (affinity-aware where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def balanced_shares(weights: Sequence[int], count: int) -> list[list[int]]:
    """Indices split into ``count`` shares of near-equal total weight (heaviest first, each to
    the lightest share); each share keeps its indices in ascending order."""
    shares: list[list[int]] = [[] for _ in range(max(1, count))]
    totals = [0] * len(shares)
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lightest = totals.index(min(totals))
        shares[lightest].append(index)
        totals[lightest] += weights[index]
    return [sorted(share) for share in shares if share]


def run_in_shares(items: Sequence[Item], weights: Sequence[int], jobs: int,
                  work: Callable[[list[Item]], list[Result]]) -> list[Result]:
    """``work`` applied to ``items`` in up to ``jobs`` shares of balanced weight, run at once;
    ``work`` returns one result per item it is given, in order, and so does this."""
    shares = balanced_shares(weights, min(jobs, len(items))) if jobs > 1 and hasattr(os, "fork") else [list(range(len(items)))]
    children = [_fork(work, [items[i] for i in share]) for share in shares[1:]]
    results: dict[int, Result] = {}
    _collect(results, shares[0], work([items[i] for i in shares[0]]))
    for share, child in zip(shares[1:], children):
        done = _join(child)
        _collect(results, share, done if done is not None else work([items[i] for i in share]))
    return [results[index] for index in range(len(items))]


def _collect(results: dict[int, Result], share: list[int], done: list[Result]) -> None:
    for index, result in zip(share, done):
        results[index] = result


def _fork(work: Callable[[list[Item]], list[Result]], share: list[Item]) -> tuple[int, int] | None:
    """Start a child doing ``work(share)``; (pid, read end of its pipe), or None if fork failed."""
    import pickle  # here, not at the top: a run that never forks need not import it

    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 0
    try:  # the child: never return into the caller's code, never flush the parent's buffers
        os.close(read_end)
        payload = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - any failure: the parent redoes this share
        status = 1
    finally:
        os._exit(status)


def _join(child: tuple[int, int] | None) -> list[Any] | None:
    """The child's results (unpickled, so of no known type), or None when it failed (the
    caller then does its share)."""
    if child is None:
        return None
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    import pickle

    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a truncated pickle: redo the share
        return None
