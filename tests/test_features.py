import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rejectlens.analyse import Analyser, Analysis
from rejectlens.clean import Cleaned
from rejectlens.features import CueVectorizer, EmailVectorizer, TokenTfidf

DOCS = [
    Analysis("we regret. other candidates", ((0, 10), (11, 27)),
             (("decision_negative", 3, 9), ("other_candidates", 11, 27)), frozenset({"noreply_sender"})),
    Analysis("thanks for applying", ((0, 19),), (("acknowledgement", 0, 19),), frozenset()),
    Analysis("", (), (), frozenset()),
]


def test_cue_vectorizer_names_and_width_match():
    v = CueVectorizer(cue_names=["acknowledgement", "decision_negative", "other_candidates"]).fit(DOCS)
    X = v.transform(DOCS)
    names = v.get_feature_names_out()
    assert X.shape == (3, len(names))
    assert "cue__decision_negative" in names and "flag__noreply_sender" in names
    row = dict(zip(names, X.toarray()[0]))
    assert row["flag__noreply_sender"] == 1.0 and row["cue__acknowledgement"] == 0.0
    assert 0 < row["cue__decision_negative"] <= 1


def test_sentence_rows_hold_only_their_cues():
    v = CueVectorizer().fit(DOCS)
    S = v.transform_sentences(DOCS)
    assert S.shape[0] == 3  # sentences: 2 + 1 + 0
    names = list(v.get_feature_names_out())
    assert S[0, names.index("cue__other_candidates")] == 0
    assert S[1, names.index("cue__other_candidates")] > 0


@pytest.fixture(scope="module")
def docs():
    texts = ["Dear Jo, we regret. Other candidates were stronger.", "Thanks for applying to REQ-48213!",
             "We regret to say the role is filled.", ""]
    return Analyser().analyse([Cleaned(t, frozenset()) for t in texts], [""] * 4, [""] * 4)


def test_email_vectorizer_contract(docs):
    v = EmailVectorizer(min_df=1)
    assert clone(v).get_params() == v.get_params()
    with pytest.raises(NotFittedError):
        v.transform(docs)
    X = v.fit(docs).transform(docs)
    assert X.shape == (4, len(v.get_feature_names_out()))
    assert np.allclose(np.linalg.norm(v.words_.transform(docs).toarray()[:3], axis=1), 1)
    again = pickle.loads(pickle.dumps(v))
    assert np.allclose(again.transform(docs).toarray(), X.toarray())


def test_token_tfidf_matches_scikit_learn_weighting(docs):
    from sklearn.feature_extraction.text import TfidfVectorizer

    plain = [docs[0], docs[2]]  # no digits: token text and id agree
    ours = TokenTfidf(ngram_range=(1, 1), min_df=1).fit(plain)
    texts = [" ".join(d.text[s:e].lower() for s, e in zip(d.tok_start, d.tok_end)) for d in plain]
    ref = TfidfVectorizer(sublinear_tf=True, token_pattern=r"\S+", lowercase=False).fit(texts)
    names = list(ours.get_feature_names_out())
    order = [list(ref.get_feature_names_out()).index(n) for n in names]
    assert np.allclose(ours.transform(plain).toarray(), ref.transform(texts).toarray()[:, order])


def test_sentence_rows_split_bigrams_at_sentence_ends(docs):
    v = TokenTfidf(min_df=1).fit(docs)
    S = v.transform_sentences(docs)
    assert S.shape[0] == sum(len(d.sentences) for d in docs)
    names = list(v.get_feature_names_out())
    assert "regret other" in names  # seen across the boundary in the whole email ...
    assert S[:, names.index("regret other")].sum() == 0  # ... but never inside one sentence


def test_digits_are_folded_to_shapes(docs):
    v = TokenTfidf(min_df=1).fit(docs)
    assert "req-dddd" in set(v.get_feature_names_out())


