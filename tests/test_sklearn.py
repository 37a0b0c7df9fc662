"""rejectlens.sklearn.RejectionClassifier: a scikit-learn classifier on raw texts.

scikit-learn's estimator checks build numeric 2-D arrays; an estimator whose
tags say "strings, not a 2-D array" (like CountVectorizer) is skipped by
them, and ``parametrize_with_checks`` yields only the clone check for it. So
this file runs that check, the API checks that need no data, and text
versions of the data checks that apply (fit returns self, fit leaves the
parameters alone, not fitted before fit, same answers for a subset and in
another order, reproducible fits).
"""

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks as checks
from sklearn.utils.estimator_checks import parametrize_with_checks

import rejectlens.sklearn
from rejectlens.errors import InputError
from rejectlens.sklearn import RejectionClassifier


@pytest.fixture(scope="module")
def texts_labels(small_records):
    return [r["body"] for r in small_records], [r["is_rejection"] for r in small_records]


@pytest.fixture(scope="module")
def fitted(texts_labels):
    X, y = texts_labels
    return RejectionClassifier(model=None, threshold_cv=2, min_df=1).fit(X, y)


def test_inside_the_package_sklearn_is_scikit_learn():
    assert rejectlens.sklearn.BaseEstimator.__module__ == "sklearn.base"


with warnings.catch_warnings():
    # the skip of the numeric checks is asserted below
    warnings.simplefilter("ignore", SkipTestWarning)
    _checks_that_apply = parametrize_with_checks([RejectionClassifier()])


@_checks_that_apply
def test_sklearn_checks_that_apply_to_text(estimator, check):
    check(estimator)


@pytest.mark.parametrize("check", [
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_parameters_default_constructible,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_mixin_order,
    checks.check_estimator_tags_renamed,
])
def test_sklearn_api_checks_without_data(check):
    check("RejectionClassifier", RejectionClassifier())


def test_numeric_checks_are_skipped_for_text_input_and_say_why():
    with pytest.warns(SkipTestWarning, match="string=True"):
        names = [getattr(c, "func", c).__name__
                 for _, c in checks.estimator_checks_generator(RejectionClassifier(), mark="skip")]
    assert names == ["check_estimator_cloneable"]


def test_clone_keeps_only_init_params(fitted):
    c = clone(fitted)
    assert c.get_params() == fitted.get_params()
    assert not hasattr(c, "model_") and not hasattr(c, "classes_")
    assert set(RejectionClassifier().get_params()) == {
        "model", "target", "refit", "text_column", "threshold_cv", "C", "min_df", "seed"}


def test_fit_learns_the_labels_and_returns_self(texts_labels):
    X, y = texts_labels
    clf = RejectionClassifier(model=None, threshold_cv=2, min_df=1)
    params = clf.get_params()
    assert clf.fit(X, y) is clf
    assert clf.get_params() == params  # fit does not touch the parameters
    assert list(clf.classes_) == [False, True]
    assert clf.model_.fallback is None and list(clf.model_.compiled()[1].heads_) == ["is_rejection"]
    assert clf.predict(X).tolist() == y
    assert clf.score(X, y) == 1.0
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba[:, 1] >= clf.threshold_) == clf.predict(X)).all()


def test_fit_is_reproducible_and_order_and_subset_invariant(texts_labels, fitted):
    X, y = texts_labels
    again = RejectionClassifier(model=None, threshold_cv=2, min_df=1).fit(X, y)
    assert np.array_equal(again.predict_proba(X), fitted.predict_proba(X))
    full = fitted.predict_proba(X)
    order = np.random.default_rng(0).permutation(len(X))
    assert np.array_equal(fitted.predict_proba([X[i] for i in order]), full[order])
    assert np.array_equal(fitted.predict_proba(X[:5]), full[:5])


