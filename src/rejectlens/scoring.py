"""The numeric core of a trained model, in numpy and scipy only.

Vectorizing an analysed email and scoring every head is plain arithmetic once
a model is trained. Keeping it here, free of scikit-learn, lets a saved model
load as arrays (no pickled objects, no scikit-learn import on the CLI's
start-up) while the training-time estimators in :mod:`rejectlens.features`
and :mod:`rejectlens.heads` call the very same functions, so a model scores
identically before and after it is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from .analyse import Analysis
from .batch_rows import TermIndex, bigrams, cue_sentence_cells, term_hits
from .decision import COUNT_CAP, DECISION_FEATURES, decision_features, sentence_proba
from .labels import STAGES

__all__ = ["CompiledHeads", "CompiledVectorizer"]


# ---- words ------------------------------------------------------------------------
def token_terms(a: Analysis, ngram_range: Sequence[int], by_sentence: bool = False):
    """(term ids, index of each term's first token) for one email."""
    ids = a.tok_ids
    parts = [ids] if ngram_range[0] <= 1 else []
    where = [np.arange(len(ids))] if parts else []
    if ngram_range[1] >= 2 and len(ids) > 1:
        pair = np.arange(len(ids) - 1)
        if by_sentence:
            pair = pair[a.tok_sent[:-1] == a.tok_sent[1:]]
        parts.append(bigrams(ids)[pair])
        where.append(pair)
    if not parts:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(parts), np.concatenate(where)


def _weighted(rows, cols, n_rows: int, idf: np.ndarray) -> sp.csr_matrix:
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, len(idf)))
    M.sum_duplicates()
    M.data = (1.0 + np.log(M.data)) * idf[M.indices]
    return l2_normalize_rows(M)


