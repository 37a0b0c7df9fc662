"""The Classifier: email in, Prediction out, one email or a stream of them.

A thin facade over the stages one email passes once each:
``ingest.to_email`` → ``clean`` → ``analyse`` → features and runtime heads
(:mod:`rejectlens.scoring`) → :mod:`rejectlens.decide` (thresholds, job gate,
base-model heads, evidence) → :class:`~rejectlens.prediction.Prediction`.
A Classifier always holds the numpy runtime it scores with; the scikit-learn
estimators it was exported from are kept after training and otherwise read
on request from ``model.skops``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .analyse import Analyser, Analysis
from .clean import clean, has_text
from .decide import Scores, borrow, decide, score
from .errors import InputError, ModelFileError
from .export import export
from .ingest import Email, EmailLike, content_id, frame_records, normalize_id, to_email, with_id
from .parallel import chunks, map_chunks, resolve_n_jobs
from .persist import MODEL_FILE, SavedModel, load_estimators, read_manifest, read_model
from .persist import save as _save
from .prediction import OUTPUT_FIELDS, Prediction
from .scoring import CompiledHeads, CompiledVectorizer
from .signals import entity_pipeline

if TYPE_CHECKING:
    import pandas as pd

    from .features import EmailVectorizer
    from .heads import RejectionHeads

__all__ = ["Classifier", "SavedRef", "analyse_emails", "worker_model", "worker_payload"]

# Analysers are rebuilt, never pickled; each process keeps one per pattern set
# (and joblib workers one model per saved folder's contents, below): caches, not state.
_ANALYSERS: dict[str, Analyser] = {}


def _json_key(data: Any) -> str:
    """A digest of JSON-ready data, the same for equal data in any key order."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _shared_analyser(patterns: Mapping[str, Sequence[str]], entities: str | None = None) -> Analyser:
    from .fastpath import FastAnalyser, fast_enabled  # no spaCy Doc where verified (issue 13)

    fast = fast_enabled()
    key = f"{_json_key(patterns)}:{entities}:{'fast' if fast else 'spacy'}"
    if key not in _ANALYSERS:
        _ANALYSERS[key] = (FastAnalyser if fast else Analyser)(patterns, entities=entities)
    return _ANALYSERS[key]


def analyse_emails(emails: Sequence[Email], patterns: Mapping[str, Sequence[str]],
                   entities: str | None = None) -> list[Analysis]:
    """Clean, then run the analyse stage (spaCy rules) with these cue patterns (and entity
    signals from the pipeline named by ``entities``): one Analysis per email.
    (Training calls it before any Classifier exists.)"""
    cleaned = [clean(e) for e in emails]
    return _shared_analyser(patterns, entities).analyse(cleaned, [e.subject for e in emails],
                                              [e.sender for e in emails])


