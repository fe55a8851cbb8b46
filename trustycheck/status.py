"""``trustycheck status``: one verdict per repository, for one repository or thousands.

Each repository is discovered, analysed with its call graph and judged (:mod:`trustycheck.verdict`);
no rules run. Many repositories are spread over worker processes, since each is independent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from trustycheck.verdict import Outcome, Verdict


class StatusError(Exception):
    """A path that cannot be judged as a repository (missing, or a file)."""


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


def judge_repository(root: str) -> Verdict:
    """Discover, analyse and judge one repository (the unit of work of a worker process)."""
    from trustycheck.discover import discover_repository
    from trustycheck.loader import load_path
    from trustycheck.model.analysis import analyse_project
    from trustycheck.model.project import Project
    from trustycheck.pipeline import cycle_collector_paused, repository_files
    from trustycheck.verdict import judge, without_tokens

    targets = discover_repository(root)
    workflows = [t.path for t in targets if os.path.basename(os.path.dirname(t.path)) == "workflows"]
    try:
        with cycle_collector_paused():
            analysis = analyse_project(Project(root, load_path, repository_files), [t.path for t in targets])
        return without_tokens(judge(root, analysis.contexts, len(workflows), root))
    except Exception as error:  # one repository's trouble must not stop a run over thousands
        return Verdict(root, Outcome.UNKNOWN, f"trustycheck could not analyse it ({type(error).__name__}: {error}); please report this")


def judge_all(roots: list[str], jobs: int, progress: Callable[[int, int], None] | None = None) -> list[Verdict]:
    """Verdicts in the order of ``roots``; with ``jobs`` > 1 and several repositories, in parallel."""
    results: list[Verdict] = []
    for done, verdict in enumerate(_judged(roots, jobs), start=1):
        results.append(verdict)
        if progress is not None:
            progress(done, len(roots))
    return results


def _judged(roots: list[str], jobs: int) -> Iterator[Verdict]:
    if jobs <= 1 or len(roots) < 4:
        yield from map(judge_repository, roots)
        return
    workers = min(jobs, len(roots))
    chunk = max(1, min(16, len(roots) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(judge_repository, roots, chunksize=chunk)
