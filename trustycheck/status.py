"""``trustycheck status``: one verdict per repository, for one repository or thousands.

Each repository is discovered, analysed with its call graph and judged (:mod:`trustycheck.verdict`);
no rules run. Many repositories are spread over worker processes, since each is independent.
Verdicts are yielded as they are decided, in the order asked, and never collected: a run over
100,000 repositories holds a few hundred verdicts at a time, whatever its length.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import BinaryIO

from trustycheck.verdict import Outcome, Verdict


class StatusError(Exception):
    """A path that cannot be judged as a repository (missing, or a file)."""


MAX_LIST_LINE = 4096
"""Longest line of a ``--repos-from`` list (PATH_MAX on Linux): a longer one is no path."""


def repositories(paths: list[str], each: bool) -> list[str]:
    """The repository roots to judge: the paths themselves, or with ``each`` their subdirectories."""
    roots: list[str] = []
    for path in paths or ["."]:
        if not os.path.exists(path):
            raise StatusError(f"{path}: no such directory")
        if not os.path.isdir(path):
            raise StatusError(f"{path}: not a directory (status takes repository roots)")
        if each:
            try:
                entries = sorted(os.scandir(path), key=lambda entry: entry.name)
            except OSError as error:
                raise StatusError(f"{path}: cannot list it ({error.strerror or error})") from error
            roots.extend(os.path.join(path, e.name) for e in entries if e.is_dir(follow_symlinks=False) and not e.name.startswith("."))
        else:
            roots.append(path)
    return list(dict.fromkeys(roots))


def listed_repositories(stream: BinaryIO, name: str) -> list[str]:
    """The repository paths of a ``--repos-from`` list: one per line, blank lines and ``#``
    comments skipped, duplicates once. Paths are kept as the file spells them (any bytes, as
    the OS's own file-name decoding), and are not checked here: a list of 15,000 clones with
    one missing is judged, with that one's row saying so (:func:`judge_repository`)."""
    roots: dict[str, None] = {}
    number = 0
    while True:
        line = stream.readline(MAX_LIST_LINE + 2)
        if not line:
            break
        number += 1
        if len(line) > MAX_LIST_LINE + 1 or (len(line) == MAX_LIST_LINE + 1 and not line.endswith(b"\n")):
            raise StatusError(f"{name}:{number}: line longer than {MAX_LIST_LINE} bytes (one repository path per line)")
        text = os.fsdecode(line.rstrip(b"\r\n")).strip()
        if text and not text.startswith("#"):
            roots.setdefault(text, None)
    return list(roots)


def judge_repository(root: str) -> Verdict:
    """Discover, analyse and judge one repository (the unit of work of a worker process)."""
    from trustycheck.discover import discover_repository
    from trustycheck.loader import load_path
    from trustycheck.model.analysis import analyse_project
    from trustycheck.model.project import Project
    from trustycheck.pipeline import cycle_collector_paused, repository_files
    from trustycheck.verdict import judge, without_tokens

    if not os.path.isdir(root):
        why = "not a directory" if os.path.lexists(root) else "no such directory"
        return Verdict(root, Outcome.UNKNOWN, f"not judged: {why}")
    try:
        targets = discover_repository(root)
        workflows = [t.path for t in targets if os.path.basename(os.path.dirname(t.path)) == "workflows"]
        with cycle_collector_paused():
            # Judged and freed with the collector paused: once it is back, its first collection
            # would otherwise scan the whole live analysis, to free nothing.
            analysis = analyse_project(Project(root, load_path, repository_files), [t.path for t in targets])
            verdict = without_tokens(judge(root, analysis.contexts, len(workflows), root))
            del analysis
        return verdict
    except Exception as error:  # one repository's trouble must not stop a run over thousands
        return Verdict(root, Outcome.UNKNOWN, f"trustycheck could not analyse it ({type(error).__name__}: {error}); please report this")


def judge_batch(roots: list[str]) -> list[Verdict]:
    """Several repositories in one worker call (fewer round trips than one call each)."""
    return [judge_repository(root) for root in roots]


def judged(roots: Iterable[str], jobs: int) -> Iterator[Verdict]:
    """Verdicts in the order of ``roots``, as they are decided; with ``jobs`` > 1, in parallel
    with at most a few batches per worker in flight, so memory does not grow with the run."""
    roots = iter(roots)
    if jobs <= 1:
        yield from map(judge_repository, roots)
        return
    first = _batch(roots, 4)
    if len(first) < 4:  # a few repositories: forking costs more than it saves
        yield from map(judge_repository, first)
        return
    batch_size = 8
    pending: deque[Future[list[Verdict]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending.append(pool.submit(judge_batch, first))
        while True:
            while len(pending) < jobs * 3:
                batch = _batch(roots, batch_size)
                if not batch:
                    break
                pending.append(pool.submit(judge_batch, batch))
            if not pending:
                return
            yield from pending.popleft().result()


def _batch(roots: Iterator[str], size: int) -> list[str]:
    batch: list[str] = []
    for root in roots:
        batch.append(root)
        if len(batch) == size:
            break
    return batch
