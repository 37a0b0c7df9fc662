"""Classify a stream of messages into formatted output rows, chunk by chunk.

What ``rejectlens classify`` runs. With ``n_jobs > 1`` the reading process
only splits the input into raw messages (JSON lines as text, mbox messages
as bytes: :class:`~rejectlens.readers.RawMessage`); each worker process
parses, classifies and formats its own chunks and hands back one string of
JSONL or CSV rows, so what crosses between processes is raw text both ways,
not Python objects. Chunks come back in input order, and at most two per
worker are in flight, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import worker_model, worker_payload
from .parallel import chunks, forks_workers, map_chunks, resolve_n_jobs
from .readers import Columns, as_email
from .writers import format_rows

__all__ = ["RowFormat", "classify_chunk", "classify_chunks", "count", "resolve_n_jobs"]

# Messages per task sent to a worker: small enough that the last tasks of a run
# keep every worker busy, large enough that sending one costs little.
TASK_SIZE = 500


@dataclass(frozen=True)
class RowFormat:
    """How the rows of a chunk are made: output format and columns, the input
    columns of raw JSON lines, whether the input is mail (adds date, sender and
    subject) and which rows to keep."""

    fmt: str
    columns: tuple[str, ...]
    cols: Columns = field(default_factory=Columns)
    mail: bool = False
    only_rejections: bool = False
    only_job_related: bool = False


def count(stats: Counter, p) -> None:
    """Add one prediction to the run's summary counts."""
    stats["read"] += 1
    if p.error:
        stats["errors"] += 1
        return
    if p.job_related is not False:
        stats["job_related"] += 1
    if p.language not in (None, "en"):
        stats["not_english"] += 1
        stats[f"lang:{p.language}"] += 1
    if p.is_rejection:
        stats["rejections"] += 1
        stats[f"p:{p.personalization}"] += 1
        for r in p.reasons or ():
            stats[f"r:{r}"] += 1


def classify_chunk(model, items: list[Any], form: RowFormat) -> tuple[str | list[dict], Counter]:
    """(the chunk's rows, formatted as text for JSONL and CSV or as dicts for
    Parquet; its summary counts). One row per message, in order, unless a
    filter of ``form`` drops it."""
    emails = [as_email(x, form.cols) for x in items]
    stats: Counter = Counter()
    rows = []
    for e, p in zip(emails, model._predict_batch(emails)):
        count(stats, p)
        # Error rows and emails not in English pass both filters: the model's
        # "no" means nothing for them, and a filter must not hide them silently.
        sure = p.error is None and p.language in (None, "en")
        if form.only_rejections and sure and not p.is_rejection:
            continue
        if form.only_job_related and sure and p.job_related is False:
            continue
        row = p.to_dict()
        if form.mail:
            row.update(date=getattr(e, "date", None), sender=getattr(e, "sender", None),
                       subject=getattr(e, "subject", None))
        rows.append(row)
    if form.fmt == "parquet":
        return rows, stats
    return format_rows(rows, form.fmt, form.columns), stats


def classify_chunks(model, items: Iterable[Any], form: RowFormat, chunk_size: int = 2000,
                    n_jobs: int = 1) -> Iterator[tuple[str | list[dict], Counter]]:
    """:func:`classify_chunk` over ``items`` (Emails, mappings or RawMessages),
    in order; with ``n_jobs > 1`` (``0``: every core) in worker processes."""
    n_jobs = resolve_n_jobs(n_jobs)
    if n_jobs == 1:
        for chunk in chunks(items, chunk_size):
            yield classify_chunk(model, chunk, form)
        return
    if forks_workers():
        # Forked workers inherit the model and its analyser: built once, here.
        model.analyser  # noqa: B018 - built for its side effect, the shared cache
        payload = model
    else:
        # A saved model travels as a reference to its folder: each worker loads it once.
        payload = worker_payload(model)
    tasks = chunks(items, min(chunk_size, TASK_SIZE))
    yield from map_chunks(_worker_chunk, payload, tasks, n_jobs, form)


def _worker_chunk(model, chunk: list[Any], form: RowFormat):
    return classify_chunk(worker_model(model), chunk, form)


