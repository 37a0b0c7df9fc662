"""Training: labeled records in, a fitted Classifier out."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .analyse import default_cue_patterns
from .corpus.load import bundled_corpus
from .decision import twin_indices
from .errors import DataError
from .features import EmailVectorizer
from .heads import RejectionHeads
from .ingest import to_email
from .labels import LABEL_FIELDS, job_related_target
from .model import Classifier, analyse_emails
from .parallel import resolve_n_jobs
from .pipeline import RejectionPipeline
from .records import as_records, data_hash, misspelt_labels, refuse_misspelt_labels, validate_labels
from .signals import ENTITY_SIGNALS, EntitySignals

__all__ = ["head_labels", "train"]

BaseModel = str | Path | Classifier | None


def _resolve_base(base: BaseModel) -> Classifier | None:
    if base is None or base == "none":
        return None
    if isinstance(base, Classifier):
        return base
    from .api import load

    return load(None if base == "default" else base)


def train(
    records: Iterable[Mapping[str, Any]],
    *,
    base: BaseModel = None,
    with_bundled_corpus: bool = False,
    cv: int = 5,
    seed: int = 0,
    C: float = 8.0,
    min_df: int = 2,
    cue_weight: float = 0.3,
    patterns: Mapping[str, list[str]] | None = None,
    n_jobs: int = 1,
    job_words_only: bool = True,
    decision_weight: float = 0.1,
    entity_signals: str | None = None,
) -> Classifier:
    """Fit a Classifier on labeled records.

    Each record needs ``body`` and any subset of the label fields of the
    labeling guide; a head trains where its labels exist. Heads without
    labels (or with too few examples of a class) come from ``base``: the
    bundled model for ``"default"``, a model directory, a Classifier, or none
    for ``None``. ``with_bundled_corpus`` adds the project's own training
    emails. Thresholds are tuned on ``cv`` folds, grouped by the ``group``
    field when every record has one, so a template family never sits on both
    sides of a fold. Records may carry ``decision`` (the sentences that state
    the decision of a rejection) to train the decision-sentence model; the
    project corpus does. The only two job emails of a group, one a rejection
    and one not and sharing most of their words, are contrast twins: the
    near-miss sentence model learns from them (rejectlens.decision). With
    decision marks, the rejections' ``reasons`` also train the
    reason-sentence models that can veto a reason (rejectlens.reason_sentences);
    without marks no reason is vetoed.
    ``n_jobs`` heads train at once. ``entity_signals`` names a trained spaCy
    pipeline (e.g. ``"en_core_web_sm"``) whose named entities the model adds
    to ``signals``; off by default, recorded in the manifest.

    >>> import rejectlens
    >>> no = "Thank you for applying for the Data Analyst role. We have decided not to proceed."
    >>> rows = [{"body": no, "is_rejection": True},
    ...         {"body": "Your interview for the Data Analyst role is on Monday.",
    ...          "is_rejection": False}] * 6
    >>> model = rejectlens.train(rows, base="default", cv=2)
    >>> model.classify(no).is_rejection
    True
    """
    n_jobs = resolve_n_jobs(n_jobs)  # 0: one per core, as for classify
    records = as_records(records)
    refuse_misspelt_labels(records)
    if with_bundled_corpus:
        records += bundled_corpus()
    if not records:
        raise DataError("no records to train on")
    validate_labels(records)
    present = [f for f in LABEL_FIELDS if any(r.get(f) is not None for r in records)]
    if not present:
        raise DataError(
            "no label columns found; expected at least one of: " + ", ".join(LABEL_FIELDS)
            + misspelt_labels(records)
        )
    if cv < 2:
        raise DataError(f"cv must be at least 2 folds; got {cv}")
    fallback = _resolve_base(base)
    if entity_signals is not None:
        EntitySignals(entity_signals)  # a missing pipeline fails now, not at the first classify
    started = time.perf_counter()
    patterns = dict(patterns or default_cue_patterns())
    vectorizer = EmailVectorizer(min_df=min_df, cue_weight=cue_weight, cue_names=sorted(patterns),
                                 decision_weight=decision_weight)
    heads = RejectionHeads(C=C, threshold_cv=cv, random_state=seed, n_jobs=n_jobs)
    emails = [to_email(r) for r in records]
    analyses = analyse_emails(emails, patterns)
    groups = [r.get("group") for r in records]
    groups = groups if all(g is not None for g in groups) else None
    y, weights = head_labels(records, present)
    is_rejection = [None if r.get("origin") == "composed" else r.get("is_rejection") for r in records]
    job_related = [job_related_target(r) for r in records]
    twins = twin_indices(groups, is_rejection, job_related)
    RejectionPipeline([("features", vectorizer), ("heads", heads)], job_words_only=job_words_only).fit(
        analyses, y,
        features__decisions=[r.get("decision") for r in records],
        features__is_rejection=is_rejection, features__twins=twins,
        features__reasons=reason_labels(records),
        features__job_related=job_related,
        features__groups=groups, heads__groups=groups, heads__sample_weight=weights,
    )
    answers_rejection = "is_rejection" in heads.heads_ or (
        fallback is not None and "is_rejection" in fallback.compiled()[1].heads_
    )
    if heads.heads_ and not answers_rejection:
        why = heads.skipped_.get("is_rejection", "no record is labelled")
        raise DataError(
            f"the is_rejection head cannot be trained ({why}) and there is no base model to "
            "answer it, so every email would read as 'not a rejection'. Label is_rejection, "
            "or train with base='default' (CLI: --base default)."
        )
    if not heads.heads_:
        raise DataError(
            "no head could be trained: each needs at least "
            f"{heads.min_class_count} examples of every class. Counts: "
            + "; ".join(f"{k} {v}" for k, v in heads.class_counts_.items())
        )
    model = Classifier.from_estimators(vectorizer, heads, patterns, fallback=fallback)
    model.manifest = {
        ENTITY_SIGNALS: entity_signals,
        "training": {
            "data_hash": data_hash(records),
            "n_records": len(records),
            "label_fields": present,
            "class_counts": heads.class_counts_,
            "skipped_heads": dict(heads.skipped_),
            "cv_scores": heads.cv_scores_,
            "seed": seed,
            "base": None if fallback is None else str(fallback.path or "in-memory model"),
            "with_bundled_corpus": with_bundled_corpus,
            "params": {"C": C, "cv": cv, "min_df": min_df, "cue_weight": cue_weight,
                       "decision_weight": decision_weight, "job_words_only": job_words_only},
            "seconds": round(time.perf_counter() - started, 2),
        }
    }
    return model


def reason_labels(records: list[Mapping[str, Any]]) -> list[list[str] | None]:
    """The reasons each reason-sentence model learns from: a rejection's labels,
    None for other emails and for composed ones, whose sentences come from a
    shared pool of fragments: a fragment seen in another fold would score its
    copy out of fold as if it were known, and flatter the out-of-fold check
    that chooses each reason's veto point (rejectlens.reason_sentences)."""
    return [r.get("reasons") if r.get("is_rejection") is True and r.get("origin") != "composed"
            else None for r in records]


