"""Metrics of a Classifier on labeled records, field by field, as the contract reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sklearn.metrics import f1_score, precision_recall_fscore_support

from .data import validate_labels
from .labels import REASONS, STAGES
from .model import Classifier

__all__ = ["evaluate", "format_metrics"]


def _prf(y_true, y_pred, **kw) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, zero_division=0, **kw)
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4)}


def evaluate(model: Classifier, records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-field metrics end to end: a rejection-only field counts as wrong
    when the model missed the rejection, just as a user would see it."""
    records = list(records)
    validate_labels(records)
    preds = list(model.classify_many(records))
    out: dict[str, Any] = {"n": len(records)}
    pairs = [(r, p) for r, p in zip(records, preds) if r.get("is_rejection") is not None]
    if pairs:
        out["is_rejection"] = _prf(
            [bool(r["is_rejection"]) for r, _ in pairs], [bool(p.is_rejection) for _, p in pairs],
            average="binary",
        )
        out["is_rejection"]["n"] = len(pairs)
    rej = [(r, p) for r, p in zip(records, preds) if r.get("is_rejection")]

    def labelled(field):
        return [(r, p) for r, p in rej if r.get(field) is not None]

    if pz := labelled("personalization"):
        t = [r["personalization"] for r, _ in pz]
        y = [p.personalization or "none" for _, p in pz]
        out["personalization"] = {
            "macro_f1": round(float(f1_score(t, y, labels=["generic", "personalized"],
                                             average="macro", zero_division=0)), 4),
            "n": len(pz),
        }
    if st := labelled("stage"):
        t = [r["stage"] for r, _ in st]
        y = [p.stage or "none" for _, p in st]
        out["stage"] = {
            "macro_f1": round(float(f1_score(t, y, labels=list(STAGES), average="macro",
                                             zero_division=0)), 4),
            "n": len(st),
        }
    for field in ("feedback_offered", "reapply_encouraged"):
        if fb := labelled(field):
            out[field] = _prf([bool(r[field]) for r, _ in fb],
                              [bool(getattr(p, field)) for _, p in fb], average="binary")
            out[field]["n"] = len(fb)
    if rs := labelled("reasons"):
        t = [[int(x in r["reasons"]) for x in REASONS] for r, _ in rs]
        y = [[int(x in (p.reasons or ())) for x in REASONS] for _, p in rs]
        out["reasons"] = _prf(t, y, average="micro")
        out["reasons"]["n"] = len(rs)
        per = {}
        for j, x in enumerate(REASONS):
            tj = [row[j] for row in t]
            if sum(tj):
                per[x] = _prf(tj, [row[j] for row in y], average="binary")
                per[x]["support"] = sum(tj)
        out["reasons"]["per_label"] = per
    return out


def format_metrics(metrics: Mapping[str, Any]) -> str:
    """A small text table of the headline number per field."""
    rows = [("field", "metric", "value", "n")]
    for field, key in (
        ("is_rejection", "f1"), ("personalization", "macro_f1"), ("reasons", "f1"),
        ("stage", "macro_f1"), ("feedback_offered", "f1"), ("reapply_encouraged", "f1"),
    ):
        if field in metrics:
            m = metrics[field]
            name = "micro_f1" if field == "reasons" else key
            rows.append((field, name, f"{m[key]:.3f}", str(m.get("n", ""))))
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, width)) for r in rows]
    if "reasons" in metrics and metrics["reasons"].get("per_label"):
        lines.append("")
        lines.append("reasons per label (precision / recall / f1, support)")
        for label, m in metrics["reasons"]["per_label"].items():
            lines.append(f"  {label:20s} {m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f}  "
                         f"({m['support']})")
    return "\n".join(lines)
