"""Labeled data: read records, validate labels, the project corpus, splits and coverage."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError
from .labels import BOOL_FIELDS, LABEL_FIELDS, PERSONALIZATION, REASONS, STAGES

__all__ = [
    "CheckReport",
    "assign_splits",
    "bundled_corpus",
    "check_corpus",
    "coverage",
    "data_hash",
    "load_corpus",
    "missing_as_none",
    "read_records",
    "split_records",
    "validate_labels",
]

HARD_NEGATIVE_TAGS: tuple[str, ...] = (
    "hn_ack_cant_reply",
    "hn_still_reviewing",
    "hn_on_hold_in_consideration",
    "hn_interview_regret_wording",
    "hn_assessment_invite",
    "hn_offer",
    "hn_recruiter_outreach",
    "hn_alert_newsletter",
    "hn_withdrawal_confirmed",
    "hn_new_invite_old_rejection_quoted",
)
SPECIAL_REJECTION_TAGS: tuple[str, ...] = (
    "sp_other_role_interview",
    "sp_offer_withdrawn",
    "sp_forwarded",
    "sp_unfilled_merge",
)
# Kinds of the second wave (real-mail shapes): non-job mail (nj_), refusals of
# applications that are not jobs (nr_), other replies to such applications
# (na_), job mail that is not a rejection (jn_), rejection shapes (rj_), and
# the applicant-tracking system an email imitates (ats_).
NON_JOB_TAGS: tuple[str, ...] = (
    "nj_bank_alert", "nj_card_alert", "nj_receipt", "nj_bill", "nj_shipping", "nj_travel",
    "nj_marketing", "nj_subscription", "nj_security", "nj_utilities_insurance", "nj_marketplace",
    "nj_newsletter_career", "nj_newsletter_tech", "nj_newsletter_news", "nj_newsletter_hobby",
    "nj_social", "nj_code_hosting", "nj_school", "nj_health", "nj_government",
    "nj_friends_family", "nj_work_internal", "nj_community", "nj_events",
)
NON_JOB_REFUSAL_TAGS: tuple[str, ...] = (
    "nr_rental", "nr_sublet_flatshare", "nr_admission", "nr_scholarship", "nr_loan",
    "nr_credit_card", "nr_mortgage", "nr_refund", "nr_insurance_claim", "nr_warranty", "nr_paper",
    "nr_talk", "nr_grant", "nr_visa", "nr_membership_waitlist", "nr_event_ticket", "nr_adoption",
    "nr_school_place",
)
NON_JOB_APPLICATION_TAGS: tuple[str, ...] = ("na_ack", "na_accept", "na_pending")
JOB_NON_REJECTION_TAGS: tuple[str, ...] = (
    "jn_ats_ack", "jn_status_notice", "jn_account_notice", "jn_interview_scheduling",
    "jn_interview_reschedule", "jn_assessment_invite", "jn_offer", "jn_reference_check",
    "jn_recruiter_outreach", "jn_job_alert", "jn_next_steps", "jn_candidate_written",
    "jn_old_rejection_quoted", "jn_plain_ack",
)
REJECTION_SHAPE_TAGS: tuple[str, ...] = (
    "rj_forwarded_comment", "rj_quoted_thread", "rj_feedback_reply", "rj_terse", "rj_plain_ats",
    "rj_long_personal", "rj_non_native", "rj_ats_knockout", "rj_informal", "rj_warm_generic",
    "rj_warm_personal",
)
# Contrastive pairs: two emails that share their text and differ in the few
# words that flip a label (decision vs condition, employer vs candidate, ...).
CONTRASTIVE_PAIR_TAGS: tuple[str, ...] = (
    "cp_condition", "cp_candidate", "cp_quoted", "cp_nonjob", "cp_negated", "cp_promise", "cp_hold",
)
ATS_STYLE_TAGS: tuple[str, ...] = tuple(
    f"ats_{n}" for n in ("workday", "greenhouse", "lever", "icims", "taleo", "smartrecruiters",
                         "successfactors", "ashby", "personio", "linkedin", "indeed")
)
KNOWN_TAGS: frozenset[str] = frozenset(
    HARD_NEGATIVE_TAGS + SPECIAL_REJECTION_TAGS + NON_JOB_TAGS + NON_JOB_REFUSAL_TAGS
    + NON_JOB_APPLICATION_TAGS + JOB_NON_REJECTION_TAGS + REJECTION_SHAPE_TAGS + ATS_STYLE_TAGS
    + CONTRASTIVE_PAIR_TAGS
)
ORIGINS = ("written", "composed")
SPLITS = ("train", "dev", "test")
TEST_SHARE = 0.22
DEV_SHARE = 0.12
NEAR_DUPLICATE = 0.9
# A reasons cell holding this word: a rejection that states no reason.
NO_REASON = "none"

# Coverage minimums of the corpus issue, counted over written emails only.
MINIMUMS: dict[str, int] = {
    "emails": 1200,
    "rejections": 700,
    "non_rejections": 500,
    "personalized": 250,
    **{f"reason:{r}": 40 for r in REASONS},
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


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read labeled or unlabeled records from a JSONL, CSV/TSV or Parquet file.

    Spreadsheet cells are text: ``true``/``1``/``yes`` for booleans, reasons
    separated by ``;`` (or a JSON list), and an empty cell means "not labelled".
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"expected a .jsonl, .csv or .parquet file; {path} does not exist or is not a file"
        )
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        out = []
        with path.open(encoding="utf-8-sig") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as err:
                    raise DataError(f"{path} line {n}: not valid JSON ({err})") from None
                if not isinstance(rec, dict):
                    raise DataError(f"{path} line {n}: expected a JSON object, found {type(rec).__name__}")
                out.append(rec)
        return out
    if suffix in (".csv", ".tsv"):
        from .errors import InputError
        from .readers import csv_rows
        from .writers import unneutralise_cell

        records = []
        try:
            for where, rec, error in csv_rows(path, "\t" if suffix == ".tsv" else ","):
                if error is not None:
                    raise DataError(error)
                # Undo the ' that our CSV writers put before formula-like cells.
                rec = {k: unneutralise_cell(v) for k, v in rec.items()}
                _coerce_csv_labels(rec, where)
                records.append(rec)
        except InputError as err:
            raise DataError(str(err)) from None
        return records
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            from .errors import MissingDependencyError

            raise MissingDependencyError("pyarrow", "parquet", "Reading Parquet files") from None
        import pandas as pd

        records = pd.read_parquet(path).to_dict("records")
        for n, rec in enumerate(records, 1):
            for key, value in list(rec.items()):
                if hasattr(value, "tolist"):  # numpy arrays from list columns
                    rec[key] = value.tolist()
                elif isinstance(value, float) and value != value:
                    rec[key] = None
            _coerce_csv_labels(rec, f"{path} row {n}", only_text=True)
        return records
    raise DataError(
        f"{path}: unknown file type '{suffix}'; expected .jsonl, .json, .csv, .tsv or .parquet"
    )


def _coerce_csv_labels(rec: dict[str, Any], where: str, only_text: bool = False) -> None:
    # Spreadsheet cells are text: "true"/"1", "a;b" or a JSON list for reasons,
    # and an empty cell means "not labelled".
    text_keys = {k for k, v in rec.items() if isinstance(v, str)} if only_text else set(rec)
    for key in BOOL_FIELDS:
        if key in rec and key in text_keys:
            v = str(rec[key]).strip().lower()
            rec[key] = None if v == "" else {"true": True, "1": True, "yes": True,
                                             "false": False, "0": False, "no": False}.get(v, rec[key])
    for key in ("personalization", "stage"):
        if key in rec and key in text_keys:
            v = str(rec[key]).strip()
            rec[key] = None if v == "" else v
    if "reasons" in rec and "reasons" in text_keys:
        v = str(rec["reasons"]).strip()
        if v == "":
            rec["reasons"] = None
        elif v.lower() == NO_REASON:
            rec["reasons"] = []  # a rejection that gives no reason (empty = not labelled)
        elif v.startswith("["):
            try:
                rec["reasons"] = json.loads(v)
            except ValueError:
                raise DataError(
                    f"{where}: reasons cell {v!r} is not a JSON list; write it as "
                    '["a", "b"] or as a;b'
                ) from None
        else:
            rec["reasons"] = [p.strip() for p in v.replace(",", ";").split(";") if p.strip()]


def missing_as_none(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` whose unlabelled fields (NaN from pandas, "") are None."""
    out = dict(record)
    for key in LABEL_FIELDS:
        v = out.get(key)
        if (isinstance(v, float) and math.isnan(v)) or v == "":
            out[key] = None
    return out


