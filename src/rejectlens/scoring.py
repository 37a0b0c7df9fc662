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
from .batch_rows import TermIndex, cue_items, cue_matrix, cue_sentence_matrix
from .decision import (
    COUNT_CAP,
    DECISION_FEATURES,
    NEAR_MISS_FEATURES,
    decision_features,
    near_miss_features,
    sentence_proba,
)
from .labels import STAGES
from .negation import negated
from .reason_sentences import (
    REASON_SUPPORT_PREFIX,
    cue_sentences,
    reason_sentence_proba,
    reason_support,
)
from .tfidf import tfidf_both, tfidf_matrix

__all__ = ["CompiledHeads", "CompiledVectorizer"]


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
_CACHES = ("_terms", "_sentence_terms")  # TermIndex caches: rebuilt on first use, never pickled


@dataclass(frozen=True, eq=False)
class CompiledVectorizer:
    """Everything :class:`~rejectlens.features.EmailVectorizer` needs to transform.

    With a decision-sentence model (``decision_coef``), every email row ends
    with the decision features of :mod:`rejectlens.decision` (then the
    near-miss feature, with ``near_miss_coef``, then the support of each
    reason, with ``reason_coef``), and every sentence row with that sentence's
    own decision and near-miss probabilities, so a head scores a sentence as
    it would an email of one sentence (evidence relies on it). No head reads
    the support columns, which sentence rows leave empty.
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
    near_miss_coef: np.ndarray | None = None
    near_miss_intercept: float = 0.0
    near_miss_weight: float = 1.0
    # The sentence models' own terms (negation-scoped, :mod:`rejectlens.negation`);
    # None in models saved before them, whose sentence models read the email terms.
    sentence_vocabulary_ids: np.ndarray | None = None
    sentence_idf: np.ndarray | None = None
    # The reason-sentence models (:mod:`rejectlens.reason_sentences`), one column
    # of ``reason_coef`` per name in ``reason_names``; None in older models. Their
    # support columns end every row; no head reads them.
    reason_coef: np.ndarray | None = None
    reason_intercept: np.ndarray | None = None
    reason_names: tuple[str, ...] = ()
    # per reason, the support below which its head is overruled; 0: never
    reason_veto: tuple[float, ...] = ()

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

    def _term_index(self, key: str = "_terms", ids: np.ndarray | None = None) -> TermIndex:
        index = self.__dict__.get(key)
        if index is None:
            index = TermIndex(self.vocabulary_ids if ids is None else ids)
            object.__setattr__(self, key, index)
        return index

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _CACHES}

    def sentence_model_rows(self, X: Sequence[Analysis], S: sp.csr_matrix) -> sp.csr_matrix:
        """The rows the sentence models read: negation-scoped terms and the cue
        columns of the sentence rows ``S`` (``S`` itself for older models)."""
        if self.sentence_vocabulary_ids is None or self.sentence_idf is None:
            return S
        index = self._term_index("_sentence_terms", self.sentence_vocabulary_ids)
        words = tfidf_matrix(negated(X), index, self.sentence_idf, self.ngram_range, True)
        return sp.hstack([words, S[:, len(self.vocabulary_ids):]], format="csr")

    def sentence_scores(self, D: sp.csr_matrix) -> np.ndarray:
        """Decision probability of each row of :meth:`sentence_model_rows`."""
        return sentence_proba(D, self.decision_coef, self.decision_intercept)

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
        cols = self._sentence_columns(X, S)
        n_sent = [len(a.sentences) for a in X]
        feats = [decision_features(cols[0], n_sent) * self.decision_weight]
        if cols[1] is not None:
            feats.append(near_miss_features(cols[1], n_sent) * self.near_miss_weight)
        if cols[2] is not None:
            feats.append(reason_support(cols[2], n_sent))
        return (sp.hstack([base, sp.csr_matrix(np.hstack(feats))], format="csr"),
                self._with_decision(S, cols[0], cols[1]))

    def _sentence_columns(self, X: Sequence[Analysis], S: sp.csr_matrix):
        """(decision, near-miss, reason) probabilities of every sentence; the last
        two None when the model has no such sentence model."""
        D = self.sentence_model_rows(X, S)
        return self.sentence_scores(D), self.near_miss_scores(D), self.reason_scores(D, S)

    def near_miss_scores(self, D: sp.csr_matrix) -> np.ndarray | None:
        if self.near_miss_coef is None:
            return None
        return sentence_proba(D, self.near_miss_coef, self.near_miss_intercept)

    def reason_scores(self, D: sp.csr_matrix, S: sp.csr_matrix) -> np.ndarray | None:
        """(sentences, reasons) from the reason-sentence models, given the sentence
        rows ``S`` (whose cue columns say which sentences each model reads)."""
        if self.reason_coef is None or self.reason_intercept is None:
            return None
        has_cue = cue_sentences(S, len(self.vocabulary_ids), self.cue_names, self.reason_names)
        return reason_sentence_proba(D, self.reason_coef, self.reason_intercept, has_cue)

    def reason_support(self, X: sp.csr_matrix) -> dict[str, np.ndarray]:
        """Each reason's support (:mod:`rejectlens.reason_sentences`) in rows ``X``
        of :meth:`transform`; empty for a model without reason-sentence models."""
        if self.reason_coef is None or self.decision_coef is None:
            return {}
        first = self.n_features - len(self.reason_names)
        block = X[:, first:].toarray()
        return {name: block[:, j] for j, name in enumerate(self.reason_names)
                if self.veto.get(name, 0.0) > 0}

    @property
    def veto(self) -> dict[str, float]:
        """Reason name -> the support below which its head is overruled."""
        return dict(zip(self.reason_names, self.reason_veto))

    def _with_decision(self, S: sp.csr_matrix, p: np.ndarray, q: np.ndarray | None) -> sp.csr_matrix:
        """Sentence rows as wide as email rows. The reason-support columns stay
        empty: no head reads them, and a sentence's support is not needed."""
        cols = [p * self.decision_weight, (p >= 0.5) / COUNT_CAP * self.decision_weight]
        if q is not None:
            cols.append(q * self.near_miss_weight)
        blocks = [S, sp.csr_matrix(np.column_stack(cols))]
        if self.reason_coef is not None:
            blocks.append(sp.csr_matrix((S.shape[0], len(self.reason_names))))
        return sp.hstack(blocks, format="csr")

    def transform_sentences(self, X: Sequence[Analysis]) -> sp.csr_matrix:
        words = tfidf_matrix(X, self.vocabulary_ids, self.idf, self.ngram_range, True)
        S = self._sentence_rows(X, words)
        if self.decision_coef is None:
            return S
        D = self.sentence_model_rows(X, S)
        return self._with_decision(S, self.sentence_scores(D), self.near_miss_scores(D))

    @property
    def decision_column(self) -> int:
        """Where the decision columns start in a row (``decision__max`` first)."""
        return len(self.vocabulary_ids) + len(self.cue_names) + len(self.flag_names)

    @property
    def sentence_model_width(self) -> int:
        """Columns of :meth:`sentence_model_rows`: what ``decision_coef`` must fit."""
        words = self.vocabulary_ids if self.sentence_vocabulary_ids is None else self.sentence_vocabulary_ids
        return len(words) + len(self.cue_names) + len(self.flag_names)

    @property
    def n_features(self) -> int:
        return self.decision_column + len(self.feature_names_extra)

    @property
    def feature_names_extra(self) -> list[str]:
        """Names of the sentence-model columns after the cues, in order."""
        if self.decision_coef is None:
            return []
        names = list(DECISION_FEATURES)
        if self.near_miss_coef is not None:
            names += list(NEAR_MISS_FEATURES)
        if self.reason_coef is not None:
            names += [REASON_SUPPORT_PREFIX + r for r in self.reason_names]
        return names

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"vocabulary_ids": self.vocabulary_ids, "idf": self.idf}
        if self.decision_coef is not None:
            out["decision_coef"] = self.decision_coef
            for name in ("near_miss_coef", "sentence_vocabulary_ids", "sentence_idf",
                         "reason_coef", "reason_intercept"):
                if getattr(self, name) is not None:
                    out[name] = getattr(self, name)
        return out

    def settings(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "cue_names": list(self.cue_names),
                "flag_names": list(self.flag_names), "cap": self.cap, "cue_weight": self.cue_weight,
                "decision_intercept": self.decision_intercept,
                "decision_weight": self.decision_weight,
                "near_miss_intercept": self.near_miss_intercept,
                "near_miss_weight": self.near_miss_weight,
                "reason_names": list(self.reason_names), "reason_veto": list(self.reason_veto)}

    @classmethod
    def from_saved(cls, arrays: Mapping[str, np.ndarray], settings: Mapping[str, Any]):
        # models saved before the near-miss model have neither its array nor its settings
        return cls(arrays["vocabulary_ids"], arrays["idf"], tuple(settings["ngram_range"]),
                   tuple(settings["cue_names"]), tuple(settings["flag_names"]),
                   int(settings["cap"]), float(settings["cue_weight"]),
                   arrays.get("decision_coef"), float(settings.get("decision_intercept", 0.0)),
                   float(settings.get("decision_weight", 1.0)), arrays.get("near_miss_coef"),
                   float(settings.get("near_miss_intercept", 0.0)),
                   float(settings.get("near_miss_weight", 1.0)),
                   arrays.get("sentence_vocabulary_ids"), arrays.get("sentence_idf"),
                   reason_coef=arrays.get("reason_coef"),
                   reason_intercept=arrays.get("reason_intercept"),
                   reason_names=tuple(settings.get("reason_names", ())),
                   reason_veto=tuple(float(t) for t in settings.get("reason_veto", ())))


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
