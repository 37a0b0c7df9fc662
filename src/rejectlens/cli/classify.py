"""`rejectlens classify`: every message of the inputs -> one prediction row, streamed to a file."""

from __future__ import annotations

import gc
import sys
from collections import Counter
from pathlib import Path

from .common import EXIT_OK, EXIT_ROW_ERRORS, load_model
from .parser import LOCAL_DASK
from .render import classify_summary

__all__ = ["run"]

MAIL_COLUMNS = ("date", "sender", "subject")


def run(args) -> int:
    from ..batch import RowFormat, classify_chunks
    from ..errors import InputError
    from ..prediction import OUTPUT_FIELDS
    from ..readers import Columns, detect_format, is_mail_format, read_messages
    from ..writers import PredictionWriter, output_format, refuse_overwriting_input

    if args.chunk_size < 1:
        raise InputError(f"--chunk-size must be a positive integer; got {args.chunk_size}")
    if args.n_jobs is not None and args.n_jobs < 0:
        raise InputError(f"--n-jobs must be 0 (every core) or a positive integer; got {args.n_jobs}")
    refuse_overwriting_input(args.output, args.inputs)
    if args.dask is not None:
        return _classify_dask(args)
    n_jobs = 1 if args.n_jobs is None else args.n_jobs
    if "-" in args.inputs and len(args.inputs) > 1:
        raise InputError("- (stdin) cannot be combined with other inputs")
    fmt_out = output_format(args.output, args.format)
    for path in args.inputs:
        if path != "-" and not Path(path).exists():
            raise InputError(f"input {path} does not exist")
    formats = [args.input_format or detect_format(p) for p in args.inputs]
    mail = any(is_mail_format(f) for f in formats)
    columns = list(OUTPUT_FIELDS)
    if mail:
        columns[1:1] = MAIL_COLUMNS
    cols = Columns(args.body_col, args.subject_col, args.sender_col, args.id_col, args.date_col)
    # raw: JSON lines and mbox messages stay text/bytes until a worker parses them
    streams = [
        read_messages(path, format=fmt, body=args.body_col, subject=args.subject_col,
                      sender=args.sender_col, id=args.id_col, date=args.date_col,
                      chunk_size=args.chunk_size, raw=True, **_cap(args))
        for path, fmt in zip(args.inputs, formats)
    ]
    # Pull the first message now, so a missing column or an empty file fails
    # before the output file is created.
    firsts = [next(s, None) for s in streams]
    if all(f is None for f in firsts):
        raise InputError(f"{', '.join(args.inputs)}: no messages found")
    model = load_model(args.model)

    def items():
        for first, stream in zip(firsts, streams):
            if first is not None:
                yield from _chain(first, stream)

    form = RowFormat(fmt_out, tuple(columns), cols, mail, args.only_rejections, args.only_job_related)
    show = not args.quiet and sys.stderr.isatty()
    stats: Counter = Counter()
    bar = None
    if show:
        from tqdm import tqdm

        class _Bar(tqdm):
            # no monitor thread: with a thread running, --n-jobs workers cannot be forked
            monitor_interval = 0

        bar = _Bar(unit=" msg", file=sys.stderr, mininterval=0.5)
    try:
        with PredictionWriter(args.output, fmt_out, columns, force=args.force) as writer:
            # The modules, the model and its analyser live to the end of the run:
            # frozen, the garbage collector's full passes skip them (~30 us an email
            # at 4,000 emails) and forked workers share their pages, not copy them.
            model.analyser  # noqa: B018 - built now so that the freeze covers it
            gc.freeze()
            for rows, chunk_stats in classify_chunks(model, items(), form, args.chunk_size, n_jobs):
                if isinstance(rows, str):
                    writer.write_text(rows)
                else:
                    for row in rows:
                        writer.write(row)
                if bar is not None:
                    bar.update(chunk_stats["read"])
                stats.update(chunk_stats)
    finally:
        gc.unfreeze()  # the caller's process (tests, notebooks) collects as before
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(classify_summary(stats), file=sys.stderr)
    return EXIT_ROW_ERRORS if stats["errors"] else EXIT_OK


def _classify_dask(args) -> int:
    from ..dask import classify_dataset
    from ..errors import InputError

    if len(args.inputs) != 1:
        raise InputError(f"--dask reads one Parquet dataset folder; got {len(args.inputs)} inputs: "
                         + ", ".join(args.inputs))
    if args.format not in (None, "parquet") or args.input_format not in (None, "parquet"):
        raise InputError("--dask reads a Parquet dataset and writes Parquet parts; "
                         f"got --format {args.format} --input-format {args.input_format}")
    stats = classify_dataset(
        args.inputs[0], args.output, scheduler=None if args.dask == LOCAL_DASK else args.dask,
        model=args.model, body=args.body_col, subject=args.subject_col, sender=args.sender_col,
        id=args.id_col, date=args.date_col, n_workers=args.n_jobs or 0, force=args.force,
        batch_size=args.chunk_size, only_rejections=args.only_rejections,
        only_job_related=args.only_job_related, **_cap(args))
    if not args.quiet:
        print(classify_summary(stats), file=sys.stderr)
    return EXIT_ROW_ERRORS if stats["errors"] else EXIT_OK


def _cap(args) -> dict[str, int]:
    return {} if args.max_message_bytes is None else {"max_message_bytes": args.max_message_bytes}


def _chain(first, rest):
    yield first
    yield from rest
