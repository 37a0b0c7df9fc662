import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rejectlens.heads import RejectionHeads
from rejectlens.labels import head_targets
from rejectlens.thresholds import tune_threshold as _tune_threshold


def toy():
    rng = np.random.default_rng(0)
    n = 80
    X = rng.random((n, 6))
    is_rej = X[:, 0] > 0.4
    y = {
        "is_rejection": list(is_rej),
        "personalization": ["personalized" if x > 0.5 else "generic" if r else None
                            for x, r in zip(X[:, 1], is_rej)],
        "reasons": [(["high_volume"] if x > 0.5 else []) if r else [] for x, r in zip(X[:, 2], is_rej)],
        "stage": [("interview" if x > 0.66 else "screening" if x > 0.33 else "unknown") if r else None
                  for x, r in zip(X[:, 3], is_rej)],
        "feedback_offered": [bool(x > 0.5) if r else False for x, r in zip(X[:, 4], is_rej)],
        "reapply_encouraged": [bool(x > 0.5) if r else False for x, r in zip(X[:, 5], is_rej)],
    }
    return sp.csr_matrix(X), y


def test_targets_skip_unlabelled_rows_and_non_rejections():
    y = {"is_rejection": [True, False, None], "stage": ["interview", None, "unknown"]}
    t = head_targets(y)
    assert list(t["is_rejection"][0]) == [0, 1]
    assert list(t["stage"][0]) == [0, 2]


def test_heads_learn_each_output_and_store_thresholds():
    X, y = toy()
    heads = RejectionHeads(threshold_cv=3).fit(X, y)
    pred = heads.predict(X)
    assert (pred["is_rejection"] == np.array(y["is_rejection"])).mean() > 0.9
    assert set(heads.thresholds_) >= {"is_rejection", "personalization", "reason:high_volume"}
    assert all(0 < t < 1 for t in heads.thresholds_.values())
    proba = heads.predict_proba(X)
    assert proba["stage"].shape == (X.shape[0], 3)
    assert np.allclose(proba["stage"].sum(axis=1), 1)
    for p in proba.values():
        assert ((p >= 0) & (p <= 1)).all()
    # reasons never seen as positive are skipped, with the counts said
    assert "reason:timing" in heads.skipped_ and "has" in heads.skipped_["reason:timing"]


@pytest.mark.parametrize("calibration_cv", [3, 1])
def test_compiled_scores_equal_scikit_learn(calibration_cv):
    X, y = toy()
    heads = RejectionHeads(threshold_cv=3, calibration_cv=calibration_cv).fit(X, y)
    fast = heads.predict_proba(X)
    for name, est in heads.heads_.items():
        slow = est.predict_proba(X)
        if name == "stage":
            np.testing.assert_allclose(fast[name][:, est.classes_], slow, atol=1e-10)
        else:
            np.testing.assert_allclose(fast[name], slow[:, 1], atol=1e-10)
            np.testing.assert_allclose(heads.head_proba(name, X), slow[:, 1], atol=1e-10)


def test_stage_with_two_classes_only():
    X, y = toy()
    y = dict(y, stage=[None if s is None else ("interview" if s == "interview" else "screening")
                       for s in y["stage"]])
    heads = RejectionHeads(threshold_cv=3).fit(X, y)
    p = heads.predict_proba(X)["stage"]
    np.testing.assert_allclose(p[:, 2], 0)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_allclose(p[:, :2][:, heads.heads_["stage"].classes_],
                               heads.heads_["stage"].predict_proba(X), atol=1e-10)


def test_heads_sklearn_conventions():
    h = RejectionHeads(C=2.0)
    assert clone(h).get_params()["C"] == 2.0
    with pytest.raises(NotFittedError):
        h.predict_proba(np.zeros((1, 3)))


def test_partial_labels_train_only_those_heads():
    X, y = toy()
    heads = RejectionHeads(threshold_cv=3).fit(X, {"is_rejection": y["is_rejection"]})
    assert set(heads.heads_) == {"is_rejection"}


def test_no_labels_is_a_clear_error():
    with pytest.raises(ValueError, match="no label columns"):
        RejectionHeads().fit(np.zeros((2, 2)), {"group": ["a", "b"]})


def test_threshold_is_middle_of_near_best_plateau():
    target = np.array([0, 0, 1, 1])
    t, score = _tune_threshold(target, np.array([0.1, 0.2, 0.8, 0.9]), macro=False)
    assert 0.2 < t < 0.8 and score == 1.0
    assert _tune_threshold(target, None, macro=False) == (0.5, None)


def test_a_tuned_threshold_must_beat_one_half_by_min_gain():
    target = np.array([0, 0, 1, 1, 1])
    proba = np.array([0.05, 0.1, 0.3, 0.35, 0.9])  # only a low cut finds the two quiet positives
    t, score = _tune_threshold(target, proba, macro=False, min_gain=0.02)
    assert t < 0.3 and score == 1.0
    easy = np.array([0.1, 0.2, 0.8, 0.85, 0.9])  # 0.5 is already perfect: keep it
    assert _tune_threshold(target, easy, macro=False, min_gain=0.02) == (0.5, 1.0)
