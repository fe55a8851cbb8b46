"""Property-based tests: whatever the input, trustycheck keeps its promises.

The generators and the checks live in benchmarks/fuzz.py (which also runs them for minutes
at a time); here Hypothesis drives them, so a failure is shrunk and replayed from its
database. The promises (``fuzz.violations``): no exception and no internal error, every
finding positioned inside its file, JSON output that parses and matches its schema, SARIF
output valid against the SARIF 2.1.0 schema, no planted token in any output.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, REPO

pytestmark = pytest.mark.slow

_SPEC = importlib.util.spec_from_file_location("fuzz", REPO / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_SPEC)
sys.modules["fuzz"] = fuzz
_SPEC.loader.exec_module(fuzz)

_WORKSPACE = Path(tempfile.mkdtemp(prefix="trustycheck-properties-"))
_SEEDS = fuzz.corpus_files(CORPUS)[::7]
"""Every seventh corpus workflow (about a hundred) as mutation seeds."""

_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes, planted: bool = False) -> None:
    problems = fuzz.violations(data, _WORKSPACE, planted=planted)
    assert problems == [], data.decode("utf-8", "replace")[:2000]


@pytest.mark.timeout(600)
@_SETTINGS
@given(st.randoms(use_true_random=False))
def test_generated_workflows_keep_every_promise(rng) -> None:
    _check(fuzz.generate_workflow(rng).encode("utf-8"), planted=True)


@pytest.mark.timeout(600)
@pytest.mark.skipif(not _SEEDS, reason="the shared corpus is not present")
@_SETTINGS
@given(st.sampled_from(_SEEDS or [Path("unused")]), st.randoms(use_true_random=False))
def test_mutated_corpus_workflows_keep_every_promise(seed: Path, rng) -> None:
    _check(fuzz.mutate(rng, seed.read_bytes()))


_YAMLISH = st.lists(st.sampled_from(list("abjon: -\n\t{}[],'\"&*!|>#%@`?\\$") + ["${{", "}}", "\x00", "é", "\u2028", "on:", "jobs:",
                                     "steps:", "uses: ", "run: ", "twine upload", "id-token: write"]),
                    max_size=200).map("".join)


@pytest.mark.timeout(600)
@_SETTINGS
@given(_YAMLISH)
def test_arbitrary_yamlish_text_keeps_every_promise(text: str) -> None:
    _check(text.encode("utf-8"))


@pytest.mark.timeout(600)
@_SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_keep_every_promise(data: bytes) -> None:
    _check(data)


def test_the_checker_catches_a_broken_promise(monkeypatch: pytest.MonkeyPatch) -> None:
    """``violations`` must be able to fail: a finding placed past the end of the file is caught."""
    from dataclasses import replace

    from trustycheck import pipeline
    from trustycheck.nodes import Pos

    original = pipeline._masked

    def misplaced(finding):
        return replace(original(finding), pos=Pos(99, 1, 99, 2))

    monkeypatch.setattr(pipeline, "_masked", misplaced)
    problems = fuzz.violations(b"on: push\njobs: [x]\n", _WORKSPACE)
    assert problems and "outside a file of 3 lines" in problems[0]


def test_the_checker_catches_output_that_could_steer_a_terminal_or_a_log() -> None:
    assert fuzz.unsafe_output("a\x1b[2Jb\n", "text") == ["text: control character U+001B"]
    assert fuzz.unsafe_output("ok\n  ::add-mask::x\n", "text")
    assert fuzz.unsafe_output("::error file=a.yml,line=1::m\n", "github") == []
    assert fuzz.unsafe_output("::add-mask::x\n", "github")


@pytest.mark.timeout(600)
@_SETTINGS
@given(st.lists(st.sampled_from(fuzz.CONTROL_PIECES + fuzz.RUN_CLASSES + ["x", "job"]), min_size=1, max_size=12).map("".join),
       st.sampled_from(["job", "step", "secret", "run", "ref", "env"]))
def test_control_characters_and_long_runs_in_every_position_keep_every_promise(piece: str, where: str) -> None:
    """A hostile string as a job id, a step name, a secret's name, a script, a ref or an env
    name (double-quoted YAML carries every control character)."""
    quoted = json.dumps(piece)
    job, step, secret, run, ref, env = "publish", "Upload", "PYPI_API_TOKEN", "twine upload dist/*", "release/v1", "TWINE_PASSWORD"
    if where == "job":
        job = quoted
    elif where == "step":
        step = quoted
    elif where == "secret":
        secret = piece.replace("}", "").replace("\n", "")
    elif where == "run":
        run = quoted
    elif where == "ref":
        ref = piece.replace("\n", "")
    else:
        env = quoted
    text = (f'on:\n  push:\n    tags: ["v*"]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n'
            f'      - name: {step}\n        env:\n          {env}: ${{{{ secrets.{secret} }}}}\n'
            f'        run: {run if where == "run" else json.dumps(run)}\n'
            f'      - uses: {json.dumps("pypa/gh-action-pypi-publish@" + ref)}\n')
    _check(text.encode("utf-8", "surrogatepass"))
