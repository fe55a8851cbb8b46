"""The engine's condition language, on plain fact dicts (no workflow involved)."""

from __future__ import annotations

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
