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
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import RejectLensError

EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="rejectlens",
        description="Read job-application emails: rejection or not, generic or personalized, "
        "reasons with evidence, stage, feedback and re-apply offers.",
    )
    p.add_argument("--version", action="version", version=f"rejectlens {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("classify", help="classify a JSONL or CSV export (or - for JSONL on stdin)")
    c.add_argument("input", help="input .jsonl/.csv file, or - for JSONL on stdin")
    c.add_argument("-o", "--output", default="-", help="output .jsonl/.csv file (default: stdout)")
    c.add_argument("--model", help="model directory (default: the bundled model)")
    c.add_argument("--body-col", default="body")
    c.add_argument("--subject-col", default="subject")
    c.add_argument("--sender-col", default="sender")
    c.add_argument("--id-col", default="id")
    c.add_argument("--batch-size", type=int, default=512)
    c.add_argument("--n-jobs", type=int, default=1)
    c.add_argument("--force", action="store_true", help="overwrite an existing output file")
    c.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    e = sub.add_parser("explain", help="explain the labels of one email in readable form")
    e.add_argument("text", help="the email body (or - to read it from stdin)")
    e.add_argument("--subject", default="")
    e.add_argument("--sender", default="")
    e.add_argument("--model")

    t = sub.add_parser("train", help="train a model from labeled JSONL/CSV, or from a corpus folder")
    t.add_argument("data", nargs="+", help="labeled .jsonl/.csv files, or the corpus folder data/")
    t.add_argument("-o", "--output", required=True, help="model directory to write")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--force", action="store_true", help="replace an existing model directory")

    v = sub.add_parser("evaluate", help="per-field metrics of a model on labeled data")
    v.add_argument("data", help="labeled .jsonl/.csv file, or the corpus folder (uses --split)")
    v.add_argument("--model", help="model directory (default: the bundled model)")
    v.add_argument("--split", default="test", choices=["train", "dev", "test"])
    v.add_argument("--json", action="store_true", help="print metrics as JSON")

    s = sub.add_parser("show", help="print a one-line-per-email table of a predictions JSONL file")
    s.add_argument("predictions", help="a .jsonl file written by `rejectlens classify`")

    d = sub.add_parser("data", help="corpus tools")
    dsub = d.add_subparsers(dest="data_command", required=True)
    dc = dsub.add_parser("check", help="validate the labeled corpus and print its coverage")
    dc.add_argument("path", nargs="?", default="data")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        handler = {
            "classify": _classify,
            "explain": _explain,
            "train": _train,
            "evaluate": _evaluate,
            "data": _data,
            "show": _show,
        }[args.command]
        return handler(args)
    except (RejectLensError, OSError) as err:
        print(f"rejectlens: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rejectlens: interrupted", file=sys.stderr)
        return 130


# ---- classify ---------------------------------------------------------------
def _read_input(args) -> Iterator[dict[str, Any]]:
    from .errors import InputError

    cols = {"body": args.body_col, "subject": args.subject_col, "sender": args.sender_col,
            "id": args.id_col}
    if args.input == "-":
        yield from _jsonl_rows(sys.stdin, "<stdin>", cols)
        return
    path = Path(args.input)
    if not path.is_file():
        raise InputError(f"input {path} does not exist or is not a file")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        with path.open(encoding="utf-8", errors="replace") as f:
            yield from _jsonl_rows(f, str(path), cols)
    elif suffix in (".csv", ".tsv"):
        import pandas as pd

        sep = "\t" if suffix == ".tsv" else ","
        try:
            chunks = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                                 chunksize=args.batch_size)
            first = True
            for chunk in chunks:
                if first and args.body_col not in chunk.columns:
                    raise InputError(
                        f"{path}: body column '{args.body_col}' not found; columns found: "
                        f"{', '.join(chunk.columns)}. Use --body-col to name it."
                    )
                first = False
                for n, rec in enumerate(chunk.to_dict("records")):
                    yield _mapped(rec, cols, f"{path} row {n + 1}")
        except pd.errors.EmptyDataError:
            raise InputError(f"{path} is empty") from None
    else:
        raise InputError(f"{path}: unknown input type '{suffix}'; expected .jsonl, .json, .csv or .tsv")


