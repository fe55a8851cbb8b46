"""The workflow model: triggers, environments, env layering, reusable calls, credentials."""

from __future__ import annotations

import json
import textwrap

import pytest

from trustycheck.loader import load_text
from trustycheck.model.analysis import analyse
from trustycheck.model.credentials import CredentialKind
from trustycheck.model.delegation import release_script
from trustycheck.model.launchers import LAUNCHERS, Launcher
from trustycheck.model.publish import detect_publishes
from trustycheck.model.roles import step_role
from trustycheck.model.workflow import build_workflow


def _workflow(text: str):
    doc = load_text("w.yml", textwrap.dedent(text))
    workflow = build_workflow(doc)
    return workflow, doc


def test_triggers_in_every_shape() -> None:
    assert _workflow("on: push\njobs: {}\n")[0].events == ["push"]
    assert _workflow("on: [push, release]\njobs: {}\n")[0].events == ["push", "release"]
    workflow, _ = _workflow("""\
        on:
          push:
            branches: [main]
            tags: ["v*"]
          release:
            types: published
          workflow_dispatch:
          schedule:
            - cron: "0 0 * * *"
        jobs: {}
        """)
    assert workflow.events == ["push", "release", "workflow_dispatch", "schedule"]
    push, release = workflow.triggers[0], workflow.triggers[1]
    assert push.filters == {"branches": ["main"], "tags": ["v*"]}
    assert release.filters == {"types": ["published"]}
    assert (push.node.pos.line, push.node.pos.col) == (2, 3)


def test_environment_as_string_or_mapping() -> None:
    workflow, _ = _workflow("""\
        on: push
        jobs:
          a:
            runs-on: x
            environment: pypi
          b:
            runs-on: x
            environment:
              name: ${{ github.ref_name == 'main' && 'pypi' || 'testpypi' }}
              url: https://pypi.org/p/x
          c:
            runs-on: x
        """)
    a, b, c = workflow.jobs
    assert (a.environment.name, a.environment.url, a.environment.node.pos.line) == ("pypi", None, 5)
    assert b.environment.name.startswith("${{") and b.environment.url == "https://pypi.org/p/x"
    assert c.environment is None


def test_step_env_layers_workflow_job_and_step() -> None:
    workflow, _ = _workflow("""\
        on: push
        env: {A: workflow, B: workflow, C: workflow}
        jobs:
          j:
            runs-on: x
            env: {B: job, C: job}
            steps:
              - run: env
                env: {C: step}
        """)
    step = workflow.jobs[0].steps[0]
    assert {name: var.text for name, var in step.effective_env.items()} == {"A": "workflow", "B": "job", "C": "step"}


def test_reusable_workflow_call_job() -> None:
    workflow, _ = _workflow("""\
        on: push
        jobs:
          release:
            uses: ./.github/workflows/publish.yml
            with: {version: "1.0"}
            secrets: inherit
          explicit:
            uses: org/shared/.github/workflows/publish.yml@v2
            secrets:
              token: ${{ secrets.PYPI_TOKEN }}
        """)
    inherit, explicit = workflow.jobs
    assert inherit.uses.kind == "local" and inherit.secrets_inherit
    assert inherit.call_inputs.get("version").value == "1.0"
    assert (explicit.uses.kind, explicit.uses.path, explicit.uses.ref) == ("repo", ".github/workflows/publish.yml", "v2")
    assert not explicit.secrets_inherit and list(explicit.secrets) == ["token"]


@pytest.mark.parametrize(
    ("fragment", "message", "line"),
    [
        ("jobs: [a, b]", "'jobs' must be a mapping of job ids to jobs, not a list", 2),
        ("jobs:\n  a:\n    runs-on: x\n    steps: {a: 1}", "'steps' must be a list of steps, not a mapping", 5),
        ("jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: [a]", "'uses' must be a string, not a list", 6),
        ("jobs:\n  a:\n    runs-on: x\n    env: [x]", "'env' must be a mapping, not a list", 5),
        ("jobs:\n  a: 5", "job 'a' must be a mapping, not a number", 3),
        ("jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: [a]", "'run' must be a string, not a list", 6),
    ],
)
def test_wrong_types_are_structure_problems_with_positions(fragment: str, message: str, line: int) -> None:
    _, doc = _workflow("on: push\n" + fragment + "\n")
    assert [(p.kind, p.message, p.pos.line) for p in doc.problems] == [("structure", message, line)]


