"""Clause scopes and who writes: email heuristics on the tokens of one doc.

Not a spaCy component: it reads the ``to_array`` rows the analyse stage
already holds (see :mod:`rejectlens.tokens`), and one sorted lookup classifies
every token, so it adds no Python work per token.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np

from .tokens import COL_LOWER, COL_PUNCT, COL_SENT, COL_SPACE

__all__ = ["SCOPES", "SCOPE_PREFIX", "ScopeMarker"]

# Clause scopes a token can sit in (Analysis.tok_scope holds the index): a
# decision word inside an "if ..." clause or a negated "this does not reflect
# ..." is not a decision, and a clause opened by "I" is about the writer.
SCOPES: tuple[str, ...] = ("", "cond", "neg", "self")
SCOPE_PREFIX: tuple[str, ...] = ("", "if:", "not:", "i:")
# Words opening a conditional or hypothetical clause, anywhere in a sentence...
_COND_ANYWHERE = ("if", "unless", "whether", "provided", "providing")
# ...and words that do so only at the start of a clause ("Should your profile
# match, ..." but not "you should hear from us").
_COND_CLAUSE_START = ("should", "once", "in case", "in the event", "assuming")
# A negation shortly before one of these makes the rest of the clause praise
# or reassurance, not a reason: "this does not reflect your skills".
_NEG_TARGETS = ("reflect", "reflects", "reflection", "reflective", "judgement", "judgment",
                "indication", "indicative", "comment", "statement", "about", "mean", "means")
_NEGATIONS = ("not", "n't", "no", "never", "nothing")
# ...and a negation anywhere before one of these turns the whole clause into
# reassurance: "relocation would not have been an issue", "sponsorship was
# never a factor".
_CLAUSE_NEG_TARGETS = ("issue", "concern", "factor", "problem", "question", "obstacle",
                       "barrier", "reason", "doubt")
# A clause the writer opens with "I" is about the writer ("I have decided not
# to proceed with my application") until someone else takes over the clause.
_SELF = ("i", "i'm", "i've", "i'll", "i'd")
_OTHERS = ("we", "they", "our", "their", "client", "team", "company", "panel", "manager",
           "committee", "you", "your")
_CLAUSE_ENDS = (",", ";", ":", "(", ")", "-", "–", "—", "but", "however", "so")
# Who writes: an employer writes "we/our/us", a candidate "I/my/me". The
# candidate's own mail (withdrawing, declining an offer) uses decision words
# too, and is never a rejection.
_SINGULAR = ("i", "my", "me", "mine", "myself", "i'm", "i've", "i'd", "i'll")
_PLURAL = ("we", "our", "us", "ours", "ourselves", "we're", "we've", "we'd", "we'll")

# Bits of the word classes the scope marker and the voice flags look for.
(_ANYWHERE, _CLAUSE_START, _NEG_TARGET, _NEGATION, _ENDER, _SINGULAR_BIT, _PLURAL_BIT,
 _CLAUSE_NEG, _SELF_BIT, _OTHER_BIT) = (1 << k for k in range(10))


class ScopeMarker:
    """Marks each token with the clause scope it sits in, and tells who writes.

    ``hash_of`` is the pipeline's ``vocab.strings.add``: the word lists become
    one sorted array of hashes.
    """

    def __init__(self, hash_of) -> None:
        h = hash_of
        classes: dict[int, int] = {}
        for bit, words in ((_ANYWHERE, _COND_ANYWHERE), (_NEG_TARGET, _NEG_TARGETS),
                           (_NEGATION, _NEGATIONS), (_ENDER, _CLAUSE_ENDS),
                           (_SINGULAR_BIT, _SINGULAR), (_PLURAL_BIT, _PLURAL),
                           (_CLAUSE_NEG, _CLAUSE_NEG_TARGETS), (_SELF_BIT, _SELF),
                           (_OTHER_BIT, _OTHERS),
                           (_CLAUSE_START, [w.split()[0] for w in _COND_CLAUSE_START])):
            for w in words:
                classes[h(w)] = classes.get(h(w), 0) | bit
        self.rest: dict[int, list[list[int]]] = {}
        for w in _COND_CLAUSE_START:
            first, *rest = w.split()
            self.rest.setdefault(h(first), []).append([h(x) for x in rest])
        order = sorted(classes)
        self.keys = np.array(order, dtype=np.uint64)
        self.bits = np.array([classes[k] for k in order], dtype=np.int64)

    def classes(self, lower: np.ndarray) -> np.ndarray:
        idx = np.minimum(np.searchsorted(self.keys, lower), len(self.keys) - 1)
        return np.where(self.keys[idx] == lower, self.bits[idx], 0)

    def __call__(self, arr: np.ndarray, cls: np.ndarray | None = None,
                 sent_start: np.ndarray | None = None) -> tuple[np.ndarray, set[str]]:
        """(scope index per token, voice flags) from ``to_array(TOKEN_ATTRS)`` rows.

        ``cls`` (``classes`` of the LOWER column) and ``sent_start`` (bool per
        token) may be given by a caller that has them already."""
        lower = arr[:, COL_LOWER].astype(np.uint64)
        cls = self.classes(lower) if cls is None else cls
        n = len(lower)
        scope = np.zeros(n, np.uint8)
        present = int(np.bitwise_or.reduce(cls)) if n else 0
        voice: set[str] = set()
        if present & (_SINGULAR_BIT | _PLURAL_BIT):
            singular = int(np.count_nonzero(cls & _SINGULAR_BIT))
            plural = int(np.count_nonzero(cls & _PLURAL_BIT))
            if singular >= 2 and singular > plural:
                voice.add("first_person_writer")
            elif plural >= 2 and plural > singular:
                voice.add("employer_voice")
        if not present & (_ANYWHERE | _CLAUSE_START | _SELF_BIT | _CLAUSE_NEG | _NEG_TARGET):
            return scope, voice  # no word that opens a scope
        sent_start = arr[:, COL_SENT] == 1 if sent_start is None else sent_start
        # A clause is a handful of tokens: plain Python over lists beats numpy
        # calls on slices that short.
        cl = cls.tolist()
        bounds = np.flatnonzero(sent_start | ((cls & _ENDER) > 0)).tolist()
        marks = bytearray(n)
        at = {bit: np.flatnonzero(cls & bit).tolist() if present & bit else []
              for bit in (_ANYWHERE | _CLAUSE_START, _SELF_BIT, _CLAUSE_NEG, _NEG_TARGET)}
        self._conditions(arr, lower, cl, sent_start, bounds, at, marks)
        _negations(cl, bounds, at, marks)
        return np.frombuffer(marks, np.uint8), voice

    def _conditions(self, arr: np.ndarray, lower: np.ndarray, cl: list[int], sent_start: np.ndarray,
                    bounds: list[int], at: dict[int, list[int]], marks: bytearray) -> None:
        """Marks "if ..." clauses 1 and the writer's "I ..." clauses 3 (where unmarked)."""
        n = len(cl)
        first = None
        marked_to = -1
        for i in at[_ANYWHERE | _CLAUSE_START]:
            skip = 0
            if not cl[i] & _ANYWHERE:
                at_start = i == 0 or sent_start[i] or cl[i - 1] & _ENDER or arr[i - 1, COL_PUNCT] == 1 \
                    or arr[i - 1, COL_SPACE] == 1
                if not at_start:
                    continue
                first = lower.tolist() if first is None else first
                rests = [r for r in self.rest[first[i]] if first[i + 1 : i + 1 + len(r)] == r]
                if not rests:
                    continue
                skip = max(len(r) for r in rests)
            end = _clause_end(bounds, i + skip, n)
            if end != marked_to:  # else an earlier "if" of this clause marked all of it
                marks[i:end] = b"\x01" * (end - i)
                marked_to = end
        # An "I" inside the span an earlier "I" marked ends where that one does:
        # skipping it keeps a clause of a thousand "I"s linear.
        done_to = 0
        for i in at[_SELF_BIT]:
            if i < done_to:
                continue
            end = _clause_end(bounds, i, n)
            end = next((k for k in range(i + 1, end) if cl[k] & _OTHER_BIT), end)
            for k in range(i, end):
                if not marks[k]:
                    marks[k] = 3
            done_to = end


