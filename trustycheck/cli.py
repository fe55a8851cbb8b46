"""Command-line interface: ``trustycheck [PATH]...`` lints; ``status`` judges repositories;
``rules``, ``explain``, ``facts`` document.

Exit codes: 0 no findings that fail the run, 1 findings at or above the fail level (default:
warning; notes never fail), 2 usage or configuration error. A SARIF report written to a file
exits 0 unless ``--exit-code`` (so the upload step after it runs). Nothing a linted file
contains can produce a traceback: unreadable input is a TC001 finding.

Built on click. A first argument that is not a command name means ``check``, so
``trustycheck examples/`` lints. Usage errors keep trustycheck's one-line form
(``trustycheck: error: ...`` and a hint), not click's. What a command needs (configuration,
rule catalog, model, the one reporter asked for) is imported when it runs: a pre-commit run
lints a file or two, and start-up is most of its time.
"""

from __future__ import annotations

import os
import sys

import click

from trustycheck import __version__

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

    from trustycheck.engine.catalog import Rule
    from trustycheck.pipeline import FileReport
    from trustycheck.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PROG = "trustycheck"


class UsageProblem(Exception):
    """A user error in arguments or configuration: exit code 2. ``hint`` is trustycheck's own
    next line; the message may quote a file name or a configuration value, and is escaped."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class _Choice(click.Choice):
    """click's choice (help and shell completion list the values) with the message users of
    trustycheck know: ``invalid choice: 'xml' (choose from 'text', 'json', ...)``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = value if self.case_sensitive else str(value).lower()
        if text in self.choices:
            return text
        choices = ", ".join(repr(choice) for choice in self.choices)
        self.fail(f"invalid choice: {value!r} (choose from {choices})", param, ctx)


class _AtLeastOne(click.ParamType):
    """A whole number of at least 1 (a count of processes)."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            self.fail(f"'{value}' is not a whole number of at least 1", param, ctx)
        return number


class _PathName(click.ParamType):
    """A path, taken as typed (discovery reports a path that cannot be read as a finding, so
    click must not check it); the shell completes it as a file or, with ``folder``, a folder."""

    name = "path"

    def __init__(self, folder: bool = False) -> None:
        self.folder = folder

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="dir" if self.folder else "file")]


class _RuleName(click.ParamType):
    """A rule id or slug (checked against the catalog by the command); the shell completes
    the built-in ones."""

    name = "rule"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(name, help=rule.summary) for rule in _builtin_catalog()
                for name in (rule.id, rule.slug) if name.startswith(incomplete)]


_IMPLIED_CHECK = "trustycheck.implied_check"
"""Set in the context's shared ``meta`` when ``check`` was not typed but implied."""
_WITHOUT_PATHS = ("rules", "explain", "facts")
"""Commands that take no paths, so nothing after ``--``."""


class _Trustycheck(click.Group):
    """The ``trustycheck`` group: ``check`` when the first argument is not a command name, the
    commands listed in the order written, and one help page for the group and ``check``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``trustycheck PATH...`` and ``trustycheck --select X`` mean ``trustycheck check ...``.
        A directory named like a command is linted with ``trustycheck check rules`` or
        ``trustycheck ./rules``. While a shell completes a bare ``trustycheck``, the command
        names are offered."""
        if not args and ctx.resilient_parsing:
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")):
            args = ["check", *args]
            ctx.meta[_IMPLIED_CHECK] = True
        if args[0] in _WITHOUT_PATHS and "--" in args and not ctx.resilient_parsing:
            if args[args.index("--") + 1:]:
                raise UsageProblem(f"'{PROG} {args[0]}' takes no paths after '--'", f"Try '{PROG} {args[0]} --help' for help.")
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [PATH]...")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix="   or: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options of ``check``, which ``trustycheck [OPTIONS] [PATH]...`` runs, then the commands."""
        self.commands["check"].format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Command names, and ``check``'s options and paths, which the group takes too."""
        from click.shell_completion import CompletionItem

        found = super().shell_complete(ctx, incomplete)
        offered = {item.value for item in found}
        found += [item for item in self.commands["check"].shell_complete(ctx, incomplete) if item.value not in offered]
        if not found and not incomplete.startswith("-"):
            found.append(CompletionItem(incomplete, type="file"))
        return found


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _emit(ctx.get_help() + "\n")
        ctx.exit()


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _emit(f"{PROG} {__version__}\n")
        ctx.exit()


