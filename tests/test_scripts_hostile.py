"""Scripts, expressions and refs as a stranger writes them (issue 15, classes 1, 5, 7, 14).

Every upload that any shell runs is found, at the word that runs it; guards are read the
way GitHub evaluates them; no text in a file collides with the model's own bookkeeping; and
every pattern the model applies to file text stays linear on a megabyte of its worst case.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from conftest import hostile, ids_at, lint_text
from trustycheck.loader import load_text
from trustycheck.model.analysis import analyse

HEAD = hostile.TAG_RELEASE + """\
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    steps:
      - run: |
"""
FIRST_LINE = 10  # the script's first line in the file
INDENT = 10  # the script's indentation

TOKENS = {"TC101", "TC102", "TC201"}


def _workflow(script: str, head: str = HEAD) -> str:
    return head + textwrap.indent(textwrap.dedent(script).strip("\n") + "\n", " " * INDENT)


def _at(script: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) in the file of the ``nth`` occurrence of ``needle`` in the script."""
    lines = textwrap.dedent(script).strip("\n").split("\n")
    seen = 0
    for number, line in enumerate(lines):
        start = line.find(needle)
        while start != -1:
            if seen == nth:
                return FIRST_LINE + number, INDENT + start + 1
            seen += 1
            start = line.find(needle, start + 1)
    raise AssertionError(f"{needle!r} not in the script")


def _lint(script: str, select: set[str] = TOKENS, head: str = HEAD) -> list[tuple[str, int, int]]:
    return ids_at(lint_text(_workflow(script, head), select))


# --- class 7: uploads that any shell runs -----------------------------------------------------

SECRET = "${{ secrets.PYPI_TOKEN }}"

HIDDEN_UPLOADS = [
    f'bash -c "twine upload -p {SECRET} dist/*"',
    f"sh -c 'twine upload -p {SECRET} dist/*'",
    f"bash -e -o pipefail -c 'twine upload -p {SECRET} dist/*'",
    f"bash -ec 'twine upload -p {SECRET} dist/*'",
    f'eval "twine upload -p {SECRET} dist/*"',
    f'out="$(twine upload -p {SECRET} dist/*)"',
    f"out=`twine upload -p {SECRET} dist/*`",
    f'echo "`twine upload -p {SECRET} dist/*`"',
    f"sudo -E twine upload -p {SECRET} dist/*",
    f"sudo -u runner twine upload -p {SECRET} dist/*",
    f"sudo --user=runner -H twine upload -p {SECRET} dist/*",
    f"env -u HOME twine upload -p {SECRET} dist/*",
    f"env -i PATH=/usr/bin twine upload -p {SECRET} dist/*",
    f"nice -n 10 twine upload -p {SECRET} dist/*",
    f"timeout 600 twine upload -p {SECRET} dist/*",
    f"timeout -s KILL 10m twine upload -p {SECRET} dist/*",
    f"ls dist/* | xargs -n 1 twine upload -p {SECRET}",
    f"nohup time -p twine upload -p {SECRET} dist/*",
    f"python -mtwine upload -p {SECRET} dist/*",
    f"python3 -u -W ignore -m twine upload -p {SECRET} dist/*",
    f"python -Bmtwine upload -p {SECRET} dist/*",
]


@pytest.mark.parametrize("script", HIDDEN_UPLOADS)
def test_an_upload_any_shell_runs_is_found_at_its_flag(script: str) -> None:
    assert _lint(script) == [("TC101", *_at(script, "-p", script.count("-p") - 1))]


def test_a_backslash_newline_inside_a_word_joins_it() -> None:
    script = f"tw\\\nine upload -p {SECRET} dist/*"
    assert _lint(script) == [("TC101", *_at(script, "-p"))]


def test_a_backslash_newline_in_a_comment_ends_with_the_comment() -> None:
    script = f"# a note \\\ntwine upload -p {SECRET} dist/*"
    assert _lint(script) == [("TC101", *_at(script, "-p"))]


