"""The last stage: head probabilities in, one Prediction per email out.

Earlier stages (clean → analyse → features → runtime heads) hand over one
:class:`Scores` per batch. Here the tuned thresholds turn probabilities into
labels, the job-mail gate keeps rejections to job mail, heads the model did
not learn come from its base model, and evidence names the sentence behind
each decision. Nothing here reads the email's text again except evidence,
which rescores the sentences of predicted rejections with the head that
made the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .analyse import Analysis
from .clean import has_text
from .evidence import find_evidence
from .ingest import Email
from .labels import DECISION_EVIDENCE, JOB_GATE, REASONS, STAGES, evidence_head, reason_head
from .prediction import Prediction
from .reason_sentences import cap_reasons
from .scoring import CompiledHeads, CompiledVectorizer

__all__ = ["EMPTY_AFTER_CLEANING", "Scorer", "Scores", "borrow", "decide", "score"]

EMPTY_AFTER_CLEANING = (
    "empty body: nothing readable is left after removing HTML, quoted text, signatures "
    "and footers"
)


@dataclass(frozen=True, eq=False)
class Scorer:
    """The runtime that scored some heads, with what it read: evidence rescores
    sentences with the same model (a borrowed head reads the base's features)."""

    vectorizer: CompiledVectorizer
    heads: CompiledHeads
    analyses: Sequence[Analysis]
    sentences: object | None  # sparse sentence rows, when the vectorizer built them


@dataclass(frozen=True, eq=False)
class Scores:
    """Probabilities of every head for a batch, the threshold of each binary
    head (and the job gate), and which model scored each head."""

    proba: Mapping[str, np.ndarray]
    thresholds: Mapping[str, float]
    sources: Mapping[str, Scorer]


# Fewer words than this (subject and body) are never a rejection. The corpus's
# shortest rejection has five words; below that the heads extrapolate from one
# or two words ("not" alone read as a rejection at 1.0, "sorry" at 0.98), and a
# mailbox is full of one-word replies.
MIN_REJECTION_WORDS = 3


def score(vectorizer: CompiledVectorizer, heads: CompiledHeads, analyses: Sequence[Analysis]) -> Scores:
    """Features, then every head of one model."""
    X, S = vectorizer.transform_both(analyses)
    proba = cap_reasons(heads.predict_proba(X), vectorizer.reason_support(X), vectorizer.veto,
                        heads.thresholds_)
    source = Scorer(vectorizer, heads, analyses, S)
    return Scores(proba, dict(heads.thresholds_), dict.fromkeys(proba, source))


def borrow(own: Scores, base: Scores, names: Sequence[str]) -> Scores:
    """``own`` plus the heads ``names`` from the base model, with the base's
    thresholds; borrowing ``job_related`` borrows the base's job gate too."""
    proba, th, sources = dict(own.proba), dict(own.thresholds), dict(own.sources)
    for n in names:
        proba[n], sources[n] = base.proba[n], base.sources[n]
        if n in base.thresholds:  # stage has none: it takes the likeliest
            th[n] = base.thresholds[n]
    if "job_related" in names and JOB_GATE in base.thresholds:
        th[JOB_GATE] = base.thresholds[JOB_GATE]
    return Scores(proba, th, sources)


def decide(emails: Sequence[Email], analyses: Sequence[Analysis], scores: Scores) -> list[Prediction]:
    """One Prediction per email (with an id), from its analysis and its scores."""
    proba, th = scores.proba, scores.thresholds
    n = len(emails)
    job_p = proba.get("job_related")
    # A model without a job_related head (trained before it existed) reads
    # every email as job mail, as it always did.
    is_job = job_p >= th["job_related"] if job_p is not None else np.ones(n, bool)
    rej_p = proba.get("is_rejection")
    is_rej = rej_p >= th["is_rejection"] if rej_p is not None else np.zeros(n, bool)
    n_words = [len(a.tok_ids) for a in analyses]
    is_rej &= np.array(n_words) >= MIN_REJECTION_WORDS
    if job_p is not None:
        # Only job applications can be rejected; and every rejection is job mail.
        is_rej &= job_p >= th.get(JOB_GATE, th["job_related"])
        is_job |= is_rej
    readable = [has_text(a.text) for a in analyses]
    is_rej &= np.array(readable, dtype=bool)
    # Python lists once per batch: indexing numpy arrays one element at a time
    # cost more than the rest of this loop (float() of a list item is the same number).
    cols = _Columns(proba, th)
    rej_rows = is_rej.tolist()
    reasons = [cols.reasons(i) if rej_rows[i] else () for i in range(n)]
    evidence = _evidence(scores, [cols.wanted(i, reasons[i]) if rej_rows[i] else []
                                  for i in range(n)])
    rej_l = None if rej_p is None else rej_p.tolist()
    job_l = None if job_p is None else job_p.tolist()
    is_job_l = is_job.tolist()
    out = []
    for i, (e, a) in enumerate(zip(emails, analyses)):
        if not readable[i]:
            out.append(Prediction.failed(e.id, EMPTY_AFTER_CLEANING))
            continue
        score_ = None if rej_l is None else rej_l[i]
        if score_ is not None and job_l is not None and not is_job_l[i]:
            # Not job mail: the rejection score cannot exceed the chance that it is.
            score_ = min(score_, job_l[i])
        if score_ is not None and n_words[i] < MIN_REJECTION_WORDS:
            # Too short to decide: held under the line, the further the shorter
            # (as a vetoed reason's score is), so score and label agree.
            score_ = min(score_, 0.99 * th["is_rejection"] * n_words[i] / MIN_REJECTION_WORDS)
        common = {
            "id": e.id,
            "rejection_score": None if score_ is None else round(score_, 4),
            "signals": tuple(sorted(a.cue_names() | (a.flags - {"no_named_greeting"}))),
            "job_related": is_job_l[i] if job_l is not None else None,
            "job_related_score": cols.score("job_related", i),
            "language": a.language,
        }
        if not rej_rows[i]:
            out.append(Prediction(is_rejection=False, **common))
            continue
        out.append(Prediction(is_rejection=True, **common, **cols.rejection_fields(i),
                              reasons=reasons[i], evidence=evidence[i]))
    return out


class _Columns:
    """The probabilities of a batch as Python lists, and which pass their threshold."""

    def __init__(self, proba: Mapping[str, np.ndarray], th: Mapping[str, float]) -> None:
        self.values = {k: v.tolist() for k, v in proba.items() if k != "stage"}
        self.passes = {k: (v >= th[k]).tolist() for k, v in proba.items() if k in th}
        self.reason_heads = [(r, reason_head(r)) for r in REASONS if reason_head(r) in proba]
        stage = proba.get("stage")
        self.stage = None if stage is None else stage.tolist()
        self.stage_best = None if stage is None else stage.argmax(axis=1).tolist()

    def reasons(self, i: int) -> tuple[str, ...]:
        return tuple(r for r, h in self.reason_heads if self.passes[h][i])

    def wanted(self, i: int, reasons: tuple[str, ...]) -> list[str]:
        """The evidence keys a rejection asks for: the decision, its reasons, personal content."""
        w = list(reasons)
        if "personalization" in self.passes and self.passes["personalization"][i]:
            w.append("personalized")
        return [DECISION_EVIDENCE, *w]

    def score(self, name: str, i: int) -> float | None:
        return round(self.values[name][i], 4) if name in self.values else None

    def binary(self, name: str, i: int, yes, no):
        if name not in self.values:
            return None
        return yes if self.passes[name][i] else no

    def rejection_fields(self, i: int) -> dict:
        stage = self.stage
        return {
            "personalization": self.binary("personalization", i, "personalized", "generic"),
            "personalization_score": self.score("personalization", i),
            "reason_scores": {r: round(self.values[h][i], 4) for r, h in self.reason_heads},
            "stage": STAGES[self.stage_best[i]] if stage is not None else None,
            "stage_scores": ({s: round(p, 4) for s, p in zip(STAGES, stage[i])}
                             if stage is not None else None),
            "feedback_offered": self.binary("feedback_offered", i, True, False),
            "reapply_encouraged": self.binary("reapply_encouraged", i, True, False),
        }


def _evidence(scores: Scores, wanted: list[list[str]]) -> list[dict[str, str]]:
    """Evidence per email, each key found by the model that scored its head."""
    evidence: list[dict[str, str]] = [{} for _ in wanted]
    for source in dict.fromkeys(scores.sources.values()):
        mine = [[w for w in ws if scores.sources.get(evidence_head(w)) is source] for ws in wanted]
        found = find_evidence(source.vectorizer, source.heads, source.analyses, mine,
                              sentences=source.sentences)
        for i, f in enumerate(found):
            evidence[i].update(f)
    return evidence
