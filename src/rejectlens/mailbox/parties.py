"""Who a message is with: the employer (company) and the role, from what the mail says.

Both come only from the message itself (sender display name and address,
subject, body phrases); either may be empty, and nothing is guessed. Mail
sent through an applicant tracking system or a job board (Greenhouse,
Lever, Workday, iCIMS, Ashby, LinkedIn, Indeed...) is seen through to the
employer it speaks for; such platforms are known by name, and also learned
from the mailbox itself: a sending domain that speaks for two or more
employers is a platform, not an employer.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from typing import Any

from ..clean import FORWARD_SUBJECT
from .names import (
    _CONNECT,
    _LEGAL,
    _NOT_NAMES,
    _ROLE_HEAD,
    _ROLE_STOP,
    clean_display,
    extract_role,
    fold,
    fold_de,
    name_at,
    ranked,
    same,
)

__all__ = ["CompanyResolver", "Counterparty", "counterparty", "extract_role", "owner_addresses"]

# Real ATS vendors and job boards (second-level domain labels).
KNOWN_PLATFORMS = frozenset([
    "greenhouse", "greenhouse-mail", "lever", "hire-lever", "workday", "myworkday", "myworkdayjobs",
    "workdaymail", "icims", "ashbyhq", "ashby", "smartrecruiters", "personio", "linkedin", "indeed",
    "indeedemail", "taleo", "successfactors", "jobvite", "workable", "teamtailor", "recruitee",
    "bamboohr", "breezy", "jazzhr", "applytojob", "oraclecloud", "dayforce", "rippling", "pinpointhq",
    "otta", "welcometothejungle", "glassdoor", "ziprecruiter", "totaljobs", "reed", "cv-library",
    "stepstone", "xing", "hibob", "comeet",
])
# Free mail: the domain names nobody's employer.
_FREE_MAIL = frozenset([
    "gmail", "googlemail", "outlook", "hotmail", "live", "yahoo", "icloud", "me", "aol", "proton",
    "protonmail", "gmx", "web", "mail", "yandex", "zoho", "fastmail",
])
# Senders that publish (newsletters, digests) write about jobs but employ nobody.
_NEWSLETTER_LOCAL = re.compile(r"^(?:news(?:letter)?s?|digest|issue|editor|weekly|longread|bulletin)$", re.I)
# Words in a domain or display name that mark a recruitment agency or a board.
_AGENCY = re.compile(r"recruit|talent|staffing|search|people|hire|jobs|resourcing|personnel|headhunt|"
                     r"careers?board|alert", re.I)
# Department words senders add to the employer's name.
_GENERIC_LOCAL = re.compile(r"^(?:no-?reply|noreply|careers?|jobs?|recruit\w*|talent\w*|hr|hiring|"
                            r"people|apply|applications?|notifications?|messages?|inmail|mail|team|"
                            r"earlycareers|info|hello|contact|digest|alerts?|[\w-]*noreply|[\w-]*careers)"
                            r"(?:[-_.]\w+)*$", re.I)
# Links at the foot of bulk mail, set out like "Employer · Place" lines.
_FOOTER_LINK = (r"(?i:privacy|unsubscribe|terms|help|support|preferences|settings|cookies|contact|legal|"
                r"accessibility|imprint|impressum|manage|view|feedback|faq)\b")
_COMPANY_PHRASES = [re.compile(p, flags) for p, flags in (
    (r"application (?:to|for) [^.\n]{2,60}? at ", re.I),
    (r"(?:application|applying|applied|interest|career)s? (?:to|with|at|in joining|in working at) ", re.I),
    (r"(?:application|items?|details|cv|résumé|resume) (?:was|were|has been|have been) sent to ", re.I),
    (r"\b(?:viewed|reviewed|seen) by ", re.I),
    (r"(?:position|role|vacancy|opportunity|job)\b[^.\n]{0,60}? at ", re.I),
    (r"(?:an )?update from ", re.I),
    (r"thank you from ", re.I),
    (r"interest in (?=[A-Z])", re.I),
    (r"\b(?:team|here|work|partner|recruiter|sourcer|head of \w+|manager|director) at ", re.I),
    # ATS notices set the employer on its own line: "Vireo Travel · Leeds" (", UK (Hybrid)" may
    # follow the place), "X reviewed your application", or under a label ("Organisation: X").
    # A row of footer links ("Privacy · Unsubscribe") names nobody.
    (rf"^(?!{_FOOTER_LINK})(?=[A-Z][^\n,]{{1,60}} [·–—-] (?!{_FOOTER_LINK})[A-Z][a-z]+"
     r"(?:,\s*[A-Z][^\n,\d]{0,30})*(?:\s*\([^\n\d]{0,30}\))?\s*$)", re.M),
    (r"^\s*(?:organi[sz]ation|employer|company|hiring (?:company|organi[sz]ation))\s*:[ \t]*", re.M | re.I),
    (r"^(?=[A-Z][^\n,]{1,60} (?:has decided|reviewed your application|is interested))", re.M),
)]
_BULK = re.compile(r"\bunsubscribe\b|you(?:['’]re| are) receiving this (?:e-?mail )?because|"
                   r"stop receiving (?:these|this|our)|e-?mail preferences|notification preferences|"
                   r"manage (?:your )?(?:subscriptions?|preferences)|\bopt[- ]out\b", re.I)
# (?<!-): tried once per run of dashes, not from each dash of a 40,000-dash line
_FWD_BLOCK = re.compile(r"(?<!-)-{3,}\s*(?:Forwarded message|Original Message)\s*-{3,}(.*)", re.I | re.S)
_BLOCK_FIELD = re.compile(r"^\s*\*?(From|Subject|Sent|Date|To)\*?:\s*(.*)$", re.I | re.M)


@dataclass(frozen=True)
class Counterparty:
    """The other side of a message: the sender, or for mail the owner sent, the
    recipient; for a forward, the sender of the forwarded message."""

    name: str
    address: str
    owner_sent: bool
    forwarded: bool
    subject: str
    text: str


def _addr(raw: str) -> tuple[str, str]:
    name, address = parseaddr(raw or "")
    return " ".join(name.split()), address.strip().lower()


def owner_addresses(senders: Iterable[str], recipients: Iterable[str],
                    sent: Iterable[str] = ()) -> frozenset[str]:
    """The mailbox owner's addresses: the one most mail is addressed to (a
    Takeout export is one person's mail), and every address of ``sent``, the
    senders of mail Gmail labels Sent (a second address sends as the owner too)."""
    mine = frozenset(a for _, a in (_addr(s) for s in sent) if "@" in a)
    counts: Counter[str] = Counter()
    for to in recipients:
        for _, a in getaddresses([to or ""]):
            if "@" in a:
                counts[a.lower()] += 1
    if not counts:
        return mine
    top, n = counts.most_common(1)[0]
    return mine | {top} if n >= 2 else mine


def counterparty(sender: str, to: str, subject: str, text: str, owner: frozenset[str]) -> Counterparty:
    name, address = _addr(sender)
    owner_sent = address in owner
    block = _FWD_BLOCK.search(text or "")
    # Outlook quotes a reply under "Original Message" too: only a Fwd subject or
    # Gmail's "Forwarded message" marks a forward.
    if block and (FORWARD_SUBJECT.match(subject or "") or "forwarded" in block.group(0)[:40].lower()):
        fields = {k.lower(): v.strip() for k, v in reversed(_BLOCK_FIELD.findall(block.group(1)[:2000]))}
        inner_name, inner_addr = _addr(fields.get("from", ""))
        if inner_addr and inner_addr not in owner:
            return Counterparty(inner_name, inner_addr, owner_sent, True,
                                fields.get("subject", subject or ""), block.group(1))
    if owner_sent:
        for n, a in getaddresses([to or ""]):
            if a and a.lower() not in owner:
                return Counterparty(" ".join(n.split()), a.lower(), True, False, subject or "", text or "")
        return Counterparty("", "", True, False, subject or "", text or "")
    return Counterparty(name, address, False, False, subject or "", text or "")


def bulk_mail(text: str) -> bool:
    """Whether a text carries a mailing list's footer ("Unsubscribe", "you're
    receiving this because"): mail sent to many, about no one's application."""
    return bool(_BULK.search(text or ""))