# Help and version are written like every report (_emit): in the stream's encoding, and a
# reader that went away (`trustycheck --help | head -1`) is no error. click's own would exit 1.
_help_option = click.option("-h", "--help", is_flag=True, expose_value=False, is_eager=True, callback=_show_help,
                            help="Show this message and exit.")
_version_option = click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
                               help="Show the version and exit.")


@click.group(cls=_Trustycheck, context_settings={"help_option_names": [], "max_content_width": 100},
             epilog=f"Run '{PROG} explain TC101' to read a rule's documentation, '{PROG} COMMAND --help' for a "
                    "command's options. Exit status: 0 no findings at or above the fail level (--fail-level), 1 "
                    "findings, 2 usage or configuration error; with --format sarif --output FILE, 0 unless --exit-code.")
@_version_option
@_help_option
def cli() -> None:
    """Lint GitHub Actions workflows that publish Python packages.

    Finds what lets a release be hijacked: long-lived PyPI tokens, tokens written into the
    file, id-token: write on jobs that build untrusted code, ungated publish jobs. With no
    PATH, lints .github/workflows/ and the local actions under .github/ of the current
    directory (and nothing else: without them there is nothing to lint); a PATH is a workflow
    or action file, a repository root, any folder, or - for standard input.
    """


_OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github")
_SEVERITIES = ("note", "warning", "error")
"""findings.SEVERITIES, spelled again: importing findings brings in PyYAML, which --help and
status's start need not pay for (a test keeps the two equal)."""
_VERDICTS = ("trusted", "token", "mixed", "none", "unknown")


@cli.command(short_help="Lint workflows and local actions (the default command).")
@click.argument("paths", nargs=-1, type=_PathName(), metavar="[PATH]...")
@click.option("--format", "--output-format", "output_format", type=_Choice(_OUTPUT_FORMATS), default=None,
              metavar="FORMAT",
              help="Output format: text (with excerpts), concise (one line per finding), json, sarif or github "
                   "(annotations) [default: text, under GitHub Actions too].")
@click.option("-o", "--output", type=_PathName(), metavar="FILE", help="Write the report to this file instead of standard output.")
@click.option("--select", multiple=True, type=_RuleName(), metavar="RULES",
              help="Only these rules (ids, id prefixes such as TC1, or slugs; comma-separated or repeated).")
@click.option("--ignore", multiple=True, type=_RuleName(), metavar="RULES", help="Skip these rules (same forms as --select).")
@click.option("--min-severity", type=_Choice(_SEVERITIES, case_sensitive=False), default=None, metavar="SEVERITY",
              help="Report only findings at or above this severity: note, warning or error [default: note].")
@click.option("--config", "config_file", type=_PathName(), metavar="FILE",
              help="Use this configuration file (.trustycheck.toml, or a pyproject.toml with [tool.trustycheck]).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (usage errors still exit 2); wins "
                                                   "over --fail-level.")
@click.option("--report-unused-ignores", is_flag=True,
              help="Report '# trustycheck: ignore[...]' comments that suppress nothing (TC003).")
@click.option("--include-suppressed", is_flag=True,
              help="SARIF: keep suppressed findings, marked as suppressed (code scanning would still open alerts for them).")
@click.option("--no-color", is_flag=True, help="Never colour the output: the same as --color never.")
@click.option("-j", "--jobs", type=_AtLeastOne(), default=None, metavar="N",
              help="Processes to lint with when there are many files [default: all usable cores].")
@click.option("--fail-level", type=_Choice(_SEVERITIES, case_sensitive=False), default=None, metavar="SEVERITY",
              help="The lowest severity that makes the run exit 1: note, warning or error (config: fail-level) "
                   "[default: warning, so notes are shown but never fail]. Only reported findings count: "
                   "--min-severity hides the others; --exit-zero never fails.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 on findings even with --format sarif --output FILE, which otherwise exits 0 so the upload "
                   "step after it runs (config: exit-code = true).")
@click.option("-q", "--quiet", count=True,
              help="Print findings only: no summary line, no warning that nothing was found; -qq prints nothing, "
                   "only the exit status tells (a report asked for with --output is still written).")
@click.option("--statistics", is_flag=True, help="Count the findings of each rule instead of listing them (text, "
                                                 "concise or json).")
@click.option("--color", type=_Choice(("auto", "always", "never")), default=None, metavar="WHEN",
              help="Colour the output: auto, always or never [default: auto: on a terminal, unless NO_COLOR is set "
                   "or FORCE_COLOR forces it].")
