"""Negation scope for the sentence models: which words become negated terms."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.analyse import Analyser
from rejectlens.clean import Cleaned
from rejectlens.features import _token_text
from rejectlens.negation import _CLAUSE_MARKS, _CLAUSE_WORDS, NEGATIONS, negated

_ANALYSER = Analyser()


def _analyse(text: str):
    return _ANALYSER.analyse([Cleaned(text, frozenset())], [""], [""])[0]


def _negated_words(text: str) -> list[str]:
    a = _analyse(text)
    b = negated([a])[0]
    return [_token_text(a, i) for i in range(len(a.tok_ids)) if a.tok_ids[i] != b.tok_ids[i]]


def test_words_after_a_negation_to_the_clause_end():
    assert _negated_words("The role is on hold but we are not releasing any candidates. Thanks!") == [
        "releasing", "any", "candidates"]
    assert _negated_words("We will not take your application further, and wish you luck.") == [
        "take", "your", "application", "further"]
    assert _negated_words("We won't continue with your application and wish you well.") == [
        "continue", "with", "your", "application"]
    assert _negated_words("We are unable to offer you the role.") == ["to", "offer", "you", "the", "role"]


def test_scoped_words_and_plain_emails_are_left_alone():
    # an "if" clause keeps its own scope: the sentence models already read it apart
    assert _negated_words("If you are not selected, we will tell you.") == []
    a = _analyse("We will take your application further next week.")
    assert negated([a])[0] is a


def _reference(a) -> np.ndarray:
    """Which tokens are negated, walking back from each token one by one."""
    words = [a.text[s:e].lower() for s, e in zip(a.tok_start, a.tok_end)]
    marks = set(_CLAUSE_MARKS)
    out = np.zeros(len(words), dtype=bool)
    for i in range(len(words)):
        if a.tok_scope[i] != 0 or words[i] in NEGATIONS:
            continue
        for j in range(i - 1, -1, -1):
            gap = a.text[a.tok_end[j]:a.tok_start[j + 1]]
            if any(c in marks for c in gap) or a.tok_sent[j] != a.tok_sent[j + 1] \
                    or words[j + 1] in _CLAUSE_WORDS:
                break
            if words[j] in NEGATIONS:
                out[i] = True
                break
    return out


_WORDS = [*NEGATIONS, *_CLAUSE_WORDS, "we", "will", "continue", "your", "application", "if", "I", "café",
          "won't", "can't", "won\u2019t", "hold", "role", ",", ".", ";", " - ", "\n", "!", "(", ")"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=30), min_size=1, max_size=4))
def test_negation_scope_matches_a_token_by_token_reading(emails):
    # a batch: a clause never runs on from one email into the next
    analyses = _ANALYSER.analyse([Cleaned(" ".join(w), frozenset()) for w in emails],
                                 [""] * len(emails), [""] * len(emails))
    for a, b in zip(analyses, negated(analyses), strict=True):
        changed = a.tok_ids != b.tok_ids
        np.testing.assert_array_equal(changed, _reference(a))
        # nothing else moves: the same tokens, spans, sentences and scopes
        for name in ("tok_sent", "tok_start", "tok_end", "tok_scope"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert (a.text, a.sentences, a.cues) == (b.text, b.sentences, b.cues)
