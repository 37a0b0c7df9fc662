"""Check the project corpus: schema, labels, duplicates, splits and coverage (``rejectlens data check``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..labels import LABEL_FIELDS, REASONS, STAGES, reason_head
from ..records import validate_labels
from .load import _decision_marks, load_corpus
from .splits import SPLITS, assign_splits
from .tags import (
    ATS_STYLE_TAGS,
    CONTRASTIVE_PAIR_TAGS,
    HARD_NEGATIVE_TAGS,
    JOB_NON_REJECTION_TAGS,
    KNOWN_TAGS,
    NON_JOB_APPLICATION_TAGS,
    NON_JOB_REFUSAL_TAGS,
    NON_JOB_TAGS,
    ORIGINS,
    REJECTION_SHAPE_TAGS,
    SPECIAL_REJECTION_TAGS,
)

__all__ = ["MINIMUMS", "NEAR_DUPLICATE", "CheckReport", "check_corpus", "coverage"]

NEAR_DUPLICATE = 0.9

# Coverage minimums of the corpus issue, counted over written emails only.
MINIMUMS: dict[str, int] = {
    "emails": 1200,
    "rejections": 700,
    "non_rejections": 500,
    "personalized": 250,
    **{reason_head(r): 40 for r in REASONS},
    **{f"stage:{s}": 120 for s in STAGES},
    "feedback_offered": 150,
    "reapply_encouraged": 250,
    "no_reason": 60,
    "hard_negatives": 200,
    **{f"tag:{t}": 15 for t in HARD_NEGATIVE_TAGS},
    **{f"tag:{t}": 10 for t in SPECIAL_REJECTION_TAGS},
    "with_html": 150,
    "decision_marked": 1000,
    # second wave: the shapes real mailboxes hold
    "non_job": 1500,
    "non_job_kinds": 25,
    "non_job_refusals": 250,
    "non_job_refusal_kinds": 12,
    "job_non_rejections_wave2": 600,
    "tag:jn_ats_ack": 200,
    **{f"tag:{t}": 10 for t in ATS_STYLE_TAGS},
    "tag:jn_candidate_written": 100,
    "rejections_wave2": 300,
    **{f"tag:{t}": 25 for t in REJECTION_SHAPE_TAGS},
    **{f"tag:{t}": 40 for t in CONTRASTIVE_PAIR_TAGS},
}



def coverage(records: Sequence[Mapping[str, Any]]) -> Counter:
    """Counts behind the coverage table (pass written records only)."""
    c: Counter = Counter()
    for r in records:
        c["emails"] += 1
        if r.get("html"):
            c["with_html"] += 1
        tags = r.get("tags") or []
        for t in tags:
            c[f"tag:{t}"] += 1
        if r.get("job_related") is False:
            c["non_job"] += 1
        if any(t in NON_JOB_REFUSAL_TAGS for t in tags):
            c["non_job_refusals"] += 1
        if any(t in JOB_NON_REJECTION_TAGS for t in tags):
            c["job_non_rejections_wave2"] += 1
        if any(t in REJECTION_SHAPE_TAGS for t in tags):
            c["rejections_wave2"] += 1
        if r.get("is_rejection"):
            c["rejections"] += 1
            c[r.get("personalization") or "?"] += 1
            for reason in r.get("reasons") or []:
                c[reason_head(reason)] += 1
            if not r.get("reasons"):
                c["no_reason"] += 1
            c[f"stage:{r.get('stage')}"] += 1
            c["decision_marked"] += bool(r.get("decision"))
            c["feedback_offered"] += bool(r.get("feedback_offered"))
            c["reapply_encouraged"] += bool(r.get("reapply_encouraged"))
        else:
            c["non_rejections"] += 1
            if any(str(t).startswith("hn_") for t in r.get("tags") or []):
                c["hard_negatives"] += 1
    kinds = NON_JOB_TAGS + NON_JOB_REFUSAL_TAGS + NON_JOB_APPLICATION_TAGS
    c["non_job_kinds"] = sum(1 for t in kinds if c[f"tag:{t}"])
    c["non_job_refusal_kinds"] = sum(1 for t in NON_JOB_REFUSAL_TAGS if c[f"tag:{t}"])
    return c


@dataclass(frozen=True)
class CheckReport:
    """What ``rejectlens data check`` found: the coverage table (key, count,
    minimum), written emails per split, and every problem (none: it passed)."""

    table: tuple[tuple[str, int, int | None], ...] = ()
    splits: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = [f"{'coverage (written emails)':40s} {'count':>7s} {'minimum':>8s}"]
        for key, count, minimum in self.table:
            mark = "" if minimum is None or count >= minimum else "  << below minimum"
            lines.append(f"{key:40s} {count:7d} {'' if minimum is None else minimum:>8}{mark}")
        lines.append("")
        lines.append("splits (written emails): " + ", ".join(f"{k} {v}" for k, v in self.splits.items()))
        lines.append("")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s):")
            lines.extend(f"  - {p}" for p in self.problems[:100])
            if len(self.problems) > 100:
                lines.append(f"  ... and {len(self.problems) - 100} more")
        else:
            lines.append("corpus check passed")
        return "\n".join(lines)


_REQUIRED = ("id", "subject", "body", "sender", "group", "origin", *LABEL_FIELDS)


def check_corpus(data_dir: str | Path, minimums: Mapping[str, int] | None = None) -> CheckReport:
    """Validate schema, labels, duplicates, splits and coverage of the project corpus."""
    minimums = MINIMUMS if minimums is None else minimums
    records = load_corpus(data_dir)
    problems = [p for r in records for p in _record_problems(r)]
    try:
        validate_labels(records, source=str(data_dir))
    except DataError as err:
        problems.append(str(err))
    ids = Counter(r.get("id") for r in records)
    problems.extend(f"duplicate id {i!r} ({n} records)" for i, n in ids.items() if n > 1)
    problems.extend(_mark_problems(Path(data_dir), records))
    written = [r for r in records if r.get("origin") == "written"]
    problems.extend(_near_duplicates(written))
    if any("group" not in r for r in records):
        return CheckReport(problems=tuple(problems))
    splits = assign_splits(records)
    per_split = Counter(splits[r["group"]] for r in written)
    if written and per_split.get("test", 0) < 0.2 * len(written):
        problems.append(f"test split holds {per_split.get('test', 0)} of {len(written)} written "
                        "emails; needs at least 20%")
    cov = coverage(written)
    table = []
    for key in dict.fromkeys([*minimums, "generic", "personalized", "stage:unknown"]):
        table.append((key, cov.get(key, 0), minimums.get(key)))
        if key in minimums and cov.get(key, 0) < minimums[key]:
            problems.append(f"coverage: {key} is {cov.get(key, 0)}, needs at least {minimums[key]}")
    return CheckReport(table=tuple(table), splits={s: per_split.get(s, 0) for s in SPLITS},
                       problems=tuple(problems))


def _mark_problems(data_dir: Path, records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Decision marks that name no record, a sentence its body does not hold,
    or none that matches a sentence as training reads them (training would
    quietly treat that rejection as unmarked)."""
    from ..analyse import default_cue_patterns
    from ..decision import _norm, sentence_targets
    from ..ingest import Email
    from ..model import analyse_emails

    by_id = {r.get("id"): r for r in records}
    problems, marked = [], []
    for rid, sentences in _decision_marks(data_dir).items():
        if rid not in by_id:
            problems.append(f"decisions: {rid!r} is marked, but no record has that id")
            continue
        body = _norm(str(by_id[rid].get("body") or ""))
        missing = [s for s in sentences if _norm(s) not in body]
        problems.extend(f"decisions: {rid!r}: the marked sentence {s[:60]!r} is not in its body"
                        for s in missing)
        if not missing and by_id[rid].get("is_rejection") is True:
            marked.append((rid, sentences))
    emails = [Email(body=str(by_id[rid].get("body") or ""), subject=str(by_id[rid].get("subject") or ""))
              for rid, _ in marked]
    for (rid, sentences), a in zip(marked, analyse_emails(emails, default_cue_patterns())):
        if not (sentence_targets(a, sentences, True) == 1).any():
            problems.append(f"decisions: {rid!r}: no marked sentence matches a sentence of its cleaned "
                            "text (a mark of five words or more, or a whole sentence, does)")
    return problems


