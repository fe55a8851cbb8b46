"""`fix --unsafe` over every workflow of the shared corpus, in memory: it never crashes, what
it writes reads as YAML, a new lint finds no finding that was not there before, and a file
with no finding is left byte for byte."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from trustycheck.discover import Target, discover
from trustycheck.fixes.engine import fix_text, lint_text
from trustycheck.settings import catalog


def _targets(corpus: Path) -> list[Target]:
    targets: list[Target] = []
    for part in ("repos", "popular"):
        for repository in sorted(path for path in (corpus / part).iterdir() if path.is_dir()):
            targets += discover([str(repository)])
    return targets + discover([str(corpus / "speed")])


@pytest.mark.slow
def test_fix_unsafe_over_the_corpus(corpus: Path) -> None:
    rules = catalog()
    targets = _targets(corpus)
    assert len(targets) > 1500
    changed = 0
    for target in targets:
        path = str(target.path)
        try:
            text = Path(path).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        before = lint_text(path, target.root, text, rules).findings
        outcome = fix_text(path, target.root, text, rules, unsafe=True)
        if not before:
            assert outcome.after == text, path
            continue
        if not outcome.changed:
            continue
        changed += 1
        yaml.safe_load(outcome.after)  # another reader than trustycheck's agrees it is YAML
        after = lint_text(path, target.root, outcome.after, rules)
        assert not [p for p in after.doc.problems if p.kind in ("yaml", "duplicate-key")], path
        grown = Counter(f.rule_id for f in after.findings) - Counter(f.rule_id for f in before)
        assert not grown, (path, grown)
        assert len(after.findings) < len(before), path
    assert changed > 50
