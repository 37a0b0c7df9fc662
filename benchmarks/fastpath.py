"""Prototype check for the spaCy-free analyse path (issue 13).

    PYTHONPATH=src python -m benchmarks.fastpath [--agree] [--time] [--classify N]

--agree: every email of data/written/*.jsonl and data/examples/*, old vs new
Analysis, field by field. --time: analyse microseconds per email, old and new
interleaved in one process. --classify N: classify_many emails/s on N corpus
emails, switch off and on, interleaved.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def corpus_emails():
    from rejectlens.readers import read_messages

    out = []
    for p in sorted((ROOT / "data" / "written").glob("*.jsonl")):
        out += [(p.name, e) for e in read_messages(p)]
    for p in sorted((ROOT / "data" / "examples").glob("*")):
        kw = {"body": "text", "sender": "from", "id": "message_id"} if p.suffix == ".csv" else {}
        out += [(p.name, e) for e in read_messages(p, **kw)]
    return [(n, e) for n, e in out if not e.error]


def _diff(a, b):
    fields = []
    for f in ("text", "sentences", "cues", "flags", "tok_ids", "tok_sent", "tok_start", "tok_end",
              "tok_scope", "language"):
        x, y = getattr(a, f), getattr(b, f)
        same = np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
        if not same:
            fields.append(f)
    return fields


def agree(emails):
    from rejectlens.analyse import Analyser
    from rejectlens.clean import clean
    from rejectlens.fastpath import FastAnalyser

    old, new = Analyser(), FastAnalyser()
    es = [e for _, e in emails]
    cleaned = [clean(e) for e in es]
    subj = [e.subject for e in es]
    snd = [e.sender for e in es]
    a = old.analyse(cleaned, subj, snd)
    b = new.analyse(cleaned, subj, snd)
    bad = Counter()
    examples = []
    for (name, e), x, y in zip(emails, a, b):
        d = _diff(x, y)
        if d:
            bad.update(d)
            if len(examples) < 10:
                examples.append((name, e.id, d))
    n = len(emails)
    same = n - sum(1 for x, y in zip(a, b) if x != y)
    print(f"agreement: {same}/{n} emails identical Analysis ({100 * same / n:.2f}%)")
    print(f"  fields differing: {dict(bad)}; chunk-cache misses {new._tok.misses}, "
          f"lexemes {len(new._tok._lex_rows)}, texts sent to spaCy tokenizer {new._tok.fallbacks}")
    for ex in examples:
        print("  e.g.", ex)
    return a, b


def timing(emails, rounds=5, batch=256):
    from rejectlens.analyse import Analyser
    from rejectlens.clean import clean
    from rejectlens.fastpath import FastAnalyser

    es = [e for _, e in emails]
    cleaned = [clean(e) for e in es]
    subj = [e.subject for e in es]
    snd = [e.sender for e in es]
    words = statistics.mean(len(c.text.split()) for c in cleaned)
    old, new = Analyser(), FastAnalyser()
    new.analyse(cleaned[:batch], subj[:batch], snd[:batch])  # warm both
    old.analyse(cleaned[:batch], subj[:batch], snd[:batch])
    res = {"spacy": [], "fast": []}
    for _ in range(rounds):
        for name, an in (("spacy", old), ("fast", new)):
            t = time.perf_counter()
            for i in range(0, len(es), batch):
                an.analyse(cleaned[i:i + batch], subj[i:i + batch], snd[i:i + batch])
            res[name].append((time.perf_counter() - t) / len(es) * 1e6)
    print(f"analyse on {len(es)} emails ({words:.0f} words mean, cleaned), us/email, "
          f"median of {rounds} interleaved rounds:")
    for k, v in res.items():
        print(f"  {k:6s} {statistics.median(v):7.1f}  (runs {', '.join(f'{x:.0f}' for x in v)})")


def classify(emails, n, rounds=3):
    import rejectlens
    from rejectlens import model as m
    from rejectlens.fastpath import FAST_ENV

    es = [e for _, e in emails][:n]
    clf = rejectlens.load()
    words = statistics.mean(len(e.body.split()) for e in es)
    res = {"spacy": [], "fast": []}
    outs = {}
    for _ in range(rounds):
        for name, flag in (("spacy", "0"), ("fast", "1")):
            os.environ[FAST_ENV] = flag
            m._shared_analyser(clf.patterns)  # build outside the timing
            t = time.perf_counter()
            outs[name] = list(clf.classify_many(es))
            res[name].append(len(es) / (time.perf_counter() - t))
    print(f"classify_many on {len(es)} corpus emails ({words:.0f} body words mean), emails/s, "
          f"median of {rounds}:")
    for k, v in res.items():
        print(f"  {k:6s} {statistics.median(v):7.0f}  (runs {', '.join(f'{x:.0f}' for x in v)})")
    same = sum(a.to_dict() == b.to_dict() for a, b in zip(outs["spacy"], outs["fast"]))
    print(f"  identical predictions: {same}/{len(es)}")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--agree", action="store_true")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--classify", type=int, default=0)
    args = ap.parse_args(argv)
    emails = corpus_emails()
    if args.agree:
        agree(emails)
    if args.time:
        timing(emails)
    if args.classify:
        classify(emails, args.classify)


if __name__ == "__main__":
    sys.exit(main())
