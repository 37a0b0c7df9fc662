"""Applications: one row per (company, role) process, built from threads and events.

Messages of one company form one application unless they name clearly
different roles (then one per role; a message naming no role, or one that
only joins, joins its thread's role, else the latest earlier one). A rejection, offer or
invitation whose sender names no employer (an agency's "the client has
decided") forms an application of its own thread, company unknown. The status follows the events
of :mod:`.events` in date order:

- ``rejected``, ``withdrawn`` and ``offer`` are decisions; the last one stands;
- ``in_process``: an interview, assessment or status update came, no decision;
- ``acknowledged``: the employer answered only to confirm;
- ``applied``: only the owner's own messages (or the spreadsheet row);
- ``ghosted``: not decided, and the last message that expected a reply
  (interview, assessment, update, or the owner's chase) is at least
  ``ghosted_after`` days older than ``as_of``, with no employer message since.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import InputError
from ..readers import excel_separator, separator_of
from ..readers.streams import _open_text
from .events import EXPECTS_REPLY, STAGE_RANK
from .names import company_keys, fold, ranked, unaccent

__all__ = ["Application", "MessageFacts", "SheetRow", "build_applications", "read_applications_csv"]

STATUSES = ("applied", "acknowledged", "in_process", "offer", "rejected", "withdrawn", "ghosted")
_DECISIONS = {"rejection": "rejected", "withdrawal": "withdrawn", "offer": "offer"}
_PROCESS_EVENTS = {"rejection", "offer", "interview", "assessment", "update", "withdrawal"}
_EMPLOYER_EVENTS = {"rejection", "offer", "interview", "assessment", "update", "ack", "other"}


@dataclass(frozen=True)
class MessageFacts:
    """What grouping needs to know of one message."""

    date: datetime | None
    company: str
    role: str
    thread_id: str
    event: str
    owner_sent: bool = False
    forwarded: bool = False
    stage: str | None = None
    personalization: str | None = None
    reasons: tuple[str, ...] = ()
    feedback_offered: bool | None = None
    template_id: str | None = None
    shared_template: bool = False
    from_employer: bool = True
    # Named only because its sender already wrote about this employer's application:
    # it joins one of that company's applications and never starts a role of its own.
    joins: bool = False


@dataclass(frozen=True)
class SheetRow:
    """One row of the user's own applications spreadsheet."""

    company: str
    role: str = ""
    applied: datetime | None = None


@dataclass(frozen=True)
class Application:
    application_id: str
    company: str
    role: str
    status: str
    furthest_stage: str
    first_contact: datetime | None
    last_contact: datetime | None
    applied_on: datetime | None
    decided_on: datetime | None
    days_to_answer: float | None
    days_to_decision: float | None
    n_messages: int
    rejection_stage: str | None = None
    reasons: tuple[str, ...] = ()
    personalization: str | None = None
    feedback_offered: bool | None = None
    template_id: str | None = None
    shared_template: bool = False
    source: str = "mail"
    messages: tuple[int, ...] = field(default=(), repr=False)


def _similar(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    return fa.startswith(fb) or fb.startswith(fa) or difflib.SequenceMatcher(None, fa, fb).ratio() >= 0.85


def _slug(text: str) -> str:
    # letters, digits and a script's marks (the vowel sign of कमला) stay; the rest is "-"
    kept = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else " "
                   for c in unaccent(text))
    return "-".join(kept.split()) or "unknown"


def _role_groups(roles: Sequence[str]) -> list[str]:
    """Distinct roles of one company, near-identical spellings merged (first seen wins)."""
    out: list[str] = []
    for r in roles:
        if r and not any(_similar(r, o) for o in out):
            out.append(r)
    return out


