"""A spaCy-free hot path for the analyse stage (prototype, issue 13).

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

Switch: ``REJECTLENS_FAST_ANALYSE=1`` makes :func:`rejectlens.model.analyse_emails`
(classify, train, evaluate) use it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping, Sequence
from itertools import chain
from operator import itemgetter

import numpy as np
from spacy.attrs import IS_PUNCT, LIKE_NUM, LOWER, ORTH, SHAPE
from spacy.strings import hash_string
from spacy.symbols import IDS as _SYMBOLS

from .analyse import Analyser, Analysis, _sentence_offsets
from .clean import Cleaned
from .components import _SENT_END, _TRAILING
from .language import _NO_LETTERS, _SAMPLE, _WORD_SAMPLE, _decide, _script, detect_language
from .signals import message_flags
from .tokens import _SCOPE_SALT, TOKEN_ATTRS, token_arrays

__all__ = ["FAST_ENV", "ChunkTokenizer", "FastAnalyser", "fast_enabled"]

FAST_ENV = "REJECTLENS_FAST_ANALYSE"


def fast_enabled() -> bool:
    return os.environ.get(FAST_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


# Kinds for the sentence rules: 0 other, 1 space holding a newline, 2 sentence end, 3 closing quote
_K_OTHER, _K_NEWLINE, _K_END, _K_TRAIL = 0, 1, 2, 3
_PIECES = re.compile(r"\S+ ?|\s+")
# a cached chunk: (lexeme ids, token offsets in the chunk, risk, last tokens, count)
_IDS, _REL, _RISK, _N = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(4)
_MAX_CACHE = 200_000


def _string_id(s: str) -> int:
    """``vocab.strings.add(s)`` without adding: spaCy's symbols keep their fixed ids."""
    if not s:
        return 0
    sym = _SYMBOLS.get(s)
    return sym if sym is not None else hash_string(s)


LEX_COLUMNS = ("lower", "shape", "like_num", "is_punct", "is_space", "length", "kind",
               "has_digit", "first_digit", "last_digit")
# FastAnalyser's lexeme table: LEX_COLUMNS, then what it derives from them.
(_L_LOWER, _L_SHAPE, _L_NUM, _L_PUNCT, _L_SPACE, _L_LEN, _L_KIND, _L_HAS_DIGIT, _L_FIRST_DIGIT,
 _L_LAST_DIGIT, _L_WORD, _L_WORD_ID, _L_WALK, _L_CLS, _L_CUE, _L_LANG) = range(16)


