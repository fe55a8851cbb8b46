"""Which jobs build what a release uploads: those whose artifacts reach a publishing job."""

from __future__ import annotations

from collections import defaultdict

from trustycheck.model.callgraph import JobInstance
from trustycheck.model.facts import JobFacts
from trustycheck.model.roles import artifacts_match


def mark_feeders(jobs: list[JobFacts]) -> None:
    """Set ``feeds_publish`` on every job a publishing job needs, transitively, that uploads
    an artifact the needing job downloads (a test job earlier in ``needs`` only orders the
    run, and its test report is not the release). ``needs`` name jobs of the same workflow
    run; a job of a called workflow also waits for whatever its calling job needs, and
    needing a calling job means needing every job it calls."""
    if not any(job.publishes_to_pypi for job in jobs):  # most workflows
        return
    facts_of = {id(job._instance): job for job in jobs}
    runs: dict[tuple[str, tuple[object, ...]], dict[str, JobInstance]] = defaultdict(dict)
    for job in jobs:
        instance = job._instance
        runs[(instance.entry.path, instance.group)][instance.job.id] = instance

    def called(instance: JobInstance) -> list[JobInstance]:
        found, pending = [], list(instance.callees)
        while pending:
            callee = pending.pop()
            found.append(callee)
            pending.extend(callee.callees)
        return found

    def prerequisites(instance: JobInstance) -> list[JobInstance]:
        found: list[JobInstance] = []
        current: JobInstance | None = instance
        while current is not None:
            run = runs[(current.entry.path, current.group)]
            for need in current.job.needs:
                other = run.get(need)
                if other is not None:
                    found.append(other)
                    found.extend(called(other))
            current = current.parent
        return found

    def hands_over(giver: JobInstance, taker: JobInstance) -> bool:
        wanted = facts_of[id(taker)].artifacts.downloads
        given = facts_of[id(giver)].artifacts.uploads
        return any(artifacts_match(name, pattern) for name in given for pattern in wanted)

    pending = [job._instance for job in jobs if job.publishes_to_pypi]
    feeders: set[int] = set()
    while pending:
        taker = pending.pop()
        for needed in prerequisites(taker):
            if id(needed) not in feeders and hands_over(needed, taker):
                feeders.add(id(needed))
                pending.append(needed)
    for job in jobs:
        job.feeds_publish = id(job._instance) in feeders
