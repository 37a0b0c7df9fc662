"""What a retrain reports: which of the user's rows are held out (whole groups),
the base beside the candidate on them field by field, and the result with the
heads refit or kept.

:func:`rejectlens.retraining.retrain` fits a candidate without the held-out
rows and refuses nothing itself; the caller refuses a model whose candidate
is worse on a gating field (:data:`GATES`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Classifier

__all__ = ["FIELD_METRICS", "GATES", "FieldScore", "HeadChoice", "RetrainResult", "compare", "group_of",
           "split_holdout"]

GATES = ("is_rejection", "job_related")
# (field, metric of evaluation.evaluate) shown side by side for every field.
FIELD_METRICS = (("job_related", "f1"), ("is_rejection", "f1"), ("personalization", "macro_f1"),
                 ("reasons", "f1"), ("stage", "macro_f1"), ("feedback_offered", "f1"),
                 ("reapply_encouraged", "f1"))


@dataclass(frozen=True)
class FieldScore:
    """One field on the held-out rows: base and candidate (None where not measurable)."""

    field: str
    metric: str
    base: float | None
    new: float | None
    n: int

    @property
    def worse(self) -> bool:
        return self.base is not None and self.new is not None and round(self.new, 4) < round(self.base, 4)


@dataclass(frozen=True)
class HeadChoice:
    """One head: refit on the user's labels, or kept from the base, and why."""

    name: str
    retrained: bool
    why: str


@dataclass(frozen=True)
class RetrainResult:
    """What :func:`retrain` made and measured."""

    model: Classifier
    heads: tuple[HeadChoice, ...]
    holdout: tuple[FieldScore, ...]
    n_user: int
    n_holdout: int
    n_corpus: int
    weight: float
    seconds: float

    @property
    def retrained(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.heads if h.retrained)

    @property
    def worse(self) -> tuple[FieldScore, ...]:
        """Gating fields where the candidate scored below the base on the held-out rows."""
        return tuple(s for s in self.holdout if s.field in GATES and s.worse)

    def render(self) -> str:
        """The heads (refit or kept, and why) and the held-out table, as text."""
        lines = [f"user rows: {self.n_user} (each weighs {self.weight:.1f} corpus rows); "
                 f"bundled corpus rows: {self.n_corpus}"]
        for h in self.heads:
            lines.append(f"  {h.name:28s} {'retrained' if h.retrained else 'kept from base'}: {h.why}")
        if not self.holdout:
            lines.append("held-out check: skipped (no rows held out)" if not self.n_holdout else
                         f"held-out check: skipped (none of the {self.n_holdout} held-out rows has a label "
                         "the check scores: job_related, is_rejection, or the labels of a rejection)")
            return "\n".join(lines)
        lines.append(f"held-out check on {self.n_holdout} of your rows (not used to fit the candidate):")
        lines.append(f"  {'field':20s} {'metric':9s} {'base':>6s} {'new':>6s} {'n':>4s}")
        for s in self.holdout:
            mark = "  << worse" if s.worse else ""
            lines.append(f"  {s.field:20s} {s.metric:9s} {_fmt(s.base):>6s} {_fmt(s.new):>6s} "
                         f"{s.n:4d}{mark}")
        return "\n".join(lines)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def group_of(record: Mapping[str, Any], n: int) -> str:
    """The group a user's row is held out with: ``group``, then ``thread``, then the
    sender's domain, else its text; one template family, thread or email never
    sits on both sides of the check."""
    for key in ("group", "thread"):
        v = record.get(key)
        if v is not None and v == v and str(v).strip():
            return f"{key}:{v}"
    sender = str(record.get("sender") or "")
    if "@" in sender:
        local, domain = sender.rsplit("@", 1)
        domain = domain.strip(" >").lower()
        if domain in _WEBMAIL or domain.split(".")[0] in _WEBMAIL_BRANDS:
            # a webmail domain is thousands of unrelated people: the address is the group
            return f"sender:{local.rsplit('<', 1)[-1].strip().lower()}@{domain}"
        return "domain:" + domain
    # else the text: copies of one email (rows repeated to weigh them more) stay together
    body = " ".join(str(record.get("body") or record.get("html") or "").split()).lower()
    if not body:
        return f"row:{record.get('id') or n}"
    return "text:" + hashlib.sha1(body.encode("utf-8", "replace")).hexdigest()


# Webmail: brands that are the domain whatever the country ending, and whole
# domains whose first label is also a common company subdomain ("mail.", "web.").
_WEBMAIL_BRANDS = frozenset({"gmail", "googlemail", "hotmail", "outlook", "yahoo", "ymail", "icloud",
                             "protonmail", "gmx", "yandex"})
_WEBMAIL = frozenset({"live.com", "msn.com", "me.com", "mac.com", "aol.com", "proton.me", "pm.me", "web.de",
                      "mail.com", "mail.ru", "qq.com", "163.com", "zoho.com", "fastmail.com"})


def split_holdout(user: Sequence[Mapping[str, Any]], share: float, seed: int) -> tuple[list[int], list[int]]:
    """(rows to fit, rows held out): whole groups, ordered by a seeded hash,
    held out until at least ``share`` of the rows are; single rows when whole
    groups would leave one side empty (one domain for 20 rows of 21), or
    nothing would be fitted or checked."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(user):
        groups.setdefault(group_of(r, i), []).append(i)
    keep, held = _deal(groups, share, seed, len(user))
    if (not keep or not held) and len(user) >= 2 and len(groups) < len(user):
        keep, held = _deal({f"row:{i}": [i] for i in range(len(user))}, share, seed, len(user))
    return keep, held


def _deal(groups: Mapping[str, list[int]], share: float, seed: int, n: int) -> tuple[list[int], list[int]]:
    order = sorted(groups, key=lambda g: hashlib.sha256(f"{seed}:{g}".encode()).hexdigest())
    held: list[int] = []
    target = math.ceil(share * n)
    for g in order:
        if len(held) >= target:
            break
        held += groups[g]
    return sorted(set(range(n)) - set(held)), sorted(held)


def compare(base: Classifier, candidate: Classifier,
             held: list[Mapping[str, Any]]) -> tuple[FieldScore, ...]:
    from .evaluation import evaluate

    mb, mn = evaluate(base, held), evaluate(candidate, held)
    out = []
    for field, metric in FIELD_METRICS:
        b, n = mb.get(field), mn.get(field)
        if b is None and n is None:
            continue
        out.append(FieldScore(field, metric, None if b is None else b[metric],
                              None if n is None else n[metric], int((b or n)["n"])))
    return tuple(out)
