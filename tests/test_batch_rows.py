"""The batch-at-once sparse rows equal the per-email ones they replaced, cell for cell."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.analyse import Analysis
from rejectlens.batch_rows import TermIndex, bigrams, cue_items, cue_matrix, cue_sentence_matrix
from rejectlens.tfidf import _weighted, tfidf_both, tfidf_matrix, token_terms

POOL = np.array([3, 5, 8, 13, 21, 34, 55, 89], np.uint64)
CUES = ("decision_negative", "thanks", "unknown_cue")


def _vocab(ngram_range) -> np.ndarray:
    terms = [POOL] if ngram_range[0] <= 1 else []
    if ngram_range[1] >= 2:
        pairs = [bigrams(np.array([a, b], np.uint64)) for a in POOL for b in POOL]
        terms.append(np.concatenate(pairs)[::2])  # half the pairs: some bigrams are unknown
    return np.unique(np.concatenate(terms))


@st.composite
def analyses(draw) -> Analysis:
    """An email of a few sentences: tokens from a small pool (most terms are known),
    cues anywhere in the text, inside a sentence or across two, or before the first."""
    n_sent = draw(st.integers(0, 4))
    sentences, pos = [], draw(st.integers(0, 3))
    for _ in range(n_sent):
        length = draw(st.integers(1, 12))
        sentences.append((pos, pos + length))
        pos += length + draw(st.integers(0, 2))
    sizes = [draw(st.integers(0, 5)) for _ in range(n_sent)]
    tok_sent = np.repeat(np.arange(n_sent), sizes).astype(np.int64)
    ids = np.array(draw(st.lists(st.sampled_from(POOL.tolist()), min_size=len(tok_sent),
                                 max_size=len(tok_sent))), np.uint64)
    cues = tuple(draw(st.lists(st.tuples(st.sampled_from(CUES), st.integers(0, pos + 2),
                                         st.integers(0, 6)).map(lambda c: (c[0], c[1], c[1] + c[2])),
                               max_size=6)))
    return Analysis(text="x" * (pos + 8), sentences=tuple(sentences), cues=cues, flags=frozenset(),
                    tok_ids=ids, tok_sent=tok_sent)


def _same(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)  # bit for bit: heads read these sums


def _cue_sentence_reference(X, cue_names, n_flags, cap) -> sp.csr_matrix:
    """The per-email loop that cue_sentence_matrix replaced."""
    index = {n: i for i, n in enumerate(cue_names)}
    rows_l, cols_l, offset = [], [], 0
    for a in X:
        if a.cues and a.sentences:
            starts = np.array([s for s, _ in a.sentences], np.int64)
            ends = np.array([e for _, e in a.sentences], np.int64)
            known = [(index[label], s, e) for label, s, e in a.cues if label in index]
            if known:
                c = np.array(known, dtype=np.int64)
                k = np.searchsorted(starts, c[:, 1], side="right") - 1
                ok = (k >= 0) & (c[:, 2] <= ends[np.maximum(k, 0)])
                rows_l.append(k[ok] + offset)
                cols_l.append(c[ok, 0])
        offset += len(a.sentences)
    rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
    cols = np.concatenate(cols_l) if cols_l else np.zeros(0, np.int64)
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(offset, len(cue_names) + n_flags))
    M.sum_duplicates()
    M.data = np.minimum(M.data, cap) / cap
    return M


def _tfidf_reference(X, vocab, idf, ngram_range, by_sentence) -> sp.csr_matrix:
    """The per-email binary search the batch rows replaced."""
    rows_l, cols_l = [], []
    offset = 0
    for a in X:
        terms, where = token_terms(a, ngram_range, by_sentence)
        if len(terms) and len(vocab):
            pos = np.minimum(np.searchsorted(vocab, terms), len(vocab) - 1)
            hit = vocab[pos] == terms
            cols_l.append(pos[hit])
            rows_l.append((a.tok_sent[where[hit]] + offset) if by_sentence
                          else np.full(int(hit.sum()), offset))
        offset += len(a.sentences) if by_sentence else 1
    rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
    cols = np.concatenate(cols_l) if cols_l else np.zeros(0, np.int64)
    return _weighted(rows, cols, offset, idf)


@settings(max_examples=150, deadline=None)
@given(X=st.lists(analyses(), max_size=6), ngram=st.sampled_from([(1, 1), (1, 2), (2, 2)]),
       hashed=st.booleans())
def test_batch_tfidf_equals_per_email_rows(X, ngram, hashed):
    vocab = _vocab(ngram)
    idf = np.linspace(1.0, 3.0, len(vocab))
    emails, sentences = tfidf_both(X, TermIndex(vocab) if hashed else vocab, idf, ngram)
    for by_sentence, got in ((False, emails), (True, sentences)):
        want = _tfidf_reference(X, vocab, idf, ngram, by_sentence)
        _same(got, want)
        _same(tfidf_matrix(X, vocab, idf, ngram, by_sentence=by_sentence), want)


def _cue_reference(items, cue_names, flag_names, cap) -> sp.csr_matrix:
    """The per-email dict counting that cue_matrix replaced."""
    n_cues = len(cue_names)
    cue_index = {n: i for i, n in enumerate(cue_names)}
    flag_index = {n: n_cues + i for i, n in enumerate(flag_names)}
    rows, cols, vals = [], [], []
    for r, (cues, flags) in enumerate(items):
        counts: dict[int, int] = {}
        for label, _, _ in cues:
            if label in cue_index:
                counts[cue_index[label]] = counts.get(cue_index[label], 0) + 1
        for j, c in counts.items():
            rows.append(r)
            cols.append(j)
            vals.append(min(c, cap) / cap)
        for f in flags:
            if f in flag_index:
                rows.append(r)
                cols.append(flag_index[f])
                vals.append(1.0)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(items), n_cues + len(flag_names)),
                         dtype=np.float64)


@settings(max_examples=150, deadline=None)
@given(X=st.lists(analyses(), max_size=6), flags=st.lists(st.frozensets(st.sampled_from(
    ["forwarded", "truncated", "greeting_named"])), min_size=6, max_size=6), cap=st.integers(1, 4))
def test_batch_cue_rows_equal_per_email_rows(X, flags, cap):
    items = [(c, f) for (c, _), f in zip(cue_items(X), flags)]
    names, flag_names = ("decision_negative", "thanks"), ("forwarded", "truncated")
    _same(cue_matrix(items, names, flag_names, cap), _cue_reference(items, names, flag_names, cap))


@settings(max_examples=150, deadline=None)
@given(X=st.lists(analyses(), max_size=6))
def test_batch_cue_sentence_rows_equal_per_email_rows(X):
    names = ("decision_negative", "thanks")  # "unknown_cue" is not the model's
    _same(cue_sentence_matrix(X, names, 2, 3), _cue_sentence_reference(X, names, 2, 3))


def test_a_cue_before_an_emails_first_sentence_is_not_given_to_the_email_before():
    first = Analysis("hello there", ((0, 11),), (), frozenset())
    second = Analysis("ab hello", ((3, 8),), (("thanks", 0, 2),), frozenset())
    M = cue_sentence_matrix([first, second], ("thanks",), 0, 3)
    assert M.shape == (2, 1) and M.nnz == 0


def test_empty_vocabulary_and_empty_batch_give_empty_rows():
    a = Analysis("a b", ((0, 3),), (), frozenset(), tok_ids=np.array([3, 5], np.uint64),
                 tok_sent=np.zeros(2, np.int64))
    emails, sentences = tfidf_both([a], np.zeros(0, np.uint64), np.zeros(0), (1, 2))
    assert emails.shape == (1, 0) and sentences.shape == (1, 0)
    emails, sentences = tfidf_both([], POOL, np.ones(len(POOL)), (1, 2))
    assert emails.shape == (0, len(POOL)) and sentences.shape == (0, len(POOL))


ids = st.integers(0, 2**64 - 1) | st.sampled_from([0, 1, 2**63, 2**64 - 1])


@settings(max_examples=200, deadline=None)
@given(vocab=st.lists(ids, max_size=40), terms=st.lists(ids, max_size=60), pick=st.data())
def test_term_index_finds_what_a_binary_search_finds(vocab, terms, pick):
    v = np.array(sorted(vocab), np.uint64)  # repeats allowed: the first one counts
    if vocab:
        terms += pick.draw(st.lists(st.sampled_from(vocab), max_size=20))
    t = np.array(terms, np.uint64)
    if len(v):
        pos = np.minimum(np.searchsorted(v, t), len(v) - 1)
        expected = np.where(v[pos] == t, pos, -1)
    else:
        expected = np.full(len(t), -1)
    assert np.array_equal(TermIndex(v).columns(t), expected)


def test_term_index_probes_past_collisions():
    # four ids hashed to one slot (a table of 16), and ids beside them that are unknown
    slot = TermIndex(np.array([1, 2, 3, 4], np.uint64))._slot
    same = [k for k in range(1, 5000) if slot(np.array([k], np.uint64))[0] == 5][:8]
    v = np.array(sorted(same[:4]), np.uint64)
    index = TermIndex(v)
    assert np.array_equal(index.columns(v[::-1]), np.arange(4)[::-1])
    assert np.array_equal(index.columns(np.array(same[4:], np.uint64)), np.full(4, -1))