@click.option("--stdin-filename", type=_PathName(), metavar="NAME",
              help="Lint standard input (the PATH -) as the file NAME: named so in the report, its configuration "
                   "and repository found from it. A workflow or an action, by its content.")
@click.option("--baseline", "baseline_file", type=_PathName(), metavar="FILE",
              help="Do not report the findings recorded in this file (made by --write-baseline) until their line "
                   "changes.")
@click.option("--write-baseline", type=_PathName(), metavar="FILE",
              help="Record every finding of this run in FILE (JSON, no line numbers, no secret values) and exit 0.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply the safe fixes first, then report what is left (see 'fix').")
@_version_option
@_help_option
def check(paths: tuple[str, ...], output_format: str | None, output: str | None, select: tuple[str, ...],
          ignore: tuple[str, ...], min_severity: str | None, config_file: str | None, isolated: bool, exit_zero: bool,
          report_unused_ignores: bool, include_suppressed: bool, no_color: bool, jobs: int | None,
          fail_level: str | None = None, exit_code: bool = False, quiet: int = 0, statistics: bool = False, color: str | None = None,
          stdin_filename: str | None = None, baseline_file: str | None = None,
          write_baseline: str | None = None, apply_fixes: bool = False) -> int:
    """Lint workflow files and local actions: the default command, so 'trustycheck PATH...'
    is 'trustycheck check PATH...'.

    With no PATH, lints .github/workflows/ and the local actions under .github/ of the current
    directory. A PATH is a workflow or action file (linted whatever its name), a repository
    root or its .github/ folder (a folder with .github or .git is one), or any other folder
    (its *.yml and *.yaml files); - is standard input (see --stdin-filename). Everything after
    '--' is a path, even when it starts with '-'. Settings come from [tool.trustycheck] in
    pyproject.toml or .trustycheck.toml too; options given here win.
    """
    from trustycheck.config import ConfigError
    from trustycheck.discover import DiscoveryError, discover
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.settings import SelectionError, resolve

    for path in paths:
        if path.startswith("-") and path != "-" and not os.path.lexists(path):
            raise UsageProblem(f"{path}: no such file or directory",
                               "Options go before '--'; the pre-commit hook passes '--' before file names, so give it "
                               "settings in the configuration file ([tool.trustycheck] in pyproject.toml).")
    _refuse_contradictions(exit_code=exit_code, exit_zero=exit_zero, color=color, no_color=no_color,
                           statistics=statistics, output_format=output_format)
    paths, stdin = _standard_input(paths, stdin_filename)
    try:
        settings = resolve([stdin[0] if stdin and path == "-" else path for path in paths], config_file=config_file,
                           isolated=isolated, select=select, ignore=ignore,
                           min_severity=min_severity, report_unused_ignores=report_unused_ignores, jobs=jobs,
                           output_format=output_format, output=output, exit_zero=exit_zero, no_color=no_color,
                           terminal=sys.stdout.isatty(), color=color, fail_level=fail_level, exit_code=exit_code,
                           quiet=quiet, statistics=statistics)
        targets = discover(list(paths), stdin)
    except (DiscoveryError, SelectionError, CatalogError, ConfigError) as error:
        raise UsageProblem(str(error)) from None
    if not targets and not settings.quiet:
        from trustycheck.report.visible import visible

        where = ", ".join(paths) if paths else "the current directory (none in .github/workflows/; name a file or " \
                                               "folder to lint other YAML)"
        sys.stderr.write(f"{PROG}: warning: no workflow files found in {visible(where)}\n")
    if apply_fixes:
        if stdin:
            raise UsageProblem("--fix does not fix standard input", f"Try '{PROG} fix PATH --diff' to see the fixes.")
        from trustycheck.fixes.command import fix_before_lint

        fix_before_lint(targets, settings.rules)
    recorded = _read_baseline(baseline_file) if baseline_file and not write_baseline else None
    from trustycheck.pipeline import lint

    reports = lint(targets, settings)
    if write_baseline:
        return _write_baseline(write_baseline, reports, settings)
    baselined = 0
    if recorded is not None and baseline_file:
        from trustycheck.baseline import apply_baseline

        baselined = apply_baseline(reports, recorded, baseline_file)
    if settings.quiet < 2 or settings.output is not None:
        _write(_render(reports, settings, baselined, include_suppressed), settings.output,
               is_json=settings.output_format in ("json", "sarif"))
    return settings.exit_status(finding.severity for report in reports for finding in report.findings)


