"""Sentence spans trimmed with str.strip equal the character walk they replaced."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.analyse import _sentence_offsets, _trimmed


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab .\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000\u200b\ufeff"),
               max_size=40),
       st.lists(st.integers(0, 40), max_size=6))
def test_sentence_offsets_trim_as_the_character_walk(text, cuts):
    starts = sorted({min(c, len(text)) for c in [0, *cuts]})
    bounds = [*starts, len(text)]
    want = tuple(s for s in (_trimmed(text, a, b) for a, b in pairwise(bounds)) if s[1] > s[0])
    assert _sentence_offsets(text, np.array(starts, np.int64)) == want
