"""export: fitted estimators -> the runtime arrays, in one place."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import rejectlens
from rejectlens.export import export, export_heads, export_vectorizer
from rejectlens.features import EmailVectorizer
from rejectlens.heads import RejectionHeads
from rejectlens.persist import load_estimators


def _same(a, b):
    for k, v in a.arrays().items():
        np.testing.assert_array_equal(v, b.arrays()[k], err_msg=k)
    assert a.settings() == b.settings()


def test_bundled_estimators_export_to_the_bundled_arrays():
    # The bundled model.skops predates HeadClassifier: the old format still
    # loads, and exporting it gives the very arrays the model scores with.
    path = rejectlens.default_model_path()
    vectorizer, heads = load_estimators(path)
    runtime_v, runtime_h = rejectlens.load(path).compiled()
    ours_v, ours_h = export(vectorizer, heads)
    _same(ours_v, runtime_v)
    _same(ours_h, runtime_h)


def test_a_trained_model_scores_with_its_export(small_model, small_records):
    vectorizer, heads = small_model.estimators()
    v, h = export(vectorizer, heads)
    _same(v, small_model.compiled()[0])
    _same(h, small_model.compiled()[1])
    X = v.transform(small_model.analyse([rejectlens.Email(body=r["body"]) for r in small_records]))
    assert X.shape[1] == v.n_features == heads.n_features_in_
    for name, p in h.predict_proba(X).items():
        np.testing.assert_allclose(p, heads.predict_proba(X)[name], atol=1e-12)


def test_unfitted_estimators_are_refused():
    with pytest.raises(NotFittedError, match="EmailVectorizer is not fitted"):
        export_vectorizer(EmailVectorizer())
    with pytest.raises(NotFittedError, match="RejectionHeads is not fitted"):
        export_heads(RejectionHeads())
