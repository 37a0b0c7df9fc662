"""From mailboxes to a job search: messages, applications, templates and drafts, as DataFrames.

The one entry point is :func:`report`; ``rejectlens report`` calls it.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timezone
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..clean import FORWARD_SUBJECT, MAX_CHARS, clean
from ..errors import InputError
from ..ingest import Email, normalize_id, to_email
from ..prediction import REJECTION_ONLY_OUTPUTS, Prediction
from .applications import MessageFacts, build_applications, read_applications_csv
from .events import classify_event
from .feedback import draft, render_drafts, wants_feedback
from .names import company_keys, ranked
from .parties import CompanyResolver, bulk_mail, counterparty, extract_role, is_person, owner_addresses
from .templates import fingerprint_templates, minhash_lsh
from .threads import message_ids, thread_ids

__all__ = ["MailboxReport", "report"]


@dataclass(frozen=True)
class MailboxReport:
    """``messages``: one row per distinct message with its labels, company, role,
    thread, application and template; ``applications``: one row per process;
    ``templates``: one row per template (``shared``: sent by two or more
    companies); ``summary``: headline numbers; ``feedback_requests``: the
    Markdown drafts."""

    messages: pd.DataFrame
    applications: pd.DataFrame
    templates: pd.DataFrame
    summary: dict[str, Any]
    feedback_requests: str


def _utc(raw: str | None) -> datetime | None:
    """A Date header, or the ISO date a table or an Email(date=...) carries."""
    if not raw:
        return None
    try:
        d = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        d = None
    if d is None:
        try:
            d = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if d.tzinfo is not None:
        d = d.astimezone(timezone.utc).replace(tzinfo=None)
    return d


def _as_of(value: str | date | datetime | None, latest: datetime | None) -> datetime | None:
    if value is None:
        return latest
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return _as_of(datetime.fromisoformat(str(value).strip()), latest)
    except ValueError:
        raise InputError(f"as_of: expected a date like 2026-06-30; found {value!r}") from None


def _read(mailboxes: Iterable[str | Path | Email]) -> Iterator[Email]:
    from ..readers import read_messages

    for box in mailboxes:
        if isinstance(box, Email):
            yield box
        else:
            yield from read_messages(box)


class _Deduped:
    """The distinct messages of a stream: Takeout exports a message once per label,
    so a repeated Message-ID with the same text is skipped (and counted). Two
    different texts under one Message-ID (a sender that reuses ids) are both kept."""

    def __init__(self, emails: Iterable[Email]) -> None:
        self.emails, self.read, self.duplicates = emails, 0, 0
        self.kept: deque[Email] = deque()

    def __iter__(self) -> Iterator[Email]:
        seen: set[tuple[str, int]] = set()
        for e in self.emails:
            self.read += 1
            try:
                e = to_email(e)  # as classify reads it: no lone surrogates, text fields as text
            except InputError as err:  # a body that is not text: an error row
                e = Email(id=normalize_id(getattr(e, "id", None)), source=getattr(e, "source", None),
                          error=str(err))
            ids = message_ids(e.id) if e.id and not e.error else []
            if ids:
                key = (ids[0], hash((e.subject, e.body, e.html)))
                if key in seen:
                    self.duplicates += 1
                    continue
                seen.add(key)
            self.kept.append(e)
            yield e


def _classified(mailboxes, clf, progress: bool) -> tuple[list[Email], list, _Deduped]:
    """Every distinct message classified once, streamed: only job mail keeps its
    text afterwards, so memory follows the job mail, not the whole mailbox."""
    stream = _Deduped(_read(mailboxes))
    preds: Iterable = clf.classify_many(stream, batch_size=512)
    if progress:
        import sys

        from tqdm import tqdm

        preds = tqdm(preds, unit=" msg", file=sys.stderr, mininterval=0.5, desc="classifying")
    emails, out = [], []
    for p in preds:
        e = stream.kept.popleft()
        if p.error is None and not p.job_related:
            e = replace(e, body="", html=None)
        emails.append(e)
        out.append(p)
    return emails, out, stream


# Events that show a step of an application (not "other", nor the owner's own mail).
_STEPS = frozenset({"rejection", "offer", "interview", "assessment", "update", "ack"})
_FWD_HEADER = re.compile(r"^[ \t]*\*?(?:From|Date|Sent|Subject|To|Cc)\*?:.*$", re.M)


def report(mailboxes: str | Path | Iterable[str | Path | Email], *, out: str | Path | None = None,
           applications: str | Path | None = None, as_of: str | date | datetime | None = None,
           ghosted_after: int = 30, model: Any = None, progress: bool = False,
           force: bool = False) -> MailboxReport:
    """Turn mailboxes (mbox, .eml, folders, or Email objects) into a job-search report.

    ``as_of`` is the day ghosting is judged on; by default the latest message
    date in the mailboxes, so the same mailbox gives the same report (a date
    after today is passed over, unless every date is).
    With ``out``, also writes report.html, the charts as PNG,
    applications.csv, messages.parquet (CSV without pyarrow), summary.json
    and feedback_requests.md there.
    """
    if isinstance(mailboxes, (str, Path, Email)):
        mailboxes = [mailboxes]
    if not isinstance(ghosted_after, int) or ghosted_after < 1:
        raise InputError(f"ghosted_after: expected a positive number of days; found {ghosted_after!r}")
    _as_of(as_of, None)  # a bad date fails now, not after the mailbox is classified
    sheet = read_applications_csv(applications) if applications is not None else []
    # Missing extras fail before the mailbox is read, not after minutes of work.
    minhash_lsh()
    if out is not None:
        from .render import check_output_dir, pyplot

        pyplot()
        given = (applications, *(mailboxes if isinstance(mailboxes, (list, tuple)) else ()))  # not a stream
        check_output_dir(out, force, [p for p in given if isinstance(p, (str, Path))])
    from ..api import load

    clf = model if hasattr(model, "classify_many") else load(model)
    emails, preds, stream = _classified(mailboxes, clf, progress)
    if not emails:
        raise InputError("no messages found in the mailboxes given")
    dates = [_utc(e.date) for e in emails]
    job = [p.error is None and bool(p.job_related) for p in preds]
    # Only job mail's text is read below (companies, roles, events, templates),
    # so the rest of the mailbox is not cleaned a second time.
    cleaned = [clean(e) if j and (e.body or e.html) else None for e, j in zip(emails, job)]
    texts = [c.text if c is not None else "" for c in cleaned]
    # A list's footer (cleaning drops it, and says so): mail sent to many.
    bulk = [c is not None and ("unsubscribe_footer" in c.flags or bulk_mail(c.text)) for c in cleaned]
    owner = owner_addresses((e.sender for e in emails), (e.to for e in emails),
                            (e.sender for e in emails if "Sent" in e.labels))
    # A forward is read from its raw body, headers and all; no more of it than cleaning reads.
    parties = [counterparty(e.sender, e.to, e.subject, t if not _fwd(e) else (e.body or t)[:4 * MAX_CHARS],
                            owner)
               for e, t in zip(emails, texts)]
    # What the owner wrote is never a decision about them (labeling guide), whatever
    # it sounds like ("thank you for letting me know you decided not to...").
    preds = [_not_a_rejection(p) if p.is_rejection and pt.owner_sent and not pt.forwarded else p
             for p, pt in zip(preds, parties)]
    events = [classify_event(pt.subject, pt.text, is_rejection=bool(p.is_rejection),
                             owner_sent=pt.owner_sent and not pt.forwarded, forwarded=pt.forwarded)
              if j else None for pt, p, j in zip(parties, preds, job)]
    alert = [ev in ("alert", "outreach") for ev in events]
    owner_name = _owner_name(emails, owner)
    resolver = CompanyResolver([pt for pt, j in zip(parties, job) if j], owner, owner_name)
    # Job mail that shows no step of an application ("other") gets a company only
    # from its thread or from a sender that wrote about that employer's application
    # (below): the model's false alarms must not invent employers.
    companies = resolver.resolve(parties, [j and ev != "other" for j, ev in zip(job, events)],
                                 [ev == "alert" for ev in events])
    # Not for bulk mail: an employer's talent-community letter is about no application.
    named = resolver.known_sender(parties, companies,
                                  [j and ev == "other" and not b for j, ev, b in zip(job, events, bulk)],
                                  [j and ev in _STEPS for j, ev in zip(job, events)], dates)
    joins = [bool(n) and not c for n, c in zip(named, companies)]
    companies = named
    # A person's signature gives their own title, not the role applied for.
    roles = [extract_role(pt.subject, pt.text, c, pt.name if not pt.owner_sent and
                          is_person(pt.name, pt.address) else "") if j and not a else ""
             for pt, c, j, a in zip(parties, companies, job, alert)]
    threads = thread_ids([e.id for e in emails], [e.in_reply_to for e in emails],
                         [e.references for e in emails], [e.thread for e in emails], dates)
    companies, roles = _thread_fill(threads, companies, roles, job, alert)
    rejections = [i for i, p in enumerate(preds) if p.is_rejection]
    # One key per company, from every job message: applications and templates count alike.
    keys = company_keys(c for c, j in zip(companies, job) if j)
    tr = fingerprint_templates(
        [_template_text(parties[i], texts[i]) for i in rejections],
        [keys.get(companies[i], "") for i in rejections],
        [[companies[i], roles[i], *parseaddr(parties[i].name)[0].split(), *owner_name.split()]
         for i in rejections])
    template_of: dict[int, str] = {i: t for i, t in zip(rejections, tr.template_id) if t}
    shared = {t for t, n in tr.companies.items() if n >= 2}
    facts = [MessageFacts(
        date=dates[i], company=companies[i], role=roles[i], thread_id=threads[i], event=events[i] or "",
        owner_sent=parties[i].owner_sent and not parties[i].forwarded, forwarded=parties[i].forwarded,
        stage=preds[i].stage, personalization=preds[i].personalization,
        reasons=tuple(preds[i].reasons or ()), feedback_offered=preds[i].feedback_offered,
        template_id=template_of.get(i), shared_template=template_of.get(i) in shared,
        from_employer=resolver.from_an_employer(parties[i]), joins=joins[i],
    ) if job[i] else MessageFacts(dates[i], "", "", threads[i], "") for i in range(len(emails))]
    # The newest message stands for the day the mailbox was exported, but a
    # date after today is a sender's wrong clock: it must not age every application.
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    known = [d for d in dates if d is not None]
    latest = max((d for d in known if d <= now), default=max(known, default=None))
    when = _as_of(as_of, latest)
    apps, app_of = build_applications(facts, as_of=when, ghosted_after=ghosted_after, sheet=sheet,
                                      company_key=keys)
    drafts = []
    for a in apps:
        why = wants_feedback(a.status, a.feedback_offered, a.furthest_stage, a.personalization,
                             a.shared_template)
        if why:
            rej = [i for i in a.messages if events[i] == "rejection"]
            to = (parties[rej[-1]].name, parties[rej[-1]].address) if rej else ("", "")
            drafts.append(draft(a.application_id, a.company, a.role, a.furthest_stage, to,
                                owner_name, why))
    messages = _messages_frame(emails, preds, dates, companies, roles, threads, app_of, template_of,
                               shared, events)
    apps_df = pd.DataFrame([{k: v for k, v in asdict(a).items() if k != "messages"} for a in apps],
                           columns=[f for f in _APP_COLUMNS])
    apps_df["reasons"] = apps_df["reasons"].map(list)
    templates = _templates_frame(tr, template_of, companies, keys, shared, texts, parties)
    summary = _summary(stream.read, stream.duplicates, messages, apps_df, templates, when, ghosted_after,
                       len(drafts))
    result = MailboxReport(messages, apps_df, templates, summary, render_drafts(drafts))
    if out is not None:
        from .render import write_outputs

        write_outputs(result, out, force=force)
    return result


_APP_COLUMNS = ("application_id", "company", "role", "status", "furthest_stage", "first_contact",
                       "last_contact", "applied_on", "decided_on", "days_to_answer", "days_to_decision",
                       "n_messages", "rejection_stage", "reasons", "personalization", "feedback_offered",
                       "template_id", "shared_template", "source")


def _fwd(e: Email) -> bool:
    """Whether the raw body is read for a forwarded letter: Gmail's "Forwarded
    message", or Outlook's "Original Message" under a forward's subject (under
    a reply's, it quotes older mail, which cleaning drops)."""
    body = (e.body or "").lower()
    return "forwarded message" in body or ("original message" in body
                                           and FORWARD_SUBJECT.match(e.subject or "") is not None)


