"""Retraining on top of a base model: the user's labels added to the bundled corpus.

What :func:`retrain` does, and why:

- **Features stay the base's.** The base model's vectorizer (vocabulary, idf,
  cues, decision-sentence model) is kept, so the corpus matrix can be cached
  (:mod:`rejectlens.corpus_cache`) and only the user's rows are analysed.
  (The corpus rows' decision-sentence features are then the base's fitted
  scores, not the out-of-fold ones the base's heads learnt from; at the
  features' weight of 0.1 the difference is small.)
- **Heads change only where the labels support it.** A head is refit on the
  corpus plus the user's rows when the user labelled at least ``min_class``
  rows of each of its classes (stage: of two stages); every other head keeps
  the base's coefficients and threshold. Refits use the base's recipe
  (class-balanced logistic regression, sigmoid-calibrated, threshold moved
  off 0.5 only when grouped out-of-fold F1 beats it by 0.02), made cheap in
  :mod:`rejectlens.refit`.
- **The user's rows are weighted.** Each counts as :func:`default_weight`
  corpus rows, so a few hundred of them steer a head trained on thousands.
- **Guarded.** Part of the user's rows (whole groups, seeded) is held out; a
  candidate trained without them is scored beside the base on them. The
  caller refuses the model when the candidate is worse on ``is_rejection`` or
  ``job_related`` (:attr:`RetrainResult.worse`). The written model is then
  refit on all the user's rows with the same recipe: the check vouches for
  the recipe on this user's mail, and the held-out rows are too valuable to
  leave out of a model trained on a few dozen labels.

The held-out split, the comparison and the result live in
:mod:`rejectlens.retrain_check`; the fast head refits in :mod:`rejectlens.refit`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .corpus.load import bundled_corpus
from .errors import DataError
from .ingest import to_email
from .labels import BINARY_HEADS, LABEL_FIELDS, head_targets
from .model import Classifier
from .parallel import resolve_n_jobs
from .records import as_records, data_hash, misspelt_labels, refuse_misspelt_labels, validate_labels
from .refit import head_columns, merge_heads, refit_binary, refit_stage
from .retrain_check import FieldScore, HeadChoice, RetrainResult, compare, group_of, split_holdout
from .scoring import CompiledHeads
from .signals import ENTITY_SIGNALS, entity_pipeline
from .training import BaseModel, _job_weights, _resolve_base, head_labels

__all__ = ["FieldScore", "HeadChoice", "RetrainResult", "default_weight", "retrain"]

# The user's rows weigh, together, at most this share of the corpus's weight,
# reached at STEER_ROWS rows; below that each row counts the same.
USER_SHARE = 0.5
STEER_ROWS = 200


def default_weight(n_user: int, n_corpus: int) -> float:
    """Corpus rows one user row counts as: ``n_corpus * 0.5 / max(n_user, 200)``.

    Up to 200 rows each counts the same (about 17.5 corpus rows for the
    bundled corpus of 7,015), so 200 of them together weigh half the corpus: enough to move a
    head toward the user's mail, not enough for a few odd labels to erase
    what thousands of corpus emails taught. Beyond 200, their total stays at
    half the corpus.
    """
    return max(1.0, USER_SHARE * n_corpus / max(n_user, STEER_ROWS))


def retrain(
    records: Iterable[Mapping[str, Any]],
    *,
    base: BaseModel = "default",
    weight: float | None = None,
    holdout: float = 0.25,
    cv: int = 2,
    seed: int = 0,
    min_class: int = 3,
    n_jobs: int = 1,
    corpus: Sequence[Mapping[str, Any]] | None = None,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RetrainResult:
    """Add the user's labelled ``records`` to ``base`` and its corpus (see the module docstring).

    ``base`` is ``"default"`` (the bundled model), a model directory or a
    Classifier. ``corpus`` defaults to the bundled corpus (train + dev
    splits). ``weight`` overrides :func:`default_weight`. ``holdout`` is the
    share of the user's rows held out for the check (0 skips it).
    Returns a :class:`RetrainResult`; it is the caller's call to refuse a
    result whose :attr:`~RetrainResult.worse` is not empty.

    >>> import rejectlens
    >>> no = "Thank you for applying for the Data Analyst role. We have decided not to proceed."
    >>> rows = [{"body": no + f" Ref {i}.", "is_rejection": True} for i in range(4)] + [
    ...     {"body": f"Your interview for the Data Analyst role is on day {i}.", "is_rejection": False}
    ...     for i in range(4)]
    >>> result = rejectlens.retrain(rows, holdout=0)
    >>> result.retrained, result.model.classify(no).is_rejection
    (('is_rejection',), True)
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    n_jobs = resolve_n_jobs(n_jobs)  # 0: one per core, as for classify
    user = as_records(records)
    if not user:
        raise DataError("no records to train on")
    validate_labels(user)
    refuse_misspelt_labels(user)
    present = [f for f in LABEL_FIELDS if any(r.get(f) is not None for r in user)]
    if not present:
        raise DataError("no label columns found; expected at least one of: " + ", ".join(LABEL_FIELDS)
                        + misspelt_labels(user))
    if cv < 2:
        raise DataError(f"cv must be at least 2 folds; got {cv}")
    if not 0 <= holdout < 1:
        raise DataError(f"holdout must be a share in [0, 1); got {holdout}")
    if weight is not None and not (weight > 0 and math.isfinite(weight)):
        raise DataError(f"weight must be a positive number; got {weight}")
    base_model = _resolve_base(base)
    if base_model is None:
        raise DataError("retrain needs a base model; to train from your rows alone use train(..., base=None)")
    vectorizer, base_heads = base_model.compiled()
    corpus = [dict(r) for r in (bundled_corpus() if corpus is None else corpus)]
    say(f"bundled corpus: {len(corpus)} emails")

    from .corpus_cache import corpus_features

    def features(rows):
        return vectorizer.transform(base_model.analyse([to_email(r) for r in rows]))

    X_corpus, cached = corpus_features(vectorizer, base_model.patterns, corpus, features, say,
                                       use_cache=use_cache)
    say("corpus features: " + ("read from the cache" if cached else "built" + " and cached" * use_cache))
    say(f"analysing your {len(user)} emails")
    X_user = features(user)
    w = float(weight) if weight is not None else default_weight(len(user), len(corpus))
    choices = _choose_heads(user, present, base_heads, min_class)
    todo = [c.name for c in choices if c.retrained]
    if not todo:
        labelled = [c for c in choices if c.why != NO_LABELS] or choices
        raise DataError(
            "none of your label columns can retrain a head: each needs at least "
            f"{min_class} labelled rows of every class. "
            + "; ".join(f"{c.name} {c.why}" for c in labelled) + misspelt_labels(user))
    fit = _Fitter(base_model, X_corpus, corpus, X_user, user, present, w, cv, seed, n_jobs)
    scores: tuple[FieldScore, ...] = ()
    hold_idx: list[int] = []
    tuned = None
    if holdout > 0:
        fit_idx, hold_idx = split_holdout(user, holdout, seed)
        if hold_idx and fit_idx:
            say(f"fitting {len(todo)} heads without the {len(hold_idx)} held-out rows "
                f"({cv} grouped folds each, for calibration and thresholds)")
            candidate, tuned = fit.model(todo, fit_idx)
            say("scoring base and candidate on the held-out rows")
            scores = compare(base_model, candidate, [user[i] for i in hold_idx])
        else:
            hold_idx = []
    # The written model: coefficients refit on all the user's rows; calibration
    # and thresholds are the candidate's, so the check above vouches for them.
    say(f"refitting {len(todo)} heads on all {len(user)} of your rows")
    model, _ = fit.model(todo, list(range(len(user))), like=tuned)
    model.manifest = {
        ENTITY_SIGNALS: entity_pipeline(base_model.manifest),
        "training": {
            "mode": "retrain",
            "data_hash": data_hash(user),
            "corpus_hash": data_hash(corpus),
            "n_records": len(user),
            "n_corpus": len(corpus),
            "label_fields": present,
            "user_weight": w,
            "retrained_heads": list(todo),
            "kept_heads": {c.name: c.why for c in choices if not c.retrained},
            "holdout": {"share": holdout, "n": len(hold_idx), "seed": seed,
                        "scores": [s.__dict__ for s in scores]},
            "seed": seed,
            "base": str(base_model.path or "in-memory model"),
            "base_data_hash": (base_model.manifest.get("training") or {}).get("data_hash"),
            "params": {"cv": cv, "min_class": min_class},
            "seconds": round(time.perf_counter() - started, 2),
        }
    }
    return RetrainResult(model, tuple(choices), scores, len(user), len(hold_idx), len(corpus), w,
                         round(time.perf_counter() - started, 2))