class Classifier:
    """A trained rejectlens model.

    Get one with :func:`rejectlens.load` (the bundled model) or
    :func:`rejectlens.train`. It is safe to share across threads for reading.
    ``vectorizer`` and ``heads`` are the numpy runtime
    (:class:`~rejectlens.scoring.CompiledVectorizer`,
    :class:`~rejectlens.scoring.CompiledHeads`); build one from fitted
    scikit-learn estimators with :meth:`from_estimators`.
    """

    def __init__(
        self,
        vectorizer: CompiledVectorizer,
        heads: CompiledHeads,
        patterns: Mapping[str, Sequence[str]],
        manifest: Mapping[str, Any] | None = None,
        path: str | Path | None = None,
        fallback: Classifier | None = None,
        *,
        estimators: tuple[EmailVectorizer, RejectionHeads] | None = None,
    ) -> None:
        if not isinstance(vectorizer, CompiledVectorizer) or not isinstance(heads, CompiledHeads):
            # a programming error, not bad input data: the built-in TypeError
            raise TypeError(
                "Classifier(vectorizer, heads, ...) takes the runtime (CompiledVectorizer, "
                f"CompiledHeads); got {type(vectorizer).__name__}, {type(heads).__name__}. "
                "For fitted estimators use Classifier.from_estimators(vectorizer, heads, patterns)."
            )
        self.vectorizer = vectorizer
        self.heads = heads
        self.patterns = {k: list(v) for k, v in patterns.items()}
        self.manifest = dict(manifest or {})
        self.path = None if path is None else Path(path)
        self.fallback = fallback  # the base model answering for heads this one lacks
        self._estimators = estimators

    @classmethod
    def from_estimators(
        cls,
        vectorizer: EmailVectorizer,
        heads: RejectionHeads,
        patterns: Mapping[str, Sequence[str]],
        manifest: Mapping[str, Any] | None = None,
        fallback: Classifier | None = None,
    ) -> Classifier:
        """A Classifier scoring with the runtime of fitted estimators, which it
        keeps so :meth:`save` writes them to ``model.skops``."""
        return cls(*export(vectorizer, heads), patterns, manifest, fallback=fallback,
                   estimators=(vectorizer, heads))

    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        """Load a model directory (see :func:`rejectlens.persist.read_model`)."""
        return cls._from_saved(read_model(path))

    @classmethod
    def _from_saved(cls, saved: SavedModel) -> Classifier:
        base = None if saved.base is None else cls._from_saved(saved.base)
        return cls(saved.vectorizer, saved.heads, saved.patterns, saved.manifest, path=saved.path,
                   fallback=base)

    def compiled(self) -> tuple[CompiledVectorizer, CompiledHeads]:
        """The runtime the model scores with: (vectorizer, heads)."""
        return self.vectorizer, self.heads

    def estimators(self, required: bool = True) -> tuple[EmailVectorizer, RejectionHeads] | None:
        """The trained scikit-learn estimators: in memory after training, or read
        (once) from the model directory's ``model.skops`` (trusted types only)."""
        if self._estimators is None and self.path is not None and (self.path / MODEL_FILE).is_file():
            self._estimators = load_estimators(self.path)
        if self._estimators is None and required:
            raise ModelFileError(
                "this model carries no scikit-learn estimators (its directory has no model.skops); "
                "retrain it with rejectlens.train to get them"
            )
        return self._estimators

    def __getstate__(self) -> dict[str, Any]:
        # A pickled Classifier (what joblib sends to workers) carries the
        # runtime only: it is all classification needs, and the scikit-learn
        # estimators stay in memory or in model.skops.
        return {**self.__dict__, "_estimators": None}

    @property
    def analyser(self) -> Analyser:
        return _shared_analyser(self.patterns, entity_pipeline(self.manifest))

    @property
    def thresholds(self) -> dict[str, float]:
        """Decision threshold of every binary head, the base model's for borrowed heads."""
        th = dict(self.heads.thresholds_)
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
        (``n_jobs=0`` or ``-1``: one per core; ``-2``: all but one, as in joblib).
        """
        if not isinstance(batch_size, Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise InputError(f"batch_size must be a positive integer; got {batch_size!r}")
        n_jobs = resolve_n_jobs(n_jobs)
        if isinstance(items, (str, bytes, Mapping)):  # iterating one would classify its characters or keys
            raise InputError(f"classify_many: expected an iterable of emails; found one "
                             f"{type(items).__name__} (use classify() for a single email)")
        if hasattr(items, "columns") and hasattr(items, "iterrows"):  # iterating a frame: its column names
            raise InputError("classify_many: expected an iterable of emails; found a DataFrame "
                             "(use classify_frame())")
        parts = chunks(items, batch_size)
        if n_jobs == 1:
            for chunk in parts:
                yield from self._predict_batch(chunk)
            return
        # A model loaded from disk travels as a reference to its folder: each
        # worker loads it once, instead of unpickling megabytes with every chunk.
        payload = worker_payload(self)
        for result in map_chunks(_classify_chunk, payload, parts, n_jobs):
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
        labels such as ``is_rejection``) is kept as ``<name>_input`` (or
        ``<name>_input_2``... when that name is taken too), so the output
        fields always hold the prediction.
        """
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise InputError(f"classify_frame: expected a pandas DataFrame; found {type(df).__name__} "
                             "(classify_many takes a list of emails)")
        found = ", ".join(map(str, df.columns))
        if body not in df.columns:
            raise InputError(f"body column '{body}' not found; columns found: {found}. "
                             "Pass body=<column name>.")
        for part, name, default in (("subject", subject, "subject"), ("sender", sender, "sender"),
                                    ("id", id, "id")):
            # A column named on purpose must exist: a typo would go unnoticed.
            if name is not None and name != default and name not in df.columns:
                raise InputError(f"{part} column '{name}' not found; columns found: {found}. "
                                 f"Pass {part}=<column name> or {part}=None.")
        records = frame_records(df, body=body, subject=subject, sender=sender, id=id)
        preds = list(self.classify_many(records, batch_size=batch_size, n_jobs=n_jobs))
        # Same index as the input, so the result joins back onto it row for row.
        out = pd.DataFrame([p.to_dict() for p in preds], columns=list(OUTPUT_FIELDS), index=df.index)
        if keep:
            out = pd.concat([df.rename(columns=_input_names(df.columns)), out], axis=1)
        return out

    def save(
        self, path: str | Path, *, metrics: Mapping[str, Any] | None = None, force: bool = False
    ) -> None:
        """Write the model directory (see :mod:`rejectlens.persist`)."""
        _save(self, path, metrics=metrics, force=force)

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Classifier(heads=[{', '.join(self.heads.heads_)}]{where})"

    # ---- the stages -------------------------------------------------------
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
            if not has_text(e.body) and not has_text(e.html):
                # No text, no answer: a confident label for nothing misleads.
                results[i] = Prediction.failed(e.id or _source_id(e), EMPTY_BODY)
                continue
            emails.append((i, with_id(e)))
        if emails:
            for (i, _), p in zip(emails, self._predict_safely([e for _, e in emails])):
                results[i] = p
        return results  # type: ignore[return-value]

    def _predict_safely(self, emails: Sequence[Email]) -> list[Prediction]:
        """One bad row must not sink the batch: a batch that fails is tried
        again in halves, so the row is found in a few passes, not one by one."""
        try:
            return self._predict_emails(emails)
        except Exception as err:
            if len(emails) == 1:
                return [Prediction.failed(emails[0].id,
                                          f"could not classify this email: {type(err).__name__}: {err}")]
            half = len(emails) // 2
            return self._predict_safely(emails[:half]) + self._predict_safely(emails[half:])

    def _predict_emails(self, emails: Sequence[Email]) -> list[Prediction]:
        analyses = self.analyse(emails)  # clean → analyse
        return decide(emails, analyses, self.score(emails, analyses))

    def analyse(self, emails: Sequence[Email]) -> list[Analysis]:
        """Clean and run the analyse stage: what the vectorizer reads, one per email."""
        return analyse_emails(emails, self.patterns, entity_pipeline(self.manifest))

    def score(self, emails: Sequence[Email], analyses: Sequence[Analysis]) -> Scores:
        """Features and runtime heads; heads this model did not learn come from
        its base model, scored with the base's own features."""
        own = score(self.vectorizer, self.heads, analyses)
        if self.fallback is None:
            return own
        fb = self.fallback
        missing = [n for n in fb.heads.heads_ if n not in own.proba]
        if not missing:
            return own
        fa = analyses if fb.patterns == self.patterns else fb.analyse(emails)
        return borrow(own, score(fb.vectorizer, fb.heads, fa), missing)

    def predict_proba(self, items: Iterable[EmailLike]) -> dict[str, np.ndarray]:
        """Raw probabilities of every head (``reason:<label>``, ``stage`` as one
        column per stage), before thresholds; for evaluation and active learning.

        Raises :class:`InputError` on an input that is not an email.
        """
        emails = [to_email(x) for x in items]
        return dict(self.score(emails, self.analyse(emails)).proba)


