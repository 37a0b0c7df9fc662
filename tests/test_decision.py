"""Decision sentences, clause scopes and the job gate."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rejectlens.analyse import SCOPE_PREFIX
from rejectlens.clean import Cleaned
from rejectlens.decision import (
    DECISION_FEATURES,
    NEAR_MISS_FEATURES,
    decision_features,
    near_miss_targets,
    sentence_targets,
    twin_indices,
)
from rejectlens.export import export_heads
from rejectlens.features import EmailVectorizer, _token_text
from rejectlens.heads import RejectionHeads
from rejectlens.thresholds import tune_gate


def analyse(analyser, text):
    return analyser.analyse([Cleaned(text, frozenset())], [""], [""])[0]


def scoped_words(analyser, text) -> list[str]:
    a = analyse(analyser, text)
    return [_token_text(a, i) for i in range(len(a.tok_ids))]


def test_condition_negated_praise_and_self_clauses_are_marked(default_model):
    an = default_model.analyser
    words = scoped_words(an, "If you are not selected, we will keep your CV. You were not selected.")
    assert words[:5] == ["if:if", "if:you", "if:are", "if:not", "if:selected"]
    assert words[-3:] == ["were", "not", "selected"]  # the decision itself stays plain
    words = scoped_words(an, "This does not reflect your skills, but we need more SQL.")
    assert "not:skills" in words and "sql" in words
    words = scoped_words(an, "Relocation would not have been an issue. We need more SQL.")
    assert words[0] == "not:relocation" and "sql" in words
    words = scoped_words(an, "I have decided to withdraw my application.")
    assert all(w.startswith("i:") for w in words)
    # an agency recruiter's "I" gives way to the client who decides
    words = scoped_words(an, "I've had feedback and they won't take you forward.")
    assert words[0] == "i:i" and "forward" in words and "i:forward" not in words
    # "should" opens a condition only at the start of a clause
    assert "should" in scoped_words(an, "You should hear from us soon.")
    assert set(SCOPE_PREFIX) == {"", "if:", "not:", "i:"}


def test_writer_voice_flags(default_model):
    an = default_model.analyser
    assert "first_person_writer" in analyse(an, "I am writing to withdraw my application. I thank you.").flags
    assert "employer_voice" in analyse(an, "We have reviewed your CV and we will not proceed.").flags


def test_sentence_targets_match_marks_on_words(default_model):
    a = analyse(default_model.analyser,
                "Thanks for applying.\nUnfortunately we won't be moving forward.\nBest, Ana")
    t = sentence_targets(a, ["Unfortunately we won’t be\nmoving forward."], True)
    assert list(t) == [0, 1, 0]
    assert list(sentence_targets(a, None, False)) == [0, 0, 0]  # non-rejections: all negatives
    assert list(sentence_targets(a, None, True)) == [-1, -1, -1]  # unmarked rejection: unknown
    assert list(sentence_targets(a, ["a mark that is not there"], True)) == [-1, -1, -1]


def test_decision_features_take_the_strongest_sentence():
    p = np.array([0.1, 0.9, 0.6, 0.2, 0.3])
    f = decision_features(p, [3, 0, 2])
    np.testing.assert_allclose(f, [[0.9, 2 / 3], [0.0, 0.0], [0.3, 0.0]])


def test_vectorizer_learns_decision_sentences_out_of_fold(default_model):
    texts = [("Thanks for applying. We have decided not to move forward.", True,
              ["We have decided not to move forward."]),
             ("Thanks for applying. We received your application.", False, None)] * 6
    X = default_model.analyse([default_model_email(t) for t, _, _ in texts])
    v = EmailVectorizer(min_df=1, decision_cv=3)
    M = v.fit_transform(X, decisions=[d for _, _, d in texts],
                        is_rejection=[r for _, r, _ in texts], groups=list(range(12)))
    names = list(v.get_feature_names_out())
    assert names[-2:] == list(DECISION_FEATURES) and M.shape[1] == len(names)
    top = M[:, names.index("decision__max")].toarray().ravel()
    assert (top[0::2] > top[1::2]).all()  # rejections hold a decision sentence
    again = v.transform(X)  # the full sentence model, same width
    assert again.shape == M.shape
    S = v.transform_sentences(X[:1])
    assert S.shape[1] == M.shape[1]  # a sentence scores like a one-sentence email


def test_twins_are_the_two_job_emails_of_a_group_that_differ_in_rejection():
    groups = ["p1", "p1", "p2", "p2", "p3", "p3", "p3", "p4", "p4", "p5", "p5", None]
    rej = [True, False, True, True, True, False, False, True, False, True, None, False]
    job = [True, None, True, True, True, True, True, True, False, True, True, True]
    assert twin_indices(groups, rej, job) == [1, 0] + [None] * 10
    assert twin_indices(None, rej, job) == [None] * 12


def test_near_misses_are_the_sentences_only_the_kept_twin_holds(default_model):
    an = default_model.analyser
    opening = "Hi Sam, thanks for your patience. The analyst role is on hold after the restructure."
    released = opening + " We are releasing all candidates from the process. Best, Jo"
    kept = opening + " We are keeping every candidate in the process until it restarts. Best, Jo"
    other = "Your interview is confirmed for Monday at ten. Bring photo ID to reception."
    X = [analyse(an, t) for t in (released, kept, released, other)]
    t = near_miss_targets(X, [1, 0, 3, 2], [True, False, True, False])
    per = np.split(t, np.cumsum([len(a.sentences) for a in X])[:-1])
    kept_sentences = X[1].sentence_texts()
    assert [kept_sentences[k].strip() for k in np.flatnonzero(per[1])] == [
        "We are keeping every candidate in the process until it restarts."]
    assert not per[0].any()  # the rejection twin teaches the decision model, not this one
    assert not per[3].any()  # a different letter in the group is not a near-twin


def test_vectorizer_adds_the_near_miss_feature_when_twins_are_given(default_model):
    released = "The role is on hold. We are releasing all candidates from the process."
    kept = "The role is on hold. We are keeping all candidates in the process."
    texts = [released, kept] * 6
    X = default_model.analyse([default_model_email(t) for t in texts])
    rej = [True, False] * 6
    marks = [["We are releasing all candidates from the process."], None] * 6
    twins = [i + 1 if i % 2 == 0 else i - 1 for i in range(12)]
    groups = [i // 2 for i in range(12)]
    v = EmailVectorizer(min_df=1, decision_cv=3)
    M = v.fit_transform(X, decisions=marks, is_rejection=rej, groups=groups, twins=twins)
    names = list(v.get_feature_names_out())
    assert names[-3:] == list(DECISION_FEATURES + NEAR_MISS_FEATURES) and M.shape[1] == len(names)
    near = v.transform(X)[:, names.index("near_miss__max")].toarray().ravel()
    assert (near[1::2] > near[0::2]).all()
    assert v.transform_sentences(X[:1]).shape[1] == M.shape[1]
    # without twins: no near-miss model and no column
    plain = EmailVectorizer(min_df=1, decision_cv=3)
    plain.fit(X, decisions=marks, is_rejection=rej, groups=groups)
    assert plain.near_miss_coef_ is None and "near_miss__max" not in plain.get_feature_names_out()


def default_model_email(text):
    from rejectlens.ingest import to_email

    return to_email(text)


def test_head_columns_pad_coefficients_with_zeros():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((60, 5)))
    y = {"job_related": list(X[:, 0].toarray().ravel() > 0.5)}
    heads = RejectionHeads(threshold_cv=3, head_columns={"job_related": 2}).fit(X, y)
    compiled = export_heads(heads)
    assert compiled.binary_coef.shape == (5, 1)
    assert np.all(compiled.binary_coef[2:, 0] == 0)


def test_gate_is_tuned_over_job_and_non_job_rows():
    rng = np.random.default_rng(1)
    n = 120
    job = rng.random(n) > 0.4
    refusal = rng.random(n) > 0.5
    X = sp.csr_matrix(np.column_stack([job + rng.normal(0, 0.3, n), refusal + rng.normal(0, 0.3, n)]))
    is_rej = list(job & refusal)
    y = {"job_related": list(job), "is_rejection": is_rej}
    heads = RejectionHeads(threshold_cv=3).fit(X, y, groups=list(range(n)))
    # the rejection head learns from job mail only
    assert heads.class_counts_["is_rejection"] == {
        "false": int((job & ~refusal).sum()), "true": int((job & refusal).sum())}
    gate = tune_gate(heads, X, is_rej)
    assert gate is not None and 0.05 <= gate <= 0.95
