"""Predictions of the bundled model equal the stored snapshot, row for row.

The snapshot (tests/data/predictions_snapshot.jsonl.gz, written by
scripts/snapshot_predictions.py) was taken before the speed work of issue 13:
faster code must give the same answers on every email of data/.
"""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("snapshot_predictions",
                                                  ROOT / "scripts" / "snapshot_predictions.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_predictions_equal_the_snapshot(default_model):
    snap = _script()
    stored = snap.read_snapshot()
    now = [json.loads(snap._line(r)) for r in snap.predictions(default_model)]
    assert len(now) == len(stored) > 6000
    diff = [(a["source"], a["id"]) for a, b in zip(now, stored) if a != b]
    assert not diff, f"{len(diff)} predictions changed, first: {diff[:5]}"


def test_snapshot_covers_rejections_with_evidence_and_every_source():
    rows = _script().read_snapshot()
    assert sum(bool(r["evidence"]) for r in rows) > 1000
    assert {r["source"] for r in rows} >= {"data/examples/inbox.mbox", "data/composed/composed.jsonl"}
