"""rejectlens as a scikit-learn classifier on raw email texts.

:class:`RejectionClassifier` answers one question of the model (``target``:
``"is_rejection"`` or ``"job_related"``) for each text, so it can sit in
``cross_val_score``, ``GridSearchCV`` and your own ``Pipeline``:

>>> from rejectlens.sklearn import RejectionClassifier
>>> clf = RejectionClassifier(refit="none").fit(["We will not be moving forward."], [True])
>>> clf.predict(["Unfortunately the position has been filled.", "See you on Monday at 10."]).tolist()
[True, False]

``fit`` trains the ``target`` head on your labels with :func:`rejectlens.train`
(the other heads, and the job-mail gate, come from ``model``), or with
``refit="none"`` keeps ``model`` as it is, which measures the bundled model on
your data. Texts may be a list, a numpy array, a pandas Series, or a DataFrame
with one column (or ``text_column=``).

``predict`` is what :meth:`Classifier.classify` says (the head's tuned
threshold, and for ``is_rejection`` the job-mail gate), so it is not always
``predict_proba >= 0.5``; ``predict_proba`` holds the score of the same
prediction (``rejection_score`` / ``job_related_score``). scikit-learn's own
``TunedThresholdClassifierCV`` works the same way.

This module's name shadows nothing: inside it, ``sklearn`` is scikit-learn
(absolute imports).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import check_is_fitted

from .clean import has_text
from .errors import InputError
from .model import Classifier

__all__ = ["RejectionClassifier"]

TARGETS: tuple[str, ...] = ("is_rejection", "job_related")
REFITS: tuple[str, ...] = ("heads", "none")
_SCORE_FIELD = {"is_rejection": "rejection_score", "job_related": "job_related_score"}


class RejectionClassifier(ClassifierMixin, BaseEstimator):
    """A scikit-learn binary classifier on raw email texts, backed by rejectlens.

    Parameters
    ----------
    model : "default", str, Path, Classifier or None
        The model to start from: ``"default"`` is the bundled model, a path a
        model directory, or a :class:`~rejectlens.Classifier`. ``None`` (or
        ``"none"``, as in ``rejectlens train --base none``) trains from
        scratch on your labels alone (``refit="heads"``, ``target=
        "is_rejection"`` only: a job_related head alone cannot answer whether
        an email is a rejection).
    target : {"is_rejection", "job_related"}
        The label ``y`` holds and ``predict`` answers.
    refit : {"heads", "none"}
        ``"heads"``: ``fit`` trains the ``target`` head on ``(X, y)``, the
        other heads come from ``model``. ``"none"``: ``fit`` only checks its
        input and keeps ``model`` unchanged.
    text_column : str or None
        Column of a DataFrame ``X`` holding the text; may be None when the
        DataFrame has one column.
    threshold_cv, C, min_df, seed
        Passed to :func:`rejectlens.train` (folds for threshold tuning,
        inverse regularisation, minimum document frequency of a word, seed).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        ``[False, True]``.
    model_ : Classifier
        The fitted (or, with ``refit="none"``, loaded) rejectlens model.
    threshold_ : float
        The threshold ``predict`` applies to the ``target`` head.
    """

    def __init__(
        self,
        model: str | Path | Classifier | None = "default",
        target: str = "is_rejection",
        refit: str = "heads",
        text_column: str | None = None,
        threshold_cv: int = 3,
        C: float = 8.0,
        min_df: int = 2,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.target = target
        self.refit = refit
        self.text_column = text_column
        self.threshold_cv = threshold_cv
        self.C = C
        self.min_df = min_df
        self.seed = seed

    def fit(self, X, y) -> RejectionClassifier:
        """Train the ``target`` head on texts ``X`` and booleans ``y`` (or keep ``model``)."""
        self._check_params()
        texts = self._texts(X)
        labels = _labels(y, len(texts), self.target)
        empty = [i for i, t in enumerate(texts) if not has_text(t)]
        if empty and self.refit != "none":  # rows counted from 0, as predict counts them
            more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
            raise InputError("expected an email text in every row; found none (no letter or digit) in "
                             + ", ".join(f"row {i}" for i in empty[:5]) + more)
        if self.refit == "none":
            self.model_ = self._base()
        else:
            from .training import train

            records = [{"body": t, self.target: v} for t, v in zip(texts, labels)]
            self.model_ = train(records, base=self._base(), cv=self.threshold_cv, seed=self.seed,
                                C=self.C, min_df=self.min_df)
        thresholds = self.model_.thresholds
        if self.target not in thresholds:
            raise InputError(
                f"the model has no {self.target} head (its heads: {', '.join(sorted(thresholds))}); "
                f"use refit='heads' to train one, or a model that has it"
            )
        self.threshold_ = float(thresholds[self.target])
        self.classes_ = np.array([False, True])
        return self

    def predict(self, X) -> np.ndarray:
        """What the model says for ``target``: a boolean array."""
        return np.array([bool(getattr(p, self.target)) for p in self._classify(X)], dtype=bool)

    def predict_proba(self, X) -> np.ndarray:
        """Columns ``[P(False), P(True)]``, the score of ``predict``'s answer."""
        field = _SCORE_FIELD[self.target]
        p = np.array([getattr(pred, field) for pred in self._classify(X)], dtype=float)
        return np.column_stack([1.0 - p, p])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A 1-D sequence of raw texts, not a numeric matrix (like CountVectorizer).
        # scikit-learn's estimator checks feed numeric 2-D arrays, so they skip
        # this estimator; tests/test_sklearn.py runs the API contract on text.
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False  # y is one boolean label
        return tags

    # ---- internals ----------------------------------------------------------
    def _check_params(self) -> None:
        if self.target not in TARGETS:
            raise InputError(f"target must be one of {', '.join(TARGETS)}; got {self.target!r}")
        if self.refit not in REFITS:
            raise InputError(f"refit must be one of {', '.join(REFITS)}; got {self.refit!r}")
        if self._no_base() and self.refit == "none":
            raise InputError(
                "model=None means 'no base model', so refit='none' leaves nothing to predict with; "
                "pass model='default' (the bundled model) or a model path, or refit='heads'"
            )
        if self._no_base() and self.target == "job_related":
            raise InputError(
                "target='job_related' with model=None would give a model that cannot tell "
                "rejections; pass model='default' (the bundled model) or a model path to train "
                "the job_related head on top of it"
            )

    def _no_base(self) -> bool:
        return self.model is None or (isinstance(self.model, str) and self.model == "none")

    def _base(self) -> Classifier | None:
        if self._no_base():
            return None
        if isinstance(self.model, Classifier):
            return self.model
        if isinstance(self.model, (str, Path)):
            from .api import load

            return load(None if self.model == "default" else self.model)
        raise InputError(
            "model must be 'default', a model directory path, a rejectlens Classifier or None; "
            f"got {type(self.model).__name__}"
        )

    def _texts(self, X) -> list[str]:
        return _texts(X, self.text_column)

    def _classify(self, X):
        check_is_fitted(self)
        texts = self._texts(X)
        preds = list(self.model_.classify_many(texts))
        failed = [(i, p.error) for i, p in enumerate(preds) if p.error is not None]
        if failed:
            rows = "; ".join(f"row {i}: {err}" for i, err in failed[:5])
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            raise InputError(
                f"{len(failed)} of {len(texts)} texts could not be classified ({rows}{more}); "
                "drop rows with no readable text before predicting"
            )
        return preds


