"""Scale out on Dask: classify a ``dask.dataframe`` partition by partition.

Needs ``pip install 'rejectlens[dask]'``.

    import dask.dataframe as dd
    import rejectlens.dask

    emails = dd.read_parquet("emails/")                      # id, subject, sender, body
    preds = rejectlens.dask.classify(emails, body="body")    # lazy, one partition per input partition
    preds[preds.is_rejection == True].compute()

Each worker process loads the model once, from its path, and keeps it for
every partition it classifies (the task carries the path, not the arrays). A
model trained in memory and never saved travels with the tasks instead: save
it and pass its path when it has to go to many workers.

``classify_dataset`` is what ``rejectlens classify DATASET_DIR -o OUT_DIR
--dask [SCHEDULER_ADDRESS]`` runs: it reads a Parquet dataset and writes one
Parquet part per partition (per file of the dataset), with the same rows
``rejectlens classify`` writes for the same emails in one process. The output folder is written beside its
final name and renamed at the end. On a remote cluster every worker must see
the input and output folders at the same paths (a shared file system).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError, MissingDependencyError
from .prediction import OUTPUT_FIELDS

__all__ = ["classify", "classify_dataset", "local_cluster"]

_FLOAT_COLUMNS = ("job_related_score", "rejection_score", "personalization_score")


def _require(feature: str):
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:
        raise MissingDependencyError("dask", "dask", feature) from None
    return dask, dd


def local_cluster(n_workers: int):
    """A ``distributed.LocalCluster`` of single-threaded worker processes that listens on
    localhost only, without a dashboard (its bare HTTP endpoint takes a free
    port, so two clusters on one machine do not compete for 8787)."""
    _require("A local Dask cluster")
    import distributed

    return distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


def _model_payload(model) -> Any:
    """What a task carries: a reference to a model directory (loaded once per
    worker), or an unsaved model itself."""
    from .model import Classifier, SavedRef, worker_payload

    if model is None:
        from .api import default_model_path

        return SavedRef.of(default_model_path())
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if not (path / "manifest.json").is_file():
            raise InputError(f"model {path} is not a model directory (no manifest.json found)")
        return SavedRef.of(path)
    if isinstance(model, Classifier):
        return worker_payload(model)
    raise InputError(f"model must be None, a model directory or a rejectlens Classifier; "
                     f"got {type(model).__name__}")


def _meta():
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="float64" if c in _FLOAT_COLUMNS else "object")
                         for c in OUTPUT_FIELDS})


def _typed(df):
    for c in df.columns:
        df[c] = df[c].astype("float64" if c in _FLOAT_COLUMNS else "object")
    return df


def _classify_partition(df, model, columns: Mapping[str, str | None], batch_size: int):
    from .model import worker_model

    out = worker_model(model).classify_frame(df, batch_size=batch_size, **columns)
    return _typed(out)


def classify(
    ddf,
    body: str = "body",
    subject: str | None = "subject",
    sender: str | None = "sender",
    id: str | None = "id",
    model=None,
    batch_size: int = 512,
):
    """A lazy ``dask.dataframe`` of predictions, one row per input row, in order.

    Columns are the output fields (``OUTPUT_FIELDS``), partitioned and indexed
    like ``ddf``; scores are float (NaN where there is none), the other fields
    Python objects as :meth:`Classifier.classify_frame` gives them. ``model``
    is None (the bundled model), a model directory or a :class:`Classifier`.
    """
    _require("rejectlens.dask.classify")
    if body not in ddf.columns:
        raise InputError(f"body column '{body}' not found; columns found: "
                         f"{', '.join(map(str, ddf.columns))}. Pass body=<column name>.")
    if batch_size < 1:
        raise InputError(f"batch_size must be a positive integer; got {batch_size!r}")
    columns = {"body": body, "subject": subject, "sender": sender, "id": id}
    return ddf.map_partitions(_classify_partition, _model_payload(model), columns, batch_size,
                              meta=_meta())


# ---- the CLI's dataset to dataset run ----------------------------------------------------
def _classify_part(path: str, k: int, out_dir: str, model, form, batch_size: int,
                   cap: int | None = None) -> Counter:
    """Classify one Parquet file of the dataset as `rejectlens classify` reads a
    Parquet file (streamed batch by batch: a worker holds one batch, not the
    partition), and write it as ``part.<k>.parquet``; its summary counts."""
    from .batch import classify_chunks
    from .model import worker_model
    from .readers.tables import _read_parquet
    from .writers import PredictionWriter

    m = worker_model(model)
    stats: Counter = Counter()
    with PredictionWriter(str(Path(out_dir) / f"part.{k:05d}.parquet"), "parquet", OUTPUT_FIELDS,
                          force=True) as writer:
        emails = _read_parquet(Path(path), form.cols, batch_size, cap)
        for rows, chunk_stats in classify_chunks(m, emails, form, batch_size):
            for row in rows:
                writer.write(row)
            stats.update(chunk_stats)
    return stats


def dataset_files(dataset: str | Path) -> list[Path]:
    """The Parquet files of a dataset, in order: the file itself, or every
    ``*.parquet`` under the folder, sorted as ``dask.dataframe.read_parquet``
    reads them (numbers by value: part.2 before part.10)."""
    p = Path(dataset)
    if p.is_file():
        return [p]
    files = sorted((f for f in p.rglob("*.parquet") if f.is_file() and not f.name.startswith((".", "_"))),
                   key=_natural)
    if not files:
        raise InputError(f"{p} holds no .parquet files; --dask reads a Parquet dataset "
                         "(a folder of .parquet parts, or one file)")
    return files


def _natural(path: Path) -> list:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", str(path))]


def classify_dataset(
    dataset: str | Path,
    output: str | Path,
    scheduler: str | None = None,
    model: str | Path | None = None,
    body: str = "body",
    subject: str = "subject",
    sender: str = "sender",
    id: str = "id",
    date: str = "date",
    n_workers: int = 0,
    force: bool = False,
    batch_size: int = 2000,
    only_rejections: bool = False,
    only_job_related: bool = False,
    max_message_bytes: int | None = None,
) -> Counter:
    """Classify a Parquet dataset (a folder of parts, or one file) on Dask and
    write ``output/part.NNNNN.parquet``, one part per input file, in order.

    Each task reads its own file (the scheduler sends a path, not the rows)
    and streams it batch by batch, so a worker's memory does not grow with the
    size of a part. ``scheduler`` is a Dask scheduler address; None starts a
    local cluster of ``n_workers`` processes (0: one per core), on localhost,
    without a dashboard. ``only_rejections`` and ``only_job_related`` keep those
    rows (and rows with errors, and emails not in English) only, as the CLI
    flags do. ``max_message_bytes`` caps each email as ``--max-message-bytes``
    does (default: the CLI's). Returns the run's summary counts.
    """
    dask, _ = _require("Classifying with --dask")
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("distributed", "dask", "Classifying with --dask") from None
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet", "Reading Parquet datasets") from None
    from .batch import RowFormat, resolve_n_jobs
    from .readers import DEFAULT_MAX_MESSAGE_BYTES, Columns
    from .readers.message import _check_columns
    from .writers import refuse_overwriting_input, replace_dir

    src, out = Path(dataset), Path(output)
    if str(output) in ("", "-"):
        raise InputError("--dask writes a folder of Parquet parts; name it with -o OUT_DIR")
    if not src.exists():
        raise InputError(f"input {src} does not exist")
    refuse_overwriting_input(out, [src], inside=True)
    if out.exists() and not force:
        raise InputError(f"output {out} exists; pass --force to overwrite it")
    if out.exists() and not out.is_dir():
        raise InputError(f"output {out} is a file; --dask writes a folder of Parquet parts")
    files = dataset_files(src)
    cols = Columns(body, subject, sender, id, date)
    cap = DEFAULT_MAX_MESSAGE_BYTES if max_message_bytes is None else max(int(max_message_bytes), 1)
    for f in files:
        try:
            names = pq.read_schema(f).names
        except Exception as err:
            raise InputError(f"{f} is not a readable Parquet file: {type(err).__name__}: {err}") from None
        # the checks classify makes of one file, before any worker starts
        _check_columns(names, cols, str(f))
    payload = _model_payload(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        cluster = None if scheduler else local_cluster(resolve_n_jobs(n_workers))
        client = distributed.Client(scheduler or cluster)
        try:
            form = RowFormat("parquet", tuple(OUTPUT_FIELDS), cols, False, only_rejections,
                             only_job_related)
            tasks = [dask.delayed(_classify_part)(str(f.resolve()), k, str(tmp), payload, form, batch_size,
                                                  cap)
                     for k, f in enumerate(files)]
            counts = dask.compute(*tasks)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        replace_dir(tmp, out)  # an existing one, with --force, goes
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    return total