NO_LABELS = "no labels for it in your rows"


def _choose_heads(user, present, base_heads: CompiledHeads, min_class: int) -> list[HeadChoice]:
    """Which heads the user's labels can support (their rows alone, before the corpus)."""
    y, _ = head_labels(user, present)
    targets = head_targets(y) if y else {}
    out = []
    for name in (*BINARY_HEADS, "stage"):
        if name not in targets:
            if name in base_heads.heads_:
                out.append(HeadChoice(name, False, NO_LABELS))
            continue
        _, target = targets[name]
        values, counts = np.unique(target, return_counts=True)
        have = {_class_name(name, v): int(c) for v, c in zip(values, counts)}
        if name == "stage":
            ok = int((counts >= min_class).sum()) >= 2
            need = f"at least {min_class} rows of two stages"
        else:
            ok = len(values) == 2 and counts.min() >= min_class
            need = f"at least {min_class} rows of each class"
        # is_rejection learns from job mail only (job_related teaches the rest);
        # the rejection-only heads from rejections only: say so, or the counts puzzle.
        scope = (" (job mail only)" if name == "is_rejection"
                 else "" if name == "job_related" else " (rejections only)")
        if ok:
            out.append(HeadChoice(name, True, f"your rows have {have}{scope}"))
        elif name in base_heads.heads_:
            out.append(HeadChoice(name, False, f"needs {need}; your rows have {have}{scope}"))
    return out


