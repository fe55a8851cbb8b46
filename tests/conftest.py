"""Shared helpers: lint a snippet in-process, run the real CLI in a subprocess."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trustycheck.findings import Finding
from trustycheck.loader import load_text
from trustycheck.model.analysis import analyse
from trustycheck.engine.runner import run_rules
from trustycheck.pipeline import catalog
from dataclasses import replace

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

sys.path.insert(0, str(REPO / "benchmarks"))  # hostile.py imports its neighbours (fuzz, measure)
_HOSTILE = importlib.util.spec_from_file_location("hostile", REPO / "benchmarks" / "hostile.py")
hostile = importlib.util.module_from_spec(_HOSTILE)
sys.modules["hostile"] = hostile  # dataclasses look their module up there
_HOSTILE.loader.exec_module(hostile)

_CORPUS_CANDIDATES = [Path(p) for p in (os.environ.get("TRUSTYCHECK_CORPUS"),) if p] + [
    REPO.parent / "shared" / "corpus",
    Path("/work/shared/corpus"),
]
CORPUS = next((path for path in _CORPUS_CANDIDATES if path.is_dir()), _CORPUS_CANDIDATES[0])


def lint_text(text: str, select: set[str] | None = None, path: str = "workflow.yml") -> list[Finding]:
    """Findings for a workflow given as text (dedented), sorted by position, after inline
    suppressions (unused ones reported when TC003 is selected)."""
    from trustycheck.pipeline import FileReport, _suppress
    from trustycheck.settings import Settings

    unused = select is not None and "TC003" in select
    rules = [r for r in catalog() if select is None or r.id in select or unused]  # TC003 judges the others' findings
    doc = load_text(path, textwrap.dedent(text))
    findings = run_rules(rules, analyse(doc))
    report = FileReport(path, doc, sorted(findings, key=lambda f: f.sort_key))
    _suppress(report, rules, Settings(report_unused_ignores=unused))
    return sorted((f for f in report.findings if select is None or f.rule_id in select), key=lambda f: f.sort_key)


EXAMPLE_WORKFLOW = ".github/workflows/example.yml"

TOKEN_PUBLISH = hostile.TOKEN_PUBLISH
"""A tag-triggered upload with a long-lived token: TC101 at 10:11, TC301 on the job, TC401
(defined once, in the benchmark that must run without the test suite)."""

PUBLISH_CALLEE = """\
on:
  workflow_call:
    secrets:
      PYPI_TOKEN:
        required: false
jobs:
  upload:
    runs-on: ubuntu-latest
    environment: pypi
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
"""
"""A reusable workflow that uploads with the PYPI_TOKEN secret its caller passes."""

SECRET_CALLER = """\
    on:
      release:
        types: [published]
    jobs:
      publish:
        uses: ./.github/workflows/publish.yml
        secrets:
          PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
    """
"""Calls publish.yml (PUBLISH_CALLEE) on a release, passing it the stored token."""

TRUSTED_PUBLISH = """\
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16  # v4.1.8
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
"""
"""A release uploaded with Trusted Publishing, done right: no finding from any rule."""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path from ``root`` -> text, dedented) and return ``root``."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


def lint_repo(root: Path, workflow: str, files: dict[str, str], select: set[str] | None = None) -> list[Finding]:
    """Findings for a small repository: ``workflow`` at .github/workflows/example.yml plus
    ``files`` (path from the root -> text), linted as a whole; paths relative to ``root``."""
    from trustycheck.discover import discover
    from trustycheck.pipeline import lint
    from trustycheck.settings import Settings

    write_tree(root, {EXAMPLE_WORKFLOW: workflow, **files})
    rules = [r for r in catalog() if select is None or r.id in select]
    reports = lint(discover([str(root)]), Settings(rules=tuple(rules)))
    found = [replace(f, path=os.path.relpath(f.path, root)) for report in reports for f in report.findings]
    return sorted(found, key=lambda f: f.sort_key)


def ids_at(findings: list[Finding]) -> list[tuple[str, int, int]]:
    return [(f.rule_id, f.pos.line, f.pos.col) for f in findings]


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 60, binary: bool = False
) -> subprocess.CompletedProcess:
    """Run ``python -m trustycheck`` for real and capture its output (as bytes with ``binary``)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "", "FORCE_COLOR": ""}
    full_env.pop("NO_COLOR")
    full_env.pop("FORCE_COLOR")
    if env:
        full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-m", "trustycheck", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=not binary,
        timeout=timeout,
    )
    encoding = full_env.get("PYTHONIOENCODING", "utf-8").split(":")[0] or "utf-8"
    check_sarif_written(args, result.returncode, result.stdout, cwd or REPO, encoding)
    return result


def check_sarif_written(args: tuple[str, ...] | list[str], status: int, stdout: str | bytes, cwd: Path,
                        encoding: str = "utf-8") -> None:
    """Every SARIF report a test has the CLI write (to standard output or to ``--output``) passes
    the official schema and GitHub's rules for code scanning (``sarif_checks``)."""
    from sarif_checks import check_for_code_scanning, official_schema, schema_path

    words = list(args)
    options = words[:words.index("--")] if "--" in words else words
    chosen = [options[i + 1] for i, word in enumerate(options[:-1]) if word in ("--format", "--output-format")]
    chosen += [word.split("=", 1)[1] for word in options if word.startswith(("--format=", "--output-format="))]
    if not chosen or chosen[-1] != "sarif" or status not in (0, 1) or "--write-baseline" in options:
        return
    outputs = [options[i + 1] for i, word in enumerate(options[:-1]) if word in ("-o", "--output")]
    if outputs:
        target = Path(outputs[-1]) if Path(outputs[-1]).is_absolute() else cwd / outputs[-1]
        text = target.read_text(encoding="utf-8")
    else:
        text = stdout.decode(encoding) if isinstance(stdout, bytes) else stdout  # the stream's encoding
    if text.strip():
        import json

        check_for_code_scanning(json.loads(text), official_schema(schema_path(CORPUS)))


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not present at {CORPUS}")
    return CORPUS
