"""The output heads: one scikit-learn classifier per head, and the container of all.

:class:`HeadClassifier` is one head on a 1-D target: a class-balanced
logistic regression, sigmoid-calibrated, whose decision threshold (binary
heads) is tuned on out-of-fold probabilities (grouped folds when groups are
given) by :func:`rejectlens.thresholds.tune_threshold` and stored on the
estimator, never typed in. :class:`RejectionHeads` maps head names
(:data:`rejectlens.labels.HEADS`) to fitted heads; which rows teach which head
is :func:`rejectlens.labels.head_targets`. Turning them into the arrays a
saved model scores with is :func:`rejectlens.export.export`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .labels import PERSONALIZATION, STAGES, head_targets
from .thresholds import tune_threshold

__all__ = ["HeadClassifier", "RejectionHeads"]


class HeadClassifier(ClassifierMixin, BaseEstimator):
    """One head: calibrated logistic regression with a tuned decision threshold.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    calibration_cv : int
        Folds for sigmoid calibration (fewer when the rarest class is smaller;
        below 2, the plain logistic regression).
    threshold_cv : int
        Folds for the out-of-fold probabilities the threshold is tuned on.
    min_gain : float
        A tuned threshold replaces 0.5 only when it beats 0.5 by this much
        out-of-fold F1 (probabilities are calibrated, so 0.5 is the natural cut).
    macro : bool
        Tune on macro F1 over both classes instead of the positive class's F1.
    columns : int or None
        Read only the first ``columns`` feature columns (the job head reads the words only).
    solver : str or None
        Of the logistic regression; None: liblinear for two classes, lbfgs for more.
    random_state : int
        Seed for fold shuffling; fitting is deterministic given it.

    Attributes
    ----------
    estimator_ : the fitted (calibrated) logistic regression.
    classes_ : ndarray
    threshold_ : float or None
        Probability of ``classes_[1]`` from which ``predict`` says ``classes_[1]``;
        None for more than two classes (the likeliest class wins).
    oof_proba_ : ndarray or None
        Out-of-fold probabilities of the training rows (None when a class was
        too small for the folds).
    cv_score_ : dict
        Out-of-fold F1 at the threshold (binary) or macro F1 (multiclass).
    """

    def __init__(self, C: float = 8.0, calibration_cv: int = 3, threshold_cv: int = 5,
                 min_gain: float = 0.02, macro: bool = False, columns: int | None = None,
                 solver: str | None = None, random_state: int = 0):
        self.C = C
        self.calibration_cv = calibration_cv
        self.threshold_cv = threshold_cv
        self.min_gain = min_gain
        self.macro = macro
        self.columns = columns
        self.solver = solver
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _estimator(self, n_min: int, n_classes: int):
        solver = self.solver or ("liblinear" if n_classes == 2 else "lbfgs")
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000, solver=solver)
        cv = min(self.calibration_cv, n_min)
        if cv < 2:
            return base
        return CalibratedClassifierCV(
            base, method="sigmoid", cv=StratifiedKFold(cv, shuffle=True, random_state=self.random_state),
            ensemble=False)

    def _columns(self, X):
        return X[:, : self.columns] if self.columns is not None else X

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit on ``X`` and the 1-D target ``y``; ``groups`` keep a group on one
        side of every threshold fold. Returns ``self``."""
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes in y; "
                             f"got 1 class ({classes[0]!r})")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        groups = None if groups is None else np.asarray(groups)
        n_min = int(counts.min())
        est = self._estimator(n_min, len(classes))
        Xh = self._columns(X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.oof_proba_ = self._out_of_fold(est, Xh, y, groups, n_min, sample_weight)
            kw = {} if sample_weight is None else {"sample_weight": sample_weight}
            self.estimator_ = est.fit(Xh, y, **kw)
        self.classes_ = self.estimator_.classes_
        self.threshold_, self.cv_score_ = None, {}
        oof = self.oof_proba_
        if len(classes) == 2:
            target = (y == self.classes_[1]).astype(int)
            threshold, score = tune_threshold(target, None if oof is None else oof[:, 1],
                                              macro=self.macro, min_gain=self.min_gain)
            self.threshold_ = threshold
            if score is not None:
                self.cv_score_ = {"f1": score, "threshold": threshold}
        elif oof is not None:
            pred = self.classes_[oof.argmax(axis=1)]
            self.cv_score_ = {"macro_f1": float(f1_score(y, pred, average="macro"))}
        return self

    def _out_of_fold(self, est, X, y, groups, n_min: int, weight):
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
            return cross_val_predict(clone(est), X, y, groups=groups, cv=cv, method="predict_proba",
                                     params=params)
        except ValueError:
            # A fold without one of the classes: fall back to the neutral threshold.
            return None

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return self.estimator_.predict_proba(self._columns(X))

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        if self.threshold_ is None:
            return self.classes_[proba.argmax(axis=1)]
        return self.classes_[(proba[:, 1] >= self.threshold_).astype(int)]


def _class_name(head: str, value: Any) -> str:
    """A head's 0/1 or index target as the label it stands for."""
    if head == "stage":
        return STAGES[int(value)]
    if head == "personalization":
        return PERSONALIZATION[int(value)]
    return "true" if value else "false"


class RejectionHeads(BaseEstimator):
    """All output heads over one shared feature matrix: head name -> :class:`HeadClassifier`.

    Parameters are those of :class:`HeadClassifier`, shared by every head, plus:

    min_class_count : int
        A head whose rarest class has fewer examples is not trained; the
        reason is kept in ``skipped_``.
    n_jobs : int
        Heads trained in parallel (joblib); training is identical for any value.
    head_columns : mapping of head name to int, or None
        Heads that read only the first ``k`` feature columns (the words):
        ``job_related`` asks what an email is about, and the rejection cues
        (which non-job refusals share) only mislead it.

    ``personalization`` tunes on macro F1; ``stage`` is multiclass (lbfgs) and
    has no threshold. On the dev split, freely tuned thresholds on a few
    hundred rejections did no better than 0.5 on five of six fields, hence
    ``min_gain``.
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

    def head(self, name: str) -> HeadClassifier:
        """The unfitted classifier of one head, with this container's settings."""
        return HeadClassifier(
            C=self.C, calibration_cv=self.calibration_cv, threshold_cv=self.threshold_cv,
            min_gain=self.min_gain, macro=name == "personalization",
            columns=(self.head_columns or {}).get(name), solver="lbfgs" if name == "stage" else None,
            random_state=self.random_state)

    def fit(self, X, y: Mapping[str, Sequence[Any]], groups: Sequence[Any] | None = None,
            sample_weight: Mapping[str, Sequence[float]] | None = None):
        """Train every head that has labels in ``y`` (label field -> one value per
        row of ``X``); returns ``self``. ``sample_weight`` maps a head name to
        one weight per row of ``X``."""
        targets = head_targets(y)
        if not targets:
            raise ValueError(
                "no label columns to learn from; expected any of: job_related, is_rejection, "
                "personalization, reasons, stage, feedback_offered, reapply_encouraged"
            )
        self.heads_: dict[str, HeadClassifier] = {}
        self.thresholds_: dict[str, float] = {}
        self.cv_scores_: dict[str, dict[str, float]] = {}
        self.skipped_: dict[str, str] = {}
        self.class_counts_: dict[str, dict[str, int]] = {}
        # Out-of-fold probabilities of each binary head (row indices into X,
        # targets, probabilities): what thresholds combining heads are tuned on.
        self.oof_: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.n_features_in_ = X.shape[1]
        todo = []
        for name, (rows, target) in targets.items():
            values, counts = np.unique(target, return_counts=True)
            self.class_counts_[name] = {_class_name(name, v): int(c) for v, c in zip(values, counts)}
            # Stage can learn from the classes present (a user's data may
            # hold no "unknown"); a binary head needs both classes.
            if len(values) < 2 or counts.min() < self.min_class_count:
                self.skipped_[name] = (
                    f"needs at least {self.min_class_count} examples of each class; "
                    f"has {self.class_counts_[name]}" + (" (job mail only)" if name == "is_rejection" else "")
                )
                continue
            todo.append((name, rows, target))
        groups_arr = None if groups is None else np.asarray(groups)
        weights = {k: np.asarray(v, dtype=float) for k, v in (sample_weight or {}).items()}

        def job(name, rows, target):
            w = weights.get(name)
            return self.head(name).fit(X[rows], target, None if w is None else w[rows],
                                       None if groups_arr is None else groups_arr[rows])

        if self.n_jobs == 1 or len(todo) < 2:
            fitted = [job(*t) for t in todo]
        else:
            from joblib import Parallel, delayed

            fitted = Parallel(n_jobs=self.n_jobs)(delayed(job)(*t) for t in todo)
        for (name, rows, target), head in zip(todo, fitted):
            self.heads_[name] = head
            if head.cv_score_:
                self.cv_scores_[name] = dict(head.cv_score_)
            if head.threshold_ is not None:
                self.thresholds_[name] = head.threshold_
                if head.oof_proba_ is not None:
                    self.oof_[name] = (rows, target, head.oof_proba_[:, 1])
        return self

    def predict_proba(self, X) -> dict[str, np.ndarray]:
        """Every trained head at once: name -> probability of the positive class
        (stage: one column per stage of ``STAGES``, zeros for stages never seen)."""
        check_is_fitted(self, "heads_")
        out: dict[str, np.ndarray] = {}
        for name, head in self.heads_.items():
            p = head.predict_proba(X)
            if name == "stage":
                full = np.zeros((p.shape[0], len(STAGES)))
                full[:, np.asarray(head.classes_, dtype=int)] = p
                out[name] = full
            else:
                out[name] = p[:, 1]
        return out

    def head_proba(self, name: str, X) -> np.ndarray:
        """Probability of the positive class for a binary head (classes for stage)."""
        return self.predict_proba(X)[name] if name == "stage" else self.heads_[name].predict_proba(X)[:, 1]

    def predict(self, X) -> dict[str, np.ndarray]:
        """name -> decisions at the stored thresholds (stage: the likeliest stage's name)."""
        out: dict[str, np.ndarray] = {}
        for name, p in self.predict_proba(X).items():
            if name == "stage":
                out[name] = np.asarray(STAGES, dtype=object)[p.argmax(axis=1)]
            else:
                out[name] = p >= self.thresholds_[name]
        return out

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Models saved before heads were HeadClassifiers (the bundled
        # model.skops among them) hold the bare calibrated regressions.
        super().__setstate__(state)
        heads = self.__dict__.get("heads_")
        if heads and not all(isinstance(h, HeadClassifier) for h in heads.values()):
            self.heads_ = {n: h if isinstance(h, HeadClassifier) else self._wrap(n, h)
                           for n, h in heads.items()}

    def _wrap(self, name: str, est) -> HeadClassifier:
        head = self.head(name)
        head.estimator_, head.classes_ = est, est.classes_
        head.threshold_ = None if name == "stage" else self.thresholds_.get(name, 0.5)
        head.cv_score_ = dict(self.cv_scores_.get(name, {}))
        head.oof_proba_ = None
        head.n_features_in_ = self.n_features_in_
        return head
