"""Decision sentences: which sentence, if any, states that this application ends.

A rejection is a decision stated about one application. The email-level bag
of words learns which words rejections use ("thank you for applying", "your
application"), and acknowledgements use the same words. So every sentence is
also scored on its own by a model trained on sentences: positives are the
sentences the team marked as *the* decision in its rejections
(``data/decisions/``); negatives are every other sentence, the rest of those
rejections included, all sentences of acknowledgements, invitations, offers,
candidates' own mail and non-job mail. Sentences carry the clause-scope marks
of :mod:`rejectlens.analyse`, so "if you are not selected, ..." is a different
sentence from "you were not selected".

Each email then gets two features: the strongest sentence's probability and
how many sentences pass 0.5. Training scores its own emails out-of-fold (as
scikit-learn's ``TargetEncoder`` does), so the heads never learn from
sentence scores that saw the email's own label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.special import expit

from .analyse import Analysis

__all__ = ["COUNT_CAP", "DECISION_FEATURES", "decision_features", "sentence_proba", "sentence_targets"]

DECISION_FEATURES: tuple[str, ...] = ("decision__max", "decision__count")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_MIN_WORDS = 3
COUNT_CAP = 3


def _norm(text: str) -> str:
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


def sentence_targets(a: Analysis, decisions: Sequence[str] | None, is_rejection) -> np.ndarray:
    """One target per sentence of ``a``: 1 decision, 0 not, -1 unknown.

    ``decisions`` are the marked decision sentences of a rejection (text from
    the raw body; cleaning may have re-wrapped or re-quoted it, so matching
    is on words). A non-rejection's sentences are all 0; a rejection without
    marks is unknown.
    """
    n = len(a.sentences)
    if is_rejection is False:
        return np.zeros(n, np.int8)
    if not decisions:
        return np.full(n, -1, np.int8)
    marks = [_norm(d) for d in decisions]
    out = np.zeros(n, np.int8)
    for k, sent in enumerate(a.sentence_texts()):
        s = _norm(sent)
        if len(s.split()) < _MIN_WORDS and not any(m == s for m in marks):
            continue
        if any(s in m or (len(m.split()) >= 5 and m in s) for m in marks):
            out[k] = 1
    if not out.any():  # marks that no longer match after cleaning: do not guess
        return np.full(n, -1, np.int8)
    return out


def decision_features(sentence_scores: np.ndarray, n_sentences: Sequence[int]) -> np.ndarray:
    """(emails, 2): the highest sentence probability and the capped count of
    sentences above 0.5, from the probabilities of all sentences in order."""
    n = np.asarray(n_sentences, dtype=np.int64)
    out = np.zeros((len(n), 2))
    has = n > 0
    if has.any():
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])[has]
        out[has, 0] = np.maximum.reduceat(sentence_scores, starts)
        hits = np.add.reduceat((sentence_scores >= 0.5).astype(np.int64), starts)
        out[has, 1] = np.minimum(hits, COUNT_CAP) / COUNT_CAP
    return out


def sentence_proba(S, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Probability that each sentence row of ``S`` states a decision."""
    return expit(np.asarray(S @ coef).ravel() + intercept)
