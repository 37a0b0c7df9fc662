"""The project's own corpus (``data/``): load it, split it, check it, build the bundled model from it.

:mod:`.load` reads ``data/written`` and ``data/composed`` with the decision
marks of ``data/decisions``; :mod:`.splits` deals template groups to
train / dev / test; :mod:`.check` is ``rejectlens data check``; :mod:`.tags`
lists the kinds of email; :mod:`.build` trains and writes ``models/default``
with its card (``make model``; imported on its own, as it needs training).
Reading any labelled file is :mod:`rejectlens.records`.
"""

from .check import MINIMUMS, CheckReport, check_corpus, coverage
from .load import bundled_corpus, load_corpus
from .splits import SPLITS, assign_splits, split_records

__all__ = [
    "MINIMUMS",
    "SPLITS",
    "CheckReport",
    "assign_splits",
    "bundled_corpus",
    "check_corpus",
    "coverage",
    "load_corpus",
    "split_records",
]