def _template_text(p, text: str) -> str:
    # A forward is compared by the letter it carries, without its header lines.
    return _FWD_HEADER.sub("", p.text) if p.forwarded else text


def _owner_name(emails: Sequence[Email], owner: frozenset[str]) -> str:
    for e in emails:
        name, address = parseaddr(e.sender)
        if address.lower() in owner and name:
            return " ".join(name.split())
    return ""


def _thread_fill(threads, companies, roles, job, alert):
    """A reply that names nobody belongs to its thread's employer and role."""
    by_thread: dict[str, Counter] = {}
    role_of: dict[str, Counter] = {}
    for t, c, r, j, a in zip(threads, companies, roles, job, alert):
        if j and not a and c:
            by_thread.setdefault(t, Counter())[c] += 1
            if r:
                role_of.setdefault(t, Counter())[r] += 1
    companies, roles = list(companies), list(roles)
    for i, t in enumerate(threads):
        if job[i] and not alert[i]:
            if not companies[i] and t in by_thread:
                companies[i] = ranked(by_thread[t], 1)[0][0]
            if not roles[i] and t in role_of and companies[i] in by_thread.get(t, ()):
                roles[i] = ranked(role_of[t], 1)[0][0]
    return companies, roles


def _not_a_rejection(p: Prediction) -> Prediction:
    return replace(p, is_rejection=False, **dict.fromkeys(REJECTION_ONLY_OUTPUTS))


