"""The cache of compiled rule conditions: served when it matches, never trusted when it does not."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trustycheck.engine import code_cache
from trustycheck.engine.conditions import compile_condition, compile_selector
from trustycheck.engine import runner
from trustycheck.engine.runner import _plan
from trustycheck.pipeline import catalog

TOKEN_RULE = {"all": [{"fact": "step.publish.to_pypi", "equals": True}, {"fact": "step.publish.credential.kind", "in": ["token", "password"]}]}
TOKEN_STEP = {"step": {"publish": {"to_pypi": True, "credential": {"kind": "token"}}}}
OIDC_STEP = {"step": {"publish": {"to_pypi": True, "credential": {"kind": "oidc"}}}}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("TRUSTYCHECK_CACHE_DIR", str(directory))
    monkeypatch.delenv("TRUSTYCHECK_NO_CACHE", raising=False)
    monkeypatch.setattr(code_cache, "_compiled", {})  # as a new process starts
    monkeypatch.setattr(runner, "_PLANS", {})  # (whatever ran before in this worker)
    return directory


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_cache, "_compiled", {})


def _refuse_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("generated code was compiled although the cache holds it")

    monkeypatch.setattr(code_cache, "compile", refuse, raising=False)


def test_a_second_process_loads_the_code_instead_of_compiling_it(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    applies = compile_condition(TOKEN_RULE)
    (stored,) = cache.glob("conditions-*.marshal")
    _new_process(monkeypatch)
    _refuse_compile(monkeypatch)
    loaded = compile_condition(TOKEN_RULE)
    assert [loaded(TOKEN_STEP), loaded(OIDC_STEP)] == [applies(TOKEN_STEP), applies(OIDC_STEP)] == [True, False]
    assert list(cache.glob("conditions-*.marshal")) == [stored]


def test_the_builtin_plan_runs_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tuple(catalog())
    _plan(rules)
    written = sorted(path.name for path in cache.glob("conditions-*.marshal"))
    assert len(written) == len({rule.scope for rule in rules})  # one selector per scope
    _new_process(monkeypatch)
    _refuse_compile(monkeypatch)
    monkeypatch.setattr("trustycheck.engine.runner._PLANS", {})
    assert [scope for scope, _, _ in _plan(rules)] == list(dict.fromkeys(rule.scope for rule in rules))


@pytest.mark.parametrize("garbage", [b"", b"\x00garbage", b"\xe3\x02\x00\x00\x00)\x02"])
def test_a_corrupt_file_is_ignored_and_replaced(cache: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes) -> None:
    compile_selector([TOKEN_RULE])
    (stored,) = cache.glob("conditions-*.marshal")
    good = stored.read_bytes()
    stored.write_bytes(garbage)
    _new_process(monkeypatch)
    select = compile_selector([TOKEN_RULE])
    assert select([TOKEN_STEP, OIDC_STEP]) == ([TOKEN_STEP],)
    assert stored.read_bytes() == good


def test_code_stored_for_other_source_is_not_used(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sources whose file names collide: the stored source is compared, not just its name."""
    compile_condition(TOKEN_RULE)
    (stored,) = cache.glob("conditions-*.marshal")
    other = {"fact": "step.publish.credential.kind", "equals": "oidc"}
    monkeypatch.setattr(code_cache, "_file", lambda source: str(stored))
    _new_process(monkeypatch)
    applies = compile_condition(other)
    assert [applies(TOKEN_STEP), applies(OIDC_STEP)] == [False, True]


def test_no_files_when_the_cache_is_off_or_unwritable(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTYCHECK_NO_CACHE", "1")
    assert compile_condition(TOKEN_RULE)(TOKEN_STEP) is True
    assert not cache.exists()
    monkeypatch.delenv("TRUSTYCHECK_NO_CACHE")
    cache.write_text("a file where the cache directory should be")
    _new_process(monkeypatch)
    assert compile_condition(TOKEN_RULE)(TOKEN_STEP) is True
    assert cache.read_text() == "a file where the cache directory should be"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_code_is_written_for_the_user_alone_and_read_only_from_a_private_place(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading code runs it: a file others could have written is compiled again instead."""
    compile_condition(TOKEN_RULE)
    (stored,) = cache.glob("conditions-*.marshal")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    def compiled_again() -> bool:
        _new_process(monkeypatch)
        calls = []
        monkeypatch.setattr(code_cache, "compile", lambda *args: calls.append(args) or compile(*args), raising=False)
        assert compile_condition(TOKEN_RULE)(TOKEN_STEP) is True
        return bool(calls)

    assert not compiled_again()
    stored.chmod(0o620)  # writable by the group
    assert compiled_again()
    stored.chmod(0o600)
    cache.chmod(0o777)  # a directory anyone can write to (and so replace the file in)
    assert compiled_again()
    cache.chmod(0o755)
    assert not compiled_again()