class ChunkTokenizer:
    """spaCy's tokenizer rules on one whitespace chunk at a time, cached.

    ``tokenize(text)`` returns (lexeme ids, token starts) for the whole text;
    the per-lexeme attribute tables are the ``lex_*`` numpy arrays.
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
        self._lex_rows: list[tuple[int, int, int, int, int, int, int]] = []
        self._tables_n = -1
        self._chunks: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.misses = 0

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
        while string and len(string) != last:
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

    def _apply_special_matcher(self, orths: list[str]) -> list[str]:
        found = []
        n = len(orths)
        specials = self._matcher_specials
        for i in range(n):
            for j in range(i + 1, min(n, i + self._max_special) + 1):
                s = specials.get(tuple(orths[i:j]))
                if s is not None:
                    found.append((j - i, i, j, s))
        if not found:
            return orths
        found.sort(key=lambda x: (x[0], -x[1]))  # spaCy len_start_cmp
        seen: set[int] = set()
        keep = []
        for _length, i, j, s in reversed(found):
            if i not in seen and (j - 1) not in seen:
                keep.append((i, j, s))
            seen.update(range(i, j))
        keep.sort()
        out: list[str] = []
        k = 0
        for i, j, s in keep:
            out.extend(orths[k:i])
            out.extend(self._rules[s])
            k = j
        out.extend(orths[k:])
        return out

    # -- lexemes and chunks -----------------------------------------------
    def _lex(self, orth: str) -> int:
        idx = self._lex_index.get(orth)
        if idx is None:
            is_space = orth.isspace()
            is_punct = bool(self._g_punct(orth))
            if is_space:
                kind = _K_NEWLINE if "\n" in orth else _K_OTHER
            elif not is_punct:
                kind = _K_OTHER
            else:
                kind = _K_END if orth in self._end else _K_TRAIL if orth in self._trailing else _K_OTHER
            row = (_string_id(self._g_lower(orth)), _string_id(self._g_shape(orth)),
                   int(bool(self._g_num(orth))), int(is_punct), int(is_space), len(orth), kind,
                   # digits as re's "\\d" sees them (str.isdecimal: "m³" holds none)
                   int(any(ch.isdecimal() for ch in orth)), int(orth[:1].isdecimal()),
                   int(orth[-1:].isdecimal()))
            idx = len(self._lex_rows)
            self._lex_rows.append(row)
            self._lex_index[orth] = idx
        return idx

    def _chunk(self, chunk: str) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        self.misses += 1
        pre = self._split(chunk)  # the tokens spaCy's special matcher sees
        orths = self._apply_special_matcher(pre) if len(pre) > 1 and self._max_special else pre
        risk = (1 if pre[0] in self._nonfirst else 0) | (2 if pre[-1] in self._nonlast else 0)
        ids, rel = [], []
        pos = 0
        for o in orths:
            ids.append(self._lex(o))
            rel.append(pos)
            pos += len(o)
        value = (tuple(ids), tuple(rel), risk, tuple(pre[-self._max_special:]) if risk else (), len(ids))
        if len(self._chunks) < _MAX_CACHE:
            self._chunks[chunk] = value
        return value

    def _crosses(self, tail: tuple[str, ...], head: list[str]) -> bool:
        """Does a special-matcher pattern span the end of ``tail`` and the start of ``head``?"""
        seq = (*tail, *head)
        b, m = len(tail), self._max_special
        specials = self._matcher_specials
        return any(tuple(seq[i:j]) in specials
                   for i in range(max(0, b - m + 1), b) for j in range(b + 1, min(len(seq), i + m) + 1))

    def _spacy_tokens(self, text: str) -> tuple[list[int], np.ndarray]:
        doc = self._nlp.tokenizer(text)
        with self._lock:
            self.fallbacks += 1
            ids = [self._lex(t.text) for t in doc]
        return ids, np.array([t.idx for t in doc], np.int64)

    def new_rows(self) -> np.ndarray:
        """Lexeme rows added since the last call (columns: see ``LEX_COLUMNS``)."""
        start = self._tables_n if self._tables_n > 0 else 0
        rows = np.array(self._lex_rows[start:], dtype=np.uint64).reshape(-1, len(LEX_COLUMNS))
        self._tables_n = len(self._lex_rows)
        return rows

    def tokenize(self, text: str) -> tuple[list[int], np.ndarray]:
        """(lexeme ids, start offsets) of every token spaCy would make of ``text``."""
        if not text:
            return [], np.zeros(0, np.int64)
        # Pieces: a word with the one " " spaCy attaches to it ("thanks "),
        # or a whitespace run less that space (a chunk of its own: "\n\n").
        # All per-piece work is C loops over a dict of piece -> tokens.
        pieces = _PIECES.findall(text)
        get = self._chunks.get
        vals = list(map(get, pieces))
        if None in vals:
            with self._lock:  # misses grow the caches and the lexeme rows
                for i, v in enumerate(vals):
                    if v is None:
                        vals[i] = self._piece(pieces[i])
        lens = np.fromiter(map(len, pieces), np.int64, len(pieces))
        pos = np.cumsum(lens) - lens
        counts = np.fromiter(map(_N, vals), np.int64, len(vals))
        risks = np.fromiter(map(_RISK, vals), np.int8, len(vals))
        # A special-case pattern can only cross from a piece that may end one
        # into the next piece that may continue one.
        if ((risks[:-1] >> 1) & risks[1:] & 1).any() and \
                self._any_crossing(pieces, vals, pos, np.flatnonzero(risks).tolist()):
            return self._spacy_tokens(text)
        ids = list(chain.from_iterable(map(_IDS, vals)))
        rel = np.fromiter(chain.from_iterable(map(_REL, vals)), np.int64, len(ids))
        return ids, np.repeat(pos, counts) + rel

    def _piece(self, piece: str):
        chunk = piece[:-1] if len(piece) > 1 and piece[-1] == " " and not piece[0].isspace() else piece
        value = self._chunks.get(chunk) or self._chunk(chunk)
        if len(self._chunks) < _MAX_CACHE:
            self._chunks[piece] = value
        return value

    def _any_crossing(self, pieces, vals, pos, risky: list[int]) -> bool:
        """Could spaCy's special matcher match across two of these pieces?"""
        tail_risk, tail_end, tail = 0, -2, ()
        m = self._max_special
        for i in risky:
            piece = pieces[i]
            chunk = piece[:-1] if len(piece) > 1 and piece[-1] == " " and not piece[0].isspace() else piece
            at, risk, pre = int(pos[i]), vals[i][2], vals[i][3]
            if risk & 1 and tail_risk and at == tail_end + 1:
                if self._crosses(tail, self._split(chunk)[:m]):
                    return True
                tail = (*tail, *pre)[-m:]
            else:
                tail = pre
            tail_risk, tail_end = risk & 2, at + len(chunk)
        return False

