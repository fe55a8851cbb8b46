"""Job roles and gating, including the shapes found in real workflows of the corpus."""

from __future__ import annotations

import pytest

from trustycheck.model.gating import step_release_guarded, tag_guarded
from trustycheck.model.reachability import runs_of
from trustycheck.model.roles import _runs_code
from trustycheck.model.triggers import Trigger

from conftest import hostile, ids_at, lint_text


@pytest.mark.parametrize(
    ("condition", "guarded"),
    [
        ("startsWith(github.ref, 'refs/tags/')", True),
        ("${{ startsWith(github.ref, 'refs/tags/v') && github.repository == 'o/r' }}", True),
        ("startsWith(github.event.ref, 'refs/tags/v')", True),  # widgetti/ipyvuetify
        ("github.event_name == 'release'", True),
        ("github.ref_type == 'tag'", True),
        ("github.ref_name == 'main' || github.ref_type == 'tag'", False),  # fox-it/acquire: main pushes publish
        ("github.ref == 'refs/heads/main'", False),
        (None, False),
    ],
)
def test_job_tag_guard(condition, guarded) -> None:
    assert tag_guarded(condition) is guarded


def test_step_guard_naming_a_release_counts() -> None:
    assert step_release_guarded("env.RELEASE == 'true'")  # Chia-Network/clvm_tools_rs
    assert not step_release_guarded("steps.check.outputs.ok == 'true'")


@pytest.mark.parametrize(
    ("event", "filters", "ungated"),
    [
        ("push", {}, True),
        ("push", {"branches": ["main"]}, True),
        ("push", {"tags": ["v*"]}, False),
        ("push", {"tags": ["v*"], "branches": ["test-publish/*"]}, True),  # ml-explore/mlx
        ("schedule", {}, True),
        ("release", {"types": ["published"]}, False),
        ("workflow_dispatch", {}, False),
    ],
)
def test_ungated_triggers(event, filters, ungated) -> None:
    assert any(run.ungated for run in runs_of([Trigger(event, None, filters)])) is ungated  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "runs"),
    [
        ("python -m pip install build twine", False),
        ("pip install --upgrade pip", False),
        ("python -m pip install .", True),
        ("pip install -e .[test]", True),
        ("pip install -r requirements/pip.txt", True),
        ("python -m build", True),
        ("python setup.py sdist bdist_wheel", True),
        ("uv build", True),
        ("uv pip install -e .", True),
        ("poetry build", True),
        ("tox -e py311", True),
        ("make dist", True),
        ("python -m twine upload dist/*", False),
        ("twine check dist/*", False),
        ("ls dist", False),
    ],
)
def test_runs_project_code(command: str, runs: bool) -> None:
    assert _runs_code(command.split()) is runs


@pytest.mark.parametrize(
    ("command", "runs"),
    [
        ("pipx run build --sdist", True),  # the PyPA guide's spelling of python -m build
        ("uvx --from build pyproject-build", True),
        ("python -m hatch build", True),
        ("uv run pytest", True),  # uv run installs the project into its environment first
        ("hatch run test", True),
        ("pipenv run python -m build", True),
        ("pipx run twine upload dist/*", False),
        ("uvx twine check dist/*", False),
        ("uvx build", False),  # uvx runs the executable named build, which the build package does not provide
    ],
)
def test_runs_project_code_through_launchers(command: str, runs: bool) -> None:
    assert _runs_code(command.split()) is runs


_DEPLOY_PYPI = hostile.PUBLISHING_HEADER + "      - uses: casperdcl/deploy-pypi@v2\n        with:\n          upload: false\n"
"""The PyPA action uploads; deploy-pypi only does what its inputs ask (here: no upload)."""


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ("build: false\n", []),
        ("check: true\n", []),  # build, setup and pip default to false
        ("build: true\n", [("TC203", 12, 9)]),
        ("setup: true\n", [("TC203", 12, 9)]),
        ("pip: wheel -w dist/ --no-deps .\n", [("TC203", 12, 9)]),
        ("build: ${{ inputs.build }}\n", [("TC203", 12, 9)]),
    ],
)
def test_deploy_pypi_builds_only_when_its_inputs_say_so(inputs: str, expected: list) -> None:
    """casperdcl/deploy-pypi runs ``python -m build``, ``setup.py`` or ``pip wheel`` only when
    its ``build``, ``setup`` or ``pip`` input is set (each defaults to ``false``)."""
    assert ids_at(lint_text(_DEPLOY_PYPI + "          " + inputs, {"TC203"})) == expected
