"""For a repository still on tokens: the trusted publisher to register on PyPI (owner,
repository, workflow file name, environment), as far as the verdict's evidence shows it.

PyPI matches the workflow file that runs the publishing job (``job_workflow_ref``: for a
same-repository reusable workflow, the *called* file), and the environment only if the
publisher names one. Owner and repository come from the package map's GitHub URL, a clone
folder named ``owner__repo``, or the clone's ``origin`` remote; anything not known is None
(reports say "unknown") rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.git_origin import github_origin
from trustycheck.report.status import StatusRow
from trustycheck.status_packages import folder_slug
from trustycheck.verdict import Evidence, Outcome, PathKind



@dataclass(frozen=True)
class Publisher:
    """One trusted publisher to register (None: not known offline)."""

    owner: str | None
    repository: str | None
    workflow: str | None
    environment: str | None
    note: str = ""
    """Why it cannot be registered as is (e.g. the upload runs in another repository)."""


def publishers(row: StatusRow) -> list[Publisher]:
    """The publishers to register for a ``token`` or ``mixed`` repository (empty for others)."""
    verdict = row.verdict
    if verdict.verdict not in (Outcome.TOKEN, Outcome.MIXED):
        return []
    slug = repository_slug(verdict.repository, row.listing.slug if row.listing else None)
    owner, name = slug if slug else (None, None)
    found: dict[tuple[str | None, str | None, str], Publisher] = {}
    for item in verdict.evidence:
        if item.kind not in (PathKind.TOKEN, PathKind.TOKEN_THEN_OIDC):
            continue
        if item.handed_to is not None:
            publisher = Publisher(owner, name, None, None, f"the token is handed to {item.handed_to}: register where that uploads")
        else:
            publisher = Publisher(owner, name, item.workflow, item.environment,
                                  "a reusable workflow: PyPI matches the called file" if item.caller else "")
        found.setdefault((publisher.workflow, publisher.environment, publisher.note), publisher)
    return list(found.values())


def repository_slug(root: str, mapped: tuple[str, str] | None) -> tuple[str, str] | None:
    return mapped or folder_slug(root) or origin_slug(root)


def origin_slug(root: str) -> tuple[str, str] | None:
    """Owner and name from the clone's ``origin`` remote, if it is on GitHub."""
    return github_origin(root)