def _refuse_contradictions(*, exit_code: bool, exit_zero: bool, color: str | None, no_color: bool, statistics: bool,
                           output_format: str | None) -> None:
    """Options that cannot be given together: a usage error rather than one silently winning."""
    if exit_code and exit_zero:
        raise UsageProblem("--exit-code contradicts --exit-zero", f"Try '{PROG} --help' for help.")
    if no_color and color == "always":
        raise UsageProblem("--no-color contradicts --color always", f"Try '{PROG} --help' for help.")
    if statistics and output_format not in (None, "text", "concise", "json"):
        raise UsageProblem(f"--statistics works with the text, concise and json formats, not {output_format}",
                           f"Try '{PROG} --help' for help.")


def _standard_input(paths: tuple[str, ...], name: str | None) -> tuple[tuple[str, ...], tuple[str, bytes] | None]:
    """The paths, and standard input's name and bytes when it is to be linted: given as ``-``,
    or (as ruff does) when ``--stdin-filename`` comes without any path. Only as much is read as
    a file may hold (the loader's limit), and one byte more, so it is refused the same way."""
    if paths.count("-") > 1:
        raise UsageProblem("standard input ('-') can be read only once")
    if "-" not in paths:
        if name is None:
            return paths, None
        if paths:
            raise UsageProblem("--stdin-filename names standard input: give '-' among the paths",
                               f"Try '{PROG} --help' for help.")
        paths = ("-",)
    from trustycheck.loader import MAX_BYTES

    try:
        data = sys.stdin.buffer.read(MAX_BYTES + 1) if sys.stdin is not None else b""
    except (OSError, ValueError) as error:
        raise UsageProblem(f"cannot read standard input: {error}") from None
    return paths, (name or "-", data)


def _read_baseline(file: str) -> Any:
    from trustycheck.baseline import BaselineError, read_baseline

    try:
        return read_baseline(file)
    except BaselineError as error:
        raise UsageProblem(str(error)) from None


def _write_baseline(file: str, reports: list[FileReport], settings: Settings) -> int:
    """Record the run's findings; they are accepted, so the run succeeds."""
    from trustycheck.baseline import BaselineError, write_baseline
    from trustycheck.report.visible import visible

    try:
        count, files = write_baseline(file, reports)
    except BaselineError as error:
        raise UsageProblem(str(error)) from None
    if settings.quiet < 2:
        sys.stderr.write(f"{PROG}: wrote {count} finding{'s' if count != 1 else ''} in {files} "
                         f"file{'s' if files != 1 else ''} to {visible(file)}\n")
    return EXIT_CLEAN


def _render(reports: list[FileReport], settings: Settings, baselined: int = 0, include_suppressed: bool = False) -> str:
    """The report in the format asked for (only that format's reporter is imported)."""
    quiet = settings.quiet > 0
    if settings.statistics:
        from trustycheck.report.text import render_statistics, rule_counts

        if settings.output_format == "json":
            from trustycheck.report.encoding import json_text

            return json_text([{"rule": rule, "slug": slug, "count": count} for rule, slug, count in rule_counts(reports)])
        return render_statistics(reports, color=settings.color, quiet=quiet, baselined=baselined)
    if settings.output_format == "concise":
        from trustycheck.report.text import render_concise

        return render_concise(reports, color=settings.color, quiet=quiet, baselined=baselined)
    if settings.output_format == "json":
        from trustycheck.report.json_report import render_json

        return render_json(reports)
    if settings.output_format == "sarif":
        from trustycheck.report.sarif import render_sarif

        return render_sarif(reports, list(settings.rules), severity=settings.severity, include_suppressed=include_suppressed)
    if settings.output_format == "github":
        from trustycheck.report.github import render_github

        return render_github(reports)
    from trustycheck.report.text import render_text

    return render_text(reports, color=settings.color, quiet=quiet, baselined=baselined)


def _write(text: str, output: str | None, is_json: bool = False) -> None:
    """Write a report to stdout, or to the file ``output`` (always UTF-8)."""
    if output is None:
        _emit(text, is_json=is_json)
        return
    from trustycheck.report.encoding import encode_json, encode_text

    try:
        with open(output, "wb") as handle:
            handle.write((encode_json if is_json else encode_text)(text, "utf-8"))
    except OSError as error:
        raise UsageProblem(f"cannot write {output}: {error.strerror or error}") from None


_STATUS_FORMATS = ("text", "json", "csv", "jsonl", "markdown", "html")


