"""spaCy stage: sentences and named cue phrases for each cleaned email.

The pipeline is ``spacy.blank("en")`` + two registered components of ours
(sentences, cue phrases). It is built once per :class:`Analyser` and streamed with
``nlp.pipe``; it is never pickled into a model file, only rebuilt from the
cue patterns stored beside the model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LIKE_NUM, LOWER, ORTH, SENT_START, SHAPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .clean import Cleaned
from .language import TokenLanguage, detect_language

__all__ = ["Analyser", "Analysis", "default_cue_patterns", "load_cue_patterns"]

SPANS_KEY = "rejectlens_cues"
_NOREPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?@|mailer|bounce", re.I)
_NAMED_GREETING = re.compile(
    r"^\s*(?i:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening))\s+"
    r"(?i:mr\.?|ms\.?|mrs\.?|dr\.?|miss)?\s*"
    r"(?!(?i:candidate|applicant|sir|madam|there|all|team|friend|job|valued|user|member)\b)[A-Z\u00c0-\u024f][\w'\u00c0-\u024f-]+",
    re.M,
)


@dataclass(frozen=True)
class Analysis:
    """What the spaCy stage found in one email; plain data, cheap to pickle."""

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
    # Clause scope of each word token (see SCOPES): a decision word inside an
    # "if ..." clause or a negated "this does not reflect ..." is not a decision.
    tok_scope: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    language: str | None = None  # ISO 639-1 code (see rejectlens.language)

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]

    def cue_names(self) -> set[str]:
        return {label for label, _, _ in self.cues}


def load_cue_patterns(path: str | Path) -> dict[str, list[str]]:
    """Read a cue pattern file: a JSON object of label -> list of phrases."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items() if not k.startswith("_")}


def default_cue_patterns() -> dict[str, list[str]]:
    """The cue patterns shipped with the package."""
    ref = resources.files("rejectlens") / "resources" / "cues.json"
    data = json.loads(ref.read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items() if not k.startswith("_")}


MATCHES_KEY = "rejectlens_cue_matches"


