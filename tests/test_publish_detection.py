"""Publish detection in run: scripts and actions: tool, index, credential kind and source."""

from __future__ import annotations

import re
import textwrap

import pytest

from trustycheck.loader import load_text
from trustycheck.model.actions import ACTIONS
from trustycheck.model.publish import detect_publishes
from trustycheck.model.shell import split_commands
from trustycheck.model.workflow import build_workflow


def _detect(step_yaml: str, job_extra: str = "", earlier: str = "") -> list[tuple]:
    text = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n" + textwrap.indent(textwrap.dedent(job_extra), "    ")
    text += "    steps:\n" + textwrap.indent(textwrap.dedent(earlier), "      ") + textwrap.indent(textwrap.dedent(step_yaml), "      ")
    doc = load_text("w.yml", text)
    workflow = build_workflow(doc)
    assert doc.problems == [], doc.problems
    job = workflow.jobs[0]
    step = job.steps[-1]
    return [(p.tool, p.index, p.credential.kind, p.credential.source, p.builds) for p in detect_publishes(step, job, doc.lines)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("python -m twine upload dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("python3.12 -m twine upload --skip-existing dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("pipx run twine upload dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("uvx twine upload dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("uv run --with twine twine upload dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("twine upload -r testpypi -u __token__ -p ${{ secrets.TEST_PYPI }} dist/*", [("twine", "testpypi", "token", "secrets.TEST_PYPI", False)]),
        ("twine upload --repository-url https://upload.pypi.org/legacy/ --password=${{ secrets.P }} dist/*",
         [("twine", "pypi", "token", "secrets.P", False)]),
        ("twine upload --repository-url https://nexus.corp/repository/pypi/ -p ${{ secrets.NEXUS }} dist/*",
         [("twine", "other", "token", "secrets.NEXUS", False)]),
        ("TWINE_PASSWORD=${{ secrets.T }} twine upload dist/*", [("twine", "pypi", "token", "secrets.T", False)]),
        ("pip install build && python -m build && \\\n  twine upload dist/*", [("twine", "pypi", "oidc", None, False)]),
        ("# twine upload dist/*\necho 'twine upload dist/*'\necho \"run: uv publish\"", []),
        ("uv publish", [("uv publish", "pypi", "oidc", None, False)]),
        ("uv publish --token ${{ secrets.UV }}", [("uv publish", "pypi", "token", "secrets.UV", False)]),
        ("uv publish --dry-run", []),
        ("uv publish --publish-url https://test.pypi.org/legacy/", [("uv publish", "testpypi", "oidc", None, False)]),
        ("poetry publish --build -u __token__ -p ${{ secrets.PYPI }}", [("poetry publish", "pypi", "token", "secrets.PYPI", True)]),
        ("poetry publish", [("poetry publish", "pypi", "none", None, False)]),
        ("poetry publish --dry-run", []),
        ("hatch publish -p my-plugin", [("hatch publish", "pypi", "none", None, False)]),
        ("hatch publish -a ${{ secrets.HATCH }} -r test", [("hatch publish", "testpypi", "token", "secrets.HATCH", False)]),
        ("pdm publish", [("pdm publish", "pypi", "oidc", None, True)]),
        ("pdm publish --no-build -P ${{ secrets.PDM }}", [("pdm publish", "pypi", "token", "secrets.PDM", False)]),
        ("flit publish", [("flit publish", "pypi", "none", None, True)]),
        ("maturin publish", [("maturin", "pypi", "oidc", None, True)]),
        ("maturin upload --repository testpypi dist/*", [("maturin", "testpypi", "oidc", None, False)]),
        ("twine upload -r testpypi dist/*\ntwine upload dist/*", [("twine", "testpypi", "oidc", None, False), ("twine", "pypi", "oidc", None, False)]),
        ("twine check dist/* && uv build && poetry build", []),
    ],
)
def test_run_scripts(script: str, expected: list[tuple]) -> None:
    step = "- run: |\n" + textwrap.indent(script, "    ") + "\n"
    assert _detect(step) == expected


def test_env_layers_feed_the_credential() -> None:
    step = "- run: python -m twine upload dist/*\n"
    assert _detect(step, job_extra="env:\n  TWINE_PASSWORD: ${{ secrets.JOB_LEVEL }}\n") == [("twine", "pypi", "token", "secrets.JOB_LEVEL", False)]


def test_shell_variable_reference_is_followed() -> None:
    step = "- run: uv publish --token \"$PYPI_TOKEN\"\n  env:\n    PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}\n"
    assert _detect(step) == [("uv publish", "pypi", "token", "secrets.PYPI_TOKEN", False)]


def test_pypirc_written_earlier_in_the_job() -> None:
    earlier = "- run: |\n    echo \"[pypi]\" > ~/.pypirc\n    echo \"password = ${{ secrets.PYPI_PASSWORD }}\" >> ~/.pypirc\n"
    assert _detect("- run: twine upload dist/*\n", earlier=earlier) == [("twine", "pypi", "token", "secrets.PYPI_PASSWORD", False)]


def test_poetry_config_token_earlier_in_the_job() -> None:
    earlier = "- run: poetry config pypi-token.pypi ${{ secrets.POETRY_TOKEN }}\n"
    assert _detect("- run: poetry publish --build\n", earlier=earlier) == [("poetry publish", "pypi", "token", "secrets.POETRY_TOKEN", True)]


def test_poetry_token_env_var() -> None:
    step = "- run: poetry publish\n  env:\n    POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI }}\n"
    assert _detect(step) == [("poetry publish", "pypi", "token", "secrets.PYPI", False)]


def test_python_shell_is_not_parsed_as_shell() -> None:
    assert _detect("- shell: python\n  run: print('twine upload dist/*')\n") == []
    assert _detect("- shell: bash -e {0}\n  run: twine upload dist/*\n") == [("twine", "pypi", "oidc", None, False)]


@pytest.mark.parametrize(
    ("with_block", "expected"),
    [
        ("command: build\n    args: --release", []),
        ("command: upload\n    args: --non-interactive --skip-existing wheels-*/*", [("PyO3/maturin-action", "pypi", "oidc", None, False)]),
        ("command: publish", [("PyO3/maturin-action", "pypi", "oidc", None, True)]),
    ],
)
def test_maturin_action(with_block: str, expected: list[tuple]) -> None:
    assert _detect(f"- uses: PyO3/maturin-action@v1\n  with:\n    {with_block}\n") == expected


def test_maturin_action_token_from_env() -> None:
    step = "- uses: PyO3/maturin-action@v1\n  env:\n    MATURIN_PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n  with:\n    command: upload\n"
    assert _detect(step) == [("PyO3/maturin-action", "pypi", "token", "secrets.PYPI_API_TOKEN", False)]


def test_poetry_publish_action_never_does_trusted_publishing() -> None:
    assert _detect("- uses: JRubics/poetry-publish@v2.0\n  with:\n    pypi_token: ${{ secrets.PYPI }}\n") == [
        ("JRubics/poetry-publish", "pypi", "token", "secrets.PYPI", True)
    ]


def test_split_commands_keeps_expressions_whole_and_strips_prefixes() -> None:
    commands = split_commands("A=1 env B=2 sudo twine upload -p ${{ secrets.X }} dist/* | tee log; echo done")
    assert [(c.words, c.env) for c in commands] == [
        (["twine", "upload", "-p", "${{ secrets.X }}", "dist/*"], {"A": "1", "B": "2"}),
        (["tee", "log"], {}),
        (["echo", "done"], {}),
    ]


@pytest.mark.parametrize(
    "script",
    [
        "/usr/local/bin/twine upload dist/*",
        "\"twine\" 'upload' dist/*",
        "uvx twine==6.1.0 upload dist/*",
        "pipx run --spec twine@6 twine upload dist/*",
        "cd pkg;uv publish",
        "python -m twine \\\n  upload dist/*",
        "poetry publish",
    ],
)
def test_scripts_the_quick_screen_lets_through_are_those_that_upload(script: str) -> None:
    """Scripts are parsed only when they name a tool and an upload subcommand as words; every
    spelling that parses as an upload must pass that screen."""
    assert _detect("- run: |\n" + textwrap.indent(script, "    ") + "\n") != []


@pytest.mark.parametrize("script", ["uvicorn app:publish", "hatchling upload", "pip install uv && uv sync", "echo uploaded by poetry-core"])
def test_scripts_that_only_look_alike_are_not_uploads(script: str) -> None:
    assert _detect("- run: |\n" + textwrap.indent(script, "    ") + "\n") == []


@pytest.mark.parametrize("words", [["twine", "uv", "poetry"], ["publish", "upload"], ["a-b", ".x", "y."]])
def test_a_word_pattern_finds_words_exactly_where_the_look_around_form_does(words: list[str]) -> None:
    """The screen's patterns take ``\\b`` when every word starts and ends with a word
    character; either form must match the same places."""
    from trustycheck.model.publish import _word_pattern

    reference = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, words)) + r")(?![A-Za-z0-9_])")
    pattern = _word_pattern(words)
    texts = ["uv publish", "uvx twine upload", "éuv ünpublish", "_twine upload_", "twine9", "9twine", "poetry-publish",
             "a-b.x y. a-bc .xx", "", "x.y.", "UV PUBLISH", "twine\u00e9 upload\u0301"]
    for text in texts:
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in reference.finditer(text)], text