def test_expressions_are_accepted_where_github_allows_them() -> None:
    _, doc = _workflow("""\
        on: push
        jobs:
          a:
            runs-on: ${{ matrix.os }}
            env: ${{ fromJSON(needs.setup.outputs.env) }}
            steps:
              - run: echo
                with: ${{ matrix.inputs }}
        """)
    assert doc.problems == []


def test_non_workflow_files() -> None:
    _, doc = _workflow("- a\n- b\n")
    assert [(p.kind, p.message) for p in doc.problems] == [("not-a-workflow", "the file's top level is a list, not a mapping of workflow keys")]
    _, doc = _workflow("name: config\nsettings: {}\n")
    assert [p.kind for p in doc.problems] == ["not-a-workflow"]


def test_action_file_is_a_pseudo_job() -> None:
    workflow, doc = _workflow("""\
        name: publish
        runs:
          using: composite
          steps:
            - run: echo hi
              shell: bash
        """)
    assert workflow.kind == "action" and doc.problems == []
    assert [step.run.text for step in workflow.jobs[0].steps] == ["echo hi"]


def _credential(with_block: str, env: str = ""):
    workflow, _ = _workflow(f"""\
        on: push
        jobs:
          j:
            runs-on: x
            {env}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with: {with_block}
        """)
    [publish] = detect_publishes(workflow.jobs[0].steps[0])
    return publish.index, publish.credential.kind, publish.credential.source


@pytest.mark.parametrize(
    ("with_block", "env", "expected"),
    [
        ("{}", "", ("pypi", "oidc", None)),
        ("{password: ''}", "", ("pypi", "oidc", None)),
        ("{password: '${{ secrets.PYPI_API_TOKEN }}'}", "", ("pypi", "token", "secrets.PYPI_API_TOKEN")),
        ("{password: \"${{ secrets['PYPI'] }}\"}", "", ("pypi", "token", "secrets.PYPI")),
        ("{password: '${{ vars.PYPI_TOKEN }}'}", "", ("pypi", "token", "vars.PYPI_TOKEN")),
        ("{password: '${{ steps.mint.outputs.token }}'}", "", ("pypi", "unknown", "steps.mint.outputs.token")),  # no step mints it
        ("{password: '${{ env.T }}'}", "env: {T: '${{ secrets.TOKEN }}'}", ("pypi", "token", "secrets.TOKEN")),
        ("{password: '${{ env.T }}'}", "env: {T: '${{ steps.m.outputs.t }}'}", ("pypi", "unknown", "steps.m.outputs.t")),
        ("{password: hunter2, user: alice}", "", ("pypi", "literal", "a value written in the workflow")),
        ("{password: '${{ secrets.P }}', user: alice}", "", ("pypi", "password", "secrets.P")),
        ("{password: '${{ secrets.P }}', user: '${{ secrets.U }}'}", "", ("pypi", "token", "secrets.P")),
        ("{repository-url: 'https://test.pypi.org/legacy/'}", "", ("testpypi", "oidc", None)),
        ("{repository_url: 'https://test.pypi.org/legacy/'}", "", ("testpypi", "oidc", None)),
        ("{repository-url: 'https://upload.pypi.org/legacy/'}", "", ("pypi", "oidc", None)),
        ("{repository-url: 'https://nexus.example.com/repository/pypi/'}", "", ("other", "oidc", None)),
        ("{repository-url: '${{ matrix.index }}'}", "", ("unknown", "oidc", None)),
    ],
)
def test_pypa_action_index_and_credential(with_block: str, env: str, expected: tuple) -> None:
    assert _credential(with_block, env) == expected


