"""The one argument parser of the command line: every subcommand, flag and help text."""

from __future__ import annotations

import argparse

from .._version import __version__

__all__ = ["LOCAL_DASK", "build_parser"]

LOCAL_DASK = "local"  # --dask without an address: start a LocalCluster


def build_parser() -> argparse.ArgumentParser:
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
        "2 bad usage, unreadable input or a worker process that died; 130 Ctrl-C; 143 SIGTERM.",
    )
    c.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="input files or folders (.csv .tsv .jsonl .json .parquet .mbox .eml, "
                   "optionally .gz), or - for stdin (JSONL; CSV or TSV with --input-format)")
    c.add_argument("-o", "--output", default="-",
                   help="output .jsonl/.csv/.parquet (default: stdout); a device or pipe such as "
                   "/dev/null is written in place, as JSON lines unless --format says otherwise")
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
                   help="write rejections only (and rows with errors, and emails not in English, "
                   "whose labels are unreliable)")
    c.add_argument("--only-job-related", action="store_true",
                   help="write job-search mail only (and rows with errors, and emails not in "
                   "English, whose labels are unreliable)")
    c.add_argument("--chunk-size", type=int, default=2000, help="messages per batch (default: 2000)")
    c.add_argument("--max-message-bytes", type=_size, default=None, metavar="SIZE",
                   help="keep at most this much of one message (text and HTML), its start; "
                   "a longer one gets the 'truncated' signal. Bounds the memory one message "
                   "can take. Accepts 25MB, 500k, 1G or bytes (default: 25MB)")
    c.add_argument("--n-jobs", type=int, default=None,
                   help="worker processes, each reading, classifying and writing its own chunks; "
                   "0 = one per core (default: 1; at most four a core). With --dask: local workers "
                   "(default: one per core)")
    c.add_argument("--dask", nargs="?", const=LOCAL_DASK, default=None, metavar="SCHEDULER_ADDRESS",
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
                   "x 0.5 / max(your rows, 200), about 17.5 for up to 200 rows)")
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
                   help="heads trained at once (default: 2; 0: one per core); the model is the same "
                   "for any value")
    t.add_argument("--force", action="store_true",
                   help="replace an existing model directory (never the bundled model's, unless the "
                   "input is the corpus folder, nor one holding files that are not the model's)")

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
    r.add_argument("mailboxes", nargs="+", metavar="MAILBOX", help=".mbox / .eml files or folders of them")
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
    g.add_argument("--subject-col", default="subject")
    g.add_argument("--sender-col", default="sender")
    g.add_argument("--id-col", default="id")
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
    except (ValueError, KeyError, OverflowError):
        raise argparse.ArgumentTypeError(f"expected a size like 25MB, 500k or 1000000; got {text!r}") \
            from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive; got {text!r}")
    return value