@pytest.mark.parametrize(
    "script",
    [
        f"export TWINE_PASSWORD={SECRET}\ntwine upload dist/*",
        f"export TWINE_PASSWORD={SECRET}; twine upload dist/*",
        f"TWINE_PASSWORD={SECRET}\nexport TWINE_PASSWORD\ntwine upload dist/*",
        f"export TWINE_USERNAME=__token__ TWINE_PASSWORD={SECRET}\ntwine upload dist/*",
    ],
)
def test_an_exported_credential_reaches_a_later_upload(script: str) -> None:
    assert _lint(script) == [("TC101", *_at(script, "TWINE_PASSWORD"))]


def test_an_unexported_assignment_does_not_reach_the_tool() -> None:
    """``X=v`` on its own line sets a shell variable; twine reads only its environment."""
    script = f"TWINE_PASSWORD={SECRET}\ntwine upload dist/*"
    assert _lint(script, {"TC101", "TC201"}) == [("TC201", *_at(script, "twine", 0))]


@pytest.mark.parametrize(
    "script",
    [
        f"TOKEN={SECRET}\ntwine upload -p \"$TOKEN\" dist/*",
        f"TOKEN={SECRET}; uv publish --token ${{TOKEN}}",
        f"read -r _ <<< x; T={SECRET} && twine upload --password=$T dist/*",
    ],
)
def test_a_shell_variable_set_earlier_is_followed(script: str) -> None:
    flag = "-p" if "-p " in script else ("--token" if "--token" in script else "--password")
    assert _lint(script) == [("TC101", *_at(script, flag))]


def test_a_one_line_pypirc_with_a_secret() -> None:
    script = (
        f"printf '[pypi]\\nusername = __token__\\npassword = %s\\n' \"{SECRET}\" > ~/.pypirc\n"
        "twine upload dist/*"
    )
    assert _lint(script) == [("TC101", *_at(script, ".pypirc"))]


@pytest.mark.parametrize(
    "value",
    [
        "${{ secrets[format('PYPI_{0}', matrix.index)] }}",
        "${{ fromJSON(toJSON(secrets)).PYPI_TOKEN }}",
        "${{ SECRETS.PYPI_TOKEN }}",
        "${{ Secrets['PYPI_TOKEN'] }}",
        "${{ format('}}{0}', secrets.PYPI_TOKEN) }}",
        "${{ format('{{{0}}}', secrets.PYPI_TOKEN) }}",
    ],
)
def test_every_way_of_naming_a_secret_is_a_secret(value: str) -> None:
    script = f"twine upload -p \"{value}\" dist/*"
    assert _lint(script) == [("TC101", *_at(script, "-p"))]


def test_github_token_in_any_case_is_not_a_pypi_secret() -> None:
    script = "twine upload -p ${{ SECRETS.github_token }} dist/*"
    assert _lint(script, {"TC101"}) == []


# --- class 7: positions ---------------------------------------------------------------------

NO_ID_TOKEN = {"TC201"}


@pytest.mark.parametrize(
    ("script", "needle", "nth"),
    [
        ("pip install build twine\ntwine upload dist/*", "twine", 1),
        ("python -m pip install twine && python -m twine upload dist/*", "twine", 1),
        ("uv build\nuv publish", "uv", 1),
        ("uvicorn --help; uv sync && uv publish", "uv", 2),
        ("echo 'twine upload is next'; twine upload dist/*", "twine", 1),
    ],
)
def test_a_finding_points_at_the_command_that_uploads(script: str, needle: str, nth: int) -> None:
    assert _lint(script, NO_ID_TOKEN) == [("TC201", *_at(script, needle, nth))]


