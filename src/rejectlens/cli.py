"""Command line: thin wrappers that parse arguments, check paths and call the library.

Exit codes: 0 success; 1 the command ran but some rows had errors (classify)
or the data check failed; 2 bad usage or unreadable input (one line on
stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import RejectLensError

EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE = 0, 1, 2
_LOCAL = "local"  # --dask without an address: start a LocalCluster


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="rejectlens",
        description="Read job-application emails: rejection or not, generic or personalized, "
        "reasons with evidence, stage, feedback and re-apply offers.",
    )
    p.add_argument("--version", action="version", version=f"rejectlens {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser(
        "classify",
        help="classify exports: CSV/TSV, JSONL/JSON, Parquet, mbox, .eml or a folder of them",
        description="Classify every message of the inputs; one output row per input message, "
        "in order. Exit codes: 0 all rows classified, 1 some rows carry an error, "
        "2 bad usage or unreadable input.",
    )
    c.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="input files or folders (.csv .tsv .jsonl .json .parquet .mbox .eml, "
                   "optionally .gz), or - for JSONL on stdin")
    c.add_argument("-o", "--output", default="-", help="output .jsonl/.csv/.parquet (default: stdout)")
    c.add_argument("--format", choices=["jsonl", "csv", "parquet"], help="output format")
    c.add_argument("--input-format", choices=["csv", "tsv", "jsonl", "json", "parquet", "mbox", "eml"],
                   help="input format, when the extension does not say")
    c.add_argument("--model", help="model directory (default: the bundled model)")
    c.add_argument("--body-col", default="body", help="column holding the body (default: body)")
    c.add_argument("--subject-col", default="subject")
    c.add_argument("--sender-col", default="sender")
    c.add_argument("--id-col", default="id")
    c.add_argument("--date-col", default="date")
    c.add_argument("--only-rejections", action="store_true",
                   help="write rejections (and rows with errors) only")
    c.add_argument("--only-job-related", action="store_true",
                   help="write job-search mail (and rows with errors) only")
    c.add_argument("--chunk-size", type=int, default=2000, help="messages per batch (default: 2000)")
    c.add_argument("--max-message-bytes", type=_size, default=None, metavar="SIZE",
                   help="keep at most this much of one message (text and HTML), its start; "
                   "a longer one gets the 'truncated' signal. Bounds the memory one message "
                   "can take. Accepts 25MB, 500k, 1G or bytes (default: 25MB)")
    c.add_argument("--n-jobs", type=int, default=None,
                   help="worker processes, each reading, classifying and writing its own chunks; "
                   "0 = one per core (default: 1). With --dask: local workers (default: one per core)")
    c.add_argument("--dask", nargs="?", const=_LOCAL, default=None, metavar="SCHEDULER_ADDRESS",
                   help="classify a Parquet dataset folder on Dask (pip install 'rejectlens[dask]') "
                   "and write one Parquet part per partition into the -o folder; without an address "
                   "a local cluster is started")
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")
    c.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    e = sub.add_parser("explain", help="explain the labels of one email in readable form")
    e.add_argument("text", help="the email body (or - to read it from stdin)")
    e.add_argument("--subject", default="")
    e.add_argument("--sender", default="")
    e.add_argument("--model")

    t = sub.add_parser(
        "train",
        help="train a model on your labeled emails (JSONL/CSV/Parquet), or rebuild the default from data/",
        description="Add your labeled records to the bundled model and its corpus: the heads your "
        "labels can support are refit (your rows weighted so a few hundred steer them), the others "
        "are kept, and a model worse than the base on your held-out rows (is_rejection or "
        "job_related) is refused. --base none trains on your rows alone. Given the corpus folder "
        "(data/), rebuilds the bundled model and its card instead (only --cv, --seed, --n-jobs and "
        "--force apply then). Exit codes: 0 model written, 1 refused by the held-out check, "
        "2 bad usage or data.",
    )
    t.add_argument("data", nargs="+", help="labeled .jsonl/.csv/.parquet files, or the corpus folder data/")
    t.add_argument("-o", "--output", required=True, help="model directory to write")
    t.add_argument("--base", default=None,
                   help="the model to start from: default (the bundled model, with its corpus), "
                   "none (your rows alone), or a model directory (default: default)")
    t.add_argument("--weight", type=float, default=None,
                   help="how many corpus rows one of your rows counts as (default: corpus size "
                   "x 0.5 / max(your rows, 200), about 13 for up to 200 rows)")
    t.add_argument("--holdout", type=float, default=None,
                   help="share of your rows held out to compare base and new (default: 0.25; "
                   "0 skips the check)")
    t.add_argument("--force-worse", action="store_true",
                   help="write the model even when it is worse than the base on the held-out rows")
    t.add_argument("--with-bundled-corpus", action="store_true",
                   help="with --base none: train on the project's own corpus too (slow: it "
                   "refits the vocabulary). With a base model the corpus is always used")
    t.add_argument("--cv", type=int, default=None,
                   help="folds for calibration and threshold tuning (default: 2 on top of a base, "
                   "which keeps training under a minute; 5 otherwise)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--n-jobs", type=int, default=2,
                   help="heads trained at once (default: 2); the model is the same for any value")
    t.add_argument("--force", action="store_true", help="replace an existing model directory")

    v = sub.add_parser("evaluate", help="per-field metrics of a model on labeled data")
    v.add_argument("data", help="labeled .jsonl/.csv file, or the corpus folder (uses --split)")
    v.add_argument("--model", help="model directory (default: the bundled model)")
    v.add_argument("--split", default="test", choices=["train", "dev", "test"])
    v.add_argument("--json", action="store_true", help="print metrics as JSON")
    v.add_argument("--report", metavar="DIR",
                   help="write metrics.json, report.md and PNG plots to DIR (needs rejectlens[report])")

    r = sub.add_parser(
        "report",
        help="turn mailboxes into a job-search report: applications, statuses, ghosting, templates",
        description="Read whole mailboxes (Takeout .mbox, .eml or folders), classify every message "
        "once, group job mail into applications and write report.html, the charts as PNG, "
        "applications.csv, messages.parquet (CSV without pyarrow), summary.json and "
        "feedback_requests.md into DIR.",
    )
    r.add_argument("mailboxes", nargs="+", metavar="MAILBOX", help=".mbox / .eml files or folders of .eml")
    r.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the report into")
    r.add_argument("--applications", metavar="CSV",
                   help="your own list of applications (columns: company, role, date applied)")
    r.add_argument("--as-of", metavar="DATE",
                   help="judge ghosting as of this day, YYYY-MM-DD (default: the latest message date)")
    r.add_argument("--ghosted-after", type=int, default=30, metavar="DAYS",
                   help="days without an employer message after one that expected a reply (default: 30)")
    r.add_argument("--model", help="model directory (default: the bundled model)")
    r.add_argument("--force", action="store_true", help="write into a non-empty DIR")
    r.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    s = sub.add_parser("show", help="print a one-line-per-email table of a predictions JSONL file")
    s.add_argument("predictions", help="a .jsonl file written by `rejectlens classify`")

    g = sub.add_parser("suggest", help="pick the unlabeled emails worth labeling next")
    g.add_argument("data", help="unlabeled emails: any input `classify` reads")
    g.add_argument("--model", help="model directory (default: the bundled model)")
    g.add_argument("-n", type=int, default=50, help="how many to pick (default: 50)")
    g.add_argument("-o", "--output", required=True, help="CSV to write, ready to correct and train on")
    g.add_argument("--body-col", default="body")
    g.add_argument("--force", action="store_true", help="overwrite an existing output file")

    d = sub.add_parser("data", help="corpus tools")
    dsub = d.add_subparsers(dest="data_command", required=True)
    dc = dsub.add_parser("check", help="validate the labeled corpus and print its coverage")
    dc.add_argument("path", nargs="?", default="data")
    return p


def _size(text: str) -> int:
    units = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9}
    t = text.strip().lower()
    num = t.rstrip("kmgb")
    try:
        value = int(float(num) * units[t[len(num):]])
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"expected a size like 25MB, 500k or 1000000; got {text!r}") \
            from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive; got {text!r}")
    return value


class Terminated(BaseException):
    """SIGTERM arrived (a timeout, systemd, docker stop): unwind like Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM unwinds like Ctrl-C, so the output's temporary file is removed.
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(args)
    except Terminated:
        print("rejectlens: terminated", file=sys.stderr)
        return 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    try:
        handler = {
            "classify": _classify,
            "explain": _explain,
            "train": _train,
            "evaluate": _evaluate,
            "data": _data,
            "show": _show,
            "suggest": _suggest,
            "report": _report,
        }[args.command]
        return handler(args)
    except BrokenPipeError:
        # `rejectlens ... | head`: the reader left; not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (RejectLensError, OSError) as err:
        print(f"rejectlens: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rejectlens: interrupted", file=sys.stderr)
        return 130


