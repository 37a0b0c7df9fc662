"""Which unlabeled emails to label next: uncertain ones, spread across kinds of email.

Uncertainty alone picks fifty copies of one confusing template; each pick
here is weighted by how unlike the emails already picked it is, so one
labeling session covers more of what confuses the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from .clean import clean, has_text
from .ingest import Email, EmailLike, to_email, with_id
from .labels import GUESS_SUFFIX, LABEL_FIELDS, REASONS, REJECTION_ONLY_HEADS, STAGES

if TYPE_CHECKING:
    import pandas as pd

    from .model import Classifier

__all__ = ["GUESS_SUFFIX", "sheet_readme", "suggest", "uncertainty"]



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
        scores[name] = u * p_rej if name in REJECTION_ONLY_HEADS else u
    names = list(scores)
    stacked = np.column_stack([scores[k] for k in names])
    unsure = [[names[j] for j in np.flatnonzero(row > 0.5)] for row in stacked]
    return stacked.max(axis=1), unsure


def suggest(model: Classifier, items: Iterable[EmailLike], n: int = 50, pool_factor: int = 5) -> pd.DataFrame:
    """The ``n`` emails worth labeling next, with the model's guesses beside empty answer columns.

    Returns a DataFrame with ``id, subject, sender, body`` (the cleaned text),
    then for every label field the model's guess (``<field>_guess``, in the
    spreadsheet form: booleans as true/false, reasons joined by ``;``, ``none``
    for a rejection without reasons) beside an empty answer column
    (``<field>``), then ``uncertainty`` and ``unsure_about``. Filled in, the
    sheet reads straight back into ``rejectlens train``. An email with no
    text to read (an error row in ``classify``) is left off; how many were is
    ``df.attrs["unreadable"]``. Ids are ``classify``'s, generated ones too.
    """
    import pandas as pd
    import scipy.sparse as sp

    emails: list[Email] = []
    seen: set[object] = set()
    unreadable = 0
    for x in items:
        e = to_email(x)
        # Nothing to read once cleaned ("Sent from my iPhone" alone, an image-only
        # HTML part): no label to give, and train refuses a sheet holding one.
        if e.error is not None or not has_text(clean(e).text):
            unreadable += 1
            continue
        e = with_id(e)
        # one row per email: an export that lists a message twice (or resends one
        # under another id) would ask for it twice
        keys = (e.id, (e.subject, e.body, e.html))
        if not any(k in seen for k in keys):
            seen.update(keys)
            emails.append(e)
    if not emails or n < 1:
        empty = pd.DataFrame(columns=_COLUMNS)
        empty.attrs["unreadable"] = unreadable
        return empty
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
        row = {"id": e.id, "subject": e.subject, "sender": e.sender,
               # what the model reads: HTML turned to text, quoted replies and
               # footers gone; never the raw HTML of an HTML-only message
               "body": clean(e).text}
        guesses = {
            "job_related": _flag(p.job_related), "is_rejection": _flag(p.is_rejection),
            "personalization": p.personalization or "",
            # "none" is a rejection that gives no reason; empty means "no answer"
            "reasons": (";".join(p.reasons) or "none") if p.is_rejection else "",
            "stage": p.stage or "", "feedback_offered": _flag(p.feedback_offered),
            "reapply_encouraged": _flag(p.reapply_encouraged),
        }
        for field in LABEL_FIELDS:
            row[f"{field}{GUESS_SUFFIX}"] = guesses[field]
            row[field] = ""  # the answer column, left for the person labelling
        row.update(uncertainty=round(float(score[i]), 3), unsure_about=";".join(unsure[i]))
        rows.append(row)
    sheet = pd.DataFrame(rows, columns=_COLUMNS)
    sheet.attrs["unreadable"] = unreadable
    return sheet


def _flag(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


_COLUMNS = ["id", "subject", "sender", "body",
            *(c for f in LABEL_FIELDS for c in (f"{f}{GUESS_SUFFIX}", f)),
            "uncertainty", "unsure_about"]


def sheet_readme(sheet_name: str) -> str:
    """The companion text ``rejectlens suggest`` writes beside a label sheet."""
    return f"""How to fill {sheet_name}
{"=" * (12 + len(sheet_name))}

Each row is one email. Read `subject` and `body` (the text the model reads:
HTML turned into text, quoted replies, signatures and footers removed), then
fill the answer columns. The `*_guess` column left of each answer is what the
model says now: copy it when it is right. An empty answer cell means "not
labelled" and is skipped; you can answer only some columns.

Answer columns and allowed values (labeling guide: docs/labeling-guide.md in the project):

  job_related         true | false   part of your own job search?
  is_rejection        true | false   says this application will not go further?
  personalization     generic | personalized          (rejections only)
  reasons             one or more of {", ".join(REASONS)},
                      separated by ;  -- or none for a rejection that gives no
                      reason                           (rejections only)
  stage               {" | ".join(STAGES)}     (rejections only)
  feedback_offered    true | false                     (rejections only)
  reapply_encouraged  true | false                     (rejections only)

true/false also accept yes/no and 1/0. Leave the rejection-only columns empty
for an email that is not a rejection. `uncertainty` (1 = the model is torn)
and `unsure_about` (the heads it is unsure of) are for reading only.

Then train on top of the bundled model (nothing else to edit):

  rejectlens train {sheet_name} -o my_model
"""
