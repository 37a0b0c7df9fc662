"""spaCy's English tokenizer, ported to plain Python over whitespace chunks (issue 13).

Used by :class:`rejectlens.fastpath.FastAnalyser`; see that module for why and
how exactly it agrees with spaCy (tests/test_fastpath.py checks it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import chain, pairwise
from operator import itemgetter

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, LENGTH, LIKE_NUM, LOWER, ORTH, SHAPE
from spacy.strings import hash_string
from spacy.symbols import IDS as _SYMBOLS

from .components import _SENT_END, _TRAILING
from .special_cases import any_crossing, apply_special_matcher

__all__ = ["LEX_COLUMNS", "ChunkTokenizer", "calm_runs"]

# Kinds for the sentence rules: 0 other, 1 space holding a newline, 2 sentence end, 3 closing quote
_K_OTHER, _K_NEWLINE, _K_END, _K_TRAIL = 0, 1, 2, 3
_PIECES = re.compile(r"\S+ ?|\s+")
# a cached chunk: (lexeme ids, token offsets in the chunk, risk, last tokens, count); ids and
# offsets as the bytes of their arrays, so a batch's are one bytes.join, not a Python int each
_IDS, _REL, _RISK, _N = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(4)
_MAX_CACHE = 200_000
_MAX_CACHED_CHUNK = 1_000  # longer chunks (a line of base64) do not come again
# A chunk longer than this is pasted junk, not words: its runs of marks are one
# token and its affixes are stripped at most _MAX_AFFIXES times (spaCy's loop is
# quadratic in them). Shorter chunks are tokenized exactly as spaCy does.
_LONG_CHUNK = 300
_LONG_RUN = 100
_MAX_AFFIXES = 60
_PUNCT_RUN = re.compile(rf"[^\w\s]{{{_LONG_RUN + 1},}}")
_MARKS = frozenset(",!?:;")  # a one-character suffix after any word


def _string_id(s: str) -> int:
    """``vocab.strings.add(s)`` without adding: spaCy's symbols keep their fixed ids."""
    if not s:
        return 0
    sym = _SYMBOLS.get(s)
    return sym if sym is not None else hash_string(s)


# ("shape" is 0 unless like_num or has_digit: only such tokens are read by their shape)
LEX_COLUMNS = ("lower", "shape", "like_num", "is_punct", "is_space", "length", "kind",
               "has_digit", "first_digit", "last_digit")
# FastAnalyser's lexeme table: LEX_COLUMNS, then what it derives from them.
(_L_LOWER, _L_SHAPE, _L_NUM, _L_PUNCT, _L_SPACE, _L_LEN, _L_KIND, _L_HAS_DIGIT, _L_FIRST_DIGIT,
 _L_LAST_DIGIT, _L_WORD, _L_WORD_ID, _L_WALK, _L_CLS, _L_CUE, _L_LANG) = range(16)


