"""The fast path's cue walk skips only tokens where it would find nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.fastpath import FastAnalyser, _member, _pair_key

_FAST = FastAnalyser()
# cue first tokens, the tokens that continue them, and two words no cue holds
_VOCAB = sorted({*_FAST._trie, *(c for node in _FAST._trie.values() for c in node[0]),
                 *(g for node in _FAST._trie.values() for c in node[0].values() for g in c[0]), 1, 2})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=40))
def test_filtered_cue_starts_find_every_match(lows):
    lower = np.array(lows, dtype=np.uint64)
    may = np.isin(lower, _FAST._cue_keys)
    every = np.flatnonzero(may).tolist()
    kept = _FAST._cue_starts(lower, may)
    assert set(kept) <= set(every)
    assert _FAST._match_cues(lows, kept, len(lows)) == _FAST._match_cues(lows, every, len(lows))


@pytest.mark.parametrize("pair", [(0, 0), (1, 2), (2**64 - 1, 2**64 - 1), (12345678901234567890, 42)])
def test_pair_keys_match_numpy(pair):
    a, b = (np.array([x], dtype=np.uint64) for x in pair)
    from rejectlens.fastpath import _PAIR

    assert int(((a * _PAIR) ^ b)[0]) == _pair_key(*pair)


def test_member_with_no_keys():
    assert _member(np.array([1, 2], np.uint64), np.zeros(0, np.uint64)).tolist() == [False, False]
