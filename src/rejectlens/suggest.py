"""Which unlabeled emails to label next: uncertain ones, spread across kinds of email.

Uncertainty alone picks fifty copies of one confusing template; each pick
here is weighted by how unlike the emails already picked it is, so one
labeling session covers more of what confuses the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .ingest import Email, EmailLike, to_email
from .labels import REASONS

if TYPE_CHECKING:
    import pandas as pd

    from .model import Classifier

__all__ = ["suggest", "uncertainty"]

_REJECTION_ONLY = ("personalization", "feedback_offered", "reapply_encouraged", "stage",
                   *(f"reason:{r}" for r in REASONS))


def uncertainty(
    proba: dict[str, np.ndarray], thresholds: dict[str, float]
) -> tuple[np.ndarray, list[list[str]]]:
    """Per email, 1 at a decision threshold down to 0 at certainty, taken over
    every head (rejection-only heads weighted by the chance it is a rejection);
    and the heads that are unsure (above 0.5)."""
    n = len(next(iter(proba.values())))
    p_rej = proba.get("is_rejection", np.ones(n))
    scores = {}
    for name, p in proba.items():
        if name == "stage":
            top2 = np.sort(p, axis=1)[:, -2:]
            u = 1.0 - (top2[:, 1] - top2[:, 0])
        else:
            t = thresholds.get(name, 0.5)
            u = 1.0 - np.abs(p - t) / np.where(p >= t, 1.0 - t, t)
        scores[name] = u * p_rej if name in _REJECTION_ONLY else u
    names = list(scores)
    stacked = np.column_stack([scores[k] for k in names])
    unsure = [[names[j] for j in np.flatnonzero(row > 0.5)] for row in stacked]
    return stacked.max(axis=1), unsure


def suggest(model: Classifier, items: Iterable[EmailLike], n: int = 50, pool_factor: int = 5) -> pd.DataFrame:
    """The ``n`` emails worth labeling next, with the model's current labels filled in.

    Returns a DataFrame with ``id, subject, sender, body``, the six label
    columns in the spreadsheet form ``rejectlens train`` reads (booleans as
    true/false, reasons joined by ``;``), ``uncertainty`` and ``unsure_about``.
    """
    import pandas as pd
    import scipy.sparse as sp

    emails: list[Email] = []
    for x in items:
        e = to_email(x)
        if e.error is None and (e.body or e.html or "").strip():
            emails.append(e)
    if not emails or n < 1:
        return pd.DataFrame(columns=_COLUMNS)
    scores, unsure = [], []
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        proba = model.predict_proba(chunk)
        s, u = uncertainty(proba, model.thresholds | {"stage": 0.0})
        scores.append(s)
        unsure += u
    score = np.concatenate(scores)
    pool = np.argsort(-score, kind="stable")[: max(n * pool_factor, n)]
    vectorizer = model.compiled()[0]
    X = vectorizer.transform(model.analyse([emails[i] for i in pool]))
    X = sp.csr_matrix(X)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    X = sp.diags(1 / norms) @ X
    chosen: list[int] = []
    nearest = np.zeros(len(pool))  # highest cosine similarity to anything chosen
    for _ in range(min(n, len(pool))):
        gain = score[pool] * (1.0 - nearest)
        gain[chosen] = -np.inf
        k = int(np.argmax(gain))
        chosen.append(k)
        nearest = np.maximum(nearest, np.asarray((X @ X[k].T).todense()).ravel())
    picked = [emails[pool[k]] for k in chosen]
    preds = list(model.classify_many(picked))
    rows = []
    for k, e, p in zip(chosen, picked, preds):
        i = pool[k]
        rows.append({
            "id": e.id, "subject": e.subject, "sender": e.sender, "body": e.body or e.html,
            "job_related": _flag(p.job_related),
            "is_rejection": _flag(p.is_rejection), "personalization": p.personalization or "",
            "reasons": ";".join(p.reasons or ()), "stage": p.stage or "",
            "feedback_offered": _flag(p.feedback_offered),
            "reapply_encouraged": _flag(p.reapply_encouraged),
            "uncertainty": round(float(score[i]), 3), "unsure_about": ";".join(unsure[i]),
        })
    return pd.DataFrame(rows, columns=_COLUMNS)


def _flag(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


_COLUMNS = ["id", "subject", "sender", "body", "job_related", "is_rejection", "personalization",
            "reasons", "stage", "feedback_offered", "reapply_encouraged", "uncertainty",
            "unsure_about"]

