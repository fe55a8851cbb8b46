"""SARIF 2.1.0 for GitHub code scanning: one run, every rule with its help, every finding.

What code scanning reads, and how it is written here:

- URIs are relative to the repository root (``uriBaseId`` ``%SRCROOT%``; see
  :mod:`trustycheck.report.sarif_paths`), columns in UTF-16 code units (``columnKind``).
- ``partialFingerprints.primaryLocationLineHash`` is the line hash GitHub's upload action
  computes (:mod:`trustycheck.report.sarif_fingerprint`), the only value code scanning
  matches alerts by, so an upload through the REST API does not duplicate alerts. Our own
  stable id (rule, file, flagged text, rank among identical ones) is in ``fingerprints``.
- Code scanning ignores ``suppressions`` and would open an alert for a suppressed finding, so
  suppressed findings are left out unless asked for; then every result says whether it is
  suppressed (an empty list when not, SARIF §3.27.23).
- Code scanning ranks an alert by its rule's ``security-severity`` only (not per result), so
  the rule's score follows the severity configured for it. A result whose per-case severity
  (``severity-cases``) differs carries its own score too, for other consumers, and its
  ``level``, which GitHub shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from trustycheck import __version__
from trustycheck.masking import mask_secrets
from trustycheck.report.encoding import json_text
from trustycheck.report.excerpt import Excerpts
from trustycheck.report.sarif_fingerprint import BLOCK_SIZE, line_hashes
from trustycheck.report.sarif_paths import RepositoryBases, utf16_column
from trustycheck.report.text import left_out_note

if TYPE_CHECKING:  # for annotations only
    from trustycheck.engine.catalog import Rule
    from trustycheck.findings import Finding
    from trustycheck.loader import Problem
    from trustycheck.pipeline import FileReport
    from trustycheck.suppress import Suppression

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
STABLE_ID = "trustycheck/v1"
LINE_HASH = "primaryLocationLineHash"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}
TOOL_PROBLEMS = frozenset({"unreadable", "encoding", "limit", "yaml", "internal"})
"""Problem kinds that kept trustycheck from analysing (all of) a file: also written as
tool execution notifications, as SARIF's way of saying the results are not complete."""


def render_sarif(reports: list["FileReport"], rules: Iterable["Rule"], *, severity: Mapping[str, str] | None = None,
                 include_suppressed: bool = False) -> str:
    """The SARIF document. ``severity`` is the configured severity by rule id;
    ``include_suppressed`` keeps suppressed findings, marked as such."""
    rules = list(rules)
    configured = dict(severity or {})
    index = {rule.id: position for position, rule in enumerate(rules)}
    by_id = {rule.id: rule for rule in rules}
    bases = RepositoryBases()
    results = []
    for report in reports:
        if not report.findings and not (include_suppressed and report.suppressed):
            continue
        # Suppressed findings count in the rank of identical ones either way, so that our
        # stable id does not depend on --include-suppressed.
        entries: list[tuple["Finding", "Suppression | None"]] = [(finding, None) for finding in report.findings]
        entries.extend(report.suppressed)
        entries.sort(key=lambda item: item[0].sort_key)
        uri = bases.uri(report.path, report.root)
        excerpts = Excerpts(report.doc.lines, report.redactions)
        shown = {finding.pos.line for finding, suppression in entries if include_suppressed or suppression is None}
        hashes = _line_hashes(report, excerpts, shown)
        seen: dict[tuple[str, str], int] = {}
        for finding, suppression in entries:
            result = _result(report, excerpts, finding, uri, index, seen, hashes)
            if suppression is not None and not include_suppressed:
                continue
            run_level = configured.get(finding.rule_id)
            rule = by_id.get(finding.rule_id)
            if rule is not None and run_level is None and finding.severity != rule.severity:
                score = rule.security_severity_at(finding.severity)
                if score is not None:
                    result["properties"] = {"security-severity": _score(score)}
            if include_suppressed:
                result["suppressions"] = [] if suppression is None else [
                    {"kind": suppression.kind, "justification": mask_secrets(suppression.justification)}]
            results.append(result)
    run = {
        "tool": {
            "driver": {
                "name": "trustycheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(rule, configured.get(rule.id, rule.severity)) for rule in rules],
            }
        },
        "invocations": [_invocation(reports, rules, index, configured, bases)],
        "originalUriBaseIds": {ROOT_ID: {"description": {"text": "The root of the repository that was linted."}}},
        "columnKind": "utf16CodeUnits",
        "results": results,
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_text(document)


def _rule(rule: "Rule", level: str) -> dict[str, object]:
    text = f"{rule.fix['hint']}\n\n{rule.fix['details'].strip()}"
    markdown = [f"**{rule.summary}**", "", rule.why.strip(), "", "**How to fix**", "", rule.fix["details"].strip()]
    for title, key in (("Before", "before"), ("After", "after")):
        if rule.fix.get(key):
            markdown += ["", f"{title}:", "", "```yaml", rule.fix[key].rstrip(), "```"]
    if rule.references:
        markdown += ["", "**References**", ""] + [f"- [{ref['title']}]({ref['url']})" for ref in rule.references]
    properties: dict[str, object] = {"tags": list(rule.tags), "precision": "high"}
    score = rule.security_severity_at(level)
    if score is not None:
        properties["security-severity"] = _score(score)
    entry: dict[str, object] = {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.why.split())},
        "help": {"text": text, "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": properties,
    }
    if rule.references:
        entry["helpUri"] = rule.references[0]["url"]
    return entry


