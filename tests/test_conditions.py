"""The engine's condition language, on plain fact dicts (no workflow involved)."""

from __future__ import annotations

import pytest

from trustycheck.engine.conditions import compile_condition, lookup
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
    assert compile_condition(condition)(FACTS) is expected


def test_lookup_of_missing_paths_is_none() -> None:
    assert lookup(FACTS, "job.environment.name") is None
    assert lookup(FACTS, "nope") is None


def test_message_templates() -> None:
    assert render("{step.publish.tool} via {step.publish.credential.source}", FACTS) == "twine via secrets.T"
    assert render("tags {step.tags}; env {job.environment.name}", FACTS) == "tags a, b; env ?"


def test_a_compiled_selector_picks_exactly_what_each_condition_accepts() -> None:
    """The selector tests all rules of a scope at once, under shared guards (``step.publish``
    must be a mapping for ``step.publish.x == 1``); it must agree with each condition alone."""
    import itertools

    from trustycheck.engine.conditions import compile_selector
    from trustycheck.model.lazy import LazyFacts

    conditions = [
        {"fact": "step.publish.to_pypi", "equals": True},
        {"all": [{"fact": "workflow.kind", "equals": "workflow"}, {"fact": "step.publish.credential.kind", "in": ["token"]}]},
        {"any": [{"fact": "job.publishes", "equals": True}, {"fact": "step.publish", "exists": False}]},
        {"not": {"fact": "step.publish.to_pypi", "equals": True}},
        {"fact": "step.publish.tool", "equals": None},
        {"fact": "step.publish.tool", "not-in": ["twine"]},
        {"fact": "step.uses.ref", "matches": "^v"},
        {"all": [{"fact": "job.publishes", "equals": True}, {"fact": "step.uses.kind", "in": ["repo"]}]},
    ]
    publishes = [None, "text", {}, {"to_pypi": True, "tool": "twine", "credential": {"kind": "token"}},
                 {"to_pypi": False, "credential": None}]
    contexts = []
    for publish, uses, job, kind in itertools.product(publishes, [None, {"ref": "v1", "kind": "repo"}], [True, False], ["workflow", "action"]):
        step = LazyFacts({"publish": publish}, {"uses": lambda uses=uses: {"uses": uses}})
        contexts.append({"step": step, "job": {"publishes": job}, "workflow": {"kind": kind}})
    selected = compile_selector(conditions)(contexts)
    for condition, chosen in zip(conditions, selected):
        assert chosen == [facts for facts in contexts if compile_condition(condition)(facts)], condition
    assert [len(chosen) for chosen in selected] == [8, 4, 28, 32, 32, 32, 20, 10]
