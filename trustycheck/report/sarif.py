"""SARIF 2.1.0 for GitHub code scanning: one run, every rule with its help, every finding.

URIs are relative to the repository root (``uriBaseId`` ``%SRCROOT%``), which is what
code scanning expects when the file is uploaded from a checkout. Fingerprints hash the rule,
the file and the text of the flagged line (plus its rank among identical ones), not the line
number, so they survive unrelated edits above. Suppressed findings are kept, with a
``suppressions`` entry, so code scanning can show them as dismissed in source.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustycheck import __version__
from trustycheck.report.encoding import json_text
from trustycheck.masking import mask_secrets
from trustycheck.report.excerpt import Excerpts
from trustycheck.report.text import left_out_note

if TYPE_CHECKING:  # for annotations only
    from trustycheck.engine.catalog import Rule
    from trustycheck.findings import Finding
    from trustycheck.pipeline import FileReport
    from trustycheck.suppress import Suppression

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/trustycheck/"
ROOT_ID = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def render_sarif(reports: list["FileReport"], rules: Iterable["Rule"]) -> str:
    rules = list(rules)
    index = {rule.id: position for position, rule in enumerate(rules)}
    results = []
    for report in reports:
        seen: dict[tuple[str, str], int] = {}
        excerpts = Excerpts(report.doc.lines, report.redactions)
        entries = [(finding, None) for finding in report.findings] + list(report.suppressed)
        for finding, suppression in sorted(entries, key=lambda item: item[0].sort_key):
            results.append(_result(report, excerpts, finding, suppression, index, seen))
    run = {
        "tool": {
            "driver": {
                "name": "trustycheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {ROOT_ID: {"description": {"text": "The root of the repository that was linted."}}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    notes = [_left_out_notification(report) for report in reports if report.left_out]
    if notes:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notes}]
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_text(document)


def _rule(rule: "Rule") -> dict[str, object]:
    text = f"{rule.fix['hint']}\n\n{rule.fix['details'].strip()}"
    markdown = [f"**{rule.summary}**", "", rule.why.strip(), "", "**How to fix**", "", rule.fix["details"].strip()]
    for title, key in (("Before", "before"), ("After", "after")):
        if rule.fix.get(key):
            markdown += ["", f"{title}:", "", "```yaml", rule.fix[key].rstrip(), "```"]
    if rule.references:
        markdown += ["", "**References**", ""] + [f"- [{ref['title']}]({ref['url']})" for ref in rule.references]
    entry: dict[str, object] = {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.why.split())},
        "help": {"text": text, "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "tags": list(rule.tags),
            "security-severity": f"{rule.security_severity:.1f}",
            "precision": "high",
        },
    }
    if rule.references:
        entry["helpUri"] = rule.references[0]["url"]
    return entry


def _result(report: "FileReport", excerpts: Excerpts, finding: "Finding", suppression: "Suppression | None",
            index: dict[str, int], seen: dict[tuple[str, str], int]) -> dict[str, object]:
    pos = finding.pos
    snippet = excerpts.window(pos)[0]
    line_text = snippet.strip()
    occurrence_key = (finding.rule_id, line_text)
    seen[occurrence_key] = seen.get(occurrence_key, 0) + 1
    uri = _uri(finding.path, report.root)
    digest = hashlib.sha256("\0".join((finding.rule_id, uri, line_text, str(seen[occurrence_key]))).encode("utf-8", "surrogateescape")).hexdigest()
    region: dict[str, object] = {"startLine": pos.line, "startColumn": pos.col, "endLine": pos.end_line, "endColumn": pos.end_col}
    if line_text:
        region["snippet"] = {"text": snippet}
    rule_index = index.get(finding.rule_id, -1)
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": ROOT_ID}, "region": region}}],
        "partialFingerprints": {"trustycheck/v1": digest[:32]},
    }
    if rule_index < 0:
        del result["ruleIndex"]
    if suppression is not None:
        result["suppressions"] = [{"kind": suppression.kind, "justification": mask_secrets(suppression.justification)}]
    return result


def _left_out_notification(report: "FileReport") -> dict[str, object]:
    location = {"physicalLocation": {"artifactLocation": {"uri": _uri(report.path, report.root), "uriBaseId": ROOT_ID}}}
    return {"level": "note", "message": {"text": left_out_note(report.left_out)}, "locations": [location]}


def _uri(path: str, root: str | None) -> str:
    """The file relative to its repository root (or the working directory), with ``/``."""
    base = root if root is not None else os.getcwd()
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:  # another drive on Windows
        relative = path
    return relative.replace(os.sep, "/")