@cli.command(short_help="Say how each repository publishes to PyPI.")
@click.argument("paths", nargs=-1, type=_PathName(folder=True), metavar="[REPO]...")
@click.option("--each", is_flag=True, help="Each REPO is a directory of repositories: judge every subdirectory.")
@click.option("--repos-from", "repos_from", type=_PathName(), metavar="FILE",
              help="Also judge the repositories listed in FILE, one path per line ('-': standard input; blank lines "
                   "and '#' comments skipped). A listed path that is not a directory gets verdict unknown, saying so.")
@click.option("--package-map", "package_map", type=_PathName(), metavar="FILE",
              help="CSV or TSV with a header: package, repository (a path or a GitHub URL), optionally rank and "
                   "downloads. Rows then carry their PyPI projects, and summaries are also weighted by downloads.")
@click.option("--format", "output_format", type=_Choice(_STATUS_FORMATS), default="text", metavar="FORMAT",
              help="Output format: text, json, csv, jsonl (one line per upload path), markdown or html (a "
                   "self-contained report) [default: text].")
@click.option("--long", "long_form", is_flag=True, help="CSV: one row per upload path (the columns of jsonl), not per repository.")
@click.option("-o", "--output", type=_PathName(), metavar="FILE", help="Write the report to this file (UTF-8) instead of standard output.")
@click.option("-j", "--jobs", type=_AtLeastOne(), default=None, metavar="N",
              help="Worker processes for many repositories [default: all usable cores].")
@click.option("--no-evidence", is_flag=True, help="Text format: one line per repository, without the evidence under it.")
@click.option("--fail-on", multiple=True, type=_Choice(_VERDICTS), metavar="VERDICT",
              help=f"Exit 1 if any repository gets this verdict ({', '.join(_VERDICTS)}); repeatable, "
                   "e.g. --fail-on token --fail-on mixed.")
@click.option("--no-color", is_flag=True, help="Never colour the output: the same as --color never.")
@click.option("--color", type=_Choice(("auto", "always", "never")), default=None, metavar="WHEN",
              help="Colour the output: auto, always or never [default: auto: on a terminal, unless NO_COLOR is set "
                   "or FORCE_COLOR forces it].")
@_help_option
def status(paths: tuple[str, ...], each: bool, repos_from: str | None, package_map: str | None, output_format: str,
           long_form: bool, output: str | None, jobs: int | None, no_evidence: bool, fail_on: tuple[str, ...],
           no_color: bool, color: str | None = None) -> int:
    """Say how each repository publishes to PyPI: trusted (Trusted Publishing only), token
    (long-lived credentials only), mixed, none, or unknown (publishing is handed to something
    that cannot be read offline). Each verdict comes with its reason and evidence.

    REPO is a repository root (default: the current directory, unless --repos-from is given);
    with --each, a directory whose subdirectories are repository roots. Verdicts are written as
    they are decided; CSV and jsonl give their summary on stderr.
    """
    from trustycheck.parallel import usable_cores
    from trustycheck.report.status_tally import Tally
    from trustycheck.report.status_writers import make_writer
    from trustycheck.settings import use_color
    from trustycheck.status import StatusError, judged, repositories
    from trustycheck.status_packages import PackageMapError, read_package_map

    if no_color and color == "always":
        raise UsageProblem("--no-color contradicts --color always", f"Try '{PROG} status --help' for help.")
    if long_form and output_format != "csv":
        raise UsageProblem("--long applies to --format csv (jsonl is always long)")
    try:
        roots = repositories(list(paths), each) if paths or not repos_from else []
        if repos_from:
            roots = list(dict.fromkeys(roots + _repository_list(repos_from)))
        listings = read_package_map(package_map) if package_map else None
    except (StatusError, PackageMapError) as error:
        raise UsageProblem(str(error)) from None
    if listings is not None and listings.skipped:
        sys.stderr.write(f"{PROG}: warning: {package_map}: {listings.skipped} rows skipped (no package or repository, "
                         "or a field over 1,024 characters)\n")
    sink = _StatusSink(output, is_json=output_format == "json")
    colored = use_color(color or ("never" if no_color or output is not None else "auto"), os.environ, sys.stdout.isatty())
    writer = make_writer(output_format, sink.write, mapped=listings is not None, long_form=long_form, roots=roots,
                         color=colored, evidence=not no_evidence)
    sink.is_json = writer.is_json
    progress = _progress_bar() if len(roots) > 1 and sys.stderr.isatty() else None
    shared_terminal = progress is not None and output is None and sys.stdout.isatty()
    tally = Tally(mapped=listings is not None)
    failed = missing = 0
    from trustycheck.report.status import StatusRow

    try:
        writer.start()
        for done, verdict in enumerate(judged(roots, jobs or usable_cores()), start=1):
            row = StatusRow(verdict, listings.listing(verdict.repository) if listings is not None else None)
            tally.add(verdict.verdict, row.listing)
            failed += verdict.verdict in fail_on
            missing += verdict.reason.startswith("not judged: ")
            if shared_terminal:  # rows and the bar on one screen: the row replaces the bar, which follows it
                sys.stderr.write("\r\033[K")
            writer.row(row)
            if shared_terminal:
                sink.flush()
            if progress is not None:
                progress(done, len(roots))
        if progress is not None:
            sys.stderr.write("\r\033[K")
        writer.finish(tally)
    finally:
        sink.close()
    if writer.summary_on_stderr:
        from trustycheck.report.status import summary_for_stderr

        sys.stderr.write(summary_for_stderr(tally))
    if missing:
        sys.stderr.write(f"{PROG}: warning: {missing} listed {'path is not a directory' if missing == 1 else 'paths are not directories'} "
                         "(verdict unknown, reason 'not judged: ...')\n")
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def _repository_list(name: str) -> list[str]:
    """The paths listed in ``name`` (``-``: standard input)."""
    from trustycheck.status import listed_repositories

    if name == "-":
        return listed_repositories(sys.stdin.buffer, "<stdin>")
    try:
        with open(name, "rb") as handle:
            return listed_repositories(handle, name)
    except OSError as error:
        raise UsageProblem(f"{name}: cannot read the repository list ({error.strerror or error})") from None


