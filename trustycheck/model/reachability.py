"""When can a job run? The runs (event, ref, action) that can start each job instance.

A job runs when its workflow is started by one of its ``on:`` events, with the filters
narrowing what each can be (a ``push`` filtered to branches never runs for a tag; a ``release``
only for its ``types``), its own ``if:`` can hold in that run, every job it ``needs`` can run
in it (a skipped needed job skips it, unless its ``if:`` calls ``always()``, ``cancelled()`` or
``failure()``), and, for a job of a called workflow, the calling job can run in it (the callee
sees the caller's event and ref). DOMAIN.md §5.2, §5.4.

A needed job's output is read too: ``outputs: {release: ${{ steps.tag.outputs.release }}}`` is
empty in every run where the step ``tag`` cannot run (its own ``if:``, or its job skipped), so
``if: needs.check.outputs.release == 'true'`` holds only where it can (:mod:`.job_outputs`).

Each trigger is turned into a few kinds of :class:`Run`, each with what GitHub's ``github``
context is known to hold in it; guards are read by :mod:`trustycheck.model.guards`, everything
not known being unknown, so a job is kept from a run only when its ``if:`` is false whatever
the unknowns are. Work is done for the jobs asked about (publishing ones) and what they need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from trustycheck.model.callgraph import JobInstance
from trustycheck.model.gating import UNTRUSTED_EVENTS
from trustycheck.model.guards import BranchRef, Condition, NotAmong, TagRef, Upstream, calls_status_check
from trustycheck.model.job_outputs import OutputSource, output_sources, output_tests, steps_by_id
from trustycheck.model.workflow import Job, Step
from trustycheck.model.triggers import Trigger

BRANCH, TAG = "branch", "tag"

RELEASE_TYPES = ("published", "unpublished", "created", "edited", "deleted", "prereleased", "released")
"""``release`` activity types; a ``release`` trigger without ``types:`` runs for each."""

_TAG_OR_BRANCH_EVENTS = frozenset({"workflow_dispatch", "create", "delete"})
"""Events whose ref may be a branch or a tag (a dispatch on a tag, a tag created or deleted)."""
_NO_ACTION_EVENTS = frozenset({"push", "schedule", "workflow_dispatch", "create", "delete"})
"""Events whose payload has no ``action``: ``github.event.action`` is null."""
_OUTSIDER_UPSTREAM = ("pull_request", *UNTRUSTED_EVENTS)
"""Events of the run a ``workflow_run`` follows that outsiders can cause (a fork's pull request)."""


MAX_DEPTH = 100
"""Jobs and outputs followed through ``needs`` from one job; a longer chain (hostile: GitHub
allows a few hundred jobs) is taken as able to run, rather than exhausting Python's stack."""


@dataclass(eq=False, repr=False)
class Run:
    """One kind of workflow run a trigger can start: the event, whether ``github.ref`` is a branch
    (or pull request) or a tag (``None``: not known), the activity type, and for ``workflow_run``
    whether an outsider caused the run it follows."""

    trigger: Trigger | None
    event: str | None
    ref: str | None
    action: str | None = None
    outsider: bool = False
    """For ``workflow_run``: the run followed was started by an event outsiders can cause."""
    upstream: str | None = None
    """For ``workflow_run``: that run's event (``None`` with ``outsider`` False: any other)."""
    situation: dict[tuple[str, ...], object] = field(default_factory=dict)
    """What the ``github`` context is known to hold (for any job or step of the run)."""
    top_level: dict[tuple[str, ...], object] = field(default_factory=dict)
    """The same for a job of the workflow the event starts, whose ``inputs`` are null unless a
    dispatch gave them (a called workflow's come from its caller, an action's from its step)."""

    @property
    def untrusted(self) -> bool:
        """Outsiders can cause this run (DOMAIN.md §5.4)."""
        if self.event == "workflow_run":
            return self.outsider
        return self.event in UNTRUSTED_EVENTS

    @property
    def ungated(self) -> bool:
        """Every branch push, or a schedule: nobody decided to release."""
        return (self.event == "push" and self.ref == BRANCH) or self.event == "schedule"


def runs_of(triggers: Iterable[Trigger]) -> list[Run]:
    """The kinds of run the workflow's triggers can start."""
    runs: list[Run] = []
    for trigger in triggers:
        event = trigger.event
        filters = trigger.filters
        if event == "push":
            branches = "branches" in filters or "branches-ignore" in filters
            tags = "tags" in filters or "tags-ignore" in filters
            refs = [BRANCH] if branches and not tags else [TAG] if tags and not branches else [BRANCH, TAG]
            runs.extend(Run(trigger, event, ref) for ref in refs)
        elif event == "release":
            runs.extend(Run(trigger, event, TAG, action) for action in filters.get("types") or RELEASE_TYPES)
        elif event == "workflow_run":
            actions: list[str | None] = [*filters["types"]] if filters.get("types") else [None]
            for action in actions:
                runs.extend(Run(trigger, event, BRANCH, action, True, upstream) for upstream in _OUTSIDER_UPSTREAM)
                runs.append(Run(trigger, event, BRANCH, action))
        elif event == "workflow_call":
            runs.append(Run(trigger, None, None))  # the caller's event and ref: not known here
        elif event in _TAG_OR_BRANCH_EVENTS:
            runs.extend(Run(trigger, event, ref) for ref in (BRANCH, TAG))
        else:  # pull requests, schedules, comments...: a pull request ref or the default branch
            runs.append(Run(trigger, event, BRANCH))
    if not runs:  # an action read on its own, or a workflow whose on: cannot be read: not known
        runs.append(Run(None, None, None))
    for run in runs:
        run.situation = _situation(run)
        run.top_level = run.situation
        if run.event is not None and run.event != "workflow_dispatch":
            run.top_level = {**run.situation, ("inputs",): None}
    return runs


def _situation(run: Run) -> dict[tuple[str, ...], object]:
    """What the ``github`` context is known to hold in ``run`` (paths in lower case)."""
    known: dict[tuple[str, ...], object] = {
        ("github", "repository"): Upstream(),
        ("github", "repository_owner"): Upstream(),
    }
    if run.event is None:
        return known
    known[("github", "event_name")] = run.event
    if run.ref == BRANCH:
        known.update({("github", "ref"): BranchRef(), ("github", "event", "ref"): BranchRef(), ("github", "ref_type"): "branch"})
    elif run.ref == TAG:
        known.update({("github", "ref"): TagRef(), ("github", "ref_type"): "tag"})
        if run.event == "push":
            known[("github", "event", "ref")] = TagRef()
    if run.event != "release":
        known[("github", "event", "release")] = None
    if run.event != "workflow_dispatch":
        known[("github", "event", "inputs")] = None
    if run.event != "workflow_run":
        known[("github", "event", "workflow_run")] = None
    elif run.outsider:
        known[("github", "event", "workflow_run", "event")] = run.upstream
    else:
        known[("github", "event", "workflow_run", "event")] = NotAmong(*_OUTSIDER_UPSTREAM)
    if run.action is not None:
        known[("github", "event", "action")] = run.action
    elif run.event in _NO_ACTION_EVENTS:
        known[("github", "event", "action")] = None
    return known


def bypasses_needs(condition: str | None) -> bool:
    """The ``if:`` calls ``always()``, ``cancelled()`` or ``failure()``: the job is not skipped
    because a job it needs was."""
    return bool(condition) and calls_status_check(condition or "")


class Reachability:
    """The runs that can start each job instance of one analysis (one repository)."""

    def __init__(self, instances: list[JobInstance]) -> None:
        self._instances = instances
        self._groups: dict[tuple[str, tuple[object, ...]], dict[str, JobInstance]] | None = None
        self._runs: dict[str, list[Run]] = {}
        self._reachable: dict[tuple[int, int], bool] = {}
        self._held: dict[tuple[str, int, bool, tuple[tuple[str, ...], ...]], bool] = {}
        self._read: dict[str, Condition] = {}
        self._set: dict[tuple[int, str, int], bool] = {}
        self._depth = 0
        self._tests: dict[str, tuple[tuple[str, str], ...]] = {}
        self._sources: dict[int, dict[str, OutputSource]] = {}
        self._step_ids: dict[int, dict[str, Step]] = {}

    def runs(self, instance: JobInstance) -> list[Run]:
        """The kinds of run in which ``instance`` can run (empty: it never runs)."""
        return [run for run in self._entry_runs(instance) if self._can_run(instance, run)]

    def can_run(self, instance: JobInstance) -> bool:
        """Some run of its workflow's triggers can start ``instance``."""
        return any(self._can_run(instance, run) for run in self._entry_runs(instance))

    def _entry_runs(self, instance: JobInstance) -> list[Run]:
        entry = instance.entry
        found = self._runs.get(entry.path)
        if found is None:
            found = self._runs[entry.path] = runs_of(entry.triggers)
        return found

    def _can_run(self, instance: JobInstance, run: Run) -> bool:
        key = (id(instance), id(run))
        known = self._reachable.get(key)
        if known is not None:
            return known
        if self._depth >= MAX_DEPTH:
            return True  # too long a chain of needs to follow: it may run
        self._reachable[key] = True  # a cycle of needs (GitHub rejects it) decides nothing
        self._depth += 1
        try:
            result = self._decide(instance, run)
        finally:
            self._depth -= 1
        self._reachable[key] = result
        return result

    def _decide(self, instance: JobInstance, run: Run) -> bool:
        if instance.parent is not None and not self._can_run(instance.parent, run):
            return False
        condition = instance.job.condition
        if condition and not self._holds(condition, run, instance):
            return False
        if instance.job.needs and not bypasses_needs(condition):
            siblings = self._group(instance)
            for need in instance.job.needs:
                other = siblings.get(need)
                if other is not None and other is not instance and not self._can_run(other, run):
                    return False
        return True

    def step_situation(self, instance: JobInstance, condition: str | None, run: Run) -> dict[tuple[str, ...], object]:
        """What a step of ``instance`` whose ``if:`` is ``condition`` knows in ``run``: the run's
        ``github`` context, and the needed jobs' outputs it tests that the run cannot set."""
        unset = self._unset_outputs(condition, run, instance) if condition else ()
        return {**run.situation, **dict.fromkeys(unset, "")} if unset else run.situation

    def _holds(self, condition: str, run: Run, instance: JobInstance) -> bool:
        """``condition`` (the ``if:`` of ``instance`` or of one of its steps) can hold in ``run``."""
        top_level = instance.parent is None
        unset = self._unset_outputs(condition, run, instance)
        key = (condition, id(run), top_level, unset)
        held = self._held.get(key)
        if held is None:
            read = self._read.get(condition)
            if read is None:
                read = self._read[condition] = Condition(condition, settle=True)
            situation = run.top_level if top_level else run.situation
            if unset:
                situation = {**situation, **dict.fromkeys(unset, "")}
            held = self._held[key] = read.outcome(situation) is not False
        return held

    def _unset_outputs(self, condition: str, run: Run, instance: JobInstance) -> tuple[tuple[str, ...], ...]:
        """The ``needs.<job>.outputs.<name>`` paths ``condition`` tests that are empty in ``run``."""
        tests = self._tests.get(condition)
        if tests is None:
            tests = self._tests[condition] = output_tests(condition)
        if not tests:
            return ()
        unset = []
        for job_id, name in tests:
            other = self._needed(instance, job_id)
            if other is not None and not self._can_be_set(other, name, run):
                unset.append(("needs", job_id, "outputs", name))
        return tuple(unset)

    def _needed(self, instance: JobInstance, job_id: str) -> JobInstance | None:
        """The job ``instance`` needs whose id is ``job_id`` in lower case (the ``needs`` context
        holds only those)."""
        for need in instance.job.needs:
            if need.lower() == job_id:
                other = self._group(instance).get(need)
                return other if other is not instance else None
        return None

    def _can_be_set(self, instance: JobInstance, name: str, run: Run) -> bool:
        """The output ``name`` of ``instance`` may be non-empty in ``run``: the job runs and so
        does the step (or the needed job's output) it comes from; unknown when it cannot be read."""
        key = (id(instance), name, id(run))
        known = self._set.get(key)
        if known is not None:
            return known
        if self._depth >= MAX_DEPTH:
            return True  # too long a chain of outputs to follow: it may be set
        self._set[key] = True  # a cycle (GitHub rejects it) decides nothing
        self._depth += 1
        try:
            result = self._can_run(instance, run) and self._source_can_be_set(
                instance, self._outputs(instance.job).get(name), run)
        finally:
            self._depth -= 1
        self._set[key] = result
        return result

    def _source_can_be_set(self, instance: JobInstance, source: OutputSource | None, run: Run) -> bool:
        if source is None:
            return True
        if source.kind == "steps":
            steps = self._step_ids.get(id(instance.job))
            if steps is None:
                steps = self._step_ids[id(instance.job)] = steps_by_id(instance.job)
            step = steps.get(source.owner)
            if step is None:
                return True
            return not step.condition or self._holds(step.condition, run, instance)
        other = self._needed(instance, source.owner)
        return other is None or self._can_be_set(other, source.name, run)

    def _outputs(self, job: Job) -> dict[str, OutputSource]:
        found = self._sources.get(id(job))
        if found is None:
            found = self._sources[id(job)] = output_sources(job)
        return found

    def _group(self, instance: JobInstance) -> dict[str, JobInstance]:
        """The jobs of the workflow run ``instance`` belongs to, by id (``needs`` resolve there)."""
        if self._groups is None:
            self._groups = {}
            for other in self._instances:
                self._groups.setdefault((other.entry.path, other.group), {})[other.job.id] = other
        return self._groups.get((instance.entry.path, instance.group), {})
