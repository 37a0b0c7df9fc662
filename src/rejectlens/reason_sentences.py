"""Reason sentences: does a sentence that names a reason's topic give it as the reason?

A reason's cue fires on its topic ("salary", "test", "visa", "number of
applications") whether the email says the salary was the problem or that it
was well within budget, and the reason heads, reading whole-email words and
cues, learn the topic. Here each reason with a cue gets a sentence model that
reads only the sentences holding that cue, with the negation-scoped terms of
:mod:`rejectlens.negation`: in a labelled rejection, such a sentence is a
positive when the email's reasons hold the reason and a negative when they do
not. No sentence is marked by hand; an email whose reason sentence sits beside
a second, idle mention of the topic gives that mention a noisy positive, which
the many emails with one mention outweigh.

The models do not feed the heads: given as features, the heads leaned on them
and missed reasons the models read wrongly (docs/decisions.md, "Reason
sentences"). They *veto* instead: an email's support for a reason is the best
probability among its sentences holding the reason's cue, 1 when none holds
it (nothing to judge), and a reason is kept only when its head passes and its
support passes the reason's veto point (:func:`cap_reasons`). Each reason's
point is chosen on out-of-fold F1 of the training emails, and a reason gets
one only where a veto beats none there (:func:`veto_thresholds`): some
topics' cues ("start", "time") fire in too many sentences for a sentence
model to tell them apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from .decision import per_email
from .labels import REASON_HEAD_PREFIX
from .thresholds import gated_f1_grid

__all__ = [
    "REASON_SUPPORT_PREFIX",
    "VETO_GRID",
    "cap_reasons",
    "cue_sentences",
    "reason_sentence_proba",
    "reason_sentence_targets",
    "reason_support",
    "veto_thresholds",
]

REASON_SUPPORT_PREFIX = "reason_support__"
_NO_CUE = -1.0
VETO_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def cue_sentences(S: sp.csr_matrix, cue_offset: int, cue_names: Sequence[str],
                  reasons: Sequence[str]) -> np.ndarray:
    """(sentences, reasons) bool: which sentence rows of ``S`` hold each reason's cue
    (``cue_offset`` is where the cue columns start)."""
    index = {n: i for i, n in enumerate(cue_names)}
    cols = [cue_offset + index[r] for r in reasons]
    if not cols:
        return np.zeros((S.shape[0], 0), bool)
    return S[:, cols].toarray() > 0


def reason_sentence_targets(has_cue: np.ndarray, n_sentences: Sequence[int],
                            labels: Sequence[Collection[str] | None],
                            reasons: Sequence[str]) -> np.ndarray:
    """(sentences, reasons) int8: 1 a cue sentence of an email tagged with the
    reason, 0 one of an email not tagged with it, -1 no cue or no reason labels
    (non-rejections, unlabelled rows)."""
    owner = np.repeat(np.arange(len(labels)), np.asarray(n_sentences, dtype=np.int64))
    tagged = np.array([[lab is not None and r in lab for r in reasons] for lab in labels],
                      bool).reshape(len(labels), len(reasons))
    known = np.array([lab is not None for lab in labels], bool)
    out = np.where(tagged[owner], 1, 0).astype(np.int8)
    out[~(has_cue & known[owner][:, None])] = -1
    return out


def reason_sentence_proba(D, coef: np.ndarray, intercept: np.ndarray,
                          has_cue: np.ndarray) -> np.ndarray:
    """(sentences, reasons): each model's probability on the sentences holding its
    cue, -1 elsewhere. Only cue sentences are scored (about one in ten)."""
    out = np.full(has_cue.shape, _NO_CUE)
    rows = np.flatnonzero(has_cue.any(axis=1))
    if len(rows):
        p = expit(np.asarray(D[rows] @ coef) + intercept)
        out[rows] = np.where(has_cue[rows], p, _NO_CUE)
    return out


def reason_support(P: np.ndarray, n_sentences: Sequence[int]) -> np.ndarray:
    """(emails, reasons): the best cue sentence of each email from
    :func:`reason_sentence_proba`, 1 where none of its sentences holds the cue."""
    best = per_email(np.maximum, P, n_sentences, _NO_CUE)
    return np.where(best < 0, 1.0, best)


def cap_reasons(proba: Mapping[str, np.ndarray], support: Mapping[str, np.ndarray],
                veto: Mapping[str, float], thresholds: Mapping[str, float]) -> dict[str, np.ndarray]:
    """``proba`` with each vetoed reason's score held below its head's threshold
    (scaled down by how far its support fell short of the veto point), so a
    reason survives exactly when its head and its support both pass."""
    out = dict(proba)
    for name, s in support.items():
        key = f"{REASON_HEAD_PREFIX}{name}"
        t = veto.get(name, 0.0)
        if key in out and t > 0 and key in thresholds:
            th = thresholds[key]
            below = np.minimum(s * th / t, np.nextafter(th, 0.0))
            out[key] = np.where(s >= t, out[key], np.minimum(out[key], below))
    return out


def veto_thresholds(oof: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
                    support: Mapping[str, np.ndarray],
                    thresholds: Mapping[str, float]) -> dict[str, float]:
    """For each reason, the support below which its head is overruled, chosen on
    out-of-fold F1 of the training emails: the middle of the longest run of
    grid points that score best (a run, so the point cannot fall between two
    best stretches where F1 is lower), and only where that beats no veto. ``oof`` maps a head
    name to (training rows, targets, probabilities), as
    :class:`~rejectlens.heads.RejectionHeads` keeps it; ``support`` holds one
    out-of-fold value per training email."""
    out = {}
    for name, s in support.items():
        key = f"{REASON_HEAD_PREFIX}{name}"
        if key not in oof or key not in thresholds:
            continue
        rows, target, p = oof[key]
        said = p >= thresholds[key]
        # the head says yes and the support reaches t; support is never below 0,
        # so t = 0 is no veto
        f1 = gated_f1_grid(target, said, s[rows], np.r_[0.0, VETO_GRID])
        none, scores = f1[0], f1[1:]
        if scores.max() > none:
            run = _longest_run(scores == scores.max())
            out[name] = float(np.round(np.median(VETO_GRID[run]), 3))
    return out


def _longest_run(mask: np.ndarray) -> np.ndarray:
    """Indices of the longest run of consecutive True values (the first, on a tie)."""
    best: tuple[int, int] = (0, 0)
    start = None
    for i, m in enumerate([*mask.tolist(), False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return np.arange(*best)
