"""Sparse feature rows of a whole batch, from arrays concatenated once.

The per-email loops these replace (one ``searchsorted`` per email, one
``fromiter`` per email's sentences) cost more in Python overhead than in
arithmetic at ~130 tokens an email. Here every email's tokens, sentences and
cues go into flat arrays first, and each step runs once per batch. The
matrices are the very ones the per-email code built (same entries, same
canonical CSR layout), which tests check on arbitrary batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .analyse import Analysis

__all__ = ["TermHits", "TermIndex", "bigrams", "cue_items", "cue_matrix", "cue_sentence_cells",
           "cue_sentence_matrix", "term_hits"]

_BIGRAM_MUL = np.uint64(0x9E3779B97F4A7C15)
_BIGRAM_ADD = np.uint64(0x632BE59BD9B4E019)
_EMAIL_SHIFT = 32  # char offsets stay far below 2**32 (bodies are cut at 50,000 chars)


def bigrams(ids: np.ndarray) -> np.ndarray:
    """A hash per pair of neighbouring token ids (uint64 arithmetic wraps on purpose)."""
    with np.errstate(over="ignore"):
        return (ids[:-1] * _BIGRAM_MUL) ^ (ids[1:] + _BIGRAM_ADD)


class TermIndex:
    """Term id -> vocabulary column, as an open-addressing hash table in numpy.

    A binary search of the ~50,000 sorted vocabulary ids misses the cache at
    most of its 16 steps; one multiplicative hash lands on the slot at once
    (a quarter of the slots are used, so few terms probe twice). Gives
    exactly what ``searchsorted`` over the sorted vocabulary gives: the column
    of a known term (its first one, were ids repeated), or -1.
    """

    def __init__(self, vocab: np.ndarray) -> None:
        keys, cols = np.unique(vocab, return_index=True)
        bits = max(4, int(np.ceil(np.log2(4 * max(len(keys), 1)))))
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys, self._cols = keys, cols.astype(np.int64)
        table = np.full(1 << bits, -1, np.int32)
        pending, slot = np.arange(len(keys)), self._slot(keys)
        while len(pending):
            free = pending[table[slot[pending]] < 0]
            # one key per free slot (the first): the others probe on
            _, first = np.unique(slot[free], return_index=True)
            table[slot[free[first]]] = free[first]
            pending = np.setdiff1d(pending, free[first], assume_unique=True)
            slot[pending] = (slot[pending] + 1) & self._mask
        self._table = table

    def _slot(self, terms: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((terms * _BIGRAM_MUL) >> self._shift).astype(np.int64)

    def columns(self, terms: np.ndarray) -> np.ndarray:
        """The column of each term, -1 where the vocabulary lacks it."""
        out = np.full(len(terms), -1, np.int64)
        todo, slot = np.arange(len(terms)), self._slot(terms)
        while len(todo):
            idx = self._table[slot]
            used = idx >= 0
            found = used.copy()
            found[used] = self._keys[idx[used]] == terms[todo[used]]
            out[todo[found]] = self._cols[idx[found]]
            probe = used & ~found
            todo, slot = todo[probe], (slot[probe] + 1) & self._mask
        return out


@dataclass(frozen=True)
class TermHits:
    """Vocabulary columns of a batch's terms, with the email row and the
    sentence row (counted over the whole batch) of each; ``in_sentence``
    marks the terms whose tokens all lie in one sentence."""

    cols: np.ndarray
    email_rows: np.ndarray
    sentence_rows: np.ndarray
    in_sentence: np.ndarray
    n_sentences: int


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def term_hits(X: Sequence[Analysis], vocab: np.ndarray | TermIndex,
              ngram_range: Sequence[int]) -> TermHits:
    """Every unigram and/or bigram of every email found in ``vocab`` (sorted ids,
    or their :class:`TermIndex`)."""
    n_tok = np.fromiter((len(a.tok_ids) for a in X), np.int64, len(X))
    n_sent = np.fromiter((len(a.sentences) for a in X), np.int64, len(X))
    sent_base = np.cumsum(n_sent) - n_sent
    ids = _cat([a.tok_ids for a in X], np.uint64)
    tok_email = np.repeat(np.arange(len(X)), n_tok)
    tok_sent = _cat([a.tok_sent for a in X], np.int64) + np.repeat(sent_base, n_tok)
    terms, first, is_uni = [], [], []
    if ngram_range[0] <= 1:
        terms.append(ids)
        first.append(np.arange(len(ids)))
        is_uni.append(np.ones(len(ids), bool))
    if ngram_range[1] >= 2 and len(ids) > 1:
        # pairs that straddle two emails are hashed too, then dropped
        pair = np.flatnonzero(tok_email[:-1] == tok_email[1:])
        terms.append(bigrams(ids)[pair])
        first.append(pair)
        is_uni.append(np.zeros(len(pair), bool))
    all_terms = _cat(terms, np.uint64)
    if isinstance(vocab, TermIndex):
        pos = vocab.columns(all_terms)
        hit = pos >= 0
    elif len(vocab):
        pos = np.minimum(np.searchsorted(vocab, all_terms), len(vocab) - 1)
        hit = vocab[pos] == all_terms
    else:
        pos, hit = np.zeros(len(all_terms), np.int64), np.zeros(len(all_terms), bool)
    where = _cat(first, np.int64)[hit]
    uni = _cat(is_uni, bool)[hit]
    # a bigram belongs to a sentence row only when both its tokens do
    nxt = np.minimum(where + 1, len(ids) - 1)
    inside = uni | (tok_sent[where] == tok_sent[nxt])
    return TermHits(pos[hit], tok_email[where], tok_sent[where], inside, int(n_sent.sum()))


def cue_sentence_cells(X: Sequence[Analysis],
                       cue_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, int]:
    """(sentence rows, cue cols, number of sentences) of every known cue that
    lies inside one sentence, the sentences counted over the whole batch."""
    # comprehensions, not append loops: this walks every sentence and cue of the batch
    bounds = np.array([x for a in X for pair in a.sentences for x in pair], np.int64).reshape(-1, 2)
    n_per = np.fromiter((len(a.sentences) for a in X), np.int64, len(X))
    known = [(e, j, s, t) for e, a in enumerate(X) if a.sentences
             for label, s, t in a.cues if (j := cue_index.get(label)) is not None]
    n_sent = len(bounds)
    if not known:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), n_sent
    c = np.array(known, np.int64)
    # Offsets keyed by email, so one searchsorted serves the whole batch and a
    # cue can only land in a sentence of its own email.
    s_email = np.repeat(np.arange(len(X)), n_per)
    key = (s_email << _EMAIL_SHIFT) + bounds[:, 0]
    ce = c[:, 0]
    k = np.searchsorted(key, (ce << _EMAIL_SHIFT) + c[:, 2], side="right") - 1
    k0 = np.maximum(k, 0)
    ok = (k >= 0) & (s_email[k0] == ce) & (c[:, 3] <= bounds[k0, 1])
    return k[ok], c[ok, 1], n_sent


# ---- cues -------------------------------------------------------------------------
Cue = tuple[str, int, int]


def cue_items(X: Sequence[Analysis]) -> list[tuple[Sequence[Cue], frozenset[str]]]:
    return [(a.cues, a.flags) for a in X]


def cue_sentence_matrix(X: Sequence[Analysis], cue_names: Sequence[str], n_flags: int,
                        cap: int) -> sp.csr_matrix:
    """Capped cue counts of every sentence, scaled like ``cue_matrix``; flags
    describe emails, so their columns stay 0. One pass over the whole batch:
    this runs on every sentence of every email."""
    rows, cols, offset = cue_sentence_cells(X, {n: i for i, n in enumerate(cue_names)})
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(offset, len(cue_names) + n_flags))
    M.sum_duplicates()
    M.data = np.minimum(M.data, cap) / cap
    return M


def cue_matrix(items, cue_names: Sequence[str], flag_names: Sequence[str], cap: int) -> sp.csr_matrix:
    """Capped cue counts scaled to [0, 1], then 0/1 flags."""
    n_cues = len(cue_names)
    n_cols = n_cues + len(flag_names)
    cue_index = {n: i for i, n in enumerate(cue_names)}
    flag_index = {n: n_cues + i for i, n in enumerate(flag_names)}
    # comprehensions and one np.unique, not a dict of counts per email
    cues = np.array([r * n_cols + j for r, (cues, _) in enumerate(items)
                     for label, _, _ in cues if (j := cue_index.get(label)) is not None], np.int64)
    cells, counts = np.unique(cues, return_counts=True)
    flags = np.array([(r, j) for r, (_, fl) in enumerate(items)
                      for f in fl if (j := flag_index.get(f)) is not None], np.int64).reshape(-1, 2)
    rows = np.concatenate([cells // n_cols, flags[:, 0]])
    cols = np.concatenate([cells % n_cols, flags[:, 1]])
    vals = np.concatenate([np.minimum(counts, cap) / cap, np.ones(len(flags))])
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(items), n_cols), dtype=np.float64)