# ---- classify ---------------------------------------------------------------
MAIL_COLUMNS = ("date", "sender", "subject")


def _classify(args) -> int:
    from .batch import RowFormat, classify_chunks
    from .errors import InputError
    from .prediction import OUTPUT_FIELDS
    from .readers import Columns, detect_format, is_mail_format, read_messages
    from .writers import PredictionWriter, output_format

    if args.chunk_size < 1:
        raise InputError(f"--chunk-size must be a positive integer; got {args.chunk_size}")
    if args.n_jobs is not None and args.n_jobs < 0:
        raise InputError(f"--n-jobs must be 0 (every core) or a positive integer; got {args.n_jobs}")
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
    model = _load_model(args.model)

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

        bar = tqdm(unit=" msg", file=sys.stderr, mininterval=0.5)
    try:
        with PredictionWriter(args.output, fmt_out, columns, force=args.force) as writer:
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
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(_summary(stats), file=sys.stderr)
    return EXIT_ROW_ERRORS if stats["errors"] else EXIT_OK


def _classify_dask(args) -> int:
    from .dask import classify_dataset
    from .errors import InputError

    if len(args.inputs) != 1:
        raise InputError(f"--dask reads one Parquet dataset folder; got {len(args.inputs)} inputs: "
                         + ", ".join(args.inputs))
    if args.format not in (None, "parquet") or args.input_format not in (None, "parquet"):
        raise InputError("--dask reads a Parquet dataset and writes Parquet parts; "
                         f"got --format {args.format} --input-format {args.input_format}")
    stats = classify_dataset(
        args.inputs[0], args.output, scheduler=None if args.dask == _LOCAL else args.dask,
        model=args.model, body=args.body_col, subject=args.subject_col, sender=args.sender_col,
        id=args.id_col, date=args.date_col, n_workers=args.n_jobs or 0, force=args.force,
        batch_size=args.chunk_size, only_rejections=args.only_rejections,
        only_job_related=args.only_job_related)
    if not args.quiet:
        print(_summary(stats), file=sys.stderr)
    return EXIT_ROW_ERRORS if stats["errors"] else EXIT_OK


