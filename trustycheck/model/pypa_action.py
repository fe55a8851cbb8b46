"""What ``pypa/gh-action-pypi-publish`` can do at a given ref (DOMAIN.md §1.5–1.7)."""

from __future__ import annotations

from trustycheck.model.refs import SHA, ActionRef
from trustycheck.patterns import lazy_pattern

PYPA_ACTION = "pypa/gh-action-pypi-publish"
TRUSTED_PUBLISHING_SINCE = (1, 8, 0)
ATTESTATIONS_INPUT_SINCE = (1, 10, 0)
DEFAULT_ATTESTATIONS_SINCE = (1, 11, 0)

# Peeled commit SHAs of release tags (tag objects are not valid pins).
KNOWN_COMMITS = {
    "cef221092ed1bacb1cc03d23a2d87d1d172e277b": (1, 14, 0),
    "ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e": (1, 13, 0),
    "76f52bc884231f62b9a034ebfe128415bbaabdfc": (1, 12, 4),
    "67339c736fd9354cd4f8cb0b744f2b82a74b5c70": (1, 12, 3),
    "15c56dba361d8335944d31a2ecd17d700fc7bcbc": (1, 12, 2),
    "61da13deb5f5124fb1536194f82ed3d9bbc7e8f3": (1, 12, 0),
    "fb13cb306901256ace3dab689990e13a5550ffaa": (1, 11, 0),
    "f7600683efdcb7656dec5b29656edb7bc586e597": (1, 10, 3),
    "897895f1e160c830e369f9779632ebc134688e1b": (1, 10, 2),
    "0ab0b79471669eb3a4d647e625009c62f9f3b241": (1, 10, 1),
    "8a08d616893759ef8e1aa1f2785787c0b97e20d6": (1, 10, 0),
    "ec4db0b4ddc65acdf4bff5fa45ac92d78b56bdf0": (1, 9, 0),
    "81e9d935c883d0b210363ab89cf05f3894778450": (1, 8, 14),
    "741947b9cadc96c98b60dd2f32f89a5ef7fb113c": (1, 8, 13),
    "e53eb8b103ffcb59469888563dc324e3c8ba6f06": (1, 8, 12),
    "2f6f737ca5f74c637829c0f5c3acd0e29ea5e8bf": (1, 8, 11),
    "b7f401de30cb6434a1e19f805ff006643653240e": (1, 8, 10),
    "ade57f54dcc56d4858ca681c80269c26dc7b9149": (1, 8, 9),
    "f8c70e705ffc13c3b4d1221169b84f12a75d6ca8": (1, 8, 8),
    "f5622bde02b04381239da3573277701ceca8f6a0": (1, 8, 7),
    "a56da0b891b3dc519c7ee3284aff1fad93cc8598": (1, 8, 6),
    "0bf742be3ebe032c25dd15117957dc15d0cfc38d": (1, 8, 5),
    "29930c9cf57955dc1b98162d0d8bc3ec80d9e75c": (1, 8, 4),
    "48b317d84d5f59668bb13be49d1697e36b3ad009": (1, 8, 3),
    "f3ce18f69986f83a044b6e618425238f6c1bb8ef": (1, 8, 2),
    "a3a3bafbb3e5a75a854ae1bc53ae128cf22c4af4": (1, 8, 1),
    "8ef2b3d46c9ecba901fb2ae21d98e322c4089c4e": (1, 8, 0),
}
_FLOATING = lazy_pattern(r"\Arelease/v\d+\Z")
_VERSION = lazy_pattern(r"\A(?:release/)?v?(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?\Z")
"""A version the action could have released; parts of at most nine digits, so int() can read
them (a part over 4,300 digits is a ValueError, which cost the whole file its findings)."""


def documented_floating_ref(ref: ActionRef) -> bool:
    """``pypa/gh-action-pypi-publish@release/v1``: the moving ref its README recommends, so
    the PyPA guide's own example is only advised to pin (DOMAIN.md trap 18)."""
    return ref.action == PYPA_ACTION and bool(ref.ref and _FLOATING.match(ref.ref))


def ref_version(ref: ActionRef) -> tuple[int, int, int] | None:
    """The version a ref names, from a tag (``v1.12.4``), a ``release/v1.N`` branch or a
    known commit SHA; ``None`` for floating refs like ``release/v1``."""
    if ref.ref is None:
        return None
    if ref.ref_kind == SHA:
        return KNOWN_COMMITS.get(ref.ref.lower())
    match = _VERSION.match(ref.ref)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def ref_problem(ref: ActionRef, attestations_on: bool = False) -> str | None:
    """Why this ref of the action is outdated or broken, in words; ``None`` when fine.
    ``attestations_on``: the step sets ``attestations: true``, which v1.10.x honours (the input
    came in v1.10.0, off by default; v1.11.0 only turned it on by default)."""
    name = ref.ref or ""
    if name == "master":
        return "'master' is frozen since 2023 and cannot do Trusted Publishing or attestations"
    if name in ("v1", "release/v1.0"):
        return f"'{name}' does not exist in pypa/gh-action-pypi-publish (use release/v1 or a release tag)"
    if name.startswith("release/v1.") and name.count(".") >= 2:
        return f"'{name}' does not exist (release branches are release/v1 or release/v1.N)"
    version = ref_version(ref)
    if version is None:
        return None
    shown = ".".join(map(str, version))
    if version < TRUSTED_PUBLISHING_SINCE:
        return f"v{shown} predates Trusted Publishing (v1.8.0)"
    if version < DEFAULT_ATTESTATIONS_SINCE and not (attestations_on and version >= ATTESTATIONS_INPUT_SINCE):
        return f"v{shown} predates default PEP 740 attestations (v1.11.0)"
    return None
