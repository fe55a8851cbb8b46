"""Which jobs build what a release uploads: those whose artifacts reach a publishing job's upload."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from trustycheck.model import actions, release_paths
from trustycheck.model.callgraph import JobInstance, StepInstance
from trustycheck.model.facts import JobFacts
from trustycheck.model.expressions import replace_expressions
from trustycheck.model.matrix import expand_names
from trustycheck.model.release_paths import Reads
from trustycheck.model.roles import artifact_transfer, artifacts_match
from trustycheck.model.workflow import Step

_PUBLISHES, _FEEDS = "publishes", "feeds"
"""The two ways a job passes files on: it uploads them to PyPI, or as an artifact to a job that does."""


def mark_feeders(jobs: list[JobFacts]) -> None:
    """Set ``feeds_publish`` on every job a publishing job needs, directly or not, that uploads
    an artifact the needing job downloads before its upload, into the path the upload reads
    (a test job earlier in ``needs`` only orders the run, its test report is not the release,
    and files fetched after the upload to make a GitHub release are not what PyPI got).
    Artifacts belong to the whole run, so a build job needed only through a test job that
    downloads its wheels to test them still hands them to the release; a job not needed at all
    may not have uploaded yet. ``needs`` name jobs of the same workflow run; a job of a called
    workflow also waits for whatever its calling job needs, and needing a calling job means
    needing every job it calls."""
    if not any(job.releases_to_pypi for job in jobs):  # most workflows
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
        """Every job that finishes before ``instance`` starts: its ``needs``, theirs, and so on."""
        found: list[JobInstance] = []
        seen: set[int] = set()
        current: JobInstance | None = instance
        while current is not None:
            run = runs[(current.entry.path, current.group)]
            names = list(current.job.needs)
            while names:
                other = run.get(names.pop())
                if other is None or id(other) in seen:
                    continue
                seen.add(id(other))
                found.append(other)
                found.extend(called(other))
                names.extend(other.job.needs)
            current = current.parent
        return found

    uploaded: dict[int, list[str | None]] = {}

    def hands_over(giver: JobInstance, wanted: list[_Download]) -> bool:
        if id(giver) not in uploaded:
            uploaded[id(giver)] = [name for step in giver.steps for name in _uploaded_names(giver, step.step)]
        given = uploaded[id(giver)]
        return any(download.feeds(name) for name in given for download in wanted)

    pending = [(job._instance, _PUBLISHES) for job in jobs if job.releases_to_pypi]
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


def _transfer(step: Step) -> tuple[bool, bool, str | None]:
    """(uploads, downloads, artifact name) of a step, counting a build action that uploads
    what it built as an artifact (:func:`actions.uploaded_artifact`) as an upload."""
    transfer = artifact_transfer(step)
    if transfer[0] or transfer[1] or step.uses is None:
        return transfer
    built = actions.uploaded_artifact(step)
    return (True, False, replace_expressions(built, lambda _: "*")) if built is not None else transfer


def _uploaded_names(instance: JobInstance, step: Step) -> list[str | None]:
    """The names the artifacts a step uploads can have: a matrix value spelled out in the job
    stands for itself (``py-${{ matrix.python }}`` is never ``py-cibw-sdist``), any other
    expression for anything."""
    uploads, _, name = _transfer(step)
    if not uploads:
        return []
    written = actions.input_text(step, "name") if artifact_transfer(step)[0] else actions.uploaded_artifact(step)
    if name is None or written is None or "${{" not in written:
        return [name]
    return list(expand_names(instance.job.node, written))


@dataclass(eq=False, repr=False)
class _Download:
    """A download step, and the uploads of its job that come after it."""

    pattern: str | None
    """The artifact name or pattern (None: every artifact of the run)."""
    path: str
    """Where it puts the files (see :func:`release_paths.normal_path`)."""
    own_directory: bool
    """Each artifact lands in ``path/<its name>`` (several artifacts, not merged)."""
    reads: list[Reads]
    """What each later upload reads."""
    steps: list[StepInstance]
    """The job's steps: those from the download to the last upload (``between``) may move the files."""
    between: range

    def feeds(self, uploaded: str | None) -> bool:
        """Whether the artifact ``uploaded`` (None: the default name) reaches an upload."""
        if not artifacts_match(uploaded, self.pattern):
            return False
        name = uploaded or "artifact"
        path = release_paths.normal_path("/".join(filter(None, (self.path, name)))) if self.own_directory else self.path
        return any(release_paths.reaches(path, reads) for reads in self.reads) or any(
            step.step.run is not None and release_paths.moved(step.step.run.as_string(), self.path or path)
            for step in islice(self.steps, self.between.start, self.between.stop))


def _feeding_downloads(instance: JobInstance, job: JobFacts, role: str) -> list[_Download]:
    """The downloads of ``instance`` that an upload comes after: a PyPI upload (``role`` is
    publishing) or an artifact upload (``role`` is feeding)."""
    steps = instance.steps
    first = next((position for position, step in enumerate(steps) if _transfer(step.step)[1]), None)
    if first is None:  # most publishing jobs build their own files, or hold no download
        return []
    if role == _PUBLISHES:
        # What an upload reads is worked out only for uploads after a download (a script is parsed again).
        publishing = {id(step) for step in job._publishing_steps}
        sinks: list[tuple[int, Reads]] = [
            (position, release_paths.publish_reads(step.step, instance.job.node, instance.workflow.node))
            for position, step in enumerate(steps) if position > first and id(step) in publishing]
    else:
        # A job that feeds may build what it uploads from what it downloads (cibuildwheel from
        # the sdist, a merge job repacking wheels): any download before its upload feeds.
        sinks = [(position, None) for position, step in enumerate(steps) if position > first and _transfer(step.step)[0]]
    if not sinks:
        return []
    last = sinks[-1][0]
    wanted: list[_Download] = []
    for position in range(first, last):
        step = steps[position]
        _, downloads, name = _transfer(step.step)
        if not downloads:
            continue
        merged = (actions.input_text(step.step, "merge-multiple") or "").lower() == "true"
        own_directory = not merged and actions.input_text(step.step, "name") is None
        reads = [reads for sink, reads in sinks if sink > position]
        wanted.append(_Download(name, release_paths.download_destination(step.step), own_directory, reads,
                                steps, range(position + 1, last)))
    return wanted
