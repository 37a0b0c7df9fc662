"""A spaCy-free hot path for the analyse stage (issue 13): the default on spaCy 3.8.

:class:`FastAnalyser` is a drop-in :class:`~rejectlens.analyse.Analyser`
whose ``analyse`` builds no spaCy ``Doc``: it returns the same
:class:`~rejectlens.analyse.Analysis` objects from plain token arrays.

* Tokens: the text is cut into spaCy's whitespace chunks (runs of non-space
  characters, and runs of whitespace less the one ``' '`` spaCy attaches to
  the previous token). Each distinct chunk is tokenized once, by a Python
  port of spaCy's ``Tokenizer._split_affixes`` / ``_attach_tokens`` /
  special-case matcher driven by the pipeline's own prefix, suffix, infix and
  URL expressions and exception table, and cached (chunk -> lexeme ids and
  offsets). A cache hit costs one dict lookup; spaCy's own chunk cache still
  pays for a Doc and a TokenC per token.
* Lexeme attributes (LOWER, SHAPE, LIKE_NUM, IS_PUNCT, IS_SPACE) come from the
  vocab's ``lex_attr_getters`` and ``spacy.strings.hash_string``, once per
  distinct token text, into numpy tables indexed by lexeme id.
* Sentence starts: the rules of :class:`~rejectlens.components.SentenceSplitter`.
* Cues: the ``PhraseMatcher`` on ``LOWER``, on the lower-case hash sequence
  (first token -> patterns), matches in the matcher's order.
* Clause scopes, word tokens, language: the existing :mod:`rejectlens.scopes`,
  :mod:`rejectlens.tokens` and :mod:`rejectlens.language` code, fed a
  ``to_array(TOKEN_ATTRS)``-shaped array.
* Per batch, not per email: the texts are tokenized in one pass, their lexeme
  rows gathered once, and the columns every email reads (sentence walk, cue
  starts, language bits) computed once; each email takes its slice.

:func:`rejectlens.model.analyse_emails` (classify, train, evaluate) uses it by
default on the spaCy releases it was checked against (:data:`VERIFIED_SPACY`);
``REJECTLENS_FAST_ANALYSE=0`` goes back to spaCy's Doc, ``=1`` forces the fast path.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Mapping, Sequence

import numpy as np
from spacy.attrs import LOWER

from .analyse import Analyser, Analysis, _sentence_offsets
from .chunk_tokenizer import (
    _K_END,
    _K_NEWLINE,
    _K_TRAIL,
    _L_CLS,
    _L_CUE,
    _L_FIRST_DIGIT,
    _L_LANG,
    _L_LAST_DIGIT,
    _L_LEN,
    _L_LOWER,
    _L_WALK,
    _L_WORD,
    _L_WORD_ID,
    ChunkTokenizer,
)
from .clean import Cleaned
from .language import _NO_LETTERS, _SAMPLE, _WORD_SAMPLE, _decide, _script, detect_language
from .signals import message_flags
from .tokens import SCOPE_SALT, TOKEN_ATTRS, token_arrays

__all__ = ["FAST_ENV", "VERIFIED_SPACY", "FastAnalyser", "fast_enabled"]

FAST_ENV = "REJECTLENS_FAST_ANALYSE"
# Distinct token texts kept before the tables start afresh (about 100 MB with
# their chunks), so memory stays flat however long the stream.
MAX_LEXEMES = 400_000
MAX_LEXEME_CHARS = 20_000_000  # pasted base64 makes few but long lexemes: memory, not count
# The spaCy releases whose tokenizer the port was checked against, token for token.
VERIFIED_SPACY = ("3.8.",)
# Two lower-case hashes as one key (uint64 arithmetic wraps): a collision only
# keeps a token the cue walk then finds nothing at.
_PAIR = np.uint64(0x9E3779B97F4A7C15)


def _pair_key(first: int, second: int) -> int:
    """``(first * _PAIR) ^ second`` as numpy computes it on uint64."""
    return ((first * int(_PAIR)) & 0xFFFF_FFFF_FFFF_FFFF) ^ second


def _member(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``values`` in the sorted ``keys``, elementwise."""
    if not len(keys):
        return np.zeros(len(values), bool)
    return keys[np.minimum(np.searchsorted(keys, values), len(keys) - 1)] == values


