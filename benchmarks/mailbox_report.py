"""Issue 14's targets, measured: the team mailbox (benchmarks/mailbox/) against its key.

    python -m benchmarks.mailbox_report            # accuracy + 10k-message speed
    python -m benchmarks.mailbox_report --no-speed # accuracy only

- company: correct for each job-related message of the key (the key's
  company, or none where the key has none), compared after folding case,
  accents, punctuation and a legal suffix (GmbH, Ltd...); "lenient" also
  accepts one name being the start of the other ("Ondine" for "Ondine
  Marine"), "exact spelling" only folds case and spaces (so "Lowtherfinch",
  read from the domain, is not "Lowther & Finch"). Invented: a company
  given to a message the key says is not job mail.
- grouping: pairwise precision/recall/F1 over messages that belong to an
  application in the key or in the report (two messages are a pair when
  they share an application).
- status: each key application's status after its last message, against the
  status of the report's application holding most of its messages.
  ``ghosted`` is not a key status (the key records where the process
  stood); it counts as correct when the key's status is an open one
  (applied / acknowledged / in_process). The strict rate counts it wrong.
- templates: a key template is found when all its letters share one
  template id that the report counts as sent by >= 2 companies.
- speed: the mailbox repeated 25 times (10,000 messages) with fresh
  Message-IDs, threads and Gmail ids per copy, from the mbox file to a
  finished report folder, in one process (model load included).

Writes benchmarks/mailbox_report.json and prints the numbers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAILBOX = ROOT / "benchmarks" / "mailbox"
_LEGAL = re.compile(r"\b(?:ltd|limited|plc|inc|llc|gmbh|ag|s\.?p\.?a|llp)\.?$", re.I)
_OPEN = {"applied", "acknowledged", "in_process"}


def fold(name) -> str:
    if not name or name != name:
        return ""
    name = _LEGAL.sub("", str(name).strip())
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if c.isalnum() and c.isascii())


def _plain(name) -> str:
    # Only case and spacing: "Lowtherfinch" (from the domain) is not "Lowther & Finch" here.
    return " ".join(str(name).casefold().split()) if name else ""


def _lenient(got: str, truth: str) -> bool:
    return got == truth or bool(got and truth and (got.startswith(truth) or truth.startswith(got)))


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(ids, 2)}


def accuracy(messages, applications, key: list[dict]) -> dict:
    # pandas gives NaN for a missing company or application: read it as none
    by_id = {m["id"]: {k: (None if v != v else v) if not isinstance(v, list) else v for k, v in m.items()}
             for m in messages.to_dict("records")}
    rows = [(k, by_id[k["message_id"]]) for k in key if k["message_id"] in by_id]
    job = [(k, m) for k, m in rows if k["job_related"]]
    strict = sum(fold(m["company"]) == fold(k["company"]) for k, m in job)
    lenient = sum(_lenient(fold(m["company"]), fold(k["company"])) for k, m in job)
    exact = sum(_plain(m["company"]) == _plain(k["company"]) for k, m in job)
    invented = [m["subject"] for k, m in rows if not k["job_related"] and m["company"]]
    wrong = [(k["kind"], m["company"], k["company"]) for k, m in job
             if fold(m["company"]) != fold(k["company"])]

    key_groups, pred_groups = defaultdict(list), defaultdict(list)
    for k, m in rows:
        if k["application"]:
            key_groups[k["application"]].append(k["message_id"])
        if m["application_id"]:
            pred_groups[m["application_id"]].append(k["message_id"])
    kp, pp = _pairs(key_groups), _pairs(pred_groups)
    tp = len(kp & pp)
    precision = tp / len(pp) if pp else 0.0
    recall = tp / len(kp) if kp else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    status_of = dict(zip(applications["application_id"], applications["status"]))
    dates = {m["id"]: m["date"] for m in by_id.values()}
    status_ok = status_strict = 0
    status_wrong = []
    for app, ids in key_groups.items():
        last = max(ids, key=lambda i: dates[i])
        truth = next(k["status_after"] for k in key if k["message_id"] == last)
        votes = Counter(by_id[i]["application_id"] for i in ids if by_id[i]["application_id"])
        got = status_of.get(votes.most_common(1)[0][0]) if votes else None
        status_strict += got == truth
        ok = got == truth or (got == "ghosted" and truth in _OPEN)
        status_ok += ok
        if not ok:
            status_wrong.append((app, truth, got))

    # Not a target: the role of each key application, against its report application's role
    # (the key's notes in brackets, "Data Analyst (contract)", are not asked for).
    role_of = dict(zip(applications["application_id"], applications["role"]))
    role_ok = 0
    for _app, ids in key_groups.items():
        truth = re.sub(r"\s*\(.*\)$", "", next(k["role"] for k in key if k["message_id"] == ids[0]) or "")
        votes = Counter(by_id[i]["application_id"] for i in ids if by_id[i]["application_id"])
        got = role_of.get(votes.most_common(1)[0][0]) if votes else None
        role_ok += _plain(got if got == got else "") == _plain(truth)

    templates = defaultdict(list)
    for k, m in rows:
        if k["template"]:
            templates[k["template"]].append(m)
    found = {}
    for name, ms in templates.items():
        ids = {m["template_id"] for m in ms}
        found[name] = len(ids) == 1 and None not in ids and bool(ms[0]["shared_template"])
    key_templates = {k["template"] for k in key if k["template"]}
    return {
        "company": {"job_messages": len(job), "correct": strict, "rate": round(strict / len(job), 4),
                    "lenient_rate": round(lenient / len(job), 4), "exact_rate": round(exact / len(job), 4),
                    "invented_for_non_job": len(invented),
                    "invented_subjects": invented, "wrong": wrong},
        "grouping": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                     "key_applications": len(key_groups), "report_applications": len(pred_groups)},
        "status": {"applications": len(key_groups), "correct": status_ok,
                   "rate": round(status_ok / len(key_groups), 4),
                   "strict_rate": round(status_strict / len(key_groups), 4), "wrong": status_wrong},
        "role": {"applications": len(key_groups), "correct": role_ok,
                 "rate": round(role_ok / len(key_groups), 4)},
        "templates": {"key_templates": len(key_templates), "found": sum(found.values()), "detail": found},
    }


def big_mbox(path: Path, copies: int = 25, source: Path = MAILBOX / "mailbox.mbox") -> int:
    """A mailbox ``copies`` times, each copy with its own Message-IDs and thread ids."""
    raw = source.read_bytes()
    parts = re.split(rb"(?m)^(?=From \S+ )", raw)
    parts = [p for p in parts if p.strip()]
    n = 0
    with path.open("wb") as f:
        for c in range(copies):
            copy_id, thread_suffix = b".c%d@" % c, b"%02d" % c
            for p in parts:
                p = re.sub(rb"<([^<>@\s]+)@", lambda m, s=copy_id: b"<" + m.group(1) + s, p)
                p = re.sub(rb"(?m)^(X-GM-THRID: )(\d+)",
                           lambda m, s=thread_suffix: m.group(1) + m.group(2) + s, p)
                f.write(p)
                n += 1
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--mailbox", type=Path, default=MAILBOX,
                    help="folder with mailbox.mbox and key.jsonl (default: benchmarks/mailbox)")
    ap.add_argument("--out", type=Path, default=None,
                    help="results file (default: benchmarks/mailbox_report.json for the default "
                         "mailbox, else <folder>/report_accuracy.json)")
    args = ap.parse_args(argv)
    import rejectlens

    folder = args.mailbox
    key = [json.loads(line) for line in (folder / "key.jsonl").read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        r = rejectlens.report(folder / "mailbox.mbox", out=Path(tmp) / "r")
    result = accuracy(r.messages, r.applications, key)
    result["summary"] = r.summary
    if not args.no_speed:
        with tempfile.TemporaryDirectory() as tmp:
            big = Path(tmp) / "big.mbox"
            n = big_mbox(big, source=folder / "mailbox.mbox")
            t0 = time.perf_counter()
            rb = rejectlens.report(big, out=Path(tmp) / "out")
            seconds = time.perf_counter() - t0
            result["speed"] = {"messages": n, "distinct": rb.summary["messages"],
                               "seconds": round(seconds, 2), "applications": rb.summary["applications"]}
    out = args.out or (ROOT / "benchmarks" / "mailbox_report.json" if folder.resolve() == MAILBOX
                       else folder / "report_accuracy.json")
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    c, g, s, t = result["company"], result["grouping"], result["status"], result["templates"]
    print(f"company correct: {c['correct']}/{c['job_messages']} = {c['rate']:.1%} "
          f"(exact spelling {c['exact_rate']:.1%}, lenient {c['lenient_rate']:.1%}); "
          f"invented for non-job mail: {c['invented_for_non_job']}")
    print(f"grouping pairwise P {g['precision']:.3f} R {g['recall']:.3f} F1 {g['f1']:.3f} "
          f"({g['report_applications']} applications vs {g['key_applications']} in the key)")
    print(f"status correct: {s['correct']}/{s['applications']} = {s['rate']:.1%} "
          f"(strict {s['strict_rate']:.1%})")
    print(f"shared templates found: {t['found']}/{t['key_templates']}")
    ro = result["role"]
    print(f"(not a target) role correct: {ro['correct']}/{ro['applications']} = {ro['rate']:.1%}")
    if "speed" in result:
        sp = result["speed"]
        print(f"speed: {sp['messages']} messages to a finished report in {sp['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
