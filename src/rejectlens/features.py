"""Vectorise analysed emails: word TF-IDF, named cue and flag features, and the
strongest decision sentence (:mod:`rejectlens.decision`).

Both transformers take a sequence of :class:`~rejectlens.analyse.Analysis`
and follow scikit-learn conventions, with flat self-describing feature names
(``word__not moving``, ``cue__decision_negative``, ``flag__noreply_sender``)
so heads and evidence can say which features weighed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from .analyse import SCOPE_PREFIX, Analysis
from .batch_rows import cue_items, cue_matrix, cue_sentence_matrix
from .decision import (
    decision_features,
    near_miss_features,
    near_miss_targets,
    sentence_targets,
)
from .export import export_vectorizer
from .negation import negated
from .sentence_fit import fit_reason_support, fit_sentence_model, out_of_fold_scores
from .tfidf import tfidf_matrix, token_terms

__all__ = ["CueVectorizer", "EmailVectorizer", "TokenTfidf"]

# Cleaning and sender flags the heads read. Greeting and length flags stay
# out: they still show in ``signals``, but the team's writers greeted by name
# and wrote at lengths real mail does not share, and the heads learnt that
# instead of the text (docs/decisions.md, "Early").
FLAGS: tuple[str, ...] = (
    "forwarded",
    "quoted_reply_removed",
    "html_converted",
    "signature_removed",
    "sent_from_mobile",
    "footer_removed",
    "unsubscribe_footer",
    "unfilled_merge_field",
    "noreply_sender",
    "truncated",
    "first_person_writer",
    "employer_voice",
)

_DIGITS = re.compile(r"\d+")


class CueVectorizer(TransformerMixin, BaseEstimator):
    """Counts of each named cue (capped, scaled to [0, 1]) and 0/1 cleaning flags.

    Takes a list of :class:`Analysis` (cue spans and flags), not an array, so
    scikit-learn's ``check_estimator`` cannot drive it; tests/test_features.py
    checks its scikit-learn contract directly.

    Parameters
    ----------
    cue_names : sequence of str or None
        The cue labels to emit; None learns them from the data in ``fit``.
    cap : int
        Counts above ``cap`` are clipped, so one long footer cannot dominate.
    """

    def __init__(self, cue_names: Sequence[str] | None = None, cap: int = 3):
        self.cue_names = cue_names
        self.cap = cap

    def fit(self, X: Sequence[Analysis], y=None):
        names = self.cue_names
        if names is None:
            names = sorted({label for a in X for label, _, _ in a.cues})
        self.cue_names_ = list(names)
        self.flag_names_ = list(FLAGS)
        return self

    def _rows(self, items):
        check_is_fitted(self, "cue_names_")
        return cue_matrix(items, self.cue_names_, self.flag_names_, self.cap)

    def transform(self, X: Sequence[Analysis]):
        return self._rows(cue_items(X))

    def transform_sentences(self, X: Sequence[Analysis]):
        """One row per sentence; flags describe the email, so they are left out."""
        check_is_fitted(self, "cue_names_")
        return cue_sentence_matrix(X, self.cue_names_, len(self.flag_names_), self.cap)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "cue_names_")
        return np.asarray(
            [f"cue__{n}" for n in self.cue_names_] + [f"flag__{n}" for n in self.flag_names_],
            dtype=object,
        )


class TokenTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over the word tokens spaCy already found, unigrams and bigrams.

    Takes a list of :class:`Analysis`, not an array, so scikit-learn's
    ``check_estimator`` cannot drive it (tests/test_features.py checks clone,
    ``get_params``, the not-fitted error, pickling and names-equal-width).
    ``fit`` counts with scikit-learn (``CountVectorizer`` over the hashed token
    ids of :class:`Analysis`, so text is tokenized once, by spaCy) and takes
    ``idf_`` from ``TfidfTransformer(smooth_idf=True, sublinear_tf=True)``:
    bit for bit the numbers of the hand-written weighting it replaced. Two
    parts stay ours (docs/decisions.md, "TF-IDF"): the ``max_features`` cap
    ranks terms by document frequency where scikit-learn ranks by total count,
    and ``transform`` is the runtime's numpy (:func:`rejectlens.tfidf.tfidf_matrix`,
    the same sublinear tf x idf with L2 rows, equal to ``TfidfVectorizer`` to
    1e-12 in the tests) because a loaded model must score without importing
    scikit-learn, and sentence rows cut bigrams at sentence ends.

    Parameters
    ----------
    ngram_range : (int, int)
        (1, 1) or (1, 2).
    min_df : int
        Keep terms seen in at least this many emails.
    max_features : int or None
        Keep at most this many terms, the most frequent first.

    ``fit`` takes ``idf_rows`` (one bool per email, or None for all): the
    emails whose document frequencies set ``idf_`` (all of them when it
    selects none). The vocabulary comes from every email either way.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 max_features: int | None = 60000):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _terms(self, a: Analysis, by_sentence: bool = False):
        return token_terms(a, self.ngram_range, by_sentence)

    def fit(self, X: Sequence[Analysis], y=None, idf_rows: Sequence[bool] | None = None):
        if tuple(self.ngram_range) not in ((1, 1), (1, 2), (2, 2)):
            raise ValueError(f"ngram_range must be (1, 1), (1, 2) or (2, 2); got {self.ngram_range!r}")
        counts, ids = self._counts(X)
        df = np.bincount(counts.indices, minlength=len(ids))
        if self.max_features is not None and len(ids) > self.max_features:
            # Ours, not CountVectorizer's cap: it ranks by total count, this by
            # document frequency (ties by id), as every model so far was built.
            order = np.lexsort((ids, -df))[: self.max_features]
            order.sort()
            counts, ids = counts[:, order], ids[order]
        self.vocabulary_ids_ = ids
        if idf_rows is not None:
            rows = np.asarray(idf_rows, dtype=bool)
            if rows.shape != (len(X),):
                raise ValueError(f"idf_rows must hold one bool per email ({len(X)}); got shape {rows.shape}")
            if rows.any():
                counts = counts[rows]
        if len(ids):
            self.idf_ = TfidfTransformer(smooth_idf=True, sublinear_tf=True).fit(counts).idf_
        else:
            self.idf_ = np.zeros(0)
        self.feature_names_ = self._names(X, ids)
        return self

    def _counts(self, X: Sequence[Analysis]) -> tuple[sp.csr_matrix, np.ndarray]:
        """(term counts per email, term id of each column, ascending) of the terms
        in at least ``min_df`` emails: scikit-learn's counting over our term ids."""
        counter = CountVectorizer(analyzer=lambda a: self._terms(a)[0].tolist(), min_df=self.min_df,
                                  dtype=np.float64)
        try:
            counts = counter.fit_transform(X)
        except ValueError:  # no term in enough emails (or no text at all)
            return sp.csr_matrix((len(X), 0)), np.zeros(0, np.uint64)
        ids = np.fromiter(sorted(counter.vocabulary_), dtype=np.uint64, count=len(counter.vocabulary_))
        return counts.tocsr(), ids

    def _names(self, X: Sequence[Analysis], ids: np.ndarray) -> list[str]:
        # Names come from the first email holding each term (token text,
        # lower-cased, digits as in the shape the id stands for).
        terms, docs, where, is_bigram = [], [], [], []
        for d, a in enumerate(X):
            t, w = self._terms(a)
            n_uni = len(a.tok_ids) if self.ngram_range[0] <= 1 else 0
            terms.append(t)
            where.append(w)
            docs.append(np.full(len(t), d))
            is_bigram.append(np.arange(len(t)) >= n_uni)
        if not terms:
            return []
        terms_a, docs_a = np.concatenate(terms), np.concatenate(docs)
        where_a, bigram_a = np.concatenate(where), np.concatenate(is_bigram)
        _, first = np.unique(terms_a, return_index=True)
        first = first[np.isin(terms_a[first], ids)]
        names = {}
        for k in first:
            a, i = X[int(docs_a[k])], int(where_a[k])
            name = _token_text(a, i)
            names[int(terms_a[k])] = f"{name} {_token_text(a, i + 1)}" if bigram_a[k] else name
        return [names[int(i)] for i in ids]

    def _matrix(self, X: Sequence[Analysis], by_sentence: bool):
        check_is_fitted(self, "vocabulary_ids_")
        return tfidf_matrix(X, self.vocabulary_ids_, self.idf_, self.ngram_range, by_sentence)

    def transform(self, X: Sequence[Analysis]):
        return self._matrix(X, by_sentence=False)

    def transform_sentences(self, X: Sequence[Analysis]):
        """One row per sentence of every email, in order."""
        return self._matrix(X, by_sentence=True)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vocabulary_ids_")
        return np.asarray(self.feature_names_, dtype=object)


