"""Negation scope for the sentence models: a word after "not" is another word.

The decision and near-miss models (:mod:`rejectlens.decision`) read one
sentence at a time, and a bag of words cannot tell "we will not take your
application further" from "we will take your application further next week":
both hold "take", "application" and "further", and "not" is one more word that
most sentences of both kinds contain. Here every word after a negation, up to
the end of its clause, becomes its own term ("not" + "take" -> ``take`` salted
as negated), so the sentence models can learn that the plain "continue with
your application" keeps a candidate while the negated one releases them.

Only the sentence models read these terms. The email-level heads keep the
plain words: measured on the whole email (run N in docs/decisions.md), a
general negation scope split "not moving forward" from "moving forward",
which the heads had read as one signal, and cost them more than it gave.

It works on the word-token arrays of a whole batch of
:class:`~rejectlens.analyse.Analysis` at once (numpy over the tokens of the
emails that hold a negation, end to end); an email without a negation is
returned as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from .analyse import Analysis
from .tokens import SCOPE_SALT

__all__ = ["NEGATIONS", "negated"]

NEGATIONS: tuple[str, ...] = ("not", "n't", "n\u2019t", "never", "no", "nothing", "nor", "unable", "cannot")
# A clause ends at punctuation between two words, at a new sentence, or at one
# of these words ("... on hold, but we are not releasing anyone" keeps "on hold"
# plain and negates "releasing anyone").
_CLAUSE_WORDS = ("but", "however", "so", "although", "though", "while", "because", "until",
                 "unless", "if", "and", "or", "as")
_CLAUSE_MARKS = ",;:()[]-–—.!?\n"
_MARK_TABLE = np.zeros(max(map(ord, _CLAUSE_MARKS)) + 2, dtype=np.int64)  # last slot: any other character
_MARK_TABLE[[ord(c) for c in _CLAUSE_MARKS]] = 1
_NEGATED_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


@cache
def _ids(words: tuple[str, ...]) -> np.ndarray:
    # every scope's salted form: a negation inside an "if" clause still negates
    from spacy.strings import hash_string

    plain = np.array([hash_string(w) for w in words], dtype=np.uint64)
    return np.unique(np.concatenate([plain ^ salt for salt in SCOPE_SALT]))


def negated(analyses: Sequence[Analysis]) -> list[Analysis]:
    """The analyses with every unscoped word that follows a negation in its
    clause re-salted as a negated term (the negation itself stays plain)."""
    out = list(analyses)
    if not out:
        return out
    n_tok = [len(a.tok_ids) for a in out]
    all_ids = np.concatenate([a.tok_ids for a in out])
    hit = np.isin(all_ids, _ids(NEGATIONS))
    if not hit.any():
        return out
    email = np.repeat(np.arange(len(out)), n_tok)
    holds = np.zeros(len(out), dtype=bool)
    holds[email[hit]] = True
    has = np.flatnonzero(holds).tolist()
    sub = [out[e] for e in has]
    keep = holds[email]
    ids = all_ids[keep]
    inside, owner = _inside(sub, ids, hit[keep])
    salted = np.where(inside, ids ^ _NEGATED_SALT, ids)
    offsets = np.cumsum([0] + [len(a.tok_ids) for a in sub]).tolist()
    for k in np.unique(owner[inside]).tolist():
        out[has[k]] = _with_ids(sub[k], salted[offsets[k]:offsets[k + 1]])
    return out


def _with_ids(a: Analysis, ids: np.ndarray) -> Analysis:
    # dataclasses.replace re-runs __init__ through getattr on every field: a
    # quarter of this stage's time. The copy shares every other field.
    new = object.__new__(Analysis)
    new.__dict__.update(a.__dict__)
    new.__dict__["tok_ids"] = ids
    return new


def _inside(sub: list[Analysis], ids: np.ndarray, is_neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is the token negated, which email it belongs to) over the tokens
    ``ids`` of ``sub`` end to end (``is_neg`` marks the negations): a token is
    negated when a negation precedes it in its clause. A clause ends at a
    clause word, a new sentence, a new email, or a clause mark in the text
    between two words."""
    owner = np.repeat(np.arange(len(sub)), [len(a.tok_ids) for a in sub])
    # every clause mark of the batch's texts, counted up to each character
    texts = [a.text for a in sub]
    text_at = np.concatenate([[0], np.cumsum([len(t) + 1 for t in texts])[:-1]])[owner]
    # surrogatepass: a lone surrogate is one code point here as in the str offsets
    chars = np.frombuffer("\0".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    seen = np.concatenate([[0], np.cumsum(_MARK_TABLE[np.minimum(chars, len(_MARK_TABLE) - 1)])])
    start = np.concatenate([a.tok_start for a in sub]) + text_at
    end = np.concatenate([a.tok_end for a in sub]) + text_at
    sent = np.concatenate([a.tok_sent for a in sub])
    boundary = np.isin(ids, _ids(_CLAUSE_WORDS))
    boundary[0] = True
    boundary[1:] |= ((owner[1:] != owner[:-1]) | (sent[1:] != sent[:-1])
                     | (seen[start[1:]] > seen[end[:-1]]))
    idx = np.arange(len(ids))
    clause_start = np.maximum.accumulate(np.where(boundary, idx, 0))
    last_neg = np.maximum.accumulate(np.where(is_neg, idx, -1))
    before = np.concatenate([[-1], last_neg[:-1]])
    scope = np.concatenate([a.tok_scope for a in sub])
    return (before >= clause_start) & (scope == 0) & ~is_neg, owner
