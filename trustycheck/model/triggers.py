"""Workflow triggers (``on:``) with their filters, read in every shape GitHub accepts."""

from __future__ import annotations

from trustycheck.nodes import Mapping, Node, ProblemReporter, Scalar, Sequence, describe
from dataclasses import dataclass, field

FILTER_KEYS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore", "types")


@dataclass(eq=False, repr=False)
class Trigger:
    """One event that starts the workflow, e.g. ``push`` with ``tags: ['v*']``."""

    event: str
    node: Node
    filters: dict[str, list[str]] = field(default_factory=dict)


def parse_triggers(node: Node, problem: ProblemReporter) -> list[Trigger]:
    """``on: push``, ``on: [push, release]`` or ``on: {push: {tags: [...]}, ...}``."""
    if isinstance(node, Scalar):
        if isinstance(node.value, str) and node.value:
            return [Trigger(node.value, node)]
        problem(node, "'on' must name at least one event")
        return []
    if isinstance(node, Sequence):
        triggers = []
        for item in node:
            if isinstance(item, Scalar) and isinstance(item.value, str):
                triggers.append(Trigger(item.value, item))
            else:
                problem(item, "each event in the 'on' list must be an event name")
        return triggers
    assert isinstance(node, Mapping)
    triggers = []
    for key, config in node.items():
        triggers.append(Trigger(key.text, key, _filters(key.text, config, problem)))
    return triggers


def _filters(event: str, config: Node, problem: ProblemReporter) -> dict[str, list[str]]:
    if not isinstance(config, Mapping):
        if event == "schedule":
            if not isinstance(config, Sequence):
                problem(config, f"'schedule' must be a list of '- cron: ...' entries, not {describe(config)}")
        elif not (isinstance(config, Scalar) and config.value is None):
            problem(config, f"the settings of '{event}' must be a mapping (or nothing), not {describe(config)}")
        return {}
    found: dict[str, list[str]] = {}
    for name in FILTER_KEYS:
        value = config.get(name)
        if value is None:
            continue
        if isinstance(value, Sequence):
            found[name] = []
            for item in value:
                if isinstance(item, Scalar) and isinstance(item.value, str):
                    found[name].append(item.as_string())
                else:
                    problem(item, f"each entry of '{event}.{name}' must be a string, not {describe(item)}")
        elif isinstance(value, Scalar) and isinstance(value.value, str):
            found[name] = [value.as_string()]
        elif not (isinstance(value, Scalar) and value.value is None):
            problem(value, f"'{event}.{name}' must be a string or a list of strings, not {describe(value)}")
    return found
