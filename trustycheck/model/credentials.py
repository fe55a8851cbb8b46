"""Where a credential value comes from: a secret, a variable, a minted step output, a literal.

Knowing the source is what separates a long-lived API token (``secrets.PYPI_TOKEN``) from a
15-minute token minted in the same job (``steps.mint.outputs.token``, PyPI's documented
manual exchange) and from a token pasted into the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model.expressions import has_expression, references
from trustycheck.nodes import Node, Scalar

# Credential kinds.
OIDC = "oidc"          # the tool will use Trusted Publishing
TOKEN = "token"        # a long-lived API token (user __token__)
PASSWORD = "password"  # a username/password pair
LITERAL = "literal"    # written into the workflow itself
MINTED = "minted"      # produced by an earlier step of the job (short-lived)
NONE = "none"          # no credential and no Trusted Publishing
UNKNOWN = "unknown"    # an expression whose origin cannot be told offline

LONG_LIVED = frozenset({TOKEN, PASSWORD, LITERAL})


@dataclass(frozen=True)
class Credential:
    """What authenticates an upload, where it comes from, and the node to point at."""

    kind: str
    source: str | None = None
    """Human-readable origin, e.g. ``secrets.PYPI_API_TOKEN``; never the literal value."""
    origin: str | None = None
    """Context the value comes from: secrets, vars, inputs, env, steps, literal, ..."""
    node: Node | None = None
    """The key or value that supplies it (e.g. the ``password:`` key)."""
    value_node: Node | None = None

    @property
    def long_lived(self) -> bool:
        return self.kind in LONG_LIVED


def trace_value(value: Node | None, env: dict, *, secret_kind: str = TOKEN, depth: int = 0) -> tuple[str, str | None, str | None]:
    """Classify a credential value: (kind, source, origin).

    ``env`` is the step's effective env (name -> EnvVar) used to follow ``${{ env.X }}``.
    An empty value is ``none``: the tool gets no credential.
    """
    if value is None or not isinstance(value, Scalar):
        return (NONE, None, None) if value is None else (UNKNOWN, None, None)
    text = value.as_string()
    if not text.strip():
        return NONE, None, None
    if not has_expression(text):
        return LITERAL, "a value written in the workflow", "literal"
    refs = references(text)
    for ref in refs:
        if ref.context == "secrets" and ref.parts and ref.parts[0].upper() != "GITHUB_TOKEN":
            return secret_kind, str(ref), "secrets"
    for ref in refs:
        if ref.context == "vars" and ref.parts:
            return secret_kind, str(ref), "vars"
        if ref.context == "inputs" and ref.parts:
            return secret_kind, str(ref), "inputs"
    for ref in refs:
        if ref.context == "env" and ref.parts and depth < 5:
            var = env.get(ref.parts[0])
            if var is not None:
                kind, source, origin = trace_value(var.value, env, secret_kind=secret_kind, depth=depth + 1)
                if kind != NONE:
                    return kind, source, origin
    for ref in refs:
        if ref.context == "steps" and len(ref.parts) >= 2 and ref.parts[1] == "outputs":
            return MINTED, str(ref), "steps"
    return UNKNOWN, refs and str(refs[0]) or None, refs and refs[0].context or None
