"""Throughput of this tree's bundled model against another checkout's, in one run.

    git worktree add /tmp/base <commit>
    python -m benchmarks.compare_versions --baseline-src /tmp/base/src
    python -m benchmarks.compare_versions --baseline-src /tmp/base/src --cli --jobs 1,2

Each round times ``classify_many`` (one process, warm) on the same ~120-word
emails, first with this tree, then with the baseline tree's ``src`` and its
bundled model (each in a fresh subprocess), and the rounds interleave so both
see the same machine load. With ``--cli`` each round runs the whole
``rejectlens classify`` over a JSONL file instead (start-up included), once per
``--jobs`` value. Prints the median emails/s of each, their ratio, and the
ratio of CPU seconds per email (user + system of every process of the run),
which moves far less than wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_TIMER = """
import json, sys, time
import rejectlens
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
model = rejectlens.load()
list(model.classify_many(rows[:300]))
start, cpu = time.perf_counter(), time.process_time()
out = list(model.classify_many(rows))
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "n": len(out)}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _time(src: Path, rows_path: Path) -> tuple[float, float]:
    """(emails/s, CPU seconds per email) of classify_many in a fresh process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-c", _TIMER, str(rows_path)], env=env,
                         capture_output=True, text=True, check=True)
    r = json.loads(run.stdout.strip().splitlines()[-1])
    return r["n"] / r["seconds"], r["cpu"] / r["n"]


def _time_cli(src: Path, rows_path: Path, n: int, jobs: int, out: Path) -> tuple[float, float]:
    """(emails/s, CPU seconds per email) of a whole `rejectlens classify` run."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])))
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "rejectlens.cli", "classify", str(rows_path), "-o", str(out),
                    "--force", "--quiet", "--n-jobs", str(jobs)], env=env, check=True)
    # joblib's worker processes are reaped by the CLI, so their CPU counts here too
    return n / (time.perf_counter() - start), (_children_cpu() - cpu) / n


def main(argv=None) -> int:
    from benchmarks.__main__ import _emails, _write_jsonl, hide_torch_in_children

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-src", required=True, help="the other checkout's src/ folder")
    ap.add_argument("--emails", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cli", action="store_true", help="time the whole CLI over JSONL instead")
    ap.add_argument("--jobs", default="1", help="with --cli: comma-separated --n-jobs values (default 1)")
    args = ap.parse_args(argv)
    if not (Path(args.baseline_src) / "rejectlens" / "__init__.py").is_file():
        ap.error(f"--baseline-src must be a checkout's src/ folder holding rejectlens/; "
                 f"got {args.baseline_src}")
    rows = _emails(args.emails, 120, seed=1)
    mean_words = statistics.mean(len(r["body"].split()) for r in rows)
    trees = {"this tree": ROOT / "src", "baseline": Path(args.baseline_src)}
    runs = [(name, jobs) for jobs in ([int(j) for j in args.jobs.split(",")] if args.cli else [0])
            for name in trees]
    rate: dict = {r: [] for r in runs}
    cpu: dict = {r: [] for r in runs}
    outputs: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        hide_torch_in_children(Path(tmp))  # a default install's start-up and memory
        path = Path(tmp) / "rows.jsonl"
        _write_jsonl(rows, path)
        for k in range(args.rounds):
            # alternate which tree goes first, so neither always meets the same load
            for name, jobs in (runs if k % 2 == 0 else runs[::-1]):
                if args.cli:
                    out = Path(tmp) / f"{name.replace(' ', '_')}{jobs}.jsonl"
                    r, c = _time_cli(trees[name], path, len(rows), jobs, out)
                    outputs[(name, jobs)] = out.read_bytes()
                else:
                    r, c = _time(trees[name], path)
                rate[(name, jobs)].append(r)
                cpu[(name, jobs)].append(c)
    what = "whole CLI over JSONL" if args.cli else "classify_many, one process"
    print(f"{len(rows)} emails, {mean_words:.0f} words on average, {args.rounds} interleaved rounds, "
          f"{what}")
    for jobs in sorted({j for _, j in runs}):
        a, b = (statistics.median(rate[(n, jobs)]) for n in trees)
        ca, cb = (statistics.median(cpu[(n, jobs)]) for n in trees)
        label = f"--n-jobs {jobs}: " if args.cli else ""
        print(f"{label}this tree: {a:,.0f} emails/s ({ca * 1e6:.0f} CPU us/email); baseline: {b:,.0f} "
              f"emails/s ({cb * 1e6:.0f} CPU us/email); ratio {a / b:.2f} (wall), {cb / ca:.2f} (CPU)")
    if args.cli:
        first = outputs[runs[0]]
        same = all(v == first for v in outputs.values())
        print("outputs of every run byte-identical" if same else "OUTPUTS DIFFER between runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