class CueMatcher:
    """Finds every cue phrase: ``(cue name, first token, end token)`` tuples in
    ``doc.user_data["rejectlens_cue_matches"]``, and labelled spans in
    ``doc.spans[spans_key]`` unless ``spans_key`` is empty (the Analyser
    skips spans: building and reading Span objects costs more than matching).
    """

    def __init__(
        self, nlp: Language, name: str, patterns: Mapping[str, Sequence[str]], spans_key: str
    ) -> None:
        self.name = name
        self.spans_key = spans_key
        self._nlp = nlp
        self._strings = nlp.vocab.strings
        self.patterns = {k: list(v) for k, v in patterns.items()}
        self._build(nlp)

    def _build(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in self.patterns.items():
            self.matcher.add(label, list(nlp.tokenizer.pipe(phrases)))

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        doc.user_data[MATCHES_KEY] = [(self._strings[m], s, e) for m, s, e in matches]
        if self.spans_key:
            doc.spans[self.spans_key] = [Span(doc, s, e, label=m) for m, s, e in matches]
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.json").write_text(json.dumps(self.patterns, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> CueMatcher:
        self.patterns = load_cue_patterns(Path(path) / "patterns.json")
        self._build(self._nlp)
        return self


@Language.factory(
    "rejectlens_cues",
    assigns=["doc.spans"],
    default_config={"patterns": {}, "spans_key": SPANS_KEY},
)
def make_cue_matcher(
    nlp: Language, name: str, patterns: dict[str, list[str]], spans_key: str
) -> CueMatcher:
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


@Language.factory(
    "rejectlens_sentences",
    assigns=["token.is_sent_start"],
    default_config={"punct_chars": list(_SENT_END)},
)
def make_sentence_splitter(nlp: Language, name: str, punct_chars: list[str]) -> SentenceSplitter:
    return SentenceSplitter(nlp, name, punct_chars)


class Analyser:
    """Builds the spaCy pipeline once and turns cleaned emails into :class:`Analysis`."""

    def __init__(self, patterns: Mapping[str, Sequence[str]] | None = None, batch_size: int = 256):
        import spacy

        self.patterns = {k: list(v) for k, v in (patterns or default_cue_patterns()).items()}
        self.batch_size = batch_size
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("rejectlens_sentences")
        self.nlp.add_pipe("rejectlens_cues", config={"patterns": self.patterns, "spans_key": ""})
        self.entity_model = _installed_entity_model()
        self._scopes = _ScopeMarker(self.nlp)
        self._language = TokenLanguage(self.nlp.vocab.strings.add)
        self._ner: Language | None = None


    def analyse(self, cleaned: Sequence[Cleaned], subjects: Sequence[str], senders: Sequence[str]):
        """One :class:`Analysis` per email, in order."""
        texts = [
            f"{subj.strip()}\n\n{c.text}" if subj and subj.strip() else c.text
            for c, subj in zip(cleaned, subjects)
        ]
        out: list[Analysis] = []
        entities = self._entity_signals(texts)
        for doc, text, c, sender, ents in zip(
            self.nlp.pipe(texts, batch_size=self.batch_size), texts, cleaned, senders, entities
        ):
            flags = set(c.flags) | ents
            if sender and _NOREPLY.search(sender):
                flags.add("noreply_sender")
            flags.add("greeting_named" if _NAMED_GREETING.search(c.text) else "no_named_greeting")
            n_words = len(doc)
            if n_words < 40:
                flags.add("short_message")
            elif n_words > 250:
                flags.add("long_message")
            if n_words == 0:
                out.append(Analysis(text, (), (), frozenset(flags), language=detect_language(text)))
                continue
            # One to_array call feeds sentences, cue offsets and tokens; Span
            # and Token objects cost a Python object each.
            arr = doc.to_array(_TOKEN_ATTRS)
            tok_start = arr[:, 5].astype(np.int64)
            tok_end = tok_start + arr[:, 6].astype(np.int64)
            sents = _sentence_offsets(text, tok_start[arr[:, 7] == 1])
            starts, ends = tok_start.tolist(), tok_end.tolist()
            cues = tuple(
                (label, starts[s], ends[e - 1]) for label, s, e in doc.user_data[MATCHES_KEY]
            )
            scope, voice = self._scopes(arr)
            flags |= voice
            lang = self._language(text, arr[:, 0].astype(np.uint64), tok_start)
            out.append(Analysis(text, sents, cues, frozenset(flags), *_tokens(arr, text, sents, scope),
                                language=lang))
        return out

    def _entity_signals(self, texts: Sequence[str]) -> list[frozenset[str]]:
        """Named-entity signals from a trained English pipeline, when one is installed.

        They only ever reach ``signals``, never the features, so a model
        behaves the same with or without such a pipeline on the machine.
        """
        if self.entity_model is None:
            return [frozenset()] * len(texts)
        if self._ner is None:
            import spacy

            self._ner = spacy.load(self.entity_model, exclude=["parser", "lemmatizer", "textcat"])
        return [
            frozenset(f"mentions_{ent.label_.lower()}" for ent in doc.ents
                      if ent.label_ in ("PERSON", "ORG", "DATE", "GPE", "MONEY"))
            for doc in self._ner.pipe(texts, batch_size=self.batch_size)
        ]


_TOKEN_ATTRS = [LOWER, SHAPE, LIKE_NUM, IS_PUNCT, IS_SPACE, IDX, LENGTH, SENT_START]

# Clause scopes a token can sit in. A scoped token is its own feature (its id
# is salted), so "not selected" in "if you are not selected, ..." and in "you
# were not selected" are different words to the model.
SCOPES: tuple[str, ...] = ("", "cond", "neg", "self")
SCOPE_PREFIX: tuple[str, ...] = ("", "if:", "not:", "i:")
_SCOPE_SALT = np.array([0, 0x5DEECE66D1F3A2B7, 0x2545F4914F6CDD1D, 0x9E3779B97F4A7C15],
                       dtype=np.uint64)
# Words opening a conditional or hypothetical clause, anywhere in a sentence...
_COND_ANYWHERE = ("if", "unless", "whether", "provided", "providing")
# ...and words that do so only at the start of a clause ("Should your profile
# match, ..." but not "you should hear from us").
_COND_CLAUSE_START = ("should", "once", "in case", "in the event", "assuming")
# A negation shortly before one of these makes the rest of the clause praise
# or reassurance, not a reason: "this does not reflect your skills".
_NEG_TARGETS = ("reflect", "reflects", "reflection", "reflective", "judgement", "judgment",
                "indication", "indicative", "comment", "statement", "about", "mean", "means")
_NEGATIONS = ("not", "n't", "no", "never", "nothing")
# ...and a negation anywhere before one of these turns the whole clause into
# reassurance: "relocation would not have been an issue", "sponsorship was
# never a factor".
_CLAUSE_NEG_TARGETS = ("issue", "concern", "factor", "problem", "question", "obstacle",
                       "barrier", "reason", "doubt")
# A clause the writer opens with "I" is about the writer ("I have decided not
# to proceed with my application") until someone else takes over the clause.
_SELF = ("i", "i'm", "i've", "i'll", "i'd")
_OTHERS = ("we", "they", "our", "their", "client", "team", "company", "panel", "manager",
           "committee", "you", "your")
_CLAUSE_ENDS = (",", ";", ":", "(", ")", "-", "–", "—", "but", "however", "so")


# Bits of the word classes the scope marker and the voice flags look for.
(_ANYWHERE, _CLAUSE_START, _NEG_TARGET, _NEGATION, _ENDER, _SINGULAR_BIT, _PLURAL_BIT,
 _CLAUSE_NEG, _SELF_BIT, _OTHER_BIT) = (1 << k for k in range(10))


class _ScopeMarker:
    """Marks each token with the clause scope it sits in, and tells who writes,
    from ``to_array`` rows; one sorted lookup classifies every token."""

    def __init__(self, nlp: Language) -> None:
        h = nlp.vocab.strings.add
        classes: dict[int, int] = {}
        for bit, words in ((_ANYWHERE, _COND_ANYWHERE), (_NEG_TARGET, _NEG_TARGETS),
                           (_NEGATION, _NEGATIONS), (_ENDER, _CLAUSE_ENDS),
                           (_SINGULAR_BIT, _SINGULAR), (_PLURAL_BIT, _PLURAL),
                           (_CLAUSE_NEG, _CLAUSE_NEG_TARGETS), (_SELF_BIT, _SELF),
                           (_OTHER_BIT, _OTHERS),
                           (_CLAUSE_START, [w.split()[0] for w in _COND_CLAUSE_START])):
            for w in words:
                classes[h(w)] = classes.get(h(w), 0) | bit
        self.rest = {}
        for w in _COND_CLAUSE_START:
            first, *rest = w.split()
            self.rest.setdefault(h(first), []).append([h(x) for x in rest])
        order = sorted(classes)
        self.keys = np.array(order, dtype=np.uint64)
        self.bits = np.array([classes[k] for k in order], dtype=np.int64)

    def classes(self, lower: np.ndarray) -> np.ndarray:
        idx = np.minimum(np.searchsorted(self.keys, lower), len(self.keys) - 1)
        return np.where(self.keys[idx] == lower, self.bits[idx], 0)

    def __call__(self, arr: np.ndarray) -> tuple[np.ndarray, set[str]]:
        lower = arr[:, 0].astype(np.uint64)
        cls = self.classes(lower)
        n = len(lower)
        scope = np.zeros(n, np.uint8)
        sent_start = arr[:, 7] == 1
        ender = (cls & _ENDER) > 0
        boundary = sent_start | ender
        bounds = np.flatnonzero(boundary)

        def clause_end(i: int) -> int:
            k = np.searchsorted(bounds, i, side="right")
            return int(bounds[k]) if k < len(bounds) else n

        first = None
        for i in np.flatnonzero(cls & (_ANYWHERE | _CLAUSE_START)).tolist():
            skip = 0
            if not cls[i] & _ANYWHERE:
                at_start = i == 0 or sent_start[i] or ender[i - 1] or arr[i - 1, 3] == 1 \
                    or arr[i - 1, 4] == 1
                if not at_start:
                    continue
                first = lower.tolist() if first is None else first
                rests = [r for r in self.rest[first[i]] if first[i + 1 : i + 1 + len(r)] == r]
                if not rests:
                    continue
                skip = max(len(r) for r in rests)
            scope[i : clause_end(i + skip)] = 1
        def clause_start(j: int) -> int:
            k = np.searchsorted(bounds, j, side="right") - 1
            if k < 0:
                return 0
            b = int(bounds[k])
            return b + 1 if ender[b] else b

        for i in np.flatnonzero(cls & _SELF_BIT).tolist():
            end = clause_end(i)
            others = np.flatnonzero(cls[i + 1 : end] & _OTHER_BIT)
            if len(others):
                end = i + 1 + int(others[0])
            scope[i:end] = np.where(scope[i:end] == 0, 3, scope[i:end])
        for j in np.flatnonzero(cls & _CLAUSE_NEG).tolist():
            lo = clause_start(j)
            if (cls[lo:j] & _NEGATION).any():
                scope[lo : clause_end(j)] = 2
        for j in np.flatnonzero(cls & _NEG_TARGET).tolist():
            lo = max(0, j - 4)
            neg = np.flatnonzero(cls[lo:j] & _NEGATION)
            if len(neg) and not boundary[lo + int(neg[-1]) + 1 : j + 1].any():
                scope[lo + int(neg[-1]) : clause_end(j)] = 2
        singular = int(np.count_nonzero(cls & _SINGULAR_BIT))
        plural = int(np.count_nonzero(cls & _PLURAL_BIT))
        voice: set[str] = set()
        if singular >= 2 and singular > plural:
            voice.add("first_person_writer")
        elif plural >= 2 and plural > singular:
            voice.add("employer_voice")
        return scope, voice


_DIGIT_RUN = re.compile(r"\d+")

# Who writes: an employer writes "we/our/us", a candidate "I/my/me". The
# candidate's own mail (withdrawing, declining an offer) uses decision words
# too, and is never a rejection.
_SINGULAR = ("i", "my", "me", "mine", "myself", "i'm", "i've", "i'd", "i'll")
_PLURAL = ("we", "our", "us", "ours", "ourselves", "we're", "we've", "we'd", "we'll")


def _tokens(arr: np.ndarray, text: str, sents: tuple[tuple[int, int], ...], scope: np.ndarray):
    """Word-token arrays for the vectorizer from the ``to_array`` rows of a doc."""
    keep = (arr[:, 3] == 0) & (arr[:, 4] == 0)
    kept = arr[keep]
    scope = scope[keep]
    start = kept[:, 5].astype(np.int64)
    end = start + kept[:, 6].astype(np.int64)
    # Requisition numbers, dates and phone numbers are mail-merge noise: a
    # token holding a digit is represented by its shape ("REQ-48213" -> "XXX-dddd").
    use_shape = kept[:, 2] == 1
    digits = [m.start() for m in _DIGIT_RUN.finditer(text)]
    if digits and len(start):
        hit = np.searchsorted(start, np.asarray(digits), side="right") - 1
        hit = hit[(hit >= 0) & (np.asarray(digits) < end[np.maximum(hit, 0)])]
        use_shape[hit] = True
    ids = np.where(use_shape, kept[:, 1], kept[:, 0]).astype(np.uint64) ^ _SCOPE_SALT[scope]
    sent_starts = np.fromiter((s for s, _ in sents), dtype=np.int64, count=len(sents))
    sent = np.searchsorted(sent_starts, start, side="right") - 1
    return ids, np.maximum(sent, 0), start, end, scope


def _sentence_offsets(text: str, starts: np.ndarray) -> tuple[tuple[int, int], ...]:
    bounds = [*starts.tolist(), len(text)]
    spans = (_trimmed(text, a, b) for a, b in pairwise(bounds))
    return tuple(s for s in spans if s[1] > s[0])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _installed_entity_model() -> str | None:
    # Only report a trained English pipeline when one is installed; never download.
    import spacy.util

    for name in ("en_core_web_sm", "en_core_web_md", "en_core_web_lg"):
        if spacy.util.is_package(name):
            return name
    return None
