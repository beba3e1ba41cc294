#!/usr/bin/env python3
"""Start-up time and idle memory of Orderdesk against the minimal Tauri app (issue 7, bar a).

Run through scripts/perf.sh, which builds both binaries, prepares the data directory and starts
Xvfb. Each round runs, in alternating order: the minimal app and Orderdesk as they start (the
bar; Orderdesk draws on the CPU where the machine has no GPU), and, like for like, both drawing
on the CPU (WEBKIT_DISABLE_COMPOSITING_MODE=1, ORDERDESK_RENDERING=cpu) and Orderdesk composited
with OpenGL as the minimal app is by default (ORDERDESK_RENDERING=gpu). Every run starts one
binary with ORDERDESK_REPORT_READY=1 on a fresh data directory and fresh XDG directories (no
WebKit caches carried over):

- cold start: from spawning the process to the line `orderdesk: ready` on its stderr, which
  the page sends after its first screen is painted (for Orderdesk: with the app's status, which
  the shell hands the page with its first load), timed here with a monotonic clock;
- idle memory: after a settle period, the sum of Pss from /proc/<pid>/smaps_rollup over the
  process and all its descendants (WebKitWebProcess, WebKitNetworkProcess).

Prints a table of medians and three pairs of ratios against the 1.3x bar. Exit status:
0 when every run was measured (whether or not a bar is met), 1 when a measurement failed.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BAR = 1.3


def children(pid):
    """Direct children of pid, from /proc/<pid>/task/*/children."""
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out += [int(c) for c in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree(pid):
    """pid and all its descendants."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo += children(p)
    return seen


def name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def stop(proc):
    pids = tree(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    # WebKit's helpers normally leave with their parent; any left over are ended by id.
    for p in pids[1:]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_once(label, binary, args, template, settle, timeout, logdir, index, extra_env=None):
    work = tempfile.mkdtemp(prefix=f"perf-{label}-")
    try:
        env = dict(os.environ)
        env.update(extra_env or {})
        env["ORDERDESK_REPORT_READY"] = "1"
        for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                         ("XDG_CONFIG_HOME", "config")):
            env[var] = os.path.join(work, sub)
            os.makedirs(env[var])
        argv = [binary] + args
        if template:
            data = os.path.join(work, "orderdesk")
            shutil.copytree(template, data)
            argv += ["--data-dir", data]
        log_path = os.path.join(logdir, f"{label}-{index}.log")
        ready = threading.Event()
        lines = []

        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, bufsize=1)
        stamp = {}

        def reader():
            for line in proc.stderr:
                if "orderdesk: ready" in line and not ready.is_set():
                    stamp["t"] = time.monotonic()
                    stamp["line"] = line.strip()
                    ready.set()
                lines.append(line)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        ok = ready.wait(timeout)
        if not ok or proc.poll() is not None:
            stop(proc) if proc.poll() is None else None
            with open(log_path, "w") as f:
                f.writelines(lines)
            raise RuntimeError(f"{label} run {index}: no ready line within {timeout}s "
                               f"(exit {proc.poll()}); log in {log_path}")
        ready_ms = (stamp["t"] - start) * 1000
        time.sleep(settle)
        procs = tree(proc.pid)
        per = {}
        total = 0
        for p in procs:
            kib = pss_kib(p)
            if kib is None:
                continue
            total += kib
            per[name(p)] = per.get(name(p), 0) + kib
        stop(proc)
        t.join(timeout=5)
        with open(log_path, "w") as f:
            f.writelines(lines)
        try:
            marks = json.loads(stamp["line"].split("ready", 1)[1])
        except (ValueError, IndexError):
            marks = {}
        return {"ready_ms": ready_ms, "pss_mib": total / 1024, "per": per,
                "procs": len(procs), "marks": marks}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", required=True, help="Orderdesk release binary")
    ap.add_argument("--baseline", required=True, help="tauri-baseline release binary")
    ap.add_argument("--data-template", required=True,
                    help="prepared Orderdesk data directory, copied fresh for every run")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--settle", type=float, default=5.0, help="seconds before memory is read")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--logs", required=True, help="directory for each run's stderr")
    a = ap.parse_args()
    os.makedirs(a.logs, exist_ok=True)

    apps = [
        ("baseline", a.baseline, None, {}),
        ("orderdesk", a.app, a.data_template, {}),
        ("baseline-cpu", a.baseline, None, {"WEBKIT_DISABLE_COMPOSITING_MODE": "1"}),
        ("orderdesk-cpu", a.app, a.data_template, {"ORDERDESK_RENDERING": "cpu"}),
        ("orderdesk-gpu", a.app, a.data_template, {"ORDERDESK_RENDERING": "gpu"}),
    ]
    results = {label: [] for label, _, _, _ in apps}
    try:
        # One unrecorded run of each first: the binaries and WebKit's libraries into the page
        # cache, so every recorded run starts from the same (warm-cache) state.
        for label, binary, template, env in apps:
            run_once(label, binary, [], template, 1.0, a.timeout, a.logs, "warmup", env)
        for i in range(a.runs):
            for label, binary, template, env in (apps if i % 2 == 0 else apps[::-1]):
                r = run_once(label, binary, [], template, a.settle, a.timeout, a.logs, i, env)
                results[label].append(r)
                print(f"  run {i + 1}/{a.runs} {label:13} ready {r['ready_ms']:7.0f} ms  "
                      f"PSS {r['pss_mib']:6.1f} MiB  ({r['procs']} processes)", flush=True)
    except RuntimeError as e:
        print(f"perf: measurement failed: {e}", file=sys.stderr)
        return 1

    med = {}
    print()
    print(f"{'':13} {'ready median':>13} {'min':>7} {'max':>7} {'PSS median':>11}   "
          "in the page: script / data / painted (median ms since navigation); "
          "per process (median MiB)")
    for label, runs in results.items():
        ready = [r["ready_ms"] for r in runs]
        pss = [r["pss_mib"] for r in runs]
        names = sorted({n for r in runs for n in r["per"]})
        per = ", ".join(f"{n} {statistics.median([r['per'].get(n, 0) / 1024 for r in runs]):.0f}"
                        for n in names)
        page = " / ".join(
            f"{statistics.median([r['marks'].get(k, 0) for r in runs]):.0f}"
            for k in ("scriptMs", "dataMs", "pageMs"))
        med[label] = (statistics.median(ready), statistics.median(pss))
        print(f"{label:13} {med[label][0]:10.0f} ms {min(ready):7.0f} {max(ready):7.0f} "
              f"{med[label][1]:7.1f} MiB   page {page}; {per}")
    print()
    for app, base, what in (
        ("orderdesk", "baseline", "as they start on this machine (the bar)"),
        ("orderdesk-cpu", "baseline-cpu", "both drawing on the CPU (like for like)"),
        ("orderdesk-gpu", "baseline", "both composited with OpenGL (like for like)"),
    ):
        print(f"{what}:")
        for label, i in (("cold start", 0), ("idle memory", 1)):
            ratio = med[app][i] / med[base][i]
            verdict = "met" if ratio <= BAR else "MISSED"
            print(f"  {label:12} ratio {app}/{base} = {ratio:.2f}x (bar <= {BAR}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
