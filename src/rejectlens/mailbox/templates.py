"""Template fingerprints: which rejections are one form letter sent by many employers.

Each rejection body is masked (names, companies, roles, dates, numbers and
every capitalised word inside a sentence become one placeholder, so what is
left is the letter's wording), cut into word 3-grams, and hashed with
MinHash (``datasketch``). Locality-sensitive hashing finds candidate pairs;
a pair is a near-duplicate when the estimated Jaccard similarity of the
masked shingles is at least ``threshold``. Near-duplicates form a
template; a template sent by two or more companies is *shared*, which is
strong evidence that the letter was generic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import MissingDependencyError

__all__ = ["TemplateResult", "fingerprint_templates", "mask"]

_NUM_PERM = 128
_SHINGLE = 3
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[^\w\s]")
_SENT_START = re.compile(r"(?:^|[.!?:\n]\s*)$")
_DATE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*"
                   r"(?:\s+\d{4})?|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.I)


@dataclass(frozen=True)
class TemplateResult:
    """``template_id`` per input (None when the letter matches no other);
    ``companies`` per template id: how many distinct companies sent it."""

    template_id: tuple[str | None, ...]
    companies: dict[str, int]
    messages: dict[str, int]


def mask(text: str, names: Sequence[str] = ()) -> list[str]:
    """The words of ``text`` with what varies between copies of one letter masked."""
    text = _DATE.sub(" DATE ", text or "")
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        text = re.sub(re.escape(name), " NAME ", text, flags=re.I)
    out: list[str] = []
    for m in _WORD.finditer(text):
        w = m.group()
        if w in ("DATE", "NAME"):
            pass
        elif any(c.isdigit() for c in w):
            w = "#"
        elif w[0].isupper() and not _SENT_START.search(text[max(0, m.start() - 3):m.start()]) \
                and w != "I":
            w = "NAME"
        elif len(w) == 1 and not w.isalnum():
            continue
        else:
            w = w.lower()
        if out and w == out[-1] == "NAME":
            continue  # "Vireo Travel" and "Kitewire" both become one NAME
        out.append(w)
    return out


def minhash_lsh():
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        raise MissingDependencyError("datasketch", "report", "Finding shared rejection templates") \
            from None
    return MinHash, MinHashLSH


def fingerprint_templates(texts: Sequence[str], companies: Sequence[str],
                          names: Sequence[Sequence[str]] = (), threshold: float = 0.7,
                          min_words: int = 12) -> TemplateResult:
    """Group near-duplicate texts (aligned with ``companies``, one key per
    company, and, per text, the ``names`` to mask: company, role, people).
    Texts shorter than ``min_words`` masked words are too short to call a
    template and get None."""
    MinHash, MinHashLSH = minhash_lsh()
    lsh = MinHashLSH(threshold=threshold, num_perm=_NUM_PERM)
    hashes: dict[int, object] = {}
    copy_of: dict[int, int] = {}  # a text whose shingles equal an earlier one's: that one
    first: dict[frozenset[str], int] = {}
    for i, text in enumerate(texts):
        words = mask(text, names[i] if i < len(names) else ())
        if len(words) < min_words:
            continue
        shingles = frozenset(" ".join(words[j:j + _SHINGLE]) for j in range(len(words) - _SHINGLE + 1))
        if shingles in first:  # one letter sent a thousand times is hashed and compared once
            copy_of[i] = first[shingles]
            continue
        first[shingles] = i
        m = MinHash(num_perm=_NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles])
        hashes[i] = m
        lsh.insert(str(i), m)
    parent = {i: i for i in [*hashes, *copy_of]}
    for i, j in copy_of.items():
        parent[i] = j

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, m in hashes.items():
        for key in lsh.query(m):
            j = int(key)
            if j != i and find(i) != find(j) and m.jaccard(hashes[j]) >= threshold:  # (one already: skip)
                a, b = find(i), find(j)
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in sorted(parent):
        groups.setdefault(find(i), []).append(i)
    ids: list[str | None] = [None] * len(texts)
    n_companies: dict[str, int] = {}
    n_messages: dict[str, int] = {}
    number = 0
    for root in sorted(groups):
        members = groups[root]
        if len(members) < 2:
            continue
        number += 1
        tid = f"T{number:03d}"
        for i in members:
            ids[i] = tid
        n_companies[tid] = len({companies[i] for i in members if companies[i]})
        n_messages[tid] = len(members)
    return TemplateResult(tuple(ids), n_companies, n_messages)
