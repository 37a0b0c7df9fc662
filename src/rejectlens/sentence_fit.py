"""Fitting the sentence models of :mod:`rejectlens.decision` (training only).

Both sentence models (decision and near miss) are the same estimator on the
same rows with different targets; the vectorizer fits them here, and scores
its own training emails out of fold so the heads never see a sentence score
that was fit on the email's own label.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_sentence_model", "out_of_fold_scores"]


def _model(C: float):
    from sklearn.linear_model import LogisticRegression

    # Balanced: decision sentences are one in twenty-five; the heads read
    # the score as a feature, so its ranking matters, not its calibration.
    return LogisticRegression(C=C, solver="liblinear", max_iter=5000, class_weight="balanced")


def fit_sentence_model(S, target: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """(coefficients, intercept) fit on the sentences whose target is known (>= 0)."""
    known = target >= 0
    model = _model(C).fit(S[known], target[known])
    return model.coef_[0].copy(), float(model.intercept_[0])


def out_of_fold_scores(S, target: np.ndarray, owner: np.ndarray, groups, C: float, cv: int) -> np.ndarray:
    """Each sentence's probability from a model fit on the other folds; folds
    keep an email's sentences (and its group's emails, when given) together."""
    from sklearn.model_selection import GroupKFold

    email_groups = owner if groups is None else np.asarray(groups)[owner]
    n_splits = min(cv, len(np.unique(email_groups)))
    oof = np.zeros(S.shape[0])
    if n_splits < 2:
        return oof
    for train, test in GroupKFold(n_splits).split(S, groups=email_groups):
        t = train[target[train] >= 0]
        if len(np.unique(target[t])) < 2:
            continue
        oof[test] = _model(C).fit(S[t], target[t]).predict_proba(S[test])[:, 1]
    return oof