class _StatusSink:
    """Where ``status`` writes as it goes: a UTF-8 file, or standard output in its own encoding
    (what it cannot hold is written another way, as by ``_emit``); a reader that went away
    (``| head``) ends the output quietly."""

    def __init__(self, output: str | None, is_json: bool) -> None:
        self.is_json = is_json
        self.closed = False
        if output is None:
            self.handle: Any = getattr(sys.stdout, "buffer", None)
            self.encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
            self.own = False
            sys.stdout.flush()
        else:
            try:
                self.handle = open(output, "wb")
            except OSError as error:
                raise UsageProblem(f"cannot write {output}: {error.strerror or error}") from None
            self.encoding, self.own = "utf-8", True

    def write(self, text: str) -> None:
        if self.closed:
            return
        if self.handle is None:  # a text-only stream (an embedding program's): it encodes itself
            sys.stdout.write(text)
            return
        from trustycheck.report.encoding import encode_json, encode_text

        try:
            self.handle.write((encode_json if self.is_json else encode_text)(text, self.encoding))
        except BrokenPipeError:
            self.closed = True
            _silence_stdout()

    def flush(self) -> None:
        if self.handle is not None and not self.closed:
            try:
                self.handle.flush()
            except BrokenPipeError:
                self.closed = True
                _silence_stdout()

    def close(self) -> None:
        if self.own:
            self.handle.close()
        elif self.handle is not None and not self.closed:
            try:
                self.handle.flush()
            except BrokenPipeError:
                self.closed = True
                _silence_stdout()