def domain_stem(address: str) -> str:
    """The registered name of an address's domain: hire.leverly.example -> leverly,
    acme.co.uk -> acme; a '-mail' suffix (bulk-mail domains) is dropped."""
    domain = address.rpartition("@")[2]
    labels = [x for x in domain.split(".") if x]
    if len(labels) < 2:
        return labels[0] if labels else ""
    stem = labels[-2]
    if len(labels) >= 3 and stem in ("co", "com", "org", "ac", "gov", "net", "ltd", "plc") and \
            len(labels[-1]) == 2:
        stem = labels[-3]
    return re.sub(r"[-_](?:mail|email|mailer)$", "", stem) or stem


_ORG_WORD = re.compile(r"\b(?:bank|banking|labs?|foods?|group|health|games|capital|ltd|inc|plc|gmbh|"
                       r"insurance|energy|university|council|trust|media|software|analytics|consulting|"
                       r"careers?|talent|recruit\w*|hr|team|jobs|studios?|partners|holdings|services|"
                       r"society|tech|systems|solutions|agency|company|co)\b", re.I)


def is_person(name: str, address: str) -> bool:
    """Whether a display name is a person's (Jane Doe <jane.doe@...>), not an organisation's."""
    local = address.partition("@")[0].lower()
    words = name.split()
    if not words or _GENERIC_LOCAL.match(local) or _ORG_WORD.search(name):
        return False
    if same(name, domain_stem(address)):
        return False
    first = fold(words[0])
    return bool(first) and (local.startswith(first) or fold(words[-1]) in fold(local))


