"""Every pattern the model applies to file text, and every reader built on them, stays
linear on a megabyte of its worst case (issue 15, class 1): a hang is a failure here.

Kept apart from the behaviour tests so the two run on different workers.
"""

from __future__ import annotations

import time

import pytest

from conftest import lint_text
from test_scripts_hostile import HEAD
from trustycheck.pipeline import catalog

pytestmark = pytest.mark.slow  # megabyte hang guards: in CI, not in the quick set

RULES = {rule.id for rule in catalog()} - {"TC003"}
"""Every rule that reads a workflow's facts (a selection of its own, so the full catalog's
compiled plan, which the code-cache tests watch being built, is not built here first)."""

# --- class 1: every pattern stays linear on a megabyte of its worst case -------------------

MEGABYTE = 1_000_000


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


SLOW_SCRIPTS = {
    "assignments": "A=1 " * (MEGABYTE // 4) + "twine upload dist/*",
    "assignments-after": "twine upload " + "A=1 " * (MEGABYTE // 4),
    "double-dashes": "uvx " + "-- " * (MEGABYTE // 3) + "twine upload dist/*",
    "runner-options": "pipx run " + "--spec x " * (MEGABYTE // 9) + "twine upload dist/*",
    "wrappers": "sudo " * (MEGABYTE // 5) + "twine upload dist/*",
    "env-options": "env " + "-i " * (MEGABYTE // 3) + "twine upload dist/*",
    "python-options": "python " + "-u " * (MEGABYTE // 3) + "-m twine upload dist/*",
    "flags": "twine upload " + "-p " * (MEGABYTE // 3),
    "exports": "export " + "A=1 " * (MEGABYTE // 4) + "\ntwine upload dist/*",
    "many-exports": "export A=1\n" * (MEGABYTE // 11) + "twine upload dist/*",
    "bash-c": "bash " * (MEGABYTE // 10) + "-c 'twine upload dist/*'",
    "nested-shells": "bash -c \"" * (MEGABYTE // 10) + "twine upload",
    "substitutions": "\"$(" * (MEGABYTE // 3) + "twine upload",
    "closed-substitutions": "echo \"$(echo \"" * (MEGABYTE // 30) + "twine upload" + ")\"" * (MEGABYTE // 30),
    "backticks": "`" * MEGABYTE + " twine upload",
    "eval": "eval " * (MEGABYTE // 5) + "twine upload dist/*",
    "expressions": "twine upload -p " + "${{ " * (MEGABYTE // 4),
    "closed-expressions": "twine upload -p " + "${{ secrets.A }}" * (MEGABYTE // 16),
    "expression-strings": "twine upload -p ${{ " + "'" * MEGABYTE,
    "expression-refs": "twine upload -p ${{ " + "secrets " * (MEGABYTE // 8) + "}}",
    "expression-spaces": "twine upload -p ${{ secrets" + " ." * (MEGABYTE // 2) + " }}",
    "expression-index": "twine upload -p ${{ secrets" + "['" * (MEGABYTE // 2) + " }}",
    "placeholders": "twine upload " + "\ue000" * MEGABYTE + " ${{ secrets.A }}",
    "dollars": "printf 'password' > .pypirc; twine upload " + "$" * MEGABYTE,
    "shell-variables": "T=${{ secrets.A }}\ntwine upload -p " + "$T" * (MEGABYTE // 2),
    "comments": "#" * MEGABYTE + "\ntwine upload",
    "quotes": "twine upload \"" + "\\a" * (MEGABYTE // 2),
    "continuations": "twine upload " + "\\\n" * (MEGABYTE // 2),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SLOW_SCRIPTS))
def test_a_megabyte_script_is_read_in_linear_time(name: str) -> None:
    text = HEAD.replace("      - run: |\n", "      - run: |\n          ") + SLOW_SCRIPTS[name].replace("\n", "\n          ") + "\n"
    assert _timed(lint_text, text, RULES) < 10


SLOW_FIELDS = {
    "version-tag": ("uses", "pypa/gh-action-pypi-publish@v" + "1." * (MEGABYTE // 2) + "!"),
    "version-tag-digits": ("uses", "pypa/gh-action-pypi-publish@v1" + ".1" * (MEGABYTE // 2) + "_!"),
    "version-tag-suffix": ("uses", "pypa/gh-action-pypi-publish@1" + "-" * MEGABYTE + "!"),
    "docker-digest": ("uses", "docker://x" + "@sha256:" * (MEGABYTE // 8)),
    "release-branch": ("uses", "pypa/gh-action-pypi-publish@release/v" + "1" * MEGABYTE + "!"),
    "tag-guard": ("if", "startsWith( github.ref ," + " " * MEGABYTE + "x"),
    "tag-guards": ("if", "startsWith(github.ref, 'refs/tags' || " * (MEGABYTE // 40)),
    "event-guards": ("if", "github.event_name == 'x' && " * (MEGABYTE // 28) + "true"),
    "negations": ("if", "!" * MEGABYTE + "true"),
    "parentheses": ("if", "(" * MEGABYTE + "true"),
    "closed-parentheses": ("if", "(" * (MEGABYTE // 2) + "true" + ")" * (MEGABYTE // 2)),
    "strings": ("if", "'" + "''" * (MEGABYTE // 2)),
    "calls": ("if", "f(" * (MEGABYTE // 2)),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(SLOW_FIELDS))
def test_a_megabyte_field_is_read_in_linear_time(name: str) -> None:
    key, value = SLOW_FIELDS[name]
    quoted = "'" + value.replace("'", "''") + "'"
    step = f"      - uses: {quoted}\n" if key == "uses" else "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
    condition = f"    if: {quoted}\n" if key == "if" else ""
    text = f"on: [push, pull_request_target]\njobs:\n  publish:\n{condition}    runs-on: x\n    steps:\n{step}"
    assert _timed(lint_text, text, RULES) < 10


def _model_patterns() -> dict[str, object]:
    """Every compiled-on-use pattern the model's script, expression and ref readers hold."""
    import importlib

    from trustycheck.patterns import LazyPattern

    found = {}
    for name in ("shell", "expressions", "credentials", "publish", "gating", "guards", "delegation", "roles",
                 "refs", "pypa_action"):
        module = importlib.import_module(f"trustycheck.model.{name}")
        for attribute, value in vars(module).items():
            if isinstance(value, LazyPattern):
                found[f"{name}.{attribute}"] = value
    return found


WORST_CASES = (
    "1.", ".1", "1-", "a", "A=1 ", "-- ", " ", "\t", "'", "''", '"', '\\"', "\\", "\\\n", "${{ ", "}}", "$", "${",
    "$(", "`", "(", ")", "[", "['", "secrets.", "secrets ", " .", "python", "-m", "#", "password = ", "@sha256:",
    "release/v1", "startsWith(github.ref, 'refs/tags' ", "\ue000", "twine ", "e",
)


def _search_everywhere(pattern, unit: str, size: int) -> float:
    """Seconds to match ``pattern`` at the start of ``size`` characters of ``unit`` repeated,
    then to find every match in it (each search starting where the last ended)."""
    text = unit * (size // len(unit)) + "\x00!"
    started = time.perf_counter()
    pattern.match(text)
    pattern.subn("", text)
    return time.perf_counter() - started


SCREEN = 64_000
"""Every worst-case unit is first timed on this many characters; a super-linear pattern is
already far slower per character there, so the slowest few are the ones fed a megabyte."""


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(_model_patterns()))
def test_every_model_pattern_is_linear_on_a_megabyte_of_its_worst_case(name: str) -> None:
    pattern = _model_patterns()[name]
    screened = sorted(WORST_CASES, key=lambda unit: _search_everywhere(pattern, unit, SCREEN), reverse=True)
    slowest = max(_search_everywhere(pattern, unit, MEGABYTE) for unit in screened[:4])
    assert slowest < 5, f"{name}: {slowest:.1f} s"


def test_the_screen_ranks_the_unit_that_makes_a_pattern_quadratic_first() -> None:
    """The check above can fail: for a pattern that is quadratic on letters, the screen puts a
    run of letters first, so that is the text fed a megabyte."""
    import re

    quadratic = re.compile(r"[a-z]+x")  # on SCREEN characters of letters this takes seconds: a smaller screen shows it
    ranked = sorted(WORST_CASES, key=lambda unit: _search_everywhere(quadratic, unit, 4_000), reverse=True)
    assert set(ranked[0]) <= set("abcdefghijklmnopqrstuvwxyz")