def _progress_bar() -> Any:
    """A one-line progress bar on stderr (only used on a terminal)."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} repositories")
        sys.stderr.flush()

    return show


_TAKES_NO_MORE = {"allow_extra_args": True}
"""For commands that check ``ctx.args`` themselves, to say 'unrecognized arguments' as for options."""


@cli.command(short_help="List every rule: id, slug, severity, summary.", context_settings=_TAKES_NO_MORE)
@click.option("--format", "output_format", type=_Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
@_help_option
@click.pass_context
def rules(ctx: click.Context, output_format: str) -> int:
    """List every rule: id, slug, default severity and summary."""
    _no_more_arguments(ctx)
    catalog = _builtin_catalog()
    if output_format == "json":
        import json

        rows = [{"id": r.id, "slug": r.slug, "severity": r.severity, "scope": r.scope, "summary": r.summary} for r in catalog]
        _emit(json.dumps(rows, indent=2) + "\n", is_json=True)
        return EXIT_CLEAN
    slug_width = max(len(r.slug) for r in catalog)
    _emit("".join(f"{rule.id}  {rule.slug:<{slug_width}}  {rule.severity:<7}  {rule.summary}\n" for rule in catalog))
    return EXIT_CLEAN


@cli.command(short_help="Show a rule's documentation.", context_settings=_TAKES_NO_MORE)
@click.argument("rule", type=_RuleName(), metavar="RULE")
@_help_option
@click.pass_context
def explain(ctx: click.Context, rule: str) -> int:
    """Show a rule's documentation: why it matters, how to fix it, examples.

    RULE is a rule id (TC101) or slug (token-publish).
    """
    _no_more_arguments(ctx)
    wanted = rule.strip()
    for candidate in _builtin_catalog():
        if wanted.upper() == candidate.id or wanted.lower() == candidate.slug:
            _emit(_explain(candidate) + "\n")
            return EXIT_CLEAN
    from trustycheck.settings import closest_rule_name

    guess = closest_rule_name(wanted, _builtin_catalog())
    raise UsageProblem(f"no rule '{rule}' " + (f"(did you mean '{guess}'?)" if guess else f"(see `{PROG} rules`)"))


@cli.command(short_help="List the facts rule conditions can test.", context_settings=_TAKES_NO_MORE)
@_help_option
@click.pass_context
def facts(ctx: click.Context) -> int:
    """List the facts rule conditions can test (for writing your own rules)."""
    _no_more_arguments(ctx)
    from trustycheck.model.facts import fact_vocabulary

    vocabulary = fact_vocabulary()

    width = max(len(name) for name in vocabulary)
    _emit("".join(f"{name:<{width}}  {description}\n" for name, description in vocabulary.items()))
    return EXIT_CLEAN


@cli.command(short_help="Fix what has a fix; show the diff; say what to register on PyPI.")
@click.argument("paths", nargs=-1, type=_PathName(), metavar="[PATH]...")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes instead of writing them.")
@click.option("--unsafe", is_flag=True, help="Also apply the fixes that change behaviour (Trusted Publishing, environments).")
@click.option("--publisher-settings", is_flag=True, help="Print what to register as PyPI's trusted publisher for each upload.")
@click.option("--format", "output_format", type=_Choice(("text", "json")), default="text", show_default=True,
              help="Format of --publisher-settings (json: the settings alone, without the diff or summary).")
@click.option("--config", "config_file", type=_PathName(), metavar="FILE", help="Use this configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@_help_option
def fix(paths: tuple[str, ...], diff: bool, unsafe: bool, publisher_settings: bool, output_format: str,
        config_file: str | None, isolated: bool) -> int:
    """Fix the findings that have a fix ('explain RULE' says which), as minimal edits that keep
    comments, quoting, indentation and line endings; a fix whose result is invalid or has a new
    finding is dropped. Exit 0 when no finding is left, 1 when some remain."""
    from trustycheck.fixes.command import run_fix_command

    return run_fix_command(paths, diff=diff, unsafe=unsafe, show_settings=publisher_settings,
                           output_format=output_format, config_file=config_file, isolated=isolated)


def _no_more_arguments(ctx: click.Context) -> None:
    if ctx.args:
        raise UsageProblem(f"unrecognized arguments: {' '.join(ctx.args)}", f"Try '{ctx.command_path} --help' for help.")


def _builtin_catalog() -> tuple[Rule, ...]:
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.settings import catalog

    try:
        return catalog()
    except CatalogError as error:
        raise UsageProblem(str(error)) from None


def _explain(rule: Rule) -> str:
    import textwrap

    def block(text: str) -> str:
        return textwrap.indent(text.rstrip(), "    ")

    parts = [f"{rule.id} {rule.slug} ({rule.severity}, {rule.scope} scope)", "", rule.summary, "", "Why it matters", block(rule.why), "", "How to fix", block(rule.fix["details"])]
    if rule.fix.get("before"):
        parts += ["", "  Before:", block(rule.fix["before"])]
    if rule.fix.get("after"):
        parts += ["", "  After:", block(rule.fix["after"])]
    if rule.autofix:
        parts += ["", f"Fixable: {'yes' if rule.autofix['safe'] else 'with --unsafe'} ({rule.autofix['summary']})"]
    if rule.references:
        parts += ["", "References"] + [f"    - {ref['title']}: {ref['url']}" for ref in rule.references]
    return "\n".join(parts)


def _emit(text: str, is_json: bool = False, stream: Any = None) -> None:
    """Write ``text`` to ``stream`` (stdout) in the stream's own encoding, whatever it is: what
    it cannot hold is written another way (report/encoding.py), never an exception."""
    from trustycheck.report.encoding import encode_json, encode_text

    stream = sys.stdout if stream is None else stream
    binary = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        if binary is None:  # a text-only stream (an embedding program's): it encodes itself
            stream.write(text)
        else:
            stream.flush()
            binary.write((encode_json if is_json else encode_text)(text, encoding))
            binary.flush()
    except BrokenPipeError:
        if stream is sys.stdout:
            _silence_stdout()


def _silence_stdout() -> None:
    """The reader of standard output (``| head``) went away: what is left to write, including
    what the interpreter flushes as it exits, goes nowhere, so the process stops quietly as
    other Unix tools do, instead of printing "Exception ignored ... BrokenPipeError"."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def run(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name); the exit status."""
    try:
        return int(cli.main(args=argv, prog_name=PROG, standalone_mode=False) or 0)
    except click.UsageError as error:
        problem = _usage_problem(error, argv)
    except UsageProblem as error:
        problem = error
    from trustycheck.report.visible import visible

    sys.stderr.write(f"{PROG}: error: {visible(str(problem))}\n" + (f"{visible(problem.hint)}\n" if problem.hint else ""))
    return EXIT_USAGE


