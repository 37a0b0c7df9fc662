"""The stages of rejectlens.mailbox on small inputs: threads, parties, events, templates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.mailbox.events import classify_event
from rejectlens.mailbox.parties import (
    CompanyResolver,
    bulk_mail,
    counterparty,
    domain_stem,
    extract_role,
    owner_addresses,
)
from rejectlens.mailbox.templates import fingerprint_templates, mask
from rejectlens.mailbox.threads import message_ids, thread_ids

OWNER = frozenset({"sam@home.example"})


def test_threads_from_replies_references_and_gmail_ids():
    ids = ["<a@x>", "<b@x>", "<c@x>", "<d@x>", "<e@x>"]
    reply = [None, "<a@x>", None, None, None]
    refs = [None, None, "<a@x> <b@x>", None, None]
    gmail = [None, None, None, "77", "77"]
    t = thread_ids(ids, reply, refs, gmail)
    assert t[0] == t[1] == t[2] == "a@x"
    assert t[3] == t[4] == "77" and t[3] != t[0]
    assert message_ids("<A@X> junk <b@y>") == ["a@x", "b@y"] and message_ids(None) == []


def test_domain_stem_looks_through_subdomains_and_bulk_mail():
    assert domain_stem("no-reply@hire.leverly.example") == "leverly"
    assert domain_stem("x@acme.co.uk") == "acme"
    assert domain_stem("x@hiregrove-mail.example") == "hiregrove"


def party(sender, subject, text, to="sam@home.example"):
    return counterparty(sender, to, subject, text, OWNER)


def test_ats_mail_is_seen_through_to_the_employer():
    ps = [party("Birchwood Foods <birchwood@hiretrack.example>", "Your application",
                "Thank you for applying to Birchwood Foods."),
          party("Cobalt Labs <cobalt@hiretrack.example>", "Your application",
                "Thank you for applying to Cobalt Labs.")]
    r = CompanyResolver(ps, OWNER)
    assert "hiretrack" in r.platforms
    assert [r.company(p) for p in ps] == ["Birchwood Foods", "Cobalt Labs"]
    gh = party("Greenhouse <no-reply@greenhouse.io>", "Update", "Your application to Nimbus Cloud")
    assert CompanyResolver([gh]).company(gh) == "Nimbus Cloud"
    alert = party("Greenhouse <no-reply@greenhouse.io>", "Jobs", "Some jobs for you today")
    assert CompanyResolver([alert]).company(alert) == ""


def test_people_at_an_employer_and_mail_the_owner_sent():
    ack = party("Acme Robotics Careers <careers@acme.example>", "Thanks for applying", "We got it.")
    jane = party("Jane Doe <jane.doe@acme.example>", "Interview", "Hi Sam, see you Thursday.")
    sent = counterparty("Sam <sam@home.example>", "Jane Doe <jane.doe@acme.example>", "Re: Interview",
                        "Thursday works.", OWNER)
    assert sent.owner_sent and sent.address == "jane.doe@acme.example"
    r = CompanyResolver([ack, jane, sent], OWNER)
    assert r.resolve([ack, jane, sent], [True] * 3, [False] * 3) == ["Acme Robotics"] * 3


def test_forward_is_read_through_to_the_original_sender():
    text = ("fyi\n\n---------- Forwarded message ---------\nFrom: Dunmore Bank <hr@dunmore.example>\n"
            "Subject: Your application\nTo: Sam <sam@home.example>\n\nWe regret to inform you...")
    p = counterparty("Sam <sam@home.example>", "Alex <alex@home.example>", "Fwd: Your application", text,
                     OWNER)
    assert p.forwarded and p.address == "hr@dunmore.example"
    assert CompanyResolver([p], OWNER).company(p) == "Dunmore Bank"
    # Outlook quotes a forward as "Original Message" too; its subject says forward, as cleaning reads it
    outlook = ("fyi\n\n-----Original Message-----\nFrom: Dunmore Bank <hr@dunmore.example>\n"
               "Subject: Your application\n\nWe regret to inform you...")
    for subject in ("Fwd: Your application", "FW: Your application", "RV: Your application"):
        assert counterparty("Sam <sam@home.example>", "", subject, outlook, OWNER).forwarded, subject
    assert not counterparty("Sam <sam@home.example>", "", "Re: Your application", outlook, OWNER).forwarded


def test_friends_and_newsletters_name_no_employer():
    friend = party("Alex Kim <alex.kim@home.example>", "dinner?", "are you free on saturday?")
    news = party("Career Compass <issue@careercompass.example>", "The rejection letter",
                 "Unfortunately, we have decided to move forward with other candidates.")
    r = CompanyResolver([friend, news], OWNER)
    assert r.company(friend) == "" and r.company(news) == ""
    assert r.resolve([friend], [False], [False]) == [""]


def test_owner_is_the_most_addressed_recipient():
    assert owner_addresses(["a@x"], ["Sam <sam@home.example>", "sam@home.example", "b@y"]) == OWNER
    assert owner_addresses([], []) == frozenset()
    # mail Gmail labels Sent is the owner's, whichever address it went out from
    assert owner_addresses([], ["sam@home.example"] * 2, ["Sam Ortiz <sam@studio.example>"]) == {
        "sam@home.example", "sam@studio.example"}


def test_roles_come_from_the_subject_first():
    assert extract_role("Application Received: Credit Risk Analyst (Req #1)", "") == "Credit Risk Analyst"
    assert extract_role("Interview invitation: Data Analyst", "") == "Data Analyst"
    assert extract_role("Hello", "nothing to see here") == ""


_text = st.text(max_size=300)


@settings(max_examples=60, deadline=None)
@given(sender=_text, to=_text, subject=_text, body=_text)
def test_company_extraction_never_raises(sender, to, subject, body):
    p = counterparty(sender, to, subject, body, OWNER)
    r = CompanyResolver([p], OWNER)
    company = r.company(p)
    assert isinstance(company, str)
    assert r.resolve([p], [False], [False]) == [""]  # not job mail: never a company
    assert isinstance(extract_role(subject, body, company), str)


@settings(max_examples=60, deadline=None)
@given(subject=st.from_regex(r"[a-z0-9 ,.!?']{0,80}", fullmatch=True),
       body=st.from_regex(r"[a-z0-9 ,.!?'\n]{0,300}", fullmatch=True))
def test_no_sender_and_no_name_in_the_text_means_no_company(subject, body):
    p = counterparty("", "", subject, body, OWNER)
    assert CompanyResolver([p], OWNER).company(p) == ""


@pytest.mark.parametrize("subject, text, kw, event", [
    ("Application received", "We have received your application. If you are shortlisted we will "
     "invite you to an interview.", {}, "ack"),
    ("Interview", "We'd like to invite you to an interview on Monday.", {}, "interview"),
    ("Your online assessment", "Please complete the test.", {}, "assessment"),
    ("Offer", "I'm pleased to offer you the role.", {}, "offer"),
    ("Update", "We are still reviewing applications.", {}, "update"),
    ("Re: offer", "Thank you, but I have decided to decline the offer.", {"owner_sent": True}, "withdrawal"),
    ("Re: interview", "Any news on next steps?", {"owner_sent": True}, "chase"),
    ("5 new jobs for you", "Data Analyst - Acme - Leeds", {}, "alert"),
    ("Quick question", "I came across your profile and thought of you.", {}, "outreach"),
    ("Your application", "We will not be moving forward.", {"is_rejection": True}, "rejection"),
    # shapes that used to fall through to "other"
    ("Your application was viewed by Pellham Tiles", "The hiring team viewed your application.", {}, "ack"),
    ("Reference check", "We will now contact your references; expect a call from us this week.", {},
     "update"),
    ("Change of plans: interview with Ola moved to Monday", "Sorry for the short notice.", {}, "interview"),
    ("Tuesday", "Here's the confirmation for your interview with our design lead.", {}, "interview"),
    ("Next step", "We'd like you to try a short design challenge; the brief is below.", {}, "assessment"),
    ("Application withdrawn", "Your application has been withdrawn at your request.", {}, "withdrawal"),
])
def test_events(subject, text, kw, event):
    kw = {"is_rejection": False, "owner_sent": False, **kw}
    assert classify_event(subject, text, **kw) == event


@pytest.mark.parametrize("subject, text, event", [
    # a job board's tip names no interview of the owner's
    ("Your application was sent to Pellham Tiles", "Prepare for your interview with our AI tools.", "ack"),
    # a conditional sentence invites nobody, whatever the wording
    ("Application received", "We have received your application. If shortlisted, we will confirm your "
     "interview by email.", "ack"),
    # "interviews with other candidates" is no interview of the owner's
    ("Quick note", "We are wrapping up interviews with other candidates.", "other"),
    # an article's subject, and advice, are no meeting
    ("How to ace your video interview", "Five things recruiters notice first.", "other"),
    ("Inside Quillfern: an interview with our design lead", "Our newsletter.", "other"),
    ("Video interview with Acme: questions to prepare", "See you then.", "interview"),
    ("Tamsin Bakery - Baker interview with Ola", "See you then.", "interview"),
    # the owner asked to be a referee is no step; the owner's referees asked for are
    ("Harbourline", "Alex Kim has given us your name as a reference. Could we call?", "other"),
    ("Reference request", "Please send us the details of two referees.", "update"),
    ("Application received", "Please keep this email as a reference.", "ack"),
    ("Application received", "We will let you know once we have reviewed your application.", "ack"),
    # a conditional offer or invitation is still one
    ("Offer", "We are delighted to offer you the role, subject to references.", "offer"),
    ("Next steps", "We would like to invite you to an interview on Monday, subject to your availability.",
     "interview"),
    # a withdrawal confirmed names the interview it cancels; an offer stays an offer
    ("Interview cancelled", "As you have withdrawn your application, your interview on Tuesday is cancelled.",
     "withdrawal"),
    ("Offer", "As you withdrew your application for the Junior role, we are pleased to offer you the "
     "Senior role.", "offer"),
    ("Application withdrawn", "You\u2019ve withdrawn your application.", "withdrawal"),
])
def test_new_event_rules_stay_narrow(subject, text, event):
    assert classify_event(subject, text, is_rejection=False, owner_sent=False) == event


def test_other_mail_is_named_only_by_a_sender_that_wrote_about_that_employer():
    ack = party("Noor Adeyemi <noor@quillfern.example>", "Thanks for applying to Quillfern Labs",
                "We received your application for the Product Designer role.\n\nNoor Adeyemi\nQuillfern Labs")
    note = party("Noor Adeyemi <noor@quillfern.example>", "Quick note",
                 "The team meets on Tuesday; I'll write again by Friday.\n\nNoor")
    community = party("Quillfern Labs Careers <careers@quillfern.example>", "New at Quillfern: 3 open roles",
                      "Here is what's new on our job board.\n\nUnsubscribe from these emails")
    stranger = party("Ivo Brandt <ivo@marrowgate.example>", "Hello", "Quillfern Labs is hiring, I hear.")
    board = [party("Quillfern Labs <no-reply@hirepost.example>", "Application received",
                   "Thank you for applying to Quillfern Labs."),
             party("Tamsin Bakery <no-reply@hirepost.example>", "Application received",
                   "Thank you for applying to Tamsin Bakery."),
             party("HirePost <no-reply@hirepost.example>", "Good news",
                   "Your profile was seen by Quillfern Labs."),
             party("HirePost <no-reply@hirepost.example>", "Good news",
                   "Your profile was seen by Orrin Mills.")]
    ps = [ack, note, community, stranger, *board]
    r = CompanyResolver(ps, OWNER)
    names = r.resolve(ps, [True, False, False, False, True, True, False, False], [False] * 8)
    steps = [True, False, False, False, True, True, False, False]
    got = r.known_sender(ps, names, [not s for s in steps], steps)
    # the recruiter who acknowledged the application writes again: her employer's
    assert got[1] == names[0] == "Quillfern Labs"
    # a stranger naming the employer: no company
    assert got[3] == ""
    # the report does not ask for bulk mail (an employer's talent-community letter)
    assert bulk_mail(community.text) and not bulk_mail(note.text)
    assert bulk_mail("New roles this month.\n\nTo stop receiving these emails, update your email preferences.")
    # a board that sent the employer's acknowledgement names it; one it never sent for stays unnamed
    assert got[6] == "Quillfern Labs" and got[7] == ""
    # only mail that asks is touched
    assert r.known_sender(ps, names, [False] * 8, steps) == names


def test_a_sender_names_other_mail_only_after_its_step_and_for_one_employer():
    from datetime import datetime as d

    agency = "Mara Lind <mara@lindtalent.example>"
    ps = [party(agency, "Interview invitation - Acme Robotics", "We invite you to an interview at Acme Robotics."),
          party(agency, "Interview invitation - Beta Foods", "We invite you to an interview at Beta Foods."),
          party(agency, "Catching up", "No news from the team at Beta Foods yet; the role at Acme Robotics is "
                                      "paused.\n\nMara"),
          party(agency, "A word from Beta Foods", "The team at Beta Foods sends its thanks.\n\nMara")]
    r = CompanyResolver(ps, OWNER)
    steps = [True, True, False, False]
    names = ["Acme Robotics", "Beta Foods", "", ""]  # what the steps were named
    dates = [d(2026, 3, 2), d(2026, 3, 3), d(2026, 3, 9), d(2026, 3, 1)]
    got = r.known_sender(ps, names, [not s for s in steps], steps, dates)
    assert got[2] == ""  # names both of the agency's clients: neither is sure
    assert got[3] == ""  # written before the agency sent any step for Beta Foods
    assert r.known_sender(ps, names, [not s for s in steps], steps, [*dates[:3], d(2026, 3, 4)])[3] == "Beta Foods"


def test_a_note_that_only_joins_is_no_answer():
    from datetime import datetime as d

    from rejectlens.mailbox.applications import MessageFacts, build_applications

    msgs = [MessageFacts(d(2026, 3, 1), "Quillfern", "Product Designer", "t1", "ack"),
            MessageFacts(d(2026, 3, 3), "Quillfern", "", "t2", "other", joins=True)]
    apps, _ = build_applications(msgs, as_of=d(2026, 3, 6))
    assert apps[0].days_to_answer is None and apps[0].n_messages == 2


def test_a_persons_signature_title_is_not_the_role():
    text = "Hi Sam,\n\nYour call with our lead is on Friday.\n\nNoor Adeyemi\nRecruiting Coordinator, Quillfern"
    assert extract_role("Confirmed: call on Friday", text) == "Recruiting Coordinator"
    assert extract_role("Confirmed: call on Friday", text, "Quillfern", "Noor Adeyemi") == ""
    signed = "Hi Sam,\n\nAbout the Data Analyst role: see you Friday.\n\nNoor\nTalent Lead"
    assert extract_role("Friday", signed, "", "Noor Adeyemi") == "Data Analyst"
    # a greeting to an owner who shares the sender's first name, or an opening line, is no signature
    # a signature right under a one-line letter
    assert extract_role("Thanks", "Thanks for applying.\nNoor Haddad\nSenior Recruiting Coordinator, Acme", "",
                        "Noor Haddad") == ""
    greeted = "Quillfern Labs\nSam,\nThanks for your interest in the Product Designer role.\nThe Quillfern team"
    assert extract_role("Thanks", greeted, "Quillfern Labs", "Sam Patel") == "Product Designer"
    opening = "Hi Sam,\nNoor Adeyemi here, I hire for the Data Analyst role.\nSpeak soon!\n-- N."
    assert extract_role("Hello", opening, "", "Noor Adeyemi") == "Data Analyst"
    # a postscript after the signature is the letter's
    ps = "Hi Sam,\nSee you Friday.\n\nNoor\nTalent Lead\n\nP.S. The Senior Data Analyst role closes soon."
    assert extract_role("Friday", ps, "", "Noor Adeyemi") == "Senior Data Analyst"


def test_mail_that_only_joins_starts_no_role_of_its_own():
    from datetime import datetime as d

    from rejectlens.mailbox.applications import MessageFacts, build_applications

    msgs = [MessageFacts(d(2026, 3, 1), "Quillfern", "Product Designer", "t1", "ack"),
            MessageFacts(d(2026, 3, 5), "Quillfern", "Recruiting Coordinator", "t2", "other", joins=True)]
    apps, app_of = build_applications(msgs, as_of=d(2026, 3, 6))
    assert [a.application_id for a in apps] == ["quillfern/product-designer"]
    assert app_of == ["quillfern/product-designer"] * 2
    # without the flag, a second role is a second application
    apps, _ = build_applications([msgs[0], MessageFacts(d(2026, 3, 5), "Quillfern", "Recruiting Coordinator",
                                                        "t2", "other")], as_of=d(2026, 3, 6))
    assert len(apps) == 2


LETTER = ("Dear {name}, thank you for your interest in the {role} position at {company}. We have carefully "
          "reviewed your application and decided to pursue other candidates whose qualifications more "
          "closely meet the needs of this position. We wish you every success in your search.")


def test_templates_group_one_letter_across_companies():
    texts = [LETTER.format(name=n, role=r, company=c) for n, r, c in
             [("Sam", "Data Analyst", "Acme"), ("Sam", "BI Developer", "Birchwood Foods"),
              ("Sam", "Risk Analyst", "Cobalt Labs Ltd")]]
    texts.append("Hi Sam, thanks for coming in on Tuesday. We went with someone who has more forecasting "
                 "experience, but your churn model was excellent and we'd love to stay in touch.")
    companies = ["Acme", "Birchwood Foods", "Cobalt Labs Ltd", "Delta"]
    r = fingerprint_templates(texts, companies, [[c] for c in companies])
    assert r.template_id[0] == r.template_id[1] == r.template_id[2] is not None
    assert r.template_id[3] is None
    assert r.companies[r.template_id[0]] == 3
    assert mask("On 3 March Maren applied", ["Maren"])[:2] == ["on", "DATE"]


@pytest.mark.parametrize("shown, expected", [
    ("Acme Robotics Careers", "Acme Robotics"), ("Talent at Arcwise", "Arcwise"), ("Careers", ""),
    ("People Team", ""), ("Priti via ProLink", "Priti"), ("Hollin Building Society Talent Acquisition",
                                                          "Hollin Building Society"),
])
def test_display_names_lose_department_words(shown, expected):
    from rejectlens.mailbox.names import clean_display

    assert clean_display(shown) == expected


def test_statuses_and_unknown_employers():
    from datetime import datetime

    from rejectlens.mailbox.applications import MessageFacts, build_applications

    d = datetime
    msgs = [
        MessageFacts(d(2026, 1, 1), "Acme", "Data Analyst", "t1", "ack"),
        MessageFacts(d(2026, 1, 9), "Acme", "", "t2", "interview"),
        MessageFacts(d(2026, 1, 10), "Acme", "", "t2", "chase", owner_sent=True),
        MessageFacts(d(2026, 1, 5), "Birch", "BI Developer", "t3", "rejection", stage="screening"),
        MessageFacts(d(2026, 1, 6), "", "", "t4", "rejection"),  # an agency's "the client has decided"
        MessageFacts(d(2026, 1, 7), "", "", "t5", "rejection", from_employer=False),  # a newsletter
        MessageFacts(d(2026, 1, 8), "Cobalt", "", "t6", "offer"),
        MessageFacts(d(2026, 1, 12), "Cobalt", "", "t6", "withdrawal", owner_sent=True),
    ]
    apps, app_of = build_applications(msgs, as_of=d(2026, 3, 1), ghosted_after=30)
    status = {a.application_id: a.status for a in apps}
    assert status == {"acme/data-analyst": "ghosted", "birch/bi-developer": "rejected",
                      "unknown-employer": "rejected", "cobalt": "withdrawn"}
    assert app_of[5] is None and app_of[1] == app_of[0] == "acme/data-analyst"
    apps, _ = build_applications(msgs, as_of=d(2026, 1, 20), ghosted_after=30)
    assert {a.application_id: a.status for a in apps}["acme/data-analyst"] == "in_process"


def test_companies_named_in_other_scripts_stay_apart_and_waits_never_go_negative():
    from datetime import datetime as d

    from rejectlens.mailbox.applications import MessageFacts, SheetRow, build_applications

    msgs = [MessageFacts(d(2026, 3, 2), "株式会社メルカリ", "Data Analyst", "t1", "rejection"),
            MessageFacts(d(2026, 3, 3), "Яндекс", "Data Analyst", "t2", "rejection"),
            MessageFacts(d(2026, 3, 10), "Acme", "Data Analyst", "t3", "interview")]
    # a sheet date after the first mail of the process (a wrong date) starts no negative wait
    apps, _ = build_applications(msgs, as_of=d(2026, 4, 1), sheet=[SheetRow("Acme", "Data Analyst", d(2026, 4, 1))])
    ids = {a.application_id for a in apps}
    assert {"株式会社メルカリ/data-analyst", "яндекс/data-analyst"} <= ids
    assert all(a.days_to_answer is None or a.days_to_answer >= 0 for a in apps)
    # the only mail is the answer and the sheet's date comes after it: the wait is unknown, not 0
    only, _ = build_applications(msgs[2:], as_of=d(2026, 4, 1), sheet=[SheetRow("Acme", "Data Analyst",
                                                                                 d(2026, 4, 1))])
    assert only[0].days_to_answer is None
    # marks are part of the letter outside Latin: two names that differ by one stay two
    two, _ = build_applications([MessageFacts(d(2026, 3, 2), "ソニー", "", "t1", "rejection"),
                                 MessageFacts(d(2026, 3, 3), "ゾニー", "", "t2", "rejection")], as_of=None)
    assert len(two) == 2


def test_an_excel_sheet_in_windows_1252_with_semicolons_is_read(tmp_path):
    from rejectlens.mailbox.applications import read_applications_csv

    sheet = tmp_path / "mine.csv"
    sheet.write_bytes("Employer;Position;Applied\nSoci\u00e9t\u00e9 G\u00e9n\u00e9rale;Analyst;01/03/2026\n"
                      .encode("cp1252"))
    (row,) = read_applications_csv(sheet)
    assert row.company == "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale" and row.role == "Analyst"
    assert row.applied.month == 3


_header = st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["<a@x>", "<b@x>", "<a@x> <b@x>"]))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_header, _header, _header, st.one_of(st.none(), st.sampled_from(["1", "2"]))),
                     max_size=8))
def test_threads_never_raise_and_gmail_ids_hold_together(rows):
    ids, reply, refs, gmail = (list(c) for c in zip(*rows)) if rows else ([], [], [], [])
    t = thread_ids(ids, reply, refs, gmail)
    assert len(t) == len(rows)
    for i in range(len(rows)):
        for j in range(len(rows)):
            if gmail[i] and gmail[i] == gmail[j]:
                assert t[i] == t[j]


# --- reading employer names: general causes of wrong companies ---------------------------------

def test_name_stops_at_file_names_possessives_contractions_and_a_legal_dot():
    from rejectlens.mailbox.names import name_at

    assert name_at("Attached: Brackenfield_Offer_Letter_Sam.pdf", 10) == ""
    assert name_at("Founding engineer at Orrin Vale's studio", 21) == "Orrin Vale"
    assert name_at("Founding engineer at Orrin Vale’s studio", 21) == "Orrin Vale"
    assert name_at("We've reviewed your application", 0) == ""
    assert name_at("sent to Pell & Rook Co. Best of luck!", 8) == "Pell & Rook Co"


def test_department_words_people_ops_and_talent_community_are_stripped():
    from rejectlens.mailbox.names import clean_display

    assert clean_display("Quillby People Ops") == "Quillby"
    assert clean_display("Quillby Talent Community") == "Quillby"


def test_domain_spelled_name_keeps_ampersand_and_drops_what_follows_the_name():
    from rejectlens.mailbox.parties import _stem_phrase

    assert _stem_phrase("fernandfinch", "Fern & Finch - take-home", "") == "Fern & Finch"
    assert _stem_phrase("dovetail", "Dovetail Application: Analyst", "") == "Dovetail"
    assert _stem_phrase("marlowbank", "", "Analyst | Marlow Bank Santa Cruz de Tenerife") == "Marlow Bank"
    assert _stem_phrase("lantern", "", "Best,\nJo\nLantern Robotics") == "Lantern Robotics"


def test_ats_layout_lines_and_labels_name_the_employer_but_footer_links_do_not():
    from rejectlens.mailbox.parties import phrase_company

    assert phrase_company("Application received", "Post: Analyst\nOrganisation: Tamsworth Water\n") == \
        "Tamsworth Water"
    assert phrase_company("Your application", "Analyst\nBirchley Tools · Leeds, West Yorkshire (Hybrid)\n") \
        == "Birchley Tools"
    assert phrase_company("Applied", "The following items were sent to Corvane Labs. Good luck!") == "Corvane Labs"
    assert phrase_company("Your application was viewed by Hollin Group", "") == "Hollin Group"
    assert phrase_company("An update", "We read it.\n\nPrivacy · Unsubscribe") == ""
    # a subject's "Role - Company" is not an "Employer · Place" line
    assert phrase_company("Reference request - Tallis", "Hi Sam") == ""


def test_display_name_and_text_agreeing_beat_a_platform_domain_seen_once():
    p = party("Wrenfield Homes <noreply@candidates.zentrio.example>", "Wrenfield Homes - Analyst",
              "Thanks for applying to Wrenfield Homes.\n\nPowered by Zentrio · Privacy")
    assert CompanyResolver([p], OWNER).company(p) == "Wrenfield Homes"


def test_one_employers_display_names_do_not_make_its_domain_a_platform():
    a = party("Pollen People Team <careers@pollenskin.example>", "We got your application", "Thanks!")
    b = party("Pollen Skin Talent Team <careers@pollenskin.example>", "Your interview", "Sorry.")
    r = CompanyResolver([a, b], OWNER)
    assert "pollenskin" not in r.platforms
    assert all(r.company(p) for p in (a, b))


def test_a_short_name_takes_the_one_fuller_name_of_the_mailbox():
    from rejectlens.mailbox.parties import _fullest_names

    assert _fullest_names(["Tolland", "Tolland Dynamics", ""]) == ["Tolland Dynamics"] * 2 + [""]
    # two fuller names: which one is meant is unknown
    assert _fullest_names(["Tolland", "Tolland Dynamics", "Tolland Bank"])[0] == "Tolland"


def test_a_feedback_draft_keeps_the_address_and_shows_names_as_text():
    from rejectlens.mailbox.feedback import draft, render_drafts

    d = draft("zeta/data-analyst", "Zeta <img src=x onerror=alert(1)> Labs", "Data Analyst", "interview",
              ("Doe, Jane", "jane.doe@zeta.example"), "Sam Lee", "rejected after the interview")
    assert d.body.startswith("Dear Jane,") and d.to_address == "jane.doe@zeta.example"
    titled = draft("a", "Zeta", "Analyst", "interview", ("Jane Doe, PhD", "jane.doe@zeta.example"), "", "why")
    assert titled.body.startswith("Dear Jane,")
    md = render_drafts([d])
    assert "- **To:** Doe, Jane `jane.doe@zeta.example`" in md
    # outside the code block, a tag from a stranger's mail is text, not HTML
    head = md.split("```")[0]
    assert "Zeta \\<img src=x onerror=alert(1)\\> Labs" in head and " <img" not in head
    fenced = render_drafts([draft("a", "A``` B", "Analyst", "interview", ("", ""), "", "why")])
    assert "````text" in fenced and fenced.rstrip().endswith("````")


def test_company_keys_join_spellings_that_fold_or_transliterate_alike():
    from rejectlens.mailbox.names import company_keys

    names = ["Müller Digital", "Mueller Digital", "Muller Digital", "Café Noir", "Cafe Noir", "Acme"]
    keys = company_keys(names)
    assert len({keys[n] for n in names[:3]}) == 1 and keys["Café Noir"] == keys["Cafe Noir"]
    assert len(set(keys.values())) == 3
    assert company_keys(reversed(names)) == keys  # not the order they were met in
