"""Settings of a lint run, decided in one place: the command line over the configuration file
over the defaults.

The CLI parses its arguments and calls :func:`resolve`; the pipeline receives the
:class:`Settings` it returns and looks nothing up itself (no configuration file, no rule
selection, no environment). How the sources merge:

- ``--select`` replaces the file's ``select``; ``--ignore`` adds to its ``ignore``;
  ``--min-severity`` replaces its ``min-severity`` (default ``note``);
- ``severity`` and ``per-path-ignores`` come from the file only, their rule names resolved
  to ids here, so an unknown name is a usage error before anything is linted;
- ``--config FILE`` names the file; ``--isolated`` ignores every file; otherwise the nearest
  one at or above the first path is used (:func:`trustycheck.config.find_config`);
- the output format is ``text`` unless asked, under GitHub Actions too (pre-commit in CI wants
  excerpts; the Action asks for ``github`` itself); ``--color always``/``never`` decides
  colour, and ``auto`` (the default) needs a terminal, no ``--output`` and no ``NO_COLOR``,
  unless ``FORCE_COLOR`` forces it;
- ``--fail-level`` replaces the file's ``fail-level`` (default ``warning``: notes never fail
  the run); ``--exit-code`` or ``exit-code = true`` keeps exit 1 for a SARIF report written to
  a file, which otherwise exits 0 so the upload step after it runs; ``--exit-zero`` wins
  over both.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from pathlib import Path

    from trustycheck.config import Config
    from trustycheck.engine.catalog import Rule

class SelectionError(Exception):
    """A rule name (in --select, --ignore or the configuration) that names no rule."""


@dataclass(frozen=True)
class Settings:
    """Everything a lint run is told. Made by :func:`resolve` from a command line; a test or
    another program may make one by hand (``Settings(rules=...)``)."""

    rules: tuple[Rule, ...] = ()
    """The rules that run, after select and ignore."""
    catalog: tuple[Rule, ...] = ()
    """Every rule in effect, selected or not: the built-in ones and those of ``rules-dirs``
    (a suppression comment may name any of them). :func:`resolve` fills it; a hand-made
    Settings that leaves it empty means the built-in catalog."""
    min_severity: str = "note"
    report_unused_ignores: bool = False
    severity: Mapping[str, str] = field(default_factory=dict)
    """Severity overrides by rule id (from the configuration)."""
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(glob, rule ids) pairs: findings of those rules in matching files are suppressed."""
    config_path: Path | None = None
    """The configuration file in effect, if any (per-path globs are relative to it)."""
    jobs: int = 1
    """Processes to lint with when there is enough input."""
    output_format: str = "text"
    output: str | None = None
    """A file to write the report to, instead of standard output."""
    exit_zero: bool = False
    color: bool = False
    fail_level: str = "warning"
    """The lowest severity of a reported finding that makes the run exit 1."""
    exit_code: bool = False
    """Exit 1 on findings even for a SARIF report written to a file."""
    quiet: int = 0
    """1: findings only (no summary line, no warning that nothing was found); 2: nothing on
    standard output (a report file asked for is still written)."""
    statistics: bool = False
    """Counts per rule instead of each finding."""

    def exit_status(self, severities: Iterable[str]) -> int:
        """1 when a reported finding of these severities fails the run, else 0."""
        if self.exit_zero or (self.output_format == "sarif" and self.output is not None and not self.exit_code):
            return 0
        from trustycheck.findings import severity_rank

        threshold = severity_rank(self.fail_level)
        return 1 if any(severity_rank(severity) >= threshold for severity in severities) else 0


def resolve(paths: Sequence[str] = (), *, config_file: str | None = None, isolated: bool = False,
            select: Iterable[str] = (), ignore: Iterable[str] = (), min_severity: str | None = None,
            report_unused_ignores: bool = False, jobs: int | None = None, output_format: str | None = None,
            output: str | None = None, exit_zero: bool = False, no_color: bool = False,
            environ: Mapping[str, str] = os.environ, terminal: bool = False, color: str | None = None,
            fail_level: str | None = None, exit_code: bool = False, quiet: int = 0,
            statistics: bool = False) -> Settings:
    """The settings for linting ``paths``. A command-line value of ``None`` (or empty) was not
    given; ``terminal`` says whether standard output is a terminal. Raises
    :class:`~trustycheck.config.ConfigError`, :class:`SelectionError` or
    :class:`~trustycheck.engine.catalog.CatalogError` for a setting that cannot be used."""
    config = _configuration(paths, config_file, isolated)
    every = catalog(tuple(config.rules_dirs))
    chosen = select_rules(every, split_names(select) or config.select, [*config.ignore, *split_names(ignore)])

    def ids(names: list[str], key: str) -> frozenset[str]:
        try:
            return frozenset(rule.id for rule in select_rules(every, names, []))
        except SelectionError as error:
            from trustycheck.config import ConfigError

            raise ConfigError(f"{config.path}: {key}: {error}") from None

    severity = {rule_id: level for name, level in config.severity.items() for rule_id in ids([name], f"severity.{name}")}
    per_path = tuple((glob, ids(names, f"per-path-ignores.{glob}")) for glob, names in config.per_path_ignores.items())
    if output_format is None:
        output_format = "text"
    if jobs is None:
        from trustycheck.parallel import usable_cores

        jobs = usable_cores()
    return Settings(
        rules=tuple(chosen),
        catalog=every,
        min_severity=(min_severity or config.min_severity or "note").lower(),
        report_unused_ignores=report_unused_ignores,
        severity=severity,
        per_path_ignores=per_path,
        config_path=config.path,
        jobs=jobs,
        output_format=output_format,
        output=output,
        exit_zero=exit_zero,
        color=output_format in ("text", "concise") and _colored(color or ("never" if no_color else "auto"), output, environ,
                                                                terminal),
        fail_level=(fail_level or config.fail_level or "warning").lower(),
        exit_code=exit_code or bool(config.exit_code),
        quiet=quiet,
        statistics=statistics,
    )