def _input_names(columns: Sequence[Any]) -> dict[Any, str]:
    """New names for input columns named like an output field: ``<name>_input``,
    or ``<name>_input_2``... when the frame is an earlier run's output."""
    taken = set(columns) | set(OUTPUT_FIELDS)
    names = {}
    for c in columns:
        if c in OUTPUT_FIELDS:
            new, k = f"{c}_input", 1
            while new in taken:
                k += 1
                new = f"{c}_input_{k}"
            names[c] = new
            taken.add(new)
    return names


EMPTY_BODY = "empty body: expected text in the body (or an HTML part); found none"


def _source_id(e: Email) -> str:
    return e.source or content_id(e)


def _raw_id(x: Any) -> str | None:
    # The same id text a readable row would get ("5" for 5.0, None for NaN/NA).
    if isinstance(x, Email):
        return normalize_id(x.id)
    return normalize_id(x.get("id")) if isinstance(x, Mapping) or type(x).__name__ == "Series" else None


@dataclass(frozen=True)
class SavedRef:
    """A saved model as a worker task carries it: its directory, and which
    model that directory held when sent (a hash of its manifest, which holds
    every file's sha256)."""

    path: str
    fingerprint: str

    @classmethod
    def of(cls, path: str | Path) -> SavedRef:
        # absolute: a long-lived worker may have started in another folder
        # the manifest holds every file's sha256 (and the base model's), so it names the model
        return cls(str(Path(path).resolve()), _json_key(read_manifest(path)))


def worker_payload(model: Classifier) -> Classifier | SavedRef:
    """What to send workers: a reference to the model's directory while that
    directory still holds this model, else the model itself (it was never
    saved, or a retrained model has been saved over its folder since)."""
    if model.path is None:
        return model
    try:
        ref = SavedRef.of(model.path)
    except ModelFileError:
        return model
    return ref if ref.fingerprint == _json_key(model.manifest) else model


# Workers live on between runs (joblib reuses them, Dask keeps them), so the
# cache is keyed by what a folder holds, not by its name.
_WORKER_MODELS: dict[tuple[str, str], Classifier] = {}


def worker_model(model: Classifier | SavedRef | str) -> Classifier:
    """The model itself, or the saved model a reference or path names, loaded
    once per process (joblib and Dask workers keep it for every chunk)."""
    if isinstance(model, Classifier):
        return model
    ref = SavedRef.of(model) if isinstance(model, str) else model
    key = (ref.path, ref.fingerprint)
    if key not in _WORKER_MODELS:
        loaded = Classifier.load(ref.path)
        if _json_key(loaded.manifest) != ref.fingerprint:
            raise ModelFileError(f"the model in {ref.path} was replaced while this run was classifying; "
                                 "run it again")
        for old in [k for k in _WORKER_MODELS if k[0] == ref.path]:
            del _WORKER_MODELS[old]  # a folder holds one model at a time
        _WORKER_MODELS[key] = loaded
    return _WORKER_MODELS[key]


def _classify_chunk(model: Classifier | SavedRef, chunk: list[Any]) -> list[Prediction]:
    return worker_model(model)._predict_batch(chunk)
