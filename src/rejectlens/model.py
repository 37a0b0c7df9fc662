"""The Classifier: email in, Prediction out, one email or a stream of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .analyse import Analyser, Analysis
from .clean import clean
from .errors import InputError, ModelFileError
from .evidence import DECISION, find_evidence
from .ingest import Email, EmailLike, frame_records, normalize_id, stable_id, to_email
from .labels import JOB_GATE, REASONS, STAGES
from .prediction import OUTPUT_FIELDS, Prediction

if TYPE_CHECKING:
    import pandas as pd

    from .features import EmailVectorizer
    from .heads import RejectionHeads
    from .scoring import CompiledHeads, CompiledVectorizer

__all__ = ["Classifier"]

# Analysers are rebuilt, never pickled; each process keeps one per pattern set
# (and joblib workers one model per path, below): caches, not state.
_ANALYSERS: dict[str, Analyser] = {}


def _patterns_key(patterns: Mapping[str, Sequence[str]]) -> str:
    return hashlib.sha256(json.dumps(patterns, sort_keys=True).encode()).hexdigest()


def _shared_analyser(patterns: Mapping[str, Sequence[str]]) -> Analyser:
    key = _patterns_key(patterns)
    if key not in _ANALYSERS:
        _ANALYSERS[key] = Analyser(patterns)
    return _ANALYSERS[key]


class Classifier:
    """A trained rejectlens model.

    Get one with :func:`rejectlens.load` (the bundled model) or
    :func:`rejectlens.train`. It is safe to share across threads for reading.
    """

    def __init__(
        self,
        vectorizer: EmailVectorizer | CompiledVectorizer,
        heads: RejectionHeads | CompiledHeads,
        patterns: Mapping[str, Sequence[str]],
        manifest: Mapping[str, Any] | None = None,
        path: str | Path | None = None,
        fallback: Classifier | None = None,
    ) -> None:
        self.vectorizer = vectorizer
        self.heads = heads
        self.patterns = {k: list(v) for k, v in patterns.items()}
        self.manifest = dict(manifest or {})
        self.path = None if path is None else Path(path)
        self.fallback = fallback  # the base model answering for heads this one lacks
        self._compiled: tuple[CompiledVectorizer, CompiledHeads] | None = None

    def compiled(self) -> tuple[CompiledVectorizer, CompiledHeads]:
        """The arrays the model scores with (built once from trained estimators)."""
        if self._compiled is None:
            v, h = self.vectorizer, self.heads
            self._compiled = (
                v.compile() if hasattr(v, "compile") else v,
                h.compile() if hasattr(h, "compile") else h,
            )
        return self._compiled

    def estimators(self, required: bool = True) -> tuple[EmailVectorizer, RejectionHeads] | None:
        """The trained scikit-learn estimators: in memory after training, or read
        from the model directory's ``model.skops`` (trusted types only)."""
        if hasattr(self.vectorizer, "compile") and hasattr(self.heads, "compile"):
            return self.vectorizer, self.heads  # type: ignore[return-value]
        if self.path is not None and (self.path / "model.skops").is_file():
            from .persist import load_estimators

            return load_estimators(self.path)
        if required:
            raise ModelFileError(
                "this model carries no scikit-learn estimators (its directory has no model.skops); "
                "retrain it with rejectlens.train to get them"
            )
        return None

    def __getstate__(self) -> dict[str, Any]:
        # A pickled Classifier (what joblib sends to workers) carries the
        # compiled arrays only: they are all classification needs, and the
        # scikit-learn estimators stay in memory or in model.skops.
        state = self.__dict__.copy()
        state["vectorizer"], state["heads"] = state["_compiled"] = self.compiled()
        return state

    @property
    def analyser(self) -> Analyser:
        return _shared_analyser(self.patterns)

    @property
    def thresholds(self) -> dict[str, float]:
        """Decision threshold of every binary head, the base model's for borrowed heads."""
        th = dict(self.compiled()[1].thresholds_)
        if self.fallback is not None:
            for name, value in self.fallback.thresholds.items():
                th.setdefault(name, value)
        return th

    # ---- public API -------------------------------------------------------
    def classify(self, x: EmailLike) -> Prediction:
        """Classify one email given as text, a mapping, an Email or a parsed message."""
        return self._predict_batch([x])[0]

    def classify_many(
        self, items: Iterable[EmailLike], batch_size: int = 512, n_jobs: int = 1
    ) -> Iterator[Prediction]:
        """Classify a stream lazily, in order; one Prediction per input, errors included.

        With ``n_jobs > 1`` chunks of ``batch_size`` go to worker processes
        (``n_jobs=0``: one per core; negative values count back from the
        number of cores, as in joblib).
        """
        if batch_size < 1:
            raise InputError(f"batch_size must be a positive integer; got {batch_size!r}")
        if n_jobs == 0:
            from .batch import resolve_n_jobs

            n_jobs = resolve_n_jobs(0)
        chunks = _chunks(items, batch_size)
        if n_jobs == 1:
            for chunk in chunks:
                yield from self._predict_batch(chunk)
            return
        from joblib import Parallel, delayed

        # A model loaded from disk travels as its path: each worker loads it
        # once, instead of unpickling megabytes of arrays with every chunk.
        payload: Classifier | str = self if self.path is None else str(self.path)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        for result in parallel(delayed(_classify_chunk)(payload, chunk) for chunk in chunks):
            yield from result

    def classify_frame(
        self,
        df: pd.DataFrame,
        body: str = "body",
        subject: str | None = "subject",
        sender: str | None = "sender",
        id: str | None = "id",
        batch_size: int = 512,
        n_jobs: int = 1,
        keep: bool = False,
    ) -> pd.DataFrame:
        """Classify a DataFrame; returns the output columns, one row per input row.

        With ``keep=True`` the input columns come first, then the output
        columns; an input column named like an output field (``id``, or
        labels such as ``is_rejection``) is kept as ``<name>_input``, so the
        output fields always hold the prediction.
        """
        import pandas as pd

        if body not in df.columns:
            raise InputError(
                f"body column '{body}' not found; columns found: {', '.join(map(str, df.columns))}. "
                "Pass body=<column name>."
            )
        records = frame_records(df, body=body, subject=subject, sender=sender, id=id)
        preds = list(self.classify_many(records, batch_size=batch_size, n_jobs=n_jobs))
        # Same index as the input, so the result joins back onto it row for row.
        out = pd.DataFrame([p.to_dict() for p in preds], columns=list(OUTPUT_FIELDS), index=df.index)
        if keep:
            inputs = df.rename(columns={c: f"{c}_input" for c in df.columns if c in OUTPUT_FIELDS})
            out = pd.concat([inputs, out], axis=1)
        return out

    def save(
        self, path: str | Path, *, metrics: Mapping[str, Any] | None = None, force: bool = False
    ) -> None:
        """Write the model directory (see :mod:`rejectlens.persist`)."""
        from .persist import save

        save(self, path, metrics=metrics, force=force)

    def __repr__(self) -> str:
        heads = ", ".join(self.heads.heads_) if hasattr(self.heads, "heads_") else "untrained"
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Classifier(heads=[{heads}]{where})"

    # ---- internals --------------------------------------------------------
    def _predict_batch(self, items: Sequence[EmailLike]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(items)
        emails: list[tuple[int, Email]] = []
        for i, x in enumerate(items):
            try:
                e = to_email(x)
            except InputError as err:
                results[i] = Prediction.failed(_raw_id(x), str(err))
                continue
            if e.error is not None:
                results[i] = Prediction.failed(e.id or _source_id(e), e.error)
                continue
            if not _has_text(e.body) and not _has_text(e.html):
                # No text, no answer: a confident label for nothing misleads.
                results[i] = Prediction.failed(e.id or _source_id(e), EMPTY_BODY)
                continue
            if e.id is None:
                e = replace(e, id=stable_id(e.subject, e.body or e.html or "", e.sender))
            emails.append((i, e))
        if emails:
            try:
                preds = self._predict_emails([e for _, e in emails])
            except Exception:
                # One bad row must not sink the batch: retry one by one.
                preds = [self._predict_one_safely(e) for _, e in emails]
            for (i, _), p in zip(emails, preds):
                results[i] = p
        return results  # type: ignore[return-value]

    def _predict_one_safely(self, e: Email) -> Prediction:
        try:
            return self._predict_emails([e])[0]
        except Exception as err:
            return Prediction.failed(e.id, f"could not classify this email: {type(err).__name__}: {err}")

    def analyse(self, emails: Sequence[Email]) -> list[Analysis]:
        """Clean and run the spaCy stage: what the vectorizer reads, one per email."""
        cleaned = [clean(e) for e in emails]
        return self.analyser.analyse(
            cleaned, [e.subject for e in emails], [e.sender for e in emails]
        )

    def predict_proba(self, items: Iterable[EmailLike]) -> dict[str, np.ndarray]:
        """Raw probabilities of every head (``reason:<label>``, ``stage`` as one
        column per stage), before thresholds; for evaluation and active learning.

        Raises :class:`InputError` on an input that is not an email.
        """
        emails = [to_email(x) for x in items]
        proba, _, _ = self._scores(emails, self.analyse(emails))
        return proba

    def _scores(self, emails: Sequence[Email], analyses: Sequence[Analysis]):
        """(probabilities, thresholds, source per head); heads this model did not
        learn come from its base model, scored with the base's own features."""
        vectorizer, heads = self.compiled()
        X, S = vectorizer.transform_both(analyses)
        proba = heads.predict_proba(X)
        th = dict(heads.thresholds_)
        own = (vectorizer, heads, analyses, S)
        sources = dict.fromkeys(proba, own)
        if self.fallback is not None:
            fv, fh = self.fallback.compiled()
            missing = [n for n in fh.heads_ if n not in proba]
            if missing:
                fa = analyses if self.fallback.patterns == self.patterns else self.fallback.analyse(emails)
                FX, FS = fv.transform_both(fa)
                fp = fh.predict_proba(FX)
                base = (fv, fh, fa, FS)
                for n in missing:
                    proba[n], sources[n] = fp[n], base
                    if n in fh.thresholds_:  # stage has none: it takes the likeliest
                        th[n] = fh.thresholds_[n]
                if "job_related" in missing and JOB_GATE in fh.thresholds_:
                    th[JOB_GATE] = fh.thresholds_[JOB_GATE]
        return proba, th, sources

    def _predict_emails(self, emails: Sequence[Email]) -> list[Prediction]:
        analyses = self.analyse(emails)
        proba, th, sources = self._scores(emails, analyses)
        n = len(emails)
        job_p = proba.get("job_related")
        # A model without a job_related head (trained before it existed) reads
        # every email as job mail, as it always did.
        is_job = job_p >= th["job_related"] if job_p is not None else np.ones(n, bool)
        rej_p = proba.get("is_rejection")
        is_rej = rej_p >= th["is_rejection"] if rej_p is not None else np.zeros(n, bool)
        if job_p is not None:
            # Only job applications can be rejected; and every rejection is job mail.
            is_rej &= job_p >= th.get(JOB_GATE, th["job_related"])
            is_job |= is_rej
        readable = [_has_text(a.text) for a in analyses]
        is_rej &= np.array(readable, dtype=bool)
        reasons_pred: list[tuple[str, ...]] = []
        wanted: list[list[str]] = []
        for i in range(n):
            if not is_rej[i]:
                reasons_pred.append(())
                wanted.append([])
                continue
            rs = tuple(
                r for r in REASONS
                if f"reason:{r}" in proba and proba[f"reason:{r}"][i] >= th[f"reason:{r}"]
            )
            reasons_pred.append(rs)
            w = list(rs)
            if "personalization" in proba and proba["personalization"][i] >= th["personalization"]:
                w.append("personalized")
            wanted.append([DECISION, *w])
        evidence: list[dict[str, str]] = [{} for _ in emails]
        for source in {id(s): s for s in sources.values()}.values():
            v, h, a, S = source
            mine = [[w for w in ws if sources.get(_head_name(w)) is source] for ws in wanted]
            for i, found in enumerate(find_evidence(v, h, a, mine, sentences=S)):
                evidence[i].update(found)
        out = []
        for i, (e, a) in enumerate(zip(emails, analyses)):
            if not readable[i]:
                out.append(Prediction.failed(e.id, EMPTY_AFTER_CLEANING))
                continue
            signals = tuple(sorted(a.cue_names() | (a.flags - {"no_named_greeting"})))
            score = None if rej_p is None else float(rej_p[i])
            if score is not None and job_p is not None and not is_job[i]:
                # Not job mail: the rejection score cannot exceed the chance that it is.
                score = min(score, float(job_p[i]))
            score = None if score is None else round(score, 4)
            common = {
                "id": e.id,
                "rejection_score": score,
                "signals": signals,
                "job_related": bool(is_job[i]) if job_p is not None else None,
                "job_related_score": _score(proba, "job_related", i),
                "language": a.language,
            }
            if not is_rej[i]:
                out.append(Prediction(is_rejection=False, **common))
                continue
            out.append(
                Prediction(
                    is_rejection=True,
                    **common,
                    personalization=_binary(proba, th, "personalization", i, "personalized", "generic"),
                    personalization_score=_score(proba, "personalization", i),
                    reasons=reasons_pred[i],
                    reason_scores={
                        r: round(float(proba[f"reason:{r}"][i]), 4)
                        for r in REASONS if f"reason:{r}" in proba
                    },
                    stage=STAGES[int(proba["stage"][i].argmax())] if "stage" in proba else None,
                    stage_scores=(
                        {s: round(float(p), 4) for s, p in zip(STAGES, proba["stage"][i])}
                        if "stage" in proba else None
                    ),
                    feedback_offered=_binary(proba, th, "feedback_offered", i, True, False),
                    reapply_encouraged=_binary(proba, th, "reapply_encouraged", i, True, False),
                    evidence=evidence[i],
                )
            )
        return out


EMPTY_BODY = "empty body: expected text in the body (or an HTML part); found none"
EMPTY_AFTER_CLEANING = (
    "empty body: nothing readable is left after removing HTML, quoted text, signatures "
    "and footers"
)


def _has_text(text: str | None) -> bool:
    return bool(text) and any(ch.isalnum() for ch in text)


def _head_name(evidence_name: str) -> str:
    if evidence_name == DECISION:
        return "is_rejection"
    return "personalization" if evidence_name == "personalized" else f"reason:{evidence_name}"


def _binary(proba, th, name, i, yes, no):
    if name not in proba:
        return None
    return yes if proba[name][i] >= th[name] else no


def _score(proba, name, i):
    return round(float(proba[name][i]), 4) if name in proba else None


def _source_id(e: Email) -> str:
    return e.source or stable_id(e.subject, e.body or e.html or "", e.sender)


def _raw_id(x: Any) -> str | None:
    # The same id text a readable row would get ("5" for 5.0, None for NaN/NA).
    return normalize_id(x.get("id")) if isinstance(x, Mapping) else None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_WORKER_MODELS: dict[str, Classifier] = {}


def worker_model(model: Classifier | str) -> Classifier:
    """The model itself, or the model saved at that path, loaded once per process
    (joblib and Dask workers keep it for every chunk they classify)."""
    if isinstance(model, str):
        if model not in _WORKER_MODELS:
            from .persist import load

            _WORKER_MODELS[model] = load(model)
        model = _WORKER_MODELS[model]
    return model


def _classify_chunk(model: Classifier | str, chunk: list[Any]) -> list[Prediction]:
    return worker_model(model)._predict_batch(chunk)
