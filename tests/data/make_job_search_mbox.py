"""Builds job_search.mbox, the fixture mailbox of tests/test_mailbox_report.py (stdlib only).

    python tests/data/make_job_search_mbox.py

Sam Rivera's small job search, January to March 2026:

- Acme Robotics, Data Analyst: acknowledgement (exported twice, same
  Message-ID), interview invitation, Sam's reply, personal rejection after
  the interview, all one thread -> rejected, furthest stage interview;
- one ATS template (HireTrack) rejecting Sam at Birchwood Foods, Cobalt Labs
  and Dunmore Bank -> three rejected applications, one shared template;
- Sam forwards the Dunmore Bank rejection to a friend -> same application;
- Elmstead Health, Business Analyst: acknowledgement, interview invitation,
  Sam's thank-you, then silence for two months -> ghosted;
- Fernhill Games, Game Analyst: interview invitation, then an offer -> offer;
- non-job mail: a bank alert, a newsletter, a friend, a refused flat, a
  receipt (the latest message, so as_of defaults to 2026-03-31).
"""

from __future__ import annotations

import mailbox
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

OUT = Path(__file__).with_name("job_search.mbox")
SAM = "Sam Rivera <sam.rivera@mailbox.example>"

TEMPLATE = (
    "Dear Sam,\n\nThank you for your interest in the {role} position at {company}. We have carefully "
    "reviewed your application and, after consideration, we have decided to pursue other candidates "
    "whose qualifications more closely meet the needs of this position.\n\nWe encourage you to visit "
    "our careers site and apply for future openings that match your skills and experience. We wish "
    "you every success in your job search.\n\nSincerely,\n{company} Talent Acquisition\n"
)

