"""Property-based tests: whatever the input, trustycheck keeps its promises.

The generators and the checks live in benchmarks/fuzz.py (which also runs them for minutes
at a time); here Hypothesis drives them, so a failure is shrunk and replayed from its
database. The promises (``fuzz.violations``): no exception and no internal error, every
finding positioned inside its file, JSON output that parses and matches its schema, SARIF
output valid against the SARIF 2.1.0 schema, no planted token in any output.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, REPO

pytestmark = pytest.mark.e2e

_SPEC = importlib.util.spec_from_file_location("fuzz", REPO / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_SPEC)
sys.modules["fuzz"] = fuzz
_SPEC.loader.exec_module(fuzz)

_WORKSPACE = Path(tempfile.mkdtemp(prefix="trustycheck-properties-"))
_SEEDS = fuzz.corpus_files(CORPUS)[::7]
"""Every seventh corpus workflow (about a hundred) as mutation seeds."""

_SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes) -> None:
    problems = fuzz.violations(data, _WORKSPACE)
    assert problems == [], data.decode("utf-8", "replace")[:2000]


@pytest.mark.timeout(600)
@_SETTINGS
@given(st.randoms(use_true_random=False))
def test_generated_workflows_keep_every_promise(rng) -> None:
    _check(fuzz.generate_workflow(rng).encode("utf-8"))


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
    from trustycheck.records import replace

    from trustycheck import pipeline
    from trustycheck.nodes import Pos

    original = pipeline._masked

    def misplaced(finding):
        return replace(original(finding), pos=Pos(99, 1, 99, 2))

    monkeypatch.setattr(pipeline, "_masked", misplaced)
    problems = fuzz.violations(b"on: push\njobs: [x]\n", _WORKSPACE)
    assert problems and "outside a file of 3 lines" in problems[0]
