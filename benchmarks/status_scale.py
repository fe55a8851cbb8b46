"""Time ``trustycheck status`` over a synthetic inventory of many repositories (issue 20).

    python benchmarks/status_scale.py [--corpus ../shared/corpus] [--repositories 15000] [--jobs N]
                                      [--format jsonl] [--keep DIR]

The corpus's repositories (``repos/`` and ``popular/``) are repeated under other names until
there are ``--repositories`` of them, in a temporary directory. Files are hard-linked (copied
when the file system cannot link): discovery does not follow symbolic links out of a
repository, so linking folders would judge nothing. One ``status --repos-from LIST`` then
runs over them, writing to a file, as a shard of a batch job would.

Reported: repositories per second (wall), CPU seconds per repository, and peak memory, as the
largest resident set of any one process (``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the main
process or one worker, whichever is larger) and the peak of the whole process tree (main and
workers together), sampled from ``/proc`` every 50 ms. Also: the rows written, and that their
verdicts repeat the corpus's (each copy judged as its original).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def originals(corpus: Path) -> list[Path]:
    return sorted(p for part in ("repos", "popular") for p in (corpus / part).iterdir() if p.is_dir())


def replicate(source: Path, target: Path) -> None:
    """``source``'s tree at ``target``, every file hard-linked (or copied)."""
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(folder) / name, target / relative / name
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
                continue
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def build(corpus: Path, count: int, root: Path) -> tuple[Path, dict[str, str]]:
    """``count`` repositories under ``root``, and the list file naming them; with, for each
    copy, the name of its original."""
    sources = originals(corpus)
    names: dict[str, str] = {}
    listing = root / "repositories.txt"
    with listing.open("w") as out:
        for index in range(count):
            source = sources[index % len(sources)]
            name = f"copy{index // len(sources):04d}__{source.name}"
            replicate(source, root / "tree" / name)
            names[str(root / "tree" / name)] = source.name
            out.write(f"{root / 'tree' / name}\n")
    return listing, names


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (from /proc; 0 where it cannot be read)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--repositories", type=int, default=15000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "json", "csv", "html", "markdown", "text"))
    parser.add_argument("--keep", type=Path, help="Build the tree here and keep it (reused when its list exists).")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="status-scale-"))
    try:
        started = time.perf_counter()
        listing = base / "repositories.txt"
        if args.keep and listing.exists():
            names = {line: Path(line).name.split("__", 1)[1] for line in listing.read_text().splitlines()}
        else:
            base.mkdir(parents=True, exist_ok=True)
            listing, names = build(args.corpus, args.repositories, base)
        print(f"tree: {len(names):,} repositories in {time.perf_counter() - started:.1f} s ({base})", file=sys.stderr)
        output = base / f"status.{args.format}"
        command = [sys.executable, "-m", "trustycheck", "status", "--repos-from", str(listing), "--format", args.format,
                   "--output", str(output)] + (["--jobs", str(args.jobs)] if args.jobs else [])
        peak = 0
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, tree_rss(process.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, errors = process.communicate()
        done.set()
        sampler.join()
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if process.returncode not in (0, 1):
            print(errors, file=sys.stderr)
            return 2
        cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
        count = len(names)
        print(f"status over {count:,} repositories ({args.format}, jobs {args.jobs or 'all cores'}): "
              f"{wall:.1f} s wall, {count / wall:,.0f} repositories/s, {1000 * cpu / count:.2f} ms CPU per repository")
        print(f"peak memory: largest process {usage.ru_maxrss / 1024:.0f} MB (ru_maxrss), whole tree {peak / 2**20:.0f} MB (sampled)")
        print(f"output: {output.stat().st_size / 2**20:.1f} MB; summary: {errors.strip().splitlines()[0] if errors.strip() else '-'}")
        if args.format == "jsonl":
            by_original: dict[str, set[str]] = {}
            with output.open() as handle:
                for line in handle:
                    record = json.loads(line)
                    by_original.setdefault(names[record["repository"]], set()).add(record["verdict"])
            unstable = sorted(name for name, found in by_original.items() if len(found) > 1)
            print(f"copies judged as their originals: {'yes' if not unstable else 'NO: ' + ', '.join(unstable)}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
