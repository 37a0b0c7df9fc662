"""The chunk tokenizer's shortcuts agree with its full port and with spaCy."""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.chunk_tokenizer import ChunkTokenizer

_NLP = spacy.blank("en")
_TOK = ChunkTokenizer(_NLP)
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# words, then a mark that may follow them; rule words ("cannot", "gonna", "Mr")
# mixed in so the special cases meet the shortcut
_WORD = st.one_of(st.text(_LETTERS, min_size=1, max_size=12),
                  st.sampled_from(["cannot", "gonna", "Mr", "etc", "vs", "im", "Im", "dont", "a", "p"]))
_CHUNK = st.tuples(_WORD, st.sampled_from(["", ",", "!", "?", ":", ";", ".", "..", "'s", "-", "(", ")"])).map("".join)


@settings(max_examples=400, deadline=None)
@given(_CHUNK)
def test_the_plain_word_shortcut_splits_as_the_full_port(chunk):
    got = _TOK._plain(chunk)
    if got is not None:
        assert got == _TOK._split(chunk)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CHUNK, st.sampled_from([" ", "  ", "\n", ""])), min_size=1, max_size=8))
def test_plain_words_tokenize_as_spacy(parts):
    text = "".join(w + sep for w, sep in parts)
    tok = ChunkTokenizer(_NLP)  # cold: every chunk takes the miss path
    ids, starts = tok.tokenize(text)
    got = [(int(s), text[s:s + tok._lex_rows[i][5]]) for i, s in zip(ids, starts)]
    assert got == [(t.idx, t.text) for t in _NLP.tokenizer(text)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(_CHUNK, st.text(min_size=1, max_size=8)))
def test_lexeme_rows_hold_spacys_attributes(orth):
    lex = _NLP.vocab[orth]
    lower, shape, num, punct, space, length, _kind, has_digit, _first, _last = _TOK._lex_row(orth)
    assert (lower, num, punct, space, length) == (lex.lower, lex.like_num, lex.is_punct, lex.is_space, len(orth))
    assert has_digit == any(ch.isdecimal() for ch in orth)
    # the shape is read only for numbers and tokens with a digit
    assert shape == (lex.shape if num or has_digit else 0)



# Pieces that start or end spaCy's multi-token special cases (emoticons, "'s",
# "10a.m.") and words holding one inside: matches across chunks meet matches in them.
_HOSTILE = st.sampled_from([":", ")", "(", ":)", "(:", ":-)", "-", "8", "1", "3", "o", "o:", "'", "'s", "s", "D", "x",
                            "=", "<3", ":(", ";)", "10a.m", ".", "a.m.", "don't", "Mr.", "(e.g.", "N.Y.", "ok", "we"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.lists(_HOSTILE, min_size=1, max_size=3).map("".join),
                          st.sampled_from([" ", " ", "  ", "\n", ""])), min_size=1, max_size=10))
def test_matches_across_chunks_tokenize_as_spacy(parts):
    text = "".join(w + sep for w, sep in parts)
    tok = ChunkTokenizer(_NLP)
    for _ in range(2):  # cold, then from the caches
        ids, starts = tok.tokenize(text)
        got = [(int(s), text[s:s + tok._lex_rows[i][5]]) for i, s in zip(ids, starts)]
        assert got == [(t.idx, t.text) for t in _NLP.tokenizer(text)], text


def test_long_runs_of_marks_in_long_chunks_only():
    import spacy

    from rejectlens.chunk_tokenizer import ChunkTokenizer, calm_runs

    nlp = spacy.blank("en")
    tok = ChunkTokenizer(nlp)
    for text in ("Thanks" + "=" * 72 + " ok", "great" + "!" * 80, "ok " + ":)" * 100):  # as spaCy, exactly
        ids, starts = tok.tokenize(text)
        assert [text[a:a + tok._lex_rows[i][5]] for i, a in zip(ids, starts)] == [t.text for t in nlp(text)]
    junk = "We regret" + "*" * 5000 + "x"  # one chunk of junk: the run is one token
    ids, starts = tok.tokenize(junk)
    assert [junk[a:a + tok._lex_rows[i][5]] for i, a in zip(ids, starts)][-3:] == ["regret", "*" * 5000, "x"]
    # spaCy's own tokenizer (the other analyse path) reads a run blanked past its start, offsets kept
    calm = calm_runs(junk)
    assert len(calm) == len(junk) and calm.startswith("We regret" + "*" * 100 + " ")
