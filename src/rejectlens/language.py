"""Which language an email is written in: a small, offline, deterministic guess.

The model is trained on English only, so its labels mean little for other
languages; the ``language`` field says so instead of leaving garbage
unmarked. Scripts other than Latin are told by their Unicode ranges; Latin
languages by counting their commonest function words, which every sentence
holds and which no mail-merge field changes. It reads the body's first 1,500
characters for the script and 600 for the words (an English ATS subject over
a German letter is German), costs tens of microseconds, and needs no model
file.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["LANGUAGES", "TokenLanguage", "detect_language"]

# The commonest short function words of each language, chosen so that few of
# them are also English words (the English list is what they compete with),
# and words of job mail no English sentence holds ("leider", "candidature").
_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and to of you your we our for is are was this that with have has be will not "
          "thank thanks would please been at from it as an by or if us a in on all new now more "
          "than can about any their they what which who when up out so do",
    "de": "und der die das nicht ist wir ihre ihr ihnen sie mit für auf eine einen dem den "
          "ich uns bei wurde werden haben leider vielen dank zu von sehr bewerbung absage "
          "stelle bedauern mitteilen entschieden freundlichen grüßen kandidaten",
    "fr": "le la les et est nous vous votre vos pour des une dans pas que qui avec sur "
          "merci ne au aux du nos été sommes avons candidature malheureusement poste "
          "cordialement remercions retenu profil",
    "es": "el los las y es que una para por con usted su sus nos hemos del muchas gracias "
          "lamentamos le se estamos lamentablemente candidatura candidato proceso puesto otro "
          "decidimos saludos atentamente",
    "pt": "o os e é que uma para por com você seu sua não nos do da dos das obrigado "
          "obrigada agradecemos vaga infelizmente candidatura candidato processo decidimos "
          "outra outro pessoa atenciosamente",
    "it": "il lo gli e è che una per con non siamo della delle del grazie vostra sua "
          "candidatura ci sono purtroppo candidato posizione cordiali saluti abbiamo selezione",
    "nl": "de het een en is niet wij we u uw je jouw voor met van op dat helaas bedankt "
          "sollicitatie zijn hebben functie kandidaat vriendelijke groet gekozen",
    "sv": "och att det är inte vi du din ditt för med på en ett som har tack tyvärr "
          "ansökan av tjänsten hälsningar kandidat",
    "da": "og at det er ikke vi du din dit for med på en et som har tak desværre "
          "ansøgning af stillingen hilsen kandidat",
    "pl": "i w nie jest się na że z do dla pan pani dziękujemy niestety twoja państwa "
          "aplikacja zgłoszenie wybraliśmy kandydata innego rekrutacji pozdrawiamy stanowisko",
    "tr": "ve bir bu için ile değil biz siz sizin başvurunuz teşekkür ederiz maalesef "
          "olarak",
    "id": "dan yang untuk dengan tidak kami anda ini itu dari terima kasih lamaran "
          "posisi",
    "ro": "și este nu pentru cu vă să în mulțumim aplicația dumneavoastră noi",
}
_WORDS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _w in _words.split():
        _WORDS[_w] = (*_WORDS.get(_w, ()), _lang)

# Unicode blocks of scripts that name (nearly) one language here.
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
_WIDE = frozenset({"ja", "ko", "zh"})
# One character class of every script above: a single scan finds any of them.
_NON_LATIN = re.compile("[" + "".join(p.pattern[1:-1] for _, p in _SCRIPTS) + "]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LINK = re.compile(r"(?:https?://|www\.)\S*|\S+@\S+")
_SAMPLE = 1500  # characters read for the script
_WORD_SAMPLE = 600  # characters read for function words: a few sentences tell

LANGUAGES: tuple[str, ...] = (*_FUNCTION_WORDS, *(lang for lang, _ in _SCRIPTS), "uk")


_NO_LETTERS = object()


def _script(sample: str):
    """The language a non-Latin script names, ``_NO_LETTERS``, or None (Latin text)."""
    if sample.isascii() or not _NON_LATIN.search(sample):
        # Most mail: no other script to look for, and letters are cheap to find.
        return None if any(ch.isalpha() for ch in sample) else _NO_LETTERS
    letters = len(_LETTER.findall(sample))
    if letters:
        for lang, pattern in _SCRIPTS:
            n = len(pattern.findall(sample))
            # The script must carry most of the text, not a signature or a legal
            # footer under an English letter; a CJK character carries about a
            # word, as much as three Latin letters.
            if n * (3 if lang in _WIDE else 1) >= letters - n:
                if lang == "ru" and _UKRAINIAN.search(sample):
                    return "uk"
                if lang == "zh" and _SCRIPTS[0][1].search(sample):
                    return "ja"
                return lang
        return None
    return _NO_LETTERS


def _decide(counts: dict[str, int]) -> str:
    english = counts.pop("en", 0)
    if not counts:
        return "en"
    best = max(counts, key=lambda k: (counts[k], k))
    # English mail quotes foreign names and addresses; another language wins
    # only when its words clearly outnumber the English ones: three of them,
    # or two where no English word is seen at all (a short foreign note).
    if counts[best] >= (2 if english == 0 else 3) and counts[best] > 1.5 * english:
        return best
    return "en"


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language; None when it holds no letters.

    >>> detect_language("Thank you for applying. We will review your application.")
    'en'
    >>> detect_language("Vielen Dank für Ihre Bewerbung. Leider müssen wir Ihnen mitteilen")
    'de'
    """
    sample = text[:_SAMPLE]
    script = _script(sample)
    if script is not None:
        return None if script is _NO_LETTERS else script
    counts: dict[str, int] = {}
    words = _LINK.sub(" ", sample[:_WORD_SAMPLE].lower())  # the tokenizers keep a URL whole
    for word in _WORD.findall(words):
        for lang in _WORDS.get(word, ()):
            counts[lang] = counts.get(lang, 0) + 1
    return _decide(counts)