def fast_enabled() -> bool:
    """Whether the analyse stage skips spaCy's Doc: on by default where the port
    was checked against spaCy's own tokenizer (spaCy 3.8, tests/test_fastpath.py);
    ``REJECTLENS_FAST_ANALYSE=0`` (or false/no/off) turns it off, any other
    value forces it on, checked release or not."""
    value = os.environ.get(FAST_ENV, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value:
        return True
    import spacy

    return spacy.__version__.startswith(VERIFIED_SPACY)


SLICE = 1024


class FastAnalyser(Analyser):
    """An :class:`Analyser` whose ``analyse`` makes no spaCy Doc (see module doc)."""

    def __init__(self, patterns: Mapping[str, Sequence[str]] | None = None, batch_size: int = 256,
                 entities: str | None = None) -> None:
        super().__init__(patterns, batch_size=batch_size, entities=entities)
        self._punct = self.nlp.get_pipe("rejectlens_sentences").punct_chars
        self._tok = ChunkTokenizer(self.nlp, self._punct)
        self._set_cues(self.patterns)

    def _set_cues(self, patterns: Mapping[str, Sequence[str]]) -> None:
        # first lower hash -> [(rest hashes, labels)] ordered by length, like
        # the PhraseMatcher's walk (shorter matches at a start come first).
        by_first: dict[int, dict[tuple[int, ...], list[str]]] = {}
        shared: dict[tuple[int, ...], object] = {}  # a phrase doc per hash sequence with 2+ labels
        for label, phrases in patterns.items():
            for doc in self.nlp.tokenizer.pipe(list(phrases)):
                if len(doc) == 0:
                    continue
                lows = doc.to_array(LOWER).tolist()
                labels = by_first.setdefault(lows[0], {}).setdefault(tuple(lows[1:]), [])
                if label not in labels:
                    labels.append(label)
                    if len(labels) == 2:
                        shared[tuple(lows)] = doc
        # Labels sharing one phrase come in the PhraseMatcher's (hash map) order: ask it.
        matcher = self._cues.matcher
        strings = self.nlp.vocab.strings
        for lows, doc in shared.items():
            order = [strings[m] for m, s, e in matcher(doc) if s == 0 and e == len(doc)]
            by_first[lows[0]][lows[1:]].sort(key=order.index)
        # A trie of lower hashes, as the PhraseMatcher walks it: node = (children, labels ending here).
        root: dict[int, tuple[dict, list[str]]] = {}
        for first, rests in by_first.items():
            for rest, labels in rests.items():
                node = root.setdefault(first, ({}, []))
                for h in rest:
                    node = node[0].setdefault(h, ({}, []))
                node[1].extend(labels)
        self._trie = root
        self._cue_keys = np.array(sorted(root), dtype=np.uint64)
        # Most tokens that may start a cue start none here: the walk is only
        # worth it where the first token is a whole cue or the second continues one.
        self._cue_one = np.array(sorted(k for k, node in root.items() if node[1]), dtype=np.uint64)
        self._cue_two = np.array(sorted({_pair_key(k, c) for k, node in root.items() for c in node[0]}),
                                 dtype=np.uint64)

    def _cue_starts(self, lower: np.ndarray, may: np.ndarray) -> list[int]:
        """The tokens (of ``lower``, the batch's) where the trie walk can find a
        cue: ``may`` start one, and are a whole cue or go on with its second token."""
        at = np.flatnonzero(may)
        if len(at):
            first = lower[at]
            second = lower[np.minimum(at + 1, len(lower) - 1)]
            at = at[_member(first, self._cue_one) | _member((first * _PAIR) ^ second, self._cue_two)]
        return at.tolist()

    def _match_cues(self, lows: list[int], cand: list[int], n: int) -> list[tuple[str, int, int]]:
        """(label, start, end) per match, in the PhraseMatcher's order; ``lows``:
        the lower-case hashes of the batch, ``cand``: the tokens of one email that
        start some cue, ``n``: where the email's tokens end."""
        out = []
        root = self._trie
        for i in cand:
            node = root[lows[i]]
            j = i + 1
            while True:
                for label in node[1]:
                    out.append((label, i, j))
                if j >= n:
                    break
                node = node[0].get(lows[j])
                if node is None:
                    break
                j += 1
        return out

    def _grow(self, tok: ChunkTokenizer) -> np.ndarray:
        with tok._lock:
            return self._grow_locked(tok)

    def _grow_locked(self, tok: ChunkTokenizer) -> np.ndarray:
        # Rows are taken from where the table ends, and the table replaced only
        # once the new block is whole: a failure here leaves ids and rows aligned.
        start = tok.table_n
        rows = tok.rows_from(start)
        if len(rows):
            lower = rows[:, 0]
            lang = self._language
            li = np.minimum(np.searchsorted(lang._keys, lower), len(lang._keys) - 1)
            ck = self._cue_keys
            ci = np.clip(np.searchsorted(ck, lower), 0, max(len(ck) - 1, 0))
            derived = np.stack([
                (rows[:, 3] | rows[:, 4]) == 0,                              # word token
                np.where((rows[:, 2] | rows[:, 7]) > 0, rows[:, 1], lower),  # word id (shape if a digit)
                np.where((rows[:, 3] | rows[:, 4]) > 0, rows[:, 6] + 4, 0),  # sentence splitter walk kind
                self._scopes.classes(lower).astype(np.uint64),
                (ck[ci] == lower) if len(ck) else np.zeros(len(lower), bool),  # may start a cue
                np.where(lang._keys[li] == lower, lang._bits[li], 0).astype(np.uint64),
            ], axis=1).astype(np.uint64)
            block = np.concatenate([rows, derived], axis=1)
            need, table = start + len(block), tok.table
            if table is None or need > len(table):
                # capacity doubles, so a long run copies the table a few times, not once per batch
                grown = np.zeros((max(need, 2 * (0 if table is None else len(table)), 4096), block.shape[1]),
                                 np.uint64)
                if table is not None:
                    grown[:start] = table[:start]
                table = grown
            table[start:need] = block
            tok.table, tok.table_n = table, need
        return tok.table

    def analyse(self, cleaned: Sequence[Cleaned], subjects: Sequence[str],
                senders: Sequence[str]) -> list[Analysis]:
        """One :class:`Analysis` per email, in order, equal to :meth:`Analyser.analyse`'s."""
        # Per-token columns are gathered for a whole batch at once (16 columns of
        # 8 bytes a token): in slices of SLICE emails the numpy calls are still
        # paid per slice, not per email, and a 2,000-email chunk does not hold
        # ~60 MB of them at once.
        step = SLICE
        if len(cleaned) > step:
            return [a for i in range(0, len(cleaned), step)
                    for a in self._analyse(cleaned[i:i + step], subjects[i:i + step], senders[i:i + step])]
        return self._analyse(cleaned, subjects, senders)

    def _analyse(self, cleaned: Sequence[Cleaned], subjects: Sequence[str],
                 senders: Sequence[str]) -> list[Analysis]:
        texts, entities, body_at = self._texts(cleaned, subjects)
        tok = self._tok
        if tok.n_lexemes > MAX_LEXEMES or tok.lex_chars > MAX_LEXEME_CHARS:
            # A stream of ever-new tokens (ids, names, URLs) would grow the
            # tables without end: start afresh. A thread still holding the old
            # tokenizer finishes its batch with the old ids and table.
            tok = self._tok = ChunkTokenizer(self.nlp, self._punct)
        ids, starts, bounds = tok.tokenize_many(texts)
        table = self._grow(tok)
        # Columns of every token of the batch at once; each email reads its slice.
        rows = table[ids] if len(ids) else np.zeros((0, _L_LANG + 1), np.uint64)  # no table yet
        ends = starts + rows[:, _L_LEN].astype(np.int64)
        cls = rows[:, _L_CLS].astype(np.int64)
        bits = rows[:, _L_LANG].astype(np.int64)
        walk_at = np.flatnonzero(rows[:, _L_WALK])
        walk = (walk_at.tolist(), (rows[walk_at, _L_WALK] - 4).tolist())
        cue_at = self._cue_starts(rows[:, _L_LOWER], rows[:, _L_CUE])
        lows = rows[:, _L_LOWER].tolist() if cue_at else []
        # Emails with a function word English lacks (bit 0 unset) in their first
        # characters: only those count words per language.
        # (counted in the body: the subject is skipped)
        skips = np.repeat(np.asarray(body_at, dtype=np.int64), np.diff(bounds))
        window = (starts >= skips) & (starts < skips + _WORD_SAMPLE)
        foreign = np.cumsum(window & (bits > 0) & ((bits & 1) == 0))
        out: list[Analysis] = []
        for k, (text, c, sender, ents) in enumerate(zip(texts, cleaned, senders, entities)):
            a, b = bounds[k], bounds[k + 1]
            flags = set(c.flags) | ents | message_flags(c.text, sender, b - a)
            if a == b:
                lang = detect_language(text[body_at[k]:])
                out.append(Analysis(text, (), (), frozenset(flags), language=lang))
                continue
            tok_start, tok_end = starts[a:b], ends[a:b]
            sent = self._sent_starts_walk(walk, a, b)
            sents = _sentence_offsets(text, tok_start[sent])
            cues: tuple = ()
            matches = self._match_cues(lows, cue_at[bisect_left(cue_at, a):bisect_left(cue_at, b)], b)
            if matches:
                begins, finals = tok_start.tolist(), tok_end.tolist()
                cues = tuple((label, begins[s - a], finals[e - 1 - a]) for label, s, e in matches)
            rows_k = rows[a:b]
            scope, voice = self._scopes(rows_k, cls=cls[a:b], sent_start=sent)
            flags |= voice
            has_foreign = foreign[b - 1] > (foreign[a - 1] if a else 0)
            lang = self._lang(text, bits[a:b], window[a:b], has_foreign, body_at[k])
            out.append(Analysis(text, sents, cues, frozenset(flags),
                                *self._token_arrays(rows_k, text, tok_start, tok_end, sents, scope),
                                language=lang))
        return out

    def _lang(self, text: str, bits: np.ndarray, window: np.ndarray, foreign: bool, skip: int) -> str | None:
        """TokenLanguage.__call__ with the function-word bits looked up per lexeme;
        ``window``: the tokens counted; ``foreign``: a word English lacks is among them."""
        script = _script(text[skip:skip + _SAMPLE])
        if script is not None:
            return None if script is _NO_LETTERS else script
        if not foreign:
            return "en"
        bits = bits[window & (bits > 0)]
        lang = self._language
        per_lang = ((bits[:, None] >> lang._shifts) & 1).sum(axis=0)
        return _decide({k: int(c) for k, c in zip(lang._langs, per_lang) if c})

    def _token_arrays(self, rows, text, start, end, sents, scope):
        """tokens.token_arrays from the lexeme table; the same arrays."""
        # tokens.token_arrays shapes a token that holds the start of a digit
        # run; that is "holds a digit" unless spaCy split a run of digits
        # between two tokens: then ask it.
        fd, ld = rows[1:, _L_FIRST_DIGIT], rows[:-1, _L_LAST_DIGIT]
        split_run = (fd & ld) > 0
        if split_run.any() and split_run[start[1:] == end[:-1]].any():
            arr = np.zeros((len(rows), len(TOKEN_ATTRS)), dtype=np.uint64)
            arr[:, :5] = rows[:, :5]
            arr[:, 5] = start
            arr[:, 6] = rows[:, _L_LEN]
            return token_arrays(arr, text, sents, scope)
        keep = rows[:, _L_WORD] > 0
        scope = scope[keep]
        ids = rows[keep, _L_WORD_ID] ^ SCOPE_SALT[scope]
        start, end = start[keep], end[keep]
        sent_starts = np.fromiter((a for a, _ in sents), dtype=np.int64, count=len(sents))
        sent = np.searchsorted(sent_starts, start, side="right") - 1
        return ids, np.maximum(sent, 0), start, end, scope

    @staticmethod
    def _sent_starts_walk(walk: tuple[list[int], list[int]], a: int, n: int) -> np.ndarray:
        """Sentence starts (bool per token) of the email whose tokens are ``a:n``
        of the batch; ``walk``: the batch's tokens the splitter reads (punctuation
        and spaces) and their kinds."""
        starts = np.zeros(n - a, dtype=bool)
        starts[0] = True
        at, kinds = walk
        lo, hi = bisect_left(at, a), bisect_left(at, n)
        pending = False
        last = -2
        for i, k in zip(at[lo:hi], kinds[lo:hi]):
            if pending and i != last + 1:
                starts[last + 1 - a] = True
                pending = False
            if k == _K_NEWLINE:
                if i + 1 < n:
                    starts[i + 1 - a] = True
                pending = False
            elif k == _K_END or (k == _K_TRAIL and pending):
                pending = True
            elif pending:
                starts[i - a] = True
                pending = False
            last = i
        if pending and last + 1 < n:
            starts[last + 1 - a] = True
        return starts
