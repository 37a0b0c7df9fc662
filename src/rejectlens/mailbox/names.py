"""Reading names in mail: organisation and job-title phrases, and comparing them.

Shared by :mod:`.parties` (who the employer is) and :mod:`.applications`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import TypeVar

_K = TypeVar("_K", bound=str)

__all__ = ["clean_display", "company_keys", "extract_role", "fold", "ranked", "same"]

_DEPT = re.compile(
    r"(?:\s*[-|,·]\s*|\s+)(?:early\s+careers|careers?|recruiting|recruitment|talent\s+acquisition|"
    r"talent(?:\s+(?:team|community))?|jobs?|hr|human\s+resources|people(?:\s+(?:team|ops|operations))?|"
    r"hiring(?:\s+team)?|team|no-?reply|notifications?|rec)\s*$", re.I)


_CONNECT = {"&", "and", "of", "de", "da", "do", "du", "la", "for", "und", "e"}
_NOT_NAMES = {"we", "our", "us", "the", "this", "your", "you", "i", "thank", "thanks", "dear", "hi",
              "hello", "unfortunately", "re", "fwd", "fw", "update", "application", "interview"}
_LEGAL = re.compile(r"\b(?:ltd|limited|plc|inc|llc|gmbh|ag|sa|srl|spa|bv|nv|ab|as|llp|co\.)\.?$", re.I)


_ROLE_HEAD = re.compile(
    r"\b(?:analyst|engineer|developer|scientist|manager|officer|coordinator|co-ordinator|consultant|"
    r"assistant|journalist|specialist|lead|designer|intern|associate|director|administrator|"
    r"researcher|architect|programme|internship|apprentice|executive|advisor|adviser|statistician|"
    r"controller|accountant|planner)s?\b", re.I)
_ROLE_STOP = {"re", "fwd", "fw", "your", "our", "the", "update", "interview", "application", "thank",
              "thanks", "offer", "invitation", "next", "steps", "regarding", "outcome", "dear", "hi"}


# Latin letters that NFKD does not take apart, spelt as their domains spell them.
_LATIN = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th",
                        "ı": "i"})


def unaccent(text: str) -> str:
    """Lower case, accents off Latin letters (São -> sao, Ørsted -> orsted);
    other scripts keep their marks, which are part of the letter there
    (ブ is not フ, कमला is not कमल)."""
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", text.lower().translate(_LATIN)):
        if unicodedata.combining(c) and out and out[-1].isascii():
            continue
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def ranked(counts: Counter[_K], n: int | None = None) -> list[tuple[_K, int]]:
    """``counts.most_common(n)`` with ties in the keys' order, not in the order
    they were first counted: a report does not change with the order of the
    messages in the export."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def fold(text: str) -> str:
    """Letters, digits and their marks only, accents off Latin letters
    (Grünwald -> grunwald); other scripts are kept (Яндекс -> яндекс), or
    every name in them would fold to "" and two such companies would be one."""
    return "".join(c for c in unaccent(text) if c.isalnum() or unicodedata.category(c).startswith("M"))