def _messages_frame(emails, preds, dates, companies, roles, threads, app_of, template_of, shared, events):
    rows = []
    for i, (e, p) in enumerate(zip(emails, preds)):
        d = p.to_dict()
        rows.append({
            "id": e.id, "date": dates[i], "sender": e.sender, "subject": e.subject,
            "language": d["language"], "job_related": d["job_related"], "is_rejection": d["is_rejection"],
            "rejection_score": d["rejection_score"], "personalization": d["personalization"],
            "reasons": list(d["reasons"] or []), "stage": d["stage"],
            "feedback_offered": d["feedback_offered"], "reapply_encouraged": d["reapply_encouraged"],
            "event": events[i], "company": companies[i] or None, "role": roles[i] or None,
            "thread_id": threads[i], "application_id": app_of[i], "template_id": template_of.get(i),
            "shared_template": template_of.get(i) in shared, "error": d["error"] or e.error,
        })
    return pd.DataFrame(rows)


def _templates_frame(tr, template_of, companies, keys, shared, texts, parties) -> pd.DataFrame:
    rows = []
    for tid, n in sorted(tr.companies.items(), key=lambda kv: (-kv[1], kv[0])):
        members = sorted(i for i, t in template_of.items() if t == tid)
        spellings = {keys[companies[i]]: companies[i] for i in sorted(members, reverse=True) if companies[i]}
        names = sorted(spellings.values())  # one spelling a company, the first met
        # The letter itself, so a reader sees what was sent (from a copy that was not forwarded).
        first = next((i for i in members if not parties[i].forwarded), members[0])
        excerpt = " ".join(_template_text(parties[first], texts[first]).split())
        rows.append({"template_id": tid, "companies": n, "messages": tr.messages[tid],
                     "shared": tid in shared, "company_names": names,
                     "excerpt": excerpt[:240] + ("…" if len(excerpt) > 240 else "")})
    return pd.DataFrame(rows, columns=["template_id", "companies", "messages", "shared", "company_names",
                                       "excerpt"])


