"""Sublinear TF-IDF rows of analysed emails, by email or by sentence, in numpy.

The runtime's arithmetic (:class:`~rejectlens.scoring.CompiledVectorizer`) and
the training-time :class:`~rejectlens.features.TokenTfidf` both call these, so a
model scores the same before and after it is saved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .analyse import Analysis
from .batch_rows import TermIndex, bigrams, term_hits

__all__ = ["l2_normalize_rows", "tfidf_both", "tfidf_matrix", "token_terms"]


def token_terms(a: Analysis, ngram_range: Sequence[int], by_sentence: bool = False):
    """(term ids, index of each term's first token) for one email."""
    ids = a.tok_ids
    parts = [ids] if ngram_range[0] <= 1 else []
    where = [np.arange(len(ids))] if parts else []
    if ngram_range[1] >= 2 and len(ids) > 1:
        pair = np.arange(len(ids) - 1)
        if by_sentence:
            pair = pair[a.tok_sent[:-1] == a.tok_sent[1:]]
        parts.append(bigrams(ids)[pair])
        where.append(pair)
    if not parts:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(parts), np.concatenate(where)


def _weighted(rows, cols, n_rows: int, idf: np.ndarray) -> sp.csr_matrix:
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, len(idf)))
    M.sum_duplicates()
    M.data = (1.0 + np.log(M.data)) * idf[M.indices]
    return l2_normalize_rows(M)


def tfidf_both(X: Sequence[Analysis], vocab: np.ndarray | TermIndex, idf: np.ndarray,
               ngram_range: Sequence[int]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``tfidf_matrix`` by email and by sentence from one pass over the terms."""
    h = term_hits(X, vocab, ngram_range)
    inside = h.in_sentence
    return (_weighted(h.email_rows, h.cols, len(X), idf),
            _weighted(h.sentence_rows[inside], h.cols[inside], h.n_sentences, idf))


def l2_normalize_rows(M: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    M.data /= np.repeat(norms, np.diff(M.indptr))
    return M


def tfidf_matrix(X: Sequence[Analysis], vocab: np.ndarray | TermIndex, idf: np.ndarray,
                 ngram_range: Sequence[int], by_sentence: bool) -> sp.csr_matrix:
    """Sublinear TF-IDF, L2 rows: one row per email, or per sentence (a bigram
    only where both its tokens are in the sentence)."""
    h = term_hits(X, vocab, ngram_range)
    if by_sentence:
        inside = h.in_sentence
        return _weighted(h.sentence_rows[inside], h.cols[inside], h.n_sentences, idf)
    return _weighted(h.email_rows, h.cols, len(X), idf)


