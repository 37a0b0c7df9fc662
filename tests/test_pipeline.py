"""Training's owner is one scikit-learn Pipeline (features -> heads), exported once to the runtime."""

import numpy as np
import pytest
from sklearn.base import clone

from rejectlens.export import export
from rejectlens.features import EmailVectorizer
from rejectlens.heads import RejectionHeads
from rejectlens.ingest import to_email
from rejectlens.labels import JOB_GATE
from rejectlens.model import analyse_emails
from rejectlens.pipeline import RejectionPipeline
from rejectlens.training import head_labels


def _pipeline(**kw):
    return RejectionPipeline([("features", EmailVectorizer(min_df=1)),
                              ("heads", RejectionHeads(threshold_cv=2, random_state=0))], **kw)


@pytest.fixture(scope="module")
def fitted(small_records):
    from rejectlens.analyse import default_cue_patterns

    # Non-job mail too, so the job head is trained and its gate tuned.
    other = [{"id": f"nj-{k}", "body": text + f" Ref {k}.", "group": f"nj{k}", "job_related": False,
              "is_rejection": False}
             for k in range(4)
             for text in ("Your card ending 4417 was charged 23.10 GBP at Corner Shop.",
                          "Unfortunately we cannot approve your rental application for 4B Elm Road.",
                          "Your parcel is out for delivery today between 10:00 and 12:00.")]
    records = small_records + other
    analyses = analyse_emails([to_email(r) for r in records], default_cue_patterns())
    y, weights = head_labels(records, ["job_related", "is_rejection", "personalization", "reasons",
                                       "stage", "feedback_offered", "reapply_encouraged"])
    groups = [r["group"] for r in records]
    pipe = _pipeline().fit(analyses, y, features__groups=groups, heads__groups=groups,
                           heads__sample_weight=weights)
    return pipe, analyses


def test_it_is_a_scikit_learn_pipeline_that_clones_with_its_params():
    pipe = _pipeline(job_words_only=False)
    params = pipe.get_params()
    assert params["job_words_only"] is False and params["features__min_df"] == 1
    twin = clone(pipe)
    assert twin.get_params()["heads__threshold_cv"] == 2 and twin.named_steps["heads"] is not pipe.named_steps["heads"]


def test_fit_reads_the_job_head_from_words_only_and_tunes_the_gate(fitted):
    pipe, _ = fitted
    features, heads = pipe.named_steps["features"], pipe.named_steps["heads"]
    assert heads.head_columns == {"job_related": len(features.words_.vocabulary_ids_)}
    assert {"job_related", "is_rejection"} <= set(heads.heads_) and JOB_GATE in heads.thresholds_


def test_the_fitted_pipeline_scores_as_its_exported_runtime(fitted):
    pipe, analyses = fitted
    vectorizer, heads = export(pipe.named_steps["features"], pipe.named_steps["heads"])
    runtime = heads.predict_proba(vectorizer.transform(analyses))
    for name, p in pipe.predict_proba(analyses).items():
        np.testing.assert_allclose(p, runtime[name], atol=1e-12)


def test_a_misnamed_fit_parameter_is_refused():
    with pytest.raises(TypeError, match="features__groups"):
        _pipeline().fit([], {}, groups=[1])
    with pytest.raises(ValueError, match="two steps"):
        RejectionPipeline([("features", EmailVectorizer())]).fit([], {})


def test_job_words_only_off_undoes_an_earlier_fit(fitted, small_records):
    pipe, analyses = fitted
    heads = pipe.named_steps["heads"]
    assert heads.head_columns
    y, _ = head_labels(small_records, ["is_rejection"])
    pipe.set_params(job_words_only=False, tune_job_gate=False)
    pipe.fit(analyses[: len(small_records)], y)
    assert heads.head_columns is None
