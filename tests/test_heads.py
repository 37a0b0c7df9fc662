import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from rejectlens.export import export_heads
from rejectlens.heads import HeadClassifier, RejectionHeads
from rejectlens.labels import BINARY_HEADS, HEADS, REASONS, REJECTION_ONLY_HEADS, head_targets, reason_head
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
def test_exported_scores_equal_scikit_learn(calibration_cv):
    X, y = toy()
    heads = RejectionHeads(threshold_cv=3, calibration_cv=calibration_cv).fit(X, y)
    fast = export_heads(heads).predict_proba(X)
    for name, head in heads.heads_.items():
        slow = head.predict_proba(X)
        if name == "stage":
            np.testing.assert_allclose(fast[name][:, head.classes_], slow, atol=1e-10)
        else:
            np.testing.assert_allclose(fast[name], slow[:, 1], atol=1e-10)
            np.testing.assert_allclose(heads.head_proba(name, X), slow[:, 1], atol=1e-10)
    for name, p in heads.predict_proba(X).items():
        np.testing.assert_allclose(p, fast[name], atol=1e-10)


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


# ---- HeadClassifier: one head, a plain scikit-learn classifier ------------------------
def _expected_failed(est):
    # Weights are not the same as repeated rows for any estimator that splits
    # rows into folds: a row with weight 2 sits in one calibration / threshold
    # fold, its two copies may sit in two (scikit-learn's own
    # CalibratedClassifierCV fails these two checks for the same reason).
    why = "rows are split into CV folds, so a weight is not the same as a repeated row"
    return {"check_sample_weight_equivalence_on_dense_data": why,
            "check_sample_weight_equivalence_on_sparse_data": why}


@parametrize_with_checks([HeadClassifier(calibration_cv=2, threshold_cv=2)],
                         expected_failed_checks=_expected_failed)
def test_head_classifier_passes_scikit_learn_checks(estimator, check):
    check(estimator)


def _binary(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=n) > 0.6, "yes", "no")
    return X, y


def test_head_threshold_is_tuned_on_its_out_of_fold_probabilities():
    X, y = _binary()
    head = HeadClassifier(threshold_cv=4, min_gain=0.0).fit(X, y)
    assert list(head.classes_) == ["no", "yes"] and head.oof_proba_.shape == (len(y), 2)
    expected, score = _tune_threshold((y == "yes").astype(int), head.oof_proba_[:, 1], macro=False)
    assert head.threshold_ == expected and head.cv_score_ == {"f1": score, "threshold": expected}
    p = head.predict_proba(X)[:, 1]
    assert list(head.predict(X)) == list(np.where(p >= head.threshold_, "yes", "no"))


def test_head_reads_only_its_columns():
    X, y = _binary()
    noisy = np.column_stack([X, 100 * np.random.default_rng(1).normal(size=len(y))])
    head = HeadClassifier(columns=4, calibration_cv=1).fit(noisy, y)
    again = HeadClassifier(calibration_cv=1).fit(X, y)
    assert head.n_features_in_ == 5
    np.testing.assert_allclose(head.predict_proba(noisy), again.predict_proba(X))


def test_head_with_one_group_keeps_the_neutral_threshold():
    X, y = _binary()
    head = HeadClassifier().fit(X, y, groups=["same"] * len(y))
    assert head.oof_proba_ is None and head.threshold_ == 0.5 and head.cv_score_ == {}


def test_multiclass_head_has_no_threshold_and_scores_macro_f1():
    X, _ = toy()
    y = np.array([0, 1, 2] * 26 + [0, 1])
    head = HeadClassifier(threshold_cv=3, solver="lbfgs").fit(X, y)
    assert head.threshold_ is None and set(head.cv_score_) == {"macro_f1"}
    assert head.predict(X).tolist() == head.classes_[head.predict_proba(X).argmax(axis=1)].tolist()


def test_one_class_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 2 classes"):
        HeadClassifier().fit(np.zeros((4, 2)), [1, 1, 1, 1])


def test_heads_saved_before_head_classifiers_still_load():
    # model.skops files from before HeadClassifier hold the bare calibrated
    # regressions; unpickling (skops calls __setstate__ too) wraps them.
    X, y = toy()
    heads = RejectionHeads(threshold_cv=3).fit(X, y)
    state = dict(heads.__getstate__())
    state["heads_"] = {n: h.estimator_ for n, h in heads.heads_.items()}
    old = RejectionHeads.__new__(RejectionHeads)
    old.__setstate__(state)
    assert all(isinstance(h, HeadClassifier) for h in old.heads_.values())
    assert old.heads_["is_rejection"].threshold_ == heads.thresholds_["is_rejection"]
    assert old.heads_["stage"].threshold_ is None
    for name, p in heads.predict_proba(X).items():
        np.testing.assert_array_equal(old.predict_proba(X)[name], p)
    a, b = export_heads(old), export_heads(heads)
    np.testing.assert_array_equal(a.binary_coef, b.binary_coef)


def test_head_names_and_targets_live_in_labels():
    assert reason_head("timing") == "reason:timing"
    assert set(HEADS) == set(BINARY_HEADS) | {"stage"}
    assert {reason_head(r) for r in REASONS} <= set(REJECTION_ONLY_HEADS)
    assert "is_rejection" not in REJECTION_ONLY_HEADS
    # a non-job row never teaches is_rejection; rejection-only heads skip non-rejections
    y = {"job_related": [True, False, True], "is_rejection": [True, False, False],
         "reasons": [["timing"], [], []]}
    t = head_targets(y)
    assert list(t["is_rejection"][0]) == [0, 2]
    assert list(t[reason_head("timing")][0]) == [0] and list(t[reason_head("timing")][1]) == [1]


def test_judged_rows_of_rejection_only_heads_are_labelled_rejections():
    y = {"is_rejection": [True, True, None, False], "personalization": ["generic", "personalized", "personalized", None]}
    assert list(head_targets(y)["personalization"][0]) == [0, 1, 2]  # learning: unlabelled rows count
    assert list(head_targets(y, judging=True)["personalization"][0]) == [0, 1]
    assert head_targets({}) == {}
