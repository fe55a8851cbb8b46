"""A repository's verdict: does it publish to PyPI with Trusted Publishing, a token, both, or not at all?

Read from the same facts the rules use, after the call graph has been followed, so an upload in
a called workflow or composite action counts with the credential its caller hands it. Every
verdict carries its evidence (file, line, what uploads and with which credential) and a one-line
reason; ``unknown`` also says what would have to be read to settle it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from trustycheck.masking import mask_secrets
from trustycheck.model.credentials import CredentialKind, WordEnum
from trustycheck.model.delegation import Authority
from trustycheck.model.facts import Context, DelegationFacts, JobFacts, UploadFacts

class Outcome(WordEnum):
    """A repository's verdict."""

    TRUSTED = "trusted"
    TOKEN = "token"
    MIXED = "mixed"
    NONE = "none"
    UNKNOWN = "unknown"


VERDICTS = tuple(Outcome)

# What one piece of evidence says about the credential.
class PathKind(WordEnum):
    """What one upload path (one piece of evidence) says about the credential."""

    OIDC = "oidc"
    TOKEN = "token"
    TOKEN_THEN_OIDC = "token-then-oidc"
    """A token in a job with id-token: write, whose tool uses Trusted Publishing once the secret is empty."""
    UNSURE = "unsure"


@dataclass(eq=False, repr=False)
class Evidence:
    """One upload (or hand-over) and what authenticates it."""

    kind: str
    """oidc, token or unsure."""
    path: str
    line: int
    column: int
    what: str
    """The tool or call, e.g. ``pypa/gh-action-pypi-publish`` or ``make release``."""
    credential: str
    """Where the credential comes from, in words (never a secret's value)."""
    job: str | None = None
    chain: str | None = None
    needs: str | None = None
    """For unsure evidence: what would have to be read."""
    source: str | None = None
    """For token evidence: the secret or value the long-lived credential comes from."""
    environment: str | None = None
    """The job's deployment environment (``status`` reports name it for a trusted publisher)."""
    handed_to: str | None = None
    """For a hand-over to another repository's workflow or action: its name (the upload, and
    the trusted publisher to register, are that repository's)."""
    workflow: str | None = None
    """The workflow file a trusted publisher for this upload names (``job.publisher_workflow``)."""
    caller: str | None = None
    """For an upload in a called workflow: the calling workflow's file (``job.caller_file``)."""

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(eq=False, repr=False)
class Verdict:
    """A repository's publishing verdict, with its reason and evidence."""

    repository: str
    verdict: Outcome
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    files: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "verdict": self.verdict,
            "reason": self.reason,
            "files": self.files,
            "evidence": [
                {
                    "kind": e.kind,
                    "path": e.path,
                    "line": e.line,
                    "column": e.column,
                    "what": e.what,
                    "credential": e.credential,
                    "job": e.job,
                    "chain": e.chain,
                    "needs": e.needs,
                }
                for e in self.evidence
            ],
        }


T = TypeVar("T", "Verdict", "Evidence")


def without_tokens(verdict: Verdict) -> Verdict:
    """The verdict with any PyPI token in its words masked (evidence quotes job names and
    commands from the workflow, which may hold one)."""

    def clean(item: T) -> T:
        changes: dict[str, Any] = {name: mask_secrets(value) for name, value in vars(item).items() if isinstance(value, str)}
        return replace(item, **changes)

    return replace(clean(verdict), evidence=[clean(evidence) for evidence in verdict.evidence])


def judge(repository: str, contexts: dict[str, list[Context]], files: int, root: str | None = None) -> Verdict:
    """The verdict for one repository from its analysed fact contexts (the ones the rules read)."""
    evidence = _dedupe(_evidence(contexts, root))
    kinds = {e.kind for e in evidence}
    unread = _unread(contexts, root)
    if not kinds and unread:  # what was not read may publish: saying "none" would be a guess
        more = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
        return Verdict(repository, Outcome.UNKNOWN, f"not every workflow could be read: {unread[0]}{more}", evidence, files)
    if files == 0:
        return Verdict(repository, Outcome.NONE, "no workflow files in .github/workflows", evidence, files)
    if PathKind.OIDC in kinds and PathKind.TOKEN in kinds or PathKind.TOKEN_THEN_OIDC in kinds:
        verdict = Outcome.MIXED
    elif PathKind.OIDC in kinds:
        verdict = Outcome.TRUSTED
    elif PathKind.TOKEN in kinds:
        verdict = Outcome.TOKEN
    elif PathKind.UNSURE in kinds:
        verdict = Outcome.UNKNOWN
    else:
        return Verdict(repository, Outcome.NONE, _why_nothing_uploads(contexts, root), evidence, files)
    return Verdict(repository, verdict, _reason(verdict, evidence), evidence, files)


