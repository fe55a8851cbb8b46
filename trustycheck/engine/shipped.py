"""The built-in rules as shipped data: ``rules/*.yml`` parsed ahead of time into ``builtin_rules.json``.

Parsing the twenty rule files with PyYAML took ~10 ms of every run, a sixth of linting one small
workflow; loading the same data as JSON takes ~1.5 ms. Each entry records the length and CRC-32
of the file it was made from, and a rule file is used from here only when its bytes still match:
an edited rule file is parsed as usual, so the data can never be stale, only slower.
``tests/test_catalog.py`` checks the file against ``rules/``; after editing a rule, regenerate it:

    python -m trustycheck.engine.shipped
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from functools import lru_cache
from typing import Any

DATA_PATH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "builtin_rules.json")


def fingerprint(raw: bytes) -> str:
    """Length and CRC-32 of a rule file's bytes (a check against editing, not against attack:
    whoever can change the installed rules can change this file too)."""
    return f"{len(raw)}:{zlib.crc32(raw):08x}"


@lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, Any]]:
    try:
        with open(DATA_PATH, encoding="utf-8") as handle:
            rules: dict[str, dict[str, Any]] = json.load(handle)["rules"]
            return rules
    except (OSError, ValueError, KeyError):
        return {}


def shipped_rule(path: str, raw: bytes) -> dict[str, Any] | None:
    """The parsed data of the rule file at ``path`` when the shipped copy was made from these
    bytes; None otherwise."""
    entry = _shipped().get(os.path.basename(path))
    if entry is None or entry.get("fingerprint") != fingerprint(raw):
        return None
    data: dict[str, Any] = entry["data"]
    return data


def build(rules_dir: str) -> dict[str, Any]:
    """The shipped data for every rule file in ``rules_dir``."""
    import yaml

    rules = {}
    for name in sorted(os.listdir(rules_dir)):
        if name.endswith((".yml", ".yaml")):
            with open(os.path.join(rules_dir, name), "rb") as handle:
                raw = handle.read()
            rules[name] = {"fingerprint": fingerprint(raw), "data": yaml.load(raw.decode("utf-8"), Loader=yaml.CSafeLoader)}
    return {"generated-from": "rules/*.yml by `python -m trustycheck.engine.shipped`; do not edit", "rules": rules}


def main() -> None:
    from trustycheck.engine.catalog import builtin_rules_dir

    text = json.dumps(build(builtin_rules_dir()), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with open(DATA_PATH, "w", encoding="utf-8") as handle:
        handle.write(text)
    sys.stdout.write(f"wrote {DATA_PATH}\n")


if __name__ == "__main__":
    main()
