"""A step without a name is named the way GitHub's log names it: by its ``uses:`` or by the
first line of its command, never by its position. The label is one short, inert line."""

from __future__ import annotations

from conftest import lint_text
from workflows import release_workflow


def _build_message(step: str) -> str:
    """The TC203 message for ``step`` (line 12) between checkout and upload in a release job."""
    workflow = release_workflow("- uses: actions/checkout@v4", step, "- uses: pypa/gh-action-pypi-publish@release/v1",
                                name="release")
    findings = lint_text(workflow, {"TC203"})
    assert [(f.rule_id, f.pos.line) for f in findings] == [("TC203", 12)]
    return findings[0].message


def test_an_unnamed_run_step_is_named_by_its_command() -> None:
    message = _build_message("- run: python -m build")
    assert message == "job 'release' publishes to PyPI and also builds or runs project code (step 'python -m build')"


def test_a_multi_line_command_is_named_by_its_first_non_blank_line() -> None:
    step = "- run: |\n\n    pip install build\n    python -m build --sdist --wheel"
    message = _build_message(step)
    assert message.endswith("(step 'pip install build')")


def test_an_unnamed_uses_step_is_named_by_its_uses_even_with_an_id() -> None:
    step = "- id: wheels\n  uses: pypa/cibuildwheel@v2.22.0"
    message = _build_message(step)
    assert message.endswith("(step 'pypa/cibuildwheel@v2.22.0')")


def test_a_name_wins_over_what_the_step_runs() -> None:
    step = "- name: Build the distributions\n  run: python -m build"
    assert _build_message(step).endswith("(step 'Build the distributions')")


def test_a_huge_command_line_is_shortened() -> None:
    step = "- run: python -m build " + "--config-setting=x " * 20_000
    message = _build_message(step)
    label = message.split("(step '", 1)[1][:-2]
    assert label.startswith("python -m build --config-setting=x")
    assert label.endswith("…")
    assert len(label) == 60


def test_control_characters_in_a_command_are_escaped_in_the_label() -> None:
    step = '      - run: "python -m build \\e[2J\\u202e\\tevil\\rhidden"'
    message = _build_message(step)
    assert message.endswith("(step 'python -m build \\x1b[2J\\u202e\\tevil')")
    assert not any(ord(char) < 32 or 0x7f <= ord(char) <= 0x9f or char == "\u202e" for char in message)