def _record_problems(r: Mapping[str, Any]) -> list[str]:
    """What is wrong with one corpus record on its own (fields, origin, tags, label consistency)."""
    where = f"{r.get('_file')}:{r.get('id')}"
    missing = [k for k in _REQUIRED if k not in r]
    if missing:
        return [f"{where}: missing field(s) {', '.join(missing)}"]
    problems = []
    if r["origin"] not in ORIGINS:
        problems.append(f"{where}: origin {r['origin']!r} is not one of {ORIGINS}")
    for k in ("id", "body", "group"):
        if not isinstance(r[k], str) or not r[k].strip():
            problems.append(f"{where}: {k} must be non-empty text")
    for k in ("job_related", "is_rejection"):  # every corpus email says both (labeling guide)
        if not isinstance(r[k], bool):
            problems.append(f"{where}: {k} must be true or false; found {r[k]!r}")
    for k in ("subject", "sender"):
        if k in r and r[k] is not None and not isinstance(r[k], str):
            problems.append(f"{where}: {k} must be text; found {type(r[k]).__name__}")
    unknown = [t for t in r.get("tags") or [] if t not in KNOWN_TAGS]
    if unknown:
        problems.append(f"{where}: unknown tag(s) {unknown}")
    if r["job_related"] is False and r["is_rejection"] is not False:
        problems.append(f"{where}: only job-search mail can be a rejection; "
                        "job_related is false but is_rejection is not")
    if "decision" in r and r["is_rejection"] is not True:
        problems.append(f"{where}: decision sentences are marked but it is not a rejection")
    if r["is_rejection"] is False and (
        r["personalization"] is not None or r["stage"] is not None or r["reasons"] != []
        or r["feedback_offered"] is not False or r["reapply_encouraged"] is not False
    ):
        problems.append(f"{where}: a non-rejection needs personalization/stage null, reasons [] "
                        "and both booleans false")
    if r["is_rejection"] is True and (
        r["personalization"] is None or r["stage"] is None or r["reasons"] is None
        or not isinstance(r["feedback_offered"], bool)
        or not isinstance(r["reapply_encouraged"], bool)
    ):
        problems.append(f"{where}: a rejection needs every label field filled")
    return problems


def _contrastive_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # the two sides of a contrastive pair share their text on purpose
    return a.get("group") == b.get("group") and any(
        str(t).startswith("cp_") for t in (a.get("tags") or []) + (b.get("tags") or []))


def _near_duplicates(records: Sequence[Mapping[str, Any]]) -> list[str]:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    bodies = [r.get("body") or "" for r in records]
    if len(bodies) < 2:
        return []
    X = normalize(CountVectorizer(ngram_range=(1, 2)).fit_transform(bodies).astype(float))
    sim = (X @ X.T).tocoo()
    out = []
    for i, j, s in zip(sim.row, sim.col, sim.data):
        if i < j and s > NEAR_DUPLICATE and not _contrastive_pair(records[i], records[j]):
            kind = "exact duplicate" if bodies[i] == bodies[j] else f"near duplicate ({s:.2f})"
            out.append(f"{kind}: {records[i].get('id')} and {records[j].get('id')}")
    return out
