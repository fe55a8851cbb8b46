"""What code scanning accepts: the official SARIF 2.1.0 schema and the rules GitHub's
documentation adds. Every SARIF document the test suite makes passes through
:func:`check_for_code_scanning` (``conftest.run_cli`` checks the CLI's output on its own)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema


def schema_path(corpus: Path) -> Path:
    return corpus.parent / "schemas" / "sarif-schema-2.1.0.json"


LINE_HASH = re.compile(r"[0-9a-f]{1,16}:[1-9][0-9]*")


@lru_cache(maxsize=1)
def official_schema(path: Path) -> dict[str, Any] | None:
    """The schema, or None when the shared folder that holds it is not here."""
    return json.loads(path.read_text()) if path.exists() else None


def check_for_code_scanning(document: dict, schema: dict | None) -> None:
    """The official schema, and what GitHub's documentation adds for code scanning: a line
    hash on every result that has a line (but in a file that could not be read: the upload
    action hashes it from the checkout), security-severity only on security rules and as a
    number string in (0, 10], relative URIs without ``..``, UTF-16 columns, an invocation, and
    the upload limits (25,000 rules and results a run, 20 tags a rule)."""
    if schema is not None:
        jsonschema.validate(document, schema)
    [run] = document["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"] and all(isinstance(i["executionSuccessful"], bool) for i in run["invocations"])
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) <= 25_000 and len(run["results"]) <= 25_000
    for rule in rules:
        properties = rule["properties"]
        assert len(properties["tags"]) <= 20
        if "security" in properties["tags"]:
            assert 0.0 < float(properties["security-severity"]) <= 10.0
            assert re.fullmatch(r"\d+\.\d", properties["security-severity"])
        else:
            assert "security-severity" not in properties
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and ".." not in uri.split("/"), uri
        assert not re.search(r"[ #?\\]|%(?![0-9A-F]{2})", uri), uri
        if "region" in location and (result["ruleId"] != "TC001" or "partialFingerprints" in result):
            assert LINE_HASH.fullmatch(result["partialFingerprints"]["primaryLocationLineHash"])
        assert set(result["fingerprints"]) == {"trustycheck/v1"}
