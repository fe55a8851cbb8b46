"""The rule catalog: the shipped rules load; malformed rule files are clear errors."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import TOKEN_PUBLISH, run_cli, write_tree
from trustycheck.engine.catalog import CatalogError, builtin_rules_dir, load_catalog
from trustycheck.model.facts import fact_vocabulary

FACTS = fact_vocabulary
from trustycheck.pipeline import catalog


def _valid_rule() -> dict:
    return yaml.safe_load((Path(builtin_rules_dir()) / "TC101-token-publish.yml").read_text())


def _write(directory: Path, data: dict | str, name: str = "TC900-x.yml") -> Path:
    path = directory / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def _load_error(directory: Path) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog([directory], FACTS)
    return str(caught.value)


def test_builtin_catalog_loads_with_unique_ids_and_slugs() -> None:
    rules = catalog()
    assert [r.id for r in rules] == sorted({r.id for r in rules})
    assert len({r.slug for r in rules}) == len(rules)
    assert {"TC001", "TC101"} <= {r.id for r in rules}


def test_builtin_catalog_is_valid_against_the_rule_schema() -> None:
    """At run time the built-in catalog is trusted (not schema-checked, for speed); this is
    where it is checked."""
    rules = load_catalog([builtin_rules_dir()], FACTS)
    assert [r.id for r in rules] == [r.id for r in catalog()]


def test_each_rule_file_is_named_after_its_id_and_slug() -> None:
    for rule in catalog():
        assert Path(rule.source).name == f"{rule.id}-{rule.slug}.yml"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.pop("summary"), "top level: 'summary' is a required property"),
        (lambda r: r.update(severity="fatal"), "field 'severity': 'fatal' is not one of ['error', 'warning', 'note']"),
        (lambda r: r.update(id="T101"), "field 'id': 'T101' does not match"),
        (lambda r: r.update(colour="red"), "Additional properties are not allowed ('colour' was unexpected)"),
        (lambda r: r["fix"].pop("hint"), "field 'fix': 'hint' is a required property"),
        (lambda r: r["examples"]["bad"][0].pop("lines"), "field 'examples.bad[0]': 'lines' is a required property"),
        (lambda r: r["condition"]["all"][0].update({"fact": "step.publish.colour"}),
         "field 'condition.all[0].fact': unknown fact 'step.publish.colour'"),
        (lambda r: r.update(scope="workflow"),
         "field 'condition.all[0].fact': fact 'step.publish.to_pypi' is not available to a workflow-scope rule"),
        (lambda r: r.update(message="{step.publish.nope} uploads"), "field 'message': unknown fact 'step.publish.nope'"),
        (lambda r: r.update({"message-many": "{job.nope} publish"}), "field 'message-many': unknown fact 'job.nope'"),
        (lambda r: r.update(condition={"fact": "step.label", "matches": "(unclosed"}),
         "field 'condition.matches': invalid regular expression"),
        (lambda r: r.update(condition={"fact": "step.label", "equals": 1, "in": [1]}), "field 'condition'"),
    ],
)
def test_malformed_rule_names_file_and_field(tmp_path: Path, mutate, expected: str) -> None:
    rule = _valid_rule()
    rule.update(id="TC900", slug="example-rule")
    mutate(rule)
    path = _write(tmp_path, rule)
    message = _load_error(tmp_path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_invalid_yaml_rule_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: TC900\nslug: [unclosed\n")
    assert _load_error(tmp_path).startswith(f"{path}: not valid YAML")


def test_duplicate_id_across_directories(tmp_path: Path) -> None:
    rule = _valid_rule()
    rule["slug"] = "another-slug"
    path = _write(tmp_path, rule)
    with pytest.raises(CatalogError) as caught:
        load_catalog([builtin_rules_dir(), tmp_path], FACTS)
    assert str(caught.value).startswith(f"{path}: 'TC101' is already defined by ")


def test_missing_rules_directory(tmp_path: Path) -> None:
    assert _load_error(tmp_path / "nope") == f"{tmp_path / 'nope'}: rules directory does not exist"


def test_a_valid_extra_rule_is_loaded_and_runs(tmp_path: Path) -> None:
    _write(tmp_path, textwrap.dedent("""\
        id: ORG001
        slug: publish-needs-release-name
        severity: note
        scope: job
        summary: Publishing jobs must be named
        why: House style.
        fix: {hint: Add a name., details: Add a name.}
        condition:
          all:
            - {fact: job.publishes, equals: true}
            - {fact: job.name, exists: false}
        at: job.key
        message: "job {job.id} publishes without a name"
        examples:
          bad: [{title: t, workflow: "x", lines: [1]}]
          good: [{title: t, workflow: "x"}]
        """))
    rules = load_catalog([tmp_path], FACTS)
    assert [r.id for r in rules] == ["ORG001"]


def _org_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = _valid_rule()
    rule.update(id="ORG101", slug="org-token-publish")
    _write(rules, rule, "ORG101.yml")
    return rules


def test_an_edited_rule_file_is_read_again(tmp_path: Path) -> None:
    rules_dir = _org_rules(tmp_path)
    load_catalog([rules_dir], FACTS)
    rule = _valid_rule()
    rule.update(id="ORG101", slug="org-token-publish", summary="A new summary that is longer than the old one")
    _write(rules_dir, rule, "ORG101.yml")
    assert load_catalog([rules_dir], FACTS)[0].summary == "A new summary that is longer than the old one"
    (rules_dir / "ORG101.yml").write_text("id: [broken\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog([rules_dir], FACTS)


def test_a_narrower_fact_vocabulary_is_checked_again(tmp_path: Path) -> None:
    rules_dir = _org_rules(tmp_path)
    load_catalog([rules_dir], FACTS)
    narrower = {name: text for name, text in FACTS().items() if not name.startswith("step.publish")}
    with pytest.raises(CatalogError, match="unknown fact 'step.publish"):
        load_catalog([rules_dir], lambda: narrower)


def test_a_shared_cache_directory_is_neither_read_nor_written(tmp_path: Path) -> None:
    """Another user's planted cache (poisoned rule data, a FIFO, a symlinked temporary name)
    changes nothing and receives nothing: there is no cache."""
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name in ("rules-00000000.marshal", "conditions-cpython-311-00000000.marshal"):
        (shared / name).write_bytes(b"\x00poisoned")
    os.mkfifo(shared / "rules-fifo.marshal")
    for pid in range(1, 64):
        (shared / f"rules-00000000.marshal.{pid}.tmp").symlink_to(victim)
    before = sorted(path.name for path in shared.iterdir())
    repo = write_tree(tmp_path / "repo", {".github/workflows/release.yml": TOKEN_PUBLISH})
    result = run_cli("--format", "json", ".", cwd=repo, env={"TRUSTYCHECK_CACHE_DIR": str(shared), "XDG_CACHE_HOME": str(shared)},
                     timeout=60)
    assert result.returncode == 1 and '"TC101"' in result.stdout, result.stderr
    assert sorted(path.name for path in shared.iterdir()) == before
    assert victim.read_text() == "precious\n"


def test_a_trusted_directory_gets_every_check_but_the_schema_and_vocabulary(tmp_path: Path) -> None:
    """The built-in catalog skips only the JSON Schema and the fact vocabulary (the suite
    checks both); bounds and the regex check apply to it as to any directory."""
    rule = _valid_rule()
    rule.update(id="ORG102", slug="org-regex", condition={"fact": "job.name", "matches": "^(a+)+$"})
    _write(tmp_path, rule, "ORG102.yml")
    with pytest.raises(CatalogError, match=r"ORG102.yml: field 'condition.matches': nested quantifiers"):
        load_catalog([tmp_path], FACTS, trusted=[tmp_path])
    deep: dict = {"fact": "job.name", "exists": True}
    for _ in range(20):
        deep = {"not": deep}
    rule.update(condition=deep)
    _write(tmp_path, rule, "ORG102.yml")
    with pytest.raises(CatalogError, match=r"ORG102.yml: field 'condition': nests deeper than 12 levels"):
        load_catalog([tmp_path], FACTS, trusted=[tmp_path])


def test_the_builtin_rules_pass_the_bounds_and_regex_checks() -> None:
    from trustycheck.engine.catalog import read_rule

    for path in sorted(Path(builtin_rules_dir()).glob("*.yml")):
        read_rule(path, FACTS, validate=False)


def test_the_shipped_builtin_data_matches_the_rule_files() -> None:
    """trustycheck/engine/builtin_rules.json is rules/*.yml parsed ahead of time; after editing a
    rule, run `python -m trustycheck.engine.shipped`."""
    import json

    from trustycheck.engine import shipped

    with open(shipped.DATA_PATH, encoding="utf-8") as handle:
        on_disk = json.load(handle)
    assert on_disk == shipped.build(builtin_rules_dir()), "stale: run `python -m trustycheck.engine.shipped`"


def test_an_edited_builtin_rule_file_is_parsed_not_taken_from_the_shipped_data(tmp_path: Path) -> None:
    source = Path(builtin_rules_dir()) / "TC101-token-publish.yml"
    edited = source.read_text().replace("summary: A release is uploaded", "summary: An edited summary, a release is uploaded")
    (tmp_path / source.name).write_text(edited)
    rules = load_catalog([tmp_path], FACTS, trusted=[tmp_path])
    assert rules[0].summary.startswith("An edited summary")
    (tmp_path / source.name).write_text(source.read_text())
    assert load_catalog([tmp_path], FACTS, trusted=[tmp_path])[0].summary.startswith("A release is uploaded")