# (key, date, from, to, subject, body, extra headers)
MESSAGES = [
    ("acme-ack", "2026-01-05 09:00", "Acme Robotics Careers <careers@acme.example>", SAM,
     "Thank you for applying to Acme Robotics",
     "Hi Sam,\n\nThank you for applying for the Data Analyst position at Acme Robotics. We have "
     "received your application and our team will review it over the next two weeks.\n\nAcme Robotics "
     "Careers\n", {}),
    ("bank", "2026-01-06 08:00", "Northbank <alerts@northbank.example>", SAM,
     "Card payment of £12.40 at Corner Cafe",
     "A payment of £12.40 was made with your card ending 4411 at Corner Cafe. If this wasn't you, "
     "call us.\n", {}),
    ("elm-ack", "2026-01-08 10:00", "Elmstead Health Recruitment <recruitment@elmstead.example>", SAM,
     "Your application to Elmstead Health",
     "Dear Sam,\n\nThank you for your application for the Business Analyst role at Elmstead Health. "
     "We have received it and will be in touch if you are shortlisted.\n\nElmstead Health "
     "Recruitment\n", {}),
    ("acme-invite", "2026-01-12 14:00", "Jane Doe <jane.doe@acme.example>", SAM,
     "Data Analyst - interview invitation",
     "Hi Sam,\n\nWe'd like to invite you to an interview for the Data Analyst role on Thursday at "
     "10:00 at our Leeds office. Please let me know if that works.\n\nJane Doe\nHead of Analytics, "
     "Acme Robotics\n", {}),
    ("acme-reply", "2026-01-12 18:00", SAM, "Jane Doe <jane.doe@acme.example>",
     "Re: Data Analyst - interview invitation",
     "Hi Jane,\n\nThursday at 10:00 works well for me. See you then.\n\nBest,\nSam\n",
     {"reply_to": "acme-invite"}),
    ("newsletter", "2026-01-15 07:00", "Data Weekly <news@dataweekly.example>", SAM,
     "Data Weekly #52: dashboards that people read",
     "This week: dashboards that people actually read, a SQL style guide and three job-search tips "
     "from hiring managers.\n\nUnsubscribe\n", {}),
    ("birchwood", "2026-01-19 11:00", "Birchwood Foods <birchwood-foods@hiretrack-mail.example>", SAM,
     "Update on your application for Supply Analyst",
     TEMPLATE.format(role="Supply Analyst", company="Birchwood Foods"), {}),
    ("elm-invite", "2026-01-20 09:30", "Priya Shah <priya.shah@elmstead.example>", SAM,
     "Business Analyst - interview",
     "Dear Sam,\n\nWe would like to invite you to interview for the Business Analyst role on Monday "
     "at 11:00. The interview will last about an hour.\n\nKind regards,\nPriya Shah\nElmstead Health\n",
     {}),
    ("friend", "2026-01-24 19:00", "Alex Kim <alex.kim@mailbox.example>", SAM, "dinner saturday?",
     "hey! are you free for dinner on saturday? the new ramen place opened\n", {}),
    ("elm-thanks", "2026-01-27 17:00", SAM, "Priya Shah <priya.shah@elmstead.example>",
     "Thank you - Business Analyst interview",
     "Dear Priya,\n\nThank you for taking the time to meet me on Monday. I enjoyed hearing about the "
     "team's plans and I am very interested in the role. I look forward to hearing from you.\n\nBest "
     "regards,\nSam Rivera\n", {"reply_to": "elm-invite"}),
    ("acme-reject", "2026-02-02 15:00", "Jane Doe <jane.doe@acme.example>", SAM,
     "Re: Data Analyst - interview invitation",
     "Hi Sam,\n\nThank you for coming in on Thursday. The team enjoyed your walkthrough of the churn "
     "model, but we have decided to offer the role to a candidate with more experience in "
     "forecasting, so we won't be moving forward with your application.\n\nBest wishes,\nJane\n",
     {"reply_to": "acme-reply"}),
    ("cobalt", "2026-02-03 11:00", "Cobalt Labs <cobalt-labs@hiretrack-mail.example>", SAM,
     "Update on your application for Data Engineer",
     TEMPLATE.format(role="Data Engineer", company="Cobalt Labs"), {}),
    ("flat", "2026-02-05 12:00", "Harbour Lettings <lettings@harbourlettings.example>", SAM,
     "Your application for 12 Mill Lane",
     "Dear Sam,\n\nThank you for applying to rent 12 Mill Lane. Unfortunately the landlord has "
     "accepted another applicant, so we cannot proceed with your application.\n\nHarbour Lettings\n",
     {}),
    ("fern-invite", "2026-02-10 10:00", "Tom Reed <tom.reed@fernhillgames.example>", SAM,
     "Game Analyst interview at Fernhill Games",
     "Hi Sam,\n\nThanks for applying for the Game Analyst role. We'd like to invite you to a video "
     "interview on Wednesday at 14:00.\n\nTom Reed\nFernhill Games\n", {}),
    ("dunmore", "2026-02-16 11:00", "Dunmore Bank <dunmore-bank@hiretrack-mail.example>", SAM,
     "Update on your application for Risk Analyst",
     TEMPLATE.format(role="Risk Analyst", company="Dunmore Bank"), {}),
    ("dunmore-fwd", "2026-02-16 20:00", SAM, "Alex Kim <alex.kim@mailbox.example>",
     "Fwd: Update on your application for Risk Analyst",
     "the same letter again, word for word. three of these now\n\n---------- Forwarded message "
     "---------\nFrom: Dunmore Bank <dunmore-bank@hiretrack-mail.example>\nDate: Mon, 16 Feb 2026 at "
     "11:00\nSubject: Update on your application for Risk Analyst\nTo: Sam Rivera "
     "<sam.rivera@mailbox.example>\n\n" + TEMPLATE.format(role="Risk Analyst", company="Dunmore Bank"),
     {}),
    ("fern-offer", "2026-02-24 16:00", "Tom Reed <tom.reed@fernhillgames.example>", SAM,
     "Offer of employment - Game Analyst",
     "Hi Sam,\n\nI'm really pleased to offer you the role of Game Analyst at Fernhill Games! The "
     "salary is £36,000 and the start date is up to you. I'll send the contract tomorrow.\n\nTom\n",
     {"reply_to": "fern-invite"}),
    ("acme-ack", "2026-01-05 09:00", "Acme Robotics Careers <careers@acme.example>", SAM,
     "Thank you for applying to Acme Robotics",
     "Hi Sam,\n\nThank you for applying for the Data Analyst position at Acme Robotics. We have "
     "received your application and our team will review it over the next two weeks.\n\nAcme Robotics "
     "Careers\n", {}),
    ("receipt", "2026-03-31 12:00", "Pagefold Books <orders@pagefold.example>", SAM,
     "Your Pagefold receipt", "Thanks for your order: 1 paperback, £8.99. It will arrive on "
     "Thursday.\n", {}),
]


def msgid(key: str) -> str:
    return f"<{key}@fixture.example>"


def main() -> None:
    if OUT.exists():
        OUT.unlink()
    box = mailbox.mbox(str(OUT))
    for key, when, sender, to, subject, body, extra in MESSAGES:
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = sender, to, subject
        date = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
        m["Date"] = format_datetime(date)
        m["Message-ID"] = msgid(key)
        if "reply_to" in extra:
            m["In-Reply-To"] = msgid(extra["reply_to"])
            m["References"] = msgid(extra["reply_to"])
        m.set_content(body)
        box.add(mailbox.mboxMessage(m))
    box.flush()
    box.close()


if __name__ == "__main__":
    main()
