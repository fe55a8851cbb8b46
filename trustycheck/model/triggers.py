"""Workflow triggers (``on:``) with their filters, read in every shape GitHub accepts."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustycheck.nodes import Mapping, Node, Scalar, Sequence

FILTER_KEYS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore", "types")


@dataclass
class Trigger:
    """One event that starts the workflow, e.g. ``push`` with ``tags: ['v*']``."""

    event: str
    node: Node
    config: Node | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)

    def filter(self, name: str) -> list[str] | None:
        return self.filters.get(name)


def parse_triggers(node: Node, problem) -> list[Trigger]:
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
        triggers.append(Trigger(key.text, key, config, _filters(config)))
    return triggers


def _filters(config: Node) -> dict[str, list[str]]:
    if not isinstance(config, Mapping):
        return {}
    found: dict[str, list[str]] = {}
    for name in FILTER_KEYS:
        value = config.get(name)
        if value is None:
            continue
        if isinstance(value, Sequence):
            found[name] = [item.as_string() for item in value if isinstance(item, Scalar)]
        elif isinstance(value, Scalar) and value.value is not None:
            found[name] = [value.as_string()]
    return found
