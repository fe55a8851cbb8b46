"""Actions that build or publish, as data: what each does and how its inputs change that.

One entry per action (DOMAIN.md §1 for the PyPA action, §3.1 for the others). Publish
detection reads how an action uploads, job roles read whether it builds: both read this
table, so ``casperdcl/deploy-pypi`` with ``build: false`` builds for neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustycheck.model.pypa_action import PYPA_ACTION
from trustycheck.model.workflow import Step
from trustycheck.nodes import Scalar

# How an action uploads: which of its inputs say where to and with what.
PYPA_INPUTS = "pypa"
"""``pypa/gh-action-pypi-publish``'s inputs (``password``, ``user``, ``repository-url``...)."""
MATURIN_COMMAND = "maturin"
"""maturin's command line, given as the ``command`` and ``args`` inputs."""
TOKEN_INPUT = "token-input"
"""One input holds the token (:attr:`ActionSpec.token_input`)."""


@dataclass(eq=False, repr=False)
class ActionSpec:
    """What an action that builds or publishes does, and how its inputs change that."""

    action: str
    """owner/repo, lower case, as :attr:`~trustycheck.model.refs.ActionRef.action` gives it."""
    uploads: str | None = None
    """How it uploads (one of the constants above); ``None``: it only builds."""
    native_oidc: bool = False
    """Whether it can do Trusted Publishing by itself."""
    token_input: str | None = None
    user_input: str | None = None
    """An input naming the user: a literal one other than ``__token__`` makes the secret a password."""
    url_input: str | None = None
    builds: bool = False
    """Builds the project unless its inputs say otherwise."""
    build_inputs: tuple[str, ...] = ()
    """Inputs that make it build when given a value other than ``false``, their default."""
    upload_input: str | None = None
    """An input that turns the upload off when ``false`` (its default is ``true``)."""
    command_input: str | None = None
    """The input naming the command it runs, and what it runs by default."""
    default_command: str = ""
    upload_commands: frozenset[str] = frozenset()
    """Commands that upload."""
    upload_only_commands: frozenset[str] = frozenset()
    """Commands that upload without building."""
    artifact: str | None = None
    """The artifact it uploads what it built as (``actions/upload-artifact`` inside it), by default."""
    artifact_suffix_input: str | None = None
    """An input whose value is appended to :attr:`artifact`."""


_SPECS = (
    ActionSpec(PYPA_ACTION, uploads=PYPA_INPUTS, native_oidc=True),
    ActionSpec("step-security/gh-action-pypi-publish", uploads=PYPA_INPUTS, native_oidc=True),
    ActionSpec("pyo3/maturin-action", uploads=MATURIN_COMMAND, native_oidc=True, builds=True, command_input="command",
               default_command="build", upload_commands=frozenset({"upload", "publish"}), upload_only_commands=frozenset({"upload"})),
    ActionSpec("casperdcl/deploy-pypi", uploads=TOKEN_INPUT, native_oidc=True, token_input="password", user_input="user",
               url_input="url", build_inputs=("build", "setup", "pip"), upload_input="upload"),
    ActionSpec("jrubics/poetry-publish", uploads=TOKEN_INPUT, token_input="pypi_token", url_input="repository_url", builds=True),
    ActionSpec("code-specialist/pypi-poetry-publish", uploads=TOKEN_INPUT, token_input="PUBLISH_REGISTRY_PASSWORD", builds=True),
    ActionSpec("mariamrf/py-package-publish-action", uploads=TOKEN_INPUT, token_input="TWINE_PASSWORD", builds=True),
    ActionSpec("etils-actions/pypi-auto-publish", uploads=TOKEN_INPUT, native_oidc=True, token_input="pypi-token", builds=True),
    ActionSpec("pypa/cibuildwheel", builds=True),
    # Uploads the sdist and wheels as "Packages" (plus "Package Metadata" and "PyPI README",
    # which hold no distribution); upload-name-suffix keeps several builds apart.
    ActionSpec("hynek/build-and-inspect-python-package", builds=True, artifact="Packages",
               artifact_suffix_input="upload-name-suffix"),
)
ACTIONS = {spec.action: spec for spec in _SPECS}


def action_spec(step: Step) -> ActionSpec | None:
    """The table's entry for the action a step uses, if it builds or publishes."""
    return ACTIONS.get(step.uses.action or "") if step.uses is not None else None


def input_text(step: Step, name: str | None) -> str | None:
    """The text an input is given (stripped), ``None`` when absent or not a string."""
    pair = step.input(name) if name else None
    if pair is None or not isinstance(pair[1], Scalar):
        return None
    return pair[1].as_string().strip()


def _given(step: Step, name: str) -> bool:
    """Whether an input defaulting to ``false`` is given another value (an expression may be anything)."""
    text = input_text(step, name)
    return text is not None and text.lower() not in ("", "false")


def command(spec: ActionSpec, step: Step) -> str:
    return (input_text(step, spec.command_input) or spec.default_command) if spec.command_input else ""


def uploads(spec: ActionSpec, step: Step) -> bool:
    if spec.uploads is None:
        return False
    if spec.command_input and command(spec, step) not in spec.upload_commands:
        return False
    text = input_text(step, spec.upload_input)
    return text is None or text.lower() != "false"


def builds(spec: ActionSpec, step: Step) -> bool:
    """Whether the step builds the project, by the action's default and its inputs."""
    if spec.command_input and command(spec, step) in spec.upload_only_commands:
        return False
    return spec.builds or any(_given(step, name) for name in spec.build_inputs)


def uploaded_artifact(step: Step) -> str | None:
    """The name of the artifact holding what the step's action built, if it uploads one
    (as written: it may hold expressions)."""
    spec = action_spec(step)
    if spec is None or spec.artifact is None:
        return None
    return spec.artifact + (input_text(step, spec.artifact_suffix_input) or "")
