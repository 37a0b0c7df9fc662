"""Deterministic train / dev / test splits of the corpus, by template group."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import DataError

__all__ = ["DEV_SHARE", "SPLITS", "TEST_SHARE", "assign_splits", "split_records"]

SPLITS = ("train", "dev", "test")
TEST_SHARE = 0.22
DEV_SHARE = 0.12


def _group_hash(group: str) -> str:
    return hashlib.sha256(group.encode("utf-8")).hexdigest()


def assign_splits(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Deterministic split by group: returns group -> "train" | "dev" | "test".

    Groups are ordered by a hash of their name and dealt to test until it
    holds >= 22% of written emails, then to dev until >= 12%; composed-only
    groups always train.
    """
    written = Counter(r["group"] for r in records if r.get("origin") == "written")
    total = sum(written.values())
    out = {g: "train" for g in {r["group"] for r in records}}
    filled = {"test": 0, "dev": 0}
    for g in sorted(written, key=_group_hash):
        if filled["test"] < TEST_SHARE * total:
            out[g] = "test"
            filled["test"] += written[g]
        elif filled["dev"] < DEV_SHARE * total:
            out[g] = "dev"
            filled["dev"] += written[g]
    return out


def split_records(records: Sequence[Mapping[str, Any]], split: str) -> list[Mapping[str, Any]]:
    """The records of one split; composed records only ever appear in train."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    splits = assign_splits(records)
    return [
        r for r in records
        if splits[r["group"]] == split and (split == "train" or r.get("origin") == "written")
    ]
