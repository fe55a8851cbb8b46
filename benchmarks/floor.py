"""How fast could trustycheck be on (a) at all? The time of its stages alone, against actionlint.

    python benchmarks/floor.py [--corpus ../shared/corpus] [--rounds 15]

Issue 6 asks for (a), all files of ``CORPUS/speed/`` in one invocation, in at most
actionlint's time. This measures how much of trustycheck's time is not the analysis: each
row below is a process started like the ``trustycheck`` command (same interpreter, same
imports, rule catalog loaded, files discovered, shared among the usable cores by the same
code, cycle collector paused as ``lint`` pauses it) that stops after a stage:

- ``start-up``: nothing after discovery (interpreter, imports, catalog, discovery);
- ``read+compose``: every file read and composed into trustycheck's nodes (``load_path``);
- ``+ model``: the workflow model built from each as well (``build_workflow``);
- ``+ facts``: the analysis, call graph and fact contexts too (``analyse_project``);
- ``+ rules``: the rules run over them too (``run_rules``; lazily computed facts are
  computed here), but no suppression, no report sent back, no output;
- ``trustycheck``: the real command, all stages, text output.

The rows alternate with actionlint in every round, as in ``speed.py`` (same venv, same
launcher). Whatever trustycheck's analysis costs comes on top of the ``read+compose`` row,
so if that row alone is near actionlint, no analysis written in Python can fit beside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from measure import measure
from speed import HERE, install_checkout, machine, peer_environment

_STAGE = r"""
import os, sys
from trustycheck import cli  # the command's own start-up
from trustycheck.discover import discover
from trustycheck.engine.runner import run_rules
from trustycheck.loader import load_path
from trustycheck.model.analysis import analyse_project
from trustycheck.model.project import Project
from trustycheck.model.workflow import build_workflow
from trustycheck.parallel import run_in_shares, usable_cores
from trustycheck.pipeline import catalog, cycle_collector_paused, repository_files

stage, paths = sys.argv[1], sys.argv[2:]
rules = catalog()
targets = discover(paths)
files = [str(target.path) for target in targets]

def work(share):
    with cycle_collector_paused():
        for path in share:
            if stage in ("load", "model"):
                doc = load_path(path)
                if stage == "model":
                    build_workflow(doc)
                continue
            analysis = analyse_project(Project(None, load_path, repository_files), [path])
            if stage == "rules":
                run_rules(rules, analysis)
    return [None] * len(share)

if stage != "start-up":
    run_in_shares(files, [os.stat(path).st_size for path in files], usable_cores(), work)
os._exit(0)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=15, help="rounds; each runs every row once")
    parser.add_argument("--peers", type=Path, default=HERE / ".peers", help="venv for actionlint and this checkout")
    args = parser.parse_args(argv)

    speed = args.corpus / "speed"
    files = sorted(str(path) for path in speed.iterdir() if path.suffix in (".yml", ".yaml"))
    if not files:
        sys.exit(f"no workflows in {speed}")
    peers = peer_environment(args.peers)
    trustycheck = install_checkout(peers)
    python = str(peers / "python")
    rows = {
        "start-up": [python, "-c", _STAGE, "start-up", str(speed)],
        "read+compose": [python, "-c", _STAGE, "load", str(speed)],
        "+ model": [python, "-c", _STAGE, "model", str(speed)],
        "+ facts": [python, "-c", _STAGE, "facts", str(speed)],
        "+ rules": [python, "-c", _STAGE, "rules", str(speed)],
        "trustycheck": [*trustycheck, str(speed)],
        "actionlint": [str(peers / "actionlint"), "-no-color", *files],
    }
    print(machine())
    print(f"{len(files)} files of {speed}, {args.rounds} rounds (first discarded as warm-up)")
    seconds: dict[str, list[float]] = {name: [] for name in rows}
    names = list(rows)
    for round_number in range(args.rounds + 1):
        order = names[round_number % len(names):] + names[: round_number % len(names)]
        for name in order:
            run = measure(rows[name])
            if run.exit_code not in (0, 1):
                sys.exit(f"{name} failed (exit {run.exit_code}): {' '.join(rows[name][:4])} ...")
            if round_number:
                seconds[name].append(run.seconds)
    reference = statistics.median(seconds["actionlint"])
    print(f"  {'stage':<14} {'median s':>9} {'min s':>7}   /actionlint")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"  {name:<14} {median:>9.3f} {min(values):>7.3f}   {median / reference:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
