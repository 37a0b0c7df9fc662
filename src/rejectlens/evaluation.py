"""Metrics of a Classifier on labeled records, field by field, as the contract reads.

A rejection-only field counts as wrong when the model missed the rejection
itself ("none" in the confusion matrices), just as a user would see it.
:func:`measure` returns data only (an :class:`Evaluation`);
:mod:`rejectlens.evaluation_report` turns that data into files and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .evaluation_report import format_metrics
from .labels import LABEL_FIELDS, PERSONALIZATION, REASONS, STAGES, job_related_target
from .model import Classifier
from .prediction import Prediction
from .records import as_records, refuse_misspelt_labels, validate_labels

__all__ = ["Evaluation", "evaluate", "format_metrics", "measure"]

BOOL_FIELDS = ("job_related", "is_rejection", "feedback_offered", "reapply_encouraged")
_GATES = ("job_related", "is_rejection")  # measured on every record, not only on rejections


def _prf(y_true, y_pred, **kw) -> dict[str, float]:
    # No positive labels and none predicted is perfect (1.0), not 0.0: a
    # held-out check on rows without rejections must still see a model that
    # starts calling them rejections (F1 then 0.0). Anything else undefined stays 0.
    if not np.any(y_true) and not np.any(y_pred) and len(y_true):
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, zero_division=0, **kw)
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4)}


def _per_class(y_true, y_pred, labels) -> dict[str, dict[str, float]]:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return {
        str(c): {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                 "f1": round(float(f[i]), 4), "support": int(s[i])}
        for i, c in enumerate(labels)
    }


def _confusion(y_true, y_pred, rows, cols) -> dict[str, Any]:
    m = confusion_matrix(y_true, y_pred, labels=list(cols))
    keep = [list(cols).index(r) for r in rows]
    return {"rows": [str(r) for r in rows], "cols": [str(c) for c in cols],
            "matrix": m[keep].tolist()}


@dataclass(frozen=True, eq=False)
class Evaluation:
    """One evaluation as data: the metrics and what they were measured on.

    ``eq=False``: it holds numpy arrays and whole record lists, so two
    evaluations compare by identity; compare their ``metrics`` instead.
    """

    metrics: dict[str, Any]  # JSON-ready; what :func:`evaluate` returns
    records: tuple[dict[str, Any], ...]  # as measured: missing labels None, job_related filled in
    predictions: tuple[Prediction, ...]
    # Raw head probabilities (Classifier.predict_proba) for curves; None unless asked for.
    probabilities: dict[str, np.ndarray] | None = None


def evaluate(
    model: Classifier, records: Iterable[Mapping[str, Any]], report: str | Path | None = None
) -> dict[str, Any]:
    """Per-field precision / recall / F1 (per label for reasons) and confusion matrices.

    Records may hold any subset of the label fields; each field is measured
    where it is labelled. With ``report`` (a directory), also writes
    ``metrics.json``, ``report.md`` and PNG plots (needs the ``report`` extra)
    through :func:`rejectlens.evaluation_report.write_report`.
    """
    evaluation = measure(model, records, probabilities=report is not None)
    if report is not None:
        from .evaluation_report import write_report

        write_report(evaluation, report)
    return evaluation.metrics


def measure(model: Classifier, records: Iterable[Mapping[str, Any]], *,
            probabilities: bool = False) -> Evaluation:
    """The metrics of :func:`evaluate` with the records and predictions behind
    them, and the raw head probabilities when ``probabilities`` is true."""
    records = as_records(records)
    validate_labels(records)
    refuse_misspelt_labels(records)
    job_labelled = any(r.get("job_related") is not None for r in records)
    for r in records:
        r["job_related"] = job_related_target(r)
    preds = list(model.classify_many(records))
    proba = model.predict_proba(records) if probabilities else None
    return Evaluation(_metrics(records, preds, job_labelled), tuple(records), tuple(preds), proba)


def _metrics(records: list[dict[str, Any]], preds: list[Prediction],
             job_labelled: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(records),
                           "labelled": sum(any(r.get(k) is not None for k in LABEL_FIELDS) for r in records)}
    labelled_rej = [r.get("is_rejection") for r in records]
    for field in BOOL_FIELDS:
        pairs = [
            (r, p) for r, p in zip(records, preds)
            if r.get(field) is not None and (field in _GATES or r.get("is_rejection"))
        ]
        if field == "job_related":
            # a model without the head reads everything as job mail
            pairs = [(r, p) for r, p in pairs if p.error is None]
        # job_related only defaulted (every rejection is job mail) holds one
        # class and says nothing; labelled by the user, even one class counts
        # (a held-out check must see a model that stops calling job mail job mail).
        if not pairs or (field == "job_related" and not job_labelled
                         and len({bool(r[field]) for r, _ in pairs}) < 2):
            continue
        t = [bool(r[field]) for r, _ in pairs]
        y = [getattr(p, field) is not False if field == "job_related" else bool(getattr(p, field))
             for _, p in pairs]
        out[field] = {**_prf(t, y, average="binary"), "n": len(pairs),
                      "confusion": _confusion(t, y, [False, True], [False, True])}
    rej = [(r, p) for r, p, g in zip(records, preds, labelled_rej) if g]
    for field, classes in (("personalization", PERSONALIZATION), ("stage", STAGES)):
        pairs = [(r, p) for r, p in rej if r.get(field) is not None]
        if not pairs:
            continue
        t = [r[field] for r, _ in pairs]
        y = [getattr(p, field) or "none" for _, p in pairs]
        # over the classes that occur: five screening rejections all read right
        # score 1.0, not 1/3 for the two classes nobody labelled or predicted
        present = [c for c in classes if c in t or c in y]
        out[field] = {
            "macro_f1": round(float(f1_score(t, y, labels=present, average="macro", zero_division=0)), 4),
            "accuracy": round(float(np.mean([a == b for a, b in zip(t, y)])), 4),
            "n": len(pairs),
            "per_class": _per_class(t, y, classes),
            "confusion": _confusion(t, y, classes, [*classes, "none"]),
        }
    pairs = [(r, p) for r, p in rej if r.get("reasons") is not None]
    if pairs:
        t = np.array([[int(x in r["reasons"]) for x in REASONS] for r, _ in pairs])
        y = np.array([[int(x in (p.reasons or ())) for x in REASONS] for _, p in pairs])
        out["reasons"] = {**_prf(t, y, average="micro"), "n": len(pairs)}
        out["reasons"]["macro_f1"] = round(float(f1_score(
            t[:, t.sum(axis=0) > 0], y[:, t.sum(axis=0) > 0], average="macro", zero_division=0)), 4)
        out["reasons"]["exact_match"] = round(float((t == y).all(axis=1).mean()), 4)
        per = {}
        for j, x in enumerate(REASONS):
            if t[:, j].sum() or y[:, j].sum():
                per[x] = {**_prf(t[:, j], y[:, j], average="binary"), "support": int(t[:, j].sum())}
        out["reasons"]["per_label"] = per
    return out
