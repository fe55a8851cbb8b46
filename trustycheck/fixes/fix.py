"""A fix: the edits that resolve one finding, and what is left to the user."""

from __future__ import annotations

from dataclasses import dataclass, field

from trustycheck.fixes.text import Edit


@dataclass(eq=False, repr=False)
class Fix:
    """The edits that fix one finding, and what the user must do besides."""

    rule_id: str
    description: str
    """Where and what, in words (``job 'publish': drop password:``); also the fix's identity
    from one round to the next, when positions have moved."""
    edits: list[Edit]
    safe: bool = True
    notes: list[str] = field(default_factory=list)
    """What is left to the user (delete a secret, register the publisher on PyPI)."""

    @property
    def key(self) -> tuple[str, str]:
        return self.rule_id, self.description


def fix_of(description: str, edits: list[Edit], notes: list[str] | None = None) -> Fix:
    """A fix as a fixer makes it (the engine fills in the rule and whether it is safe)."""
    return Fix("", description, edits, notes=notes or [])
