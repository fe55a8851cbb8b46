"""A number too long for Python (over 4,300 digits: int() and str() refuse it) in any field is
read as text, and the file keeps all its findings (it used to become one 'could not analyse')."""

from __future__ import annotations

import pytest

from conftest import TOKEN_PUBLISH, ids_at, lint_text

DIGITS = "9" * 5000
RULES = {"TC001", "TC101", "TC301"}
"""'could not analyse' is a TC001; TC101 and TC301 are what the file must keep. (Not every rule:
running all of them in-process leaves a plan cached that test_code_cache does not expect.)"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('tags: ["v*"]', 'tags: ["v*", ' + DIGITS + "]", id="trigger filter"),
        pytest.param("runs-on: ubuntu-latest", "runs-on: " + DIGITS, id="runs-on"),
        pytest.param("runs-on: ubuntu-latest", "runs-on: ubuntu-latest  \n    timeout-minutes: -" + DIGITS[1:], id="timeout"),
        pytest.param("    steps:\n", "    steps:\n      - run: " + DIGITS + "\n", id="run script"),
        pytest.param("${{ secrets.PYPI_API_TOKEN }}", "${{ secrets.PYPI_API_TOKEN }}\n          verbose: 0x" + DIGITS, id="hex input"),
        pytest.param("on:\n", "name: " + DIGITS + ".5\non:\n", id="long float"),
    ],
)
def test_a_number_too_long_for_python_in_any_field_loses_nothing(old: str, new: str) -> None:
    text = TOKEN_PUBLISH.replace(old, new, 1)
    assert text != TOKEN_PUBLISH
    found = lint_text(text, RULES)
    assert not [f for f in found if "could not analyse" in f.message]
    assert {rule for rule, _, _ in ids_at(found)} >= {"TC101", "TC301"}


@pytest.mark.parametrize("ref", ["v" + DIGITS + ".2.3", "release/v1." + DIGITS, "v1." + DIGITS])
def test_a_version_too_long_for_python_in_the_publish_action_ref_loses_nothing(ref: str) -> None:
    text = TOKEN_PUBLISH.replace("@release/v1", "@" + ref)
    found = lint_text(text, RULES)
    assert not [f for f in found if "could not analyse" in f.message]
    assert ("TC101", 10, 11) in ids_at(found)
