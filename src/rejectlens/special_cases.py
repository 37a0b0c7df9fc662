"""spaCy's special-case matcher over the tokens of one chunk, ported (issue 13).

Used by :class:`rejectlens.chunk_tokenizer.ChunkTokenizer`; ``specials`` maps
the tokens a special case is split into (by affixes) to its rule key.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["any_crossing", "apply_special_matcher", "crosses"]


def apply_special_matcher(orths: list[str], specials: dict[tuple[str, ...], str],
                          rules: dict[str, list[str]], max_special: int) -> list[str]:
    """``orths`` with the special cases spaCy's matcher keeps replaced by their
    rule's tokens (longest first, then leftmost, as its len_start_cmp)."""
    found = []
    n = len(orths)
    for i in range(n):
        for j in range(i + 1, min(n, i + max_special) + 1):
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
        out.extend(rules[s])
        k = j
    out.extend(orths[k:])
    return out


def crosses(tail: tuple[str, ...], head: list[str], specials: dict[tuple[str, ...], str],
            m: int) -> bool:
    """Does a special-matcher pattern span the end of ``tail`` and the start of ``head``?"""
    seq = (*tail, *head)
    b = len(tail)
    return any(tuple(seq[i:j]) in specials
               for i in range(max(0, b - m + 1), b) for j in range(b + 1, min(len(seq), i + m) + 1))


def any_crossing(pieces: list[str], vals: list[tuple], pos: list[int], risky: list[int],
                 split: Callable[[str], list[str]], specials: dict[tuple[str, ...], str], m: int) -> bool:
    """Could spaCy's special matcher match across two of these pieces (of one text) and so
    change their tokens? Such a match is never applied (its text holds a
    space: no rule), but it shadows the matches inside a piece it overlaps."""
    tail_risk, tail_end, tail, shadows = 0, -2, (), False
    for i in risky:
        piece = pieces[i]
        chunk = piece[:-1] if len(piece) > 1 and piece[-1] == " " and not piece[0].isspace() else piece
        at, risk, pre = pos[i], vals[i][2], vals[i][3]
        if risk & 1 and tail_risk and at == tail_end + 1:
            shadows = shadows or risk & 4 > 0
            if shadows and crosses(tail, split(chunk)[:m], specials, m):
                return True
            tail = (*tail, *pre)[-m:]
        else:
            tail, shadows = pre, risk & 4 > 0
        tail_risk, tail_end = risk & 2, at + len(chunk)
    return False
