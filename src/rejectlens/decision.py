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

A second sentence model reads the *near misses*: sentences that sound like a
decision and are not one ("the role is on hold, but we are keeping every
candidate in the process"). A bag of words gives such a sentence the weight of
its words; the decision model, which only sees such sentences as one negative
among thousands, scores "on hold ... candidates ... process" as a release. The
near-miss model learns them from contrast twins (:func:`twin_indices`): two
emails of one group that share much of their text and differ in the few words
that make one a rejection. The sentences only the non-rejection twin holds are its
positives; every other sentence is a negative. Its strongest sentence is one
more email feature (``near_miss__max``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.special import expit

from .analyse import Analysis

__all__ = [
    "COUNT_CAP",
    "DECISION_FEATURES",
    "NEAR_MISS_FEATURES",
    "decision_features",
    "near_miss_features",
    "near_miss_targets",
    "per_email",
    "sentence_proba",
    "sentence_targets",
    "twin_indices",
]

DECISION_FEATURES: tuple[str, ...] = ("decision__max", "decision__count")
NEAR_MISS_FEATURES: tuple[str, ...] = ("near_miss__max",)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_MIN_WORDS = 3
COUNT_CAP = 3
_TWIN_OVERLAP = 0.3


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


def twin_indices(groups: Sequence[object] | None, is_rejection: Sequence[bool | None],
                 job_related: Sequence[bool | None]) -> list[int | None]:
    """The contrast twin of each email, by index, or None.

    Twins are the only two emails of a group, both job mail, one labelled a
    rejection and the other not. Whether they really are near-twins (and not
    two letters of one template family) is left to :func:`near_miss_targets`,
    which reads their sentences.
    """
    out: list[int | None] = [None] * len(is_rejection)
    if groups is None:
        return out
    members: dict[object, list[int]] = {}
    for i, g in enumerate(groups):
        if g is not None:
            members.setdefault(g, []).append(i)
    for pair in members.values():
        if len(pair) != 2:
            continue
        i, j = pair
        rej = (is_rejection[i], is_rejection[j])
        if None in rej or rej[0] == rej[1] or job_related[i] is False or job_related[j] is False:
            continue
        out[i], out[j] = j, i
    return out


def near_miss_targets(analyses: Sequence[Analysis], twins: Sequence[int | None],
                      is_rejection: Sequence[bool | None]) -> np.ndarray:
    """One 0/1 target per sentence of every email, in order: 1 for a sentence of
    a non-rejection that its rejection twin does not hold.

    A pair counts only when the twins share enough of their words (Jaccard of
    the word sets at least ``_TWIN_OVERLAP``): two different letters in one
    group teach nothing about the few words that flip a label. The bar is low
    because the corpus's twins include a reply above a quoted rejection and a
    candidate's withdrawal beside an employer's rejection, which share only a
    third to a half of their words.
    """
    out = [np.zeros(len(a.sentences), np.int8) for a in analyses]
    for i, j in enumerate(twins):
        if j is None or is_rejection[i] is not False:
            continue
        words_i, words_j = set(_norm(analyses[i].text).split()), set(_norm(analyses[j].text).split())
        if len(words_i & words_j) < _TWIN_OVERLAP * len(words_i | words_j):
            continue
        theirs = {_norm(t) for t in analyses[j].sentence_texts()}
        for k, t in enumerate(analyses[i].sentence_texts()):
            mine = _norm(t)
            if mine not in theirs and len(mine.split()) >= _MIN_WORDS:
                out[i][k] = 1
    return np.concatenate(out) if out else np.zeros(0, np.int8)


def per_email(ufunc: np.ufunc, sentence_values: np.ndarray, n_sentences: Sequence[int],
              empty: float) -> np.ndarray:
    """``ufunc`` reduced over each email's sentences (the rows of
    ``sentence_values``, all emails' sentences in order), ``empty`` for an email
    without sentences: one ``reduceat`` for the whole batch."""
    n = np.asarray(n_sentences, dtype=np.int64)
    out = np.full((len(n), *sentence_values.shape[1:]), empty, dtype=float)
    has = n > 0
    if has.any() and sentence_values.size:
        starts = np.concatenate([[0], np.cumsum(n)[:-1]])[has]
        out[has] = ufunc.reduceat(sentence_values, starts, axis=0)
    return out


def decision_features(sentence_scores: np.ndarray, n_sentences: Sequence[int]) -> np.ndarray:
    """(emails, 2): the highest sentence probability and the capped count of
    sentences above 0.5, from the probabilities of all sentences in order."""
    hits = per_email(np.add, (sentence_scores >= 0.5).astype(np.int64), n_sentences, 0.0)
    return np.column_stack([per_email(np.maximum, sentence_scores, n_sentences, 0.0),
                            np.minimum(hits, COUNT_CAP) / COUNT_CAP])


def near_miss_features(sentence_scores: np.ndarray, n_sentences: Sequence[int]) -> np.ndarray:
    """(emails, 1): the highest near-miss probability of each email's sentences."""
    return per_email(np.maximum, sentence_scores, n_sentences, 0.0)[:, None]


def sentence_proba(S, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Probability that each sentence row of ``S`` states a decision."""
    return expit(np.asarray(S @ coef).ravel() + intercept)