def _cap(args) -> dict[str, int]:
    return {} if args.max_message_bytes is None else {"max_message_bytes": args.max_message_bytes}


def _chain(first, rest):
    yield first
    yield from rest


def _summary(stats: Counter) -> str:
    top = sorted(((k[2:], v) for k, v in stats.items() if k.startswith("r:")), key=lambda kv: -kv[1])
    reasons = ", ".join(f"{k} {v}" for k, v in top[:5]) or "none"
    lines = [
        f"messages read: {stats['read']}",
        f"job-related: {stats['job_related']} (other mail: "
        f"{stats['read'] - stats['errors'] - stats['job_related']})",
        f"rejections: {stats['rejections']} (generic {stats['p:generic']}, "
        f"personalized {stats['p:personalized']})",
        f"top reasons: {reasons}",
    ]
    if stats["not_english"]:
        langs = sorted(((k[5:], v) for k, v in stats.items() if k.startswith("lang:")),
                       key=lambda kv: -kv[1])
        lines.append(
            f"{stats['not_english']} emails not in English ({', '.join(f'{k} {v}' for k, v in langs)}): "
            "labels are unreliable for them"
        )
    lines.append(f"rows with errors: {stats['errors']}")
    return "\n".join(lines)


def _load_model(path: str | None):
    from .api import load

    return load(path)


