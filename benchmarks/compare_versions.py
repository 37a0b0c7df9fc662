"""Throughput of this tree's bundled model against another checkout's, in one run.

    git worktree add /tmp/base <commit>
    python -m benchmarks.compare_versions --baseline-src /tmp/base/src

Each round times ``classify_many`` (one process, warm) on the same ~120-word
emails, first with this tree, then with the baseline tree's ``src`` and its
bundled model (each in a fresh subprocess), and the rounds interleave so both
see the same machine load. Prints the median emails/s of each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_TIMER = """
import json, sys, time
import rejectlens
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
model = rejectlens.load()
list(model.classify_many(rows[:300]))
start = time.perf_counter()
out = list(model.classify_many(rows))
print(json.dumps({"seconds": time.perf_counter() - start, "n": len(out)}))
"""


def _time(src: Path, rows_path: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(src))
    run = subprocess.run([sys.executable, "-c", _TIMER, str(rows_path)], env=env,
                         capture_output=True, text=True, check=True)
    r = json.loads(run.stdout.strip().splitlines()[-1])
    return r["n"] / r["seconds"]


def main(argv=None) -> int:
    from benchmarks.__main__ import _emails, _write_jsonl

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-src", required=True, help="the other checkout's src/ folder")
    ap.add_argument("--emails", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if not (Path(args.baseline_src) / "rejectlens" / "__init__.py").is_file():
        ap.error(f"--baseline-src must be a checkout's src/ folder holding rejectlens/; "
                 f"got {args.baseline_src}")
    rows = _emails(args.emails, 120, seed=1)
    mean_words = statistics.mean(len(r["body"].split()) for r in rows)
    ours, base = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        _write_jsonl(rows, path)
        for _ in range(args.rounds):
            ours.append(_time(ROOT / "src", path))
            base.append(_time(Path(args.baseline_src), path))
    a, b = statistics.median(ours), statistics.median(base)
    print(f"{len(rows)} emails, {mean_words:.0f} words on average, {args.rounds} interleaved rounds")
    print(f"this tree: {a:,.0f} emails/s; baseline: {b:,.0f} emails/s; ratio {a / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