_UNREAD_KINDS = frozenset({"unreadable", "limit", "internal"})
"""Problems after which a file's content is unknown (a YAML error is not one: GitHub cannot
run such a file either, so it publishes nothing)."""


def _unread(contexts: dict[str, list[Context]], root: str | None) -> list[str]:
    """``path: why`` for each file whose content trustycheck could not read."""
    found: dict[str, str] = {}
    for context in contexts.get("problem", ()):
        problem = context.problem
        if problem is not None and problem.kind in _UNREAD_KINDS:
            path = _relative(context.file.path or "", root)
            found.setdefault(path, f"{path}: {problem.message}")
    return list(found.values())


def _evidence(contexts: dict[str, list[Context]], root: str | None) -> Iterable[Evidence]:
    for context in contexts.get("step", ()):
        step, job = context.step, context.job
        if step is None or job is None:
            continue
        chain = context.call.chain if context.call else None
        publish = step.publish
        if publish is not None and publish.to_pypi and not publish.delegated:
            yield _of_job(_publish_evidence(publish, job, _relative(context.file.path, root), chain), job)
        elif step.delegates is not None and job.can_run:  # a job no run can start publishes nothing
            yield _of_job(_delegation_evidence(step.delegates, job, _relative(context.file.path, root), chain), job)
    for context in contexts.get("job", ()):
        job = context.job
        delegation = job.delegates if job is not None else None
        if job is not None and delegation is not None and job.can_run:
            chain = context.call.chain if context.call else None
            yield _of_job(_delegation_evidence(delegation, job, _relative(context.file.path, root), chain), job)


def _of_job(evidence: Evidence, job: JobFacts) -> Evidence:
    """The evidence with the workflow files its trusted publisher depends on."""
    evidence.workflow, evidence.caller = job.publisher_workflow, job.caller_file
    return evidence


def _why_nothing_uploads(contexts: dict[str, list[Context]], root: str | None) -> str:
    """The reason for ``none``: an upload that exists but sits in a job no trigger can start is
    named, so an inventory does not read a broken release workflow as no release workflow."""
    dead = []
    for context in contexts.get("step", ()):
        step, job = context.step, context.job
        upload = step.unreachable_upload if step is not None else None
        if upload is not None and upload.to_pypi and job is not None:
            line, _ = _where(upload.node, None)
            dead.append(f"{upload.tool} in {_relative(context.file.path, root)}:{line} is in job '{job.id}'")
    if not dead:
        return "no workflow uploads to PyPI or TestPyPI"
    first = dead[0]
    more = f" (and {len(dead) - 1} more)" if len(dead) > 1 else ""
    return f"no upload can run: {first}, which no trigger of its workflow can start{more}"


def _publish_evidence(publish: UploadFacts, job: JobFacts, path: str, chain: str | None) -> Evidence:
    credential = publish.credential
    kind = credential.kind
    index = "" if publish.index == "pypi" else f" to {publish.index_name}"
    what = f"{publish.tool}{index}"
    line, column = _where(credential.node if kind not in (CredentialKind.OIDC, CredentialKind.NONE) else None, publish.node)
    id_token = job.permissions.fact("id-token") == "write"
    if kind == CredentialKind.OIDC:
        words = "Trusted Publishing (OIDC)"
        if not id_token:
            words += ", but the job lacks id-token: write"
        return Evidence(PathKind.OIDC, path, line, column, what, words, job.id, chain)
    if kind == CredentialKind.MINTED and id_token:
        return Evidence(PathKind.OIDC, path, line, column, what, f"a token minted through OIDC ({credential.source})", job.id, chain)
    if kind in (CredentialKind.TOKEN, CredentialKind.PASSWORD, CredentialKind.LITERAL):
        source = credential.source or "a stored credential"
        words = f"a long-lived {'password' if kind == CredentialKind.PASSWORD else 'token'} from {source}"
        if publish.token_then_oidc:
            words += ", and id-token: write: Trusted Publishing only once the secret is empty or deleted"
            return Evidence(PathKind.TOKEN_THEN_OIDC, path, line, column, what, words, job.id, chain, source=source,
                            environment=_environment(job))
        return Evidence(PathKind.TOKEN, path, line, column, what, words, job.id, chain, source=source, environment=_environment(job))
    if kind == CredentialKind.NONE:
        words, needs = "no credential in sight, and it cannot do Trusted Publishing", "where its credential is configured"
    elif kind == CredentialKind.MINTED:
        words, needs = f"a token from {credential.source}, in a job without id-token: write", f"what produces {credential.source}"
    else:
        source = credential.source or "an expression"
        words, needs = f"a credential from {source}, which cannot be traced offline", f"what {source} holds"
    return Evidence(PathKind.UNSURE, path, line, column, what, words, job.id, chain, needs)


