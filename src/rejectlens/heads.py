"""The six output heads: calibrated linear classifiers with tuned thresholds.

One binary head per boolean output and per reason (one-vs-rest), one binary
head for personalization and a multiclass head for stage. Rejection-only heads
learn from rejections alone. Decision thresholds are tuned on out-of-fold
probabilities (grouped folds when groups are given) and stored on the
estimator, never typed in.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from .labels import REASONS, STAGES
from .scoring import CompiledHeads

__all__ = ["BINARY_HEADS", "RejectionHeads", "head_targets", "tune_gate"]

BINARY_HEADS: tuple[str, ...] = (
    "job_related",
    "is_rejection",
    "personalization",
    "feedback_offered",
    "reapply_encouraged",
    *(f"reason:{r}" for r in REASONS),
)
_THRESHOLD_GRID = np.round(np.arange(0.15, 0.851, 0.01), 2)


def _known(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and v != v)


def head_targets(y: Mapping[str, Sequence[Any]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For every head with labels: (row indices, target array).

    Missing values (None/NaN) mean "not labelled" and drop the row for that
    head only. Rejection-only heads use rows not labelled as non-rejections.
    """
    n = len(next(iter(y.values())))
    is_rej = list(y.get("is_rejection", [None] * n))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def rej_rows(values):
        return [
            i for i, v in enumerate(values) if _known(v) and is_rej[i] is not False and is_rej[i] != 0
        ]

    if "job_related" in y:
        vals = y["job_related"]
        rows = [i for i, v in enumerate(vals) if _known(v)]
        out["job_related"] = (np.array(rows, dtype=int), np.array([int(bool(vals[i])) for i in rows]))
    if "is_rejection" in y:
        # Only job mail can be a rejection: the job_related head answers for
        # the rest, and a refused rental would teach this head that decisions
        # are not rejections.
        job = y.get("job_related", [None] * n)
        rows = [i for i, v in enumerate(is_rej)
                if _known(v) and not (_known(job[i]) and not bool(job[i]))]
        out["is_rejection"] = (np.array(rows, dtype=int), np.array([int(bool(is_rej[i])) for i in rows]))
    if "personalization" in y:
        vals = y["personalization"]
        rows = rej_rows(vals)
        out["personalization"] = (
            np.array(rows, dtype=int),
            np.array([int(vals[i] == "personalized") for i in rows]),
        )
    for name in ("feedback_offered", "reapply_encouraged"):
        if name in y:
            vals = y[name]
            rows = rej_rows(vals)
            out[name] = (np.array(rows, dtype=int), np.array([int(bool(vals[i])) for i in rows]))
    if "reasons" in y:
        vals = y["reasons"]
        rows = rej_rows(vals)
        for r in REASONS:
            out[f"reason:{r}"] = (np.array(rows, dtype=int), np.array([int(r in vals[i]) for i in rows]))
    if "stage" in y:
        vals = y["stage"]
        rows = rej_rows(vals)
        out["stage"] = (np.array(rows, dtype=int), np.array([STAGES.index(vals[i]) for i in rows]))
    return out


