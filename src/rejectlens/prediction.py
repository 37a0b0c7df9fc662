"""The result of classifying one email: a frozen dataclass with the output contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .labels import REJECTION_ONLY

__all__ = ["OUTPUT_FIELDS", "REJECTION_ONLY_OUTPUTS", "Prediction"]

# Column order of every output record (JSON, CSV, DataFrame).
OUTPUT_FIELDS: tuple[str, ...] = (
    "id",
    "job_related",
    "job_related_score",
    "language",
    "is_rejection",
    "rejection_score",
    "personalization",
    "personalization_score",
    "reasons",
    "reason_scores",
    "stage",
    "stage_scores",
    "feedback_offered",
    "reapply_encouraged",
    "evidence",
    "signals",
    "error",
)

# Output fields that only say something about a rejection: the labels that
# apply to rejections only (labels.REJECTION_ONLY), their scores and the
# evidence behind them. They are None whenever is_rejection is not True.
_SCORES_OF = {"personalization": "personalization_score", "reasons": "reason_scores",
              "stage": "stage_scores"}
REJECTION_ONLY_OUTPUTS: tuple[str, ...] = tuple(
    f for f in OUTPUT_FIELDS
    if f in REJECTION_ONLY or f in {_SCORES_OF.get(label) for label in REJECTION_ONLY} or f == "evidence"
)


_PLAIN = frozenset({str, bool, float, int})


@dataclass(frozen=True)
class Prediction:
    """What rejectlens says about one email.

    Rejection-only fields (``REJECTION_ONLY_OUTPUTS``: ``personalization``
    through ``evidence``) are None when the email is not a rejection. ``is_rejection`` is only ever True for
    job-related mail (``job_related``; None when the model has no such head).
    ``language`` is the ISO 639-1 code of the text (labels are reliable for
    ``"en"`` only). When the email could not be read, ``error`` says why and
    every label field is None.
    """

    id: str | None
    is_rejection: bool | None
    rejection_score: float | None
    personalization: str | None = None
    personalization_score: float | None = None
    reasons: tuple[str, ...] | None = None
    reason_scores: Mapping[str, float] | None = None
    stage: str | None = None
    stage_scores: Mapping[str, float] | None = None
    feedback_offered: bool | None = None
    reapply_encouraged: bool | None = None
    evidence: Mapping[str, str] | None = None
    signals: tuple[str, ...] = field(default_factory=tuple)
    error: str | None = None
    job_related: bool | None = None
    job_related_score: float | None = None
    language: str | None = None

    def __hash__(self) -> int:
        # The generated hash would fail on the score and evidence mappings.
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                          for v in (getattr(self, f) for f in OUTPUT_FIELDS)))

    @classmethod
    def failed(cls, id: str | None, error: str) -> Prediction:
        return cls(id=id, is_rejection=None, rejection_score=None, error=error)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the fields in contract order."""
        out: dict[str, Any] = {}
        for name in OUTPUT_FIELDS:
            value = getattr(self, name)
            if value is None or type(value) in _PLAIN:
                pass  # most fields: skip the slow isinstance(…, Mapping) check
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[name] = value
        return out
