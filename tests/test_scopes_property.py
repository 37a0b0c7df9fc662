"""The clause-scope marker agrees with its earlier numpy formulation on any tokens."""

from __future__ import annotations

import numpy as np
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens import scopes as sc
from rejectlens.tokens import COL_LOWER, COL_PUNCT, COL_SENT, COL_SPACE, TOKEN_ATTRS

_HASH = spacy.blank("en").vocab.strings.add
_MARKER = sc.ScopeMarker(_HASH)
_WORDS = sorted({*sc._COND_ANYWHERE, *(w for p in sc._COND_CLAUSE_START for w in p.split()), *sc._NEG_TARGETS,
                 *sc._NEGATIONS, *sc._CLAUSE_NEG_TARGETS, *sc._SELF, *sc._OTHERS, *sc._CLAUSE_ENDS,
                 *sc._SINGULAR, *sc._PLURAL, "the", "role", "event", "case", "\n", " ", ".", "!"})


def _reference(marker: sc.ScopeMarker, arr: np.ndarray) -> tuple[np.ndarray, set[str]]:
    """ScopeMarker.__call__ as it was before issue 13: numpy on every slice."""
    lower = arr[:, COL_LOWER].astype(np.uint64)
    cls = marker.classes(lower)
    n = len(lower)
    scope = np.zeros(n, np.uint8)
    present = int(np.bitwise_or.reduce(cls)) if n else 0
    voice: set[str] = set()
    if present & (sc._SINGULAR_BIT | sc._PLURAL_BIT):
        singular = int(np.count_nonzero(cls & sc._SINGULAR_BIT))
        plural = int(np.count_nonzero(cls & sc._PLURAL_BIT))
        if singular >= 2 and singular > plural:
            voice.add("first_person_writer")
        elif plural >= 2 and plural > singular:
            voice.add("employer_voice")
    sent_start = arr[:, COL_SENT] == 1
    ender = (cls & sc._ENDER) > 0
    boundary = sent_start | ender
    bounds = np.flatnonzero(boundary)

    def clause_end(i: int) -> int:
        k = np.searchsorted(bounds, i, side="right")
        return int(bounds[k]) if k < len(bounds) else n

    first = lower.tolist()
    for i in np.flatnonzero(cls & (sc._ANYWHERE | sc._CLAUSE_START)).tolist():
        skip = 0
        if not cls[i] & sc._ANYWHERE:
            at_start = i == 0 or sent_start[i] or ender[i - 1] or arr[i - 1, COL_PUNCT] == 1 \
                or arr[i - 1, COL_SPACE] == 1
            if not at_start:
                continue
            rests = [r for r in marker.rest[first[i]] if first[i + 1 : i + 1 + len(r)] == r]
            if not rests:
                continue
            skip = max(len(r) for r in rests)
        scope[i : clause_end(i + skip)] = 1

    def clause_start(j: int) -> int:
        k = np.searchsorted(bounds, j, side="right") - 1
        if k < 0:
            return 0
        b = int(bounds[k])
        return b + 1 if ender[b] else b

    for i in np.flatnonzero(cls & sc._SELF_BIT).tolist():
        end = clause_end(i)
        others = np.flatnonzero(cls[i + 1 : end] & sc._OTHER_BIT)
        if len(others):
            end = i + 1 + int(others[0])
        scope[i:end] = np.where(scope[i:end] == 0, 3, scope[i:end])
    for j in np.flatnonzero(cls & sc._CLAUSE_NEG).tolist():
        lo = clause_start(j)
        if (cls[lo:j] & sc._NEGATION).any():
            scope[lo : clause_end(j)] = 2
    for j in np.flatnonzero(cls & sc._NEG_TARGET).tolist():
        lo = max(0, j - 4)
        neg = np.flatnonzero(cls[lo:j] & sc._NEGATION)
        if len(neg) and not boundary[lo + int(neg[-1]) + 1 : j + 1].any():
            scope[lo + int(neg[-1]) : clause_end(j)] = 2
    return scope, voice


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.booleans()), min_size=1, max_size=60))
def test_scopes_equal_the_numpy_reference(tokens):
    arr = np.zeros((len(tokens), len(TOKEN_ATTRS)), np.uint64)
    for k, (word, sent) in enumerate(tokens):
        arr[k, COL_LOWER] = _HASH(word)
        arr[k, COL_PUNCT] = int(word in ".!,;:()-–—")
        arr[k, COL_SPACE] = int(word.isspace())
        arr[k, COL_SENT] = int(sent or k == 0)
    got_scope, got_voice = _MARKER(arr)
    want_scope, want_voice = _reference(_MARKER, arr)
    assert got_voice == want_voice
    assert got_scope.dtype == np.uint8 and got_scope.tolist() == want_scope.tolist()