class RejectionHeads(BaseEstimator):
    """All output heads over one shared feature matrix.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of every logistic regression.
    calibration_cv : int
        Folds for sigmoid calibration of each head.
    threshold_cv : int
        Folds for the out-of-fold probabilities that thresholds are tuned on.
    min_class_count : int
        A head whose rarest class has fewer examples is not trained; the
        reason is kept in ``skipped_``.
    random_state : int
        Seed for fold shuffling; training is deterministic given it.
    n_jobs : int
        Heads trained in parallel (joblib); training is identical for any value.
    head_columns : mapping of head name to int, or None
        Heads that read only the first ``k`` feature columns (the words):
        ``job_related`` asks what an email is about, and the rejection cues
        (which non-job refusals share) only mislead it.
    min_gain : float
        A tuned threshold replaces 0.5 only when it beats 0.5 by this much
        out-of-fold F1. Probabilities are calibrated, so 0.5 is the natural
        cut; on the dev split, freely tuned thresholds on a few hundred
        rejections did no better than 0.5 on five of six fields.
    """

    def __init__(
        self,
        C: float = 8.0,
        calibration_cv: int = 3,
        threshold_cv: int = 5,
        min_class_count: int = 3,
        random_state: int = 0,
        min_gain: float = 0.02,
        n_jobs: int = 1,
        head_columns: Mapping[str, int] | None = None,
    ):
        self.C = C
        self.calibration_cv = calibration_cv
        self.threshold_cv = threshold_cv
        self.min_class_count = min_class_count
        self.random_state = random_state
        self.min_gain = min_gain
        self.n_jobs = n_jobs
        self.head_columns = head_columns

    def _estimator(self, n_min: int, multiclass: bool):
        base = LogisticRegression(
            C=self.C,
            class_weight="balanced",
            max_iter=5000,
            solver="lbfgs" if multiclass else "liblinear",
        )
        cv = min(self.calibration_cv, n_min)
        if cv < 2:
            return base
        return CalibratedClassifierCV(
            base,
            method="sigmoid",
            cv=StratifiedKFold(cv, shuffle=True, random_state=self.random_state),
            ensemble=False,
        )

    def fit(self, X, y: Mapping[str, Sequence[Any]], groups: Sequence[Any] | None = None,
            sample_weight: Mapping[str, Sequence[float]] | None = None):
        """Train every head that has labels in ``y``; returns ``self``.

        ``sample_weight`` maps a head name to one weight per row of ``X``.
        """
        targets = head_targets(y)
        if not targets:
            raise ValueError(
                "no label columns to learn from; expected any of: job_related, is_rejection, "
                "personalization, reasons, stage, feedback_offered, reapply_encouraged"
            )
        self.heads_: dict[str, Any] = {}
        self.thresholds_: dict[str, float] = {}
        self.cv_scores_: dict[str, dict[str, float]] = {}
        self.skipped_: dict[str, str] = {}
        self.class_counts_: dict[str, dict[str, int]] = {}
        # Out-of-fold probabilities of each binary head (row indices into X,
        # targets, probabilities): what thresholds combining heads are tuned on.
        self.oof_: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        groups_arr = None if groups is None else np.asarray(groups)
        self.n_features_in_ = X.shape[1]
        todo = []
        for name, (rows, target) in targets.items():
            values, counts = np.unique(target, return_counts=True)
            self.class_counts_[name] = {str(v): int(c) for v, c in zip(values, counts)}
            # Stage can learn from the classes present (a user's data may
            # hold no "unknown"); a binary head needs both classes.
            if len(values) < 2 or counts.min() < self.min_class_count:
                self.skipped_[name] = (
                    f"needs at least {self.min_class_count} examples of each class; "
                    f"has {self.class_counts_[name]}"
                )
                continue
            todo.append((name, rows, target))
        weights = {k: np.asarray(v, dtype=float) for k, v in (sample_weight or {}).items()}
        if self.n_jobs == 1 or len(todo) < 2:
            fitted = [self._fit_head(X, name, rows, target, groups_arr, weights.get(name))
                      for name, rows, target in todo]
        else:
            from joblib import Parallel, delayed

            fitted = Parallel(n_jobs=self.n_jobs)(
                delayed(self._fit_head)(X, name, rows, target, groups_arr, weights.get(name))
                for name, rows, target in todo
            )
        for (name, rows, target), (est, oof) in zip(todo, fitted):
            if name == "stage":
                if oof is not None:
                    values = np.unique(target)
                    pred = values[oof.argmax(axis=1)]
                    self.cv_scores_[name] = {"macro_f1": float(f1_score(target, pred, average="macro"))}
            else:
                threshold, score = _tune_threshold(
                    target, None if oof is None else oof[:, 1], macro=name == "personalization",
                    min_gain=self.min_gain,
                )
                self.thresholds_[name] = threshold
                if oof is not None:
                    self.oof_[name] = (rows, target, oof[:, 1])
                if score is not None:
                    self.cv_scores_[name] = {"f1": score, "threshold": threshold}
            self.heads_[name] = est
        return self

    def _fit_head(self, X, name, rows, target, groups_arr, weight=None):
        """(fitted estimator, out-of-fold probabilities or None) of one head."""
        n_min = int(np.unique(target, return_counts=True)[1].min())
        est = self._estimator(n_min, name == "stage")
        Xh = X[rows]
        k = (self.head_columns or {}).get(name)
        if k is not None:
            Xh = Xh[:, :k]
        g = None if groups_arr is None else groups_arr[rows]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            w = None if weight is None else weight[rows]
            oof = self._oof(est, Xh, target, g, n_min, w)
            if w is None:
                return est.fit(Xh, target), oof
            return est.fit(Xh, target, sample_weight=w), oof

    def _oof(self, est, X, target, groups, n_min: int, weight=None):
        n_splits = min(self.threshold_cv, n_min)
        if groups is not None:
            n_splits = min(n_splits, len(np.unique(groups)))
        if n_splits < 2:
            return None
        if groups is not None:
            cv = GroupKFold(n_splits)
        else:
            cv = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
        try:
            params = None if weight is None else {"sample_weight": weight}
            return cross_val_predict(
                clone(est), X, target, groups=groups, cv=cv, method="predict_proba", params=params
            )
        except ValueError:
            # A fold without one of the classes: fall back to the neutral threshold.
            return None

    def compile(self) -> CompiledHeads:
        """Every head as arrays with its thresholds (what a saved model keeps).

        A calibrated logistic regression is a linear score through a fitted
        sigmoid. As plain arrays one sparse product scores all heads, without
        scikit-learn's per-call input checks, which cost more than the
        arithmetic on a batch of emails.
        """
        check_is_fitted(self, "heads_")
        names = [n for n in self.heads_ if n != "stage"]
        coef, intercept, calibration = [], [], []
        for n in names:
            lr, cals = _linear_parts(self.heads_[n])
            coef.append(_padded(lr.coef_[0], self.n_features_in_))
            intercept.append(lr.intercept_[0])
            calibration.append(cals[0])
        stage, softmax = None, False
        if "stage" in self.heads_:
            lr, cals = _linear_parts(self.heads_["stage"])
            stage = {"coef": lr.coef_.T, "intercept": lr.intercept_,
                     "calibration": np.array(cals).reshape(-1, 2),
                     "classes": np.asarray(lr.classes_, dtype=int)}
            softmax = not isinstance(self.heads_["stage"], CalibratedClassifierCV)
        return CompiledHeads(
            tuple(names),
            np.array(coef).T if coef else np.zeros((0, 0)),
            np.array(intercept),
            np.array(calibration).reshape(-1, 2),
            dict(self.thresholds_),
            stage,
            softmax,
            tuple(self.heads_),
        )

    def head_proba(self, name: str, X) -> np.ndarray:
        """Probability of the positive class for a binary head (classes for stage)."""
        return self.compile().head_proba(name, X)

    def predict_proba(self, X) -> dict[str, np.ndarray]:
        """Every trained head at once: name -> probabilities (stage: one column per stage)."""
        return self.compile().predict_proba(X)

    def predict(self, X) -> dict[str, np.ndarray]:
        proba = self.predict_proba(X)
        out: dict[str, np.ndarray] = {}
        for name, p in proba.items():
            if name == "stage":
                out[name] = np.asarray(STAGES, dtype=object)[p.argmax(axis=1)]
            else:
                out[name] = p >= self.thresholds_[name]
        return out


