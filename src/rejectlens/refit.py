"""Refit one head fast on fixed features: one set of grouped folds calibrates it and
tunes its threshold.

The bundled model's recipe (:class:`~rejectlens.heads.RejectionHeads`)
calibrates each head on 3 inner folds inside each of 5 outer folds that tune
its threshold: 24 logistic-regression fits per head, 20-40 s for the heads a
user's labels usually reach once the corpus rows are in. Here the ``k``
grouped out-of-fold scores serve both purposes: a sigmoid fitted to them
(Platt scaling) calibrates the head, the threshold is tuned on the calibrated
scores, and one more fit on every row gives the coefficients: ``k + 1``
fits. Same model family, same class balancing, same threshold rule.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from .scoring import CompiledHeads
from .thresholds import tune_threshold

__all__ = ["RefitHead", "head_columns", "merge_heads", "refit_binary", "refit_stage"]

MIN_GAIN = 0.02  # as RejectionHeads: a tuned threshold must beat 0.5 by this much F1


@dataclass(frozen=True, eq=False)
class RefitHead:
    """A refit binary head as the arrays a compiled model keeps."""

    coef: np.ndarray  # one weight per feature column (zeros past ``columns``)
    intercept: float
    calibration: tuple[float, float]  # p = expit(-(a * z + b))
    threshold: float
    cv_f1: float | None


# Stopping tolerance of the binary fits: 1e-3 instead of scikit-learn's 1e-4
# moves decision scores by about 0.01 on the bundled corpus and saves about a
# third of each fit, which a user waiting for the command notices more.
TOL = 1e-3


def _lr(C: float, multiclass: bool = False) -> LogisticRegression:
    if multiclass:
        return LogisticRegression(C=C, class_weight="balanced", max_iter=5000, solver="lbfgs",
                                  warm_start=True)
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000, solver="liblinear", tol=TOL)


def _fit(est, X, y, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=w)


def refit_binary(X, target: np.ndarray, weight: np.ndarray, groups: np.ndarray, *, C: float,
                 cv: int, seed: int, columns: int | None = None, macro: bool = False,
                 like: RefitHead | None = None) -> RefitHead:
    """Fit a head on rows ``X`` (0/1 ``target``, per-row ``weight``), reading the
    first ``columns`` feature columns only when given.

    With ``like``, only the coefficients are fit: calibration and threshold
    are taken from it (one fit instead of ``cv + 1``).
    """
    Xh = X[:, :columns] if columns is not None else X
    if like is not None:
        final = _fit(_lr(C), Xh, target, weight)
        coef = np.zeros(X.shape[1])
        coef[: Xh.shape[1]] = final.coef_[0]
        return RefitHead(coef, float(final.intercept_[0]), like.calibration, like.threshold, like.cv_f1)
    z = np.full(len(target), np.nan)
    n_splits = min(cv, len(np.unique(groups)), int(np.bincount(target).min()))
    if n_splits >= 2:
        folds = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
        for train, test in folds.split(Xh, target, groups):
            if len(np.unique(target[train])) < 2:
                continue
            z[test] = _fit(_lr(C), Xh[train], target[train], weight[train]).decision_function(Xh[test])
    final = _fit(_lr(C), Xh, target, weight)
    seen = ~np.isnan(z)
    a, b = -1.0, 0.0  # no out-of-fold scores: the plain logistic
    threshold, score = 0.5, None
    if seen.sum() and len(np.unique(target[seen])) == 2:
        platt = _fit(LogisticRegression(C=1e4), z[seen, None], target[seen], weight[seen])
        a, b = -float(platt.coef_[0, 0]), -float(platt.intercept_[0])
        p = 1.0 / (1.0 + np.exp(a * z[seen] + b))
        threshold, score = tune_threshold(target[seen], p, macro=macro, min_gain=MIN_GAIN,
                                          sample_weight=weight[seen])
    coef = np.zeros(X.shape[1])
    coef[: Xh.shape[1]] = final.coef_[0]
    return RefitHead(coef, float(final.intercept_[0]), (a, b), threshold, score)


def refit_stage(X, target: np.ndarray, weight: np.ndarray, *, C: float,
                start: dict[str, np.ndarray] | None = None,
                columns: int | None = None) -> dict[str, np.ndarray]:
    """The stage head as a multinomial regression (softmax; the likeliest stage wins,
    so it needs no threshold and no calibration folds), reading the first
    ``columns`` feature columns only when given. ``start`` (a stage head of the
    same classes, such as the base's) is where the solver starts: near the
    answer, it needs a fraction of the iterations."""
    Xh = X[:, :columns] if columns is not None else X
    lr = _lr(C, multiclass=True)
    classes = np.unique(target)
    if (start is not None and len(classes) > 2 and np.array_equal(start["classes"], classes)
            and start["coef"].shape == (X.shape[1], len(classes))):
        lr.coef_ = np.ascontiguousarray(start["coef"][: Xh.shape[1]].T)
        lr.intercept_ = np.asarray(start["intercept"], dtype=float).copy()
    lr = _fit(lr, Xh, target, weight)
    n = lr.coef_.shape[0]
    coef = np.zeros((X.shape[1], n))
    coef[: Xh.shape[1]] = lr.coef_.T
    return {"coef": coef, "intercept": lr.intercept_.copy(),
            "calibration": np.tile([-1.0, 0.0], (n, 1)), "classes": np.asarray(lr.classes_, dtype=int)}


def head_columns(vectorizer, heads: CompiledHeads) -> dict[str, int] | None:
    """The columns each refit head reads, as the base's heads did: no head reads
    the reason-support columns that end a row (rejectlens.reason_sentences), and
    the job head reads the words only when its other weights are all zero."""
    n_support = len(vectorizer.reason_names) if vectorizer.reason_coef is not None else 0
    names = [*heads.binary_names, *(("stage",) if heads.stage is not None else ())]
    out = dict.fromkeys(names, vectorizer.n_features - n_support) if n_support else {}
    if "job_related" in heads.binary_names:
        n_words = len(vectorizer.vocabulary_ids)
        j = heads.binary_names.index("job_related")
        if not np.any(heads.binary_coef[n_words:, j]):
            out["job_related"] = n_words
    return out or None


def merge_heads(base: CompiledHeads, new: CompiledHeads, thresholds: Mapping[str, float]) -> CompiledHeads:
    """The base's heads with the refit ones swapped in (same feature columns)."""
    names = list(base.binary_names) + [n for n in new.binary_names if n not in base.binary_names]
    coef, intercept, calibration = [], [], []
    for n in names:
        src = new if n in new.binary_names else base
        j = src.binary_names.index(n)
        coef.append(src.binary_coef[:, j])
        intercept.append(src.binary_intercept[j])
        calibration.append(src.binary_calibration[j])
    th = dict(base.thresholds_)
    th.update(thresholds)
    own_stage = "stage" in new.heads_
    heads = tuple(dict.fromkeys([*base.heads_, *new.heads_]))
    return CompiledHeads(
        tuple(names), np.column_stack(coef), np.array(intercept), np.array(calibration).reshape(-1, 2),
        th, new.stage if own_stage else base.stage,
        new.stage_softmax if own_stage else base.stage_softmax, heads)