def _negations(cl: list[int], bounds: list[int], at: dict[int, list[int]], marks: bytearray) -> None:
    """Marks 2 the clauses a negation turns into praise or reassurance."""
    n = len(cl)
    # Many such words ("issue issue issue ..."): count the negations before each
    # token once, so each asks in O(1); a few look at their own clause.
    before = list(accumulate((1 if c & _NEGATION else 0 for c in cl), initial=0)) \
        if len(at[_CLAUSE_NEG]) > 8 else None
    for j in at[_CLAUSE_NEG]:
        lo = _clause_start(bounds, j, cl)
        if (before[j] > before[lo]) if before is not None else any(c & _NEGATION for c in cl[lo:j]):
            end = _clause_end(bounds, j, n)
            marks[lo:end] = b"\x02" * (end - lo)
    for j in at[_NEG_TARGET]:
        lo = max(0, j - 4)
        neg = [k for k in range(lo, j) if cl[k] & _NEGATION]
        # no clause boundary between the negation and its target
        if neg and bisect_right(bounds, neg[-1]) == bisect_right(bounds, j):
            end = _clause_end(bounds, j, n)
            marks[neg[-1]:end] = b"\x02" * (end - neg[-1])


def _clause_end(bounds: list[int], i: int, n: int) -> int:
    """The first clause boundary after token ``i`` (or the end, ``n``)."""
    k = bisect_right(bounds, i)
    return bounds[k] if k < len(bounds) else n


def _clause_start(bounds: list[int], j: int, cl: list[int]) -> int:
    """Where the clause holding token ``j`` starts: its boundary, or the token
    after it when that boundary is a clause-ending word or mark."""
    k = bisect_right(bounds, j) - 1
    if k < 0:
        return 0
    b = bounds[k]
    return b + 1 if cl[b] & _ENDER else b
