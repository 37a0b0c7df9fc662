"""Write (or check) the stored snapshot of the bundled model's predictions.

    python scripts/snapshot_predictions.py            # check: exit 1 on any difference
    python scripts/snapshot_predictions.py --write    # rewrite tests/data/predictions_snapshot.jsonl.gz

The snapshot holds every output field of every email in ``data/`` (the written
corpus, the composed emails and the examples read from their JSONL, CSV and
mbox files), so a change meant to make classification faster can show that it
gives the same answers (tests/test_snapshot.py). Rewrite it only when the model
or a labelling rule changes on purpose, and say so in the commit.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "predictions_snapshot.jsonl.gz"


def inputs() -> list[tuple[str, list]]:
    """(name, list of emails) of every source the snapshot covers, in a fixed order."""
    from rejectlens.readers import read_messages
    from rejectlens.records import read_records

    out = []
    written = sorted((ROOT / "data" / "written").glob("*.jsonl"))
    for path in [*written, ROOT / "data" / "composed" / "composed.jsonl"]:
        rows = [{k: r.get(k) for k in ("id", "subject", "sender", "body")} for r in read_records(path)]
        out.append((str(path.relative_to(ROOT)), rows))
    ex = ROOT / "data" / "examples"
    out.append(("data/examples/inbox.jsonl", list(read_messages(ex / "inbox.jsonl"))))
    out.append(("data/examples/inbox.csv",
                list(read_messages(ex / "inbox.csv", body="text", id="message_id"))))
    out.append(("data/examples/inbox.mbox", list(read_messages(ex / "inbox.mbox"))))
    return out


def predictions(model=None) -> list[dict]:
    """One JSON-ready row per email: the source, then every output field."""
    import rejectlens

    model = model or rejectlens.load()
    rows = []
    for name, emails in inputs():
        for p in model.classify_many(emails):
            rows.append({"source": name, **p.to_dict()})
    return rows


def compact(row: dict) -> dict:
    """The row as stored: evidence sentences as a 12-character hash each (they
    are most of the bytes, and a changed sentence changes its hash)."""
    ev = row.get("evidence")
    if ev:
        row = {**row, "evidence": {k: hashlib.sha256(v.encode()).hexdigest()[:12] for k, v in ev.items()}}
    return row


def _line(row: dict) -> str:
    return json.dumps(compact(row), ensure_ascii=False)


def read_snapshot(path: Path = SNAPSHOT) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the snapshot")
    args = ap.parse_args(argv)
    rows = predictions()
    if args.write:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0: the same predictions give the same bytes
        with open(SNAPSHOT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write("".join(_line(r) + "\n" for r in rows).encode("utf-8"))
        print(f"{len(rows)} predictions written to {SNAPSHOT.relative_to(ROOT)}")
        return 0
    stored = read_snapshot()
    # round-trip through JSON so tuples compare as the lists stored
    now = [json.loads(_line(r)) for r in rows]
    diff = [i for i, (a, b) in enumerate(zip(stored, now)) if a != b]
    if len(stored) != len(now) or diff:
        print(f"{len(diff)} of {len(now)} rows differ (stored {len(stored)} rows); first: "
              f"{diff[:5]}", file=sys.stderr)
        return 1
    print(f"all {len(now)} predictions equal the snapshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
