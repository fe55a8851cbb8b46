"""A finding: what the engine produces and every reporter formats."""

from __future__ import annotations

from trustycheck.nodes import Pos
from dataclasses import dataclass

SEVERITIES = ("note", "warning", "error")
"""Ordered from least to most severe."""


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(eq=False, repr=False)
class Finding:
    """One problem found: rule, severity, message, where, and how to fix it."""

    rule_id: str
    slug: str
    severity: str
    message: str
    path: str
    pos: Pos
    hint: str

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.pos.line, self.pos.col, self.rule_id)