@pytest.mark.parametrize(
    ("with_block", "expected"),
    [
        ("password: ${{ secrets.PYPI }}", [("casperdcl/deploy-pypi", "pypi", "token", "secrets.PYPI", False)]),
        ("build: true", [("casperdcl/deploy-pypi", "pypi", "oidc", None, True)]),
        ("build: false", [("casperdcl/deploy-pypi", "pypi", "oidc", None, False)]),
        ("pip: true\n    url: https://test.pypi.org/legacy/", [("casperdcl/deploy-pypi", "testpypi", "oidc", None, True)]),
        ("build: true\n    upload: false", []),  # builds and checks only
        ("upload: ${{ startsWith(github.ref, 'refs/tags') }}", [("casperdcl/deploy-pypi", "pypi", "oidc", None, False)]),
    ],
)
def test_deploy_pypi_action_reads_its_inputs_from_the_one_action_table(with_block: str, expected: list[tuple]) -> None:
    """``step.publish.builds`` and the job's build role read the same entry (tests/test_roles_gating.py)."""
    assert _detect(f"- uses: casperdcl/deploy-pypi@v2\n  with:\n    {with_block}\n") == expected


def test_every_action_that_uploads_is_read_by_publish_detection() -> None:
    """An action the table says uploads is detected by its name alone (default inputs)."""
    for spec in ACTIONS.values():
        found = _detect(f"- uses: {spec.action}@v1\n")
        assert [tool.lower() for tool, *_ in found] == ([] if spec.uploads is None or spec.command_input else [spec.action])