def phrase_company(subject: str, text: str) -> str:
    """An employer named in a phrase such as 'your application to X' (subject first)."""
    for layout, source in ((False, subject or ""), (True, (text or "")[:3000])):
        for pattern in _COMPANY_PHRASES:
            if pattern.flags & re.M and not layout:
                continue  # line layouts are a notice's body: a subject's "Role - Company" is no "X · Place"
            for m in pattern.finditer(source):
                name = clean_display(name_at(source, m.end()))
                if name and not _ROLE_HEAD.search(name.split()[-1]):
                    return name
    return ""


def _stem_phrase(stem: str, subject: str, text: str) -> str:
    """The capitalised phrase of the mail that spells the domain (cindermobility ->
    'Cinder Mobility', atlascloud -> 'Atlas Cloudworks'); empty when none does."""
    if len(stem) < 3:
        return ""
    best = ""
    source = f"{subject}\n{(text or '')[:3000]}"
    for m in re.finditer(r"(?<![\w'’])[^\W\d_]", source):
        if not source[m.start()].isupper():
            continue
        name = name_at(source, m.start())
        if not name:
            continue
        words = name.split()
        cand = _spelling(stem, words)
        if len(cand) > len(best):
            best = cand
    return best


def _spelling(stem: str, words: Sequence[str]) -> str:
    """The first words of a name that spell the domain stem, with the words of the
    name that follow (see _name_tail); or the longest start the stem begins with
    (kinfolkhq -> 'Kinfolk'); empty when neither."""
    def folds(cand: str) -> tuple[str, ...]:
        # Domains spell "&" as "and" (or leave it out): cedarandloom is "Cedar & Loom".
        return fold(cand), fold_de(cand), fold(re.sub(r"\s*[&+]\s*", " and ", cand))

    for k in range(1, len(words) + 1):
        if any(f.startswith(stem) for f in folds(" ".join(words[:k]))):
            return " ".join(list(words[:k]) + _name_tail(words[k:]))
    for k in range(len(words), 0, -1):
        if any(len(f) >= 4 and stem.startswith(f) and len(f) >= len(stem) - 3
               for f in folds(" ".join(words[:k]))):
            return " ".join(words[:k])
    return ""


def _name_tail(rest: Sequence[str]) -> list[str]:
    """The words after the ones that spell a domain that still belong to the name:
    one or two plain capitalised words ('Lodestar' + 'Media'), not a place
    ('Ciudad de México'), a subject word ('Application', 'Update') or a title."""
    if not rest or len(rest) > 2:
        return []
    for w in rest:
        low = w.lower()
        if (not w[:1].isupper() or low in _CONNECT or low in _NOT_NAMES or low in _ROLE_STOP
                or _ROLE_HEAD.fullmatch(w) or not clean_display(f"X {w}").endswith(w)):
            return []
    return list(rest)


def _families(names: Iterable[str]) -> list[str]:
    """Folded names with the ones that start another merged into it: {acme, acmehealth} is one."""
    out: list[str] = []
    for n in sorted(set(names), key=len):
        if not any(n.startswith(o) for o in out):
            out.append(n)
    return out