class ChunkTokenizer:
    """spaCy's tokenizer rules on one whitespace chunk at a time, cached.

    ``tokenize(text)`` returns (lexeme ids, token starts) for the whole text;
    the per-lexeme attributes are rows of ``LEX_COLUMNS`` (``rows_from``), which
    the analyser turns into its table (``table``).
    """

    def __init__(self, nlp, punct_chars: Sequence[str] = _SENT_END) -> None:
        tok = nlp.tokenizer
        self._prefix = tok.prefix_search
        self._suffix = tok.suffix_search
        self._infix = tok.infix_finditer
        self._token_match = tok.token_match
        self._url_match = tok.url_match
        strings = nlp.vocab.strings
        self._rules: dict[str, list[str]] = {
            k: [strings[t[ORTH]] if isinstance(t[ORTH], int) else t[ORTH] for t in v]
            for k, v in tok.rules.items()
        }
        getters = nlp.vocab.lex_attr_getters
        self._g_lower, self._g_shape = getters[LOWER], getters[SHAPE]
        self._g_num, self._g_punct = getters[LIKE_NUM], getters[IS_PUNCT]
        self._end = set(punct_chars)
        self._trailing = set(_TRAILING)
        # Special cases spaCy's special matcher finds across affix splits
        # (faster_heuristics: only those that affixes/infixes would split).
        self._matcher_specials: dict[tuple[str, ...], str] = {}
        for s in self._rules:
            if (not tok.faster_heuristics or self._find_prefix(s) or self._find_suffix(s)
                    or list(self._infix(s)) or " " in s):
                orths = tuple(self._split(s, specials=False))
                if orths:
                    self._matcher_specials.setdefault(orths, s)
        self._max_special = max((len(k) for k in self._matcher_specials), default=0)
        # spaCy's special matcher runs over the whole doc, so a pattern can also
        # match across two chunks (")" + ":" in "(555) :(10am"): never merged
        # (the span text holds a space) but it can shadow a match inside a
        # chunk. A chunk that may start or end such a match marks the text for
        # spaCy's own tokenizer (exact; rare).
        multi = [k for k in self._matcher_specials if len(k) > 1]
        self._nonfirst = {t for k in multi for t in k[1:]}
        self._nonlast = {t for k in multi for t in k[:-1]}
        self._nlp = nlp
        self.fallbacks = 0
        # Hits only read; misses (new chunks, new lexemes) take the lock, so
        # one tokenizer serves every thread of a shared Classifier.
        self._lock = threading.RLock()
        # lexeme tables
        self._lex_index: dict[str, int] = {}
        self._lex_rows: list[tuple[int, ...]] = []  # one LEX_COLUMNS row per lexeme id
        self.lex_chars = 0  # characters the lexeme index holds (pasted base64 makes long ones)
        self._chunks: dict[str, tuple] = {}  # chunk -> (ids, offsets, risk, last tokens, count)
        self.misses = 0
        # The analyser's lexeme table for these ids (FastAnalyser fills it):
        # it lives and dies with the ids it indexes.
        self.table: np.ndarray | None = None
        self.table_n = 0  # rows of ``table`` in use (it grows by doubling)

    # -- spaCy's algorithm ------------------------------------------------
    def _find_prefix(self, s: str) -> int:
        m = self._prefix(s) if self._prefix else None
        return (m.end() - m.start()) if m is not None else 0

    def _find_suffix(self, s: str) -> int:
        m = self._suffix(s) if self._suffix else None
        return (m.end() - m.start()) if m is not None else 0

    def _split(self, chunk: str, specials: bool = True) -> list[str]:
        rules = self._rules if specials else {}
        if chunk in rules:
            return list(rules[chunk])
        token_match = self._token_match
        prefixes: list[str] = []
        suffixes: list[str] = []
        string = chunk
        last = -1
        # Each strip searches the rest again: a chunk of thousands ("It's's's...")
        # was quadratic. A long chunk strips at most _MAX_AFFIXES, the rest one
        # piece; a shorter one (a 72-"=" separator line) exactly as spaCy does.
        strips = _MAX_AFFIXES if len(chunk) > _LONG_CHUNK else len(chunk) + 1
        while string and len(string) != last and strips:
            strips -= 1
            if token_match and token_match(string):
                break
            if string in rules:
                break
            last = len(string)
            pre_len = self._find_prefix(string)
            if pre_len:
                prefix = string[:pre_len]
                minus_pre = string[pre_len:]
                if minus_pre and minus_pre in rules:
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = self._find_suffix(string[pre_len:])
            if suf_len:
                suffix = string[-suf_len:]
                minus_suf = string[:-suf_len]
                if minus_suf and minus_suf in rules:
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and pre_len + suf_len <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                string = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                string = minus_suf
                suffixes.append(suffix)
        out = prefixes
        if string:
            if string in rules:
                out.extend(rules[string])
            elif (token_match and token_match(string)) or (self._url_match and self._url_match(string)):
                out.append(string)
            else:
                matches = list(self._infix(string)) if self._infix else []
                if not matches:
                    out.append(string)
                else:
                    start = 0
                    for m in matches:
                        a, b = m.start(), m.end()
                        if a == 0:  # start_before_infixes is always 0
                            continue
                        if a != start:
                            out.append(string[start:a])
                        if a != b:
                            out.append(string[a:b])
                        start = b
                    if string[start:]:
                        out.append(string[start:])
        out.extend(reversed(suffixes))
        return out

    def _plain(self, chunk: str) -> list[str] | None:
        """``_split`` of the commonest chunks without a regex, or None: ASCII
        letters, maybe closed by one of ``,!?:;`` (or ``.`` after a lower-case
        letter). No English prefix, suffix or infix matches ASCII letters alone
        (each needs a non-letter; the unit suffixes "km", "MB" a digit before
        them), and such a mark is a suffix of its own that leaves the word."""
        if chunk in self._rules:
            return None
        if chunk.isascii() and chunk.isalpha():
            return [chunk]
        word, mark = chunk[:-1], chunk[-1]
        if word.isascii() and word.isalpha() and (mark in _MARKS or (mark == "." and word[-1].islower())):
            return [*self._rules.get(word, (word,)), mark]
        return None

    def _runs(self, chunk: str) -> list[str] | None:
        """The tokens of a long chunk holding a run of more than ``_LONG_RUN``
        punctuation marks or emoji: the run is one token, the rest split as
        spaCy splits it. spaCy strips one prefix or suffix at a time, each time
        searching the rest again: 50,000 "*" took minutes (its tokens differ
        there, and only there)."""
        if not _PUNCT_RUN.search(chunk):
            return None
        out: list[str] = []
        pos = 0
        for m in _PUNCT_RUN.finditer(chunk):
            if m.start() > pos:
                out += self._split(chunk[pos:m.start()])
            out.append(m[0])
            pos = m.end()
        if pos < len(chunk):
            out += self._split(chunk[pos:])
        return out

    # -- lexemes and chunks -----------------------------------------------
    def _lex(self, orth: str) -> int:
        idx = self._lex_index.get(orth)
        if idx is None:
            idx = len(self._lex_rows)
            self._lex_rows.append(self._lex_row(orth))
            self._lex_index[orth] = idx
            self.lex_chars += len(orth)
        return idx

    def _lex_row(self, orth: str) -> tuple[int, ...]:
        # ASCII letters are never Unicode punctuation, space or digits, so
        # the common word skips those getters; the shape is read only for a
        # number or a token holding a digit (the fast path's only use of it),
        # so other tokens store 0 there.
        num = bool(self._g_num(orth))
        if orth.isascii() and orth.isalpha():
            is_space = is_punct = has_digit = False
        else:
            is_space, is_punct = orth.isspace(), bool(self._g_punct(orth))
            # digits as re's "\\d" sees them (str.isdecimal: "m³" holds none)
            has_digit = any(ch.isdecimal() for ch in orth)
        if is_space:
            kind = _K_NEWLINE if "\n" in orth else _K_OTHER
        elif not is_punct:
            kind = _K_OTHER
        else:
            kind = _K_END if orth in self._end else _K_TRAIL if orth in self._trailing else _K_OTHER
        shape = _string_id(self._g_shape(orth)) if num or has_digit else 0
        return (_string_id(self._g_lower(orth)), shape, int(num), int(is_punct), int(is_space), len(orth),
                kind, int(has_digit), int(has_digit and orth[0].isdecimal()),
                int(has_digit and orth[-1].isdecimal()))

    def _chunk(self, chunk: str) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        self.misses += 1
        pre = self._plain(chunk) or (len(chunk) > _LONG_CHUNK and self._runs(chunk)) or self._split(chunk)
        orths = apply_special_matcher(pre, self._matcher_specials, self._rules, self._max_special) \
            if len(pre) > 1 and self._max_special else pre
        # bit 4: a special case matches inside the chunk, one a match across chunks could shadow
        special = orths is not pre if len(pre) > 1 else tuple(pre) in self._matcher_specials
        risk = (1 if pre[0] in self._nonfirst else 0) | (2 if pre[-1] in self._nonlast else 0) | 4 * special
        ids, rel = [], []
        pos = 0
        for o in orths:
            ids.append(self._lex(o))
            rel.append(pos)
            pos += len(o)
        value = (np.array(ids, np.intp).tobytes(), np.array(rel, np.int64).tobytes(), risk,
                 tuple(pre[-self._max_special:]) if risk else (), len(ids))
        if len(self._chunks) < _MAX_CACHE and len(chunk) <= _MAX_CACHED_CHUNK:
            self._chunks[chunk] = value
        return value

    def _spacy_tokens(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        # A token's text is its slice of the text: no Token object per token.
        spans = self._nlp.tokenizer(calm_runs(text)).to_array([IDX, LENGTH])
        with self._lock:
            self.fallbacks += 1
            ids = [self._lex(text[a:a + n]) for a, n in spans.tolist()]
        return np.array(ids, np.intp), spans[:, 0].astype(np.int64)

    @property
    def n_lexemes(self) -> int:
        return len(self._lex_rows)

    def rows_from(self, start: int) -> np.ndarray:
        """Lexeme rows from id ``start`` on (columns: see ``LEX_COLUMNS``); call
        with the lock held."""
        return np.array(self._lex_rows[start:], dtype=np.uint64).reshape(-1, len(LEX_COLUMNS))

    def tokenize(self, text: str) -> tuple[list[int], np.ndarray]:
        """(lexeme ids, start offsets) of every token spaCy would make of ``text``."""
        ids, starts, _ = self.tokenize_many([text])
        return ids.tolist(), starts

    def tokenize_many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """(lexeme ids, start offsets, bounds) of every token spaCy would make of
        each text, all texts end to end: text k's are ``bounds[k]:bounds[k + 1]``.
        One pass over the batch, so the numpy calls are paid once, not per text."""
        # Pieces: a word with the one " " spaCy attaches to it ("thanks "),
        # or a whitespace run less that space (a chunk of its own: "\n\n").
        # All per-piece work is C loops over a dict of piece -> tokens.
        per_text = [_PIECES.findall(t) for t in texts]
        pieces = list(chain.from_iterable(per_text))
        vals = list(map(self._chunks.get, pieces))
        if None in vals:
            with self._lock:  # misses grow the caches and the lexeme rows
                get = self._chunks.get  # a piece new to the batch twice is cached by then
                for i, v in enumerate(vals):
                    if v is None:
                        vals[i] = get(pieces[i]) or self._piece(pieces[i])
        n_pieces = np.fromiter(map(len, per_text), np.int64, len(per_text))
        piece_bounds = np.concatenate([[0], np.cumsum(n_pieces)])
        lens = np.fromiter(map(len, pieces), np.int64, len(pieces))
        pos = np.cumsum(lens) - lens
        has = n_pieces > 0
        pos -= np.repeat(pos[piece_bounds[:-1][has]], n_pieces[has])  # offsets within each text
        counts = np.fromiter(map(_N, vals), np.int64, len(vals))
        cum = np.concatenate([[0], np.cumsum(counts)])
        ids = np.frombuffer(b"".join(map(_IDS, vals)), np.intp)
        rel = np.frombuffer(b"".join(map(_REL, vals)), np.int64)
        starts, bounds = np.repeat(pos, counts) + rel, cum[piece_bounds].tolist()
        # A special-case pattern can only cross from a piece that may end one
        # into the next piece (of the same text) that may continue one.
        risks = np.fromiter(map(_RISK, vals), np.int8, len(vals))
        pair = (risks[:-1] >> 1) & risks[1:] & 1
        if pair.any():
            inner = piece_bounds[1:-1]
            pair[inner[(inner > 0) & (inner < len(pieces))] - 1] = 0  # no pair across two texts
            fall = {}
            suspects = np.unique(np.searchsorted(piece_bounds, np.flatnonzero(pair), side="right") - 1)
            for k in suspects.tolist():
                p0, p1 = int(piece_bounds[k]), int(piece_bounds[k + 1])
                if lens[p0:p1].max() > _MAX_CACHED_CHUNK:
                    # spaCy's own tokenizer is quadratic in a chunk this long (a run of
                    # marks, "'s's's..."): the chunks' tokens stand, special cases aside
                    continue
                if any_crossing(pieces[p0:p1], vals[p0:p1], pos[p0:p1].tolist(),
                                np.flatnonzero(risks[p0:p1] & 3).tolist(), self._split,
                                self._matcher_specials, self._max_special):
                    fall[k] = self._spacy_tokens(texts[k])
            if fall:
                return _splice(ids, starts, bounds, fall)
        return ids, starts, bounds

    def _piece(self, piece: str):
        chunk = piece[:-1] if len(piece) > 1 and piece[-1] == " " and not piece[0].isspace() else piece
        value = self._chunks.get(chunk) or self._chunk(chunk)
        if len(self._chunks) < _MAX_CACHE and len(piece) <= _MAX_CACHED_CHUNK:
            self._chunks[piece] = value
        return value


def calm_runs(text: str) -> str:
    """``text`` with every run of more than ``_LONG_RUN`` punctuation marks or
    emoji blanked past its start, same length, so offsets stay true: what
    spaCy's own tokenizer (quadratic in such a run) reads on the path that
    uses it."""
    if len(text) <= _LONG_RUN or not _PUNCT_RUN.search(text):
        return text
    return _PUNCT_RUN.sub(lambda m: m[0][:_LONG_RUN] + " " * (len(m[0]) - _LONG_RUN), text)


def _splice(ids: np.ndarray, starts: np.ndarray, bounds: list[int],
            texts: dict[int, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The batch's tokens with those of the texts in ``texts`` (index -> ids,
    starts) replaced."""
    id_parts, start_parts, new_bounds = [], [], [0]
    for k, (a, b) in enumerate(pairwise(bounds)):
        i, s = texts.get(k) or (ids[a:b], starts[a:b])
        id_parts.append(i)
        start_parts.append(s)
        new_bounds.append(new_bounds[-1] + len(i))
    return np.concatenate(id_parts), np.concatenate(start_parts), new_bounds
