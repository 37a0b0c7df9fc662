import pytest

from rejectlens.clean import clean, html_to_text
from rejectlens.ingest import Email


def text(body, **kw):
    return clean(Email(body=body, **kw))


def test_html_becomes_text_and_keeps_inline_words_on_their_line():
    c = text('<div dir="ltr">Hi Jo,<br>we are <b>not</b> moving forward.<br></div>')
    assert "we are not moving forward." in c.text
    assert "html_converted" in c.flags


def test_html_to_text_survives_junk():
    assert isinstance(html_to_text("<<<>>>\x00<p"), str)


def test_quoted_reply_below_new_message_is_dropped():
    body = (
        "Great news - we'd like to invite you to interview on Monday.\n\n"
        "On Tue, 3 Mar 2026 at 10:14, Acme Careers <jobs@acme.example> wrote:\n"
        "> Unfortunately we will not be moving forward with your application.\n"
    )
    c = text(body)
    assert "invite you to interview" in c.text
    assert "not be moving forward" not in c.text
    assert "quoted_reply_removed" in c.flags


def test_forwarded_rejection_keeps_the_forwarded_body():
    body = (
        "ugh, see below\n\n"
        "---------- Forwarded message ---------\n"
        "From: Acme Careers <no-reply@acme.example>\n"
        "Date: Mon, 2 Mar 2026 at 09:12\n"
        "Subject: Your application\n"
        "To: Jo <jo@example.com>\n\n"
        "Dear Jo,\n\nWe have decided not to move forward with your application.\n"
    )
    c = text(body)
    assert "decided not to move forward" in c.text
    assert "ugh, see below" in c.text
    assert "From: Acme" not in c.text
    assert "forwarded" in c.flags


def test_outlook_reply_header_block_is_a_reply():
    body = (
        "Sorry Jo, we went with another candidate.\n\n"
        "From: Jo Smith <jo@example.com>\nSent: Tuesday, March 3, 2026 10:14 AM\n"
        "To: Careers <c@acme.example>\nSubject: RE: any update?\n\nHi, any update?\n"
    )
    c = text(body)
    assert "another candidate" in c.text
    assert "any update" not in c.text


_OUTLOOK_QUOTE = (
    "\n\n-----Original Message-----\nFrom: Acme Careers <t@acme.example>\n"
    "Sent: Monday, March 2, 2026 9:12 AM\nSubject: Your application\n\n"
    "Dear Sam, we have decided not to move forward with your application.\n"
)


def test_first_outlook_reply_is_read_as_a_reply_by_its_own_subject():
    # The quoted header's Subject has no "Re:" on a first reply; the message's own does.
    c = text("Thanks for letting me know, I appreciate it." + _OUTLOOK_QUOTE, subject="RE: Your application")
    assert "not to move forward" not in c.text and "forwarded" not in c.flags


@pytest.mark.parametrize("subject", ["Automatic reply: Your application", "Out of Office: Your application",
                                     "Abwesenheitsnotiz: Ihre Bewerbung", "Réponse automatique : Candidature",
                                     "Undeliverable: Your application"])
def test_an_auto_reply_or_bounce_quotes_the_mail_it_answers(subject):
    c = text("This message could not be delivered, or I am out of the office until Monday." + _OUTLOOK_QUOTE,
             subject=subject)
    assert "not to move forward" not in c.text and "out of the office" in c.text
    assert "forwarded" not in c.flags


def test_outlook_forward_with_a_comment_keeps_the_forwarded_rejection():
    body = ("Could you look at this with me? I was sure about this one.\n\n"
            "From: Acme Careers <t@acme.example>\nSent: Monday, March 2, 2026 9:12 AM\n"
            "To: Sam\nSubject: Your application\n\n"
            "Dear Sam, we have decided not to move forward with your application.\n")
    c = text(body, subject="FW: Your application")
    assert "not to move forward" in c.text and "Could you look" in c.text
    assert "forwarded" in c.flags


def test_a_one_word_reply_is_the_message_not_the_quote_under_it():
    c = text("Thanks." + _OUTLOOK_QUOTE, subject="RE: Your application")
    assert c.text == "Thanks."


def test_a_short_note_over_a_quote_without_a_subject_keeps_the_quote():
    # No subject to tell (classify(body), a table without one): "FYI" over a
    # quote is read as a forward, as before the subject rule.
    body = ("FYI\n\nFrom: Acme Careers <t@acme.example>\nSent: Monday, March 2, 2026 9:12 AM\n"
            "Subject: Your application\n\nDear Sam, we have decided not to move forward.\n")
    assert "not to move forward" in text(body).text


def test_a_fwd_subject_over_a_quoted_reply_keeps_the_quote():
    body = ("FYI, look at this one\n\nOn Mon, 2 Mar 2026 at 09:12, Acme <t@acme.example> wrote:\n"
            "> Dear Sam, we have decided not to move forward.\n")
    c = text(body, subject="Fwd: Re: Your application")
    assert "not to move forward" in c.text and "FYI" in c.text and "forwarded" in c.flags


def test_only_quoted_text_is_unquoted_not_dropped():
    c = text("> We will not be progressing your application.\n> Regards, HR")
    assert "not be progressing" in c.text


def test_footers_signatures_and_mobile_lines_are_trimmed():
    body = (
        "Hi Jo,\n\nWe won't be progressing your application.\n\nSent from my iPhone\n\n"
        "CONFIDENTIALITY NOTICE: This email is intended only for the addressee.\n\n"
        "To unsubscribe from these emails click here."
    )
    c = text(body)
    assert "won't be progressing" in c.text
    assert "CONFIDENTIALITY" not in c.text and "iPhone" not in c.text
    assert {"footer_removed", "unsubscribe_footer", "sent_from_mobile"} <= c.flags