def _token_text(a: Analysis, i: int) -> str:
    # spaCy shapes cap a run of one character class at four
    text = a.text[int(a.tok_start[i]) : int(a.tok_end[i])].lower()
    prefix = SCOPE_PREFIX[int(a.tok_scope[i])] if len(a.tok_scope) > i else ""
    return prefix + _DIGITS.sub(lambda m: "d" * min(len(m.group()), 4), text)


class EmailVectorizer(TransformerMixin, BaseEstimator):
    """Word 1-2-gram TF-IDF (:class:`TokenTfidf`), stacked with :class:`CueVectorizer`
    and, when decision sentences are given to ``fit``, the decision features of
    :mod:`rejectlens.decision` (and its near-miss feature, when ``twins`` are
    given too).

    Character n-grams were left out on purpose: they cost ~6x the time per
    email for little gain on text this formulaic. Like its parts it takes a
    list of :class:`Analysis`, not an array (no ``check_estimator``; see
    tests/test_features.py), and :func:`rejectlens.export.export_vectorizer`
    turns it into the runtime's :class:`~rejectlens.scoring.CompiledVectorizer`.

    Parameters
    ----------
    decision_C : float
        Inverse regularisation of the decision-sentence logistic regression.
    decision_cv : int
        Folds for the out-of-fold sentence scores ``fit_transform`` returns.
    decision_weight : float
        Scale of the decision features: smaller asks the heads for stronger
        evidence before they lean on the sentence model.
    near_miss_weight : float
        Scale of the near-miss feature.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 60000,
        cue_weight: float = 1.0,
        cue_names: Sequence[str] | None = None,
        decision_C: float = 4.0,
        decision_cv: int = 5,
        decision_weight: float = 1.0,
        near_miss_weight: float = 1.0,
    ):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.cue_weight = cue_weight
        self.cue_names = cue_names
        self.decision_C = decision_C
        self.decision_cv = decision_cv
        self.decision_weight = decision_weight
        self.near_miss_weight = near_miss_weight

    def fit(self, X: Sequence[Analysis], y=None, decisions=None, is_rejection=None, groups=None,
            twins=None, reasons=None, job_related=None):
        """Learn vocabulary and cues (word weights from the emails whose
        ``job_related`` is not False, when it is given); with ``decisions``
        (marked decision sentences per email, None where unknown) and
        ``is_rejection``, the sentence model;
        with ``twins`` too (each email's contrast twin by index, or None; see
        :func:`rejectlens.decision.twin_indices`), the near-miss model; with
        ``reasons`` too (each rejection's reason labels, None for other emails),
        the reason-sentence models."""
        self.fit_transform(X, y, decisions=decisions, is_rejection=is_rejection, groups=groups,
                           twins=twins, reasons=reasons, job_related=job_related)
        return self

    def fit_transform(self, X: Sequence[Analysis], y=None, decisions=None, is_rejection=None,
                      groups=None, twins=None, reasons=None, job_related=None):
        """Fit, and return the training rows with out-of-fold sentence-model features."""
        # Word weights measure how rare a word is in job mail: every head but
        # the job gate judges job mail only, and a wave of short personal notes
        # otherwise reweighs "thank you for your time" for all of them
        # (docs/decisions.md, "Short notes between people"). Non-job mail still
        # brings its words into the vocabulary, so the job gate can read them.
        idf_rows = None if job_related is None else [j is not False for j in job_related]
        self.words_ = TokenTfidf(
            ngram_range=tuple(self.ngram_range), min_df=self.min_df, max_features=self.max_features
        ).fit(X, idf_rows=idf_rows)
        self.cues_ = CueVectorizer(cue_names=self.cue_names).fit(X)
        self.decision_coef_, self.decision_intercept_ = None, 0.0
        self.near_miss_coef_, self.near_miss_intercept_ = None, 0.0
        self.sentence_words_ = None
        self.reason_names_, self.reason_coef_, self.reason_intercept_ = [], None, None
        self.reason_veto_, self.reason_counts_, self.reason_oof_support_ = [], {}, {}
        base = export_vectorizer(self)
        if decisions is None or is_rejection is None:
            return base.transform(X)
        rows, S = base.base_both(X)
        n_sent = [len(a.sentences) for a in X]
        target = np.concatenate(
            [sentence_targets(a, d, r) for a, d, r in zip(X, decisions, is_rejection)]
            or [np.zeros(0, np.int8)]
        )
        if not ((target == 1).any() and (target == 0).any()):
            return rows
        # the sentence models' own terms: words after a negation are other words
        self.sentence_words_ = TokenTfidf(
            ngram_range=tuple(self.ngram_range), min_df=self.min_df, max_features=self.max_features
        ).fit(negated(X), idf_rows=idf_rows)
        D = export_vectorizer(self).sentence_model_rows(X, S)
        owner = np.repeat(np.arange(len(X)), n_sent)
        oof = out_of_fold_scores(D, target, owner, groups, self.decision_C, self.decision_cv)
        self.decision_coef_, self.decision_intercept_ = fit_sentence_model(D, target, self.decision_C)
        self.decision_counts_ = {"decision": int((target == 1).sum()),
                                 "other": int((target == 0).sum()),
                                 "unknown": int((target < 0).sum())}
        feats = [decision_features(oof, n_sent) * self.decision_weight]
        near = (near_miss_targets(X, twins, is_rejection) if twins is not None
                else np.zeros(len(target), np.int8))
        self.near_miss_counts_ = {"near_miss": int(near.sum()), "other": int(len(near) - near.sum())}
        if near.any():
            oof_near = out_of_fold_scores(D, near, owner, groups, self.decision_C, self.decision_cv)
            self.near_miss_coef_, self.near_miss_intercept_ = fit_sentence_model(D, near, self.decision_C)
            feats.append(near_miss_features(oof_near, n_sent) * self.near_miss_weight)
        fit = None if reasons is None else fit_reason_support(
            S, D, reasons, n_sent, owner, groups, len(self.words_.vocabulary_ids_),
            self.cues_.cue_names_, self.decision_C, self.decision_cv)
        if fit is not None:
            self.reason_names_, self.reason_coef_, self.reason_intercept_ = fit.names, fit.coef, fit.intercept
            # no veto until the pipeline has seen the heads (veto_thresholds)
            self.reason_counts_, self.reason_veto_ = fit.counts, [0.0] * len(fit.names)
            self.reason_oof_support_ = dict(zip(fit.names, fit.support.T))
            feats.append(fit.support)
        return sp.hstack([rows, sp.csr_matrix(np.hstack(feats))], format="csr")

    # Transforming goes through the runtime's arithmetic, so a model scores
    # the same before and after it is saved.
    def transform(self, X: Sequence[Analysis]):
        check_is_fitted(self, "words_")
        return export_vectorizer(self).transform(X)

    def transform_sentences(self, X: Sequence[Analysis]):
        """One row per sentence of every email, in order (for evidence)."""
        check_is_fitted(self, "words_")
        return export_vectorizer(self).transform_sentences(X)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "words_")
        words = [f"word__{w}" for w in self.words_.get_feature_names_out()]
        extra = export_vectorizer(self).feature_names_extra
        return np.asarray(words + list(self.cues_.get_feature_names_out()) + extra, dtype=object)
