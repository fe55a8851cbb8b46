"""The workflow model: plain typed objects built from a loaded document.

Each object keeps the node it came from, so findings can point at it. Shapes GitHub would
reject (``jobs`` as a list, ``steps`` as a mapping, ``uses: [a]``...) are reported as
structure problems and skipped, so a broken part never hides the rest of the file.
"""

from __future__ import annotations

import re
from functools import cached_property

from trustycheck.loader import Document, Problem
from trustycheck.model.permissions import Permissions, effective_permissions, parse_permissions
from trustycheck.model.refs import ActionRef, parse_uses
from trustycheck.model.triggers import Trigger, parse_triggers
from trustycheck.patterns import lazy_pattern
from trustycheck.nodes import Mapping, Node, Scalar, Sequence, describe, plain_string, resolve_plain
from dataclasses import dataclass, field

WORKFLOW = "workflow"
ACTION = "action"


@dataclass(eq=False, repr=False)
class EnvVar:
    """An environment variable and the key that sets it."""

    name: str
    key: Scalar
    value: Node

    @property
    def text(self) -> str:
        return self.value.as_string() if isinstance(self.value, Scalar) else ""


Env = dict[str, EnvVar]


@dataclass(eq=False, repr=False)
class Environment:
    """A job's deployment environment: ``environment: pypi`` or ``{name: pypi, url: ...}``."""

    name: str | None
    url: str | None
    node: Node


@dataclass(eq=False, repr=False)
class Step:
    """A step of a job (or of a composite action)."""

    index: int
    node: Mapping
    id: str | None = None
    name: str | None = None
    uses: ActionRef | None = None
    run: Scalar | None = None
    shell: str | None = None
    inputs: Mapping | None = None
    env: Env = field(default_factory=dict)
    effective_env: Env = field(default_factory=dict)
    condition: str | None = None

    def input(self, *names: str) -> tuple[Scalar, Node] | None:
        """The first of ``names`` given under ``with:`` (for kebab/snake aliases)."""
        if self.inputs is None:
            return None
        for name in names:
            pair = self.inputs.entries.get(name)
            if pair is not None:
                return pair
        return None

    @property
    def label(self) -> str:
        """How a message names the step: as GitHub's log does, by its ``name:``, else by what it
        runs (its ``uses:``, or the first line of its command); a position only when it has none."""
        if self.name:
            return self.name
        if self.uses is not None:
            return self.uses.raw
        if self.run is not None:
            return command_label(self.run.as_string()) or f"step {self.index + 1}"
        return f"step {self.index + 1}"