def fold_de(text: str) -> str:
    # German transliteration, as in domains: Grünwald -> gruenwald.
    return fold(text.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss"))


def company_keys(names: Iterable[str]) -> dict[str, str]:
    """One key per company for each of ``names``: spellings that fold alike
    ("Café Noir", "Cafe Noir") or transliterate alike ("Müller", "Mueller",
    as a domain writes it) share it. Keys do not depend on the names' order."""
    distinct = sorted({n for n in names if n})
    parent = {n: n for n in distinct}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    first: dict[str, str] = {}
    for n in distinct:
        for k in (fold(n), fold_de(n)):
            if k in first:
                a, b = root(first[k]), root(n)
                parent[max(a, b)] = min(a, b)
            else:
                first[k] = n
    return {n: fold(root(n)) for n in distinct}


_DEPT_WORDS = (r"(?:early\s+careers|careers?|recruiting|recruitment|talent\s+acquisition|"
               r"talent(?:\s+(?:team|community))?|"
               r"jobs?|hr|human\s+resources|people(?:\s+(?:team|ops|operations))?|hiring(?:\s+team)?|team|"
               r"recruitment\s+team|no-?reply|notifications?)")
_DEPT_AT = re.compile(rf"^{_DEPT_WORDS}\s+(?:at|@|-)\s+(.+)$", re.I)
_DEPT_ONLY = re.compile(rf"^(?:the\s+)?{_DEPT_WORDS}(?:\s+{_DEPT_WORDS})?$", re.I)


def clean_display(name: str) -> str:
    """A display name without 'via Platform' and department words."""
    name = re.split(r"\s+via\s+", name, maxsplit=1, flags=re.I)[0].strip(" '\"")
    at = _DEPT_AT.match(name)
    if at:  # "Talent at Arcwise", "Careers @ Nimbus"
        name = at.group(1)
    if _DEPT_ONLY.match(name):  # "Careers", "People Team": a department of nobody named
        return ""
    for _ in range(3):
        new = _DEPT.sub("", name).strip(" -|,·")
        if new == name:
            break
        name = new
    return name


def name_at(text: str, start: int) -> str:
    """The capitalised name that starts at ``start`` (a few words, '&', 'and', 'of' inside)."""
    out: list[str] = []
    window = text[start:start + 120]
    last = 0
    for m in re.finditer(r"[^\s,.;:!?()\[\]\"“”<>|/·]+|[,.;:!?()\[\]\"“”<>|/·]", window):
        tok = m.group()
        if (not out and m.start() > 1) or "\n" in window[last:m.start()]:
            break
        last = m.end()
        if "_" in tok:
            break  # a file name (Acme_Offer_Letter.pdf) or a handle, not words of a name
        possessive = re.search(r"['’]s$", tok)
        if possessive and tok[0].isupper():
            out.append(tok[:possessive.start()])  # "Acme Labs's team": the name ends at the possessive
            break
        if tok[0].isupper() or tok == "&" or (out and tok.lower() in _CONNECT):
            out.append(tok)
            if len(out) >= 6:
                break
            continue
        if tok == "." and out and len(out[-1]) <= 3 and out[-1][:1].isupper() and _LEGAL.match(out[-1] + "."):
            break  # "Acme Co." ends the name: what follows is the next sentence
        break
    while out and (out[-1].lower() in _CONNECT or out[-1] == "&" or len(out[-1]) == 1):
        out.pop()
    name = " ".join(out).strip(" '’-")
    # "We've", "You're": a pronoun with its verb is no name either
    first = re.split(r"['’]", name.split()[0])[0].lower() if name else ""
    return "" if not name or name.lower() in _NOT_NAMES or first in _NOT_NAMES else name


def same(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    return bool(fa) and bool(fb) and (fa.startswith(fb) or fb.startswith(fa))


def _above_signature(text: str, sender: str) -> str:
    """The text above a person's signature: the last line near the end that
    starts with their full name, or is their first name alone, and the lines
    after it are theirs ('Noor Haddad / Recruiting Coordinator, Acme' is her
    title, not the role). A greeting ('Sam,') or an opening line is no signature."""
    words = sender.split()
    if len(words) < 2:
        return text
    full, first = fold(sender), fold(words[0])
    lines = text.splitlines()
    for k in range(len(lines) - 1, max(1, len(lines) - _SIGNATURE_LINES) - 1, -1):
        raw = lines[k].strip()
        line = fold(raw)
        # a name, maybe a title after it; not a sentence that starts with the name
        signed = (line.startswith(full) and len(raw.split()) <= len(words) + 6
                  and not raw.endswith((".", "!", "?")))
        if line and not raw.endswith(",") and (signed or line == first):
            # a postscript is the letter's, not the signature's
            ps = next((j for j in range(k + 1, len(lines)) if _POSTSCRIPT.match(lines[j])), len(lines))
            return "\n".join(lines[:k] + lines[ps:])
    return text


# A signature block sits in the last lines of a letter.
_SIGNATURE_LINES = 12
_POSTSCRIPT = re.compile(r"\s*p\.?\s?s\b", re.I)


def extract_role(subject: str, text: str, company: str = "", sender: str = "") -> str:
    """The job title the mail names (subject first), e.g. 'Claims Data Analyst'; empty if none.
    ``sender``: a person's name, whose signature (and title in it) is not read."""
    own = company.split() if company else []
    if sender and text:
        text = _above_signature(text, sender)
    for source in (subject or "", (text or "")[:3000]):
        end = 0
        for m in re.finditer(r"(?<![\w'’])[A-Z]", source):
            if m.start() < end:
                continue  # inside the name read last: "Data Analyst" is not also "Analyst"
            name = name_at(source, m.start())
            if not name:
                continue
            end = m.start() + len(name)
            words = name.split()
            if own and words[: len(own)] == own:
                words = words[len(own):]  # "Sorrel Bank Graduate Programme" at Sorrel Bank
            while words and words[0].lower() in _ROLE_STOP:
                words.pop(0)
            heads = [i for i, w in enumerate(words) if _ROLE_HEAD.fullmatch(w)]
            if not heads:
                continue
            role = " ".join(words[: heads[-1] + 1])
            if company and same(role, company):
                continue
            return role
    return ""
