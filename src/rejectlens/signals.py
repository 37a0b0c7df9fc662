"""Email-level signals: who sent it, how it greets, how long it is, and, only
when asked, the named entities it mentions.

These reach a Prediction's ``signals``; the few a model was trained with
(``noreply_sender``) are also features. Nothing here is a spaCy component.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ModelFileError, RejectLensError

__all__ = ["ENTITY_SIGNALS", "EntitySignals", "entity_pipeline", "message_flags"]

_NOREPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?@|mailer|bounce", re.I)
_NAMED_GREETING = re.compile(
    r"^\s*(?i:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening))\s+"
    r"(?i:mr\.?|ms\.?|mrs\.?|dr\.?|miss)?\s*"
    r"(?!(?i:candidate|applicant|sir|madam|there|all|team|friend|job|valued|user|member)\b)[A-Z\u00c0-\u024f][\w'\u00c0-\u024f-]+",
    re.M,
)
_SHORT, _LONG = 40, 250  # tokens


def message_flags(body: str, sender: str, n_tokens: int) -> set[str]:
    """Flags of the whole message: no-reply sender, named greeting, length."""
    flags = {"greeting_named" if _NAMED_GREETING.search(body) else "no_named_greeting"}
    if sender and _NOREPLY.search(sender):
        flags.add("noreply_sender")
    if n_tokens < _SHORT:
        flags.add("short_message")
    elif n_tokens > _LONG:
        flags.add("long_message")
    return flags


# The manifest key recording which spaCy pipeline (if any) a model reads
# entity signals with; a model without the key (every model saved before it
# existed) reads none.
ENTITY_SIGNALS = "entity_signals"
_ENTITY_LABELS = ("PERSON", "ORG", "DATE", "GPE", "MONEY")


def entity_pipeline(manifest: Mapping[str, Any]) -> str | None:
    """The entity pipeline a model's manifest asks for, or None (the default)."""
    name = manifest.get(ENTITY_SIGNALS)
    if name is not None and (not isinstance(name, str) or not name):
        raise ModelFileError(
            f"the manifest's {ENTITY_SIGNALS!r} must name a spaCy pipeline (e.g. 'en_core_web_sm') "
            f"or be null; found {name!r}")
    return name


class EntitySignals:
    """``mentions_<label>`` signals (person, org, date, gpe, money) from a trained
    spaCy pipeline named explicitly, e.g. ``"en_core_web_sm"``.

    Off unless asked for, so a model gives the same ``signals`` on every
    machine; a pipeline that was asked for but is not installed is an error,
    never a silent difference. It is loaded on first use, never downloaded.
    """

    def __init__(self, pipeline: str, batch_size: int = 256) -> None:
        import spacy.util

        if not (spacy.util.is_package(pipeline) or Path(pipeline).is_dir()):
            raise RejectLensError(
                f"entity signals need the spaCy pipeline {pipeline!r}, which is not installed. "
                f"Install it (python -m spacy download {pipeline}) or turn entity signals off "
                "(entities=None).")
        self.pipeline = pipeline
        self.batch_size = batch_size
        self._nlp = None

    def __call__(self, texts: Sequence[str]) -> list[frozenset[str]]:
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load(self.pipeline, exclude=["parser", "lemmatizer", "textcat"])
        return [
            frozenset(f"mentions_{ent.label_.lower()}" for ent in doc.ents if ent.label_ in _ENTITY_LABELS)
            for doc in self._nlp.pipe(texts, batch_size=self.batch_size)
        ]
