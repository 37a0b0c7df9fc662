"""rejectlens as a spaCy pipeline component.

>>> import spacy
>>> import rejectlens.spacy  # registers the factory (installed packages also find it by entry point)
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("rejectlens")
>>> doc = nlp("Thank you for applying. We have decided to move forward with other candidates.")
>>> doc._.rejection.is_rejection, doc._.rejection.reasons
(True, ('other_candidates',))
>>> [(span.label_, span.text) for span in doc.spans["rejectlens"]]  # doctest: +NORMALIZE_WHITESPACE
[('decision', 'We have decided to move forward with other candidates.'),
 ('other_candidates', 'We have decided to move forward with other candidates.')]

The component reads ``doc.text`` with a rejectlens model (the bundled one, or
``config={"model": "path/to/model"}``), puts the :class:`~rejectlens.Prediction`
in ``doc._.rejection`` and marks each evidence sentence as a span in
``doc.spans["rejectlens"]``, labelled with its key in ``Prediction.evidence``
(``"decision"``, a reason such as ``"position_filled"``, or
``"personalized"``). A doc with no readable text gets a Prediction whose
``error`` says so, and an empty span group. The model runs its own tokenizer
and sentence splitter, so the component works after any other components and
leaves their annotations alone. ``nlp.pipe`` classifies docs in batches.

The factory is registered as ``rejectlens/classifier_v1`` (versioned: a
future component with different outputs gets ``v2``) and under the alias
``rejectlens``. The config stores the model path, not the model: a pipeline
saved with ``nlp.to_disk`` loads the model again from that path (or the
bundled model for ``null``); a relative path is read from the working
directory, so give an absolute one for a pipeline loaded elsewhere.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

# spaCy imports this module through its entry point in every process that
# builds a pipeline, rejectlens's own included: the model is imported only
# when a component is made.
if TYPE_CHECKING:
    from .model import Classifier
    from .prediction import Prediction

__all__ = ["FACTORY", "SPANS_KEY", "NonEnglishPipelineWarning", "RejectionComponent"]

FACTORY = "rejectlens/classifier_v1"
ALIAS = "rejectlens"
SPANS_KEY = "rejectlens"
_CONFIG = {"model": None, "spans_key": SPANS_KEY, "batch_size": 256}

if not Doc.has_extension("rejection"):
    Doc.set_extension("rejection", default=None)

# spaCy packs a Doc's extension values with msgpack (doc.to_bytes, DocBin, and
# nlp.pipe(n_process=...) handing docs between processes): a Prediction travels
# as its dict and comes back a Prediction.
_PACKED = "__rejectlens_prediction__"


def _encode_prediction(obj: Any, chain: Any = None) -> Any:
    from .prediction import Prediction

    if isinstance(obj, Prediction):
        return {_PACKED: obj.to_dict()}
    return obj if chain is None else chain(obj)


def _decode_prediction(obj: Any, chain: Any = None) -> Any:
    if isinstance(obj, dict) and _PACKED in obj:
        from .prediction import Prediction

        d = obj[_PACKED]
        return Prediction(**{k: tuple(v) if k in ("reasons", "signals") and v is not None else v
                             for k, v in d.items()})
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("rejectlens_prediction", func=_encode_prediction)
srsly.msgpack_decoders.register("rejectlens_prediction", func=_decode_prediction)


class NonEnglishPipelineWarning(UserWarning):
    """The component was added to a pipeline whose language is not English."""


class RejectionComponent:
    """Sets ``doc._.rejection`` and ``doc.spans[spans_key]`` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, model: str | None, spans_key: str,
                 batch_size: int) -> None:
        if nlp.lang != "en":
            warnings.warn(
                f"rejectlens reads English email; this pipeline's language is {nlp.lang!r}, so its "
                "labels will be unreliable (each Prediction's `language` field says what the text "
                "is). Add the component to an English pipeline, e.g. spacy.blank('en').",
                NonEnglishPipelineWarning,
                stacklevel=2,
            )
        self.name = name
        self.model = model
        self.spans_key = spans_key
        self.batch_size = batch_size
        from .api import load

        self.classifier: Classifier = load(model)

    def __call__(self, doc: Doc) -> Doc:
        return self._set(doc, self.classifier.classify(doc.text))

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        it = iter(stream)
        while batch := list(islice(it, size)):
            preds = self.classifier.classify_many([d.text for d in batch], batch_size=size)
            for doc, pred in zip(batch, preds):
                yield self._set(doc, pred)

    def _set(self, doc: Doc, pred: Prediction) -> Doc:
        doc._.rejection = pred
        spans: list[Span] = []
        for label, sentence in (pred.evidence or {}).items():
            found = _locate(doc.text, sentence)
            if found is None:
                continue  # cleaning rewrote it beyond recognition; it stays in .evidence
            span = doc.char_span(*found, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


# Cleaning writes typographic quotes and dashes as ASCII (clean._REPLACE); an
# evidence sentence is found again by letting each match what it replaced.
_AS_WRITTEN = {"'": "['\u2018\u2019\u201b\u2032]", '"': '["\u201c\u201d]', "-": "[-\u2013\u2014]"}


# In HTML a character may also be written as an entity, and tags and
# entity spaces may stand between (or inside, as <b>for</b>ward) the words.
_AS_ENTITY = {"'": "&(?:#0*39|#x0*27|apos|rsquo|lsquo);", '"': "&(?:#0*34|quot|ldquo|rdquo);",
              "-": "&(?:ndash|mdash|#0*821[12]);", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_GAP = r"(?:\s|&nbsp;|&#0*160;|<[^<>]*>)"


def _word(word: str, html: bool = False) -> str:
    if not html:
        return "".join(_AS_WRITTEN.get(c, re.escape(c)) for c in word)
    chars = [f"(?:{_AS_WRITTEN.get(c, re.escape(c))}|{_AS_ENTITY[c]})" if c in _AS_ENTITY
             else _AS_WRITTEN.get(c, re.escape(c)) for c in word]
    return "(?:<[^<>]*>)*".join(chars)


def _locate(text: str, sentence: str) -> tuple[int, int] | None:
    """Character offsets of an evidence sentence in the original text.

    Evidence comes from the cleaned text, where hard-wrapped lines are joined,
    whitespace normalised and curly quotes and dashes made ASCII, so a
    sentence is matched word by word with any whitespace between the words
    (none around a dash: cleaning spaced out an em dash). In an HTML body,
    converted to text before it was read, markup and entities are let
    through as well.
    """
    start = text.find(sentence)
    if start >= 0:
        return start, start + len(sentence)
    words = sentence.split()
    if not words:
        return None
    for html in (False, True) if "<" in text or "&" in text else (False,):
        gap, tight = (f"{_HTML_GAP}+", f"{_HTML_GAP}*") if html else (r"\s+", r"\s*")
        pattern = _word(words[0], html)
        for prev, word in pairwise(words):
            pattern += (tight if "-" in (prev, word) else gap) + _word(word, html)
        m = re.search(pattern, text)
        if m:
            return m.start(), m.end()
    return None


@Language.factory(ALIAS, assigns=["doc._.rejection", "doc.spans"], default_config=_CONFIG)
@Language.factory(FACTORY, assigns=["doc._.rejection", "doc.spans"], default_config=_CONFIG)
def make_rejectlens(nlp: Language, name: str, model: str | None, spans_key: str,
                    batch_size: int) -> RejectionComponent:
    """Build the component; ``model`` is a model directory, or null for the bundled model."""
    return RejectionComponent(nlp, name, model, spans_key, batch_size)