# Transformers on Analysis lists cannot run check_estimator (it feeds arrays);
# these are the parts of scikit-learn's contract that apply to them.
@pytest.mark.parametrize("make", [lambda: CueVectorizer(cap=2), lambda: TokenTfidf(min_df=1, max_features=50),
                                  lambda: EmailVectorizer(min_df=1, cue_weight=0.5)])
def test_analysis_transformers_follow_the_scikit_learn_contract(make, docs):
    est = make()
    params = est.get_params()
    assert clone(est).get_params() == params
    assert not [k for k in vars(est) if k.endswith("_")]  # __init__ only stores parameters
    with pytest.raises(NotFittedError):
        est.transform(docs)
    X = est.fit_transform(docs)
    assert est.get_params() == params  # fit leaves the parameters alone
    np.testing.assert_array_equal(X.toarray(), est.transform(docs).toarray())
    assert X.shape == (len(docs), len(est.get_feature_names_out()))
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(docs).toarray(), X.toarray())
    assert clone(est).fit(docs).get_feature_names_out().tolist() == est.get_feature_names_out().tolist()


def test_idf_is_scikit_learn_smooth_idf(docs):
    v = TokenTfidf(min_df=1).fit(docs)
    df = np.array([sum(int(t in set(v._terms(d)[0].tolist())) for d in docs) for t in v.vocabulary_ids_])
    np.testing.assert_array_equal(v.idf_, np.log((1 + len(docs)) / (1 + df)) + 1.0)
    assert list(v.vocabulary_ids_) == sorted(v.vocabulary_ids_)


def test_idf_rows_set_the_weights_and_every_email_the_vocabulary(docs):
    rows = [i % 2 == 0 for i in range(len(docs))]
    full = TokenTfidf(min_df=1).fit(docs)
    some = TokenTfidf(min_df=1).fit(docs, idf_rows=rows)
    np.testing.assert_array_equal(some.vocabulary_ids_, full.vocabulary_ids_)
    kept = [d for d, r in zip(docs, rows) if r]
    df = np.array([sum(int(t in set(some._terms(d)[0].tolist())) for d in kept) for t in some.vocabulary_ids_])
    np.testing.assert_allclose(some.idf_, np.log((1 + len(kept)) / (1 + df)) + 1.0)
    # a word only the other emails hold weighs what an unseen word would
    assert some.idf_.max() == pytest.approx(np.log(1 + len(kept)) + 1.0)
    with pytest.raises(ValueError, match="one bool per email"):
        TokenTfidf(min_df=1).fit(docs, idf_rows=rows[:-1])
    # selecting no email is no selection: every email counts
    np.testing.assert_array_equal(TokenTfidf(min_df=1).fit(docs, idf_rows=[False] * len(docs)).idf_, full.idf_)


def test_email_vectorizer_weighs_words_by_the_job_mail(docs):
    # None (unlabelled) counts as job mail; only a False leaves the weights
    v = EmailVectorizer(min_df=1).fit(docs, job_related=[True, False, None, True])
    expected = TokenTfidf(min_df=1).fit(docs, idf_rows=[True, False, True, True])
    np.testing.assert_array_equal(v.words_.idf_, expected.idf_)


def test_max_features_keeps_the_terms_in_most_emails(docs):
    full = TokenTfidf(min_df=1).fit(docs)
    df = {t: sum(int(t in set(full._terms(d)[0].tolist())) for d in docs) for t in full.vocabulary_ids_}
    capped = TokenTfidf(min_df=1, max_features=3).fit(docs)
    expected = sorted(sorted(df, key=lambda t: (-df[t], t))[:3])
    assert list(capped.vocabulary_ids_) == expected
    np.testing.assert_array_equal(capped.idf_, full.idf_[np.searchsorted(full.vocabulary_ids_, expected)])


def test_no_term_in_enough_emails_gives_an_empty_vocabulary(docs):
    v = TokenTfidf(min_df=10).fit(docs)
    assert len(v.vocabulary_ids_) == 0 and v.transform(docs).shape == (len(docs), 0)
