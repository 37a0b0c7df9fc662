import numpy as np
import pandas as pd
import pytest

import rejectlens
from rejectlens import OUTPUT_FIELDS, REASONS, STAGES, Prediction
from rejectlens.errors import InputError
from tests.conftest import SMALL_SET


def test_overfit_small_set_then_reload_exactly(small_model, small_records, tmp_path):
    preds = list(small_model.classify_many(small_records))
    for r, p in zip(small_records, preds):
        assert p.is_rejection == r["is_rejection"], r["id"]
        if r["is_rejection"]:
            assert p.personalization == r["personalization"], r["id"]
            assert p.stage == r["stage"], r["id"]
            assert set(p.reasons) == set(r["reasons"]), r["id"]
    small_model.save(tmp_path / "m")
    again = rejectlens.load(tmp_path / "m")
    X1 = small_model.vectorizer.transform(small_model.analyse([rejectlens.Email(body=r["body"]) for r in small_records]))
    X2 = again.vectorizer.transform(again.analyse([rejectlens.Email(body=r["body"]) for r in small_records]))
    p1, p2 = small_model.heads.predict_proba(X1), again.heads.predict_proba(X2)
    assert p1.keys() == p2.keys()
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert [p.to_dict() for p in again.classify_many(small_records)] == [p.to_dict() for p in preds]


def test_batch_equals_one_by_one(default_model):
    records = [dict(r) for r in SMALL_SET]
    batch = [p.to_dict() for p in default_model.classify_many(records, batch_size=4)]
    single = [default_model.classify(r).to_dict() for r in records]
    assert batch == single


def test_training_is_deterministic(small_records):
    from rejectlens.training import train

    a = train(small_records, seed=3, cv=2, min_df=1)
    b = train(small_records, seed=3, cv=2, min_df=1)
    assert [p.to_dict() for p in a.classify_many(small_records)] == [
        p.to_dict() for p in b.classify_many(small_records)
    ]
    assert a.thresholds == b.thresholds


def test_default_model_reads_clear_cases(default_model):
    rej = default_model.classify(
        {"subject": "Your application to Acme",
         "body": "Dear Sam,\n\nThank you for applying. After careful review we have decided to move "
                 "forward with other candidates whose experience more closely matches our needs.\n\n"
                 "Best wishes,\nAcme Recruiting"})
    assert rej.is_rejection and "other_candidates" in rej.reasons
    assert rej.personalization == "generic" and rej.stage == "screening"
    invite = default_model.classify(
        {"subject": "Interview invitation",
         "body": "Hi Sam, we'd love to invite you to a video interview next Tuesday. "
                 "Please choose a time with the calendar link below."})
    assert invite.is_rejection is False
    assert invite.personalization is None and invite.reasons is None and invite.evidence is None


def test_prediction_contract(default_model):
    p = default_model.classify(SMALL_SET[1])
    d = p.to_dict()
    assert list(d) == list(OUTPUT_FIELDS)
    assert set(d["reason_scores"]) == set(REASONS)
    assert set(d["stage_scores"]) == set(STAGES)
    assert isinstance(d["reasons"], list) and isinstance(d["signals"], list)
    with pytest.raises(AttributeError):
        p.is_rejection = False  # frozen


def test_a_rejection_can_be_hashed_like_any_prediction(default_model):
    import pickle

    p = default_model.classify("Unfortunately we have decided not to move forward with your application.")
    copy = pickle.loads(pickle.dumps(p))
    assert p.is_rejection and p.reason_scores and hash(p) == hash(copy) and len({p, copy}) == 1
    other = default_model.classify("Unfortunately we have decided to move forward with other candidates.")
    assert len({p, other, default_model.classify("Thanks for applying.")}) == 3


def test_an_unreadable_email_or_row_keeps_its_id(default_model):
    from rejectlens import Email

    assert default_model.classify(Email(body=["x"], id="abc-1")).id == "abc-1"
    assert default_model.classify(pd.Series({"body": ["x"], "id": "row-8"})).id == "row-8"