def test_a_flag_inside_an_echo_is_not_the_flag() -> None:
    script = f"echo '-p' --password\ntwine upload -p {SECRET} dist/*"
    assert _lint(script) == [("TC101", *_at(script, "-p", 2))]  # the third: --password holds the second


def test_two_uploads_each_have_their_own_finding() -> None:
    script = (
        "twine upload -r testpypi -p ${{ secrets.TEST_PYPI }} dist/*\n"
        "twine upload -p ${{ secrets.PYPI }} dist/*"
    )
    assert _lint(script) == [("TC101", *_at(script, "-p", 0)), ("TC101", *_at(script, "-p", 1))]


def test_two_uploads_with_the_same_words_each_have_their_own_finding() -> None:
    script = f"twine upload -p {SECRET} dist/a*\ntwine upload -p {SECRET} dist/b*"
    assert _lint(script) == [("TC101", *_at(script, "-p", 0)), ("TC101", *_at(script, "-p", 1))]


# --- class 7: literal credentials are masked ---------------------------------------------------


def _redacted(script: str) -> list[str]:
    """The texts that output masks in the workflow."""
    text = _workflow(script)
    analysis = analyse(load_text("workflow.yml", text))
    lines = text.split("\n")
    return [lines[pos.line - 1][pos.col - 1:pos.end_col - 1] for spans in analysis.redactions.values() for pos in spans]


@pytest.mark.parametrize(
    ("script", "value"),
    [
        ("export TWINE_PASSWORD=hunter2-secret\ntwine upload dist/*", "hunter2-secret"),
        ("export TWINE_PASSWORD=hunter2-secret; twine upload dist/*", "hunter2-secret"),
        ("twine upload -u someone -p hunter2-secret dist/*", "hunter2-secret"),
        ("echo -p; twine upload -u someone -p 'hunter2-secret' dist/*", "hunter2-secret"),
        ("poetry config http-basic.pypi someone hunter2-secret\npoetry publish", "hunter2-secret"),
        ("poetry config pypi-token.pypi hunter2-secret\npoetry publish", "hunter2-secret"),
        ("printf '[pypi]\\nusername = someone\\npassword = hunter2-secret\\n' > ~/.pypirc\ntwine upload dist/*",
         "hunter2-secret"),
        ("cat > ~/.pypirc <<EOF\n[pypi]\nusername = __token__\npassword = hunter2-secret\nEOF\ntwine upload dist/*",
         "hunter2-secret"),
    ],
)
def test_a_literal_credential_in_a_script_is_masked(script: str, value: str) -> None:
    assert value in _redacted(script)


# --- classes 5 and 14: nothing in a file collides with internal placeholders -----------------


@pytest.mark.parametrize(
    "script",
    [
        "twine upload __tcexpr5__ dist/*",
        'twine upload "__tcexpr9__" -p ${{ secrets.PYPI_TOKEN }} dist/*',
        "twine upload \ue000 \ue0001\ue000 -p ${{ secrets.PYPI_TOKEN }} dist/*",
        "twine upload \ue000\ue000 \ue0000\ue000 -p ${{ secrets.PYPI_TOKEN }} dist/*",
        "twine upload -p ${{ '\ue0000\ue000' }}${{ secrets.PYPI_TOKEN }} dist/*",
        "twine upload -p $\\{{ secrets.X }} ${{ dist/*",
    ],
)
def test_script_text_never_collides_with_the_models_bookkeeping(script: str) -> None:
    findings = lint_text(_workflow(script), TOKENS)
    assert all(f.rule_id in TOKENS for f in findings)


def test_a_placeholder_lookalike_keeps_the_expression_it_sits_next_to() -> None:
    script = "twine upload __tcexpr0__ -p ${{ secrets.PYPI_TOKEN }} dist/*"
    assert _lint(script) == [("TC101", *_at(script, "-p"))]


# --- class 7: guards read the way GitHub evaluates them ---------------------------------------

GUARDED = """\
on: {on}
jobs:
  publish:
    if: {condition}
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
"""


