"""rejectlens.report and `rejectlens report` on the fixture mailbox (tests/data/job_search.mbox)."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rejectlens
from rejectlens.cli import main
from rejectlens.errors import InputError
from tests.conftest import ROOT

MBOX = ROOT / "tests" / "data" / "job_search.mbox"
EXPECTED = {
    "acme-robotics/data-analyst": ("rejected", "interview", 4),
    "elmstead-health/business-analyst": ("ghosted", "interview", 3),
    "birchwood-foods/supply-analyst": ("rejected", "applied", 1),
    "cobalt-labs/data-engineer": ("rejected", "applied", 1),
    "dunmore-bank/risk-analyst": ("rejected", "applied", 2),
    "fernhill-games/game-analyst": ("offer", "offer", 2),
}


@pytest.fixture(scope="module")
def result(default_model):
    return rejectlens.report(MBOX, model=default_model)


def test_applications_and_statuses(result):
    apps = result.applications.set_index("application_id")
    assert set(apps.index) == set(EXPECTED)
    for app, (status, stage, n) in EXPECTED.items():
        assert (apps.loc[app, "status"], apps.loc[app, "furthest_stage"], apps.loc[app, "n_messages"]) == \
            (status, stage, n), app


def test_messages_are_deduplicated_and_counted(result):
    assert result.summary["messages_read"] == 19
    assert result.summary["duplicates_removed"] == 1
    assert len(result.messages) == 18 and result.messages["id"].is_unique


def test_threads_join_replies(result):
    m = result.messages.set_index("id")
    acme = ["<acme-invite@fixture.example>", "<acme-reply@fixture.example>", "<acme-reject@fixture.example>"]
    assert m.loc[acme, "thread_id"].nunique() == 1
    assert m.loc["<acme-ack@fixture.example>", "thread_id"] != m.loc[acme[0], "thread_id"]


def test_one_template_sent_by_three_companies(result):
    shared = result.templates[result.templates["shared"]]
    assert len(shared) == 1
    row = shared.iloc[0]
    assert row["companies"] == 3
    assert row["company_names"] == ["Birchwood Foods", "Cobalt Labs", "Dunmore Bank"]
    apps = result.applications.set_index("application_id")
    for app in ("birchwood-foods/supply-analyst", "cobalt-labs/data-engineer", "dunmore-bank/risk-analyst"):
        assert apps.loc[app, "shared_template"] and apps.loc[app, "template_id"] == row["template_id"]
    assert not apps.loc["acme-robotics/data-analyst", "shared_template"]


def test_forwarded_rejection_joins_its_application(result):
    m = result.messages.set_index("id")
    fwd = m.loc["<dunmore-fwd@fixture.example>"]
    assert fwd["application_id"] == "dunmore-bank/risk-analyst" and fwd["company"] == "Dunmore Bank"


def test_non_job_mail_gets_no_company(result):
    m = result.messages
    other = m[m["job_related"] == False]  # noqa: E712
    assert len(other) >= 4
    assert other["company"].isna().all() and other["application_id"].isna().all()


def test_feedback_drafts_for_generic_rejections(result):
    md = result.feedback_requests
    for app in ("birchwood-foods/supply-analyst", "cobalt-labs/data-engineer", "dunmore-bank/risk-analyst"):
        assert f"## {app}" in md
    assert "Dear Birchwood" not in md and "Hello," in md and "Sam Rivera" in md
    assert "## fernhill-games" not in md


def test_ghosting_follows_as_of_and_ghosted_after(default_model):
    early = rejectlens.report(MBOX, model=default_model, as_of="2026-02-10")
    apps = early.applications.set_index("application_id")
    assert apps.loc["elmstead-health/business-analyst", "status"] == "in_process"
    lenient = rejectlens.report(MBOX, model=default_model, ghosted_after=90)
    assert "ghosted" not in set(lenient.applications["status"])
    with pytest.raises(InputError, match="ghosted_after"):
        rejectlens.report(MBOX, model=default_model, ghosted_after=0)
    with pytest.raises(InputError, match="expected a date"):
        rejectlens.report(MBOX, model=default_model, as_of="last tuesday")


def test_spreadsheet_rows_merge_by_fuzzy_company(default_model, tmp_path):
    sheet = tmp_path / "mine.csv"
    sheet.write_text("Company,Role,Date applied\nACME Robotics Ltd,Data Analyst,2026-01-02\n"
                     "Gullwing Media,Content Analyst,2026-03-01\n")
    r = rejectlens.report(MBOX, model=default_model, applications=sheet)
    apps = r.applications.set_index("application_id")
    assert apps.loc["acme-robotics/data-analyst", "source"] == "mail+sheet"
    assert apps.loc["acme-robotics/data-analyst", "applied_on"] == pd.Timestamp("2026-01-02")
    assert apps.loc["gullwing-media/content-analyst", "status"] == "applied"
    assert apps.loc["gullwing-media/content-analyst", "source"] == "sheet"
    from rejectlens.mailbox.applications import read_applications_csv

    said = tmp_path / "said.csv"  # Excel's "sep=;" line, as European Excel saves a sheet
    said.write_text("sep=;\nCompany;Role\nGullwing Media;Content Analyst\n")
    assert [(x.company, x.role) for x in read_applications_csv(said)] == [("Gullwing Media", "Content Analyst")]
    bad = tmp_path / "bad.csv"
    bad.write_text("employer_name,when\nAcme,2026-01-01\n")
    with pytest.raises(InputError, match=r"expected a column named company.*found employer_name, when"):
        rejectlens.report(MBOX, model=default_model, applications=bad)


def test_one_unreadable_message_does_not_stop_the_report(default_model, tmp_path):
    box = tmp_path / "box.mbox"
    box.write_bytes(MBOX.read_bytes() + b"From x@y Thu Jan  1 00:00:00 2026\nContent-Type: image/png\n\n\x89PNG\n")
    r = rejectlens.report(box, model=default_model)
    assert r.summary["errors"] == 1 and len(r.applications) == len(EXPECTED)


def test_emails_with_lone_surrogates_make_a_report(default_model, tmp_path):
    from rejectlens import Email

    bad = "Acme\ud800 Robotics"  # what json.loads gives for a lone escape
    emails = [Email(subject=f"Your application to {bad}", sender=f"{bad} Careers <careers@acme.example>",
                    body=f"Dear Sam,\n\nThank you for your interest in the Data Analyst role at {bad}. "
                         "Unfortunately, we have decided to move forward with other candidates.\n",
                    id="<a2@x>", date="Mon, 19 Jan 2026 09:00:00 +0000"),
              Email(body=["not text"], id="<a3@x>")]
    r = rejectlens.report(emails, out=tmp_path / "out", model=default_model)
    assert r.summary["errors"] == 1 and list(r.applications["company"]) == ["Acme\ufffd Robotics"]
    assert "\ufffd" in (tmp_path / "out" / "applications.csv").read_text(encoding="utf-8")


def test_what_the_owner_wrote_is_never_a_rejection(default_model):
    from rejectlens import Email

    me, alias = "Sam Ortiz <sam@home.example>", "Sam Ortiz <sam@studio.example>"
    hr = "Orchid Lane Careers <careers@orchidlane.example>"
    mail = [
        Email(sender=hr, to=me, subject="Your application to Orchid Lane", id="<1@x>",
              date="Mon, 05 Jan 2026 09:00:00 +0000",
              body="Dear Sam, thank you for applying for the Marketing Analyst role at Orchid Lane. We have "
                   "received your application and will review it."),
        Email(sender=hr, to=me, subject="Interview invitation", id="<2@x>",
              date="Mon, 12 Jan 2026 09:00:00 +0000",
              body="Dear Sam, we would like to invite you to an interview for the Marketing Analyst role."),
        # the owner's own mail, from the usual address and from a second one Gmail labels Sent
        Email(sender=me, to=hr, subject="Feedback request", id="<3@x>", date="Mon, 26 Jan 2026 09:00:00 +0000",
              body="Hi, thank you for letting me know that you decided not to move forward with my "
                   "application. Unfortunately I was not selected, so could you share any feedback?\n\nSam"),
        Email(sender=alias, to=hr, subject="Feedback request", id="<4@x>", labels=("Sent",),
              date="Tue, 27 Jan 2026 09:00:00 +0000",
              body="Hi, I was sorry to hear you decided not to move forward with my application and chose "
                   "another candidate. Could you share any feedback?\n\nSam"),
    ]
    r = rejectlens.report(mail, model=default_model)
    mine = r.messages[r.messages["id"].isin(["<3@x>", "<4@x>"])]
    assert not mine["is_rejection"].any() and set(mine["event"]) == {"chase"}
    assert r.summary["rejections"] == 0 and "No rejection needs a feedback request" in r.feedback_requests


def test_cli_writes_every_output(tmp_path, capsys):
    from rejectlens.mailbox.render import CHARTS, OUTPUTS

    out = tmp_path / "report"
    assert main(["report", str(MBOX), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "applications: 6" in err and "1 duplicates removed" in err
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "applications.csv", "summary.json", "feedback_requests.md", "funnel.png",
            "outcomes_by_month.png", "rejection_reasons.png", "generic_vs_personalized.png",
            "time_to_answer.png"} <= names
    assert names & {"messages.parquet", "messages.csv"}
    assert not [n for n in names if n.endswith(".tmp")]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["applications"] == 6 and summary["status"]["ghosted"] == 1
    apps = pd.read_csv(out / "applications.csv")
    assert set(apps["application_id"]) == set(EXPECTED)
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "http://" not in html and "https://" not in html
    assert (out / "funnel.png").read_bytes()[:4] == b"\x89PNG"
    # a second run refuses the non-empty folder, unless --force
    assert main(["report", str(MBOX), "-o", str(out), "--quiet"]) == 2
    assert "not empty; pass --force" in capsys.readouterr().err
    sheet = tmp_path / "mine.csv"
    sheet.write_text("company,role,date applied\nGullwing Media,Content Analyst,2026-01-03\n")
    assert main(["report", str(MBOX), "-o", str(out), "--quiet", "--force", "--applications", str(sheet),
                 "--as-of", "2026-02-10", "--ghosted-after", "20"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["applications"] == 7 and summary["as_of"].startswith("2026-02-10")
    assert summary["ghosted_after_days"] == 20 and summary["status"].get("ghosted", 0) == 0
    # the user's own sheet kept in the report folder is never replaced, even with --force
    own = out / "applications.csv"
    own.write_text(sheet.read_text())
    assert main(["report", str(MBOX), "-o", str(out), "--quiet", "--force", "--applications", str(own)]) == 2
    assert "expected a path apart from the inputs" in capsys.readouterr().err
    assert own.read_text() == sheet.read_text()
    assert set(names) - {"messages.csv", "messages.parquet"} <= set(OUTPUTS + CHARTS)


def test_messages_as_csv_without_pyarrow(result, tmp_path, monkeypatch):
    import sys

    from rejectlens.mailbox.render import write_outputs

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    write_outputs(result, tmp_path)
    monkeypatch.undo()  # pandas reads CSV through pyarrow when it is installed
    msgs = pd.read_csv(tmp_path / "messages.csv")
    assert len(msgs) == 18 and not (tmp_path / "messages.parquet").exists()


@pytest.mark.parametrize("args, message", [
    (["report", "missing.mbox", "-o", "x"], "mailbox missing.mbox does not exist"),
    (["report", str(ROOT / "data" / "examples" / "inbox.csv"), "-o", "x"], "expected a mailbox"),
    (["report", str(MBOX), "-o", "x", "--ghosted-after", "0"], "--ghosted-after must be a positive"),
    (["report", str(MBOX), "-o", "x", "--as-of", "soon"], "--as-of: expected a date"),
])
def test_cli_bad_input_names_expected_and_found(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_failed_report_leaves_no_empty_folder(default_model, tmp_path, capsys):
    from rejectlens import Email

    out = tmp_path / "new" / "report"
    with pytest.raises(InputError, match="no messages found"):
        rejectlens.report([], model=default_model, out=out)
    assert not (tmp_path / "new").exists()
    assert main(["report", str(MBOX), "-o", str(out), "--model", str(tmp_path / "no-model")]) != 0
    assert not (tmp_path / "new").exists()
    # a folder that cannot be made fails before the mailbox is read
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="is a file; expected a folder"):
        rejectlens.report([Email(body="hello")], model=default_model, out=tmp_path / "afile" / "r")
    r = rejectlens.report([Email(body="hello", subject="hi")], model=default_model, out=out)
    assert len(r.messages) == 1 and (out / "report.html").exists()


_LETTER = ("Dear Sam,\n\nThank you for your interest in the {role} position at {company}. We have carefully "
           "reviewed your application and, after consideration, we have decided to pursue other candidates "
           "whose qualifications more closely meet the needs of this position.\n\nWe encourage you to "
           "apply for future openings that match your skills. We wish you every success in your job "
           "search.\n\nSincerely,\n{company} Talent Acquisition\n")


def test_one_employer_spelt_two_ways_does_not_share_its_letter(default_model):
    from rejectlens import Email

    mail = [Email(sender="Café Noir <jobs@cafenoir.example>", to="sam@home.example", id="<1@x>",
                  subject="Update on your application for Data Analyst", date="2026-01-19T11:00:00+00:00",
                  body=_LETTER.format(role="Data Analyst", company="Café Noir")),
            Email(sender="Cafe Noir <no-reply@greenhouse.io>", to="sam@home.example", id="<2@x>",
                  subject="Update on your application for Data Engineer", date="2026-02-19T11:00:00+00:00",
                  body=_LETTER.format(role="Data Engineer", company="Cafe Noir"))]
    r = rejectlens.report(mail, model=default_model)
    assert r.applications["company"].nunique() == 1  # the applications fold the accent: so do templates
    assert r.templates["companies"].tolist() == [1] and not r.applications["shared_template"].any()


def test_an_outlook_reply_is_read_without_the_mail_it_quotes(default_model):
    from rejectlens import Email

    invite = ("Hi Sam,\n\nWe'd like to invite you to an interview for the Data Analyst role on Thursday at "
              "10:00. If you no longer wish to be considered for the role, just let me know.\n\nJane Doe\n")
    quote = ("\n\n-----Original Message-----\nFrom: Jane Doe <jane.doe@acme.example>\nSent: 12 January 2026\n"
             "To: Sam <sam@home.example>\nSubject: Data Analyst - interview invitation\n\n" + invite)
    mail = [Email(sender="Jane Doe <jane.doe@acme.example>", to="Sam <sam@home.example>", id="<i@x>",
                  subject="Data Analyst - interview invitation", body=invite, date="2026-01-12T14:00:00+00:00"),
            Email(sender="Sam <sam@home.example>", to="jane.doe@acme.example", id="<r@x>", in_reply_to="<i@x>",
                  subject="RE: Data Analyst - interview invitation", labels=("Sent",),
                  body="Hi Jane,\n\nThursday at 10:00 works well for me.\n\nSam" + quote,
                  date="2026-01-12T18:00:00+00:00")]
    r = rejectlens.report(mail, model=default_model)
    # the quoted "if you no longer wish to be considered" is not the owner withdrawing
    assert r.messages.set_index("id").loc["<r@x>", "event"] == "chase"
    assert r.applications["status"].tolist() == ["in_process"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(19)))
def test_the_order_of_the_export_does_not_change_the_report(default_model, order):
    emails = _mailbox_emails()
    assert len(emails) == 19
    base = rejectlens.report(emails, model=default_model, as_of="2026-03-01")
    shuffled = rejectlens.report([emails[i] for i in order], model=default_model, as_of="2026-03-01")
    cols = ["application_id", "company", "role", "status", "furthest_stage", "n_messages", "shared_template"]
    assert (base.applications[cols].sort_values("application_id").reset_index(drop=True)
            .equals(shuffled.applications[cols].sort_values("application_id").reset_index(drop=True)))
    threads = lambda r: dict(zip(r.messages["id"], r.messages["thread_id"]))  # noqa: E731
    assert threads(base) == threads(shuffled)
    assert base.summary["top_reasons"] == shuffled.summary["top_reasons"]


@functools.cache  # read once: hypothesis calls the test many times
def _mailbox_emails() -> tuple:
    return tuple(rejectlens.read_messages(MBOX))


def test_mail_not_in_english_is_named_and_counted(default_model, capsys):
    from rejectlens import Email
    from rejectlens.cli.render import report_summary

    mail = [Email(sender="Talent <rh@exemple.example>", to="sam@home.example", id="<f@x>",
                  subject="Votre candidature", date="2026-03-04T09:00:00+00:00",
                  body="Bonjour, nous vous remercions pour votre candidature. Malheureusement, nous avons "
                       "retenu un autre profil."),
            Email(sender="Acme Jobs <jobs@acme.example>", to="sam@home.example", id="<e@x>",
                  subject="Your application", date="2026-03-05T09:00:00+00:00",
                  body="Thank you for applying to Acme. Unfortunately we have decided to move forward "
                       "with other candidates.")]
    r = rejectlens.report(mail, model=default_model)
    assert r.messages.set_index("id")["language"].to_dict() == {"<f@x>": "fr", "<e@x>": "en"}
    assert r.summary["not_english"] == 1
    assert "messages not in English: 1 (their labels are unreliable" in report_summary(r.summary, "out")


def test_a_zero_date_from_an_export_is_a_date_like_any(default_model):
    from rejectlens import Email

    # Go's zero time, common in exports: a thread is named without converting it to local time
    mail = [Email(body="Thank you for applying to Acme. We will review your application.", id="<a@x>",
                  sender="jobs@acme.example", subject="Application received", date="0001-01-01T00:00:00Z"),
            Email(body="Unfortunately we will not move forward.", id="<b@x>", in_reply_to="<a@x>",
                  sender="jobs@acme.example", subject="Re: Application received", date="2026-03-01T00:00:00Z")]
    r = rejectlens.report(mail, model=default_model)
    assert set(r.messages["thread_id"]) == {"a@x"}


def test_without_datasketch_the_error_names_the_extra(default_model, monkeypatch):
    import sys

    from rejectlens.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "datasketch", None)
    with pytest.raises(MissingDependencyError, match=r"rejectlens\[report\]"):
        rejectlens.report(MBOX, model=default_model)


def test_emails_without_dates_ids_or_senders(default_model):
    from rejectlens import Email

    emails = [Email(body="Unfortunately we will not be moving forward with your application for the "
                    "Data Analyst role at Acme Robotics.", subject="Your application"),
              Email(body="hello", subject=""), Email(body="", subject="empty")]
    r = rejectlens.report(emails, model=default_model)
    assert len(r.messages) == 3 and r.summary["as_of"] is None
    assert set(r.applications["status"]) <= {"rejected"}


def test_without_matplotlib_writing_fails_before_reading(default_model, monkeypatch, tmp_path):
    import sys

    from rejectlens.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"rejectlens\[report\]"):
        rejectlens.report(tmp_path / "not-read.mbox", model=default_model, out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def _interview_thread(date_header: str) -> list:
    from rejectlens import Email

    invite = ("Hi Sam,\n\nWe'd love to invite you to an interview for the Product Designer role at "
              "Cobalt Labs. Are you free Tuesday at 3pm?\n\nJane\n")
    return [Email(body=invite, subject="Interview", sender="Jane <jane@cobaltlabs.example>",
                  to="sam@gmail.example", id="<c1@cobalt>", date=date_header),
            Email(body="Hi Jane, Tuesday works. Thanks, Sam", subject="Re: Interview",
                  sender="Sam <sam@gmail.example>", to="jane@cobaltlabs.example", id="<s1@gmail>",
                  in_reply_to="<c1@cobalt>", date="2026-03-02T09:00:00+00:00")]


def test_a_future_dated_newsletter_does_not_age_the_applications(default_model):
    from rejectlens import Email

    thread = _interview_thread("Sun, 01 Mar 2026 09:00:00 +0000")
    sale = Email(body="Huge weekend sale! Half price on all shoes and jackets. Click to shop now.",
                 subject="50% off", sender="deals@shop.example", to="sam@gmail.example", id="<x@shop>",
                 date="Tue, 01 Jan 2036 00:00:00 +0000")
    r = rejectlens.report([*thread, sale], model=default_model)
    assert r.summary["as_of"].startswith("2026-03-02")
    assert list(r.applications["status"]) == ["in_process"]


def test_iso_dates_from_tables_are_read(default_model):
    r = rejectlens.report(_interview_thread("2026-03-01"), model=default_model)
    assert r.summary["as_of"].startswith("2026-03-02")
    assert r.messages["date"].notna().all()


def test_a_reused_message_id_with_other_text_is_not_a_duplicate(default_model):
    from rejectlens import Email

    ack = ("Hi Sam,\n\nThanks for applying to the Backend Engineer position at Blue Widgets. We have "
           "received your application and will review it shortly.\n\nBlue Widgets Recruiting\n")
    rej = ("Dear Sam,\n\nThank you for applying for the Data Analyst role at Acme Robotics. Unfortunately "
           "we have decided to move forward with other candidates.\n\nAcme Talent Team")
    one = {"id": "<x1@mail>", "date": "Mon, 05 Jan 2026 09:00:00 +0000"}
    box = [Email(body=ack, subject="Application received", sender="jobs@bluewidgets.example", **one),
           Email(body=rej, subject="Your application", sender="talent@acmerobotics.example", **one),
           Email(body=rej, subject="Your application", sender="talent@acmerobotics.example", **one)]
    r = rejectlens.report(box, model=default_model)
    assert r.summary["duplicates_removed"] == 1 and len(r.messages) == 2
    assert sorted(r.applications["status"]) == ["acknowledged", "rejected"]


def test_job_mail_that_shows_no_step_joins_the_application_its_sender_wrote_about(default_model):
    from rejectlens import Email

    sent = {"to": "sam@home.example"}
    box = [Email(body="Hi Sam,\n\nThanks for applying for the Product Designer role at Quillfern Labs. We "
                 "have received your application and the team will review it this week.\n\nNoor Adeyemi\n"
                 "Recruiting Coordinator, Quillfern Labs", subject="Your application to Quillfern Labs",
                 sender="Noor Adeyemi <noor@quillfern.example>", id="<q1@quillfern>",
                 date="Mon, 02 Mar 2026 09:00:00 +0000", **sent),
           # no step of the process ("other"), in a thread of its own
           Email(body="Hi Sam,\n\nJust a quick note so you're not left wondering: the hiring team meets on "
                 "Tuesday to talk about your portfolio, and I'll write to you by Friday at the latest.\n\n"
                 "Thanks for your patience!\nNoor", subject="A quick note from Noor",
                 sender="Noor Adeyemi <noor@quillfern.example>", id="<q2@quillfern>",
                 date="Mon, 09 Mar 2026 09:00:00 +0000", **sent),
           # the same employer's talent-community letter is about no application
           Email(body="Hi Sam,\n\nYou're part of the Quillfern Labs talent community, so here is what's on "
                 "our job board this month:\n\n- Senior Designer\n- Data Engineer\n\nBrowse and apply on "
                 "our careers site.\n\nUnsubscribe from these emails", subject="Fresh at Quillfern this month",
                 sender="Quillfern Labs Careers <careers@quillfern.example>", id="<q3@quillfern>",
                 date="Tue, 10 Mar 2026 09:00:00 +0000", **sent)]
    r = rejectlens.report(box, model=default_model)
    m = r.messages.set_index("id")
    assert list(m["event"]) == ["ack", "other", "other"]
    assert m.loc["<q2@quillfern>", "company"] == "Quillfern Labs"
    assert m.loc["<q2@quillfern>", "application_id"] == m.loc["<q1@quillfern>", "application_id"]
    assert pd.isna(m.loc["<q3@quillfern>", "company"]) and pd.isna(m.loc["<q3@quillfern>", "application_id"])
    assert list(r.applications["n_messages"]) == [2]
