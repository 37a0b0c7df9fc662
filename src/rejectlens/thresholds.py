"""Decision thresholds: the min-gain plateau rule every binary head is tuned with,
and the job-mail gate tuned on two heads together.

Why not scikit-learn's ``TunedThresholdClassifierCV``: it keeps the single
best point of the fold-averaged score, while ours keeps the middle of the
plateau of near-best thresholds on pooled out-of-fold probabilities and only
when it beats the calibrated 0.5 by ``min_gain`` (docs/decisions.md, "Heads as
scikit-learn classifiers"). It would move the bundled model's thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["THRESHOLD_GRID", "f1_grid", "gated_f1_grid", "tune_gate", "tune_threshold"]

THRESHOLD_GRID = np.round(np.arange(0.15, 0.851, 0.01), 2)
_GATE_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_threshold(target: np.ndarray, proba: np.ndarray | None, macro: bool, min_gain: float = 0.0,
                   sample_weight: np.ndarray | None = None) -> tuple[float, float | None]:
    """(threshold, out-of-fold F1 there): the middle of the plateau of near-best
    thresholds, if it clearly beats 0.5.

    Out-of-fold F1 is flat over a range of thresholds on a few hundred
    emails; its single best point moves with every fold split, while the
    middle of the range that scores within 0.01 of it is steadier. It is
    kept only when it beats the calibrated default of 0.5 by ``min_gain``.
    """
    if proba is None:
        return 0.5, None
    scores = f1_grid(np.asarray(target), np.asarray(proba), macro, sample_weight)
    best = float(scores.max())
    near = THRESHOLD_GRID[scores >= best - 0.01]
    threshold = float(np.round(np.median(near), 2))
    score = float(scores[np.abs(THRESHOLD_GRID - threshold).argmin()])
    at_half = float(scores[np.abs(THRESHOLD_GRID - 0.5).argmin()])
    if score - at_half <= min_gain:
        return 0.5, at_half
    return threshold, score


def f1_grid(target: np.ndarray, proba: np.ndarray, macro: bool,
            sample_weight: np.ndarray | None = None, grid: np.ndarray = THRESHOLD_GRID) -> np.ndarray:
    """F1 (binary, or macro over both classes) at every threshold of ``grid`` at once.

    The same numbers as ``f1_score(target, proba >= t, zero_division=0)`` per
    threshold, without scikit-learn's input checks for each of 71 calls.
    """
    w = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    pred = proba[None, :] >= grid[:, None]
    pos = target == 1

    def f1(pred_pos, true_pos):
        tp = (pred_pos & true_pos) @ w
        denom = pred_pos @ w + (true_pos @ w)
        return np.divide(2 * tp, denom, out=np.zeros(len(tp)), where=denom > 0)

    if not macro:
        return f1(pred, np.broadcast_to(pos, pred.shape))
    # scikit-learn averages over the classes seen in the truth or the predictions
    total, seen = np.zeros(len(grid)), np.zeros(len(grid))
    for p, t in ((pred, pos), (~pred, ~pos)):
        here = p.any(axis=1) | t.any()
        total += np.where(here, f1(p, np.broadcast_to(t, p.shape)), 0.0)
        seen += here
    return total / np.maximum(seen, 1)


def gated_f1_grid(target: np.ndarray, passed: np.ndarray, score: np.ndarray,
                  grid: np.ndarray) -> np.ndarray:
    """Binary F1 of "positive where ``passed`` and ``score`` reaches t", at every
    t of ``grid`` at once. ``score`` must be non-negative: the rows that did not
    pass get -1, below every point of the grid."""
    return f1_grid(target, np.where(passed, score, -1.0), macro=False, grid=grid)


def tune_gate(heads, X, is_rejection: Sequence[Any]) -> float | None:
    """The threshold on ``job_related``'s probability that, with ``is_rejection``'s
    own threshold, gives the best out-of-fold F1 for "a rejection" over every
    labelled row, non-job mail included.

    ``heads`` is a fitted :class:`~rejectlens.heads.RejectionHeads`. The
    is_rejection head learns from job mail only; for the non-job rows it
    never saw, its fitted probabilities are as unseen as out-of-fold ones.
    None when either head has no out-of-fold probabilities.
    """
    from .export import export_heads
    from .labels import is_labelled

    if "is_rejection" not in heads.oof_ or "job_related" not in heads.oof_:
        return None
    rows_j, _, p_gate = heads.oof_["job_related"]
    keep = np.array([is_labelled(is_rejection[i]) for i in rows_j], dtype=bool)
    rows_j, p_gate = rows_j[keep], p_gate[keep]
    if not len(rows_j):
        return None
    target = np.array([int(bool(is_rejection[i])) for i in rows_j])
    # The runtime's arithmetic, so the gate is tuned on the very numbers a saved model gives.
    p_rej = export_heads(heads).head_proba("is_rejection", X[rows_j])
    rows_r, _, oof_r = heads.oof_["is_rejection"]
    pos = {int(r): k for k, r in enumerate(rows_r)}
    for k, r in enumerate(rows_j):
        if int(r) in pos:
            p_rej[k] = oof_r[pos[int(r)]]
    base = p_rej >= heads.thresholds_["is_rejection"]
    scores = gated_f1_grid(target, base, p_gate, _GATE_GRID)  # a rejection and past the gate
    near = _GATE_GRID[scores >= scores.max() - 0.005]
    return float(np.round(np.median(near), 2))