def head_labels(records: list[Mapping[str, Any]], present: list[str]):
    """(labels per field, sample weights per head) as the heads learn them.

    ``job_related`` defaults to true for rejections; composed emails stay out
    of the two gating heads; the job head's rows are balanced by
    :func:`_job_weights`. Shared by :func:`train` and
    :func:`rejectlens.retraining.retrain`, so both learn from the same targets.
    """
    y = {f: [r.get(f) for r in records] for f in present}
    job = [job_related_target(r) for r in records]
    if any(v is not None for v in job):
        y["job_related"] = job
    for gate in ("is_rejection", "job_related"):
        if gate in y:
            # Composed emails are all rejections built from fragments; letting them
            # into the gating heads would teach them "looks composed".
            y[gate] = [None if r.get("origin") == "composed" else v for r, v in zip(records, y[gate])]
    weights = {"job_related": _job_weights(records, y["job_related"])} if "job_related" in y else None
    return y, weights


def _job_weights(records, job) -> list[float]:
    """Weights that balance (job mail or not) x (a refusal or not) for the job head.

    The project's non-job refusals are written like rejection letters on
    purpose; unweighted, the head learns "we regret to inform you that your
    application was unsuccessful" as a sign of non-job mail and gates real
    rejections away. With the four cells weighed equally, refusal wording
    tells nothing about the topic and the topic words decide.
    """
    def refusal(r) -> bool:
        return r.get("is_rejection") is True or any(
            str(t).startswith("nr_") for t in r.get("tags") or ())

    cells = [(bool(j), refusal(r)) if j is not None else None for r, j in zip(records, job)]
    counts: dict = {}
    for c in cells:
        if c is not None:
            counts[c] = counts.get(c, 0) + 1
    total = sum(counts.values())
    return [0.0 if c is None else total / (len(counts) * counts[c]) for c in cells]