def build_applications(msgs: Sequence[MessageFacts], *, as_of: datetime | None, ghosted_after: int = 30,
                       sheet: Sequence[SheetRow] = (), company_key: Mapping[str, str] | None = None,
                       ) -> tuple[list[Application], list[str | None]]:
    """The applications, and each message's application id (None outside any).
    ``company_key``: one key per company name (``names.company_keys`` of
    these messages' companies when not given)."""
    by_company: dict[str, list[int]] = defaultdict(list)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    keys = company_keys(m.company for m in msgs) if company_key is None else company_key
    for i, m in enumerate(msgs):
        if m.company and m.event not in ("alert", "outreach"):
            key = keys[m.company]
            by_company[key].append(i)
            names[key][m.company] += 1
    # A decision or invitation from someone who names no employer (an agency's
    # "the client has decided") is still a process: one per thread, company unknown.
    unnamed: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(msgs):
        if not m.company and m.event in _PROCESS_EVENTS and m.from_employer:
            unnamed[m.thread_id].append(i)
    groups: list[tuple[str, str, list[int]]] = []
    for idx in unnamed.values():
        role = next((msgs[i].role for i in idx if msgs[i].role), "")
        groups.append(("", role, idx))
    for key, idx in by_company.items():
        idx.sort(key=lambda i: (msgs[i].date or datetime.min, i))
        roles = _role_groups([msgs[i].role for i in idx if not msgs[i].joins])
        company = ranked(names[key], 1)[0][0]
        if len(roles) <= 1:
            groups.append((company, roles[0] if roles else "", idx))
            continue
        members: dict[str, list[int]] = {r: [] for r in roles}
        thread_role: dict[str, str] = {}
        last = roles[0]
        for i in idx:
            r = next((o for o in roles if msgs[i].role and _similar(msgs[i].role, o)), None)
            if r is None:
                r = thread_role.get(msgs[i].thread_id, last)
            thread_role.setdefault(msgs[i].thread_id, r)
            members[r].append(i)
            last = r
        groups.extend((company, r, ids) for r, ids in members.items() if ids)
    sheet_left = list(sheet)
    apps: list[Application] = []
    app_of: list[str | None] = [None] * len(msgs)
    used: set[str] = set()
    for company, role, idx in groups:
        row = next((s for s in sheet_left if company and _similar(s.company, company) and
                    (not s.role or not role or _similar(s.role, role))), None)
        if row is not None:
            sheet_left.remove(row)
            role = role or row.role
        app = _application(msgs, idx, company, role, row, as_of, ghosted_after, used)
        apps.append(app)
        for i in idx:
            app_of[i] = app.application_id
    for row in sheet_left:
        apps.append(_application(msgs, [], row.company, row.role, row, as_of, ghosted_after, used))
    apps.sort(key=lambda a: (a.first_contact or a.applied_on or datetime.min, a.application_id))
    return apps, app_of


