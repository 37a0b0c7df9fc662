"""Evidence: the sentence that carries each predicted reason (and personal content).

Heads are trained on whole emails; scoring each sentence with the same head
and taking the best one points at the sentence that states the reason,
without needing sentence-level labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .analyse import Analysis
from .labels import DECISION_EVIDENCE, evidence_head
from .scoring import CompiledHeads, CompiledVectorizer

__all__ = ["DECISION", "find_evidence"]

DECISION = DECISION_EVIDENCE  # evidence key of the sentence that states the decision

_MIN_WORDS = 3  # greetings and sign-offs are never evidence


def find_evidence(
    vectorizer: CompiledVectorizer,
    heads: CompiledHeads,
    analyses: Sequence[Analysis],
    wanted: Sequence[Sequence[str]],
    sentences=None,
) -> list[dict[str, str]]:
    """For email i, map each head name in ``wanted[i]`` to its best sentence.

    Head names are reason labels (``"other_candidates"``), ``"personalized"``
    or ``"decision"`` (the decision sentence, when the model has a sentence
    model). Emails with nothing wanted cost nothing.
    ``sentences`` are the sentence rows of all ``analyses`` when the caller
    has them already.
    """
    out: list[dict[str, str]] = [{} for _ in analyses]
    todo = [i for i, w in enumerate(wanted) if w]
    if not todo:
        return out
    subset = [analyses[i] for i in todo]
    if sentences is None:
        X = vectorizer.transform_sentences(subset)
    else:
        offsets = np.cumsum([0] + [len(a.sentences) for a in analyses])
        X = sentences[np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in todo])]
    starts = np.cumsum([0] + [len(a.sentences) for a in subset])
    names = sorted({n for i in todo for n in wanted[i]})
    # The decision sentence is the sentence model's to find, never the is_rejection
    # head's: a model without a sentence model gives no decision evidence.
    scores: dict[str, np.ndarray] = {
        n: heads.head_proba(evidence_head(n), X)
        for n in names if n != DECISION and evidence_head(n) in heads.heads_
    }
    if DECISION in names and vectorizer.decision_coef is not None:
        # the sentence model's own column: the sentence that states the decision
        scores[DECISION] = np.asarray(X[:, vectorizer.decision_column].todense()).ravel()
    texts = [a.sentence_texts() for a in subset]
    # Short sentences (greetings, sign-offs) cannot win, unless an email has
    # nothing else; masked once per batch, so each email costs one argmax per key.
    keep: list[bool] = []
    for sents in texts:
        ok = [len(t.split()) >= _MIN_WORDS for t in sents]
        keep.extend(ok if any(ok) else [True] * len(ok))
    keep_a = np.array(keep, dtype=bool)
    masked = {n: np.where(keep_a, s, -1.0) for n, s in scores.items()}
    for k, i in enumerate(todo):
        sents = texts[k]
        if not sents:
            continue
        lo, hi = starts[k], starts[k + 1]
        for n in wanted[i]:
            if n in masked:
                out[i][n] = sents[int(masked[n][lo:hi].argmax())].strip()
    return out