def test_refit_none_is_the_model_as_it_is(default_model):
    X = ["Thank you for applying. We have decided to move forward with other candidates.",
         "Could you do a call on Tuesday at 3pm?"]
    clf = RejectionClassifier(model=default_model, refit="none").fit(X, [True, False])
    assert clf.model_ is default_model
    preds = [default_model.classify(x) for x in X]
    assert clf.predict(X).tolist() == [p.is_rejection for p in preds] == [True, False]
    assert clf.predict_proba(X)[:, 1].tolist() == [p.rejection_score for p in preds]
    assert clf.threshold_ == default_model.thresholds["is_rejection"]


def test_target_job_related_trains_on_top_of_the_bundled_model():
    job = ["Your interview for the Data Analyst role is on Monday at 10.",
           "Thanks for applying to Acme; we have received your application for the Nurse role.",
           "We would like to invite you to a second interview for the Designer position."]
    other = ["Your parcel from Shopwise is out for delivery today.",
             "Your electricity bill for March is ready to view.",
             "Mum says dinner is at seven on Sunday, bring the salad."]
    X = [f"{t} Ref {k}." for k in range(4) for t in job + other]
    y = [t in job for k in range(4) for t in job + other]
    clf = RejectionClassifier(target="job_related", threshold_cv=2, min_df=1).fit(X, y)
    assert "job_related" in clf.model_.compiled()[1].heads_
    assert clf.model_.fallback is not None  # is_rejection and the rest from the bundled model
    assert clf.predict(X).tolist() == y
    assert clf.predict_proba(X)[:, 1].tolist() == [p.job_related_score for p in clf.model_.classify_many(X)]


def test_cross_val_score_grid_search_and_a_users_pipeline(small_records):
    df = pd.DataFrame(small_records)
    y = df["is_rejection"].astype(int)  # 1/0 labels work as well as True/False
    clf = RejectionClassifier(model=None, text_column="body", threshold_cv=2, min_df=1)
    scores = cross_val_score(clf, df, y, cv=2)
    assert scores.shape == (2,) and scores.min() >= 0.8
    grid = GridSearchCV(clf, {"C": [0.5, 8.0]}, cv=2, scoring="roc_auc").fit(df, y)
    assert grid.best_params_["C"] in (0.5, 8.0) and grid.best_score_ >= 0.8
    assert grid.best_estimator_.predict(df).tolist() == df["is_rejection"].tolist()
    # a user's own step in front: subject and body joined into one text
    pipe = Pipeline([
        ("join", FunctionTransformer(lambda d: d["subject"] + "\n\n" + d["body"])),
        ("clf", RejectionClassifier(model=None, threshold_cv=2, min_df=1)),
    ])
    assert cross_val_score(pipe, df, y, cv=2).min() >= 0.8


@pytest.mark.parametrize("shape", ["list", "array", "column", "series", "frame", "frame_col", "values",
                                   "index"])
def test_text_containers(fitted, texts_labels, shape):
    X, y = texts_labels

    def given(X):
        return {
            "list": lambda: X,
            "array": lambda: np.array(X, dtype=object),
            "column": lambda: np.array(X, dtype=object).reshape(-1, 1),
            "series": lambda: pd.Series(X, index=range(10, 10 + len(X))),
            "frame": lambda: pd.DataFrame({"text": X}),
            "frame_col": lambda: pd.DataFrame({"n": range(len(X)), "body": X}),
            # Series.values: a pandas string array on pandas 3, not numpy
            "values": lambda: pd.Series(X, dtype="string").values,
            "index": lambda: pd.Index(X),
        }[shape]()

    # fit and predict take the same containers, and fit the same model from them
    clf = clone(fitted).set_params(text_column="body" if shape == "frame_col" else None)
    clf.fit(given(X), y)
    assert np.array_equal(clf.predict_proba(given(X[:4])), fitted.predict_proba(X[:4]))


