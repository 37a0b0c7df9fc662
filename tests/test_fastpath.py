"""The spaCy-free analyse path gives the same Analysis as the spaCy one."""

from __future__ import annotations

import random

import pytest
import spacy

from rejectlens.analyse import Analyser
from rejectlens.chunk_tokenizer import ChunkTokenizer
from rejectlens.clean import Cleaned
from rejectlens.fastpath import FastAnalyser

TEXTS = [
    "",
    "   ",
    "Hi Jordan,\n\nThanks for applying. Unfortunately we will not be moving forward.\n\nBest,\nTalent Team",
    "We won't proceed (e.g., the role was filled).  If you're not selected, we'll keep your CV on file!",
    "Re: REQ-48213 — 10:30am call on 12/05/2026, phone (555) 123-4567; see https://jobs.example.com/a?b=1.",
    "I have decided to withdraw my application. I'm grateful — thanks!!! :) (:  ",
    "Sehr geehrte Frau Müller, leider müssen wir Ihnen mitteilen, dass wir uns anders entschieden haben.",
    "Dear candidate:(1) we regret... “not a reflection of your skills” \u00a0\tUnfortunately, no.\r\n\r\nRegards",
    " leading space and trailing tab\t",
    "Flat of 12 m³, 48 m², 3pm, 1/2, 5a6, 10%, 2nd, 555-1234, $1,000.00 and REQ-4821.",
    "The position has been filled.\u2028Another line\u2029 and N.Y. Inc., U.S.A. e.g. i.e. vs. etc.)",
]


@pytest.fixture(scope="module")
def analysers():
    return Analyser(), FastAnalyser()


@pytest.mark.parametrize("text", TEXTS)
def test_same_analysis(analysers, text):
    old, new = analysers
    cleaned = [Cleaned(text, frozenset())]
    for subject in ("", "Your application"):
        for sender in ("", "noreply@x.com"):
            assert new.analyse(cleaned, [subject], [sender]) == old.analyse(cleaned, [subject], [sender])


def test_tokens_match_spacy_on_random_hostile_strings():
    nlp = spacy.blank("en")
    tok = ChunkTokenizer(nlp)
    pieces = ["don't", "e.g.,", "(e.g.", "U.S.", ":)", ":-)", "(:", "<3", "Mr.", "Inc.,", "can't!",
              "https://x.co/a?b=1.", "bob@x.com,", "1,000", "$50k", "10:30am", "I'm", "“quoted”", "...",
              "?!", "—", "foo-bar", "re:", "REQ-48213", "\n", "\n\n", " ", "\t", "\xa0", "(555)",
              "etc.)", "gonna", "cannot", "'", "’", "Hello", "world.", ":(", ";)", "\r\n", " \n "]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "  ", "\n"]) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.2:
            text = " " + text
        ids, starts = tok.tokenize(text)
        lens = [int(tok._lex_rows[i][5]) for i in ids]
        got = [(int(s), text[s:s + n]) for s, n in zip(starts, lens)]
        assert got == [(t.idx, t.text) for t in nlp.tokenizer(text)], text


def test_switch_picks_fast_analyser(monkeypatch):
    from rejectlens import model
    from rejectlens.components import default_cue_patterns

    monkeypatch.setenv("REJECTLENS_FAST_ANALYSE", "1")
    assert isinstance(model._shared_analyser(default_cue_patterns()), FastAnalyser)
    monkeypatch.setenv("REJECTLENS_FAST_ANALYSE", "0")
    assert type(model._shared_analyser(default_cue_patterns())) is Analyser


def test_threads_share_one_fast_analyser(analysers):
    from concurrent.futures import ThreadPoolExecutor

    old, _ = analysers
    fresh = FastAnalyser()  # cold caches: every thread misses at once
    words = ["Thanks", "(e.g.", "N.Y.", "won't", "REQ-4821", "m³", ":)", "we", "regret", "not", "if", "\n"]
    texts = [" ".join(words[(i * 7 + k) % len(words)] + str(i % 3 if k % 4 == 0 else "") for k in range(30))
             for i in range(64)]
    cleaned = [Cleaned(t, frozenset()) for t in texts]
    want = old.analyse(cleaned, [""] * len(texts), [""] * len(texts))
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: fresh.analyse([cleaned[i]], [""], [""])[0], range(len(texts))))
    assert got == want