def tune_gate(heads: RejectionHeads, X, is_rejection: Sequence[Any]) -> float | None:
    """The threshold on ``job_related``'s probability that, with ``is_rejection``'s
    own threshold, gives the best out-of-fold F1 for "a rejection" over every
    labelled row, non-job mail included.

    The is_rejection head learns from job mail only; for the non-job rows it
    never saw, its fitted probabilities are as unseen as out-of-fold ones.
    None when either head has no out-of-fold probabilities.
    """
    if "is_rejection" not in heads.oof_ or "job_related" not in heads.oof_:
        return None
    rows_j, _, p_gate = heads.oof_["job_related"]
    keep = np.array([_known(is_rejection[i]) for i in rows_j], dtype=bool)
    rows_j, p_gate = rows_j[keep], p_gate[keep]
    if not len(rows_j):
        return None
    target = np.array([int(bool(is_rejection[i])) for i in rows_j])
    p_rej = heads.compile().head_proba("is_rejection", X[rows_j])
    rows_r, _, oof_r = heads.oof_["is_rejection"]
    pos = {int(r): k for k, r in enumerate(rows_r)}
    for k, r in enumerate(rows_j):
        if int(r) in pos:
            p_rej[k] = oof_r[pos[int(r)]]
    base = p_rej >= heads.thresholds_["is_rejection"]
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = np.array([f1_score(target, base & (p_gate >= t), zero_division=0) for t in grid])
    near = grid[scores >= scores.max() - 0.005]
    return float(np.round(np.median(near), 2))