def _class_name(head: str, value) -> str:
    if head == "stage":
        from .labels import STAGES

        return STAGES[int(value)]
    if head == "personalization":
        return "personalized" if value else "generic"
    return "true" if value else "false"


class _Fitter:
    """Fits chosen heads on the corpus plus some of the user's rows and merges
    them into the base's heads."""

    def __init__(self, base: Classifier, X_corpus, corpus, X_user, user, present, weight, cv, seed,
                 n_jobs):
        self.base = base
        self.X_corpus, self.corpus = X_corpus, corpus
        self.X_user, self.user = X_user, user
        self.present, self.weight = present, weight
        self.cv, self.seed, self.n_jobs = cv, seed, n_jobs
        # Every field either side labels: the corpus teaches the refit heads too.
        corpus_fields = _corpus_fields(corpus)
        self.fields = [f for f in LABEL_FIELDS if f in present or f in corpus_fields]

    def model(self, todo: Sequence[str], rows: Sequence[int],
              like: Mapping[str, Any] | None = None) -> tuple[Classifier, dict[str, Any]]:
        """(model, refit heads by name); with ``like`` (the heads of an earlier
        fit), binary heads keep its calibration and thresholds and only refit
        their coefficients."""
        vectorizer, base_heads = self.base.compiled()
        user = [self.user[i] for i in rows]
        n_c = len(self.corpus)
        y, _ = head_labels(self.corpus + user, self.fields)
        scale = np.r_[np.ones(n_c), np.full(len(user), self.weight)]
        weights = {}
        if "job_related" in y:
            # The corpus's refusal/topic cells are balanced as in the base's
            # training; the user's rows weigh ``weight`` each.
            weights["job_related"] = scale * np.r_[
                _job_weights(self.corpus, y["job_related"][:n_c]),
                [0.0 if v is None else 1.0 for v in y["job_related"][n_c:]]]
        X = sp.vstack([self.X_corpus, self.X_user[list(rows)]], format="csr")
        groups = np.array([str(r.get("group") or f"corpus:{i}") for i, r in enumerate(self.corpus)] + [
            "user:" + group_of(r, i) for i, r in zip(rows, user)])
        C = _base_param(self.base, "C", 8.0)
        columns = head_columns(vectorizer, base_heads)
        targets = head_targets(y)

        def one(name):
            idx, target = targets[name]
            w = weights.get(name, scale)[idx]
            if name == "stage":
                start = (like or {}).get("stage", base_heads.stage)
                return refit_stage(X[idx], target, w, C=C, start=start,
                                   columns=(columns or {}).get("stage"))
            return refit_binary(X[idx], target, w, groups[idx], C=C, cv=self.cv, seed=self.seed,
                                columns=(columns or {}).get(name), macro=name == "personalization",
                                like=(like or {}).get(name))

        if self.n_jobs == 1 or len(todo) < 2:
            fitted = [one(name) for name in todo]
        else:
            from joblib import Parallel, delayed

            # Threads: liblinear and lbfgs release the GIL, and the matrix is shared, not copied.
            fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(one)(n) for n in todo)
        names, coef, intercept, calibration, thresholds = [], [], [], [], {}
        stage = None
        for name, head in zip(todo, fitted):
            if name == "stage":
                stage = head
                continue
            names.append(name)
            coef.append(head.coef)
            intercept.append(head.intercept)
            calibration.append(head.calibration)
            thresholds[name] = head.threshold
        width = X.shape[1]
        new = CompiledHeads(
            tuple(names), np.column_stack(coef) if coef else np.zeros((width, 0)),
            np.array(intercept), np.array(calibration).reshape(-1, 2), thresholds, stage,
            stage is not None, tuple(todo))
        merged = merge_heads(base_heads, new, thresholds)
        model = Classifier(vectorizer, merged, self.base.patterns, fallback=self.base.fallback)
        return model, dict(zip(todo, fitted))


def _corpus_fields(corpus) -> set[str]:
    return {f for f in LABEL_FIELDS if any(r.get(f) is not None for r in corpus)}


def _base_param(base: Classifier, name: str, default: float) -> float:
    params = (base.manifest.get("training") or {}).get("params") or {}
    return float(params.get(name, default))