def _days(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else round((b - a).total_seconds() / 86400, 1)


def _application(msgs, idx, company, role, row, as_of, ghosted_after, used) -> Application:
    name = company or "unknown-employer"
    base = f"{_slug(name)}/{_slug(role)}" if role else _slug(name)
    app_id, n = base, 1
    while app_id in used:
        n += 1
        app_id = f"{base}-{n}"
    used.add(app_id)
    dated = [i for i in idx if msgs[i].date is not None]
    first = msgs[dated[0]].date if dated else None
    last = msgs[dated[-1]].date if dated else None
    applied = row.applied if row is not None and row.applied else None
    status, furthest = "applied", "applied"
    decided_on = answer_on = None
    rejection = None
    expecting: datetime | None = None
    last_employer: datetime | None = None
    for i in idx:
        m = msgs[i]
        ev = m.event
        if not m.owner_sent and ev in _EMPLOYER_EVENTS and not m.forwarded:
            last_employer = m.date or last_employer
            if ev != "ack" and answer_on is None and not m.joins:  # a note that only joins is no answer
                answer_on = m.date
        if ev in _DECISIONS:
            # A forward repeats a decision already in the mailbox; it decides only alone.
            if not (m.forwarded and status in _DECISIONS.values()):
                status = _DECISIONS[ev]
                decided_on = decided_on or m.date
            if ev == "rejection" and (rejection is None or not m.forwarded):
                rejection = m
            if ev == "offer":
                furthest = "offer"
        elif ev in ("interview", "assessment", "update"):
            if status not in _DECISIONS.values():
                status = "in_process"
            if ev in STAGE_RANK and STAGE_RANK[ev] > STAGE_RANK[furthest]:
                furthest = ev
        elif ev in ("ack", "other") and not m.owner_sent and status == "applied":
            status = "acknowledged"
        if ev in EXPECTS_REPLY:
            expecting = m.date or expecting
        if status == "acknowledged" and STAGE_RANK[furthest] < 1:
            furthest = "acknowledged"
    if rejection is not None and rejection.stage == "interview" and STAGE_RANK[furthest] < 3:
        furthest = "interview"
    if (status in ("applied", "acknowledged", "in_process") and expecting is not None and as_of is not None
            and (last_employer is None or last_employer <= expecting)
            and (as_of - expecting).days >= ghosted_after):
        status = "ghosted"
    template = rejection.template_id if rejection is not None else None
    # A sheet's date after the first mail of the process is a wrong date (or
    # the day of a second application): the wait starts at the earlier one.
    start = min(applied, first) if applied is not None and first is not None else applied or first
    if applied is None or (first is not None and applied > first):
        # When the first mail we have is the answer, the wait is unknown.
        answer_on = None if answer_on == first else answer_on
        decided_for_days = None if decided_on == first else decided_on
    else:
        decided_for_days = decided_on
    return Application(
        application_id=app_id, company=company, role=role, status=status, furthest_stage=furthest,
        first_contact=first, last_contact=last, applied_on=applied, decided_on=decided_on,
        days_to_answer=_days(start, answer_on), days_to_decision=_days(start, decided_for_days),
        n_messages=len(idx),
        rejection_stage=rejection.stage if rejection is not None else None,
        reasons=tuple(rejection.reasons) if rejection is not None else (),
        personalization=rejection.personalization if rejection is not None else None,
        feedback_offered=rejection.feedback_offered if rejection is not None else None,
        template_id=template, shared_template=bool(rejection is not None and rejection.shared_template),
        source="mail+sheet" if row is not None and idx else "sheet" if row is not None else "mail",
        messages=tuple(idx),
    )


_COMPANY_COLS = ("company", "employer", "organisation", "organization")
_ROLE_COLS = ("role", "position", "job", "title", "job_title")
_DATE_COLS = ("date_applied", "applied", "applied_on", "date", "applied_date")


def read_applications_csv(path: str | Path) -> list[SheetRow]:
    """The user's spreadsheet: a CSV with a company column and optionally role and date applied."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"applications file {p} does not exist (expected a CSV with a 'company' column)")
    # Read as classify reads tables (UTF-8, or Excel's Windows-1252 / UTF-16),
    # with the separator the header uses: European Excel writes ";".
    with _open_text(p) as f:
        first = f.readline()
        if sep := excel_separator(first):  # Excel's line naming the separator
            first = f.readline()
        else:
            sep = separator_of(first)
        reader = csv.DictReader(itertools.chain([first], f), delimiter=sep)
        header = [h.strip().lower().replace(" ", "_") for h in reader.fieldnames or []]

        def pick(options):
            return next((reader.fieldnames[header.index(o)] for o in options if o in header), None)

        company = pick(_COMPANY_COLS)
        if company is None:
            raise InputError(f"{p}: expected a column named company (or employer); found "
                             f"{', '.join(reader.fieldnames or []) or 'no header'}")
        role, date = pick(_ROLE_COLS), pick(_DATE_COLS)
        rows = []
        for n, rec in enumerate(reader, start=2):
            name = (rec.get(company) or "").strip()
            if not name:
                continue
            applied = None
            raw = (rec.get(date) or "").strip() if date else ""
            if raw:
                applied = _parse_day(raw)
                if applied is None:
                    raise InputError(f"{p} line {n}: date applied {raw!r} is not a date; expected "
                                     "YYYY-MM-DD (or DD/MM/YYYY)")
            rows.append(SheetRow(name, (rec.get(role) or "").strip() if role else "", applied))
    return rows


def _parse_day(raw: str) -> datetime | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(raw[:10] if fmt == "%Y-%m-%d" else raw, fmt)
        except ValueError:
            continue
    return None