def _delegation_evidence(delegation: DelegationFacts, job: JobFacts, path: str, chain: str | None) -> Evidence:
    line, column = _where(delegation.node, None)
    authority = delegation.authority
    target = delegation.target
    elsewhere = delegation.kind != "script"
    what = f"{target} ({'another repository' if elsewhere else 'a task or script'})"
    handed_to = target if elsewhere else None
    if authority == Authority.SECRET:
        return Evidence(PathKind.TOKEN, path, line, column, what, f"handed {delegation.credential}", job.id, chain,
                        source=delegation.credential, environment=_environment(job), handed_to=handed_to)
    words = "may mint OIDC tokens (id-token: write)" if authority == Authority.ID_TOKEN else "handed every secret (secrets: inherit)"
    return Evidence(PathKind.UNSURE, path, line, column, what, words, job.id, chain, delegation.needs, handed_to=handed_to)


def _environment(job: JobFacts) -> str | None:
    return job.environment.name if job.environment is not None else None


def _where(primary: Any, fallback: Any) -> tuple[int, int]:
    for node in (primary, fallback):
        pos = node if hasattr(node, "line") and hasattr(node, "col") else getattr(node, "pos", None)
        if pos is not None:
            return pos.line, pos.col
    return 1, 1


def _relative(path: str, root: str | None) -> str:
    if root is None:
        return path
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path


def _dedupe(items: Iterable[Evidence]) -> list[Evidence]:
    """One entry per location and meaning (a callee reached by several callers counts once
    per credential it is given)."""
    seen: dict[tuple, Evidence] = {}
    for item in items:
        seen.setdefault((item.path, item.line, item.column, item.kind, item.credential), item)
    return sorted(seen.values(), key=lambda e: (e.path, e.line, e.column))


def _reason(verdict: str, evidence: list[Evidence]) -> str:
    first = {kind: next((e for e in evidence if e.kind == kind), None) for kind in (PathKind.OIDC, PathKind.TOKEN, PathKind.UNSURE)}
    unsure = [e for e in evidence if e.kind == PathKind.UNSURE]
    extra = f"; {len(unsure)} more upload path{'s' if len(unsure) != 1 else ''} unsure" if unsure else ""
    oidc, token = first[PathKind.OIDC], first[PathKind.TOKEN]
    both = next((e for e in evidence if e.kind == PathKind.TOKEN_THEN_OIDC), None)
    if verdict == Outcome.MIXED and both and not (oidc and token):
        return (f"{both.what} in {_short(both)} uploads with a long-lived token ({both.source}) in a job with id-token: write: "
                f"the token is used while the secret exists, Trusted Publishing once it is empty or deleted, "
                f"a repository setting the workflow does not show{extra}")
    if verdict == Outcome.MIXED and oidc and token:
        return (f"Trusted Publishing in {_short(oidc)}, but a long-lived credential in {_short(token)} "
                f"({token.source}){extra}")
    if verdict == Outcome.TRUSTED and oidc:
        return f"every upload uses Trusted Publishing ({oidc.what} in {_short(oidc)}){extra}"
    if verdict == Outcome.TOKEN and token:
        return f"uploads with a long-lived credential ({token.source}, {token.what} in {_short(token)}){extra}"
    needs = "; ".join(dict.fromkeys(e.needs for e in unsure if e.needs))
    return f"cannot tell offline: {unsure[0].what} in {_short(unsure[0])} {unsure[0].credential}; needs {needs}"


def _short(evidence: Evidence) -> str:
    return f"{os.path.basename(evidence.path)}:{evidence.line}"