class FastAnalyser(Analyser):
    """An :class:`Analyser` whose ``analyse`` makes no spaCy Doc (see module doc)."""

    def __init__(self, patterns: Mapping[str, Sequence[str]] | None = None, batch_size: int = 256,
                 entities: str | None = None) -> None:
        super().__init__(patterns, batch_size=batch_size, entities=entities)
        splitter = self.nlp.get_pipe("rejectlens_sentences")
        self._tok = ChunkTokenizer(self.nlp, splitter.punct_chars)
        self._lex_table: np.ndarray | None = None
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

    def _match_cues(self, lower: np.ndarray, cand: np.ndarray) -> list[tuple[str, int, int]]:
        """(label, start, end) per match, in the PhraseMatcher's order; ``cand``:
        the tokens that start some cue."""
        lows = lower.tolist()
        n = len(lows)
        out = []
        root = self._trie
        for i in cand.tolist():
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

    def _grow(self) -> np.ndarray:
        with self._tok._lock:
            return self._grow_locked()

    def _grow_locked(self) -> np.ndarray:
        rows = self._tok.new_rows()
        if len(rows):
            lower = rows[:, 0]
            lang = self._language
            li = np.minimum(np.searchsorted(lang._keys, lower), len(lang._keys) - 1)
            ck = self._cue_keys
            ci = np.minimum(np.searchsorted(ck, lower), len(ck) - 1)
            derived = np.stack([
                (rows[:, 3] | rows[:, 4]) == 0,                              # word token
                np.where((rows[:, 2] | rows[:, 7]) > 0, rows[:, 1], lower),  # word id (shape if a digit)
                np.where((rows[:, 3] | rows[:, 4]) > 0, rows[:, 6] + 4, 0),  # sentence splitter walk kind
                self._scopes.classes(lower).astype(np.uint64),
                ck[ci] == lower,                                             # may start a cue
                np.where(lang._keys[li] == lower, lang._bits[li], 0).astype(np.uint64),
            ], axis=1).astype(np.uint64)
            block = np.concatenate([rows, derived], axis=1)
            self._lex_table = block if self._lex_table is None else np.concatenate([self._lex_table, block])
        return self._lex_table

    def analyse(self, cleaned: Sequence[Cleaned], subjects: Sequence[str],
                senders: Sequence[str]) -> list[Analysis]:
        """One :class:`Analysis` per email, in order, equal to :meth:`Analyser.analyse`'s."""
        texts = [
            f"{subj.strip()}\n\n{c.text}" if subj and subj.strip() else c.text
            for c, subj in zip(cleaned, subjects)
        ]
        ents = self._entity_signals
        entities = [frozenset()] * len(texts) if ents is None else ents(texts)
        tok = self._tok
        tokenized = [tok.tokenize(t) for t in texts]
        table = self._grow()
        out: list[Analysis] = []
        for (ids, tok_start), text, c, sender, ents in zip(tokenized, texts, cleaned, senders, entities):
            n_tokens = len(ids)
            flags = set(c.flags) | ents | message_flags(c.text, sender, n_tokens)
            if n_tokens == 0:
                out.append(Analysis(text, (), (), frozenset(flags), language=detect_language(text)))
                continue
            rows = table[np.array(ids, dtype=np.intp)]
            lower = rows[:, _L_LOWER]
            tok_end = tok_start + rows[:, _L_LEN].astype(np.int64)
            sent = self._sent_starts_walk(rows[:, _L_WALK])
            sents = _sentence_offsets(text, tok_start[sent])
            cues: tuple = ()
            cand = np.flatnonzero(rows[:, _L_CUE])
            if len(cand):
                matches = self._match_cues(lower, cand)
                if matches:
                    begins, ends = tok_start.tolist(), tok_end.tolist()
                    cues = tuple((label, begins[s], ends[e - 1]) for label, s, e in matches)
            cls = rows[:, _L_CLS].astype(np.int64)
            scope, voice = self._scopes(rows, cls=cls, sent_start=sent)
            flags |= voice
            lang = self._lang(text, rows[:, _L_LANG].astype(np.int64), tok_start)
            out.append(Analysis(text, sents, cues, frozenset(flags),
                                *self._token_arrays(rows, text, tok_start, tok_end, sents, scope),
                                language=lang))
        return out

    def _lang(self, text: str, bits: np.ndarray, starts: np.ndarray) -> str | None:
        """TokenLanguage.__call__ with the function-word bits looked up per lexeme."""
        script = _script(text[:_SAMPLE])
        if script is not None:
            return None if script is _NO_LETTERS else script
        bits = bits[(starts < _WORD_SAMPLE) & (bits > 0)]
        if not np.any((bits & 1) == 0):
            return "en"
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
        ids = rows[keep, _L_WORD_ID] ^ _SCOPE_SALT[scope]
        start, end = start[keep], end[keep]
        sent_starts = np.fromiter((a for a, _ in sents), dtype=np.int64, count=len(sents))
        sent = np.searchsorted(sent_starts, start, side="right") - 1
        return ids, np.maximum(sent, 0), start, end, scope

    @staticmethod
    def _sent_starts_walk(kind: np.ndarray) -> np.ndarray:
        """``kind`` is 0 for tokens the splitter skips, else 4 + token kind."""
        n = len(kind)
        starts = np.zeros(n, dtype=bool)
        starts[0] = True
        walk = np.flatnonzero(kind)
        if not len(walk):
            return starts
        pending = False
        last = -2
        for i, k in zip(walk.tolist(), (kind[walk] - 4).tolist()):
            if pending and i != last + 1 and i < n:
                starts[last + 1] = True
                pending = False
            if k == _K_NEWLINE:
                if i + 1 < n:
                    starts[i + 1] = True
                pending = False
            elif k == _K_END or (k == _K_TRAIL and pending):
                pending = True
            elif pending:
                starts[i] = True
                pending = False
            last = i
        if pending and last + 1 < n:
            starts[last + 1] = True
        return starts
