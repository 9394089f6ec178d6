"""Measuring one system's process for bench/scale.py: wall time, exit code, peak RSS, peak tree PSS, CPU."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids[ppid].append(int(name))
    return kids


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of ``root`` and all its descendants (shared pages counted once in total)."""
    kids = _children_map()
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, ()))
        for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith(key):
                            total += int(line.split()[1])
                            break
                break
            except OSError:
                continue
    return total


def measure(cmd: list[str], log: Path, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 0) -> dict:
    """Run ``cmd``; wall seconds, exit code, peak RSS (largest process), peak tree PSS, CPU seconds."""
    # GNU time reports the peak RSS of the command itself.  wait4 on a child forked from this (large)
    # process would also count the pages the child had before exec, so it is only the fallback.
    time_file = log.with_suffix(".time")
    if TIME_BIN:
        cmd = [TIME_BIN, "-v", "-o", str(time_file)] + cmd
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env, process_group=0)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                with contextlib.suppress(Exception):
                    peak[0] = max(peak[0], _tree_pss_kb(p.pid))

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        timed_out = False
        if timeout:
            def kill() -> None:
                nonlocal timed_out
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
            timer = threading.Timer(timeout, kill)
            timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # interrupted: take the system's processes down too
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - t0
        if timeout:
            timer.cancel()
        done.set()
        th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    maxrss_kb, cpu = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
    if TIME_BIN and time_file.exists():
        rows = dict(line.strip().rsplit(": ", 1) for line in time_file.read_text().splitlines() if ": " in line)
        maxrss_kb = int(rows.get("Maximum resident set size (kbytes)", maxrss_kb))
        status_line = rows.get("Exit status")
        if status_line is not None and p.returncode == 0:
            p.returncode = int(status_line)
    return {"wall_s": round(wall, 2), "rc": p.returncode, "timed_out": timed_out,
            "peak_rss_mb": round(maxrss_kb / 1024, 1), "peak_tree_pss_mb": round(peak[0] / 1024, 1),
            "cpu_s": round(cpu, 2), "rss_source": "/usr/bin/time -v" if TIME_BIN else "wait4", "log": str(log)}