def tfidf_both(X: Sequence[Analysis], vocab: np.ndarray | TermIndex, idf: np.ndarray,
               ngram_range: Sequence[int]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``tfidf_matrix`` by email and by sentence from one pass over the terms."""
    h = term_hits(X, vocab, ngram_range)
    inside = h.in_sentence
    return (_weighted(h.email_rows, h.cols, len(X), idf),
            _weighted(h.sentence_rows[inside], h.cols[inside], h.n_sentences, idf))


def l2_normalize_rows(M: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    M.data /= np.repeat(norms, np.diff(M.indptr))
    return M


def tfidf_matrix(X: Sequence[Analysis], vocab: np.ndarray, idf: np.ndarray,
                 ngram_range: Sequence[int], by_sentence: bool) -> sp.csr_matrix:
    """Sublinear TF-IDF, L2 rows: one row per email, or per sentence (a bigram
    only where both its tokens are in the sentence)."""
    h = term_hits(X, vocab, ngram_range)
    if by_sentence:
        inside = h.in_sentence
        return _weighted(h.sentence_rows[inside], h.cols[inside], h.n_sentences, idf)
    return _weighted(h.email_rows, h.cols, len(X), idf)


# ---- cues -------------------------------------------------------------------------
Cue = tuple[str, int, int]


def cue_items(X: Sequence[Analysis]) -> list[tuple[Sequence[Cue], frozenset[str]]]:
    return [(a.cues, a.flags) for a in X]


def cue_sentence_matrix(X: Sequence[Analysis], cue_names: Sequence[str], n_flags: int,
                        cap: int) -> sp.csr_matrix:
    """Capped cue counts of every sentence, scaled like ``cue_matrix``; flags
    describe emails, so their columns stay 0. One pass over the whole batch:
    this runs on every sentence of every email."""
    rows, cols, offset = cue_sentence_cells(X, {n: i for i, n in enumerate(cue_names)})
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(offset, len(cue_names) + n_flags))
    M.sum_duplicates()
    M.data = np.minimum(M.data, cap) / cap
    return M


def cue_matrix(items, cue_names: Sequence[str], flag_names: Sequence[str], cap: int) -> sp.csr_matrix:
    """Capped cue counts scaled to [0, 1], then 0/1 flags."""
    n_cues = len(cue_names)
    n_cols = n_cues + len(flag_names)
    cue_index = {n: i for i, n in enumerate(cue_names)}
    flag_index = {n: n_cues + i for i, n in enumerate(flag_names)}
    # comprehensions and one np.unique, not a dict of counts per email
    cues = np.array([r * n_cols + j for r, (cues, _) in enumerate(items)
                     for label, _, _ in cues if (j := cue_index.get(label)) is not None], np.int64)
    cells, counts = np.unique(cues, return_counts=True)
    flags = np.array([(r, j) for r, (_, fl) in enumerate(items)
                      for f in fl if (j := flag_index.get(f)) is not None], np.int64).reshape(-1, 2)
    rows = np.concatenate([cells // n_cols, flags[:, 0]])
    cols = np.concatenate([cells % n_cols, flags[:, 1]])
    vals = np.concatenate([np.minimum(counts, cap) / cap, np.ones(len(flags))])
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(items), n_cols), dtype=np.float64)


# ---- heads ------------------------------------------------------------------------
def binary_proba(X, coef: np.ndarray, intercept: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of every binary head: a linear score through a sigmoid."""
    z = np.asarray(X @ coef) + intercept
    return np.clip(expit(-(calibration[:, 0] * z + calibration[:, 1])), 0.0, 1.0)


def stage_proba(X, coef: np.ndarray, intercept: np.ndarray, calibration: np.ndarray,
                classes: np.ndarray, softmax: bool) -> np.ndarray:
    """Stage probabilities, one column per stage (zeros for stages never trained)."""
    z = np.asarray(X @ coef) + intercept
    full = np.zeros((z.shape[0], len(STAGES)))
    if z.shape[1] == 1:  # two stage classes: one binary score
        p1 = expit(-(calibration[0, 0] * z[:, 0] + calibration[0, 1]))
        p = np.column_stack([1.0 - p1, p1])
    elif softmax:  # an uncalibrated multinomial regression
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    else:  # one-vs-rest calibrated sigmoids, normalised
        p = expit(-(calibration[:, 0] * z + calibration[:, 1]))
        total = p.sum(axis=1, keepdims=True)
        p = np.divide(p, total, out=np.full_like(p, 1.0 / p.shape[1]), where=total != 0)
    full[:, classes] = np.clip(p, 0.0, 1.0)
    return full


# ---- compiled model parts -------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CompiledVectorizer:
    """Everything :class:`~rejectlens.features.EmailVectorizer` needs to transform.

    With a decision-sentence model (``decision_coef``), every email row ends
    with the decision features of :mod:`rejectlens.decision`, and every
    sentence row with that sentence's own probability, so a head scores a
    sentence as it would an email of one sentence (evidence relies on it).
    """

    vocabulary_ids: np.ndarray
    idf: np.ndarray
    ngram_range: tuple[int, int]
    cue_names: tuple[str, ...]
    flag_names: tuple[str, ...]
    cap: int
    cue_weight: float
    decision_coef: np.ndarray | None = None
    decision_intercept: float = 0.0
    decision_weight: float = 1.0

    def _email_rows(self, X: Sequence[Analysis], words: sp.csr_matrix) -> sp.csr_matrix:
        cues = cue_matrix(cue_items(X), self.cue_names, self.flag_names, self.cap)
        return sp.hstack([words, cues * self.cue_weight], format="csr")

    def _sentence_rows(self, X: Sequence[Analysis], words: sp.csr_matrix) -> sp.csr_matrix:
        cues = cue_sentence_matrix(X, self.cue_names, len(self.flag_names), self.cap)
        return sp.hstack([words, cues * self.cue_weight], format="csr")

    def base_both(self, X: Sequence[Analysis]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(email rows, sentence rows) without decision columns, from one pass over the terms."""
        words, sent_words = tfidf_both(X, self._term_index(), self.idf, self.ngram_range)
        return self._email_rows(X, words), self._sentence_rows(X, sent_words)

    def _term_index(self) -> TermIndex:
        # built on first use and kept: a cache, so it is never pickled
        index = self.__dict__.get("_terms")
        if index is None:
            index = TermIndex(self.vocabulary_ids)
            object.__setattr__(self, "_terms", index)
        return index

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_terms"}

    def sentence_scores(self, S: sp.csr_matrix) -> np.ndarray:
        return sentence_proba(S, self.decision_coef, self.decision_intercept)

    def transform(self, X: Sequence[Analysis]) -> sp.csr_matrix:
        return self.transform_both(X)[0]

    def transform_both(self, X: Sequence[Analysis]) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        """(email rows, sentence rows) from one pass over the sentences; the
        sentence rows are None when no decision model needed them (evidence
        then builds them only for the emails it explains)."""
        if self.decision_coef is None:
            words = tfidf_matrix(X, self.vocabulary_ids, self.idf, self.ngram_range, False)
            return self._email_rows(X, words), None
        base, S = self.base_both(X)
        p = self.sentence_scores(S)
        feats = decision_features(p, [len(a.sentences) for a in X]) * self.decision_weight
        return (sp.hstack([base, sp.csr_matrix(feats)], format="csr"),
                self._with_decision(S, p))

    def _with_decision(self, S: sp.csr_matrix, p: np.ndarray) -> sp.csr_matrix:
        cols = np.column_stack([p, (p >= 0.5) / COUNT_CAP]) * self.decision_weight
        return sp.hstack([S, sp.csr_matrix(cols)], format="csr")

    def transform_sentences(self, X: Sequence[Analysis]) -> sp.csr_matrix:
        words = tfidf_matrix(X, self.vocabulary_ids, self.idf, self.ngram_range, True)
        S = self._sentence_rows(X, words)
        if self.decision_coef is None:
            return S
        return self._with_decision(S, self.sentence_scores(S))

    @property
    def n_features(self) -> int:
        extra = 0 if self.decision_coef is None else len(DECISION_FEATURES)
        return len(self.vocabulary_ids) + len(self.cue_names) + len(self.flag_names) + extra

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"vocabulary_ids": self.vocabulary_ids, "idf": self.idf}
        if self.decision_coef is not None:
            out["decision_coef"] = self.decision_coef
        return out

    def settings(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "cue_names": list(self.cue_names),
                "flag_names": list(self.flag_names), "cap": self.cap, "cue_weight": self.cue_weight,
                "decision_intercept": self.decision_intercept,
                "decision_weight": self.decision_weight}

    @classmethod
    def from_saved(cls, arrays: Mapping[str, np.ndarray], settings: Mapping[str, Any]):
        return cls(arrays["vocabulary_ids"], arrays["idf"], tuple(settings["ngram_range"]),
                   tuple(settings["cue_names"]), tuple(settings["flag_names"]),
                   int(settings["cap"]), float(settings["cue_weight"]),
                   arrays.get("decision_coef"), float(settings.get("decision_intercept", 0.0)),
                   float(settings.get("decision_weight", 1.0)))


@dataclass(frozen=True, eq=False)
class CompiledHeads:
    """Every trained head as arrays, with its decision thresholds."""

    binary_names: tuple[str, ...]
    binary_coef: np.ndarray
    binary_intercept: np.ndarray
    binary_calibration: np.ndarray
    thresholds_: Mapping[str, float]
    stage: Mapping[str, np.ndarray] | None = None
    stage_softmax: bool = False
    heads_: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # scipy's sparse @ dense copies a non-C-ordered right operand on every
        # call (7 MB for the bundled model's 18 heads); saved models load
        # Fortran-ordered, so take the one copy here. Same numbers.
        object.__setattr__(self, "binary_coef", np.ascontiguousarray(self.binary_coef))

    def predict_proba(self, X) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if self.binary_names:
            p = binary_proba(X, self.binary_coef, self.binary_intercept, self.binary_calibration)
            out = {name: p[:, j] for j, name in enumerate(self.binary_names)}
        if self.stage is not None:
            out["stage"] = stage_proba(X, self.stage["coef"], self.stage["intercept"],
                                       self.stage["calibration"], self.stage["classes"],
                                       self.stage_softmax)
        return out

    def head_proba(self, name: str, X) -> np.ndarray:
        if name == "stage":
            return self.predict_proba(X)["stage"]
        j = self.binary_names.index(name)
        return binary_proba(X, self.binary_coef[:, j : j + 1], self.binary_intercept[j : j + 1],
                            self.binary_calibration[j : j + 1])[:, 0]

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"binary_coef": self.binary_coef, "binary_intercept": self.binary_intercept,
               "binary_calibration": self.binary_calibration}
        if self.stage is not None:
            out.update({f"stage_{k}": v for k, v in self.stage.items()})
        return out

    def settings(self) -> dict[str, Any]:
        return {"binary_names": list(self.binary_names), "thresholds": dict(self.thresholds_),
                "stage_softmax": self.stage_softmax, "heads": list(self.heads_)}

    @classmethod
    def from_saved(cls, arrays: Mapping[str, np.ndarray], settings: Mapping[str, Any]):
        stage = None
        if "stage_coef" in arrays:
            stage = {k: arrays[f"stage_{k}"] for k in ("coef", "intercept", "calibration", "classes")}
        return cls(tuple(settings["binary_names"]), arrays["binary_coef"], arrays["binary_intercept"],
                   arrays["binary_calibration"], dict(settings["thresholds"]), stage,
                   bool(settings["stage_softmax"]), tuple(settings["heads"]))