def _padded(coef: np.ndarray, width: int) -> np.ndarray:
    """A head that read the first columns only weighs the rest with zero."""
    return np.concatenate([coef, np.zeros(width - len(coef))]) if len(coef) < width else coef


def _linear_parts(est):
    """(logistic regression, [(a, b) per calibrated class]) of a head."""
    if isinstance(est, CalibratedClassifierCV):
        cc = est.calibrated_classifiers_[0]
        return cc.estimator, [(float(c.a_), float(c.b_)) for c in cc.calibrators]
    # uncalibrated: expit(-(a*z + b)) with a=-1, b=0 is the plain logistic
    n = 1 if est.coef_.shape[0] == 1 else est.coef_.shape[0]
    return est, [(-1.0, 0.0)] * n


def _tune_threshold(target: np.ndarray, proba: np.ndarray | None, macro: bool, min_gain: float = 0.0,
                    sample_weight: np.ndarray | None = None):
    """The middle of the plateau of near-best thresholds, if it clearly beats 0.5.

    Out-of-fold F1 is flat over a range of thresholds on a few hundred
    emails; its single best point moves with every fold split, while the
    middle of the range that scores within 0.01 of it is steadier. It is
    kept only when it beats the calibrated default of 0.5 by ``min_gain``.
    """
    if proba is None:
        return 0.5, None
    scores = _f1_grid(np.asarray(target), np.asarray(proba), macro, sample_weight)
    best = float(scores.max())
    near = _THRESHOLD_GRID[scores >= best - 0.01]
    threshold = float(np.round(np.median(near), 2))
    score = float(scores[np.abs(_THRESHOLD_GRID - threshold).argmin()])
    at_half = float(scores[np.abs(_THRESHOLD_GRID - 0.5).argmin()])
    if score - at_half <= min_gain:
        return 0.5, at_half
    return threshold, score


def _f1_grid(target: np.ndarray, proba: np.ndarray, macro: bool,
             sample_weight: np.ndarray | None = None) -> np.ndarray:
    """F1 (binary, or macro over both classes) at every threshold of the grid at once.

    The same numbers as ``f1_score(target, proba >= t, zero_division=0)`` per
    threshold, without scikit-learn's input checks for each of 71 calls.
    """
    w = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    pred = proba[None, :] >= _THRESHOLD_GRID[:, None]
    pos = target == 1

    def f1(pred_pos, true_pos):
        tp = (pred_pos & true_pos) @ w
        denom = pred_pos @ w + (true_pos @ w)
        return np.divide(2 * tp, denom, out=np.zeros(len(tp)), where=denom > 0)

    if not macro:
        return f1(pred, np.broadcast_to(pos, pred.shape))
    # scikit-learn averages over the classes seen in the truth or the predictions
    total, seen = np.zeros(len(_THRESHOLD_GRID)), np.zeros(len(_THRESHOLD_GRID))
    for p, t in ((pred, pos), (~pred, ~pos)):
        here = p.any(axis=1) | t.any()
        total += np.where(here, f1(p, np.broadcast_to(t, p.shape)), 0.0)
        seen += here
    return total / np.maximum(seen, 1)