def _mapped(rec: dict[str, Any], cols: dict[str, str], where: str) -> dict[str, Any]:
    out = {key: rec.get(name) for key, name in cols.items() if name in rec}
    if "body" not in out:
        found = ", ".join(map(str, rec)) or "none"
        out["_error"] = f"{where}: body field '{cols['body']}' missing; fields found: {found}"
    return out


def _jsonl_rows(f, name: str, cols: dict[str, str]) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as err:
            yield {"_error": f"{name} line {n}: not valid JSON ({err})"}
            continue
        if not isinstance(rec, dict):
            yield {"_error": f"{name} line {n}: expected a JSON object, found {type(rec).__name__}"}
            continue
        yield _mapped(rec, cols, f"{name} line {n}")


def _classify(args) -> int:
    from .errors import InputError
    from .prediction import OUTPUT_FIELDS, Prediction

    out_path = None if args.output == "-" else Path(args.output)
    if out_path is not None:
        if out_path.exists() and not args.force:
            raise InputError(f"output {out_path} exists; pass --force to overwrite it")
        if out_path.suffix.lower() not in (".jsonl", ".json", ".csv"):
            raise InputError(f"output {out_path}: unknown type; expected .jsonl or .csv")
    model = _load_model(args.model)
    rows = _read_input(args)
    first = next(rows, None)  # read errors (missing file, column) surface before any output
    if first is None:
        raise InputError(f"input {args.input} holds no records")

    def all_rows():
        yield first
        yield from rows

    def predictions() -> Iterator[Prediction]:
        batch: list[dict[str, Any]] = []

        def flush():
            good = [r for r in batch if "_error" not in r]
            done = iter(model.classify_many(good, batch_size=args.batch_size)) if good else iter(())
            for r in batch:
                yield Prediction.failed(r.get("id"), r["_error"]) if "_error" in r else next(done)

        for r in all_rows():
            batch.append(r)
            if len(batch) >= args.batch_size:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    show = not args.quiet and sys.stderr.isatty()
    stats: Counter = Counter()
    csv_out = out_path is not None and out_path.suffix.lower() == ".csv"
    tmp = None
    if out_path is None:
        sink = sys.stdout
    else:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
        sink = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        writer = None
        if csv_out:
            import csv

            writer = csv.DictWriter(sink, fieldnames=list(OUTPUT_FIELDS))
            writer.writeheader()
        it = predictions()
        if show:
            from tqdm import tqdm

            it = tqdm(it, unit="email", file=sys.stderr)
        for p in it:
            _count(stats, p)
            d = p.to_dict()
            if writer is not None:
                writer.writerow({k: json.dumps(v, ensure_ascii=False)
                                 if isinstance(v, (list, dict)) else v for k, v in d.items()})
            else:
                sink.write(json.dumps(d, ensure_ascii=False) + "\n")
        if tmp is not None:
            sink.close()
            os.replace(tmp, out_path)
            tmp = None
    finally:
        if tmp is not None:
            sink.close()
            os.unlink(tmp)
    if not args.quiet:
        print(_summary(stats), file=sys.stderr)
    return EXIT_ROW_ERRORS if stats["errors"] else EXIT_OK


def _count(stats: Counter, p) -> None:
    stats["read"] += 1
    if p.error:
        stats["errors"] += 1
    elif p.is_rejection:
        stats["rejections"] += 1
        stats[f"p:{p.personalization}"] += 1
        for r in p.reasons or ():
            stats[f"r:{r}"] += 1


def _summary(stats: Counter) -> str:
    top = sorted(((k[2:], v) for k, v in stats.items() if k.startswith("r:")), key=lambda kv: -kv[1])
    reasons = ", ".join(f"{k} {v}" for k, v in top[:5]) or "none"
    return (
        f"messages read: {stats['read']}\n"
        f"rejections: {stats['rejections']} (generic {stats['p:generic']}, "
        f"personalized {stats['p:personalized']})\n"
        f"top reasons: {reasons}\n"
        f"rows with errors: {stats['errors']}"
    )


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


