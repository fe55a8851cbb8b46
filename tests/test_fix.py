"""`trustycheck fix`: the edit engine, each fix on real-shaped workflows, what is refused and
dropped, the command's output and exit codes, `--fix` on the lint command, and the publisher
settings."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from trustycheck.cli import run
from trustycheck.fixes import registry
from trustycheck.fixes.fix import fix_of
from trustycheck.fixes.text import Edit, OverlappingEdits, Source, apply_edits, remove_entry
from trustycheck.loader import load_text
from trustycheck.nodes import Mapping
from workflows import ON_CALL, ON_TAG, call_job, job, release_workflow, workflow

DOWNLOAD = "- uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8\n"
PUBLISH = "- uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n"
"""The download and the upload, pinned, that most workflows here publish with."""


def _repo(tmp_path: Path, text: str, name: str = "release.yml", remote: str | None = None) -> Path:
    path = tmp_path / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    if remote is not None:
        (tmp_path / ".git").mkdir(exist_ok=True)
        (tmp_path / ".git" / "config").write_text(f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {remote}\n')
    return path


def _fix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = run(["fix", *args])
    return status, capsys.readouterr().out


# --- the edit engine ------------------------------------------------------------------------

def test_edits_apply_bottom_up_and_overlaps_are_refused() -> None:
    assert apply_edits("abcdef", [Edit(0, 1, "X"), Edit(4, 6, ""), Edit(2, 2, "+")]) == "Xb+cd"
    with pytest.raises(OverlappingEdits):
        apply_edits("abcdef", [Edit(0, 3, ""), Edit(2, 4, "")])
    with pytest.raises(OverlappingEdits):  # two insertions at one place: their order would be a guess
        apply_edits("abcdef", [Edit(2, 2, "x"), Edit(2, 2, "y")])


def test_removing_an_entry_keeps_comments_and_crlf() -> None:
    text = "with:\r\n  # keep me\r\n  password: x  # goes with it\r\n  verbose: true\r\n"
    doc = load_text("w.yml", text)
    root = doc.root
    assert isinstance(root, Mapping)
    block = root.get("with")
    assert isinstance(block, Mapping)
    source = Source("w.yml", text)
    edit = remove_entry(block, "password", source)
    assert edit is not None
    assert apply_edits(text, [edit]) == "with:\r\n  # keep me\r\n  verbose: true\r\n"


def test_an_entry_sharing_its_line_with_the_item_dash_is_not_removed() -> None:
    text = "- password: x\n  user: y\n"
    doc = load_text("w.yml", text)
    assert doc.root is not None
    item = doc.root.items[0]  # type: ignore[attr-defined]
    assert remove_entry(item, "password", Source("w.yml", text)) is None


# --- safe fixes -------------------------------------------------------------------------------

OLD_ACTION = release_workflow("""\
    - uses: actions/download-artifact@v4
    - uses: pypa/gh-action-pypi-publish@master # old
      with:
        attestations: false
    """)
"""Trusted Publishing on a release, with the upload (line 12) on a branch and attestations off."""


def test_safe_fixes_pin_the_action_and_drop_attestations_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, OLD_ACTION)
    status, out = _fix(capsys, str(path))
    assert path.read_text().splitlines()[11:] == [
        "      - uses: pypa/gh-action-pypi-publish@cef221092ed1bacb1cc03d23a2d87d1d172e277b # old",
    ]
    assert f"{path}: fixed TC402: job 'publish', step 'pypa/gh-action-pypi-publish@master': " \
           "pypa/gh-action-pypi-publish@master -> v1.14.0 (cef221092ed1)" in out
    assert f"{path}: fixed TC501: job 'publish', step 'pypa/gh-action-pypi-publish@master': drop `attestations: false`" in out
    assert "Applied 2 fixes in 1 file; 1 finding remains." in out  # TC401 for download-artifact@v4
    assert status == 1


def test_lint_with_fix_applies_safe_fixes_then_reports_what_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, OLD_ACTION)
    capsys.readouterr()
    status = run(["--fix", str(path)])
    captured = capsys.readouterr()
    assert "Applied 2 fixes in 1 file" in captured.err
    assert "TC402" not in captured.out and "TC501" not in captured.out
    assert "TC401" in captured.out
    assert status == 1


def test_workflow_wide_id_token_moves_into_the_publishing_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = job("test", "- run: make test")
    path = _repo(tmp_path, workflow(test, job("publish", DOWNLOAD, PUBLISH, needs="test", environment="pypi"),
                                    on=ON_TAG, permissions="id-token: write"))
    status, out = _fix(capsys, str(path))
    assert path.read_text() == workflow(
        test, job("publish", DOWNLOAD, PUBLISH, needs="test", environment="pypi", permissions="id-token: write"),
        on=ON_TAG, permissions="{}")
    assert "fixed TC202: move id-token: write from the workflow's permissions into job 'publish'" in out
    assert status == 0


# --- unsafe fixes ------------------------------------------------------------------------------

def test_token_fixes_need_unsafe_and_name_the_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(DOWNLOAD, """\
        - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
          with:
            user: __token__
            password: ${{ secrets.PYPI_RELEASE_TOKEN }}
        """, permissions="contents: read"))
    before = path.read_bytes()
    status, out = _fix(capsys, str(path))
    assert path.read_bytes() == before
    assert "1 more fix changes behaviour (Trusted Publishing, environments): review them with --unsafe --diff" in out
    assert status == 1
    status, out = _fix(capsys, "--unsafe", str(path))
    trusted = release_workflow(DOWNLOAD, PUBLISH, permissions="contents: read\nid-token: write")
    assert path.read_text().splitlines()[7:] == trusted.splitlines()[7:]  # from `permissions:` on
    assert ("    then: delete the secret PYPI_RELEASE_TOKEN (repository or environment secret) and revoke its token "
            "on PyPI (Account settings > API tokens)") in out
    assert status == 0


def test_hatch_upload_becomes_the_pypa_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(DOWNLOAD, """\
        - name: Publish
          shell: bash
          run: hatch publish --user __token__ --auth "$TOKEN"
          env:
            TOKEN: ${{ secrets.PYPI_TOKEN }}
        """, on=ON_TAG, permissions="{}"))
    _fix(capsys, "--unsafe", str(path))
    assert path.read_text() == release_workflow(DOWNLOAD, """\
        - name: Publish
          uses: pypa/gh-action-pypi-publish@cef221092ed1bacb1cc03d23a2d87d1d172e277b # v1.14.0
        """, on=ON_TAG, permissions="{id-token: write}")


@pytest.mark.parametrize(("install", "fixed"), [
    ("pip install twine==5.1.1", False),
    ("pip install 'twine<6'", False),
    ("pip install 'twine[keyring]~=5.0'", False),
    ("pip install twine", True),
    ("pip install 'twine>=6.1'", True),
    ("pip install twine==6.2.0", True),
    ("pip install python-twine==1.0 twine", True),
])
def test_twine_is_moved_only_when_it_can_do_trusted_publishing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                install: str, fixed: bool) -> None:
    path = _repo(tmp_path, release_workflow(DOWNLOAD, f"""\
        - run: {install}
        - run: twine upload dist/*
          env:
            TWINE_USERNAME: __token__
            TWINE_PASSWORD: ${{{{ secrets.PYPI_API_TOKEN }}}}
        """, permissions="contents: read"))
    before = path.read_bytes()
    status, out = _fix(capsys, "--unsafe", str(path))
    assert (path.read_bytes() != before) == fixed
    assert ("Applied 1 fix in 1 file; 0 findings remain." if fixed else "Applied 0 fixes in 0 files; 1 finding remains.") in out
    assert status == (0 if fixed else 1)


def test_diff_writes_nothing_and_masks_written_credentials(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(DOWNLOAD, """\
        - run: uv publish
          env:
            UV_PUBLISH_TOKEN: pypi-AgEIcHlwaS5vcmcCJGE0ZjM4ZjQxLTY4ZGYtNDk5Yy1hOTg3LTgyNmFjMDZiZDkzOAACKlszLCJhYmMiXQAABiA
        """, on=ON_TAG, permissions="contents: read"))
    before = path.read_bytes()
    status, out = _fix(capsys, "--unsafe", "--diff", str(path))
    assert path.read_bytes() == before
    assert f"--- a/{path}\n+++ b/{path}\n" in out
    assert "\n+      id-token: write\n" in out
    assert "\n-        env:\n" in out
    assert "pypi-AgEI" not in out
    assert "Would apply 1 fix in 1 file; 0 findings remain." in out
    assert status == 0


# --- what is dropped ------------------------------------------------------------------------

def test_a_fix_that_adds_a_finding_is_dropped_and_said(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(context, source, analysis):  # type: ignore[no-untyped-def]
        key = context.step.publish.attestations_off
        start, end = source.span(key)
        return fix_of("swap attestations for a token", [Edit(start, source.line_ends[key.pos.line - 1],
                                                             "password: ${{ secrets.TOKEN }}")])

    monkeypatch.setitem(registry.FIXERS, "TC501", (bad,))
    path = _repo(tmp_path, OLD_ACTION)
    status, out = _fix(capsys, str(path))
    assert f"{path}: not fixed TC501: swap attestations for a token: the result would have a new finding (TC103)" in out
    assert "attestations: false" in path.read_text()


def test_a_fix_that_breaks_the_yaml_is_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(context, source, analysis):  # type: ignore[no-untyped-def]
        start, end = source.span(context.step.publish.attestations_off)
        return fix_of("break it", [Edit(start, start, "[")])

    monkeypatch.setitem(registry.FIXERS, "TC501", (bad,))
    path = _repo(tmp_path, OLD_ACTION)
    status, out = _fix(capsys, str(path))
    assert f"{path}: not fixed TC501: break it: the result is not a valid workflow (invalid YAML" in out
    assert "attestations: false" in path.read_text()


# --- publisher settings and explain ------------------------------------------------------------

def test_publisher_settings_from_the_git_remote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(PUBLISH, environment="${{ inputs.target }}"),
                 remote="git@github.com:octo-org/octo-lib.git")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "octo-lib"\nversion = "1.0"\n')
    _, out = _fix(capsys, "--publisher-settings", "--format", "json", str(path))
    settings = json.loads(out)
    assert settings == [{
        "index": "PyPI", "project": "octo-lib", "owner": "octo-org", "repository": "octo-lib", "workflow": "release.yml",
        "environment": "${{ inputs.target }}", "job": "publish", "path": str(path), "line": 5,
        "warnings": ["the environment is an expression (${{ inputs.target }}): PyPI needs the name it takes when "
                     "publishing, or no environment in the publisher"],
    }]


def test_publisher_settings_for_an_upload_in_a_reusable_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _repo(tmp_path, release_workflow(PUBLISH, on=ON_CALL, name="upload"), name="upload.yml")
    caller = _repo(tmp_path, workflow(call_job("release", "./.github/workflows/upload.yml", permissions="id-token: write")),
                   remote="https://github.com/octo-org/octo-lib")
    _, out = _fix(capsys, "--publisher-settings", str(caller))
    assert "  Owner:             octo-org\n  Repository name:   octo-lib\n  Workflow name:     upload.yml\n" in out
    assert ("  warning: the upload runs inside the reusable workflow 'upload.yml', called by 'release.yml': PyPI "
            "matches the called file today (register 'upload.yml'); it plans to match the calling workflow instead "
            "(pypi/warehouse#20083)") in out


def test_explain_says_whether_a_rule_is_fixable(capsys: pytest.CaptureFixture[str]) -> None:
    run(["explain", "TC501"])
    assert "\nFixable: yes (remove `attestations: false`)\n" in capsys.readouterr().out
    run(["explain", "TC301"])
    assert "\nFixable: with --unsafe (add `environment: pypi` to the release job)\n" in capsys.readouterr().out
    run(["explain", "TC401"])
    assert "Fixable" not in capsys.readouterr().out


def test_names_from_the_file_cannot_act_on_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow("""\
        - name: "up\\r\\nload"
          uses: pypa/gh-action-pypi-publish@master
        """, name='"pub\\e]0;owned\\a"', environment=None))
    _, out = _fix(capsys, "--publisher-settings", str(path))
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "job 'pub\\x1b]0;owned\\x07', step 'up\\r\\nload': pypa/gh-action-pypi-publish@master -> v1.14.0" in out


def test_values_shared_through_yaml_anchors_are_not_edited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, workflow(
        job("publish", """\
            - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
              with: &upload
                password: ${{ secrets.PYPI_API_TOKEN }}
                verbose: true
            """, environment="pypi", permissions="contents: read"),
        job("again", PUBLISH + "  with: *upload\n", environment="pypi", permissions="contents: read")))
    before = path.read_bytes()
    status, out = _fix(capsys, "--unsafe", str(path))
    assert path.read_bytes() == before
    assert "Applied 0 fixes in 0 files; 1 finding remains." in out  # one TC101: the two steps share the node
    assert status == 1


def test_publisher_settings_warn_about_a_workflow_in_a_subfolder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(PUBLISH, environment=None), name="release/pypi.yml")
    _, out = _fix(capsys, "--publisher-settings", str(path))
    assert ("  warning: 'pypi.yml' is not directly in .github/workflows/: GitHub runs only workflows there, and PyPI "
            "matches only a file name there\n") in out
    assert ("  warning: the job has no environment: leave PyPI's environment field empty (any run of the workflow "
            "can then publish), or add one to the job and name it there\n") in out


def test_a_job_that_signs_with_its_oidc_token_keeps_id_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, workflow(
        job("lint", "- run: make lint"),
        job("build", "- run: make dist", permissions="contents: read"),
        job("provenance", """\
            - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
              with:
                role-to-assume: arn:aws:iam::123456789012:role/upload
            """),
        job("publish", PUBLISH, needs="build", environment="pypi"),
        on=ON_TAG, permissions="contents: read\nid-token: write"))
    _fix(capsys, str(path))
    text = path.read_text()
    assert text.count("id-token: write") == 2
    assert "  provenance:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      id-token: write\n" in text
    assert "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n" \
           "      contents: read\n      id-token: write\n" in text
    assert "\npermissions:\n  contents: read\njobs:\n" in text


def test_credential_options_leave_the_upload_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, release_workflow(DOWNLOAD, """\
        - name: Upload
          env:
            PYPI_PASSWORD: ${{ secrets.PYPI_TOKEN }}
            TWINE_NON_INTERACTIVE: "1"
          run: |
            pipx run twine check dist/*
            pipx run twine upload --username=__token__ --password "$PYPI_PASSWORD" --skip-existing dist/*
            pipx run twine upload -r testpypi -u __token__ -p ${{ secrets.TEST_PYPI_TOKEN }} dist/*
        """, permissions="contents: read"))
    status, out = _fix(capsys, "--unsafe", str(path))
    assert path.read_text().splitlines()[7:] == [
        "    permissions:",
        "      contents: read",
        "      id-token: write",
        "    steps:",
        "      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8",
        "      - name: Upload",
        "        env:",
        '          TWINE_NON_INTERACTIVE: "1"',
        "        run: |",
        "          pipx run twine check dist/*",
        "          pipx run twine upload --skip-existing dist/*",
        "          pipx run twine upload -r testpypi dist/*",
    ]
    assert "then: delete the secret PYPI_TOKEN" in out and "then: delete the secret TEST_PYPI_TOKEN" in out
    assert status == 0


def test_a_workflow_linked_out_of_the_repository_is_neither_read_nor_written(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text(textwrap.dedent(OLD_ACTION))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    workflows = repo / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yml").symlink_to(outside)
    before = outside.read_bytes()
    _, out = _fix(capsys, "--unsafe", str(repo))
    assert outside.read_bytes() == before
    assert "release.yml: not fixed: it points outside the repository" in out


def test_a_byte_order_mark_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _repo(tmp_path, OLD_ACTION)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _fix(capsys, str(path))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfon:\n") and b"attestations" not in data


def test_fixes_that_keep_failing_cost_a_bounded_number_of_lints(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(context, source, analysis):  # type: ignore[no-untyped-def]
        start, _ = source.span(context.step.publish.attestations_off)
        return fix_of(f"break line {context.step.publish.attestations_off.pos.line}", [Edit(start, start, "[")])

    monkeypatch.setitem(registry.FIXERS, "TC501", (bad,))
    path = _repo(tmp_path, release_workflow((PUBLISH + "  with:\n    attestations: false\n") * 60))
    _, out = _fix(capsys, str(path))
    assert out.count(": the result is not a valid workflow") == 39  # the 40th lint was of all of them together
    assert out.count(": not checked: over 40 fixed versions of the file were linted") == 21


def test_lint_with_fix_refuses_standard_input(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "trustycheck", "--fix", "--stdin-filename", "release.yml", "-"],
                            input=textwrap.dedent(OLD_ACTION), capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("trustycheck: error: --fix does not fix standard input\n")
