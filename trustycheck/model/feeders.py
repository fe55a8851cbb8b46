"""Which jobs build what a release uploads: those whose artifacts reach a publishing job's upload."""

from __future__ import annotations

from collections import defaultdict

from trustycheck.model import release_paths
from trustycheck.model.callgraph import JobInstance
from trustycheck.model.facts import JobFacts
from trustycheck.model.release_paths import Reads
from trustycheck.model.roles import artifact_transfer, artifacts_match

_PUBLISHES, _FEEDS = "publishes", "feeds"
"""The two ways a job passes files on: it uploads them to PyPI, or as an artifact to a job that does."""


def mark_feeders(jobs: list[JobFacts]) -> None:
    """Set ``feeds_publish`` on every job a publishing job needs, transitively, that uploads
    an artifact the needing job downloads before its upload, into the path the upload reads
    (a test job earlier in ``needs`` only orders the run, its test report is not the release,
    and files fetched after the upload to make a GitHub release are not what PyPI got).
    ``needs`` name jobs of the same workflow run; a job of a called workflow also waits for
    whatever its calling job needs, and needing a calling job means needing every job it calls."""
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

    def hands_over(giver: JobInstance, wanted: list[str | None]) -> bool:
        given = facts_of[id(giver)].artifacts.uploads
        return any(artifacts_match(name, pattern) for name in given for pattern in wanted)

    pending = [(job._instance, _PUBLISHES) for job in jobs if job.publishes_to_pypi]
    seen: set[tuple[int, str]] = {(id(instance), role) for instance, role in pending}
    feeders: set[int] = set()
    while pending:
        taker, role = pending.pop()
        wanted = _feeding_downloads(taker, facts_of[id(taker)], role)
        if not wanted:
            continue
        for needed in prerequisites(taker):
            if hands_over(needed, wanted):
                feeders.add(id(needed))
                if (id(needed), _FEEDS) not in seen:
                    seen.add((id(needed), _FEEDS))
                    pending.append((needed, _FEEDS))
    for job in jobs:
        job.feeds_publish = id(job._instance) in feeders


def _feeding_downloads(instance: JobInstance, job: JobFacts, role: str) -> list[str | None]:
    """Names or patterns of the artifacts ``instance`` downloads (None: all) that reach one of
    its uploads: a later step that reads the directory they land in, or a script between that
    names it (and may move the files there)."""
    steps = instance.steps
    if role == _PUBLISHES:
        publishing = {id(step) for step in job._publishing_steps}
        sinks: list[tuple[int, Reads]] = [
            (position, release_paths.publish_reads(step.step, instance.job.node, instance.workflow.node))
            for position, step in enumerate(steps) if id(step) in publishing]
    else:
        sinks = [(position, release_paths.artifact_reads(step.step)) for position, step in enumerate(steps)
                 if artifact_transfer(step.step)[0]]
    wanted: list[str | None] = []
    for position, step in enumerate(steps):
        _, downloads, name = artifact_transfer(step.step)
        if not downloads:
            continue
        destination = release_paths.download_destination(step.step)
        for sink, reads in sinks:
            if sink > position and (release_paths.reaches(destination, reads) or any(
                    between.step.run is not None and release_paths.moved(between.step.run.as_string(), destination)
                    for between in steps[position + 1:sink])):
                wanted.append(name)
                break
    return wanted
