"""Publish detection: does a step upload to a package index, where, and with what credential.

All knowledge about publishing tools lives here, one function per tool, so rules stay
small. (DOMAIN.md §1 for the PyPA action, §3 for the tools.)
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model import credentials as cred
from trustycheck.model.credentials import Credential
from trustycheck.model.pypi import PYPI, TESTPYPI, UNKNOWN, classify_index_url
from trustycheck.model.workflow import Step
from trustycheck.nodes import Node, Scalar

PYPA_ACTION = "pypa/gh-action-pypi-publish"


@dataclass
class Publish:
    """One upload performed by a step."""

    tool: str
    index: str
    credential: Credential
    node: Node
    """What performs the upload (the ``uses:`` value or the ``run:`` script)."""
    index_node: Node | None = None
    native_oidc: bool = True
    """Whether the tool can do Trusted Publishing by itself."""

    @property
    def to_pypi(self) -> bool:
        """Uploads to PyPI or TestPyPI, where Trusted Publishing is available."""
        return self.index in (PYPI, TESTPYPI)


def detect_publish(step: Step) -> Publish | None:
    """The upload ``step`` performs, if any."""
    if step.uses is not None and step.uses.action in _ACTION_DETECTORS:
        return _ACTION_DETECTORS[step.uses.action](step)
    return None


def _pypa_action(step: Step) -> Publish:
    """``pypa/gh-action-pypi-publish``: Trusted Publishing iff user is ``__token__`` and the
    password is empty; the URL default lives on the deprecated snake_case alias."""
    url_pair = step.input("repository-url", "repository_url")
    url_node = url_pair[1] if url_pair else None
    url = url_node.as_string() if isinstance(url_node, Scalar) else None
    index = classify_index_url(url) if url_node is None or isinstance(url_node, Scalar) else UNKNOWN
    password = step.input("password")
    user_pair = step.input("user")
    user = user_pair[1].as_string() if user_pair and isinstance(user_pair[1], Scalar) else "__token__"
    # Only a literal user other than __token__ makes it a password; one read from a secret
    # is most often __token__ kept next to the token.
    literal_user = user not in ("__token__", "") and "${{" not in user
    secret_kind = cred.PASSWORD if literal_user else cred.TOKEN
    if password is None:
        credential = Credential(cred.OIDC)
    else:
        kind, source, origin = cred.trace_value(password[1], step.effective_env, secret_kind=secret_kind)
        if kind == cred.NONE:
            credential = Credential(cred.OIDC, node=password[0])
        else:
            credential = Credential(kind, source, origin, password[0], password[1])
    assert step.uses is not None
    tool = f"{step.uses.owner}/{step.uses.repo}"
    return Publish(tool, index, credential, step.uses.node or step.node, url_pair[0] if url_pair else None)


_ACTION_DETECTORS = {
    PYPA_ACTION: _pypa_action,
    "step-security/gh-action-pypi-publish": _pypa_action,
}
