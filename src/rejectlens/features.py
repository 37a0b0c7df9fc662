"""Vectorise analysed emails: word TF-IDF plus named cue and flag features.

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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .analyse import Analysis

__all__ = ["CueVectorizer", "EmailVectorizer"]

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
    "greeting_named",
    "no_named_greeting",
    "short_message",
    "long_message",
)

_DIGITS = re.compile(r"\d")


def _normalise_text(text: str) -> str:
    # Requisition numbers, dates and phone numbers are mail-merge noise; fold
    # every digit so "REQ-48213" and "REQ-99120" look alike.
    return _DIGITS.sub("0", text.lower())


class CueVectorizer(TransformerMixin, BaseEstimator):
    """Counts of each named cue (capped, scaled to [0, 1]) and 0/1 cleaning flags.

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

    def _rows(self, items: Sequence[tuple[Sequence[tuple[str, int, int]], frozenset[str]]]):
        check_is_fitted(self, "cue_names_")
        n_cues = len(self.cue_names_)
        cue_index = {n: i for i, n in enumerate(self.cue_names_)}
        flag_index = {n: n_cues + i for i, n in enumerate(self.flag_names_)}
        rows, cols, vals = [], [], []
        for r, (cues, flags) in enumerate(items):
            counts: dict[int, int] = {}
            for label, _, _ in cues:
                j = cue_index.get(label)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for j, c in counts.items():
                rows.append(r)
                cols.append(j)
                vals.append(min(c, self.cap) / self.cap)
            for f in flags:
                j = flag_index.get(f)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append(1.0)
        shape = (len(items), n_cues + len(self.flag_names_))
        return sp.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float64)

    def transform(self, X: Sequence[Analysis]):
        return self._rows([(a.cues, a.flags) for a in X])

    def transform_sentences(self, X: Sequence[Analysis]):
        """One row per sentence; flags describe the email, so they are left out."""
        items = []
        for a in X:
            for s, e in a.sentences:
                items.append(([c for c in a.cues if c[1] >= s and c[2] <= e], frozenset()))
        return self._rows(items)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "cue_names_")
        return np.asarray(
            [f"cue__{n}" for n in self.cue_names_] + [f"flag__{n}" for n in self.flag_names_],
            dtype=object,
        )


class EmailVectorizer(TransformerMixin, BaseEstimator):
    """Word 1-2-gram TF-IDF of the cleaned text, stacked with :class:`CueVectorizer`.

    Character n-grams were left out on purpose: they cost ~6x the time per
    email for little gain on text this formulaic.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 60000,
        cue_weight: float = 1.0,
        cue_names: Sequence[str] | None = None,
    ):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.cue_weight = cue_weight
        self.cue_names = cue_names

    def fit(self, X: Sequence[Analysis], y=None):
        self.words_ = TfidfVectorizer(
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            preprocessor=_normalise_text,
            dtype=np.float64,
        ).fit([a.text for a in X])
        self.cues_ = CueVectorizer(cue_names=self.cue_names).fit(X)
        return self

    def transform(self, X: Sequence[Analysis]):
        check_is_fitted(self, "words_")
        words = self.words_.transform([a.text for a in X])
        cues = self.cues_.transform(X) * self.cue_weight
        return sp.hstack([words, cues], format="csr")

    def transform_sentences(self, X: Sequence[Analysis]):
        """One row per sentence of every email, in order (for evidence)."""
        check_is_fitted(self, "words_")
        texts = [a.text[s:e] for a in X for s, e in a.sentences]
        words = self.words_.transform(texts)
        cues = self.cues_.transform_sentences(X) * self.cue_weight
        return sp.hstack([words, cues], format="csr")

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "words_")
        words = [f"word__{w}" for w in self.words_.get_feature_names_out()]
        return np.asarray(words + list(self.cues_.get_feature_names_out()), dtype=object)
