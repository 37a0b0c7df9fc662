"""The label schema of labeling-guide.md, as constants the code checks against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

REASONS: tuple[str, ...] = (
    "other_candidates",
    "position_filled",
    "position_closed",
    "qualifications",
    "overqualified",
    "assessment",
    "location",
    "work_authorization",
    "compensation",
    "culture_fit",
    "internal_candidate",
    "high_volume",
    "timing",
)
STAGES: tuple[str, ...] = ("screening", "interview", "unknown")
PERSONALIZATION: tuple[str, ...] = ("generic", "personalized")

# Fields of a labeled record, and the ones that only apply to rejections.
# ``job_related`` gates the rest: only job-search mail can be a rejection.
LABEL_FIELDS: tuple[str, ...] = (
    "job_related",
    "is_rejection",
    "personalization",
    "reasons",
    "stage",
    "feedback_offered",
    "reapply_encouraged",
)
REJECTION_ONLY: tuple[str, ...] = LABEL_FIELDS[2:]
BOOL_FIELDS: tuple[str, ...] = ("job_related", "is_rejection", "feedback_offered", "reapply_encouraged")

SCHEMA_VERSION = 2

# `rejectlens suggest` writes its guess for each label beside the empty label
# column ("is_rejection_guess"): a guess, never a label.
GUESS_SUFFIX = "_guess"
# Name of the threshold on job_related's probability that a rejection must
# also pass (tuned with the is_rejection head; see thresholds.tune_gate).
JOB_GATE = "job_related:gate"


def schema() -> dict:
    """The label schema as JSON-ready data (stored in every model manifest)."""
    return {
        "version": SCHEMA_VERSION,
        "job_related": "bool",
        "is_rejection": "bool",
        "personalization": list(PERSONALIZATION),
        "reasons": list(REASONS),
        "stage": list(STAGES),
        "feedback_offered": "bool",
        "reapply_encouraged": "bool",
    }


def job_related_target(record) -> bool | None:
    """The ``job_related`` label of a record, with the guide's default.

    A record without it is job-related when it is a rejection (every
    rejection is) and unlabelled otherwise.
    """
    v = record.get("job_related")
    if isinstance(v, bool):
        return v
    if v is not None and not (isinstance(v, float) and v != v):
        return bool(v)
    return True if record.get("is_rejection") is True else None


# ---- head names at run time -------------------------------------------------------
# A head is named after the label field it predicts; each reason has a head of
# its own. Evidence keys name what a sentence shows: a reason, "personalized",
# or the decision itself (DECISION_EVIDENCE).
REASON_HEAD_PREFIX = "reason:"
DECISION_EVIDENCE = "decision"


def reason_head(reason: str) -> str:
    """The name of the head that predicts ``reason`` (``"reason:<reason>"``)."""
    return REASON_HEAD_PREFIX + reason


def evidence_head(key: str) -> str:
    """The head whose decision an evidence key backs up."""
    if key == DECISION_EVIDENCE:
        return "is_rejection"
    return "personalization" if key == "personalized" else reason_head(key)


# ---- heads: the outputs the model learns, and which rows teach each one -----------
BINARY_HEADS: tuple[str, ...] = (
    "job_related",
    "is_rejection",
    "personalization",
    "feedback_offered",
    "reapply_encouraged",
    *(reason_head(r) for r in REASONS),
)
HEADS: tuple[str, ...] = (*BINARY_HEADS, "stage")
# Heads that only mean something for a rejection (the fields of REJECTION_ONLY).
REJECTION_ONLY_HEADS: tuple[str, ...] = tuple(h for h in HEADS if h not in ("job_related", "is_rejection"))


def is_labelled(v: Any) -> bool:
    """A label value that says something: None and NaN mean "not labelled"."""
    return v is not None and not (isinstance(v, float) and v != v)


def head_targets(y: Mapping[str, Sequence[Any]],
                 judging: bool = False) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For every head with labels in ``y`` (field -> one value per row): (row
    indices, 1-D target) -- the one place saying which rows teach which head.

    Missing values (None/NaN) mean "not labelled" and drop the row for that
    head only. ``is_rejection`` learns from job mail only; rejection-only
    heads from rows not labelled as non-rejections. Targets are 0/1, stage
    the index into ``STAGES``. ``judging=True`` gives the rows a prediction is
    judged on instead: ``is_rejection`` on every labelled row (a bank alert
    called a rejection is an error even though no head learns from it), the
    rejection-only heads on rows labelled as rejections.
    """
    if not y:
        return {}
    n = len(next(iter(y.values())))
    is_rej = list(y.get("is_rejection", [None] * n))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def rows_where(keep) -> np.ndarray:
        return np.array([i for i in range(n) if keep(i)], dtype=int)

    def rejection_rows(values) -> np.ndarray:
        if judging:  # judged on labelled rejections only, as the metrics are
            return rows_where(lambda i: is_labelled(values[i]) and is_labelled(is_rej[i]) and bool(is_rej[i]))
        return rows_where(lambda i: is_labelled(values[i]) and is_rej[i] is not False and is_rej[i] != 0)

    if "job_related" in y:
        vals = y["job_related"]
        rows = rows_where(lambda i: is_labelled(vals[i]))
        out["job_related"] = (rows, np.array([int(bool(vals[i])) for i in rows]))
    if "is_rejection" in y:
        # Only job mail can be a rejection: the job_related head answers for
        # the rest, and a refused rental would teach this head that decisions
        # are not rejections.
        job = y.get("job_related", [None] * n)
        non_job = [is_labelled(v) and not bool(v) for v in job]
        rows = rows_where(lambda i: is_labelled(is_rej[i]) and (judging or not non_job[i]))
        out["is_rejection"] = (rows, np.array([int(bool(is_rej[i])) for i in rows]))
    if "personalization" in y:
        vals = y["personalization"]
        rows = rejection_rows(vals)
        out["personalization"] = (rows, np.array([int(vals[i] == "personalized") for i in rows]))
    for name in ("feedback_offered", "reapply_encouraged"):
        if name in y:
            vals = y[name]
            rows = rejection_rows(vals)
            out[name] = (rows, np.array([int(bool(vals[i])) for i in rows]))
    if "reasons" in y:
        vals = y["reasons"]
        rows = rejection_rows(vals)
        for r in REASONS:
            out[reason_head(r)] = (rows, np.array([int(r in vals[i]) for i in rows]))
    if "stage" in y:
        vals = y["stage"]
        rows = rejection_rows(vals)
        out["stage"] = (rows, np.array([STAGES.index(vals[i]) for i in rows]))
    return out