def _texts(X, text_column: str | None) -> list[str]:
    """The texts of ``X`` as a list of str, or an InputError saying what was found."""
    if isinstance(X, str):
        raise InputError(
            "expected a sequence of texts (list, numpy array, pandas Series or DataFrame column); "
            "got a single str: wrap it in a list"
        )
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
        columns = [str(c) for c in X.columns]
        if text_column is not None:
            if text_column not in X.columns:
                raise InputError(
                    f"text_column {text_column!r} not found; columns found: {', '.join(columns)}"
                )
            X = X[text_column]
        elif X.shape[1] == 1:
            X = X.iloc[:, 0]
        else:
            raise InputError(
                f"expected a DataFrame with one text column, or text_column=<name>; found "
                f"{X.shape[1]} columns: {', '.join(columns)}"
            )
    elif text_column is not None and not hasattr(X, "iloc"):
        raise InputError(f"text_column={text_column!r} needs a pandas DataFrame; got {type(X).__name__}")
    if isinstance(X, np.ndarray) and X.ndim == 2:
        if X.shape[1] != 1:
            raise InputError(
                f"expected texts as a 1-D sequence or one column; got an array of shape {X.shape}"
            )
        X = X[:, 0]
    if isinstance(X, Mapping) or (not isinstance(X, (Sequence, np.ndarray)) and not hasattr(X, "iloc")
                                  and not (hasattr(X, "__array__") and hasattr(X, "tolist"))):
        # (pandas' string arrays, what Series.values gives on pandas 3, and an Index pass)
        raise InputError(
            "expected a sequence of texts (list, numpy array, pandas Series or DataFrame column); "
            f"got {type(X).__name__}"
        )
    texts = X.tolist() if hasattr(X, "tolist") else list(X)
    bad = [(i, t) for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        shown = ", ".join(f"row {i} ({type(t).__name__})" for i, t in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise InputError(f"expected a str (the email text) in every row; found {shown}{more}")
    if not texts:
        raise InputError("expected at least one text; got none")
    return texts


def _labels(y, n: int, target: str) -> list[bool]:
    """``y`` as Python bools (True/False or 1/0), or an InputError naming what was found."""
    if y is None:
        raise InputError(f"fit needs y: one {target} label (True/False) per text")
    values: list[Any] = y.tolist() if hasattr(y, "tolist") else list(y)
    if values and all(isinstance(v, list) and len(v) == 1 for v in values):
        # a column vector, shape (n, 1): flattened, with the warning scikit-learn gives
        warnings.warn("A column-vector y was passed when a 1d array was expected; it is flattened.",
                      DataConversionWarning, stacklevel=3)
        values = [v[0] for v in values]
    if len(values) != n:
        raise InputError(f"X has {n} texts but y has {len(values)} labels")
    out, bad = [], []
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer, float)) and v in (0, 1)):
            out.append(bool(v))
        else:
            bad.append(f"row {i} ({v!r})")
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise InputError(
            f"expected {target} labels True/False (or 1/0); found {', '.join(bad[:5])}{more}"
        )
    return out
