"""Command-line interface: ``trustycheck [PATH]...`` lints; ``status`` judges repositories;
``rules``, ``explain``, ``facts`` document.

Exit codes: 0 no findings, 1 findings, 2 usage or configuration error. Nothing a linted file
contains can produce a traceback: unreadable input is a TC001 finding.

Built on :mod:`argparse`: a pre-commit run lints one small file in milliseconds, and click's
import alone (with the :mod:`inspect` it pulls in) took longer than that. Only the parser of
the command being run is built.
"""

from __future__ import annotations

import argparse
import os
import sys

from trustycheck import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PROG = "trustycheck"


class UsageProblem(Exception):
    """A user error in arguments or configuration: exit code 2. ``hint`` is trustycheck's own
    next line; the message may quote a file name or a configuration value, and is escaped."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class _Formatter(argparse.HelpFormatter):
    """Help in the house style: ``Usage:``, option help aligned at a fixed column, and
    descriptions wrapped paragraph by paragraph (an indented paragraph is kept as written)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=min(100, _terminal_width()))

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # noqa: D102 - argparse hook
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        paragraphs = []
        for paragraph in text.strip("\n").split("\n\n"):
            if paragraph.startswith("  ") or "\n  " in paragraph:  # a list laid out by hand
                paragraphs.append(textwrap.indent(paragraph, indent))
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(paragraphs) + "\n"


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 80


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors become :class:`UsageProblem` (one message, exit 2)."""

    def __init__(self, prog: str, **kwargs) -> None:
        super().__init__(prog=prog, formatter_class=_Formatter, add_help=False, allow_abbrev=False, **kwargs)
        self._optionals.title = "Options"
        self._positionals.title = "Arguments"

    def error(self, message: str):  # noqa: D102 - argparse hook
        raise UsageProblem(message, f"Try '{self.prog} --help' for help.")

    def _print_message(self, message: str, file=None) -> None:  # noqa: D102 - argparse hook (help, version)
        if message:
            _emit(message, stream=file or sys.stderr)

    def add_help_option(self) -> None:
        self.add_argument("-h", "--help", action="help", help="Show this message and exit.")


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def _split(values: list[str]) -> list[str]:
    """Accept both ``--select A --select B`` and ``--select A,B``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


_SUMMARIES = {
    "check": "Lint workflow files and local actions (the default command).",
    "status": "Say how each repository publishes to PyPI (trusted, token, mixed, none, unknown).",
    "rules": "List every rule: id, slug, default severity and summary.",
    "explain": "Show a rule's documentation: why it matters, how to fix it, examples.",
    "facts": "List the facts rule conditions can test (for writing your own rules).",
}


