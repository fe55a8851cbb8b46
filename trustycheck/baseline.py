"""Adopting trustycheck on an existing project: ``--write-baseline FILE`` records today's
findings, and ``--baseline FILE`` reports only those not recorded there.

A finding is known by its rule, its file (relative to the baseline file's folder when it is
under it, else to its repository root, the folder holding ``.github``, so the run may start
anywhere, and two projects of one tree never share a path) and a
fingerprint of the text of the line it flags, not the line number: lines added above it keep
it hidden, and an edit of the flagged line shows it again. The fingerprint is taken of the line
as reporters show it, credentials masked, and the file holds only hashes and the (masked)
messages, never a secret written in a workflow. Each entry hides one finding: two identical
lines flagged by the same rule need two entries. The file is JSON, sorted, with no line
numbers, so it changes only when the findings do.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trustycheck.findings import Finding
    from trustycheck.pipeline import FileReport

FORMAT_VERSION = 1
BASELINE_LIMIT = 32 << 20
"""The largest baseline read (an entry is ~300 bytes: a hundred thousand findings)."""
_FIELDS = ("rule", "slug", "path", "fingerprint", "message")

Key = tuple[str, str, str]
"""(rule id, relative path, fingerprint): what a finding is known by."""


class BaselineError(Exception):
    """A baseline file that cannot be read or written."""


def write_baseline(file: str, reports: list[FileReport]) -> tuple[int, int]:
    """Record every finding of ``reports`` in ``file``; how many findings, in how many files."""
    from trustycheck.report.encoding import json_text

    base = _folder_of(file)
    entries = [dict(zip(_FIELDS, (f.rule_id, f.slug, path, fingerprint, f.message)))
               for f, (_, path, fingerprint) in _keyed(reports, base)]
    entries.sort(key=lambda entry: (entry["path"], entry["rule"], entry["fingerprint"], entry["message"]))
    document = {"version": FORMAT_VERSION, "tool": "trustycheck", "findings": entries}
    try:
        with open(file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(json_text(document))
    except OSError as error:
        raise BaselineError(f"{file}: cannot write: {error.strerror or error}") from None
    return len(entries), len({entry["path"] for entry in entries})


def read_baseline(file: str) -> Counter[Key]:
    """The findings recorded in ``file``, each key with how many times it is recorded."""
    import json

    from trustycheck.config import ConfigError, read_small_file

    if not os.path.isfile(file):
        raise BaselineError(f"{file}: no such baseline file (write one with --write-baseline)")
    try:
        data = read_small_file(file, BASELINE_LIMIT)
    except ConfigError as error:
        raise BaselineError(str(error)) from None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BaselineError(f"{file}: not a trustycheck baseline (not valid JSON: {error})") from None
    except RecursionError:  # a pull request may change the file: nesting must not crash the run
        raise BaselineError(f"{file}: not a trustycheck baseline (nested too deep)") from None
    problem = _shape_problem(document)
    if problem:
        raise BaselineError(f"{file}: not a trustycheck baseline ({problem})")
    return Counter((entry["rule"], entry["path"], entry["fingerprint"]) for entry in document["findings"])


def _shape_problem(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        return f"expected an object with \"version\": {FORMAT_VERSION}"
    entries = document.get("findings")
    if not isinstance(entries, list):
        return "'findings' must be a list"
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return f"findings[{index}] must be an object"
        wrong = next((name for name in ("rule", "path", "fingerprint") if not isinstance(entry.get(name), str)), None)
        if wrong:
            return f"findings[{index}]: '{wrong}' must be a string"
    return None


def apply_baseline(reports: list[FileReport], recorded: Counter[Key], file: str) -> int:
    """Drop from ``reports`` each finding recorded in the baseline ``file`` (one finding per
    entry); how many were dropped."""
    left = Counter(recorded)
    hidden = 0
    base = _folder_of(file)
    for report in reports:
        if not report.findings:
            continue
        kept = []
        for finding, key in _keyed([report], base):
            if left[key] > 0:
                left[key] -= 1
                hidden += 1
            else:
                kept.append(finding)
        report.findings = kept
    return hidden


def _keyed(reports: list[FileReport], base: str) -> list[tuple[Finding, Key]]:
    """Each finding of ``reports`` with its key."""
    from trustycheck.report.excerpt import Excerpts

    found = []
    for report in reports:
        if not report.findings:
            continue
        excerpts = Excerpts(report.doc.lines, report.redactions)
        root = os.path.abspath(report.root) if report.root is not None else base
        for finding in report.findings:
            line = excerpts.masked(finding.pos.line).strip()
            fingerprint = hashlib.sha256(line.encode("utf-8", "surrogatepass")).hexdigest()[:20]
            path = os.path.abspath(finding.path)
            # Under the baseline's folder, relative to it: two projects of one tree (``.github``
            # and ``sub/.github``) have one relative path each, and one's entries must not hide
            # the other's findings. Elsewhere, relative to the file's repository.
            start = base if path.startswith(base.rstrip(os.sep) + os.sep) else root
            found.append((finding, (finding.rule_id, _relative(path, start), fingerprint)))
    return found


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root``, with ``/`` between parts on every system."""
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def _folder_of(file: str) -> str:
    return os.path.dirname(os.path.abspath(file))
