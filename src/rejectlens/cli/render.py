"""Every text the command line prints about a result: one place for terminal output.

Commands call the library, which returns data; the functions here turn
that data into the lines a person reads (the commands only print them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["classify_summary", "corpus_model_written", "error_line", "render_explanation", "render_table",
           "report_summary", "retrain_progress", "retrained", "suggest_done", "train_refused",
           "trained_from_scratch"]


def classify_summary(stats: Counter) -> str:
    """The summary `classify` prints on stderr: counts, top reasons, languages, errors."""
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


# Control characters, bidi overrides and lone surrogates from an email would
# act on the terminal (clear it, retitle it, reverse the line) or fail to print.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _printable(text: Any, lines: bool = False) -> str:
    """``text`` with what would act on a terminal written as an escape (``\\x1b``);
    with ``lines``, line breaks stay (a message of several lines)."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    if lines:
        return "\n".join(_UNPRINTABLE.sub(_escape, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_escape, text)


def error_line(err: Any) -> str:
    """What the command line prints for an error; its text may quote a file's."""
    return f"rejectlens: error: {_printable(err, lines=True)}"


def _escape(m: re.Match) -> str:
    code = ord(m[0])
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def _num(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "n/a" if value is None else str(value)  # a hand-edited file: shown as it is
    return f"{value:.2f}"


def _yes_no(value) -> str:
    return "n/a (head not trained)" if value is None else "yes" if value else "no"


def render_explanation(p) -> str:
    """A readable account of one Prediction."""
    lines = []
    if p.error:
        return f"error: {_printable(p.error)}"
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
                lines.append(f'      "{_printable(evidence[r])}"')
        if "personalized" in evidence:
            lines.append(f'personal detail: "{_printable(evidence["personalized"])}"')
        near = sorted(((v, k) for k, v in scores.items() if k not in (p.reasons or ())), reverse=True)
        if near and near[0][0] >= 0.2:
            lines.append("also considered: " + ", ".join(f"{k} {v:.2f}" for v, k in near[:3]))
    lines.append("signals: " + (", ".join(p.signals) or "none"))
    return "\n".join(lines)


_ID_WIDTH = 40


def render_table(rows: Sequence[dict[str, Any]]) -> str:
    """One line per prediction: id, verdict, personalization, stage, flags, reasons."""
    header = ("id", "verdict", "p(rej)", "lang", "personal.", "stage", "fb", "reapply", "reasons")
    lines = [header]
    for r in rows:
        rid = str(r.get("id"))
        rid = rid if len(rid) <= _ID_WIDTH else rid[: _ID_WIDTH - 1] + "…"  # one long id widens every line
        if r.get("error"):
            lines.append((rid, "ERROR", "", "", "", "", "", "", str(r["error"])[:60]))
            continue
        rej = r.get("is_rejection")
        reasons = r.get("reasons") or []
        lines.append((
            rid,
            "rejection" if rej else "not job mail" if r.get("job_related") is False else "other job",
            _num(r.get("rejection_score")),
            r.get("language") or "",
            r.get("personalization") or "",
            r.get("stage") or "",
            "yes" if r.get("feedback_offered") else "",
            "yes" if r.get("reapply_encouraged") else "",
            ", ".join(map(str, reasons)) if isinstance(reasons, list) else str(reasons),
        ))
    lines = [tuple(_printable(c) for c in row) for row in lines]
    width = [max(len(row[i]) for row in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row[:-1], width)) + "  " + row[-1] for row in lines
    )


def report_summary(s: Mapping[str, Any], out: str | Path) -> str:
    """What `report` prints when done: messages, applications, rejections, where the report is."""
    status = ", ".join(f"{k} {v}" for k, v in sorted(s["status"].items(), key=lambda kv: -kv[1]))
    return (f"messages: {s['messages']} distinct ({s['duplicates_removed']} duplicates removed, "
            f"{s['errors']} unreadable), {s['job_related']} job-related\n"
            f"applications: {s['applications']} ({status or 'none'})\n"
            f"rejections: {s['rejections']} (generic {s['generic']}, personalized {s['personalized']}, "
            f"{s['rejections_with_shared_template']} from templates shared by several companies)\n"
            f"feedback request drafts: {s['feedback_requests']}\n"
            + (f"messages not in English: {s['not_english']} (their labels are unreliable: "
               "the model reads English)\n" if s.get("not_english") else "")
            + f"report written to {Path(out) / 'report.html'}")


def suggest_done(n: int, out: Path, readme: Path) -> str:
    return (f"{n} emails to label written to {out}: fill the empty answer columns (the model's "
            f"guesses sit beside them; {readme.name} explains the columns), then "
            f"`rejectlens train {out} -o MODEL`")


def train_refused(result: Any) -> str:
    """Why `train` wrote nothing: the fields where the new model lost to the base on held-out rows."""
    worse = "; ".join(f"{s.field} {s.metric} {s.new:.3f} (new) < {s.base:.3f} (base)"
                      for s in result.worse)
    return (f"rejectlens: refused: the new model is worse than the base on your {result.n_holdout} "
            f"held-out rows: {worse}. Nothing was written. Rows are held out by sender domain "
            "(or thread, or group), so a correction that only one sender's mail shows is held out "
            "whole and the new model never learns it. Check the labels of those fields, add rows "
            "from more senders, or, if the labels are right, pass --force-worse to write it anyway.")


def trained_from_scratch(training: Mapping[str, Any], out: Path) -> tuple[str, str]:
    """(stdout, stderr) text after `train --base none`: scores per head, heads left untrained."""
    t = training
    lines = [f"trained on {t['n_records']} emails in {t['seconds']} s; model written to {out}"]
    for name, score in sorted(t["cv_scores"].items()):
        value = score.get("f1", score.get("macro_f1"))
        lines.append(f"  {name:32s} cross-validated {'f1' if 'f1' in score else 'macro-f1'} {value:.3f}")
    skipped = [f"  {name:32s} not trained ({why}); left untrained"
               for name, why in sorted(t["skipped_heads"].items())]
    return "\n".join(lines), "\n".join(skipped)


def corpus_model_written(out: Path, metrics: Mapping[str, Any]) -> str:
    from ..evaluation import format_metrics

    return f"model written to {out}\nmetrics on the written test split:\n{format_metrics(metrics)}"


def retrain_progress(seconds: float, msg: str) -> str:
    return f"rejectlens train [{seconds:5.1f} s] {msg}"


def retrained(out: Path, result: Any) -> str:
    return (f"model written to {out} in {result.seconds} s"
            + (" (worse than the base on held-out rows; written because of --force-worse)"
               if result.worse else ""))