def test_bad_rows_get_errors_and_the_rest_carry_on(default_model):
    items = ["We regret to inform you the role is filled.", {"text": "no body"}, 17, {"body": "Hello"}]
    preds = list(default_model.classify_many(items))
    assert len(preds) == 4
    assert preds[0].error is None and preds[3].error is None
    assert "body" in preds[1].error and "got int" in preds[2].error
    assert preds[1].is_rejection is None


def test_ids_are_kept_or_generated(default_model):
    preds = list(default_model.classify_many([{"id": "x1", "body": "a"}, {"body": "b"}]))
    assert preds[0].id == "x1"
    assert preds[1].id.startswith("sha1-")


def test_classify_frame(default_model):
    df = pd.DataFrame({"text": [r["body"] for r in SMALL_SET], "ref": range(len(SMALL_SET))},
                      index=range(100, 100 + len(SMALL_SET)))
    out = default_model.classify_frame(df, body="text", id="ref", subject=None, sender=None)
    assert list(out.columns) == list(OUTPUT_FIELDS)
    assert list(out["id"]) == [str(i) for i in range(len(SMALL_SET))]
    assert list(out.index) == list(df.index)
    gappy = pd.DataFrame({"body": ["a", "b"], "id": [7, None]})  # pandas makes this 7.0, NaN
    ids = list(default_model.classify_frame(gappy)["id"])
    assert ids[0] == "7" and ids[1].startswith("sha1-")
    with pytest.raises(InputError, match=r"body column 'body' not found; columns found: text, ref"):
        default_model.classify_frame(df)


def test_classify_many_in_two_processes_keeps_order(default_model):
    items = [r["body"] for r in SMALL_SET] * 3
    par = [p.to_dict() for p in default_model.classify_many(items, batch_size=5, n_jobs=2)]
    seq = [p.to_dict() for p in default_model.classify_many(items, batch_size=5)]
    assert par == seq


def test_bad_batch_size_is_refused(default_model):
    with pytest.raises(InputError, match="batch_size"):
        list(default_model.classify_many(["x"], batch_size=0))


def test_failed_prediction_shape():
    p = Prediction.failed("r1", "boom")
    assert p.to_dict()["error"] == "boom" and p.to_dict()["is_rejection"] is None


def test_a_classifier_always_scores_with_the_runtime(small_model, small_model_dir):
    from rejectlens.features import EmailVectorizer
    from rejectlens.heads import RejectionHeads
    from rejectlens.scoring import CompiledHeads, CompiledVectorizer

    loaded = rejectlens.load(small_model_dir)
    for m in (small_model, loaded):
        assert isinstance(m.vectorizer, CompiledVectorizer) and isinstance(m.heads, CompiledHeads)
    # after training the estimators are in memory; a loaded model reads them from model.skops
    vec, heads = small_model.estimators()
    assert isinstance(vec, EmailVectorizer) and isinstance(heads, RejectionHeads)
    assert loaded._estimators is None  # not read until asked
    again_vec, again_heads = loaded.estimators()
    assert again_heads.thresholds_ == heads.thresholds_
    assert loaded.estimators()[0] is again_vec  # read once


def test_the_constructor_takes_the_runtime_and_says_how_to_pass_estimators(small_model):
    vec, heads = small_model.estimators()
    with pytest.raises(TypeError, match=r"Classifier.from_estimators\(vectorizer, heads, patterns\)"):
        rejectlens.Classifier(vec, heads, small_model.patterns)
    rebuilt = rejectlens.Classifier.from_estimators(vec, heads, small_model.patterns)
    text = SMALL_SET[1]["body"]
    assert rebuilt.classify(text) == small_model.classify(text)
    assert rebuilt.estimators() == (vec, heads)


def test_a_pickled_classifier_carries_the_runtime_only(small_model, small_records):
    import pickle

    copy = pickle.loads(pickle.dumps(small_model))
    assert copy._estimators is None and small_model._estimators is not None
    assert [p.to_dict() for p in copy.classify_many(small_records)] == [
        p.to_dict() for p in small_model.classify_many(small_records)]


