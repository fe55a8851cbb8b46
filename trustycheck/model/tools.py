"""Command-line publishing tools as data: how each picks its index and its credential.

One entry per tool (DOMAIN.md §3). Flag look-alikes matter: ``hatch publish -p`` is a
publisher plugin (its credential flag is ``-a``), ``pdm publish -P`` is the password.
"""

from __future__ import annotations

from trustycheck.model.pypi import PYPI, TESTPYPI
from dataclasses import dataclass, field


@dataclass(eq=False, repr=False)
class ToolSpec:
    """A command-line publishing tool: how it picks its index and its credential."""

    name: str
    program: str
    subcommands: frozenset[str]
    native_oidc: bool
    oidc_since: str | None = None
    token_flags: tuple[str, ...] = ()
    """Flags whose value is an API token (user implied ``__token__``)."""
    password_flags: tuple[str, ...] = ()
    user_flags: tuple[str, ...] = ()
    token_env: tuple[str, ...] = ()
    password_env: tuple[str, ...] = ()
    password_env_prefixes: tuple[str, ...] = ()
    """Env var name prefixes that carry a token (``POETRY_PYPI_TOKEN_<REPO>``)."""
    user_env: tuple[str, ...] = ()
    url_flags: tuple[str, ...] = ()
    url_env: tuple[str, ...] = ()
    repo_flags: tuple[str, ...] = ()
    repo_env: tuple[str, ...] = ()
    repo_names: dict[str, str] = field(default_factory=dict)
    """Named repositories the tool knows without configuration."""
    reads_pypirc: bool = False
    builds_unless: tuple[str, ...] | None = None
    """Publishing also builds, unless one of these flags is given (``()``: always builds)."""
    builds_with: tuple[str, ...] = ()
    """Publishing also builds when one of these flags is given."""
    not_an_upload: tuple[str, ...] = ("--dry-run",)
    trusted_publishing_flags: tuple[str, ...] = ()
    """Flags that choose whether to use Trusted Publishing (value ``never`` switches it off)."""
    oidc_when_token_empty: bool = False
    """A credential variable that is set but empty (what a deleted secret gives) counts as no
    credential, so the tool goes on to Trusted Publishing: pdm (2.29.4, ``_ensure_credentials``
    tests ``if password``). twine 7.0.0, uv 0.13.9 and maturin 1.16.0 upload with the empty
    value instead (checked by running them with the variable set to "")."""


TWINE = ToolSpec(
    name="twine", program="twine", subcommands=frozenset({"upload"}), native_oidc=True, oidc_since="6.1.0",
    password_flags=("-p", "--password"), user_flags=("-u", "--username"),
    password_env=("TWINE_PASSWORD",), user_env=("TWINE_USERNAME",),
    url_flags=("--repository-url",), url_env=("TWINE_REPOSITORY_URL",),
    repo_flags=("-r", "--repository"), repo_env=("TWINE_REPOSITORY",),
    repo_names={"pypi": PYPI, "testpypi": TESTPYPI}, reads_pypirc=True, not_an_upload=(),
)
UV = ToolSpec(
    name="uv publish", program="uv", subcommands=frozenset({"publish"}), native_oidc=True, oidc_since="0.4.16",
    token_flags=("-t", "--token"), password_flags=("-p", "--password"), user_flags=("-u", "--username"),
    token_env=("UV_PUBLISH_TOKEN",), password_env=("UV_PUBLISH_PASSWORD",), user_env=("UV_PUBLISH_USERNAME",),
    url_flags=("--publish-url",), url_env=("UV_PUBLISH_URL",),
    repo_flags=("--index",), repo_env=("UV_PUBLISH_INDEX",), repo_names={"pypi": PYPI, "testpypi": TESTPYPI},
    trusted_publishing_flags=("--trusted-publishing",),
)
POETRY = ToolSpec(
    name="poetry publish", program="poetry", subcommands=frozenset({"publish"}), native_oidc=False,
    password_flags=("-p", "--password"), user_flags=("-u", "--username"),
    password_env_prefixes=("POETRY_PYPI_TOKEN_", "POETRY_HTTP_BASIC_"),
    repo_flags=("-r", "--repository"), repo_names={"pypi": PYPI, "testpypi": TESTPYPI},
    builds_with=("--build",),
)
HATCH = ToolSpec(
    name="hatch publish", program="hatch", subcommands=frozenset({"publish"}), native_oidc=False,
    password_flags=("-a", "--auth"), user_flags=("-u", "--user"),
    password_env=("HATCH_INDEX_AUTH",), user_env=("HATCH_INDEX_USER",),
    repo_flags=("-r", "--repo"), repo_env=("HATCH_INDEX_REPO",),
    repo_names={"main": PYPI, "test": TESTPYPI}, reads_pypirc=True, not_an_upload=(),
)
PDM = ToolSpec(
    name="pdm publish", program="pdm", subcommands=frozenset({"publish"}), native_oidc=True, oidc_since="2.6.0",
    password_flags=("-P", "--password"), user_flags=("-u", "--username"),
    password_env=("PDM_PUBLISH_PASSWORD",), user_env=("PDM_PUBLISH_USERNAME",),
    repo_flags=("-r", "--repository"), repo_env=("PDM_PUBLISH_REPO",),
    repo_names={"pypi": PYPI, "testpypi": TESTPYPI}, builds_unless=("--no-build",), not_an_upload=(),
    oidc_when_token_empty=True,
)
FLIT = ToolSpec(
    name="flit publish", program="flit", subcommands=frozenset({"publish"}), native_oidc=False,
    password_env=("FLIT_PASSWORD",), user_env=("FLIT_USERNAME",),
    url_env=("FLIT_INDEX_URL",), repo_flags=("--repository",),
    repo_names={"pypi": PYPI, "testpypi": TESTPYPI}, reads_pypirc=True, builds_unless=(), not_an_upload=(),
)
MATURIN = ToolSpec(
    name="maturin", program="maturin", subcommands=frozenset({"upload", "publish"}), native_oidc=True, oidc_since="0.15.0",
    password_flags=("-p", "--password"), user_flags=("-u", "--username"),
    token_env=("MATURIN_PYPI_TOKEN",), password_env=("MATURIN_PASSWORD",), user_env=("MATURIN_USERNAME",),
    url_flags=("--repository-url",), url_env=("MATURIN_REPOSITORY_URL",),
    repo_flags=("-r", "--repository"), repo_env=("MATURIN_REPOSITORY",),
    repo_names={"pypi": PYPI, "testpypi": TESTPYPI}, reads_pypirc=True, not_an_upload=(),
)

TOOLS = {spec.program: spec for spec in (TWINE, UV, POETRY, HATCH, PDM, FLIT, MATURIN)}

def builds_on_publish(spec: ToolSpec, words: list[str]) -> bool:
    if any(flag in words for flag in spec.builds_with):
        return True
    if spec.program == "maturin":
        return words[:1] == ["publish"]
    if spec.builds_unless is None:
        return False
    return not any(flag in words for flag in spec.builds_unless)
