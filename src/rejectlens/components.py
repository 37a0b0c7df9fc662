"""The two spaCy components of the analyse stage: sentence starts and cue phrases.

Both are registered factories with namespaced, versioned names (a component
whose outputs change gets ``_v2``), declared ``assigns`` and JSON settings;
importing this module registers them (installed packages also find them by
entry point)::

    >>> import spacy
    >>> import rejectlens.components
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("rejectlens/sentences_v1")
    >>> _ = nlp.add_pipe("rejectlens/cues_v1", config={"patterns": {"decision": ["not moving forward"]}})
    >>> doc = nlp("Sadly we are Not Moving Forward. Thanks")
    >>> [s.text for s in doc.sents]
    ['Sadly we are Not Moving Forward.', 'Thanks']
    >>> [(s.label_, s.text) for s in doc.spans["rejectlens_cues"]], doc._.rejectlens_cues
    ([('decision', 'Not Moving Forward')], [('decision', 3, 6)])

The flat names of the first release (``rejectlens_sentences``,
``rejectlens_cues``) stay registered as aliases so saved pipelines and configs
load. The cue patterns live in ``resources/cues.json`` (or a model's own
``cues.json``); the config says ``null`` for the shipped file and the
component keeps the only copy, written by ``to_disk`` as ``patterns.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

__all__ = [
    "CUES_FACTORY",
    "MATCHES_ATTR",
    "SENTENCES_FACTORY",
    "SPANS_KEY",
    "CueMatcher",
    "SentenceSplitter",
    "default_cue_patterns",
    "load_cue_patterns",
]

SENTENCES_FACTORY = "rejectlens/sentences_v1"
CUES_FACTORY = "rejectlens/cues_v1"
SPANS_KEY = "rejectlens_cues"
# ``doc._.rejectlens_cues``: (cue name, first token, end token) per match, in
# matcher order: plain tuples the analyse stage turns into character offsets
# and pickles. It skips the span group (spans_key ""), which it never reads;
# on 2,000 corpus emails building and reading the spans cost 0.01-0.02 s more
# (within run-to-run noise), so this is tidiness rather than speed.
MATCHES_ATTR = "rejectlens_cues"

if not Doc.has_extension(MATCHES_ATTR):
    Doc.set_extension(MATCHES_ATTR, default=None)

Patterns = Mapping[str, Sequence[str]]


def _patterns_from(data: object, source: str) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        raise ValueError(f"{source} must hold a JSON object of cue name -> list of phrases")
    # Keys starting with "_" are comments in the shipped file.
    return {k: list(v) for k, v in data.items() if not k.startswith("_")}


def load_cue_patterns(path: str | Path) -> dict[str, list[str]]:
    """Read a cue pattern file: a JSON object of label -> list of phrases."""
    return _patterns_from(json.loads(Path(path).read_text(encoding="utf-8")), str(path))


def default_cue_patterns() -> dict[str, list[str]]:
    """The cue patterns shipped with the package (``resources/cues.json``)."""
    ref = resources.files("rejectlens") / "resources" / "cues.json"
    return _patterns_from(json.loads(ref.read_text(encoding="utf-8")), "rejectlens/resources/cues.json")


class CueMatcher:
    """Finds every cue phrase, case-insensitively (``PhraseMatcher`` on ``LOWER``).

    Writes ``doc._.rejectlens_cues`` always, and labelled spans in
    ``doc.spans[spans_key]`` unless ``spans_key`` is empty.
    """

    def __init__(self, nlp: Language, name: str, patterns: Patterns | None, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self._nlp = nlp
        self._strings = nlp.vocab.strings
        self.set_patterns(default_cue_patterns() if patterns is None else patterns)

    def set_patterns(self, patterns: Patterns) -> None:
        """Replace the cue phrases (the matcher is rebuilt once)."""
        self.patterns = {k: list(v) for k, v in patterns.items()}
        self.matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        for label, phrases in self.patterns.items():
            self.matcher.add(label, list(self._nlp.tokenizer.pipe(phrases)))

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        doc._.set(MATCHES_ATTR, [(self._strings[m], s, e) for m, s, e in matches])
        if self.spans_key:
            doc.spans[self.spans_key] = [Span(doc, s, e, label=m) for m, s, e in matches]
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.json").write_text(json.dumps(self.patterns, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> CueMatcher:
        self.set_patterns(load_cue_patterns(Path(path) / "patterns.json"))
        return self


_CUE_ASSIGNS = [f"doc._.{MATCHES_ATTR}", "doc.spans"]


@Language.factory("rejectlens_cues", assigns=_CUE_ASSIGNS,
                  default_config={"patterns": {}, "spans_key": SPANS_KEY})
@Language.factory(CUES_FACTORY, assigns=_CUE_ASSIGNS,
                  default_config={"patterns": None, "spans_key": SPANS_KEY})
def make_cue_matcher(
    nlp: Language, name: str, patterns: dict[str, list[str]] | None, spans_key: str
) -> CueMatcher:
    """``patterns``: cue name -> phrases, or null for the shipped ``cues.json``;
    ``spans_key``: the span group to fill, or "" for none."""
    return CueMatcher(nlp, name, patterns, spans_key)


_SENT_END = (".", "!", "?", "…", "!!", "??", "?!", "...")
_TRAILING = ('"', "'", ")", "]", "”", "’")


class SentenceSplitter:
    """Sentence starts after final punctuation and after line breaks.

    Replaces spaCy's sentencizer here: email greetings, bullets and sign-offs
    end at a line break with no punctuation; and walking only the space and
    punctuation tokens is several times faster than the sentencizer.
    """

    def __init__(self, nlp: Language, name: str, punct_chars: Sequence[str]) -> None:
        self.name = name
        self._set_punct(nlp.vocab.strings, punct_chars)

    def _set_punct(self, strings, punct_chars: Sequence[str]) -> None:
        self.punct_chars = list(punct_chars)
        self._end_ids = {strings.add(p) for p in self.punct_chars}
        self._trailing_ids = {strings.add(p) for p in _TRAILING}
        self._strings = strings
        self._kinds: dict[int, str] = {}

    def _kind(self, orth: int, is_space: bool) -> str:
        # "n" newline space, "e" sentence end, "t" closing quote/bracket, "" other
        kind = self._kinds.get(orth)
        if kind is None:
            if is_space:
                kind = "n" if "\n" in self._strings[orth] else ""
            else:
                kind = "e" if orth in self._end_ids else "t" if orth in self._trailing_ids else ""
            if len(self._kinds) < 100_000:
                self._kinds[orth] = kind
        return kind

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array([ORTH, IS_SPACE, IS_PUNCT])
        starts = np.full(n, -1, dtype=np.int64)
        starts[0] = 1
        # Only space and punctuation tokens can end a sentence: walk those few.
        pending = False  # just saw a sentence end, maybe followed by quotes
        last = -2
        orths, spaces = arr[:, 0].tolist(), arr[:, 1].tolist()
        for i in np.flatnonzero(arr[:, 1] | arr[:, 2]).tolist():
            kind = self._kind(orths[i], bool(spaces[i]))
            if pending and i != last + 1 and i < n:
                starts[last + 1] = 1
                pending = False
            if kind == "n":
                if i + 1 < n:
                    starts[i + 1] = 1
                pending = False
            elif kind == "e" or (kind == "t" and pending):
                pending = True
            elif pending:
                starts[i] = 1
                pending = False
            last = i
        if pending and last + 1 < n:
            starts[last + 1] = 1
        doc.from_array([SENT_START], starts.astype(np.uint64).reshape(-1, 1))
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.json").write_text(json.dumps({"punct_chars": self.punct_chars}))

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> SentenceSplitter:
        punct = json.loads((Path(path) / "config.json").read_text())["punct_chars"]
        self._set_punct(self._strings, punct)
        return self


_SENT_CONFIG = {"punct_chars": list(_SENT_END)}


@Language.factory("rejectlens_sentences", assigns=["token.is_sent_start"], default_config=_SENT_CONFIG)
@Language.factory(SENTENCES_FACTORY, assigns=["token.is_sent_start"], default_config=_SENT_CONFIG)
def make_sentence_splitter(nlp: Language, name: str, punct_chars: list[str]) -> SentenceSplitter:
    """``punct_chars``: the tokens that end a sentence (line breaks always do)."""
    return SentenceSplitter(nlp, name, punct_chars)
