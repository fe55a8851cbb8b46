"""Run a command once and measure its wall time and peak memory, fairly.

Why a launcher: on Linux a child's peak RSS (``ru_maxrss``) starts at the size of the process
that forked it, because the high-water mark survives ``exec``. Forked from a benchmark that
holds a 50 MB test file, every tool would "use" 116 MB. So the command is started from a
minimal Python launcher (about 10 MB), which forks, execs, waits and reports the child's own
wall time, ``ru_maxrss`` and CPU time. The peak of the whole process tree (the tool plus any workers)
is sampled from /proc while it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass

_LAUNCHER = """
import json, os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as handle:
    json.dump({"seconds": seconds, "max_rss_kb": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status),
               "cpu_seconds": usage.ru_utime + usage.ru_stime}, handle)
"""


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    """Largest resident set of the command's own process."""
    tree_peak_kb: int
    """Largest sampled sum over the command and its descendants (0 when not sampled)."""
    exit_code: int
    cpu_seconds: float = 0.0
    """User and system time of the command and the workers it waited for (steadier than wall
    time on a busy machine)."""


def measure(command: list[str], *, cwd: str | None = None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            sample_tree: bool = False) -> Run:
    """Run ``command`` once (output to ``stdout``/``stderr``); its time, memory and exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        process = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, report.name, *command],
                                   cwd=cwd, stdout=stdout, stderr=stderr)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_kb(process.pid, include_root=False))
                done.wait(0.003)

        sampler = threading.Thread(target=sample) if sample_tree and os.path.isdir("/proc") else None
        if sampler:
            sampler.start()
        process.wait()
        done.set()
        if sampler:
            sampler.join()
        result = json.load(report)
    return Run(result["seconds"], result["max_rss_kb"], max(peak[0], result["max_rss_kb"]), result["exit"], result["cpu_seconds"])


def tree_rss_kb(root: int, include_root: bool = True) -> int:
    """Resident memory of ``root``'s descendants (and ``root`` itself unless told not to),
    from /proc (0 where unreadable)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page_kb
    total, pending = 0, [root] if include_root else list(children.get(root, ()))
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending.extend(children.get(pid, ()))
    return total
