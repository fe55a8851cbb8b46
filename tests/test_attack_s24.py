"""Hostile inputs against the surfaces that read a stranger's files or write files: `fix`
(its summary, its publisher settings, its writes), and `status --package-map`."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from trustycheck.cli import run
from trustycheck.status_packages import parse_package_map

TAG_PUBLISH_HEAD = """\
name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
"""

TOKEN_UPLOAD = TAG_PUBLISH_HEAD.replace("environment: pypi", "environment: ENVIRONMENT") + """\
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: pypa/gh-action-pypi-publish@v1.4.2
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"""


def _publish_on_tag(job_keys: str) -> str:
    """A workflow whose job 'publish' runs on a version tag in the pypi environment, and goes on
    with ``job_keys`` (dedented here: its strategy, permissions, steps)."""
    return TAG_PUBLISH_HEAD + textwrap.indent(textwrap.dedent(job_keys), "    ")


def _workflow(root: Path, text: str, name: str = "release.yml") -> Path:
    path = root / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _fix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = run(["fix", *args])
    return status, capsys.readouterr().out


def _command_lines(out: str) -> list[str]:
    """Lines the GitHub Actions runner would read as workflow commands."""
    return [line for line in out.split("\n") if line.lstrip().startswith("::")]


@pytest.mark.parametrize("separator", ["\\n", "\\r", "\\x1c", "\\x1d", "\\x1e", "\\x85", "\\u2028", "\\u2029"])
def test_publisher_settings_never_turn_a_unicode_separator_into_a_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str) -> None:
    # Python's splitlines() splits at these; the runner reads only \n as a line break. A name
    # from the workflow must not start an output line of its own (``::error::`` would act).
    _workflow(tmp_path, TOKEN_UPLOAD.replace("ENVIRONMENT", f'"pypi{separator}::error::planted"'))
    status, out = _fix(capsys, "--unsafe", "--diff", "--publisher-settings", str(tmp_path))
    assert status in (0, 1)
    assert "planted" in out
    assert _command_lines(out) == []


def test_fix_summary_shows_a_file_named_like_a_workflow_command_as_a_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = _workflow(tmp_path, TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi"), name="::error::planted.yml")
    monkeypatch.chdir(path.parent)
    _, out = _fix(capsys, "--diff", "::error::planted.yml")
    assert "./::error::planted.yml: would fix TC402" in out
    assert _command_lines(out) == []


def test_fix_does_not_overwrite_an_edit_made_while_it_ran(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from trustycheck.fixes import command

    path = _workflow(tmp_path, TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi"))
    edited = path.read_text(encoding="utf-8") + "# the user's edit, saved while the fix ran\n"
    real_fix_text = command.fix_text

    def fix_while_the_user_saves(*args, **kwargs):  # type: ignore[no-untyped-def]
        outcome = real_fix_text(*args, **kwargs)
        path.write_text(edited, encoding="utf-8")
        return outcome

    monkeypatch.setattr(command, "fix_text", fix_while_the_user_saves)
    _, out = _fix(capsys, str(tmp_path))
    assert path.read_text(encoding="utf-8") == edited
    assert "changed while it was being fixed" in out


def test_fix_does_not_write_through_a_hard_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A file outside the repository that shares the workflow's inode would be rewritten too:
    # the same escape a symlink out of the repository is refused for.
    outside = tmp_path / "outside.yml"
    outside.write_text(textwrap.dedent(TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi")), encoding="utf-8")
    repo = tmp_path / "repo"
    target = repo / ".github" / "workflows" / "release.yml"
    target.parent.mkdir(parents=True)
    (repo / ".git").mkdir()
    os.link(outside, target)
    before = outside.read_text(encoding="utf-8")
    _, out = _fix(capsys, str(repo))
    assert outside.read_text(encoding="utf-8") == before
    assert "hard link" in out


def test_publisher_settings_do_not_follow_a_git_config_link_out_of_the_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere.config"
    elsewhere.write_text('[remote "origin"]\n\turl = https://github.com/someone-else/their-repo\n', encoding="utf-8")
    repo = tmp_path / "repo"
    _workflow(repo, TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi"))
    (repo / ".git").mkdir()
    (repo / ".git" / "config").symlink_to(elsewhere)
    _, out = _fix(capsys, "--diff", "--publisher-settings", str(repo))
    assert "someone-else" not in out
    assert "Owner:             <owner>" in out


def test_a_package_map_with_many_packages_for_one_repository_is_read_in_linear_time() -> None:
    # A scraped map (or a monorepo) may list one repository on every row: merging the rows one
    # by one copies the package list each time, quadratic in the rows.
    rows = 30_000
    data = ("package,repository\n" + "".join(f"p{i},https://github.com/o/r\n" for i in range(rows))).encode()
    started = time.perf_counter()
    found = parse_package_map(data, "map.csv")
    elapsed = time.perf_counter() - started
    listing = found.by_slug[("o", "r")]
    assert len(listing.packages) == rows and listing.packages[:2] == ("p0", "p1")
    assert elapsed < 3.0


@pytest.mark.parametrize("written, means", [
    ("'read'", "read"),
    ("'read # not a comment'", "read # not a comment"),
    ('"write\\u0020#"', "write #"),
    ("|\n            read", "read\n"),
])
def test_moving_the_workflow_grant_into_a_job_keeps_each_scope_the_same_string(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, means: str) -> None:
    # The scopes are copied into the job's new block: a quoted value written bare would read as
    # another value (``read`` and a comment), so the fix would change what the workflow grants.
    import yaml

    path = _workflow(tmp_path, f"""\
        name: release
        on: push
        permissions:
          id-token: write
          contents: {written}
        jobs:
          publish:
            runs-on: ubuntu-latest
            environment: pypi
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
          lint:
            runs-on: ubuntu-latest
            steps:
              - run: echo lint
        """)
    _fix(capsys, "--unsafe", str(tmp_path))
    fixed = yaml.safe_load(path.read_text(encoding="utf-8"))
    granted = fixed["jobs"]["publish"].get("permissions")
    if means == "read":  # a valid scope: moved, as written
        assert fixed["permissions"] == {"contents": "read"}
        assert granted == {"id-token": "write", "contents": "read"}
    else:  # not a valid scope: copied as it is, so the fix adds a finding and is dropped
        assert granted is None or granted["contents"] == means
        assert fixed["permissions"]["contents"] == means


@pytest.mark.parametrize("condition", [
    "matrix.python == '3.12'",
    "steps.version.outputs.changed == 'true'",
    "${{ github.repository == 'me/project' }}",
])
def test_an_upload_step_moved_to_the_action_keeps_its_condition(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], condition: str) -> None:
    # `poetry publish --build` becomes a build step and an upload step: the upload must still
    # run only when the step's `if:` says so (once in a matrix, only on a new version), not
    # in every run where the build is skipped.
    import yaml

    path = _workflow(tmp_path, _publish_on_tag(f"""\
            strategy:
              matrix:
                python: ["3.11", "3.12"]
            steps:
              - uses: actions/checkout@692973e3d937129bcbf40652eb9f2f61becf3332 # v4.1.7
              - id: version
                run: echo changed=true >> "$GITHUB_OUTPUT"
              - name: Publish once
                if: {condition}
                env:
                  POETRY_PYPI_TOKEN_PYPI: ${{{{ secrets.PYPI_TOKEN }}}}
                run: poetry publish --build
        """))
    _fix(capsys, "--unsafe", str(tmp_path))
    steps = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]["publish"]["steps"]
    uploads = [step for step in steps if "pypa/gh-action-pypi-publish" in str(step.get("uses"))]
    assert len(uploads) == 1
    assert uploads[0].get("if") == condition
    assert steps[-2] == {"name": "Publish once", "if": condition, "run": "poetry build"}


def test_a_baseline_entry_of_one_project_does_not_hide_the_same_finding_of_another(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A tree with two projects (the top one and sub/, each with its .github): both workflows
    # are ".github/workflows/release.yml" relative to their own project. A baseline recorded
    # for sub/ alone must not hide the top project's identical findings.
    text = TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi")
    _workflow(tmp_path, text)
    _workflow(tmp_path / "sub", text)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert run(["--isolated", "--write-baseline", "baseline.json", "sub"]) == 0
    capsys.readouterr()
    status = run(["--isolated", "--baseline", "baseline.json", "--format", "concise", "."])
    out = capsys.readouterr().out
    assert status == 1
    assert out.splitlines()[0].startswith(".github/workflows/release.yml:")
    assert run(["--isolated", "--baseline", "baseline.json", "sub"]) == 0


def test_dropping_an_upload_credential_leaves_another_command_of_the_line_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The user option deleted with the token is the upload command's own, not the -u of a
    # command before it on the same line (curl's credentials for a release hook).
    path = _workflow(tmp_path, _publish_on_tag("""\
            steps:
              - run: pip install build twine==6.1.0 && python -m build
              - run: curl -u "$BOT:$BOT_PW" https://hooks.example.com/release && twine upload -u __token__ -p "$TWINE_TOKEN" dist/*
                env:
                  TWINE_TOKEN: ${{ secrets.PYPI_TOKEN }}
        """))
    _fix(capsys, "--unsafe", str(tmp_path))
    assert '      - run: curl -u "$BOT:$BOT_PW" https://hooks.example.com/release && twine upload dist/*\n' \
        in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("written", [
    "password: >-\n                    Hunter2-correct-horse-battery",
    "password: |\n                    Hunter2-correct-horse-battery",
    'password: "Hunter2-correct-horse-battery"',
])
def test_the_fix_diff_masks_a_password_written_in_the_workflow(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str) -> None:
    # The diff shows the lines a fix deletes: a literal password among them is masked as in
    # every other report (the lint report masks it; `fix --diff` runs in CI logs too).
    _workflow(tmp_path, _publish_on_tag(f"""\
            permissions: {{id-token: write}}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
                with:
                  user: alice
                  {written}
        """))
    _, out = _fix(capsys, "--unsafe", "--diff", str(tmp_path))
    assert "-          user: alice" in out  # the deletion is shown
    assert "Hunter2" not in out


def test_a_markdown_status_cell_starts_no_math(tmp_path: Path) -> None:
    # GitHub renders $...$ as LaTeX: a repository or step named so would show styled text of
    # its choosing ("$\color{green}{\text{trusted}}$") in the security team's report.
    from trustycheck.report.status_markdown import md

    cell = md(r"$\color{green}{\text{trusted publishing}}$")
    assert "$" not in cell
    assert cell.startswith("&#36;")


def _linked_out(tmp_path: Path) -> Path:
    """A repository whose .git folder and pyproject.toml are links to files of someone else's."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "git").mkdir(parents=True)
    (elsewhere / "git" / "config").write_text('[remote "origin"]\n\turl = https://github.com/someone-else/their-repo\n',
                                              encoding="utf-8")
    (elsewhere / "pyproject.toml").write_text('[project]\nname = "their-secret-project"\n', encoding="utf-8")
    repo = tmp_path / "repo"
    _workflow(repo, TOKEN_UPLOAD.replace("ENVIRONMENT", "pypi"))
    (repo / ".git").symlink_to(elsewhere / "git", target_is_directory=True)
    (repo / "pyproject.toml").symlink_to(elsewhere / "pyproject.toml")
    return repo


def test_publisher_settings_read_nothing_through_a_git_folder_or_pyproject_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _linked_out(tmp_path)
    _, out = _fix(capsys, "--diff", "--publisher-settings", str(repo))
    assert "Owner:             <owner>" in out
    assert "someone-else" not in out and "their-secret-project" not in out


@pytest.mark.parametrize("output_format", ["html", "markdown"])
def test_status_reports_read_no_owner_through_a_git_folder_link(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 output_format: str) -> None:
    repo = _linked_out(tmp_path)
    capsys.readouterr()
    run(["status", "--format", output_format, str(repo)])
    out = capsys.readouterr().out
    assert "token" in out and "someone-else" not in out