class CompanyResolver:
    """Names the employer of each message, with what the whole mailbox teaches:
    which domains are platforms, and the full name an employer's domain goes by."""

    def __init__(self, parties: Sequence[Counterparty], owner: frozenset[str] = frozenset(),
                 owner_name: str = "") -> None:
        # The owner's own provider is personal mail (friends write from it too).
        self.personal = {domain_stem(a) for a in owner}
        # "Dana, the client has decided": the owner's name is nobody's employer.
        self.owner_words = {fold(w) for w in owner_name.split() if len(w) > 1}
        display: dict[str, Counter[str]] = defaultdict(Counter)
        phrases: dict[str, set[str]] = defaultdict(set)
        for p in parties:
            if not p.address:
                continue
            stem = domain_stem(p.address)
            shown = clean_display(p.name)
            if shown and not is_person(p.name, p.address):
                display[stem][shown] += 1
            said = phrase_company(p.subject, p.text)
            if said:
                phrases[stem].add(fold(_LEGAL.sub("", said)))
        self.platforms = set(KNOWN_PLATFORMS)
        for stem in set(display) | set(phrases):
            # "Acme" and "Acme Health" (from "Acme People Team", "Acme Health Careers") are one name.
            names = _families(fold(n) for n in display[stem])
            # A name the domain spells, in full or in part, is the domain's own.
            if len(names) >= 2 or len({n for n in phrases[stem] if not same(n, stem)}) >= 2:
                self.platforms.add(stem)
        # An employer's own domain goes by the name its org senders use.
        self.domain_name = {stem: ranked(c, 1)[0][0] for stem, c in display.items()
                            if stem not in self.platforms and
                            any(fold(n).startswith(stem[:4]) for n in c)}

    def from_an_employer(self, p: Counterparty) -> bool:
        """Whether the other side could be an employer or its agent: not a newsletter,
        not free or personal mail (those name an employer only in their text)."""
        if not p.address:
            return False
        stem = domain_stem(p.address)
        return not (_NEWSLETTER_LOCAL.match(p.address.partition("@")[0]) or stem in _FREE_MAIL
                    or stem in self.personal or stem.endswith("mail"))

    def company(self, p: Counterparty) -> str:
        name = self._company(p)
        return "" if name and fold(name) in self.owner_words else name

    def _company(self, p: Counterparty) -> str:
        if not p.address:
            return phrase_company(p.subject, p.text)
        stem = domain_stem(p.address)
        if _NEWSLETTER_LOCAL.match(p.address.partition("@")[0]):
            return ""
        if stem in _FREE_MAIL or stem in self.personal or stem.endswith("mail"):
            # A personal mail provider names no employer; only the text can.
            return phrase_company(p.subject, p.text)
        said = phrase_company(p.subject, p.text)
        shown = clean_display(p.name)
        person = is_person(p.name, p.address)
        if stem in self.platforms or (shown and same(shown, stem) and said and not same(said, stem)
                                      and re.search(r"application", p.subject, re.I)):
            if said:
                # "Thanks for applying to Acme" from "Acme Robotics": the fuller of the two
                fuller = shown and not person and same(said, shown) and len(shown) > len(said)
                return shown if fuller else said
            if shown and not person and not same(shown, stem):
                return shown
            return ""
        if shown and not person and said and same(said, shown) and not same(shown, stem):
            # The sender's name and the text agree on an employer the domain does not
            # spell: the domain is a platform the mailbox showed no other employer of.
            return shown if len(shown) >= len(said) else said
        if _AGENCY.search(stem) or (shown and not person and _AGENCY.search(shown)):
            # An agency speaks for an employer only when it names one.
            return said if said and not same(said, stem) else ""
        if stem in self.domain_name:
            return self._longest(self.domain_name[stem], p)
        if shown and not person and same(shown, stem):
            return self._longest(shown, p)
        spelled = clean_display(_stem_phrase(stem, p.subject, p.text))
        if spelled:
            return spelled
        if shown and not person:
            return shown
        if said:
            return said
        # An employer's own domain, named nowhere in the mail: the domain is what
        # the mail says (kinfolk.example -> Kinfolk).
        return stem.replace("-", " ").title() if len(stem) >= 3 else ""

    def known_sender(self, parties: Sequence[Counterparty], names: Sequence[str], ask: Sequence[bool],
                     steps: Sequence[bool], dates: Sequence[Any] | None = None) -> list[str]:
        """Names for job mail that shows no step of an application (``ask``): the
        employer its sender wrote to the owner about in a step (``steps``: an
        acknowledgement, invitation, decision...). The sender's domain and the
        name its mail gives must be ones a step paired, and the pair must be
        the only one that fits: the recruiter at acme.example writing again is
        Acme's; a job board's notice naming Acme is Acme's when that board sent
        one of Acme's steps. Any other sender or name gives nothing. With
        ``dates``, only a step sent before (or on the day of) the message
        counts, and a message naming two employers its sender's steps named
        (an agency's note about two clients) gets none."""
        when = list(dates) if dates is not None else [None] * len(parties)
        paired: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for p, name, step, d in zip(parties, names, steps, when):
            if step and name and p.address and (not p.owner_sent or p.forwarded) and self.from_an_employer(p):
                paired[domain_stem(p.address)].append((name, d))
        out = list(names)
        for i, (p, want) in enumerate(zip(parties, ask)):
            if not want or out[i] or not p.address or (p.owner_sent and not p.forwarded) \
                    or not self.from_an_employer(p):
                continue
            said = self.company(p)
            earlier = {n for n, d in paired.get(domain_stem(p.address), ())
                       if d is None or when[i] is None or d <= when[i]}
            match = {n for n in earlier if said and same(n, said)}
            text = fold(f"{p.subject} {p.text}")
            if len(match) == 1 and sum(fold(n) in text for n in earlier) <= 1:
                out[i] = match.pop()
        return out

    @staticmethod
    def _longest(name: str, p: Counterparty) -> str:
        # "Lodestar" from the domain, "Lodestar Media" in the signature: keep the fuller one.
        longer = clean_display(_stem_phrase(fold(name), p.subject, p.text))
        if len(longer) > len(name) and longer.startswith(name.split()[0]) and not _ROLE_HEAD.search(longer):
            return longer
        return name

    def resolve(self, parties: Sequence[Counterparty], job: Sequence[bool],
                alert: Sequence[bool]) -> list[str]:
        """The company of every message: empty for mail that is not job-related (or
        that ``job`` marks as showing no application), and for a platform's job
        alerts (they list many employers, none of them yours).

        An employer's domain keeps one name across the mailbox: the fullest name
        any of its messages gives ('Rookwood' and 'Rookwood Analytics' are one).
        """
        out = []
        for p, is_job, is_alert in zip(parties, job, alert):
            if not is_job or (is_alert and p.address and domain_stem(p.address) in self.platforms):
                out.append("")
                continue
            out.append(self.company(p))
        names: dict[str, Counter[str]] = defaultdict(Counter)
        for p, name in zip(parties, out):
            stem = domain_stem(p.address) if p.address else ""
            if name and stem and stem not in self.platforms and stem not in _FREE_MAIL:
                names[stem][name] += 1
        best: dict[str, str] = {}
        for stem, c in names.items():
            top = ranked(c, 1)[0][0]
            fuller = [n for n in c if same(n, top) and len(n) > len(top)]
            best[stem] = max(fuller, key=len) if fuller else top
        for i, (p, is_job) in enumerate(zip(parties, job)):
            stem = domain_stem(p.address) if p.address else ""
            if is_job and stem in best and (not out[i] or same(out[i], best[stem])) and not (
                    alert[i] and stem in self.platforms):
                out[i] = best[stem]
        return _fullest_names(out)


def _fullest_names(names: Sequence[str]) -> list[str]:
    """One employer, one name across domains: a name whose words begin exactly one
    fuller name of the mailbox ('Acme' and 'Acme Robotics', from a platform's notice
    and the employer's own domain) takes the fuller one. With two fuller names
    ('Acme Robotics', 'Acme Bank') it stays: which one it is, the mail does not say."""
    def words(n: str) -> tuple[str, ...]:
        return tuple(w for w in (fold(x) for x in n.split()) if w)

    distinct = {words(n): n for n in names if n}
    fuller: dict[tuple[str, ...], tuple[str, ...]] = {}
    for w in distinct:
        longer = [o for o in distinct if len(o) > len(w) and o[:len(w)] == w]
        # Longer names that start one another ('Acme Robotics', 'Acme Robotics Ltd') are one.
        top = max(longer, key=len, default=None)
        if top is not None and all(top[:len(o)] == o for o in longer):
            fuller[w] = top
    return [distinct[fuller[words(n)]] if n and words(n) in fuller else n for n in names]
