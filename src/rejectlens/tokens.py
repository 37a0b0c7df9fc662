"""Word tokens as the vectorizer reads them: hashed ids, sentence and character spans.

The analyse stage reads every token attribute it needs with one
``Doc.to_array(TOKEN_ATTRS)`` call; the ``COL_*`` names index its columns.
Everything here is numpy over that array: no Python object per token.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER, SENT_START, SHAPE

__all__ = [
    "COL_IDX",
    "COL_LEN",
    "COL_LOWER",
    "COL_NUM",
    "COL_PUNCT",
    "COL_SENT",
    "COL_SHAPE",
    "COL_SPACE",
    "SCOPE_SALT",
    "TOKEN_ATTRS",
    "token_arrays",
]

TOKEN_ATTRS = [LOWER, SHAPE, LIKE_NUM, IS_PUNCT, IS_SPACE, IDX, LENGTH, SENT_START]
COL_LOWER, COL_SHAPE, COL_NUM, COL_PUNCT, COL_SPACE, COL_IDX, COL_LEN, COL_SENT = range(len(TOKEN_ATTRS))

# A scoped token is its own feature: its id is salted by its clause scope
# (index into scopes.SCOPES), so "not selected" in "if you are not selected,
# ..." and in "you were not selected" are different words to the model.
SCOPE_SALT = np.array([0, 0x5DEECE66D1F3A2B7, 0x2545F4914F6CDD1D, 0x9E3779B97F4A7C15],
                      dtype=np.uint64)
_DIGIT_RUN = re.compile(r"\d+")


def token_arrays(arr: np.ndarray, text: str, sents: tuple[tuple[int, int], ...], scope: np.ndarray):
    """(ids, sentence, start, end, scope) of the word tokens (no spaces or
    punctuation) of one doc, from its ``to_array(TOKEN_ATTRS)`` rows."""
    keep = (arr[:, COL_PUNCT] == 0) & (arr[:, COL_SPACE] == 0)
    kept = arr[keep]
    scope = scope[keep]
    start = kept[:, COL_IDX].astype(np.int64)
    end = start + kept[:, COL_LEN].astype(np.int64)
    # Requisition numbers, dates and phone numbers are mail-merge noise: a
    # token holding a digit is represented by its shape ("REQ-48213" -> "XXX-dddd").
    use_shape = kept[:, COL_NUM] == 1
    digits = [m.start() for m in _DIGIT_RUN.finditer(text)]
    if digits and len(start):
        hit = np.searchsorted(start, np.asarray(digits), side="right") - 1
        hit = hit[(hit >= 0) & (np.asarray(digits) < end[np.maximum(hit, 0)])]
        use_shape[hit] = True
    ids = np.where(use_shape, kept[:, COL_SHAPE], kept[:, COL_LOWER]).astype(np.uint64) ^ SCOPE_SALT[scope]
    sent_starts = np.fromiter((s for s, _ in sents), dtype=np.int64, count=len(sents))
    sent = np.searchsorted(sent_starts, start, side="right") - 1
    return ids, np.maximum(sent, 0), start, end, scope