def test_signature_delimiter_cuts_the_rest():
    c = text("We filled the role.\n-- \nJane Doe | Recruiter | +1 555 0100")
    assert c.text == "We filled the role."


def test_hard_wrapped_lines_are_joined_but_greetings_stay():
    body = (
        "Dear Jo,\n\nThank you for your application for the role of Data Analyst at\n"
        "Acme. We have decided not to take it further.\n\nBest,\nAcme"
    )
    c = text(body)
    assert "Data Analyst at Acme." in c.text
    assert c.text.startswith("Dear Jo,\n")


def test_unfilled_merge_fields_are_flagged():
    assert "unfilled_merge_field" in text("Dear {{first_name}}, thanks for applying.").flags
    assert "unfilled_merge_field" in text("Hi [Candidate Name], we regret.").flags
    assert "unfilled_merge_field" not in text("Hi Jo, we regret [sic].").flags


def test_curly_quotes_and_invisible_characters_are_normalised():
    c = text("We\u2019re\u200b sorry.\u00a0Really.")
    assert c.text == "We're sorry. Really."


def test_html_alternative_is_used_when_body_is_empty():
    c = clean(Email(body="", html="<p>We regret to inform you.</p>"))
    assert "regret to inform" in c.text


def test_empty_body_gives_empty_text():
    assert text("").text == ""


REJ = "Dear Jane,\n\nUnfortunately we have decided not to move forward with your application."


def test_an_address_in_angle_brackets_is_not_html():
    # "<a.smith@...>" once read as an <a> tag: the body went through the HTML
    # converter, lost its lines, and the quoted rejection stayed in.
    c = text("Thanks Paul, I'd be glad to stay in touch.\n\nJane\n\n"
             "On Mon, 4 Mar 2024 at 10:12, Paul Smith <a.smith@acme.example> wrote:\n"
             "> Dear Jane,\n> Unfortunately, we have decided not to move forward.\n",
             subject="Re: Your application")
    assert "html_converted" not in c.flags and "forward" not in c.text


def test_a_plain_part_that_only_asks_for_html_gives_way_to_the_html():
    c = text("To view this message, please use an HTML-capable email client.",
             html="<p>Dear Jane,</p><p>Unfortunately we have decided not to move forward.</p>")
    assert "not to move forward" in c.text
    long_plain = "View this email in your browser.\n\n" + REJ + " " + "More words here. " * 30
    assert text(long_plain, html="<p>other</p>").text.startswith("View this email")


@pytest.mark.parametrize("header", [
    "Von: Paul Smith <paul@acme.example>\nGesendet: Montag, 4. März 2024 10:12\nAn: Jane\nBetreff: Your application",
    "De : Paul Smith <paul@acme.example>\nEnvoyé : lundi 4 mars 2024 10:12\nÀ : Jane\nObjet : Your application",
    "De: Paul Smith <paul@acme.example>\nEnviado: lunes, 4 de marzo de 2024 10:12\nPara: Jane\nAsunto: Your application",
    "Am Mo., 4. März 2024 um 10:12 Uhr schrieb Paul Smith <paul@acme.example>:",
    "Le lun. 4 mars 2024 à 10:12, Paul Smith <paul@acme.example> a écrit :",
    "Op ma 4 mrt 2024 om 10:12 schreef Paul Smith <paul@acme.example>:",
])
def test_quote_headers_written_in_other_languages_end_the_new_text(header):
    c = text(f"Thanks Paul, I'd be glad to stay in touch.\n\nJane\n\n{header}\n\n{REJ}",
             subject="AW: Your application")
    assert "forward" not in c.text and c.text.startswith("Thanks Paul")


def test_hidden_html_and_titles_are_not_read():
    html = ('<html><head><title>Acme Careers</title></head><body>'
            '<span style="display:none;mso-hide:all;font-size:0">Congratulations! We would like to invite you</span>'
            '<div style="max-height: 0px; overflow:hidden">hidden too</div><div hidden>and this</div>'
            '<p style="font-size:0.9em">Dear Jane,</p><p>Unfortunately we have decided not to move forward.</p>'
            '</body></html>')
    out = html_to_text(html)
    assert out == "Dear Jane,\n\nUnfortunately we have decided not to move forward."


@pytest.mark.parametrize("html", [
    "Hi Jane,<br><br>Thank you.<br><br>You are receiving this email because you applied.",
    "<div>Hi Jane,</div><div><br></div><div>Thank you.</div><div><br></div>"
    "<div>You are receiving this email because you applied.</div>",
    "<table><tr><td>Hi Jane,</td></tr><tr><td>Thank you.</td></tr>"
    "<tr><td>You are receiving this email because you applied.</td></tr></table>",
])
def test_html_blank_lines_and_rows_are_paragraphs(html):
    c = text("", html=html)
    assert c.text == "Hi Jane,\n\nThank you." and "footer_removed" in c.flags


def test_lines_of_html_are_not_joined_as_hard_wrapped_text():
    c = text("", html="Thank you for applying to the Data Analyst role at Acme Corporation<br>"
                      "Unfortunately we will not be moving forward.")
    assert c.text == ("Thank you for applying to the Data Analyst role at Acme Corporation\n"
                      "Unfortunately we will not be moving forward.")