def _summary(n_read, duplicates, messages, apps, templates, when, ghosted_after, n_drafts) -> dict:
    rej = messages[messages["is_rejection"] == True]  # noqa: E712 (nullable column)
    status = Counter(apps["status"]) if len(apps) else Counter()
    furthest = Counter(apps["furthest_stage"]) if len(apps) else Counter()
    # Answered: any reply beyond an automatic acknowledgement.
    answered = int((apps["days_to_answer"].notna() | apps["status"].isin(["rejected", "offer", "in_process"])
                    | apps["furthest_stage"].isin(["assessment", "interview", "offer"])).sum()) \
        if len(apps) else 0
    reasons = Counter(r for rs in rej["reasons"] for r in rs)
    return {
        "messages_read": n_read, "duplicates_removed": duplicates, "messages": len(messages),
        "errors": int(messages["error"].notna().sum()),
        "job_related": int((messages["job_related"] == True).sum()),  # noqa: E712
        # The model reads English: these messages' labels (job mail, rejection) are unreliable.
        "not_english": int((messages["language"].notna() & (messages["language"] != "en")).sum())
        if len(messages) else 0,
        "rejections": len(rej),
        # A letter several companies sent is generic, whatever its wording suggests.
        "generic": int(((rej["personalization"] == "generic") | rej["shared_template"]).sum()),
        "personalized": int(((rej["personalization"] == "personalized") & ~rej["shared_template"]).sum()),
        "rejections_with_shared_template": int(rej["shared_template"].sum()),
        "applications": len(apps), "status": dict(status),
        "funnel": {"applied": len(apps), "answered": answered,
                   "interview": sum(furthest[s] for s in ("assessment", "interview", "offer")),
                   "offer": status["offer"], "rejected": status["rejected"], "ghosted": status["ghosted"]},
        "median_days_to_answer": _median(apps, "days_to_answer"),
        "median_days_to_decision": _median(apps, "days_to_decision"),
        "top_reasons": dict(ranked(reasons, 10)),
        "shared_templates": int(templates["shared"].sum()) if len(templates) else 0,
        "feedback_requests": n_drafts,
        "as_of": when.isoformat() if when else None, "ghosted_after_days": ghosted_after,
    }


def _median(df: pd.DataFrame, col: str) -> float | None:
    if not len(df) or df[col].notna().sum() == 0:
        return None
    return round(float(df[col].dropna().median()), 1)


