"""Reason sentences: which cue sentences a reason model reads, its support, the veto."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rejectlens.clean import Cleaned
from rejectlens.features import EmailVectorizer
from rejectlens.reason_sentences import (
    REASON_SUPPORT_PREFIX,
    VETO_GRID,
    cap_reasons,
    cue_sentences,
    reason_sentence_proba,
    reason_sentence_targets,
    reason_support,
    veto_thresholds,
)


def test_targets_are_the_cue_sentences_of_labelled_rejections():
    # three emails of 2, 1 and 2 sentences; reasons a and b
    has_cue = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [0, 0]], bool)
    labels = [["a"], None, ["b"]]
    t = reason_sentence_targets(has_cue, [2, 1, 2], labels, ["a", "b"])
    assert t.tolist() == [[1, -1], [-1, 0], [-1, -1], [0, -1], [-1, -1]]


def test_cue_sentences_read_the_cue_columns():
    S = sp.csr_matrix(np.array([[0.5, 0, 0.3, 0], [0.1, 0.2, 0, 0.3]]))
    has = cue_sentences(S, 2, ["b", "a"], ["a", "b"])
    assert has.tolist() == [[False, True], [True, False]]  # columns 2 and 3 are b and a


def test_support_is_the_best_cue_sentence_and_one_without_a_cue():
    has_cue = np.array([[1, 0], [1, 0], [0, 0]], bool)
    D = sp.csr_matrix(np.array([[1.0], [-1.0], [5.0]]))
    P = reason_sentence_proba(D, np.array([[2.0, 2.0]]), np.zeros(2), has_cue)
    assert P[2].tolist() == [-1.0, -1.0] and P[1, 1] == -1.0
    per_email = reason_support(P, [2, 1, 0])
    assert np.isclose(per_email[0, 0], 1 / (1 + np.exp(-2)))
    assert per_email[0, 1] == 1.0 and per_email[1].tolist() == [1.0, 1.0]
    assert per_email[2].tolist() == [1.0, 1.0]  # an email without sentences


def test_a_veto_is_chosen_only_where_it_beats_none_out_of_fold():
    target = np.array([1, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.2])
    oof = {"reason:a": (np.arange(4), target, p), "reason:b": (np.arange(4), target, p)}
    thresholds = {"reason:a": 0.5, "reason:b": 0.5}
    support = {"a": np.array([1.0, 0.9, 0.1, 1.0]),  # a veto between 0.1 and 0.9 removes the false positive
               "b": np.array([0.1, 0.1, 1.0, 1.0])}  # no veto helps: at best it changes nothing
    veto = veto_thresholds(oof, support, thresholds)
    assert veto == {"a": 0.525}  # the middle of the best grid points, 0.15-0.90
    proba = {"reason:a": p, "reason:b": p}
    capped = cap_reasons(proba, support, veto, thresholds)
    assert (capped["reason:a"] >= 0.5).tolist() == [True, True, False, False]
    assert np.array_equal(capped["reason:b"], p)


def test_the_veto_is_the_middle_of_one_run_of_best_points():
    # best F1 at points up to 0.2 and again at 0.5-0.65; between them it is worse
    target = np.array([1, 0, 1, 0, 1])
    oof = {"reason:a": (np.arange(5), target, np.ones(5))}
    support = {"a": np.array([0.66, 0.46, 0.21, 0.36, 0.7])}
    veto = veto_thresholds(oof, support, {"reason:a": 0.5})

    def f1(said):
        return 2 * (said & (target == 1)).sum() / (said.sum() + target.sum())

    assert f1(support["a"] >= veto["a"]) == max(f1(support["a"] >= t) for t in VETO_GRID)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=6), st.integers(0, 3), st.data())
def test_support_and_veto_on_any_scores(n_sent, n_reasons, data):
    n = sum(n_sent)
    P = data.draw(arrays(np.float64, (n, n_reasons), elements=st.floats(0, 1)))
    P = np.where(data.draw(arrays(bool, (n, n_reasons))), -1.0, P)  # -1: no cue in the sentence
    s = reason_support(P, n_sent)
    starts = np.cumsum([0, *n_sent])
    for e in range(len(n_sent)):  # each email's best cue sentence, 1 without one
        for j in range(n_reasons):
            cue = [x for x in P[starts[e]:starts[e + 1], j] if x >= 0]
            assert s[e, j] == (max(cue) if cue else 1.0)
    proba = {f"reason:r{j}": np.linspace(0, 1, len(n_sent)) for j in range(n_reasons)}
    veto = {f"r{j}": data.draw(st.sampled_from([0.0, 0.2, 0.5, 0.9])) for j in range(n_reasons)}
    thresholds = dict.fromkeys(proba, 0.5)
    capped = cap_reasons(proba, {f"r{j}": s[:, j] for j in range(n_reasons)}, veto, thresholds)
    for j in range(n_reasons):
        k, t = f"reason:r{j}", veto[f"r{j}"]
        assert (capped[k] <= proba[k]).all()  # a veto never raises a score
        # a reason survives exactly when its head and its support both pass
        said = proba[k] >= 0.5
        assert np.array_equal(capped[k] >= 0.5, said & (s[:, j] >= t) if t else said)


def _analyse(analyser, texts):
    return analyser.analyse([Cleaned(t, frozenset()) for t in texts], [""] * len(texts),
                            [""] * len(texts))


def test_vectorizer_learns_reason_support_from_labelled_rejections(default_model):
    given_ = "Your salary expectations were above our budget, so we will not proceed."
    denied = "Your salary expectations were well within our budget, but we will not proceed."
    texts, reasons, rej, marks = [], [], [], []
    for k in range(12):
        for text, why in ((given_, ["compensation"]), (denied, [])):
            texts.append(f"Hello {k}. {text}")
            reasons.append(why)
            rej.append(True)
            marks.append([text])
    X = _analyse(default_model.analyser, texts)
    v = EmailVectorizer(min_df=1, decision_cv=3, cue_names=sorted(default_model.analyser.patterns))
    M = v.fit_transform(X, decisions=marks, is_rejection=rej, groups=list(range(len(X))),
                        reasons=reasons)
    names = list(v.get_feature_names_out())
    assert v.reason_names_ == ["compensation"] and names[-1] == REASON_SUPPORT_PREFIX + "compensation"
    assert M.shape[1] == len(names) == v.transform(X).shape[1]
    assert v.transform_sentences(X[:2]).shape[1] == M.shape[1]
    support = v.transform(X)[:, -1].toarray().ravel()
    assert (support[0::2] > 0.5).all() and (support[1::2] < 0.5).all()
    # an email without the topic is not judged
    assert v.transform(_analyse(default_model.analyser, ["We will not proceed."]))[0, -1] == 1.0


def test_no_head_of_the_bundled_model_reads_the_support_and_a_refit_keeps_it_so(default_model):
    from rejectlens.refit import head_columns, refit_stage

    v, h = default_model.compiled()
    first = v.n_features - len(v.reason_names)
    assert v.reason_names and len(v.reason_veto) == len(v.reason_names)
    assert not np.any(h.binary_coef[first:]) and not np.any(h.stage["coef"][first:])
    columns = head_columns(v, h)
    assert columns["job_related"] == len(v.vocabulary_ids)
    assert all(columns[n] == first for n in (*h.binary_names, "stage") if n != "job_related")
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((30, 6)))
    stage = refit_stage(X, np.arange(30) % 3, np.ones(30), C=1.0, columns=4)
    assert stage["coef"].shape == (6, 3) and not np.any(stage["coef"][4:])


def test_a_retrain_on_a_model_with_reason_models_keeps_every_head_off_the_support():
    from rejectlens.retraining import retrain
    from rejectlens.training import train

    given_ = "Your salary expectations were above our budget, so we will not proceed."
    denied = "Your salary expectations were well within our budget, but we will not proceed."
    rows = []
    for k in range(10):
        for text, why in ((given_, ["compensation"]), (denied, [])):
            rows.append({"id": f"r{len(rows)}", "body": f"Hello {k}. {text}", "group": f"g{k}",
                         "is_rejection": True, "job_related": True, "decision": [text],
                         "personalization": ("generic", "personalized")[k % 2], "reasons": why,
                         "stage": ("screening", "interview")[k % 2], "feedback_offered": k % 3 == 0,
                         "reapply_encouraged": k % 2 == 0})
        rows.append({"id": f"r{len(rows)}", "group": f"g{k}", "is_rejection": False,
                     "job_related": True, "body": f"Thanks for applying, {k}. We are reviewing it."})
    base = train(rows, cv=2, min_df=1)
    v = base.compiled()[0]
    assert v.reason_names == ("compensation",)
    first = v.n_features - len(v.reason_names)
    user = [{**r, "id": f"u{r['id']}"} for r in rows]
    result = retrain(user, base=base, corpus=rows, holdout=0)
    assert {"is_rejection", "stage", "reason:compensation"} <= set(result.retrained)
    for model in (base, result.model):
        heads = model.compiled()[1]
        assert not np.any(heads.binary_coef[first:]) and not np.any(heads.stage["coef"][first:])