def render_explanation(p) -> str:
    """A readable account of one Prediction."""
    lines = []
    if p.error:
        return f"error: {p.error}"
    verdict = "REJECTION" if p.is_rejection else "not a rejection"
    lines.append(f"{verdict}  (rejection probability {p.rejection_score:.2f})")
    if p.is_rejection:
        lines.append(f"personalization: {p.personalization} (p personalized = "
                     f"{p.personalization_score:.2f})")
        lines.append(f"stage: {p.stage}  " + ", ".join(f"{k} {v:.2f}" for k, v in p.stage_scores.items()))
        lines.append(f"feedback offered: {'yes' if p.feedback_offered else 'no'}")
        lines.append(f"re-apply encouraged: {'yes' if p.reapply_encouraged else 'no'}")
        lines.append("reasons:" + ("" if p.reasons else " none stated"))
        for r in p.reasons:
            lines.append(f"  - {r} ({p.reason_scores[r]:.2f})")
            if r in p.evidence:
                lines.append(f'      "{p.evidence[r]}"')
        if "personalized" in (p.evidence or {}):
            lines.append(f'personal detail: "{p.evidence["personalized"]}"')
        near = sorted(((v, k) for k, v in p.reason_scores.items() if k not in p.reasons), reverse=True)
        if near and near[0][0] >= 0.2:
            lines.append("also considered: " + ", ".join(f"{k} {v:.2f}" for v, k in near[:3]))
    lines.append("signals: " + (", ".join(p.signals) or "none"))
    return "\n".join(lines)


# ---- show -------------------------------------------------------------------
def _show(args) -> int:
    from .errors import InputError

    path = Path(args.predictions)
    if not path.is_file():
        raise InputError(f"predictions file {path} does not exist")
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                rows.append(json.loads(line))
            except ValueError:
                raise InputError(f"{path} line {n}: not valid JSON") from None
    print(render_table(rows))
    return EXIT_OK


def render_table(rows: Sequence[dict[str, Any]]) -> str:
    """One line per prediction: id, verdict, personalization, stage, flags, reasons."""
    header = ("id", "verdict", "p(rej)", "personal.", "stage", "fb", "reapply", "reasons")
    lines = [header]
    for r in rows:
        if r.get("error"):
            lines.append((str(r.get("id")), "ERROR", "", "", "", "", "", r["error"][:60]))
            continue
        rej = r.get("is_rejection")
        lines.append((
            str(r.get("id")),
            "rejection" if rej else "other",
            f"{r.get('rejection_score', 0):.2f}",
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


# ---- train / evaluate / data ---------------------------------------------------
def _records_from(paths: Sequence[str], split: str | None = None):
    from .data import load_corpus, read_records, split_records

    out = []
    for path in paths:
        if Path(path).is_dir():
            corpus = load_corpus(path)
            out.extend(split_records(corpus, split) if split else corpus)
        else:
            out.extend(read_records(path))
    return out


def _train(args) -> int:
    from .errors import ModelFileError

    out = Path(args.output)
    if out.exists() and not args.force:
        raise ModelFileError(f"model directory {out} exists; pass --force to replace it")
    if len(args.data) == 1 and Path(args.data[0]).is_dir():
        from .corpus_model import build_from_corpus

        metrics = build_from_corpus(args.data[0], out, seed=args.seed)
        from .evaluate import format_metrics

        print(f"model written to {out}\nmetrics on the written test split:")
        print(format_metrics(metrics))
        return EXIT_OK
    from .train import train

    model = train(_records_from(args.data), seed=args.seed)
    model.save(out, force=args.force)
    print(f"model written to {out}")
    return EXIT_OK


def _evaluate(args) -> int:
    from .evaluate import evaluate, format_metrics

    model = _load_model(args.model)
    split = args.split if Path(args.data).is_dir() else None
    metrics = evaluate(model, _records_from([args.data], split))
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    return EXIT_OK


def _data(args) -> int:
    from .data import check_corpus

    report = check_corpus(args.path)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_ROW_ERRORS


if __name__ == "__main__":
    raise SystemExit(main())
