import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rejectlens.analyse import Analysis
from rejectlens.features import CueVectorizer, EmailVectorizer

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


def test_email_vectorizer_contract():
    v = EmailVectorizer(min_df=1)
    assert clone(v).get_params() == v.get_params()
    with pytest.raises(NotFittedError):
        v.transform(DOCS)
    X = v.fit(DOCS).transform(DOCS)
    assert X.shape[1] == len(v.get_feature_names_out())
    again = pickle.loads(pickle.dumps(v))
    assert np.allclose(again.transform(DOCS).toarray(), X.toarray())


def test_digits_are_folded():
    v = EmailVectorizer(min_df=1).fit([*DOCS, Analysis("req 48213", ((0, 9),), (), frozenset())])
    assert "word__req 00000" in set(v.get_feature_names_out())
