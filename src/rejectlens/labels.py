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
LABEL_FIELDS: tuple[str, ...] = (
    "is_rejection",
    "personalization",
    "reasons",
    "stage",
    "feedback_offered",
    "reapply_encouraged",
)
REJECTION_ONLY: tuple[str, ...] = LABEL_FIELDS[1:]

SCHEMA_VERSION = 1


def schema() -> dict:
    """The label schema as JSON-ready data (stored in every model manifest)."""
    return {
        "version": SCHEMA_VERSION,
        "is_rejection": "bool",
        "personalization": list(PERSONALIZATION),
        "reasons": list(REASONS),
        "stage": list(STAGES),
        "feedback_offered": "bool",
        "reapply_encouraged": "bool",
    }