@pytest.mark.parametrize(
    ("condition", "gated"),
    [
        ("startsWith(github.ref, 'refs/tags/')", True),
        ("${{ startsWith(github.ref, 'refs/tags/') }}", True),
        ("github.event_name == 'push' && startsWith(github.ref, 'refs/tags')", True),
        ("\"!startsWith(github.ref, 'refs/tags/')\"", False),
        ("\"${{ !startsWith(github.ref, 'refs/tags/') }}\"", False),
        ("\"!(startsWith(github.ref, 'refs/tags/'))\"", False),
        ("startsWith(github.ref, 'refs/tags/') || true", False),
        ("startsWith(github.ref, 'refs/tags/') || github.event_name == 'push'", False),
        ("\"!!startsWith(github.ref, 'refs/tags/')\"", True),
        ("github.ref_type != 'tag'", False),
        ("github.ref_type == 'tag'", True),
        ("contains(github.ref, 'refs/tags')", True),
        ("startsWith(github.ref, 'refs/tags/') && !cancelled()", True),
        ("STARTSWITH(GITHUB.REF, 'refs/tags/')", True),
    ],
)
def test_a_tag_guard_is_read_as_github_evaluates_it(condition: str, gated: bool) -> None:
    text = GUARDED.format(on="push", condition=condition)
    found = ids_at(lint_text(text, {"TC303"}))
    assert found == ([] if gated else [("TC303", 1, 5)])


@pytest.mark.parametrize(
    ("condition", "excluded"),
    [
        ("github.event_name != 'pull_request_target'", True),
        ("github.event_name == 'push'", True),
        ("github.event_name != 'pull_request_target' || true", False),
        ("github.event_name != 'pull_request_target' || github.actor == 'me'", False),
        ("github.event_name != 'pull_request_target' && github.actor == 'me'", True),
        ("\"!(github.event_name == 'pull_request_target')\"", True),
        ("\"!(github.event_name != 'pull_request_target')\"", False),
        ("github.event_name == 'pull_request_target'", False),
        ("github.event_name == 'push' || github.event_name == 'release'", True),
        ("github.event_name == 'push' || github.event_name == 'pull_request_target'", False),
        ("GITHUB.EVENT_NAME != 'PULL_REQUEST_TARGET'", True),
        ("always()", False),
    ],
)
def test_an_event_is_excluded_only_when_the_condition_cannot_hold_for_it(condition: str, excluded: bool) -> None:
    text = GUARDED.format(on="pull_request_target", condition=condition)
    found = ids_at(lint_text(text, {"TC302"}))
    assert found == ([] if excluded else [("TC302", 1, 5)])


@pytest.mark.parametrize(
    ("condition", "gated"),
    [
        ("startsWith(github.ref, 'refs/tags/')", True),
        ("env.RELEASE == 'true'", True),
        ("\"!startsWith(github.ref, 'refs/tags/')\"", False),
        ("github.ref_type != 'tag'", False),
        ("env.RELEASE == 'true' || true", False),
    ],
)
def test_a_step_guard_that_negates_a_tag_is_no_guard(condition: str, gated: bool) -> None:
    text = GUARDED.format(on="push", condition="always()").replace(
        "      - uses: pypa", f"      - if: {condition}\n        uses: pypa")
    found = ids_at(lint_text(text, {"TC303"}))
    assert found == ([] if gated else [("TC303", 1, 5)])


def test_a_step_guard_on_an_input_only_a_release_sets_still_guards() -> None:
    """``inputs.release-tag != ''`` is empty on a branch push: the loose reading applies
    when what the condition does on a branch run is not known."""
    text = GUARDED.format(on="push", condition="always()").replace(
        "      - uses: pypa", "      - if: ${{ inputs.release-tag != '' }}\n        uses: pypa")
    assert ids_at(lint_text(text, {"TC303"})) == []
