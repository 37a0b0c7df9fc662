"""Threads from the headers mail clients use: Message-ID, In-Reply-To, References, X-GM-THRID.

Messages are linked when one answers or cites another, or when Gmail put
them in one conversation; a thread's id is Gmail's thread id when the
export carries one, else the Message-ID of its earliest message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

__all__ = ["message_ids", "thread_ids"]

_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(header: str | None) -> list[str]:
    """The Message-IDs named in a header, normalised (brackets off, lower case).

    A bare id without brackets (some clients write them so) counts too.
    """
    if not header:
        return []
    found = _ID.findall(header)
    if not found and "@" in header and " " not in header.strip():
        found = [header.strip()]
    return [f.strip().lower() for f in found]


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def thread_ids(
    ids: Sequence[str | None],
    in_reply_to: Sequence[str | None],
    references: Sequence[str | None],
    gmail_threads: Sequence[str | None],
    dates: Sequence[datetime | None] | None = None,
) -> list[str]:
    """One thread id per message (the sequences are aligned, in mailbox order):
    Gmail's thread id on any member, else the Message-ID of the earliest
    member that has one (by ``dates``, naive UTC, when given, else by mailbox order).

    A reference to a message that is not in the mailbox still joins the
    messages citing it: two replies to a deleted original stay together.
    """
    n = len(ids)
    uf = _Union(n)
    first_by_key: dict[str, int] = {}

    def link(i: int, key: str) -> None:
        j = first_by_key.setdefault(key, i)
        if j != i:
            uf.join(i, j)

    for i in range(n):
        own = message_ids(ids[i])
        for key in own[:1]:
            link(i, "id:" + key)
        for key in message_ids(in_reply_to[i]) + message_ids(references[i]):
            link(i, "id:" + key)
        if gmail_threads[i]:
            link(i, "gm:" + gmail_threads[i].strip())
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)
    out: list[str] = [""] * n
    for group in members.values():
        # Earliest first (undated last), so a thread's name does not depend on
        # the order of the export; ties by Message-ID, then mailbox order.
        group.sort(key=lambda i: (dates is None or dates[i] is None,
                                  (dates[i] if dates is not None else None) or datetime.min,
                                  (message_ids(ids[i]) or [""])[0], i))
        gm = next((gmail_threads[i].strip() for i in group if gmail_threads[i]), None)
        own = next((message_ids(ids[i])[0] for i in group if message_ids(ids[i])), None)
        name = gm or own or f"msg-{group[0]}"
        for i in group:
            out[i] = name
    return out