# ---- explain ----------------------------------------------------------------
def _explain(args) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    model = _load_model(args.model)
    p = model.classify({"body": text, "subject": args.subject, "sender": args.sender})
    print(render_explanation(p))
    return EXIT_OK


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _yes_no(value) -> str:
    return "n/a (head not trained)" if value is None else "yes" if value else "no"


def render_explanation(p) -> str:
    """A readable account of one Prediction."""
    lines = []
    if p.error:
        return f"error: {p.error}"
    verdict = "REJECTION" if p.is_rejection else "not a rejection"
    lines.append(f"{verdict}  (rejection probability {_num(p.rejection_score)})")
    if p.job_related is not None:
        lines.append(f"job-related: {_yes_no(p.job_related)} (probability {_num(p.job_related_score)})")
    if p.language not in (None, "en"):
        lines.append(f"language: {p.language} (the model reads English; labels are unreliable)")
    if p.is_rejection:
        lines.append(f"personalization: {p.personalization} (p personalized = "
                     f"{_num(p.personalization_score)})")
        stage_scores = ", ".join(f"{k} {v:.2f}" for k, v in (p.stage_scores or {}).items())
        lines.append(f"stage: {p.stage}  {stage_scores}")
        lines.append(f"feedback offered: {_yes_no(p.feedback_offered)}")
        lines.append(f"re-apply encouraged: {_yes_no(p.reapply_encouraged)}")
        scores = p.reason_scores or {}
        evidence = p.evidence or {}
        lines.append("reasons:" + ("" if p.reasons else " none stated"))
        for r in p.reasons or ():
            lines.append(f"  - {r} ({_num(scores.get(r))})")
            if r in evidence:
                lines.append(f'      "{evidence[r]}"')
        if "personalized" in evidence:
            lines.append(f'personal detail: "{evidence["personalized"]}"')
        near = sorted(((v, k) for k, v in scores.items() if k not in (p.reasons or ())), reverse=True)
        if near and near[0][0] >= 0.2:
            lines.append("also considered: " + ", ".join(f"{k} {v:.2f}" for v, k in near[:3]))
    lines.append("signals: " + (", ".join(p.signals) or "none"))
    return "\n".join(lines)


# ---- show -------------------------------------------------------------------
def _show(args) -> int:
    from .data import read_records
    from .errors import InputError

    path = Path(args.predictions)
    if path.suffix.lower() not in (".jsonl", ".json"):
        raise InputError(f"{path}: show reads the .jsonl that `rejectlens classify` writes")
    print(render_table(read_records(path)))
    return EXIT_OK


def render_table(rows: Sequence[dict[str, Any]]) -> str:
    """One line per prediction: id, verdict, personalization, stage, flags, reasons."""
    header = ("id", "verdict", "p(rej)", "lang", "personal.", "stage", "fb", "reapply", "reasons")
    lines = [header]
    for r in rows:
        if r.get("error"):
            lines.append((str(r.get("id")), "ERROR", "", "", "", "", "", "", r["error"][:60]))
            continue
        rej = r.get("is_rejection")
        lines.append((
            str(r.get("id")),
            "rejection" if rej else "not job mail" if r.get("job_related") is False else "other job",
            _num(r.get("rejection_score")),
            r.get("language") or "",
            r.get("personalization") or "",
            r.get("stage") or "",
            "yes" if r.get("feedback_offered") else "",
            "yes" if r.get("reapply_encouraged") else "",
            ", ".join(r.get("reasons") or []),
        ))
    width = [max(len(row[i]) for row in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row[:-1], width)) + "  " + row[-1] for row in lines
    )