LABEL_WIDTH = 60
"""Longest command start a step label shows (a message names the step, it does not quote it)."""
_LABEL_SCAN = 4 * LABEL_WIDTH
"""Characters of a command looked at for its first line: a one-line script of megabytes costs no
more than a short one."""
_CONTROL = lazy_pattern("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def command_label(script: str) -> str:
    """The first non-blank line of a command, shortened to :data:`LABEL_WIDTH` characters and with
    control characters shown as escapes (``\\x1b``), so a label is one short, inert line."""
    head = script[:_LABEL_SCAN]
    line = next((part.strip() for part in head.splitlines() if part.strip()), "")
    if len(line) > LABEL_WIDTH:
        line = line[:LABEL_WIDTH - 1].rstrip() + "…"
    return _CONTROL.sub(_escape, line)


def _escape(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]


@dataclass(eq=False, repr=False)
class Job:
    """A job of a workflow."""

    id: str
    key: Scalar
    node: Mapping
    name: str | None = None
    permissions: Permissions | None = None
    effective_permissions: Permissions = field(default_factory=lambda: effective_permissions(None, None))
    environment: Environment | None = None
    condition: str | None = None
    needs: list[str] = field(default_factory=list)
    env: Env = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    uses: ActionRef | None = None
    call_inputs: Mapping | None = None
    secrets_inherit: bool = False
    secrets: Env = field(default_factory=dict)
    secrets_node: Node | None = None


@dataclass(eq=False, repr=False)
class Workflow:
    """A workflow file, or a composite action file (``kind == 'action'``: one pseudo-job)."""

    doc: Document
    kind: str
    node: Mapping
    name: str | None = None
    triggers: list[Trigger] = field(default_factory=list)
    on_node: Node | None = None
    permissions: Permissions | None = None
    env: Env = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.doc.path

    @cached_property
    def events(self) -> list[str]:
        """The events in ``on:`` (read once the model is built: the builder sets the triggers first)."""
        return [trigger.event for trigger in self.triggers]


class _Builder:
    """Builds the model for one document, collecting structure problems as it goes."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def problem(self, node: Node, message: str) -> None:
        self.doc.problems.append(Problem("structure", message, node.pos))

    def text(self, node: Node | None, field_name: str) -> str | None:
        """A scalar field as a string; a collection is a structure problem."""
        if node is None:
            return None
        if type(node) is Scalar:
            if node.style:  # quoted or block: the text is the string
                return node.text
            value = resolve_plain(node.text)
            return None if value is None else plain_string(value, node.text)
        self.problem(node, f"'{field_name}' must be a string, not {describe(node)}")
        return None

    def mapping(self, node: Node | None, field_name: str) -> Mapping | None:
        if node is None or isinstance(node, Mapping):
            return node
        if isinstance(node, Scalar) and (node.value is None or "${{" in node.text):
            return None
        self.problem(node, f"'{field_name}' must be a mapping, not {describe(node)}")
        return None

    def env(self, node: Node | None, base: Env | None = None, field_name: str = "env") -> Env:
        merged: Env = dict(base) if base else {}
        block = self.mapping(node, field_name)
        if block is None:
            return merged
        what = "env var" if field_name == "env" else "secret"
        for key, value in block.items():
            if isinstance(value, Scalar):
                merged[key.text] = EnvVar(key.text, key, value)
            else:
                self.problem(value, f"{what} '{key.text}' must be a string, not {describe(value)}")
        return merged

    def inputs(self, node: Node | None) -> Mapping | None:
        """``with:``: inputs are passed as strings, so each value must be a scalar."""
        block = self.mapping(node, "with")
        if block is not None:
            for key, value in block.items():
                if not isinstance(value, Scalar):
                    self.problem(value, f"input '{key.text}' must be a string, not {describe(value)}")
        return block

    def runner(self, node: Node | None) -> Node | None:
        """``runs-on``: a label, a list of labels, or a mapping of ``group`` and/or ``labels``."""
        if node is None or isinstance(node, Scalar):
            return node
        if isinstance(node, Sequence):
            for item in node:
                if not isinstance(item, Scalar):
                    self.problem(item, f"a 'runs-on' label must be a string, not {describe(item)}")
            return node
        if isinstance(node, Mapping):
            keys = node.keys()
            if not keys or any(key not in ("group", "labels") for key in keys):
                self.problem(node, "'runs-on' as a mapping takes 'group' and/or 'labels' (and nothing else)")
            return node
        return node

    def container(self, node: Node | None) -> Node | None:
        if node is None or isinstance(node, Mapping) or (isinstance(node, Scalar) and isinstance(node.value, (str, type(None)))):
            return node
        self.problem(node, f"'container' must be an image name or a mapping, not {describe(node)}")
        return None

    def permissions(self, node: Node | None) -> Permissions | None:
        if node is None:
            return None
        return parse_permissions(node, self.problem)

    def uses(self, node: Node | None) -> ActionRef | None:
        value = self.text(node, "uses")
        if value is None:
            return None
        return parse_uses(value, node)

    def environment(self, node: Node | None) -> Environment | None:
        if node is None:
            return None
        if isinstance(node, Scalar):
            name = node.as_string()
            return Environment(name or None, None, node)
        if isinstance(node, Mapping):
            return Environment(self.text(node.get("name"), "environment.name"), self.text(node.get("url"), "environment.url"), node)
        self.problem(node, f"'environment' must be a name or a mapping with 'name', not {describe(node)}")
        return None

    def condition(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar):
            return node.as_string()
        self.problem(node, f"'if' must be an expression, not {describe(node)}")
        return None

    def needs(self, node: Node | None) -> list[str]:
        if node is None:
            return []
        if isinstance(node, Scalar):
            return [node.as_string()]
        if isinstance(node, Sequence):
            return [item.as_string() for item in node if isinstance(item, Scalar)]
        self.problem(node, f"'needs' must be a job id or a list of job ids, not {describe(node)}")
        return []

    def steps(self, node: Node | None, base_env: Env) -> list[Step]:
        if node is None:
            return []
        if not isinstance(node, Sequence):
            if not (isinstance(node, Scalar) and node.value is None):
                self.problem(node, f"'steps' must be a list of steps, not {describe(node)}")
            return []
        steps = []
        for index, item in enumerate(node):
            if not isinstance(item, Mapping):
                self.problem(item, f"a step must be a mapping, not {describe(item)}")
                continue
            steps.append(self.step(index, item, base_env))
        return steps

    def step(self, index: int, node: Mapping, base_env: Env) -> Step:
        # Hot: every step of every file. Absent keys (most of them) cost one dict lookup.
        fields = node.entries
        run = pair[1] if (pair := fields.get("run")) else None
        if run is not None and type(run) is not Scalar:
            self.problem(run, f"'run' must be a string, not {describe(run)}")
            run = None
        own_env = self.env(pair[1]) if (pair := fields.get("env")) else {}
        return Step(
            index,
            node,
            self.text(pair[1], "id") if (pair := fields.get("id")) else None,
            self.text(pair[1], "name") if (pair := fields.get("name")) else None,
            self.uses(pair[1]) if (pair := fields.get("uses")) else None,
            run,
            self.text(pair[1], "shell") if (pair := fields.get("shell")) else None,
            self.inputs(pair[1]) if (pair := fields.get("with")) else None,
            own_env,
            {**base_env, **own_env} if own_env else base_env,
            self.condition(pair[1]) if (pair := fields.get("if")) else None,
        )

    def job(self, key: Scalar, node: Mapping, workflow: Workflow) -> Job:
        permissions = self.permissions(node.get("permissions"))
        env = self.env(node.get("env"), workflow.env)
        job = Job(
            id=key.text,
            key=key,
            node=node,
            name=self.text(node.get("name"), "name"),
            permissions=permissions,
            effective_permissions=effective_permissions(permissions, workflow.permissions),
            environment=self.environment(node.get("environment")),
            condition=self.condition(node.get("if")),
            needs=self.needs(node.get("needs")),
            env=env,
            uses=self.uses(node.get("uses")),
            call_inputs=self.inputs(node.get("with")),
        )
        self.runner(node.get("runs-on"))  # checked for its shape only, as is the container
        self.container(node.get("container"))
        job.steps = self.steps(node.get("steps"), env)
        secrets = node.get("secrets")
        if secrets is not None:
            job.secrets_node = secrets
            if isinstance(secrets, Scalar) and secrets.value == "inherit":
                job.secrets_inherit = True
            else:
                job.secrets = self.env(secrets, field_name="secrets")
        return job

    def workflow(self) -> Workflow | None:
        root = self.doc.root
        if not isinstance(root, Mapping):
            if root is not None:
                self.doc.problems.append(
                    Problem("not-a-workflow", f"the file's top level is {describe(root)}, not a mapping of workflow keys", root.pos)
                )
            return None
        jobs = root.get("jobs")
        if jobs is None and "runs" in root:
            return self.action(root)
        if jobs is None:
            self.doc.problems.append(
                Problem("not-a-workflow", "not a workflow: there is no 'jobs' key (nor 'runs', for an action)", root.pos)
            )
            return None
        workflow = Workflow(self.doc, WORKFLOW, root, name=self.text(root.get("name"), "name"))
        on_node = root.get("on")
        if on_node is None:
            self.problem(root.key_node("jobs") or root, "the workflow has no 'on' key: nothing can trigger it")
        else:
            workflow.on_node = on_node
            workflow.triggers = parse_triggers(on_node, self.problem)
        workflow.permissions = self.permissions(root.get("permissions"))
        workflow.env = self.env(root.get("env"))
        if not isinstance(jobs, Mapping):
            self.problem(jobs, f"'jobs' must be a mapping of job ids to jobs, not {describe(jobs)}")
            return workflow
        for key, job_node in jobs.items():
            if not isinstance(job_node, Mapping):
                self.problem(job_node, f"job '{key.text}' must be a mapping, not {describe(job_node)}")
                continue
            workflow.jobs.append(self.job(key, job_node, workflow))
        return workflow

    def action(self, root: Mapping) -> Workflow:
        """A local action file: composite steps become one pseudo-job run by the caller."""
        workflow = Workflow(self.doc, ACTION, root, name=self.text(root.get("name"), "name"))
        runs = self.mapping(root.get("runs"), "runs")
        key = root.key_node("runs")
        assert key is not None
        job = Job(id="(action)", key=key, node=runs or root)
        if runs is not None:
            job.steps = self.steps(runs.get("steps"), {})
        workflow.jobs.append(job)
        return workflow


def build_workflow(doc: Document) -> Workflow | None:
    """Build the model for a loaded document; ``None`` when it is not a workflow or action."""
    if doc.root is None:
        return None
    return _Builder(doc).workflow()
