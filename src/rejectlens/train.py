"""Training: labeled records in, a fitted Classifier out."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from .analyse import default_cue_patterns
from .data import data_hash, validate_labels
from .errors import DataError
from .features import EmailVectorizer
from .heads import RejectionHeads
from .ingest import to_email
from .labels import LABEL_FIELDS
from .model import Classifier

__all__ = ["train"]


def train(
    records: Iterable[Mapping[str, Any]],
    *,
    seed: int = 0,
    C: float = 8.0,
    threshold_cv: int = 5,
    min_df: int = 2,
    cue_weight: float = 1.0,
    patterns: Mapping[str, list[str]] | None = None,
) -> Classifier:
    """Fit a Classifier on labeled records.

    Each record needs ``body`` and any subset of the label fields of the
    labeling guide; a head trains where its labels exist. A ``group`` field,
    when present, keeps one template family inside one fold while thresholds
    are tuned, so they are not tuned on near-copies of the training emails.
    """
    records = list(records)
    if not records:
        raise DataError("no records to train on")
    validate_labels(records)
    present = [f for f in LABEL_FIELDS if any(r.get(f) is not None for r in records)]
    if not present:
        raise DataError(
            "no label columns found; expected at least one of: " + ", ".join(LABEL_FIELDS)
        )
    started = time.perf_counter()
    patterns = dict(patterns or default_cue_patterns())
    vectorizer = EmailVectorizer(min_df=min_df, cue_weight=cue_weight, cue_names=sorted(patterns))
    heads = RejectionHeads(C=C, threshold_cv=threshold_cv, random_state=seed)
    model = Classifier(vectorizer, heads, patterns)
    emails = [to_email(r) for r in records]
    analyses = model.analyse(emails)
    X = vectorizer.fit_transform(analyses)
    y = {f: [r.get(f) for r in records] for f in present}
    if "is_rejection" in y:
        # Composed emails are all rejections built from fragments; letting them
        # into the is_rejection head would teach it "looks composed".
        y["is_rejection"] = [
            None if r.get("origin") == "composed" else v for r, v in zip(records, y["is_rejection"])
        ]
    groups = [r.get("group") for r in records]
    heads.fit(X, y, groups=groups if all(g is not None for g in groups) else None)
    model.manifest = {
        "training": {
            "data_hash": data_hash(records),
            "n_records": len(records),
            "label_fields": present,
            "class_counts": heads.class_counts_,
            "seed": seed,
            "params": {"C": C, "threshold_cv": threshold_cv, "min_df": min_df,
                       "cue_weight": cue_weight},
            "seconds": round(time.perf_counter() - started, 2),
        }
    }
    return model
