"""Command-line interface: ``trustycheck [PATH]...`` lints; ``rules``, ``explain``, ``facts`` document.

Exit codes: 0 no findings, 1 findings, 2 usage or configuration error. Nothing a linted file
contains can produce a traceback: unreadable input is a TC001 finding.
"""

from __future__ import annotations

import os
import sys
import textwrap

import click

from trustycheck import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_SEVERITY_CHOICE = click.Choice(["note", "warning", "error"], case_sensitive=False)


class UsageProblem(click.ClickException):
    """A user error in arguments or configuration: exit code 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"trustycheck: error: {self.format_message()}", err=True)


class _DefaultLintGroup(click.Group):
    """A group whose default command is ``check``: ``trustycheck PATH`` = ``trustycheck check PATH``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("trustycheck", "[OPTIONS] [PATH]...")
        formatter.write_usage("trustycheck", "COMMAND [ARGS]...", prefix="   or: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        check_command = self.commands["check"]
        with click.Context(check_command, info_name="check", parent=ctx) as sub:
            records = [p.get_help_record(sub) for p in check_command.get_params(sub) if p.name != "help"]
        records += [p.get_help_record(ctx) for p in self.get_params(ctx)]
        unique = list({record[0]: record for record in records if record is not None}.values())
        with formatter.section("Options"):
            formatter.write_dl(unique)
        self.format_commands(ctx, formatter)


def _split(values: tuple[str, ...]) -> list[str]:
    """Accept both ``--select A --select B`` and ``--select A,B``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@click.group(
    cls=_DefaultLintGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Run `trustycheck explain TC101` to read a rule's documentation. Exit status: 0 no findings, "
    "1 findings, 2 usage or configuration error.",
)
@click.version_option(__version__, "--version", prog_name="trustycheck", message="%(prog)s %(version)s")
def main() -> None:
    """Lint GitHub Actions workflows that publish Python packages.

    Finds what lets a release be hijacked: long-lived PyPI tokens, tokens written into the
    file, id-token: write on jobs that build untrusted code, ungated publish jobs. With no PATH,
    lints .github/workflows/ and the local actions under .github/ of the current directory.
    """


@main.command("check")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif", "github"]), default=None,
              help="Output format [default: text; github when GITHUB_ACTIONS=true].")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None, help="Write the report to this file instead of standard output.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (ids, id prefixes such as TC1, or slugs; comma-separated or repeated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (same forms as --select).")
@click.option("--min-severity", type=_SEVERITY_CHOICE, default=None, help="Report only findings at or above this severity [default: note].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="Use this configuration file (.trustycheck.toml, or a pyproject.toml with [tool.trustycheck]).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (usage errors still exit 2).")
@click.option("--report-unused-ignores", is_flag=True, help="Report `# trustycheck: ignore[...]` comments that suppress nothing (TC003).")
@click.option("--no-color", is_flag=True, help="Never colour the output (also: NO_COLOR=1). Colour is used only on a terminal.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to lint with when there are many files [default: all usable cores].")
def check_command(paths: tuple[str, ...], output_format: str | None, output: str | None, select: tuple[str, ...],
                  ignore: tuple[str, ...], min_severity: str | None, config_file: str | None, isolated: bool,
                  exit_zero: bool, report_unused_ignores: bool, no_color: bool, jobs: int | None) -> None:
    """Lint workflow files and local actions (the default command)."""
    from trustycheck.config import ConfigError
    from trustycheck.discover import DiscoveryError, discover
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.parallel import usable_cores
    from trustycheck.pipeline import SelectionError, lint

    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    try:
        rules, options = _settings(paths, config_file, isolated, select, ignore, min_severity, report_unused_ignores)
        targets = discover(list(paths))
    except (DiscoveryError, SelectionError, CatalogError, ConfigError) as error:
        raise UsageProblem(str(error)) from None
    if not targets:
        where = ", ".join(paths) if paths else "the current directory"
        click.echo(f"trustycheck: warning: no workflow files found in {where}", err=True)
    reports = lint(targets, rules, options=options, jobs=jobs or usable_cores())
    color = output is None and output_format == "text" and _use_color(no_color)
    if output_format == "json":
        from trustycheck.report.json_report import render_json

        text = render_json(reports)
    elif output_format == "sarif":
        from trustycheck.report.sarif import render_sarif

        text = render_sarif(reports, rules)
    elif output_format == "github":
        from trustycheck.report.github import render_github

        text = render_github(reports)
    else:
        from trustycheck.report.text import render_text

        text = render_text(reports, color=color)
    _write(text, output, color=color)
    found = any(report.findings for report in reports)
    sys.exit(EXIT_FINDINGS if found and not exit_zero else EXIT_CLEAN)


def _settings(paths, config_file, isolated, select, ignore, min_severity, report_unused_ignores):
    """Rules and options from the configuration file (if any) and the command line, which wins:
    --select replaces the file's select, --ignore adds to its ignore."""
    from pathlib import Path

    from trustycheck.config import Config, ConfigError, find_config, load_config
    from trustycheck.pipeline import LintOptions, SelectionError, catalog, select_rules

    config = Config()
    if config_file is not None:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such configuration file")
        config = load_config(Path(config_file))
    elif not isolated:
        found = find_config(paths[0] if paths else None)
        config = load_config(found) if found else Config()
    every = catalog(tuple(config.rules_dirs))
    chosen = select_rules(every, _split(select) or config.select, [*config.ignore, *_split(ignore)])

    def ids(entries: list[str], where: str) -> frozenset[str]:
        try:
            return frozenset(rule.id for rule in select_rules(every, entries, []))
        except SelectionError as error:
            raise ConfigError(f"{config.path}: {where}: {error}") from None

    severity = {}
    for name, level in config.severity.items():
        for rule_id in ids([name], f"severity.{name}"):
            severity[rule_id] = level
    per_path = tuple((glob, ids(entries, f"per-path-ignores.{glob}")) for glob, entries in config.per_path_ignores.items())
    level = (min_severity or config.min_severity or "note").lower()
    return chosen, LintOptions(level, report_unused_ignores, severity, per_path, config.path)


def _write(text: str, output: str | None, *, color: bool) -> None:
    if output is None:
        _emit(text, color=color)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageProblem(f"cannot write {output}: {error.strerror or error}") from None


_VERDICT_CHOICE = click.Choice(["trusted", "token", "mixed", "none", "unknown"])


@main.command("status")
@click.argument("paths", nargs=-1, metavar="[REPO]...", type=click.Path())
@click.option("--each", is_flag=True, help="Each PATH is a directory of repositories: judge every subdirectory.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True, help="Output format.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for many repositories [default: all cores].")
@click.option("--no-evidence", is_flag=True, help="Text format: one line per repository, without the evidence under it.")
@click.option("--fail-on", multiple=True, type=_VERDICT_CHOICE, metavar="VERDICT", help="Exit 1 if any repository gets this verdict (repeatable), e.g. --fail-on token --fail-on mixed.")
@click.option("--no-color", is_flag=True, help="Never colour the output (also: NO_COLOR=1).")
def status_command(paths: tuple[str, ...], each: bool, output_format: str, jobs: int | None, no_evidence: bool,
                   fail_on: tuple[str, ...], no_color: bool) -> None:
    """Say how each repository publishes to PyPI: trusted (Trusted Publishing only), token
    (long-lived credentials only), mixed, none, or unknown (publishing is handed to something
    that cannot be read offline). Each verdict comes with its reason and evidence.

    REPO is a repository root (default: the current directory); with --each, a directory
    whose subdirectories are repository roots.
    """
    from trustycheck.parallel import usable_cores
    from trustycheck.status import StatusError, judge_all, repositories

    try:
        roots = repositories(list(paths), each)
    except StatusError as error:
        raise UsageProblem(str(error)) from None
    progress = _progress_bar() if len(roots) > 1 and sys.stderr.isatty() else None
    verdicts = judge_all(roots, jobs or usable_cores(), progress)
    if progress is not None:
        click.echo("\r\033[K", nl=False, err=True)
    if output_format == "json":
        from trustycheck.report.status import render_status_json

        _emit(render_status_json(verdicts), color=False)
    elif output_format == "csv":
        from trustycheck.report.status import render_status_csv

        _emit(render_status_csv(verdicts), color=False)
    else:
        from trustycheck.report.status import render_status_text

        color = _use_color(no_color)
        _emit(render_status_text(verdicts, color=color, evidence=not no_evidence), color=color)
    failing = set(fail_on)
    sys.exit(EXIT_FINDINGS if any(v.verdict in failing for v in verdicts) else EXIT_CLEAN)


def _progress_bar():
    """A one-line progress bar on stderr (only used on a terminal)."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} repositories", nl=False, err=True)

    return show


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule: id, slug, default severity and summary."""
    rules = _load_catalog()
    if output_format == "json":
        import json

        rows = [{"id": r.id, "slug": r.slug, "severity": r.severity, "scope": r.scope, "summary": r.summary} for r in rules]
        click.echo(json.dumps(rows, indent=2))
        return
    slug_width = max(len(r.slug) for r in rules)
    for rule in rules:
        click.echo(f"{rule.id}  {rule.slug:<{slug_width}}  {rule.severity:<7}  {rule.summary}")


@main.command("explain")
@click.argument("rule")
def explain_command(rule: str) -> None:
    """Show a rule's full documentation: why it matters, how to fix it, examples."""
    wanted = rule.strip()
    for candidate in _load_catalog():
        if wanted.upper() == candidate.id or wanted.lower() == candidate.slug:
            click.echo(_explain(candidate))
            return
    raise UsageProblem(f"no rule '{rule}' (see `trustycheck rules`)")


@main.command("facts")
def facts_command() -> None:
    """List the facts rule conditions can test (for writing your own rules)."""
    from trustycheck.model.facts import FACTS

    width = max(len(name) for name in FACTS)
    for name, description in FACTS.items():
        click.echo(f"{name:<{width}}  {description}")


def _load_catalog():
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.pipeline import catalog

    try:
        return catalog()
    except CatalogError as error:
        raise UsageProblem(str(error)) from None


def _explain(rule) -> str:
    def block(text: str) -> str:
        return textwrap.indent(text.rstrip(), "    ")

    parts = [f"{rule.id} {rule.slug} ({rule.severity}, {rule.scope} scope)", "", rule.summary, "", "Why it matters", block(rule.why), "", "How to fix", block(rule.fix["details"])]
    if rule.fix.get("before"):
        parts += ["", "  Before:", block(rule.fix["before"])]
    if rule.fix.get("after"):
        parts += ["", "  After:", block(rule.fix["after"])]
    if rule.references:
        parts += ["", "References"] + [f"    - {ref['title']}: {ref['url']}" for ref in rule.references]
    return "\n".join(parts)


def _emit(text: str, *, color: bool) -> None:
    try:
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as other Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
