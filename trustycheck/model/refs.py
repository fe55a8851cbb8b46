"""Parse ``uses:`` references the way GitHub resolves them, and classify how they are pinned."""

from __future__ import annotations

from trustycheck.nodes import Node
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass

_FULL_SHA = lazy_pattern(r"\A[0-9a-f]{40}\Z")
_SHORT_SHA = lazy_pattern(r"\A[0-9a-f]{7,39}\Z")
_VERSION_TAG = lazy_pattern(r"\Av?\d+(?:[-+.][0-9A-Za-z.+-]*|(?:\.\d+)*_[0-9A-Za-z.+-]*)?\Z")
r"""``v1``, ``1.2.3``, ``v2.0.0-rc.1``, ``1.2_3``: digits, then a suffix after a separator, the
dotted numbers before an ``_`` spelled out. (Written as ``\d+(\.\d+)*`` then a suffix that
may also start with ``.``, the two parts can split dotted numbers in every way, and a 64 KB
tag took 40 s to refuse.)"""
_DIGEST = lazy_pattern(r"@sha256:[0-9a-f]{64}\Z")

# Ref kinds, from strongest to weakest pin.
SHA = "sha"
SHORT_SHA = "short-sha"
TAG = "tag"
BRANCH = "branch"
NO_REF = "none"


@dataclass(frozen=True, slots=True)
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
    slug: str | None
    """``owner/repo`` in lower case (GitHub names are case-insensitive)."""
    action: str | None
    """``owner/repo[/path]`` in lower case, without the ref."""
    node: Node | None = None


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


_Parts = tuple[str, "str | None", "str | None", "str | None", "str | None", str, "str | None", "str | None"]
_PARSED: dict[str, _Parts] = {}


def _parse(raw: str) -> _Parts:
    """(kind, owner, repo, path, ref, ref_kind, slug, action) of a ``uses:`` value."""
    text = raw.strip()
    if text.startswith(("./", "$/")) or text in (".", "$"):
        return "local", None, None, text, None, NO_REF, None, None
    if text.startswith("docker://"):
        pinned = bool(_DIGEST.search(text))
        return "docker", None, None, text[len("docker://"):], None, SHA if pinned else TAG, None, None
    name, at, ref = text.partition("@")
    segments = name.split("/")
    owner = segments[0] or None
    repo = segments[1] if len(segments) > 1 and segments[1] else None
    path = "/".join(segments[2:]) or None
    slug = f"{owner}/{repo}".lower() if owner is not None and repo is not None else None
    action = (f"{slug}/{path}".lower() if path else slug) if slug is not None else None
    if not at or not ref:
        return "repo", owner, repo, path, None, NO_REF, slug, action
    return "repo", owner, repo, path, ref, classify_ref(ref), slug, action


_PINNED_TO = {
    "sha": "a full commit SHA",
    "short-sha": "a short SHA, not a full commit SHA",
    "tag": "a tag, not a full commit SHA",
    "branch": "a branch, not a full commit SHA",
    "none": "no ref",
}
"""Each ref kind in words, for messages."""


def pinned_in_words(ref_kind: str) -> str:
    """How firmly a ref of ``ref_kind`` pins the code, in words (``a branch, not a full commit SHA``)."""
    return _PINNED_TO.get(ref_kind, "no ref")
