"""Peak memory of `rejectlens classify` on hostile inputs (issue 11), in a child process.

    python -m benchmarks.hostile [--only NAME ...] [--keep] [--pythonpath DIR]

Cases (built in benchmarks/out/hostile/, several GB of disk for a moment):

- ``bomb-lines``: a 1 GB message (76-column lines) gzipped into a few MB (.mbox.gz);
- ``bomb-one-line``: the same, one 1 GB line with no newline;
- ``array-300mb``: a 300 MB JSON array of ~100,000 three-kilobyte emails;
- ``array-huge-items``: a 300 MB JSON array of 12 emails of 25 MB each;
- ``jsonl-huge-line``: one 300 MB JSONL line, then a normal one;
- ``csv-huge-cell``: one 300 MB quoted CSV cell over many lines, then a normal row;
- ``csv-unclosed-quote``: a quote never closed in row 2 of a 300 MB CSV of 100,000 rows.

Each runs the CLI in a child process and reports its peak resident memory
(``ru_maxrss`` of the children), seconds, rows written and the exit code.
``--pythonpath`` runs another source tree (say main's ``src``) for a before/after.
Not part of the test suite: it takes minutes and gigabytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "hostile"
NO = "Unfortunately we have decided not to move forward with your application. "
GB = 10**9


def _bomb(path: Path, one_line: bool) -> None:
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <bomb@x>\nSubject: s\n\n")
        f.write(NO.encode() + b"\n")
        block = (b"x" * 1_000_000) if one_line else (b"y" * 75 + b"\n") * 13_158
        written = 0
        while written < GB:
            f.write(block)
            written += len(block)
        f.write(b"\n\nFrom a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <after@x>\n\n" + NO.encode() + b"\n")


def _array(path: Path, n: int, body_chars: int) -> None:
    filler = ("lorem ipsum dolor sit amet " * (body_chars // 27 + 1))[:body_chars]
    with path.open("w") as f:
        f.write("[")
        for i in range(n):
            if i:
                f.write(",\n")
            f.write(json.dumps({"id": f"e{i}", "subject": "Your application", "body": NO + filler}))
        f.write("]\n")


def _jsonl_huge(path: Path) -> None:
    with path.open("w") as f:
        f.write('{"id": "huge", "body": "' + NO)
        chunk = "z" * 1_000_000
        for _ in range(300):
            f.write(chunk)
        f.write('"}\n' + json.dumps({"id": "after", "body": NO}) + "\n")


def _csv_huge(path: Path) -> None:
    with path.open("w") as f:
        f.write('id,body\nhuge,"' + NO)
        line = "a cell line with, commas and ""quotes"" " * 20 + "\n"
        for _ in range(300_000_000 // len(line)):
            f.write(line)
        f.write(f'"\nafter,{NO}\n')


def _csv_unclosed(path: Path) -> None:
    with path.open("w") as f:
        f.write(f'id,body\nfirst,{NO}\nbad,"never closed {NO}\n')
        for i in range(100_000):
            f.write(f"r{i},{NO} {'x' * 3000}\n")


CASES = {
    "bomb-lines": ("bomb-lines.mbox.gz", lambda p: _bomb(p, one_line=False)),
    "bomb-one-line": ("bomb-one-line.mbox.gz", lambda p: _bomb(p, one_line=True)),
    "array-300mb": ("array-300mb.json", lambda p: _array(p, 100_000, 3_000)),
    "array-huge-items": ("array-huge-items.json", lambda p: _array(p, 12, 25_000_000)),
    "jsonl-huge-line": ("jsonl-huge-line.jsonl", _jsonl_huge),
    "csv-huge-cell": ("csv-huge-cell.csv", _csv_huge),
    "csv-unclosed-quote": ("csv-unclosed-quote.csv", _csv_unclosed),
}


def measure(src: Path, pythonpath: str | None) -> dict:
    out = src.with_name(src.name + ".out.jsonl")
    if out.exists():
        out.unlink()
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    # A fresh interpreter per case, so ru_maxrss of the children is this run's peak.
    code = (
        "import resource, subprocess, sys, time; t = time.time();"
        "r = subprocess.run([sys.executable, '-m', 'rejectlens.cli', 'classify', sys.argv[1],"
        " '-o', sys.argv[2], '--quiet', '--force'], capture_output=True, text=True);"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t);"
        "print(r.stderr[-600:], file=sys.stderr)"
    )
    res = subprocess.run([sys.executable, "-c", code, str(src), str(out)], capture_output=True, text=True,
                         env=env)
    rc, rss_kb, seconds = res.stdout.split()
    rows = sum(1 for _ in out.open()) if out.exists() else 0
    return {"exit": int(rc), "peak_rss_mb": round(int(rss_kb) / 1024), "seconds": round(float(seconds), 1),
            "rows": rows, "input_mb": round(src.stat().st_size / 1e6, 1),
            "stderr_tail": res.stderr.strip().splitlines()[-1:] if res.stderr.strip() else []}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=sorted(CASES))
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs")
    ap.add_argument("--pythonpath", help="PYTHONPATH for the measured runs (another source tree)")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.only or CASES:
        filename, build = CASES[name]
        src = OUT / filename
        if not src.exists():
            t = time.time()
            build(src)
            print(f"built {src.name} ({src.stat().st_size / 1e6:.1f} MB) in {time.time() - t:.0f} s",
                  file=sys.stderr)
        results[name] = measure(src, args.pythonpath)
        print(f"{name:18s} {json.dumps(results[name])}", flush=True)
        if not args.keep:
            src.unlink()
        out = src.with_name(src.name + ".out.jsonl")
        if out.exists():
            out.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