# ---- suggest ------------------------------------------------------------------
def _suggest(args) -> int:
    from .errors import InputError
    from .readers import read_messages
    from .suggest import sheet_readme, suggest
    from .writers import PredictionWriter, write_file_atomic

    out = Path(args.output)
    readme = out.with_name(out.stem + ".README.txt")
    for path in (out, readme):
        if path.exists() and not args.force:
            raise InputError(f"output {path} exists; pass --force to overwrite it")
    if args.n < 1:
        raise InputError(f"-n must be a positive integer; got {args.n}")
    model = _load_model(args.model)
    df = suggest(model, read_messages(args.data, body=args.body_col), n=args.n)
    # The same writer as classify: atomic, and cells a spreadsheet would run
    # as formulas are neutralised (this file is made to be opened in one).
    with PredictionWriter(str(out), "csv", list(df.columns), force=args.force) as writer:
        for row in df.to_dict("records"):
            writer.write(row)
    write_file_atomic(readme, sheet_readme(out.name).encode("utf-8"))
    print(f"{len(df)} emails to label written to {out}: fill the empty answer columns (the model's "
          f"guesses sit beside them; {readme.name} explains the columns), then "
          f"`rejectlens train {out} -o MODEL`")
    return EXIT_OK


# ---- report --------------------------------------------------------------------
def _report(args) -> int:
    from .errors import InputError
    from .mailbox import report
    from .readers import detect_format, is_mail_format

    for path in args.mailboxes:
        if not Path(path).exists():
            raise InputError(f"mailbox {path} does not exist")
        fmt = detect_format(path)
        if not is_mail_format(fmt):
            raise InputError(f"{path}: expected a mailbox (.mbox, .eml or a folder of .eml files); "
                             f"found a {fmt} file (use `rejectlens classify` for tables)")
    if args.ghosted_after < 1:
        raise InputError(f"--ghosted-after must be a positive number of days; got {args.ghosted_after}")
    if args.as_of is not None:
        from datetime import datetime

        try:
            datetime.fromisoformat(args.as_of)
        except ValueError:
            raise InputError(f"--as-of: expected a date like 2026-06-30; got {args.as_of!r}") from None
    from .mailbox.render import check_output_dir

    check_output_dir(args.output, args.force)  # before the slow part: fail fast
    model = _load_model(args.model)
    show = not args.quiet and sys.stderr.isatty()
    result = report(args.mailboxes, out=args.output, applications=args.applications, as_of=args.as_of,
                    ghosted_after=args.ghosted_after, model=model, progress=show, force=args.force)
    if not args.quiet:
        s = result.summary
        status = ", ".join(f"{k} {v}" for k, v in sorted(s["status"].items(), key=lambda kv: -kv[1]))
        print(f"messages: {s['messages']} distinct ({s['duplicates_removed']} duplicates removed, "
              f"{s['errors']} unreadable), {s['job_related']} job-related\n"
              f"applications: {s['applications']} ({status or 'none'})\n"
              f"rejections: {s['rejections']} (generic {s['generic']}, personalized {s['personalized']}, "
              f"{s['rejections_with_shared_template']} from templates shared by several companies)\n"
              f"feedback request drafts: {s['feedback_requests']}\n"
              f"report written to {Path(args.output) / 'report.html'}", file=sys.stderr)
    return EXIT_OK


# ---- train / evaluate / data ---------------------------------------------------
def _records_from(paths: Sequence[str], split: str | None = None):
    from .data import load_corpus, read_records, split_records

    out = []
    for path in paths:
        if Path(path).is_dir():
            corpus = load_corpus(path)
            out.extend(split_records(corpus, split) if split else corpus)
        else:
            from .data import validate_labels

            records = read_records(path)
            validate_labels(records, source=str(path))
            out.extend(records)
    if not out:
        from .errors import DataError

        raise DataError(f"{', '.join(paths)}: no records found")
    return out


_CORPUS_ONLY_FLAGS = (("--base", "base"), ("--weight", "weight"), ("--holdout", "holdout"),
                      ("--force-worse", "force_worse"), ("--with-bundled-corpus", "with_bundled_corpus"))


def _given(args, key: str) -> bool:
    # "is not", not "not in (None, False)": --weight 0 and --holdout 0 are given too (0 == False)
    value = getattr(args, key)
    return value is not None and value is not False


def _cv(args, default: int) -> int:
    if args.cv is None:
        return default
    if args.cv < 2:
        from .errors import InputError

        raise InputError(f"--cv must be at least 2 (folds); got {args.cv}")
    return args.cv


