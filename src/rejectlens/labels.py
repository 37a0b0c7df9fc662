"""The label schema of labeling-guide.md, as constants the code checks against."""

from __future__ import annotations

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
# Name of the threshold on job_related's probability that a rejection must
# also pass (tuned with the is_rejection head; see heads.tune_gate).
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
