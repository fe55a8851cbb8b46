"""Settings are resolved in one place: the command line over the configuration file over the
defaults; the pipeline is handed the result and decides nothing more."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import REPO, TOKEN_PUBLISH, write_tree
from trustycheck.config import ConfigError
from trustycheck.discover import discover
from trustycheck.parallel import usable_cores
from trustycheck.pipeline import catalog, lint
from trustycheck.settings import SelectionError, Settings, resolve

EVERY_RULE = [rule.id for rule in catalog()]


def test_defaults_without_a_configuration(tmp_path: Path) -> None:
    settings = resolve([str(tmp_path)], environ={})
    assert [rule.id for rule in settings.rules] == EVERY_RULE
    assert [rule.id for rule in settings.catalog] == EVERY_RULE
    assert (settings.min_severity, settings.report_unused_ignores, dict(settings.severity), settings.per_path_ignores) == ("note", False, {}, ())
    assert (settings.config_path, settings.jobs, settings.output_format, settings.output, settings.exit_zero, settings.color) == (
        None, usable_cores(), "text", None, False, False)


def test_settings_cannot_be_changed_once_resolved(tmp_path: Path) -> None:
    settings = resolve([str(tmp_path)], environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.min_severity = "error"  # type: ignore[misc]


@pytest.mark.parametrize(("options", "environ", "expected"), [
    ({}, {}, "text"),
    ({}, {"GITHUB_ACTIONS": "true"}, "text"),  # pre-commit in CI keeps its excerpts; the Action asks for github
    ({"output_format": "json"}, {"GITHUB_ACTIONS": "true"}, "json"),
])
def test_output_format_defaults_to_text_even_under_github_actions(tmp_path: Path, options: dict, environ: dict,
                                                                          expected: str) -> None:
    assert resolve([str(tmp_path)], environ=environ, **options).output_format == expected


@pytest.mark.parametrize(("options", "environ", "terminal", "expected"), [
    ({}, {}, True, True),
    ({}, {}, False, False),
    ({}, {"FORCE_COLOR": "1"}, False, True),
    ({}, {"NO_COLOR": "1"}, True, False),
    ({"no_color": True}, {"FORCE_COLOR": "1"}, True, False),
    ({"output": "report.txt"}, {"FORCE_COLOR": "1"}, True, False),
    ({"output_format": "json"}, {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_needs_text_on_a_terminal_and_honours_no_color_and_force_color(tmp_path: Path, options: dict, environ: dict,
                                                                              terminal: bool, expected: bool) -> None:
    assert resolve([str(tmp_path)], environ=environ, terminal=terminal, **options).color is expected


def _configured(tmp_path: Path, config: str) -> Path:
    return write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH, ".trustycheck.toml": config})


def test_the_command_line_wins_over_the_configuration_file(tmp_path: Path) -> None:
    repo = _configured(tmp_path, 'select = ["TC3"]\nignore = ["TC302"]\nmin-severity = "error"\n')
    from_file = resolve([str(repo)], environ={})
    assert [rule.id for rule in from_file.rules] == ["TC301", "TC303", "TC304", "TC305"]
    assert (from_file.min_severity, from_file.config_path) == ("error", repo / ".trustycheck.toml")
    overridden = resolve([str(repo)], select=["TC1,TC30"], ignore=["TC101"], min_severity="Warning", environ={})
    ignored = ("TC101", "TC302")  # --ignore adds to the file's ignore
    assert [rule.id for rule in overridden.rules] == [id for id in EVERY_RULE if id.startswith(("TC1", "TC30")) and id not in ignored]
    assert overridden.min_severity == "warning"
    isolated = resolve([str(repo)], isolated=True, environ={})
    assert ([rule.id for rule in isolated.rules], isolated.config_path) == (EVERY_RULE, None)


def test_rule_names_in_the_file_are_resolved_to_ids(tmp_path: Path) -> None:
    repo = _configured(tmp_path, '[severity]\ntoken-publish = "note"\nTC40 = "error"\n[per-path-ignores]\n"*.yml" = ["TC1", "unpinned-action"]\n')
    settings = resolve([str(repo)], environ={})
    assert dict(settings.severity) == {"TC101": "note", "TC401": "error", "TC402": "error", "TC403": "error", "TC404": "error",
                                      "TC405": "error"}
    assert settings.per_path_ignores == (("*.yml", frozenset({id for id in EVERY_RULE if id.startswith("TC1")} | {"TC401"})),)


def test_a_name_that_matches_no_rule_is_refused_before_linting(tmp_path: Path) -> None:
    repo = _configured(tmp_path, '[per-path-ignores]\n"*.yml" = ["TC999"]\n')
    with pytest.raises(ConfigError, match=r"\.trustycheck\.toml: per-path-ignores\.\*\.yml: 'TC999' matches no rule"):
        resolve([str(repo)], environ={})
    with pytest.raises(SelectionError, match="'nope' matches no rule"):
        resolve([str(repo)], isolated=True, ignore=["nope"], environ={})


def test_the_catalog_in_effect_holds_an_organisations_rules_even_when_not_selected(tmp_path: Path) -> None:
    repo = _configured(tmp_path, 'rules-dirs = ["policies"]\nselect = ["TC101"]\n')
    rule = (REPO / "rules" / "TC301-publish-without-environment.yml").read_text()
    write_tree(repo, {"policies/ORG001.yml": rule.replace("id: TC301", "id: ORG001").replace(
        "slug: publish-without-environment", "slug: org-environment")})
    settings = resolve([str(repo)], environ={})
    assert [rule.id for rule in settings.rules] == ["TC101"]
    assert [rule.id for rule in settings.catalog] == sorted([*EVERY_RULE, "ORG001"])


def test_the_pipeline_does_what_the_settings_say(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {".github/workflows/release.yml": TOKEN_PUBLISH})
    every = resolve([str(repo)], isolated=True, environ={})
    only_errors = dataclasses.replace(every, min_severity="error", severity={"TC401": "error"})
    found = {f.rule_id for report in lint(discover([str(repo)]), every) for f in report.findings}
    assert {"TC101", "TC301", "TC401"} <= found
    assert {f.rule_id for report in lint(discover([str(repo)]), only_errors) for f in report.findings} == {"TC101", "TC401"}
    selected = Settings(rules=tuple(rule for rule in catalog() if rule.id == "TC301"))
    assert [f.rule_id for report in lint(discover([str(repo)]), selected) for f in report.findings] == ["TC301"]


def test_the_command_line_offers_the_severities_findings_have() -> None:
    from trustycheck import cli, findings

    assert cli._SEVERITIES == findings.SEVERITIES