def validate_labels(records: Sequence[Mapping[str, Any]], source: str = "the records") -> None:
    """Raise DataError listing every record whose labels fall outside the schema."""
    allowed = {
        "job_related": "true or false",
        "is_rejection": "true or false",
        "personalization": " | ".join(PERSONALIZATION),
        "reasons": "a list drawn from " + ", ".join(REASONS)
                   + f" (in a sheet: separated by ;, or {NO_REASON} for a rejection without reasons)",
        "stage": " | ".join(STAGES),
        "feedback_offered": "true or false",
        "reapply_encouraged": "true or false",
    }
    bad: dict[str, list[str]] = {}
    for n, rec in enumerate(records):
        # Name the row by its id and its place (row 1 = the first record, the
        # line under a sheet's header), so it can be found either way.
        rid = f"{rec['id']} (row {n + 1}" if rec.get("id") else f"row {n + 1} ("
        sep = ", " if rec.get("id") else ""
        if not isinstance(rec.get("body"), str):
            bad.setdefault("body", []).append(f"{rid}{sep}found {type(rec.get('body')).__name__})")
        for key in LABEL_FIELDS:
            v = rec.get(key)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            ok = {
                "job_related": isinstance(v, bool),
                "is_rejection": isinstance(v, bool),
                "feedback_offered": isinstance(v, bool),
                "reapply_encouraged": isinstance(v, bool),
                "personalization": v in PERSONALIZATION,
                "stage": v in STAGES,
                "reasons": isinstance(v, list) and all(r in REASONS for r in v),
            }[key]
            if not ok:
                bad.setdefault(key, []).append(f"{rid}{sep}found {v!r})")
    if bad:
        lines = [f"{source}: labels outside the schema:"]
        for key, rows in bad.items():
            expected = allowed.get(key, "text")
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            lines.append(f"  {key}: expected {expected}; offending: {', '.join(rows[:10])}{more}")
        raise DataError("\n".join(lines))