class TokenLanguage:
    """:func:`detect_language` on tokens a spaCy pipeline already made.

    ``hash_of`` is the pipeline's ``vocab.strings.add``; the function words
    become one sorted array of hashes, so counting them costs one lookup per
    email instead of a regex pass.
    """

    def __init__(self, hash_of) -> None:
        langs = list(_FUNCTION_WORDS)
        table = {int(hash_of(w)): sum(1 << langs.index(lang) for lang in ls)
                 for w, ls in _WORDS.items()}
        order = sorted(table)
        self._langs = langs
        self._keys = np.array(order, dtype=np.uint64)
        self._bits = np.array([table[k] for k in order], dtype=np.int64)
        self._shifts = np.arange(len(langs), dtype=np.int64)

    def __call__(self, text: str, lower: np.ndarray, starts: np.ndarray, skip: int = 0) -> str | None:
        """The language of ``text`` from ``skip`` on (the body: an English ATS
        subject over a German letter is a German email)."""
        script = _script(text[skip:skip + _SAMPLE])
        if script is not None:
            return None if script is _NO_LETTERS else script
        lower = lower[(starts >= skip) & (starts < skip + _WORD_SAMPLE)]
        idx = np.minimum(np.searchsorted(self._keys, lower), len(self._keys) - 1)
        bits = np.where(self._keys[idx] == lower, self._bits[idx], 0)
        bits = bits[bits > 0]
        # Words shared with English (bit 0) add to English as much as to the
        # other language, so without a word English lacks, English wins.
        if not np.any((bits & 1) == 0):
            return "en"
        per_lang = ((bits[:, None] >> self._shifts) & 1).sum(axis=0)
        return _decide({lang: int(c) for lang, c in zip(self._langs, per_lang) if c})
