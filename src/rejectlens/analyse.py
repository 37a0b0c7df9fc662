"""The analyse stage: cleaned emails in, one :class:`Analysis` each out.

The spaCy pipeline is ``spacy.blank("en")`` + our two registered components
(:mod:`rejectlens.components`: sentence starts, cue phrases). It is built
once per :class:`Analyser` and streamed with ``nlp.pipe``; it is never
pickled into a model file, only rebuilt from the cue patterns stored beside
the model. The email heuristics it applies to each doc live in
:mod:`rejectlens.scopes` (clause scopes, who writes) and
:mod:`rejectlens.signals` (sender, greeting, length, entities); the word
tokens the vectorizer reads are made by :mod:`rejectlens.tokens`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise

import numpy as np

from .chunk_tokenizer import calm_runs
from .clean import Cleaned, has_text
from .components import (
    CUES_FACTORY,
    MATCHES_ATTR,
    SENTENCES_FACTORY,
    CueMatcher,
    default_cue_patterns,
    load_cue_patterns,
)
from .language import TokenLanguage, detect_language
from .scopes import SCOPE_PREFIX, SCOPES, ScopeMarker
from .signals import EntitySignals, message_flags
from .tokens import COL_IDX, COL_LEN, COL_LOWER, COL_SENT, TOKEN_ATTRS, token_arrays

__all__ = ["SCOPES", "SCOPE_PREFIX", "Analyser", "Analysis", "default_cue_patterns", "load_cue_patterns"]

_ARRAYS = ("tok_ids", "tok_sent", "tok_start", "tok_end", "tok_scope")


@dataclass(frozen=True)
class Analysis:
    """What the spaCy stage found in one email; plain data, cheap to pickle.

    Two analyses are equal when every field is, arrays compared element by
    element (dataclass equality would ask numpy for the truth of an array).
    """

    text: str
    sentences: tuple[tuple[int, int], ...]
    cues: tuple[tuple[str, int, int], ...]
    flags: frozenset[str]
    # Word tokens (no spaces or punctuation) as spaCy string hashes of their
    # lower case form (numbers by shape, so "48213" and "99120" are alike),
    # with the sentence each falls in and its character span.
    tok_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    tok_sent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tok_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tok_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # Clause scope of each word token: an index into scopes.SCOPES.
    tok_scope: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    language: str | None = None  # ISO 639-1 code (see rejectlens.language)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Analysis):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name)) if f.name in _ARRAYS
            else getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
        )

    def __hash__(self) -> int:
        # Equal analyses have equal text, sentences and cues: enough to spread them.
        return hash((self.text, self.sentences, self.cues, self.flags, self.language))

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]

    def cue_names(self) -> set[str]:
        return {label for label, _, _ in self.cues}


class Analyser:
    """Builds the spaCy pipeline once and turns cleaned emails into :class:`Analysis`.

    ``patterns`` are the cue phrases (default: the shipped ``cues.json``);
    ``entities`` names a trained spaCy pipeline (e.g. ``"en_core_web_sm"``)
    to add ``mentions_*`` signals from; None, the default, adds none.
    """

    def __init__(self, patterns: Mapping[str, Sequence[str]] | None = None, batch_size: int = 256,
                 entities: str | None = None) -> None:
        import spacy

        self.batch_size = batch_size
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe(SENTENCES_FACTORY, name="rejectlens_sentences")
        # The patterns go to the component, not into the config: it keeps the only copy.
        cues: CueMatcher = self.nlp.add_pipe(CUES_FACTORY, name="rejectlens_cues",
                                             config={"patterns": {}, "spans_key": ""})
        cues.set_patterns(default_cue_patterns() if patterns is None else patterns)
        self._cues = cues
        self.entities = entities
        self._entity_signals = None if entities is None else EntitySignals(entities, batch_size)
        self._scopes = ScopeMarker(self.nlp.vocab.strings.add)
        self._language = TokenLanguage(self.nlp.vocab.strings.add)

    @property
    def patterns(self) -> dict[str, list[str]]:
        """The cue phrases the pipeline matches."""
        return self._cues.patterns

    def _texts(self, cleaned: Sequence[Cleaned],
               subjects: Sequence[str]) -> tuple[list[str], list[frozenset[str]], list[int]]:
        """The text each email is read as (subject, blank line, cleaned body),
        its entity signals, and where its body starts: one definition for
        every analyse path.

        A body with nothing readable left (an image-only HTML part, say) is
        read without its subject, so it ends as an "empty body" error row
        instead of a guess from the subject line alone.
        """
        texts, body_at = [], []
        for c, subj in zip(cleaned, subjects):
            head = subj.strip() if subj and subj.strip() and has_text(c.text) else ""
            texts.append(f"{head}\n\n{c.text}" if head else c.text)
            body_at.append(len(head) + 2 if head else 0)
        ents = self._entity_signals
        return texts, [frozenset()] * len(texts) if ents is None else ents(texts), body_at

    def analyse(self, cleaned: Sequence[Cleaned], subjects: Sequence[str],
                senders: Sequence[str]) -> list[Analysis]:
        """One :class:`Analysis` per email, in order."""
        texts, entities, body_at = self._texts(cleaned, subjects)
        out: list[Analysis] = []
        for doc, text, c, sender, ents, skip in zip(
            self.nlp.pipe(map(calm_runs, texts), batch_size=self.batch_size), texts, cleaned, senders,
            entities, body_at
        ):
            n_tokens = len(doc)
            flags = set(c.flags) | ents | message_flags(c.text, sender, n_tokens)
            if n_tokens == 0:
                out.append(Analysis(text, (), (), frozenset(flags), language=detect_language(text[skip:])))
                continue
            # One to_array call feeds sentences, cue offsets and tokens; Span
            # and Token objects cost a Python object each.
            arr = doc.to_array(TOKEN_ATTRS)
            tok_start = arr[:, COL_IDX].astype(np.int64)
            tok_end = tok_start + arr[:, COL_LEN].astype(np.int64)
            sents = _sentence_offsets(text, tok_start[arr[:, COL_SENT] == 1])
            starts, ends = tok_start.tolist(), tok_end.tolist()
            cues = tuple((label, starts[s], ends[e - 1]) for label, s, e in doc._.get(MATCHES_ATTR))
            scope, voice = self._scopes(arr)
            flags |= voice
            lang = self._language(text, arr[:, COL_LOWER].astype(np.uint64), tok_start, skip)
            out.append(Analysis(text, sents, cues, frozenset(flags), *token_arrays(arr, text, sents, scope),
                                language=lang))
        return out


def _sentence_offsets(text: str, starts: np.ndarray) -> tuple[tuple[int, int], ...]:
    # str.strip drops exactly the characters str.isspace calls space (_trimmed's
    # rule), in C: no Python step per character.
    bounds = [*starts.tolist(), len(text)]
    out = []
    for a, b in pairwise(bounds):
        body = text[a:b].lstrip()
        if body:
            a = b - len(body)
            out.append((a, a + len(body.rstrip())))
    return tuple(out)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
