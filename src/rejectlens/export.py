"""Fitted estimators -> the numpy runtime a model scores with, in one place.

Training fits scikit-learn estimators (:class:`~rejectlens.features.EmailVectorizer`,
:class:`~rejectlens.heads.RejectionHeads`); classification needs only their
numbers. :func:`export` reads those numbers out once into
:class:`~rejectlens.scoring.CompiledVectorizer` and
:class:`~rejectlens.scoring.CompiledHeads`, so the estimators know nothing of
the runtime and the runtime imports no scikit-learn. Estimators are read by
their fitted attributes only (no scikit-learn import here either).
"""

from __future__ import annotations

import numpy as np

from .scoring import CompiledHeads, CompiledVectorizer

__all__ = ["export", "export_heads", "export_vectorizer"]


def export(vectorizer, heads) -> tuple[CompiledVectorizer, CompiledHeads]:
    """(runtime vectorizer, runtime heads) of a fitted ``EmailVectorizer`` and ``RejectionHeads``."""
    return export_vectorizer(vectorizer), export_heads(heads)


def _require(est, attr: str) -> None:
    if not hasattr(est, attr):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"this {type(est).__name__} is not fitted yet; call fit before exporting it")


def export_vectorizer(v) -> CompiledVectorizer:
    """The arrays a fitted ``EmailVectorizer`` transforms with (what a saved model keeps)."""
    _require(v, "words_")
    words, cues = v.words_, v.cues_
    return CompiledVectorizer(
        words.vocabulary_ids_, words.idf_, tuple(words.ngram_range), tuple(cues.cue_names_),
        tuple(cues.flag_names_), int(cues.cap), float(v.cue_weight),
        getattr(v, "decision_coef_", None), float(getattr(v, "decision_intercept_", 0.0)),
        float(v.decision_weight), getattr(v, "near_miss_coef_", None),
        float(getattr(v, "near_miss_intercept_", 0.0)), float(getattr(v, "near_miss_weight", 1.0)),
        *_sentence_words(v), reason_coef=getattr(v, "reason_coef_", None),
        reason_intercept=getattr(v, "reason_intercept_", None),
        reason_names=tuple(getattr(v, "reason_names_", ())),
        reason_veto=tuple(getattr(v, "reason_veto_", ())))


def _sentence_words(v) -> tuple[np.ndarray | None, np.ndarray | None]:
    words = getattr(v, "sentence_words_", None)
    return (None, None) if words is None else (words.vocabulary_ids_, words.idf_)


def export_heads(heads) -> CompiledHeads:
    """Every head of a fitted ``RejectionHeads`` as arrays, with its thresholds.

    A calibrated logistic regression is a linear score through a fitted
    sigmoid. As plain arrays one sparse product scores all heads, without
    scikit-learn's per-call input checks, which cost more than the
    arithmetic on a batch of emails.
    """
    _require(heads, "heads_")
    names = [n for n in heads.heads_ if n != "stage"]
    coef, intercept, calibration = [], [], []
    for n in names:
        lr, cals = _linear_parts(heads.heads_[n].estimator_)
        coef.append(_padded(lr.coef_[0], heads.n_features_in_))
        intercept.append(lr.intercept_[0])
        calibration.append(cals[0])
    stage, softmax = None, False
    if "stage" in heads.heads_:
        est = heads.heads_["stage"].estimator_
        lr, cals = _linear_parts(est)
        stage = {"coef": _padded(lr.coef_.T, heads.n_features_in_), "intercept": lr.intercept_,
                 "calibration": np.array(cals).reshape(-1, 2),
                 "classes": np.asarray(lr.classes_, dtype=int)}
        softmax = not _calibrated(est)
    return CompiledHeads(
        tuple(names),
        np.array(coef).T if coef else np.zeros((0, 0)),
        np.array(intercept),
        np.array(calibration).reshape(-1, 2),
        dict(heads.thresholds_),
        stage,
        softmax,
        tuple(heads.heads_),
    )


def _calibrated(est) -> bool:
    return hasattr(est, "calibrated_classifiers_")


def _padded(coef: np.ndarray, width: int) -> np.ndarray:
    """A head that read the first columns only weighs the rest with zero (one
    weight per feature, or one row of class weights per feature for stage)."""
    if len(coef) >= width:
        return coef
    return np.concatenate([coef, np.zeros((width - len(coef), *coef.shape[1:]))])


def _linear_parts(est):
    """(logistic regression, [(a, b) per calibrated class]) of a head's estimator."""
    if _calibrated(est):
        cc = est.calibrated_classifiers_[0]
        return cc.estimator, [(float(c.a_), float(c.b_)) for c in cc.calibrators]
    # uncalibrated: expit(-(a*z + b)) with a=-1, b=0 is the plain logistic
    n = 1 if est.coef_.shape[0] == 1 else est.coef_.shape[0]
    return est, [(-1.0, 0.0)] * n