def _check_parser() -> _Parser:
    commands = "\n".join(f"  {name:<9}{summary}" for name, summary in _SUMMARIES.items())
    parser = _Parser(
        PROG,
        usage=f"{PROG} [OPTIONS] [PATH]...\n   or: {PROG} COMMAND [ARGS]...",
        description=(
            "Lint GitHub Actions workflows that publish Python packages.\n\n"
            "Finds what lets a release be hijacked: long-lived PyPI tokens, tokens written into the file, "
            "id-token: write on jobs that build untrusted code, ungated publish jobs. With no PATH, lints "
            ".github/workflows/ and the local actions under .github/ of the current directory."
        ),
        epilog=(
            f"Commands:\n{commands}\n\n"
            f"Run `{PROG} explain TC101` to read a rule's documentation, `{PROG} COMMAND --help` for a "
            "command's options. Exit status: 0 no findings, 1 findings, 2 usage or configuration error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="Workflow files, action.yml files or directories to lint.")
    parser.add_argument("--format", dest="output_format", choices=["text", "json", "sarif", "github"], default=None,
                        help="Output format [default: text; github when GITHUB_ACTIONS=true].")
    parser.add_argument("-o", "--output", metavar="FILE", help="Write the report to this file instead of standard output.")
    parser.add_argument("--select", action="append", default=[], metavar="RULES",
                        help="Only these rules (ids, id prefixes such as TC1, or slugs; comma-separated or repeated).")
    parser.add_argument("--ignore", action="append", default=[], metavar="RULES", help="Skip these rules (same forms as --select).")
    parser.add_argument("--min-severity", type=str.lower, choices=["note", "warning", "error"], default=None,
                        help="Report only findings at or above this severity [default: note].")
    parser.add_argument("--config", dest="config_file", metavar="FILE",
                        help="Use this configuration file (.trustycheck.toml, or a pyproject.toml with [tool.trustycheck]).")
    parser.add_argument("--isolated", action="store_true", help="Ignore every configuration file.")
    parser.add_argument("--exit-zero", action="store_true", help="Exit 0 even when there are findings (usage errors still exit 2).")
    parser.add_argument("--report-unused-ignores", action="store_true",
                        help="Report `# trustycheck: ignore[...]` comments that suppress nothing (TC003).")
    parser.add_argument("--no-color", action="store_true",
                        help="Never colour the output (also: NO_COLOR=1). Colour is used only on a terminal.")
    parser.add_argument("-j", "--jobs", type=_at_least_one, default=None, metavar="N",
                        help="Processes to lint with when there are many files [default: all usable cores].")
    parser.add_help_option()
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}", help="Show the version and exit.")
    return parser


def check_command(options: argparse.Namespace) -> int:
    """Lint workflow files and local actions (the default command)."""
    from trustycheck.config import ConfigError
    from trustycheck.discover import DiscoveryError, discover
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.parallel import usable_cores
    from trustycheck.pipeline import SelectionError, lint

    paths: list[str] = options.paths
    output_format = options.output_format
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    for path in paths:
        if path.startswith("-") and not os.path.lexists(path):
            raise UsageProblem(f"{path}: no such file or directory",
                               "Options go before '--'; the pre-commit hook passes '--' before file names, so give it "
                               "settings in the configuration file ([tool.trustycheck] in pyproject.toml).")
    try:
        rules, lint_options = _settings(paths, options.config_file, options.isolated, options.select, options.ignore,
                                        options.min_severity, options.report_unused_ignores)
        targets = discover(list(paths))
    except (DiscoveryError, SelectionError, CatalogError, ConfigError) as error:
        raise UsageProblem(str(error)) from None
    if not targets:
        where = ", ".join(paths) if paths else "the current directory"
        from trustycheck.report.visible import visible

        sys.stderr.write(f"{PROG}: warning: no workflow files found in {visible(where)}\n")
    reports = lint(targets, rules, options=lint_options, jobs=options.jobs or usable_cores())
    color = options.output is None and output_format == "text" and _use_color(options.no_color)
    if output_format == "json":
        from trustycheck.report.json_report import render_json

        _write(render_json(reports), options.output, is_json=True)
    elif output_format == "sarif":
        from trustycheck.report.sarif import render_sarif

        _write(render_sarif(reports, rules), options.output, is_json=True)
    elif output_format == "github":
        from trustycheck.report.github import render_github

        _write(render_github(reports), options.output)
    else:
        from trustycheck.report.text import render_text

        _write(render_text(reports, color=color), options.output)
    found = any(report.findings for report in reports)
    return EXIT_FINDINGS if found and not options.exit_zero else EXIT_CLEAN


def _settings(paths, config_file, isolated, select, ignore, min_severity, report_unused_ignores):
    """Rules and options from the configuration file (if any) and the command line, which wins:
    --select replaces the file's select, --ignore adds to its ignore."""
    from trustycheck.config import Config, ConfigError, find_config, load_config
    from trustycheck.pipeline import LintOptions, SelectionError, catalog, select_rules

    config = Config()
    if config_file is not None:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such configuration file")
        from pathlib import Path

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
    return chosen, LintOptions(level, report_unused_ignores, severity, per_path, config.path, known_rules=every)


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


def _status_parser() -> _Parser:
    parser = _Parser(
        f"{PROG} status",
        usage=f"{PROG} status [OPTIONS] [REPO]...",
        description=(
            "Say how each repository publishes to PyPI: trusted (Trusted Publishing only), token "
            "(long-lived credentials only), mixed, none, or unknown (publishing is handed to something "
            "that cannot be read offline). Each verdict comes with its reason and evidence.\n\n"
            "REPO is a repository root (default: the current directory); with --each, a directory whose "
            "subdirectories are repository roots."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="REPO", help="Repository roots (or, with --each, directories of them).")
    parser.add_argument("--each", action="store_true", help="Each REPO is a directory of repositories: judge every subdirectory.")
    parser.add_argument("--format", dest="output_format", choices=["text", "json", "csv"], default="text",
                        help="Output format [default: text].")
    parser.add_argument("-j", "--jobs", type=_at_least_one, default=None, metavar="N",
                        help="Worker processes for many repositories [default: all usable cores].")
    parser.add_argument("--no-evidence", action="store_true", help="Text format: one line per repository, without the evidence under it.")
    parser.add_argument("--fail-on", action="append", default=[], choices=["trusted", "token", "mixed", "none", "unknown"],
                        metavar="VERDICT",
                        help="Exit 1 if any repository gets this verdict (repeatable), e.g. --fail-on token --fail-on mixed.")
    parser.add_argument("--no-color", action="store_true", help="Never colour the output (also: NO_COLOR=1).")
    parser.add_help_option()
    return parser


def status_command(options: argparse.Namespace) -> int:
    """Judge each repository and print its verdict."""
    from trustycheck.parallel import usable_cores
    from trustycheck.status import StatusError, judge_all, repositories

    try:
        roots = repositories(list(options.paths), options.each)
    except StatusError as error:
        raise UsageProblem(str(error)) from None
    progress = _progress_bar() if len(roots) > 1 and sys.stderr.isatty() else None
    verdicts = judge_all(roots, options.jobs or usable_cores(), progress)
    if progress is not None:
        sys.stderr.write("\r\033[K")
    if options.output_format == "json":
        from trustycheck.report.status import render_status_json

        _emit(render_status_json(verdicts), is_json=True)
    elif options.output_format == "csv":
        from trustycheck.report.status import render_status_csv

        _emit(render_status_csv(verdicts))
    else:
        from trustycheck.report.status import render_status_text

        _emit(render_status_text(verdicts, color=_use_color(options.no_color), evidence=not options.no_evidence))
    failing = set(options.fail_on)
    return EXIT_FINDINGS if any(v.verdict in failing for v in verdicts) else EXIT_CLEAN


def _progress_bar():
    """A one-line progress bar on stderr (only used on a terminal)."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} repositories")
        sys.stderr.flush()

    return show


def _rules_parser() -> _Parser:
    parser = _Parser(f"{PROG} rules", description=_SUMMARIES["rules"])
    parser.add_argument("--format", dest="output_format", choices=["text", "json"], default="text", help="Output format [default: text].")
    parser.add_help_option()
    return parser


def rules_command(options: argparse.Namespace) -> int:
    rules = _load_catalog()
    if options.output_format == "json":
        import json

        rows = [{"id": r.id, "slug": r.slug, "severity": r.severity, "scope": r.scope, "summary": r.summary} for r in rules]
        _emit(json.dumps(rows, indent=2) + "\n", is_json=True)
        return EXIT_CLEAN
    slug_width = max(len(r.slug) for r in rules)
    _emit("".join(f"{rule.id}  {rule.slug:<{slug_width}}  {rule.severity:<7}  {rule.summary}\n" for rule in rules))
    return EXIT_CLEAN


def _explain_parser() -> _Parser:
    parser = _Parser(f"{PROG} explain", description=_SUMMARIES["explain"])
    parser.add_argument("rule", metavar="RULE", help="A rule id (TC101) or slug (token-publish).")
    parser.add_help_option()
    return parser


def explain_command(options: argparse.Namespace) -> int:
    wanted = options.rule.strip()
    for candidate in _load_catalog():
        if wanted.upper() == candidate.id or wanted.lower() == candidate.slug:
            _emit(_explain(candidate) + "\n")
            return EXIT_CLEAN
    raise UsageProblem(f"no rule '{options.rule}' (see `{PROG} rules`)")


def _facts_parser() -> _Parser:
    parser = _Parser(f"{PROG} facts", description=_SUMMARIES["facts"])
    parser.add_help_option()
    return parser


def facts_command(options: argparse.Namespace) -> int:
    from trustycheck.model.facts import fact_vocabulary

    FACTS = fact_vocabulary()

    width = max(len(name) for name in FACTS)
    _emit("".join(f"{name:<{width}}  {description}\n" for name, description in FACTS.items()))
    return EXIT_CLEAN


def _load_catalog():
    from trustycheck.engine.catalog import CatalogError
    from trustycheck.pipeline import catalog

    try:
        return catalog()
    except CatalogError as error:
        raise UsageProblem(str(error)) from None


def _explain(rule) -> str:
    import textwrap

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


def _emit(text: str, is_json: bool = False, stream=None) -> None:
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
            # The reader (e.g. `| head`) went away: stop quietly, as other Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


_COMMANDS = {
    "check": (_check_parser, check_command),
    "status": (_status_parser, status_command),
    "rules": (_rules_parser, rules_command),
    "explain": (_explain_parser, explain_command),
    "facts": (_facts_parser, facts_command),
}


def run(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name); the exit status.

    ``trustycheck PATH...`` means ``trustycheck check PATH...``: a first argument that is not a
    command name is a path or an option of ``check``. Everything after ``--`` is a path, even
    when it starts with ``-`` (the pre-commit hook passes file names that way)."""
    name = argv[0] if argv and argv[0] in _COMMANDS else "check"
    arguments = argv[1:] if argv[:1] == [name] else list(argv)
    literal: list[str] = []
    if "--" in arguments:  # argparse's intermixed parsing mishandles "--": split it off here
        split = arguments.index("--")
        arguments, literal = arguments[:split], arguments[split + 1:]
    build_parser, command = _COMMANDS[name]
    try:
        options = build_parser().parse_intermixed_args(arguments)
        if literal:
            if not hasattr(options, "paths"):
                raise UsageProblem(f"'{PROG} {name}' takes no paths after '--'")
            options.paths = [*options.paths, *literal]
        return command(options)
    except UsageProblem as problem:
        from trustycheck.report.visible import visible

        sys.stderr.write(f"{PROG}: error: {visible(str(problem))}\n" + (f"{problem.hint}\n" if problem.hint else ""))
        return EXIT_USAGE


def run_guarded(argv: list[str]) -> int:
    """:func:`run`, where a bug in trustycheck is one line on stderr and exit 2: never a
    traceback, and never 1, which a CI gate would read as "findings". ``TRUSTYCHECK_DEBUG=1``
    prints the traceback too, for a bug report."""
    try:
        return run(argv)
    except KeyboardInterrupt:
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
    """The ``trustycheck`` program: run, flush, and leave without tearing the interpreter down.

    Freeing every module and object at exit took ~7 ms, a tenth of a pre-commit run on one
    file; nothing is left to do at that point but flush the output, so the process ends with
    ``os._exit``."""
    status = run_guarded(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can be written
            pass
    os._exit(status)