def _score(score: float) -> str:
    return f"{score:.1f}"


def _result(report: "FileReport", excerpts: Excerpts, finding: "Finding", uri: str, index: dict[str, int],
            seen: dict[tuple[str, str], int], hashes: dict[int, str]) -> dict[str, object]:
    pos = finding.pos
    snippet = excerpts.window(pos)[0]
    line_text = snippet.strip()
    occurrence_key = (finding.rule_id, line_text)
    seen[occurrence_key] = seen.get(occurrence_key, 0) + 1
    digest = hashlib.sha256("\0".join((finding.rule_id, uri, line_text, str(seen[occurrence_key]))).encode("utf-8", "surrogateescape")).hexdigest()
    lines = report.doc.lines
    start_line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    end_line = lines[pos.end_line - 1] if 0 < pos.end_line <= len(lines) else ""
    region: dict[str, object] = {"startLine": pos.line, "startColumn": utf16_column(start_line, pos.col),
                                 "endLine": pos.end_line, "endColumn": utf16_column(end_line, pos.end_col)}
    if line_text:
        region["snippet"] = {"text": snippet}
    result: dict[str, object] = {"ruleId": finding.rule_id}
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    result |= {
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_ID}, "region": region}}],
        "fingerprints": {STABLE_ID: digest[:32]},
    }
    if pos.line in hashes:
        result["partialFingerprints"] = {LINE_HASH: hashes[pos.line]}
    return result


def _line_hashes(report: "FileReport", excerpts: Excerpts, wanted: set[int]) -> dict[int, str]:
    """GitHub's line hash of each wanted line, over the file's text with credentials masked
    (a 64-bit polynomial hash of a short password beside known text can be searched back):
    as ``upload-sarif`` would compute it unless a credential lies within 100 characters.
    Only the lines up to the last hashed line's window are read. None for a file whose text
    was not read (``upload-sarif`` then hashes it from the checkout)."""
    lines = report.doc.lines
    if not report.doc.text or not wanted:
        return {}
    last = min(max(wanted), len(lines))
    needed = last
    kept = 0
    while needed < len(lines) and kept < BLOCK_SIZE:
        line = lines[needed - 1]
        kept += len(line) - line.count(" ") - line.count("\t") + 1
        needed += 1
    text = "\n".join(excerpts.masked(number) for number in range(1, needed + 1))
    return line_hashes(text, wanted, complete=needed == len(lines))


def _invocation(reports: list["FileReport"], rules: list["Rule"], index: dict[str, int], configured: dict[str, str],
                bases: RepositoryBases) -> dict[str, object]:
    """The run as an invocation. ``executionSuccessful`` is true: SARIF (§3.20.14, Appendix I)
    keeps false for a tool that failed to start, exited with a failure or crashed, and
    trustycheck writes no SARIF then (a usage error exits 2 with a message). A file it could
    not read or analyse is an ``error`` notification instead, which SARIF defines as "the
    results may not be complete"; findings left out past the per-file cap are a ``note``."""
    notifications = []
    for report in reports:
        uri = None
        for problem in report.doc.problems:
            if problem.kind in TOOL_PROBLEMS:
                uri = uri or bases.uri(report.path, report.root)
                notifications.append(_problem_notification(problem, report.doc.lines, uri, index))
        if report.left_out:
            uri = uri or bases.uri(report.path, report.root)
            location = {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_ID}}}
            notifications.append({"level": "note", "message": {"text": left_out_note(report.left_out)}, "locations": [location]})
    invocation: dict[str, object] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    overrides = [{"descriptor": {"id": rule.id, "index": index[rule.id]}, "configuration": {"level": _LEVELS[configured[rule.id]]}}
                 for rule in rules if rule.id in configured and configured[rule.id] != rule.severity]
    if overrides:
        invocation["ruleConfigurationOverrides"] = overrides
    return invocation


def _problem_notification(problem: "Problem", lines: list[str], uri: str, index: dict[str, int]) -> dict[str, object]:
    """A file trustycheck could not (fully) read, as TC001 reports it, whether or not TC001 runs."""
    line = lines[problem.pos.line - 1] if 0 < problem.pos.line <= len(lines) else ""
    region = {"startLine": max(problem.pos.line, 1), "startColumn": max(utf16_column(line, problem.pos.col), 1)}
    location = {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_ID}, "region": region}}
    rule: dict[str, object] = {"id": "TC001"}
    if "TC001" in index:
        rule["index"] = index["TC001"]
    return {"level": "error", "message": {"text": mask_secrets(problem.message)}, "locations": [location], "associatedRule": rule}
