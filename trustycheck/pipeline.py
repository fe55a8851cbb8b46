"""The lint pipeline: discover -> load -> model/facts -> rules -> findings, one file at a time.

It is told everything by one :class:`~trustycheck.settings.Settings` (rules, severities,
suppressions, parallelism) and looks up nothing else."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from contextlib import contextmanager

from trustycheck.discover import Target, discover_repository
from trustycheck.engine.catalog import Rule
from trustycheck.engine.runner import run_rules
from trustycheck.findings import Finding, severity_rank
from trustycheck.loader import Document, Problem, load_bytes, load_path
from trustycheck.model.analysis import Analysis, analyse, analyse_project, problem_facts, problems_only
from trustycheck.model.facts import Context, FileFacts
from trustycheck.model.project import Project
from trustycheck.masking import mask_secrets
from trustycheck.nodes import Pos
from trustycheck.parallel import run_in_shares
from trustycheck.settings import Settings, catalog
from dataclasses import dataclass, field, replace
from trustycheck.suppress import NEVER_SUPPRESSED, Suppression
from trustycheck.suppress import apply as apply_suppressions
from trustycheck.suppress import unused_ignores


@dataclass(eq=False, repr=False)
class FileReport:
    """The outcome for one file: its findings, and what reporters need to show them safely."""

    path: str
    doc: Document
    findings: list[Finding] = field(default_factory=list)
    redactions: list[Pos] = field(default_factory=list)
    root: str | None = None
    """The repository root the file belongs to (SARIF URIs are relative to it)."""
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)
    """Findings an inline comment or the configuration suppresses, with the justification."""
    left_out: int = 0
    """Findings not listed: past :data:`MAX_FINDINGS_PER_FILE` (reporters say how many)."""


MAX_FINDINGS_PER_FILE = 1000
"""Most findings listed for one file. A real workflow has a handful; a generated or hostile one
can have a hundred thousand, and every output format must stay small and fast."""


UNUSED_IGNORE_RULE = "TC003"


def lint(targets: list[Target], settings: Settings) -> list[FileReport]:
    """Lint the targets with ``settings``, repository by repository: files of one repository
    are analysed together so calls between them are followed. One report per file asked for,
    then one per called file that has findings. With ``settings.jobs`` > 1 and enough input,
    repositories (and lone files) are shared among that many processes; the result is the same."""
    groups = _by_repository(targets)
    weights = [sum(_size(path) for path in paths) for _, paths in groups]
    jobs = settings.jobs if sum(weights) >= PARALLEL_FROM_BYTES else 1
    given = {target.path: target.data for target in targets if target.data is not None}

    def lint_groups(share: list[tuple[str | None, list[str]]]) -> list[list[FileReport]]:
        with cycle_collector_paused():
            return [_lint_group(root, paths, settings, given) for root, paths in share]

    reports: dict[str, FileReport] = {}
    for group_reports in run_in_shares(groups, weights, jobs, lint_groups):
        for report in group_reports:
            reports.setdefault(report.path, report)
    asked = [str(target.path) for target in targets]
    ordered = [reports.pop(path) for path in asked if path in reports]
    return ordered + [report for report in reports.values() if report.findings]


PARALLEL_FROM_BYTES = 256 * 1024
"""Below this much YAML, forking costs more than it saves (measured: a fork and the pickled
reports take ~5 ms; linting 256 KB takes ~60 ms on one core)."""


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _lint_group(root: str | None, paths: list[str], settings: Settings,
                given: dict[str, bytes] | None = None) -> list[FileReport]:
    threshold = severity_rank(settings.min_severity)
    reports = _lint_project(root, paths, settings.rules, given)
    for report in reports:
        _suppress(report, settings.rules, settings)
        report.findings = [f for f in report.findings if severity_rank(f.severity) >= threshold]
        _cap(report)
        report.findings = [_masked(finding) for finding in report.findings]
        report.suppressed = [(_masked(finding), why) for finding, why in report.suppressed]  # SARIF shows them
        if not report.findings and not report.suppressed:
            # Reporters quote lines of findings only; a clean file's text is not kept, nor sent
            # back from a worker process (most files are clean: 597 of the 705 speed files).
            report.doc = Document(report.doc.path, "", None, report.doc.problems)
    return reports


def _cap(report: FileReport) -> None:
    """Keep at most MAX_FINDINGS_PER_FILE findings (the most severe first, then in file order)
    and as many suppressed ones; count the rest."""
    if len(report.findings) > MAX_FINDINGS_PER_FILE:
        ranked = sorted(report.findings, key=lambda f: (-severity_rank(f.severity), f.sort_key))
        report.left_out += len(ranked) - MAX_FINDINGS_PER_FILE
        report.findings = sorted(ranked[:MAX_FINDINGS_PER_FILE], key=lambda f: f.sort_key)
    if len(report.suppressed) > MAX_FINDINGS_PER_FILE:
        report.left_out += len(report.suppressed) - MAX_FINDINGS_PER_FILE
        report.suppressed = report.suppressed[:MAX_FINDINGS_PER_FILE]


def _suppress(report: FileReport, rules: Sequence[Rule], options: Settings) -> None:
    """The suppression stage, after the rules: configured severities, per-path ignores, inline
    ``# trustycheck: ignore[...]`` comments; then, if asked, TC003 for the comment entries that
    suppressed nothing, judged against the catalog in effect (no rule runs again)."""
    findings = _per_path(report, _with_severities(report.findings, options), options)
    kept, suppressed, unused = apply_suppressions(findings, report.doc)
    if suppressed:
        report.suppressed = report.suppressed + suppressed
    unused_rule = next((rule for rule in rules if rule.id == UNUSED_IGNORE_RULE), None)
    if options.report_unused_ignores and unused and unused_rule is not None:
        stale = unused_ignores(unused, report.path, unused_rule, rules, options.catalog or catalog())
        kept = sorted(kept + _per_path(report, _with_severities(stale, options), options), key=lambda f: f.sort_key)
    report.findings = kept


def _with_severities(findings: list[Finding], options: Settings) -> list[Finding]:
    if not options.severity:
        return findings
    return [replace(f, severity=options.severity.get(f.rule_id, f.severity)) for f in findings]


def _per_path(report: FileReport, findings: list[Finding], options: Settings) -> list[Finding]:
    if not (options.per_path_ignores and findings):
        return findings
    from pathlib import Path

    from trustycheck.config import matches_path

    base = Path(options.config_path).parent if options.config_path else Path.cwd()
    ignored = {rule for glob, rules in options.per_path_ignores if matches_path(glob, report.path, base) for rule in rules}
    if not ignored:
        return findings
    kept = []
    where = f"per-path-ignores in {_config_name(options.config_path, report.root)}" if options.config_path else "per-path-ignores"
    for finding in findings:
        if finding.rule_id in ignored and finding.rule_id not in NEVER_SUPPRESSED:
            report.suppressed.append((finding, Suppression(f"ignored for this path by {where}", "external")))
        else:
            kept.append(finding)
    return kept


def _config_name(config: os.PathLike[str], root: str | None) -> str:
    """The configuration file as a justification names it (SARIF carries it to code scanning):
    relative to the repository root when inside it, else by its name; never an absolute path."""
    if root is not None:
        try:
            relative = os.path.relpath(os.path.abspath(config), os.path.abspath(root))
        except ValueError:  # another drive on Windows
            relative = os.pardir
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return relative.replace(os.sep, "/")
    return os.path.basename(config)


@dataclass(eq=False, repr=False)
class _Contexts:
    """Contexts of some scopes, as the engine reads an analysis."""

    contexts: dict[str, list[Context]]


def _by_repository(targets: list[Target]) -> list[tuple[str | None, list[str]]]:
    groups: dict[str, list[str]] = {}
    alone: list[tuple[str | None, list[str]]] = []
    for target in targets:
        if target.root is None:
            alone.append((None, [str(target.path)]))
        else:
            groups.setdefault(str(target.root), []).append(str(target.path))
    return list(groups.items()) + alone


def repository_files(root: str) -> list[str]:
    """Every workflow and local action of a repository (the files a called file's callers may be in)."""
    return [target.path for target in discover_repository(root)]


def _lint_project(root: str | None, paths: list[str], rules: Sequence[Rule],
                  given: dict[str, bytes] | None = None) -> list[FileReport]:
    """``given``: the bytes of files not read from disk (standard input), by path."""
    project = Project(root, load_path, repository_files)
    for path in paths:
        if given and path in given:
            project.add(load_bytes(path, given[path]))
    try:
        analyses = [analyse_project(project, paths)]
    except Exception as error:  # a bug of ours must not hide the other files or print a traceback
        analyses = [_analyse_alone(path, error) for path in paths]
    reports = []
    for analysis in analyses:
        findings = _run_rules_guarded(rules, analysis)
        by_path: dict[str, list[Finding]] = {}
        for finding in findings:
            by_path.setdefault(finding.path, []).append(finding)
        for path in analysis.reported:
            doc = analysis.documents.get(path)
            if doc is None:
                continue
            found = sorted(by_path.get(path, []), key=lambda finding: finding.sort_key)
            reports.append(FileReport(path, doc, found, analysis.redactions.get(path, []), root))
    for doc in project.documents.values():
        doc.root = None  # reporters need only the text; let the node graphs go
    return reports


def _run_rules_guarded(rules: Sequence[Rule], analysis: Analysis) -> list[Finding]:
    """The rules' findings. Facts are computed when a rule first reads them, so a bug of ours
    can surface here, after the analysis: then each context is judged on its own, and only
    the contexts that fail are lost, each file with a failure reporting it once (TC001)."""
    try:
        return run_rules(rules, analysis)
    except Exception:  # noqa: BLE001 - a bug of ours must not erase the run's other findings
        pass
    findings: list[Finding] = []
    failures: dict[str, tuple[FileFacts, Exception]] = {}
    for scope, contexts in analysis.contexts.items():
        for context in contexts:
            try:
                findings.extend(run_rules(rules, _Contexts({scope: [context]})))
            except Exception as failure:  # noqa: BLE001 - as above
                failures.setdefault(context.file.path, (context.file, failure))
    for file_facts, error in failures.values():
        problem = Problem("internal", f"trustycheck could not analyse part of this file ({type(error).__name__}: {error}); "
                                      "please report this", Pos.point(1, 1))
        findings.extend(run_rules(rules, _Contexts({"problem": [Context(file_facts, problem=problem_facts(problem))]})))
    return _unique(findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    """Each finding once (judged context by context, a finding reached twice is found twice)."""
    return list({(f.rule_id, f.path, f.pos, f.message): f for f in findings}.values())


def _masked(finding: Finding) -> Finding:
    """A message quoting a name from the workflow must not carry a credential written there."""
    message = mask_secrets(finding.message)
    return finding if message == finding.message else replace(finding, message=message)


def _analyse_alone(path: str, error: Exception) -> Analysis:
    """After a failure on the whole repository, each file on its own, so one file's bug
    only costs that file."""
    doc = load_path(path)
    try:
        return analyse(doc)
    except Exception as again:
        message = f"trustycheck could not analyse this file ({type(again).__name__}: {again}); please report this"
        doc.problems.append(Problem("internal", message, Pos.point(1, 1)))
        return problems_only(doc)


@contextmanager
def cycle_collector_paused():
    """YAML node graphs are (almost always) acyclic and freed by reference counting; the cycle
    collector would only rescan them over and over (measured: half the run time on 705 files)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
