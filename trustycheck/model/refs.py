"""Parse ``uses:`` references the way GitHub resolves them, and classify how they are pinned."""

from __future__ import annotations

from trustycheck.nodes import Node
from trustycheck.patterns import lazy_pattern
from trustycheck.records import record

_FULL_SHA = lazy_pattern(r"[0-9a-f]{40}\Z")
_SHORT_SHA = lazy_pattern(r"[0-9a-f]{7,39}\Z")
_VERSION_TAG = lazy_pattern(r"v?\d+(\.\d+)*([-+._][0-9A-Za-z.+-]*)?\Z")
_DIGEST = lazy_pattern(r"@sha256:[0-9a-f]{64}\Z")

# Ref kinds, from strongest to weakest pin.
SHA = "sha"
SHORT_SHA = "short-sha"
TAG = "tag"
BRANCH = "branch"
NO_REF = "none"


@record(frozen=True, slots=True)
class ActionRef:
    """A parsed ``uses:`` value.

    ``kind`` is ``repo`` (owner/repo[/path]@ref), ``local`` (``./path`` or ``$/path``) or
    ``docker`` (``docker://image``). ``ref_kind`` says how firmly the ref pins the code:
    a full 40-hex commit SHA, a short SHA (proves nothing), a tag-like or branch-like name.
    """

    raw: str
    kind: str
    owner: str | None
    repo: str | None
    path: str | None
    ref: str | None
    ref_kind: str
    node: Node | None = None

    @property
    def slug(self) -> str | None:
        """``owner/repo`` in lower case (GitHub names are case-insensitive)."""
        if self.owner is None or self.repo is None:
            return None
        return f"{self.owner}/{self.repo}".lower()

    @property
    def action(self) -> str | None:
        """``owner/repo[/path]`` in lower case, without the ref."""
        if self.slug is None:
            return None
        return f"{self.slug}/{self.path}".lower() if self.path else self.slug

    @property
    def is_reusable_workflow(self) -> bool:
        path = self.path or ""
        return path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))


def classify_ref(ref: str) -> str:
    """Say what a git ref looks like: a full SHA, a short SHA, a version tag or a branch."""
    lowered = ref.lower()
    if _FULL_SHA.match(lowered):
        return SHA
    if _SHORT_SHA.match(lowered) and not lowered.isdigit():
        return SHORT_SHA
    if _VERSION_TAG.match(ref):
        return TAG
    return BRANCH


def parse_uses(raw: str, node: Node | None = None) -> ActionRef:
    """Parse a step's or job's ``uses:`` value; never fails, odd input gets kind ``repo``
    with the parts it has."""
    parts = _PARSED.get(raw)
    if parts is None:
        parts = _parse(raw)
        if len(_PARSED) < 4096:  # the same few actions recur in every file
            _PARSED[raw] = parts
    return ActionRef(raw, *parts, node)


_PARSED: dict[str, tuple[str, str | None, str | None, str | None, str | None, str]] = {}


def _parse(raw: str) -> tuple[str, str | None, str | None, str | None, str | None, str]:
    """(kind, owner, repo, path, ref, ref_kind) of a ``uses:`` value."""
    text = raw.strip()
    if text.startswith(("./", "$/")) or text in (".", "$"):
        return "local", None, None, text, None, NO_REF
    if text.startswith("docker://"):
        pinned = bool(_DIGEST.search(text))
        return "docker", None, None, text[len("docker://"):], None, SHA if pinned else TAG
    name, at, ref = text.partition("@")
    segments = name.split("/")
    owner = segments[0] or None
    repo = segments[1] if len(segments) > 1 and segments[1] else None
    path = "/".join(segments[2:]) or None
    if not at or not ref:
        return "repo", owner, repo, path, None, NO_REF
    return "repo", owner, repo, path, ref, classify_ref(ref)