def _train(args) -> int:
    from .errors import DataError, ModelFileError

    out = Path(args.output)
    if out.exists() and not args.force:
        raise ModelFileError(f"model directory {out} exists; pass --force to replace it")
    if any(Path(p).is_dir() for p in args.data):
        if len(args.data) > 1:
            raise DataError("a corpus folder rebuilds the bundled model on its own; "
                            f"got {len(args.data)} inputs: {', '.join(args.data)}")
        given = [flag for flag, key in _CORPUS_ONLY_FLAGS if _given(args, key)]
        if given:
            # The folder rebuilds the bundled model from scratch: a base, a weight
            # or a held-out check would be silently ignored, so they are refused.
            raise DataError(f"{args.data[0]} is a corpus folder: `train` rebuilds the bundled model "
                            f"from it, and {', '.join(given)} do(es) not apply; drop them, or pass "
                            "labeled files to train on top of a base")
        from .corpus_model import build_from_corpus

        metrics = build_from_corpus(args.data[0], out, seed=args.seed, n_jobs=args.n_jobs,
                                    cv=_cv(args, 5))
        from .evaluation import format_metrics

        print(f"model written to {out}\nmetrics on the written test split:")
        print(format_metrics(metrics))
        return EXIT_OK
    records = _records_from(args.data)
    base = args.base or "default"
    if base == "none":
        return _train_from_scratch(args, records, out)
    if args.with_bundled_corpus:
        print("note: --with-bundled-corpus is implied when training on top of a base model",
              file=sys.stderr)
    import time

    from .retraining import retrain

    started = time.perf_counter()
    result = retrain(records, base=base, weight=args.weight,
                     holdout=0.25 if args.holdout is None else args.holdout, cv=_cv(args, 2),
                     seed=args.seed, n_jobs=args.n_jobs,
                     progress=lambda msg: print(f"rejectlens train [{time.perf_counter() - started:5.1f} s] "
                                                f"{msg}", file=sys.stderr, flush=True))
    print(result.render())
    if result.worse and not args.force_worse:
        worse = "; ".join(f"{s.field} {s.metric} {s.new:.3f} (new) < {s.base:.3f} (base)"
                          for s in result.worse)
        print(f"rejectlens: refused: the new model is worse than the base on your {result.n_holdout} "
              f"held-out rows: {worse}. Nothing was written. Check the labels of those fields, add "
              "more rows, or pass --force-worse to write it anyway.", file=sys.stderr)
        return EXIT_ROW_ERRORS
    result.model.save(out, force=args.force)
    print(f"model written to {out} in {result.seconds} s"
          + (" (worse than the base on held-out rows; written because of --force-worse)"
             if result.worse else ""))
    return EXIT_OK


def _train_from_scratch(args, records, out: Path) -> int:
    from .training import train

    for flag, key in (("--weight", "weight"), ("--holdout", "holdout"), ("--force-worse", "force_worse")):
        if _given(args, key):
            from .errors import DataError

            raise DataError(f"{flag} applies on top of a base model; --base none trains on your rows "
                            "alone (with --with-bundled-corpus: and the corpus)")
    model = train(records, base=None, with_bundled_corpus=args.with_bundled_corpus,
                  cv=_cv(args, 5), seed=args.seed, n_jobs=args.n_jobs)
    model.save(out, force=args.force)
    t = model.manifest["training"]
    print(f"trained on {t['n_records']} emails in {t['seconds']} s; model written to {out}")
    for name, score in sorted(t["cv_scores"].items()):
        value = score.get("f1", score.get("macro_f1"))
        print(f"  {name:32s} cross-validated {'f1' if 'f1' in score else 'macro-f1'} {value:.3f}")
    for name, why in sorted(t["skipped_heads"].items()):
        print(f"  {name:32s} not trained ({why}); left untrained", file=sys.stderr)
    return EXIT_OK


def _evaluate(args) -> int:
    from .evaluation import evaluate, format_metrics

    model = _load_model(args.model)
    split = args.split if Path(args.data).is_dir() else None
    metrics = evaluate(model, _records_from([args.data], split), report=args.report)
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    if args.report:
        print(f"report written to {Path(args.report) / 'report.md'}")
    return EXIT_OK


def _data(args) -> int:
    from .data import check_corpus

    report = check_corpus(args.path)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_ROW_ERRORS


if __name__ == "__main__":
    raise SystemExit(main())
