"""Every file of the shared corpus of real workflows: no crash, TC001 only on non-workflows."""

from __future__ import annotations

from pathlib import Path

from trustycheck.discover import Target
from trustycheck.pipeline import catalog, lint
from trustycheck.settings import Settings

# Files in the corpus (at any level: each part has its own) that are genuinely not workflows.
NOT_WORKFLOWS = {
    "README.md": "Markdown prose describing the corpus, not YAML",
    "manifest.tsv": "tab-separated labels; YAML reads it as one string",
    "caveats.tsv": "tab-separated label caveats; YAML reads it as one string",
}
EMPTY_PLACEHOLDER = ".empty"  # marks a repository with no workflow files: an empty file


def test_corpus_lints_without_crash_and_tc001_only_on_non_workflows(corpus: Path) -> None:
    files = sorted(path for path in corpus.rglob("*") if path.is_file())
    assert len(files) > 1000
    reports = lint([Target(path, None) for path in files], Settings(rules=catalog()))
    assert len(reports) == len(files)
    invalid = {Path(report.path) for report in reports if any(f.rule_id == "TC001" for f in report.findings)}
    expected = {path for path in files if path.name in NOT_WORKFLOWS or path.name == EMPTY_PLACEHOLDER}
    assert corpus / "README.md" in expected
    assert invalid == expected
    internal = [f for report in reports for f in report.findings if "could not analyse" in f.message]
    assert internal == []


def test_corpus_repositories_via_discovery(corpus: Path) -> None:
    """Searched as repository roots, every real workflow and local action is read cleanly."""
    from trustycheck.discover import discover

    roots = sorted(str(path) for path in (corpus / "repos").iterdir())
    targets = discover(roots)
    assert len(targets) > 500
    reports = lint(targets, Settings(rules=tuple(rule for rule in catalog() if rule.id == "TC001")))
    assert [f"{f.path}:{f.pos.line}: {f.message}" for r in reports for f in r.findings] == []
