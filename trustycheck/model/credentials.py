"""Where a credential value comes from: a secret, a variable, a minted step output, a literal.

Knowing the source is what separates a long-lived API token (``secrets.PYPI_TOKEN``) from a
15-minute token minted in the same job (``steps.mint.outputs.token``, PyPI's documented
manual exchange) and from a token pasted into the file.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from trustycheck.model.expressions import has_expression, references
from trustycheck.nodes import Node, Pos, Scalar
from trustycheck.patterns import lazy_pattern
from dataclasses import dataclass


class WordEnum(str, Enum):
    """An enumeration of words: each member compares, hashes, formats and is written to JSON
    as its word (what :class:`enum.StrEnum` does from Python 3.11 on)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class CredentialKind(WordEnum):
    """What authenticates an upload: the one enumeration every module and fact uses. Each
    member is its word (``"token"``) wherever it is compared, formatted or written as JSON."""

    OIDC = "oidc"
    """The tool will use Trusted Publishing."""
    TOKEN = "token"
    """A long-lived API token (user ``__token__``)."""
    PASSWORD = "password"
    """A username/password pair."""
    LITERAL = "literal"
    """Written into the workflow itself."""
    MINTED = "minted"
    """Produced by an earlier step of the job (short-lived)."""
    NONE = "none"
    """No credential and no Trusted Publishing."""
    UNKNOWN = "unknown"
    """An expression whose origin cannot be told offline."""


LONG_LIVED = frozenset({CredentialKind.TOKEN, CredentialKind.PASSWORD, CredentialKind.LITERAL})
LITERAL_SOURCE = "a value written in the workflow"

_SHELL_VAR = lazy_pattern(r"""["']?\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))["']?\Z""")

Traced = tuple[CredentialKind, str | None, str | None]
"""A traced credential value: (kind, source, origin)."""

# Looks an env var name up: its text and the key node that defines it (or None).
EnvLookup = Callable[[str], "tuple[str, Node | Pos | None] | None"]


@dataclass(eq=False, repr=False)
class Credential:
    """What authenticates an upload, where it comes from, and the node to point at."""

    kind: CredentialKind
    source: str | None = None
    """Human-readable origin, e.g. ``secrets.PYPI_API_TOKEN``; never the literal value."""
    origin: str | None = None
    """Context the value comes from: secrets, vars, inputs, env, steps, literal, pypirc, ..."""
    node: Node | Pos | None = None
    """The key or flag that supplies it (e.g. the ``password:`` key)."""
    value_node: Node | Pos | None = None
    """Where the value itself is written (masked in output when it is a literal)."""

    @property
    def long_lived(self) -> bool:
        return self.kind in LONG_LIVED


def fallback(native_oidc: bool, node: Node | Pos | None = None) -> Credential:
    """What an upload does when it is given no credential (or an empty one): Trusted
    Publishing if the tool can, otherwise nothing."""
    return Credential(CredentialKind.OIDC if native_oidc else CredentialKind.NONE, node=node)


def trace_text(text: str, lookup: EnvLookup, *, secret_kind: CredentialKind = CredentialKind.TOKEN,
               depth: int = 0) -> Traced:
    """Classify a credential value: (kind, source, origin). ``lookup`` resolves env vars,
    for ``${{ env.X }}`` and shell ``$X`` references. An empty value is ``none``."""
    if not text.strip():
        return CredentialKind.NONE, None, None
    shell_var = _SHELL_VAR.match(text.strip())
    if shell_var:
        name = shell_var.group(1) or shell_var.group(2)
        found = lookup(name) if depth < 5 else None
        if found is None:
            return CredentialKind.UNKNOWN, f"${name}", "env"
        return trace_text(found[0], lookup, secret_kind=secret_kind, depth=depth + 1)
    if not has_expression(text):
        if "$" in text:
            return CredentialKind.UNKNOWN, None, None
        return CredentialKind.LITERAL, LITERAL_SOURCE, "literal"
    refs = references(text)
    for ref in refs:
        if ref.context == "secrets" and (not ref.parts or ref.parts[0].upper() != "GITHUB_TOKEN"):
            return secret_kind, str(ref), "secrets"
    for ref in refs:
        if ref.context in ("vars", "inputs") and ref.parts:
            return secret_kind, str(ref), ref.context
    for ref in refs:
        if ref.context == "env" and ref.parts and depth < 5:
            found = lookup(ref.parts[0])
            if found is not None:
                kind, source, origin = trace_text(found[0], lookup, secret_kind=secret_kind, depth=depth + 1)
                if kind != CredentialKind.NONE:
                    return kind, source, origin
    for ref in refs:
        if ref.context == "steps" and len(ref.parts) >= 2 and ref.parts[1] == "outputs":
            return CredentialKind.MINTED, str(ref), "steps"
    first = refs[0] if refs else None
    return CredentialKind.UNKNOWN, str(first) if first else None, first.context if first else None


def env_lookup(env: dict, extra: dict[str, str] | None = None, extra_pos: Pos | None = None) -> EnvLookup:
    """Resolve names from ``extra`` (a command's ``VAR=value`` prefixes) first, then from an
    effective env dict (name -> EnvVar)."""

    def lookup(name: str):
        if extra and name in extra:
            return extra[name], extra_pos
        var = env.get(name)
        return (var.text, var.key) if var is not None else None

    return lookup


def kind_for_user(user: str | None) -> CredentialKind:
    """A literal user other than ``__token__`` makes the secret a password; a user read from
    a secret or variable is most often ``__token__`` kept next to the token."""
    if user is None or user.strip() in ("", "__token__") or "$" in user:
        return CredentialKind.TOKEN
    return CredentialKind.PASSWORD


def trace_value(value: Node | None, env: dict, *, secret_kind: CredentialKind = CredentialKind.TOKEN) -> Traced:
    """:func:`trace_text` for a YAML value, resolving env vars from an effective env dict."""
    if value is None:
        return CredentialKind.NONE, None, None
    if not isinstance(value, Scalar):
        return CredentialKind.UNKNOWN, None, None
    return trace_text(value.as_string(), env_lookup(env), secret_kind=secret_kind)
