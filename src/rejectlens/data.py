"""The old home of labelled data and the corpus, kept so existing imports work.

Labelled records (read, validate, hash) live in :mod:`rejectlens.records`;
the project corpus (load, splits, check, coverage, tags) in
:mod:`rejectlens.corpus`. New code imports from there.
"""

from __future__ import annotations

from .corpus.check import MINIMUMS, NEAR_DUPLICATE, CheckReport, check_corpus, coverage
from .corpus.load import bundled_corpus, load_corpus
from .corpus.splits import DEV_SHARE, SPLITS, TEST_SHARE, assign_splits, split_records
from .corpus.tags import (
    ATS_STYLE_TAGS,
    CONTRASTIVE_PAIR_TAGS,
    HARD_NEGATIVE_TAGS,
    JOB_NON_REJECTION_TAGS,
    KNOWN_TAGS,
    NON_JOB_APPLICATION_TAGS,
    NON_JOB_REFUSAL_TAGS,
    NON_JOB_TAGS,
    ORIGINS,
    REJECTION_SHAPE_TAGS,
    SPECIAL_REJECTION_TAGS,
)
from .records import NO_REASON, data_hash, missing_as_none, read_records, validate_labels

__all__ = [
    "ATS_STYLE_TAGS",
    "CONTRASTIVE_PAIR_TAGS",
    "DEV_SHARE",
    "HARD_NEGATIVE_TAGS",
    "JOB_NON_REJECTION_TAGS",
    "KNOWN_TAGS",
    "MINIMUMS",
    "NEAR_DUPLICATE",
    "NON_JOB_APPLICATION_TAGS",
    "NON_JOB_REFUSAL_TAGS",
    "NON_JOB_TAGS",
    "NO_REASON",
    "ORIGINS",
    "REJECTION_SHAPE_TAGS",
    "SPECIAL_REJECTION_TAGS",
    "SPLITS",
    "TEST_SHARE",
    "CheckReport",
    "assign_splits",
    "bundled_corpus",
    "check_corpus",
    "coverage",
    "data_hash",
    "load_corpus",
    "missing_as_none",
    "read_records",
    "split_records",
    "validate_labels",
]