def _configuration(paths: Sequence[str], config_file: str | None, isolated: bool) -> Config:
    from trustycheck.config import Config, ConfigError, find_config, load_config

    if config_file is not None:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such configuration file")
        from pathlib import Path

        return load_config(Path(config_file))
    if isolated:
        return Config()
    found = find_config(paths[0] if paths else None)
    return load_config(found) if found else Config()


def _colored(choice: str, output: str | None, environ: Mapping[str, str], terminal: bool) -> bool:
    """Colour for a lint report: as :func:`use_color` says, and never in a report file unless
    ``always`` was asked for."""
    return choice == "always" or (output is None and use_color(choice, environ, terminal))


def use_color(choice: str, environ: Mapping[str, str], terminal: bool) -> bool:
    """Whether to colour output: ``always`` and ``never`` (``--color``, ``--no-color``) decide;
    for ``auto``, ``NO_COLOR`` refuses it, ``FORCE_COLOR`` forces it, and otherwise only a
    terminal gets colour (no-color.org: a command-line flag wins over the environment)."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return terminal


@lru_cache(maxsize=4)
def catalog(extra_dirs: tuple[str | os.PathLike[str], ...] = ()) -> tuple[Rule, ...]:
    """The built-in rules plus those of any extra rule directories (which are validated
    against the rule schema; the built-in ones are validated by the test suite)."""
    from trustycheck.engine.catalog import builtin_rules_dir, load_catalog

    builtin = builtin_rules_dir()
    return tuple(load_catalog((builtin, *extra_dirs), _fact_vocabulary, trusted=(builtin,)))


def _fact_vocabulary() -> dict[str, str]:
    """The facts a rule may name. The model is imported only when a rule file from a rules
    directory is checked against them: `explain` and `rules` read the built-in rules only."""
    from trustycheck.model.facts import fact_vocabulary

    return fact_vocabulary()


def split_names(values: Iterable[str]) -> list[str]:
    """Rule names from options that accept both ``--select A --select B`` and ``--select A,B``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def select_rules(rules: Iterable[Rule], select: list[str] | None, ignore: list[str]) -> list[Rule]:
    """The rules that ``select`` (all when empty or None) and ``ignore`` leave; each name is
    an id, an id prefix (``TC1``) or a slug, and must match at least one rule."""
    rules = list(rules)

    def matching(entry: str) -> set[str]:
        wanted = entry.strip()
        hits = {r.id for r in rules if r.slug == wanted.lower() or r.id.startswith(wanted.upper())}
        if not hits:
            guess = closest_rule_name(wanted, rules)
            raise SelectionError(f"'{entry}' matches no rule id, id prefix or slug "
                                 + (f"(did you mean '{guess}'?)" if guess else "(see `trustycheck rules`)"))
        return hits

    chosen = {r.id for r in rules} if not select else set().union(*(matching(e) for e in select))
    dropped = set().union(*(matching(e) for e in ignore)) if ignore else set()
    return [r for r in rules if r.id in chosen and r.id not in dropped]


def closest_rule_name(name: str, rules: Iterable[Rule]) -> str | None:
    """The rule id or slug ``name`` most likely misspells (``TC1O1``, ``token-publsh``), if
    one is close enough; only asked after a name matched nothing, so difflib loads then."""
    import difflib

    rules = list(rules)
    ids = difflib.get_close_matches(name.upper(), [rule.id for rule in rules], n=1, cutoff=0.75)
    slugs = difflib.get_close_matches(name.lower(), [rule.slug for rule in rules], n=1, cutoff=0.75)
    found = slugs if "-" in name or not ids else ids
    return found[0] if found else None