def load_corpus(data_dir: str | Path) -> list[dict[str, Any]]:
    """All records under ``data_dir/written`` and ``data_dir/composed``, in file order."""
    data_dir = Path(data_dir)
    files = sorted((data_dir / "written").glob("*.jsonl")) + sorted(
        (data_dir / "composed").glob("*.jsonl")
    )
    if not files:
        raise DataError(
            f"no corpus found: expected JSONL files in {data_dir}/written/ (and optionally "
            f"{data_dir}/composed/)"
        )
    out: list[dict[str, Any]] = []
    for f in files:
        for rec in read_records(f):
            rec.setdefault("_file", f.name)
            out.append(rec)
    marks = _decision_marks(data_dir)
    for rec in out:
        if rec.get("id") in marks and "decision" not in rec:
            rec["decision"] = marks[rec["id"]]
    return out


def _decision_marks(data_dir: Path) -> dict[str, list[str]]:
    """Marked decision sentences (``data/decisions/*.jsonl``): id -> sentences."""
    marks: dict[str, list[str]] = {}
    for f in sorted((data_dir / "decisions").glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                marks[str(d["id"])] = [str(x) for x in d["decision"]]
            except (ValueError, KeyError, TypeError) as err:
                raise DataError(f"{f}:{n}: expected {{\"id\": ..., \"decision\": [...]}}; {err}") from None
    return marks


def bundled_corpus() -> list[dict[str, Any]]:
    """The train and dev splits of the project corpus shipped with the package."""
    from importlib import resources

    packaged = Path(str(resources.files("rejectlens"))) / "_corpus"
    source_tree = Path(__file__).resolve().parents[2] / "data"
    for d in (packaged, source_tree):
        if (d / "written").is_dir():
            corpus = load_corpus(d)
            return [
                {k: v for k, v in r.items() if not k.startswith("_")}
                for r in split_records(corpus, "train") + split_records(corpus, "dev")
            ]
    raise DataError(f"the bundled corpus was not found (looked in {packaged} and {source_tree})")


def _group_hash(group: str) -> str:
    return hashlib.sha256(group.encode("utf-8")).hexdigest()


def assign_splits(records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Deterministic split by group: returns group -> "train" | "dev" | "test".

    Groups are ordered by a hash of their name and dealt to test until it
    holds >= 22% of written emails, then to dev until >= 12%; composed-only
    groups always train.
    """
    written = Counter(r["group"] for r in records if r.get("origin") == "written")
    total = sum(written.values())
    out = {g: "train" for g in {r["group"] for r in records}}
    filled = {"test": 0, "dev": 0}
    for g in sorted(written, key=_group_hash):
        if filled["test"] < TEST_SHARE * total:
            out[g] = "test"
            filled["test"] += written[g]
        elif filled["dev"] < DEV_SHARE * total:
            out[g] = "dev"
            filled["dev"] += written[g]
    return out


def split_records(records: Sequence[Mapping[str, Any]], split: str) -> list[Mapping[str, Any]]:
    """The records of one split; composed records only ever appear in train."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    splits = assign_splits(records)
    return [
        r for r in records
        if splits[r["group"]] == split and (split == "train" or r.get("origin") == "written")
    ]


def data_hash(records: Iterable[Mapping[str, Any]]) -> str:
    """sha256 over the canonical JSON of the records (order matters)."""
    h = hashlib.sha256()
    for r in records:
        clean = {k: v for k, v in r.items() if not k.startswith("_")}
        h.update(json.dumps(clean, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


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
                c[f"reason:{reason}"] += 1
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


@dataclass
class CheckReport:
    """What ``rejectlens data check`` found."""

    table: list[tuple[str, int, int | None]] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

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
    report = CheckReport()
    records = load_corpus(data_dir)
    problems = report.problems
    for r in records:
        where = f"{r.get('_file')}:{r.get('id')}"
        missing = [k for k in _REQUIRED if k not in r]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if r["origin"] not in ORIGINS:
            problems.append(f"{where}: origin {r['origin']!r} is not one of {ORIGINS}")
        for k in ("id", "body", "group"):
            if not isinstance(r[k], str) or not r[k].strip():
                problems.append(f"{where}: {k} must be non-empty text")
        tags = r.get("tags") or []
        unknown = [t for t in tags if t not in KNOWN_TAGS]
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
    try:
        validate_labels(records, source=str(data_dir))
    except DataError as err:
        problems.append(str(err))
    ids = Counter(r.get("id") for r in records)
    problems.extend(f"duplicate id {i!r} ({n} records)" for i, n in ids.items() if n > 1)
    written = [r for r in records if r.get("origin") == "written"]
    problems.extend(_near_duplicates(written))
    if any("group" not in r for r in records):
        return report
    splits = assign_splits(records)
    per_split = Counter(splits[r["group"]] for r in written)
    report.splits = {s: per_split.get(s, 0) for s in SPLITS}
    if written and per_split.get("test", 0) < 0.2 * len(written):
        problems.append(f"test split holds {per_split.get('test', 0)} of {len(written)} written "
                        "emails; needs at least 20%")
    cov = coverage(written)
    keys = list(dict.fromkeys([*minimums, "generic", "personalized", "stage:unknown"]))
    for key in keys:
        report.table.append((key, cov.get(key, 0), minimums.get(key)))
        if key in minimums and cov.get(key, 0) < minimums[key]:
            problems.append(f"coverage: {key} is {cov.get(key, 0)}, needs at least {minimums[key]}")
    return report


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