def test_rejection_only_fields_are_empty_unless_a_rejection(default_model):
    from rejectlens.labels import REJECTION_ONLY
    from rejectlens.prediction import REJECTION_ONLY_OUTPUTS

    assert set(REJECTION_ONLY) < set(REJECTION_ONLY_OUTPUTS) <= set(OUTPUT_FIELDS)
    preds = list(default_model.classify_many([r["body"] for r in SMALL_SET]))
    assert {p.is_rejection for p in preds} == {True, False}
    for p in preds:
        values = [getattr(p, f) for f in REJECTION_ONLY_OUTPUTS]
        if p.is_rejection:
            assert all(v is not None for v in values), p
        else:
            assert all(v is None for v in values), p


def test_one_email_visits_each_stage_once_in_order(default_model, monkeypatch):
    from rejectlens import model as model_module
    from rejectlens.analyse import Analyser
    from rejectlens.fastpath import FastAnalyser
    from rejectlens.scoring import CompiledHeads, CompiledVectorizer

    visits = []

    def spy(name, f):
        def wrapped(*a, **k):
            visits.append(name)
            return f(*a, **k)
        return wrapped

    monkeypatch.setattr(model_module, "clean", spy("clean", model_module.clean))
    for stage in (Analyser, FastAnalyser):  # whichever analyse path this machine takes
        monkeypatch.setattr(stage, "analyse", spy("analyse", stage.analyse))
    monkeypatch.setattr(CompiledVectorizer, "transform_both", spy("features", CompiledVectorizer.transform_both))
    monkeypatch.setattr(CompiledHeads, "predict_proba", spy("heads", CompiledHeads.predict_proba))
    monkeypatch.setattr(model_module, "decide", spy("decide", model_module.decide))
    p = default_model.classify(SMALL_SET[0]["body"])
    assert p.is_rejection and p.evidence
    assert visits == ["clean", "analyse", "features", "heads", "decide"]


@pytest.mark.parametrize("n_jobs", [1.5, "2", True])
def test_classify_many_refuses_a_worker_count_it_cannot_use(default_model, n_jobs):
    with pytest.raises(InputError, match="n_jobs must be"):
        next(default_model.classify_many(["hello"], n_jobs=n_jobs))


@pytest.mark.parametrize("one", ["Unfortunately we will not proceed.", {"body": "We regret."},
                                 pd.DataFrame({"body": ["We regret."]})])
def test_classify_many_refuses_one_email_or_a_frame(default_model, one):
    with pytest.raises(InputError, match=r"use classify(_frame)?\(\)"):
        next(default_model.classify_many(one))


def test_classify_many_takes_joblib_style_negative_workers(default_model):
    texts = ["Unfortunately we will not be moving forward with your application.", "See you Monday"] * 3
    assert [p.to_dict() for p in default_model.classify_many(texts, batch_size=2, n_jobs=-1)] == \
        [p.to_dict() for p in default_model.classify_many(texts)]


def test_an_email_that_breaks_a_stage_is_found_in_halves(default_model, monkeypatch):
    from rejectlens import model as model_module

    real, calls = model_module.decide, []

    def decide(emails, *rest):
        calls.append(len(emails))
        if any("BOOM" in e.body for e in emails):
            raise RuntimeError("boom")  # an internal failure on one row, not bad input
        return real(emails, *rest)

    monkeypatch.setattr(model_module, "decide", decide)
    texts = [f"We will not proceed with application {i}." for i in range(64)]
    texts[37] = "BOOM " + texts[37]
    preds = list(default_model.classify_many(texts, batch_size=64))
    assert [p.error is not None for p in preds] == [i == 37 for i in range(64)]
    assert "could not classify this email: RuntimeError: boom" in preds[37].error
    assert len(calls) <= 2 * 7 + 1  # halving, not 64 single tries
