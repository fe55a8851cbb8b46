"""The fact vocabulary is what the model produces: every listed fact is produced, readable, and
usable by an organisation's rule (both the list and the records come from one declaration)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import write_tree
from trustycheck.engine.catalog import builtin_rules_dir, load_catalog
from trustycheck.engine.conditions import lookup
from trustycheck.engine.runner import run_rules
from trustycheck.engine.vocabulary import FactRecord
from trustycheck.loader import load_path, load_text
from trustycheck.model.analysis import Analysis, analyse, analyse_project
from trustycheck.model.facts import fact_vocabulary
from trustycheck.model.project import Project
from trustycheck.pipeline import repository_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CALLER = """\
on:
  push:
    tags: ["v*"]
jobs:
  release:
    permissions:
      id-token: write
    uses: ./.github/workflows/upload.yml
  elsewhere:
    uses: other/org/.github/workflows/publish.yml@v1
    secrets:
      pypi-token: ${{ secrets.PYPI_API_TOKEN }}
  generated:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/render-action > .github/actions/generated/action.yml
      - uses: ./.github/actions/generated
"""
CALLEE = """\
on:
  workflow_call:
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
"""

SCOPE_ROOTS = {"problem": ("file", "problem"), "secret": ("file", "secret"), "workflow": ("file", "workflow"),
               "job": ("file", "workflow", "job", "call"), "step": ("file", "workflow", "job", "step", "call")}


def _analyses(tmp_path: Path) -> list[Analysis]:
    """Every rule's examples, the bundled examples, and a repository with local and remote calls."""
    texts = []
    for path in sorted(Path(builtin_rules_dir()).glob("*.yml")):
        examples = yaml.safe_load(path.read_text())["examples"]
        texts += [example["workflow"] for kind in ("bad", "good") for example in examples.get(kind, [])]
    found = [analyse(load_text(f"w{number}.yml", text)) for number, text in enumerate(texts)]
    found += [analyse(load_path(str(path))) for path in sorted(EXAMPLES.glob("*.yml"))]
    root = write_tree(tmp_path, {".github/workflows/release.yml": CALLER, ".github/workflows/upload.yml": CALLEE})
    project = Project(str(root), load_path, repository_files)
    found.append(analyse_project(project, [str(root / ".github/workflows/release.yml")]))
    return found


def test_every_listed_fact_is_produced_somewhere(tmp_path: Path) -> None:
    vocabulary = fact_vocabulary()
    produced: set[str] = set()
    for analysis in _analyses(tmp_path):
        for scope, contexts in analysis.contexts.items():
            for context in contexts:
                for path in vocabulary:
                    if path.split(".", 1)[0] not in SCOPE_ROOTS[scope]:
                        continue
                    value = lookup(context, path.replace("*", "id-token"))
                    if value not in (None, [], {}):
                        produced.add(path)
    assert [path for path in vocabulary if path not in produced] == []


def test_every_record_the_model_builds_declares_only_listed_facts(tmp_path: Path) -> None:
    """Walk the records reachable from every context: each fact they declare is listed under
    the path it was reached by."""
    from trustycheck.engine.vocabulary import declared_facts

    vocabulary = fact_vocabulary()
    for analysis in _analyses(tmp_path):
        for contexts in analysis.contexts.values():
            pending: list[tuple[str, FactRecord]] = [("", context) for context in contexts]
            while pending:
                prefix, record = pending.pop()
                for name in declared_facts(type(record)):
                    path = f"{prefix}{name}"
                    assert path in vocabulary, path
                    value = record.fact(name)
                    if isinstance(value, FactRecord):
                        pending.append((f"{path}.", value))


@pytest.mark.parametrize("scope", sorted(SCOPE_ROOTS))
def test_an_organisation_rule_may_name_every_fact_its_scope_sees(tmp_path: Path, scope: str) -> None:
    vocabulary = fact_vocabulary()
    names = [path.replace("*", "id-token") for path in vocabulary if path.split(".", 1)[0] in SCOPE_ROOTS[scope]]
    rule = yaml.safe_load((Path(builtin_rules_dir()) / "TC101-token-publish.yml").read_text())
    rule.update(id="ORG900", slug="org-every-fact", scope=scope, at=[*names, "file.path"], message="{file.path}",
                condition={"any": [{"fact": name, "exists": True} for name in names]})
    rule.pop("severity-cases", None)
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "ORG900.yml").write_text(yaml.safe_dump(rule, sort_keys=False))
    rules = load_catalog([rules_dir], fact_vocabulary)
    findings = [finding for analysis in _analyses(tmp_path / "repo") for finding in run_rules(rules, analysis)]
    assert findings and {finding.rule_id for finding in findings} == {"ORG900"}