def test_same_analysis_on_random_unicode(analysers):
    old, new = analysers
    rng = random.Random(11)
    alphabet = [*"abcXYZ019 .,;:!?'\"()[]-–—…/@#$%&*+=<>\n\t\r",
        "\u00a0", "\u200b", "\u200d", "😀", "👍🏽", "İ", "ſ", "ß", "e\u0301", "ﬁ", "²", "³", "٣", "中文",
        "Привет", "\u2028", "\x0c", "\x1c", "Mr.", "e.g.", "don't", "we", "regret", "not", "if", "I",
        "http://a.b/c", "x@y.z"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    cleaned = [Cleaned(t, frozenset()) for t in texts]
    assert new.analyse(cleaned, [""] * 300, [""] * 300) == old.analyse(cleaned, [""] * 300, [""] * 300)


def test_the_fast_path_is_the_default_only_on_verified_spacy(monkeypatch):
    import spacy

    from rejectlens.fastpath import FAST_ENV, fast_enabled

    monkeypatch.delenv(FAST_ENV, raising=False)
    monkeypatch.setattr(spacy, "__version__", "3.8.99")
    assert fast_enabled()
    monkeypatch.setattr(spacy, "__version__", "3.7.5")
    assert not fast_enabled()  # an unverified tokenizer: spaCy's own Doc
    monkeypatch.setenv(FAST_ENV, "1")
    assert fast_enabled()
    monkeypatch.setenv(FAST_ENV, "0")
    monkeypatch.setattr(spacy, "__version__", "3.8.1")
    assert not fast_enabled()


def test_the_tables_start_afresh_past_their_cap_and_answers_stay_the_same(analysers, monkeypatch):
    import rejectlens.fastpath as fastpath

    old, _ = analysers
    new = FastAnalyser()
    monkeypatch.setattr(fastpath, "MAX_LEXEMES", 5)
    first = new._tok
    batches = [[Cleaned(t, frozenset())] for t in TEXTS[2:6]]
    for batch in batches:
        assert new.analyse(batch, [""], [""]) == old.analyse(batch, [""], [""])
    assert new._tok is not first and new._tok.n_lexemes < first.n_lexemes + 50


def test_a_failure_while_growing_the_table_leaves_ids_and_rows_aligned(analysers, monkeypatch):
    old, _ = analysers
    new = FastAnalyser()
    warm = [Cleaned("Hello there.", frozenset())]
    new.analyse(warm, [""], [""])
    calls = {"n": 0}
    real = new._scopes.classes

    def fail_once(lower):
        calls["n"] += 1
        if calls["n"] == 1:
            raise MemoryError("simulated")
        return real(lower)

    monkeypatch.setattr(new._scopes, "classes", fail_once)
    text = [Cleaned("We regret to inform you", frozenset())]
    with pytest.raises(MemoryError):
        new.analyse(text, [""], [""])
    for batch in (text, [Cleaned("Zebras eat grass daily , ok ?", frozenset())]):
        assert new.analyse(batch, [""], [""]) == old.analyse(batch, [""], [""])


def test_no_cue_patterns_at_all():
    batch = [Cleaned("We regret to inform you.", frozenset())]
    assert FastAnalyser({}).analyse(batch, [""], [""]) == Analyser({}).analyse(batch, [""], [""])


def test_one_batch_with_empty_texts_and_spacy_fallbacks_equals_the_spacy_path(analysers):
    old, _ = analysers
    new = FastAnalyser()
    # "': (" and "' s" make a special case (":(", "'s") across two chunks that
    # could shadow one inside a chunk: those texts go to spaCy's tokenizer and
    # are spliced into the batch.
    texts = ["", *TEXTS, "Phone: 1 Office: (312) 555", "", "Well ': ( then", "", "Thanks. We regret ' s"]
    cleaned = [Cleaned(t, frozenset()) for t in texts]
    subjects = ["" if k % 3 else "Re: offer" for k in range(len(texts))]
    want = old.analyse(cleaned, subjects, [""] * len(texts))
    assert new.analyse(cleaned, subjects, [""] * len(texts)) == want
    assert new._tok.fallbacks > 0
    # warm caches, one email at a time: the same again
    assert [new.analyse([c], [s], [""])[0] for c, s in zip(cleaned, subjects)] == want


def test_a_batch_longer_than_a_slice_is_analysed_in_slices_with_the_same_answers(analysers, monkeypatch):
    old, _ = analysers
    monkeypatch.setattr("rejectlens.fastpath.SLICE", 4)
    texts = [*TEXTS, "", *TEXTS]
    cleaned = [Cleaned(t, frozenset()) for t in texts]
    subjects = [f"Re: {k}" for k in range(len(texts))]
    senders = ["no-reply@jobs.example"] * len(texts)
    sliced = FastAnalyser().analyse(cleaned, subjects, senders)
    assert len(sliced) == len(texts)
    assert sliced == old.analyse(cleaned, subjects, senders)
