"""The engine's condition language, on plain fact dicts (no workflow involved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustycheck.engine.conditions import compile_condition, lookup, needed_record
from trustycheck.engine.runner import render

FACTS = {"step": {"publish": {"tool": "twine", "credential": {"kind": "token", "source": "secrets.T"}}, "tags": ["a", "b"]},
         "job": {"permissions": {"id-token": "none"}, "environment": None}}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"fact": "step.publish.tool", "equals": "twine"}, True),
        ({"fact": "step.publish.tool", "not-equals": "twine"}, False),
        ({"fact": "step.publish.credential.kind", "in": ["token", "password"]}, True),
        ({"fact": "step.publish.credential.kind", "not-in": ["token"]}, False),
        ({"fact": "job.environment", "exists": False}, True),
        ({"fact": "job.environment.name", "exists": True}, False),
        ({"fact": "step.publish", "exists": True}, True),
        ({"fact": "step.publish.credential.source", "matches": r"^secrets\."}, True),
        ({"fact": "step.missing.deeper", "matches": "."}, False),
        ({"fact": "step.tags", "contains": "b"}, True),
        ({"all": [{"fact": "step.publish.tool", "equals": "twine"}, {"fact": "job.permissions.id-token", "not-equals": "write"}]}, True),
        ({"any": [{"fact": "step.publish.tool", "equals": "uv"}, {"fact": "job.permissions.id-token", "equals": "write"}]}, False),
        ({"not": {"fact": "step.publish.tool", "equals": "uv"}}, True),
    ],
)
def test_operators(condition: dict, expected: bool) -> None:
    assert compile_condition(condition).holds(FACTS) is expected


def test_lookup_of_missing_paths_is_none() -> None:
    assert lookup(FACTS, "job.environment.name") is None
    assert lookup(FACTS, "nope") is None


def test_message_templates() -> None:
    assert render("{step.publish.tool} via {step.publish.credential.source}", FACTS) == "twine via secrets.T"
    assert render("tags {step.tags}; env {job.environment.name}", FACTS) == "tags a, b; env ?"


def test_a_condition_that_needs_a_record_is_false_wherever_that_record_is_missing() -> None:
    """The runner tests such a condition only where the record (``step.publish``) is present:
    that must never change an answer."""
    conditions = [
        ({"fact": "step.publish.to_pypi", "equals": True}, "step.publish"),
        ({"all": [{"fact": "step.publish.credential.kind", "in": ["token"]}, {"fact": "workflow.kind", "equals": "workflow"}]}, "step.publish"),
        ({"fact": "step.publish.tool", "not-in": ["twine"]}, None),
        ({"fact": "step.publish.tool", "equals": None}, None),
        ({"any": [{"fact": "step.publish.tool", "equals": "uv"}, {"fact": "job.publishes", "equals": True}]}, None),
        ({"fact": "step.uses.ref", "matches": "^v"}, "step.uses"),
        ({"not": {"fact": "step.publish.to_pypi", "equals": True}}, None),
    ]
    for condition, needed in conditions:
        assert needed_record(condition) == needed, condition
        if needed is not None:
            test = compile_condition(condition)
            for missing in ({"step": {}}, {"step": {"publish": None, "uses": None}}, {}):
                assert not test.holds({**missing, "workflow": {"kind": "workflow"}, "job": {"publishes": True}})


def test_conditions_read_fact_records_by_their_declared_names_only() -> None:
    from dataclasses import dataclass, field

    from trustycheck.engine.vocabulary import FactRecord, fact

    @dataclass
    class Step(FactRecord):
        label: str = field(metadata=fact("a label"))
        condition: str = field(metadata=fact("the if:", name="if"))
        hidden: str = "not a fact"

    step = Step("build", "always()")
    assert lookup({"step": step}, "step.label") == "build"
    assert lookup({"step": step}, "step.if") == "always()"
    assert lookup({"step": step}, "step.condition") is None
    assert lookup({"step": step}, "step.hidden") is None
    assert lookup({"step": step}, "step.__class__") is None
    assert compile_condition({"fact": "step.if", "matches": "always"}).holds({"step": step})

    @dataclass
    class Scope(FactRecord):
        step: Step = field(metadata=fact("the step"))

    # The compiled test reads exactly what lookup reads: no attribute that is not a fact.
    scope = Scope(step)
    assert compile_condition({"fact": "step.label", "equals": "build"}).holds(scope)
    assert compile_condition({"fact": "step.if", "equals": "always()"}).holds(scope)
    assert not compile_condition({"fact": "step.hidden", "equals": "not a fact"}).holds(scope)
    assert not compile_condition({"fact": "step.condition", "equals": "always()"}).holds(scope)
    assert not compile_condition({"fact": "step.__class__", "exists": True}).holds(scope)


def test_a_fact_that_fails_to_compute_raises_rather_than_reading_as_missing() -> None:
    from dataclasses import dataclass, field
    from functools import cached_property

    from trustycheck.engine.vocabulary import FactRecord, fact

    @dataclass
    class Job(FactRecord):
        @cached_property
        def broken(self) -> str:
            """A fact whose computation has a bug."""
            raise AttributeError("a bug in the model")

    @dataclass
    class Scope(FactRecord):
        job: Job = field(metadata=fact("the job"))

    with pytest.raises(AttributeError, match="a bug in the model"):
        compile_condition({"fact": "job.broken", "exists": True}).holds(Scope(Job()))


def test_fast_reads_give_what_read_path_gives_for_every_fact_of_real_workflows(corpus: Path) -> None:
    """``reader`` takes attribute chains in one call where it can; over every context of the
    examples and a corpus sample, and every fact the vocabulary lists, it must agree with the
    plain interpreter (the same object, or an equal value)."""
    from trustycheck.engine.conditions import read_path, reader
    from trustycheck.model.analysis import analyse_project
    from trustycheck.model.facts import fact_vocabulary
    from trustycheck.model.project import Project
    from trustycheck.loader import load_path
    from trustycheck.pipeline import repository_files

    root = Path(__file__).resolve().parent.parent
    files = [str(path) for path in sorted((root / "examples").glob("*.yml"))]
    files += [str(path) for path in sorted((corpus / "repos").glob("*/.github/workflows/*.y*ml"))[:40]]
    paths = [tuple(path.split(".")) for path in fact_vocabulary() if not path.endswith("*")]
    paths += [("job", "permissions", "id-token"), ("workflow", "permissions", "contents"), ("job", "if")]
    compared = 0
    for file in files:
        analysis = analyse_project(Project(None, load_path, repository_files), [file])
        for contexts in analysis.contexts.values():
            for context in contexts:
                for parts in paths:
                    fast, plain = reader(parts)(context), read_path(context, parts)
                    assert fast is plain or fast == plain, (file, ".".join(parts))
                    compared += 1
    assert compared > 10_000
