"""The engine's condition language, on plain fact dicts (no workflow involved)."""

from __future__ import annotations

import pytest

from trustycheck.engine.conditions import evaluate, lookup
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
    assert evaluate(condition, FACTS) is expected


def test_lookup_of_missing_paths_is_none() -> None:
    assert lookup(FACTS, "job.environment.name") is None
    assert lookup(FACTS, "nope") is None


def test_message_templates() -> None:
    assert render("{step.publish.tool} via {step.publish.credential.source}", FACTS) == "twine via secrets.T"
    assert render("tags {step.tags}; env {job.environment.name}", FACTS) == "tags a, b; env ?"
