"""Facts about package indexes and PyPI API tokens (DOMAIN.md §2, §4)."""

from __future__ import annotations

import re

from trustycheck.patterns import lazy_pattern

PYPI = "pypi"
TESTPYPI = "testpypi"
OTHER_INDEX = "other"
"""A private index (its URL names another host)."""
UNKNOWN_INDEX = "unknown"
"""An index chosen at run time (an expression, a variable): not a credential's ``unknown``."""
INDEX_NAMES = {PYPI: "PyPI", TESTPYPI: "TestPyPI", OTHER_INDEX: "a private index", UNKNOWN_INDEX: "an index chosen at run time"}

# A macaroon's location is fixed per index, so real tokens start with one of these prefixes.
_ANCHORED_TOKEN = lazy_pattern(r"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}")
# The documented generic form (``pypi-`` + at least 85 URL-safe base64 characters).
_GENERIC_TOKEN = lazy_pattern(r"pypi-[A-Za-z0-9_-]{85,}")


_TEST_INDEX_NAME = lazy_pattern(r"(?<![A-Za-z])test", re.IGNORECASE)


def index_named_by_secret(secret: str | None) -> str:
    """The index a PyPI-looking secret is for, by its name: TestPyPI for TEST_PYPI_TOKEN,
    TESTPYPI_PASSWORD or PYPI_TEST (a word starting with "test"; not LATEST_...), else PyPI."""
    return TESTPYPI if secret and _TEST_INDEX_NAME.search(secret) else PYPI


def classify_index_url(url: str | None) -> str:
    """Which index an upload URL points at; ``None``/empty means the tool's default (PyPI)."""
    if url is None or not url.strip():
        return PYPI
    if "${{" in url:
        return UNKNOWN_INDEX
    lowered = url.strip().lower()
    host = re.sub(r"^[a-z]+://", "", lowered).split("/", 1)[0].split("@")[-1].split(":")[0]
    if host in ("test.pypi.org", "testpypi.python.org"):
        return TESTPYPI
    if host in ("upload.pypi.org", "pypi.org", "pypi.python.org", "www.pypi.org"):
        return PYPI
    return OTHER_INDEX


def token_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of PyPI API tokens written out in ``text``."""
    spans = [match.span() for match in _ANCHORED_TOKEN.finditer(text)]
    for match in _GENERIC_TOKEN.finditer(text):
        if not any(start <= match.start() < end for start, end in spans):
            spans.append(match.span())
    return sorted(spans)


def looks_like_token(value: str) -> bool:
    return bool(_ANCHORED_TOKEN.search(value) or _GENERIC_TOKEN.search(value))


# --- PyPI's manual Trusted Publishing flow (DOMAIN.md §2.3, §2.6) ---------------------------

MINT_ENDPOINTS = ("/_/oidc/mint-token", "/_/oidc/github/mint-token")
"""Where PyPI and TestPyPI exchange a job's OIDC token for a 15-minute API token (the second
is the legacy route maturin still uses)."""
OIDC_REQUESTS = ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "getIDToken")
"""How a job asks GitHub for its OIDC token: the runner's request variables (curl, Python) or
``core.getIDToken`` (``actions/github-script``, JavaScript actions)."""
MINT_ACTIONS = frozenset({"tschm/token-mint-action"})
"""Actions (owner/repo, lower case) that do that exchange and output the minted token."""


def mints_pypi_token(text: str) -> bool:
    """Whether a script asks GitHub for the job's OIDC token and exchanges it at PyPI's (or
    TestPyPI's) mint-token endpoint: PyPI's documented manual flow. Both halves are needed:
    a script that only names the endpoint (in a comment, a URL printed for help) mints nothing."""
    return "oidc/" in text and any(endpoint in text for endpoint in MINT_ENDPOINTS) and any(
        request in text for request in OIDC_REQUESTS)


def reusable_workflow_publisher(called: str, caller: str | None, only_called: bool) -> str | None:
    """What Trusted Publishing from a reusable workflow depends on, in words; None when the
    workflow runs started by its own events (then it is the top-level workflow PyPI expects).
    PyPI matches the called file today (the OIDC ``job_workflow_ref`` claim, DOMAIN.md §2.2), so
    only a caller in the same repository can work; matching the caller is planned."""
    if caller is not None:
        return (f"today PyPI matches the called file, so this upload works only while the trusted publisher names "
                f"'{called}', not the calling '{caller}' (PyPI plans to match the calling workflow "
                f"instead, pypi/warehouse#20083)")
    if not only_called:
        return None
    return (f"today PyPI matches the called file, so a trusted publisher naming '{called}' works for a caller in this "
            f"repository, and a caller in another repository never matches")
