"""The bundled examples: the seed's two workflows get every finding that applies; the
Trusted Publishing one is clean; every rule can be explained."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES, run_cli
from trustycheck.pipeline import catalog


def _findings(name: str) -> set[tuple[str, int]]:
    result = run_cli("--format", "json", str(EXAMPLES / name))
    return {(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]}


def test_secure_looking_seed_workflow() -> None:
    found = _findings("token-in-secrets.yml")
    assert {("TC103", 29), ("TC303", 8), ("TC301", 12), ("TC203", 24)} <= found
    assert any(rule == "TC401" for rule, _ in found)
    assert not any(rule == "TC101" for rule, _ in found)  # id-token is granted: TC103, not TC101


def test_insecure_seed_workflow() -> None:
    found = _findings("hardcoded-token.yml")
    assert {("TC102", 25), ("TC101", 25), ("TC303", 7), ("TC301", 11)} <= found
    assert any(rule == "TC401" for rule, _ in found)


def test_insecure_seed_token_never_shown() -> None:
    secret = "not-a-real-token-but-still-a-literal-password"
    for options in ((), ("--format", "json")):
        assert secret not in run_cli(*options, str(EXAMPLES / "hardcoded-token.yml")).stdout


def test_trusted_publishing_example_is_clean() -> None:
    result = run_cli(str(EXAMPLES / "trusted-publishing.yml"))
    assert (result.returncode, result.stdout) == (0, "No findings (1 file checked).\n")


@pytest.mark.parametrize("rule", [r.id for r in catalog()])
def test_every_rule_explains(rule: str) -> None:
    result = run_cli("explain", rule)
    assert result.returncode == 0
    assert result.stdout.startswith(f"{rule} ")
    for section in ("Why it matters", "How to fix", "Before:", "After:"):
        assert section in result.stdout