def test_literal_credentials_are_redaction_spans() -> None:
    doc = load_text("w.yml", textwrap.dedent("""\
        on: push
        jobs:
          j:
            runs-on: x
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  password: hunter2-is-not-a-token
        # pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in a comment
        """))
    spans = [(p.line, p.col, p.end_col) for p in analyse(doc).redactions.get(doc.path, [])]
    assert (8, 21, 43) in spans
    assert any(line == 9 and col == 3 for line, col, _ in spans)


def _one_step(run: str, *, id_token: bool = False):
    permissions = "    permissions: {id-token: write}\n" if id_token else ""
    doc = load_text("w.yml", f"on: push\njobs:\n  j:\n    runs-on: x\n{permissions}    steps:\n      - run: {run}\n")
    workflow = build_workflow(doc)
    return workflow.jobs[0], doc


def _detections(command: str) -> tuple[list[tuple], bool, str | None]:
    """What each of the three detections makes of one command: its uploads, whether it
    builds or runs project code, and the release task it hands publishing to."""
    job, doc = _one_step(command, id_token=True)
    step = job.steps[0]
    uploads = [(p.tool, p.index, p.credential.kind) for p in detect_publishes(step, job, doc.lines)]
    delegation = release_script(step, id_token=True)
    return uploads, step_role(step).builds, delegation.target if delegation else None


def test_the_launcher_table_holds_the_launchers_releases_use() -> None:
    spellings = {launcher.spelling for launcher in LAUNCHERS}
    assert {"python -m", "pipx run", "uvx", "uv tool run", "uv run", "hatch run", "pdm run", "poetry run"} <= spellings


@pytest.mark.parametrize("launcher", LAUNCHERS, ids=lambda launcher: launcher.spelling)
def test_one_launcher_table_drives_publish_build_and_release_task_detection(launcher: Launcher) -> None:
    """A launcher spelled once in the table is seen through by all three detections."""
    spelling = launcher.spelling
    assert _detections(f"{spelling} twine upload dist/*")[0] == [("twine", "pypi", "oidc")]
    assert _detections(f"{spelling} cibuildwheel --output-dir wheelhouse")[1] is True
    assert _detections(f"{spelling} nox -s release")[2] == "nox -s release"


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("make release", "make release"),
        ("tox -e publish", "tox -e publish"),
        ("hatch run release", "hatch run release"),  # a script of the project's hatch configuration
        ("pdm run publish --repo pypi", "pdm run publish"),
        ("pipenv run upload", "pipenv run upload"),
        ("uv run --frozen python scripts/prepare_release.py prepare", "scripts/prepare_release.py prepare"),
        ("uv run scripts/release.py", "scripts/release.py"),  # uv run runs a .py file with python
        ("python3 -m invoke release", "invoke release"),
        ("uvx semantic-release@9 publish", "semantic-release publish"),
        ("./scripts/release.sh patch", "./scripts/release.sh patch"),
        ("bash ci/upload.sh", "ci/upload.sh"),
        ("poetry run -C pkg mytool deploy", "poetry run -C pkg mytool deploy"),
        ("uv run mkdocs build", None),
        ("pipx run build", None),
    ],
)
def test_release_tasks_are_named_without_the_launchers_in_front(command: str, target: str | None) -> None:
    """A task is named by its runner's command up to the word naming the release, a script
    by its path and first argument (which often says what it does); a script of the project's
    configuration keeps the launcher that runs it."""
    assert _detections(command)[2] == target


def test_credential_kinds_are_one_enumeration_of_plain_strings() -> None:
    """Facts, messages and JSON show a credential kind as its word, whichever module made it."""
    assert [kind.value for kind in CredentialKind] == ["oidc", "token", "password", "literal", "minted", "none", "unknown"]
    assert (f"{CredentialKind.MINTED}", str(CredentialKind.NONE), json.dumps({"kind": CredentialKind.TOKEN})) == (
        "minted", "none", '{"kind": "token"}')
    job, doc = _one_step("twine upload -p ${{ secrets.P }} dist/* && uv publish")
    kinds = [publish.credential.kind for publish in detect_publishes(job.steps[0], job, doc.lines)]
    assert kinds == [CredentialKind.TOKEN, CredentialKind.OIDC] and all(type(kind) is CredentialKind for kind in kinds)