def _usage_problem(error: click.UsageError, argv: list[str]) -> UsageProblem:
    """click's usage error in trustycheck's words (those of the CLI before click)."""
    ctx = error.ctx
    if ctx is not None:
        implied = ctx.meta.get(_IMPLIED_CHECK) and ctx.command is check
        hint = f"Try '{PROG if implied else ctx.command_path} --help' for help."
    else:  # click's option parser does not say which command it was parsing for
        typed_command = argv[0] if argv and argv[0] in cli.commands else ""
        hint = f"Try '{PROG} {typed_command} --help' for help.".replace("  ", " ")
    if isinstance(error, click.NoSuchOption):
        typed = next((arg for arg in argv if arg.startswith(error.option_name)), error.option_name)
        message = f"unrecognized arguments: {typed}"
        if error.possibilities:  # click's guesses, the closest first
            message += f" (did you mean {error.possibilities[0]}?)"
        if os.path.lexists(typed):
            hint = f"A file whose name starts with '-' goes after '--': {PROG} -- {typed}"
        return UsageProblem(message, hint)
    if isinstance(error, click.MissingParameter):
        return UsageProblem(f"the following arguments are required: {_label(error.param)}", hint)
    if isinstance(error, click.BadParameter):
        return UsageProblem(f"argument {_label(error.param)}: {error.message}" if error.param else error.message, hint)
    if isinstance(error, click.BadOptionUsage):
        # An option given without its value, or a flag given one: the option of the command
        # typed (``check`` when none was), else the first command that has one of that name.
        command_typed = cli.commands[argv[0] if argv and argv[0] in cli.commands else "check"]
        options = [p for command in (command_typed, cli, *cli.commands.values()) for p in command.params
                   if isinstance(p, click.Option)]
        option = next((p for p in options if error.option_name in p.opts), None)
        if option is not None:
            takes = "takes no value" if option.is_flag else "expected one argument"
            return UsageProblem(f"argument {_label(option)}: {takes}", hint)
    return UsageProblem(error.format_message(), hint)


def _label(param: click.Parameter | None) -> str:
    """How an error names a parameter: ``-j/--jobs``, ``RULE``."""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    if param is not None:
        return param.metavar or (param.name or "").upper()
    return "?"


def run_guarded(argv: list[str]) -> int:
    """:func:`run`, where a bug in trustycheck is one line on stderr and exit 2: never a
    traceback, and never 1, which a CI gate would read as "findings". ``TRUSTYCHECK_DEBUG=1``
    prints the traceback too, for a bug report."""
    try:
        return run(argv)
    except (KeyboardInterrupt, click.Abort):  # click turns an interrupt into Abort
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if os.environ.get("TRUSTYCHECK_DEBUG"):
            import traceback

            traceback.print_exc()
        detail = repr(str(error))[1:-1][:300]  # one line, control characters escaped
        sys.stderr.write(
            f"{PROG}: internal error (a bug in {PROG}; please report it, TRUSTYCHECK_DEBUG=1 shows where): "
            f"{type(error).__name__}: {detail}\n"
        )
        return EXIT_USAGE


def main() -> None:
    """The ``trustycheck`` program: run, flush, exit with the run's status. A reader that went
    away (``trustycheck . | head -1``) ends the output quietly; the status stays the run's.

    The exit is the interpreter's own (atexit handlers run, streams are flushed and closed),
    less its last garbage collections: :func:`gc.freeze` leaves them nothing to walk. They
    would visit every object the run made (the rule catalog, compiled patterns, modules)
    only to free it as the process ends: 11 ms of a 100 ms pre-commit run."""
    status = run_guarded(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    import gc

    gc.freeze()
    sys.exit(status)