@pytest.mark.parametrize(("X", "match"), [
    ([1.5, 2.0], r"expected a str \(the email text\) in every row; found row 0 \(float\), row 1 \(float\)"),
    (["ok text", None], r"found row 1 \(NoneType\)"),
    (np.zeros((2, 3)), r"expected texts as a 1-D sequence or one column; got an array of shape \(2, 3\)"),
    ("one email", r"got a single str: wrap it in a list"),
    (pd.DataFrame({"a": ["x"], "b": ["y"]}), r"one text column, or text_column=<name>; found 2 columns: a, b"),
    ({"body": "x"}, r"expected a sequence of texts .*; got dict"),
    ([], r"expected at least one text"),
])
def test_non_text_input_says_what_it_expected(fitted, X, match):
    with pytest.raises(InputError, match=match):
        fitted.predict(X)


@pytest.mark.parametrize(("params", "y", "match"), [
    ({}, ["yes", "no"], r"expected is_rejection labels True/False \(or 1/0\); found row 0 \('yes'\), row 1 \('no'\)"),
    ({}, [True], r"X has 2 texts but y has 1 labels"),
    ({"target": "reasons"}, [True, False], r"target must be one of is_rejection, job_related; got 'reasons'"),
    ({"refit": "all"}, [True, False], r"refit must be one of heads, none; got 'all'"),
    ({"model": None, "refit": "none"}, [True, False], r"model=None means 'no base model'"),
    ({"model": "none", "refit": "none"}, [True, False], r"model=None means 'no base model'"),
    ({"model": None, "target": "job_related"}, [True, False], r"cannot tell rejections"),
    ({"model": 3}, [True, False], r"model must be 'default', a model directory path.*; got int"),
    ({"text_column": "body"}, [True, False], r"text_column='body' needs a pandas DataFrame; got list"),
])
def test_bad_fit_arguments(params, y, match):
    with pytest.raises(InputError, match=match):
        RejectionClassifier(**params).fit(["a text", "another text"], y)


def test_a_column_vector_y_and_empty_rows_in_fit(texts_labels):
    from sklearn.exceptions import DataConversionWarning

    X, y = texts_labels
    with pytest.warns(DataConversionWarning):  # flattened, as scikit-learn's own estimators do
        clf = RejectionClassifier(refit="none").fit(X, np.array(y).reshape(-1, 1))
    assert clf.predict(X).shape == (len(X),)
    with pytest.raises(InputError, match=r"found none \(no letter or digit\) in row 0$"):  # counted as predict
        RejectionClassifier().fit(["", *X[1:]], y)


def test_not_fitted_and_unreadable_rows(fitted):
    with pytest.raises(NotFittedError):
        RejectionClassifier().predict(["text"])
    with pytest.raises(InputError, match=r"1 of 2 texts could not be classified \(row 1: empty body"):
        fitted.predict(["We will not be moving forward with your application.", "   "])


def test_docstring_example():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        failures, tried = doctest.testmod(rejectlens.sklearn, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_model_none_as_text_trains_from_scratch(texts_labels, fitted):
    X, y = texts_labels
    clf = RejectionClassifier(model="none", threshold_cv=2, min_df=1).fit(X, y)
    assert clf.model_.fallback is None
    assert np.array_equal(clf.predict_proba(X), fitted.predict_proba(X))


def test_a_model_without_the_target_head_is_refused(fitted):
    # fitted.model_ learnt is_rejection only, with no base model behind it
    with pytest.raises(InputError, match=r"the model has no job_related head \(its heads: is_rejection\)"):
        RejectionClassifier(model=fitted.model_, target="job_related", refit="none").fit(["a text"], [True])


def test_too_few_examples_of_a_class_is_a_data_error():
    from rejectlens.errors import DataError

    X = ["We will not be moving forward with your application."] * 5 + ["Lunch at noon?"]
    with pytest.raises(DataError, match=r"at least 3 examples of every class.*is_rejection \{'false': 1, 'true': 5\}"):
        RejectionClassifier().fit(X, [True] * 5 + [False])
