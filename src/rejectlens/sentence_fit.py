"""Fitting the sentence models of :mod:`rejectlens.decision` (training only).

The sentence models (decision, near miss and one per reason) are the same
estimator on the same rows with different targets; the vectorizer fits them
here, and scores its own training emails out of fold so the heads never see a
sentence score that was fit on the email's own label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .labels import REASONS
from .reason_sentences import cue_sentences, reason_sentence_targets, reason_support

__all__ = ["ReasonFit", "fit_reason_models", "fit_reason_support", "fit_sentence_model",
           "out_of_fold_scores"]


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


def out_of_fold_scores(S, target: np.ndarray, owner: np.ndarray, groups, C: float, cv: int,
                       fill: float = 0.0) -> np.ndarray:
    """Each sentence's probability from a model fit on the other folds; folds
    keep an email's sentences (and its group's emails, when given) together.
    Sentences no fold could score (too few groups, or one class left to learn
    from) get ``fill``."""
    from sklearn.model_selection import GroupKFold

    email_groups = owner if groups is None else np.asarray(groups)[owner]
    n_splits = min(cv, len(np.unique(email_groups)))
    oof = np.full(S.shape[0], fill)
    if n_splits < 2:
        return oof
    for train, test in GroupKFold(n_splits).split(S, groups=email_groups):
        t = train[target[train] >= 0]
        if len(np.unique(target[t])) < 2:
            continue
        oof[test] = _model(C).fit(S[t], target[t]).predict_proba(S[test])[:, 1]
    return oof


def fit_reason_models(D, targets: np.ndarray, scored: np.ndarray, owner: np.ndarray, groups,
                      names, C: float, cv: int, min_count: int = 5):
    """The reason-sentence models (:mod:`rejectlens.reason_sentences`): for each
    column of ``targets`` (one per name in ``names``) with at least ``min_count``
    sentences of each class, a model over its known rows. Returns (names kept,
    coefficients (columns of D, one column per kept name), intercepts, and
    out-of-fold probabilities of the ``scored`` rows (the cue sentences, known
    target or not, as the runtime scores them), -1 elsewhere)."""
    kept, coefs, intercepts, oofs = [], [], [], []
    for k, name in enumerate(names):
        t = targets[:, k]
        if min(int((t == 1).sum()), int((t == 0).sum())) < min_count:
            continue
        rows = np.flatnonzero(scored[:, k])
        oof = np.full(D.shape[0], -1.0)
        # a sentence no fold could judge holds no cue as far as the veto is concerned
        oof[rows] = out_of_fold_scores(D[rows], t[rows], owner[rows], groups, C, cv, fill=-1.0)
        coef, intercept = fit_sentence_model(D, t, C)
        kept.append(name)
        coefs.append(coef)
        intercepts.append(intercept)
        oofs.append(oof)
    if not kept:
        return [], None, None, np.zeros((D.shape[0], 0))
    return kept, np.column_stack(coefs), np.array(intercepts), np.column_stack(oofs)


@dataclass(frozen=True)
class ReasonFit:
    """The fitted reason-sentence models and the out-of-fold support of the
    training emails (emails, names) that chooses each reason's veto point."""

    names: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    counts: dict[str, dict[str, int]]
    support: np.ndarray


def fit_reason_support(S, D, reasons, n_sent: Sequence[int], owner: np.ndarray, groups,
                       words_width: int, cue_names: Sequence[str], C: float,
                       cv: int) -> ReasonFit | None:
    """Fit the reason-sentence models on the cue sentences (read from the
    sentence rows ``S``, whose cue columns start at ``words_width``) of labelled
    rejections, over the sentence-model rows ``D``; None when none could fit."""
    names = [r for r in REASONS if r in cue_names]
    has_cue = cue_sentences(S, words_width, cue_names, names)
    targets = reason_sentence_targets(has_cue, n_sent, reasons, names)
    kept, coef, intercept, oof = fit_reason_models(D, targets, has_cue, owner, groups, names, C, cv)
    if not kept:
        return None
    counts = {r: {"reason": int((targets[:, names.index(r)] == 1).sum()),
                  "other": int((targets[:, names.index(r)] == 0).sum())} for r in kept}
    return ReasonFit(kept, coef, intercept, counts, reason_support(oof, n_sent))
