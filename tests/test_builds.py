"""What counts as building the project in a publishing job (TC203), by the tools' semantics:
every build front end and launcher, installing or running the freshly built distribution; and
what does not: installing pinned tools without the project."""

from __future__ import annotations

import pytest

from conftest import ids_at, lint_text
from workflows import ON_TAG, release_workflow

def _tc203(command: str) -> list[tuple[str, int, int]]:
    """TC203 in a tag-run release job that runs ``command`` (line 12) between checkout and upload."""
    workflow = release_workflow(f"""\
        - uses: actions/checkout@v4
        - name: Prepare
          run: {command}
        - uses: pypa/gh-action-pypi-publish@release/v1
        """, on=ON_TAG, name="release")
    return ids_at(lint_text(workflow, {"TC203"}))


@pytest.mark.parametrize(
    "command",
    [
        "pipx run build",
        "pipx run build --sdist --wheel",
        "pipx run --spec build==1.2.2 pyproject-build",
        "uvx --from build pyproject-build --installer uv",
        "uv tool run --from build pyproject-build",
        "uvx --from build==1.2.2 pyproject-build",
        "uv build",
        "uv build --sdist --out-dir dist",
        "hatch build",
        "hatch build -t wheel",
        "python -m build",
        "python3 -m build --wheel --outdir dist/",
        "py -m build",
        "poetry build",
        "python -m poetry build",
        "pdm build",
        "flit build",
        "python -m flit build --format wheel",
        "maturin build --release --out dist",
        "maturin sdist --out dist",
        "uvx maturin sdist",
        "cibuildwheel --output-dir wheelhouse",
        "python -m cibuildwheel --output-dir dist",
        "pipx run cibuildwheel==2.21.3",
        "uvx cibuildwheel",
        "python setup.py sdist bdist_wheel",
        "python -m pip wheel . -w dist",
    ],
)
def test_every_build_front_end_and_launcher_is_a_build(command: str) -> None:
    assert _tc203(command) == [("TC203", 12, 9)]


@pytest.mark.parametrize(
    "command",
    [
        "pip install dist/*.whl",
        "python -m pip install dist/mypkg-1.0-py3-none-any.whl",
        "python -m pip install ./dist/mypkg-1.0.tar.gz",
        "uv pip install --system dist/*.whl",
        "pip install --no-index --find-links dist mypkg",
        "pip install --no-index -f ./dist/ mypkg",
        "'pip install \"mypkg @ file://${{ github.workspace }}/dist/mypkg-1.0-py3-none-any.whl\"'",
        "pip install mypkg@file://$PWD/dist/mypkg-1.0-py3-none-any.whl",
        "uvx --from dist/mypkg-1.0-py3-none-any.whl mypkg --version",
        "pipx run --spec ./dist/mypkg-1.0-py3-none-any.whl mypkg --help",
        "uv tool install dist/mypkg-1.0-py3-none-any.whl",
    ],
)
def test_installing_or_running_the_built_distribution_is_a_build(command: str) -> None:
    """The wheel's install hooks, entry points and import run project code next to the
    publishing identity."""
    assert _tc203(command) == [("TC203", 12, 9)]


@pytest.mark.parametrize(
    "command",
    [
        "pip install twine",
        "python -m pip install --upgrade pip twine",
        "uv pip install --system twine==6.1.0",
        "pipx install twine",
        "uv tool install twine",
        "pip install --require-hashes -r publish-requirements.txt",
        "python -m pip install --require-hashes --no-deps -r .github/publish-requirements.txt",
        "uv pip install --system --require-hashes -r requirements/publish.txt",
        "uv sync --only-group publish",
        "uv sync --only-group=release --frozen",
        "uv sync --no-install-project",
        "uv sync --locked --no-install-project --group release",
        "uv sync --only-dev",
        "uv run --only-group release twine check dist/*",
        "uv run --no-project --with twine twine check dist/*",
        "poetry install --only publish --no-root",
        "pdm install --no-self -G release",
        "pdm sync --no-self",
        "twine check --strict dist/*",
        "ls -la dist/",
    ],
)
def test_installing_pinned_tools_is_not_a_build(command: str) -> None:
    assert _tc203(command) == []


@pytest.mark.parametrize(
    "command",
    [
        "uv sync --all-extras",
        "uv sync --group release",
        "uv run twine check dist/*",
        "uv run --no-sync mypkg --version",
        "poetry install --only main",
        "pdm install -G release",
        "pip install -r requirements.txt",
        "pip install -e .",
        "uv pip install --system .",
    ],
)
def test_installing_the_project_with_its_tools_is_still_a_build(command: str) -> None:
    """``uv sync``, ``uv run``, ``poetry install`` install the project itself (an editable
    build) unless told not to; a requirements file without hashes may name ``.``."""
    assert _tc203(command) == [("TC203", 12, 9)]
