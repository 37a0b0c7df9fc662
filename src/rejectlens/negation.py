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

It works on the word-token arrays of a batch of :class:`~rejectlens.analyse.Analysis`:
one lookup finds every negation, then a short walk from each one marks the
words of its clause; an email without a negation is returned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
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
_CLAUSE_MARK = re.compile("[" + re.escape(_CLAUSE_MARKS) + "]")
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
    # one lookup over the whole batch; then a short walk from each negation
    ids = np.concatenate([a.tok_ids for a in out])
    is_neg = np.isin(ids, _ids(NEGATIONS))
    if not is_neg.any():
        return out
    is_end = np.isin(ids, _ids(_CLAUSE_WORDS))
    offsets = np.cumsum([0] + [len(a.tok_ids) for a in out])
    at = np.flatnonzero(is_neg)
    owner = np.searchsorted(offsets, at, side="right") - 1
    for e in np.unique(owner).tolist():
        lo, hi = int(offsets[e]), int(offsets[e + 1])
        hits = _walk(out[e], (at[owner == e] - lo).tolist(), is_neg[lo:hi].tolist(), is_end[lo:hi].tolist())
        if hits:
            a = out[e]
            new_ids = a.tok_ids.copy()
            new_ids[hits] ^= _NEGATED_SALT
            out[e] = replace(a, tok_ids=new_ids)
    return out


def _walk(a: Analysis, negations: list[int], is_neg: list[bool], is_end: list[bool]) -> list[int]:
    """Tokens after each negation up to the clause end: a clause word, a new
    sentence, or a clause mark in the text between two words."""
    sent, scope = a.tok_sent.tolist(), a.tok_scope.tolist()
    start, end = a.tok_start.tolist(), a.tok_end.tolist()
    text, n, hits = a.text, len(sent), []
    for j in negations:
        k = j + 1
        while (k < n and not is_neg[k] and not is_end[k] and sent[k] == sent[j]
               and _CLAUSE_MARK.search(text, end[k - 1], start[k]) is None):
            if scope[k] == 0:
                hits.append(k)
            k += 1
    return hits
