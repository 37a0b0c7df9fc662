from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rejectlens import REASONS, STAGES, Prediction
from rejectlens.clean import clean
from rejectlens.ingest import Email

texts = st.text(max_size=400) | st.sampled_from(
    ["", " ", "\n\n", "<p>", "> quoted", "-- ", "{{first_name}}", "On Mon wrote:", "\x00\ufffd"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=texts, subject=st.text(max_size=60), sender=st.text(max_size=40))
@example(body="NOT", subject="", sender="")  # one word, once read as a rejection at 1.0
@example(body="We have decided not to move forward with your application.", subject="", sender="")
@example(body="Caf\udce9: we will not move forward.", subject="R\udcc3\udca9sum\udce9", sender="\ud800")
def test_any_text_gives_a_valid_prediction(default_model, body, subject, sender):
    p = default_model.classify({"body": body, "subject": subject, "sender": sender})
    assert isinstance(p, Prediction)
    if p.error is not None:  # no text, no answer (issue 11, item 10)
        assert p.error.startswith("empty body") and p.is_rejection is None
        return
    assert isinstance(p.is_rejection, bool)
    assert 0.0 <= p.rejection_score <= 1.0
    if p.is_rejection:
        assert p.personalization in ("generic", "personalized")
        assert 0.0 <= p.personalization_score <= 1.0
        assert p.stage in STAGES
        assert abs(sum(p.stage_scores.values()) - 1) < 1e-3
        assert set(p.reasons) <= set(REASONS)
        assert all(0.0 <= v <= 1.0 for v in p.reason_scores.values())
        assert set(p.evidence) <= set(p.reasons) | {"personalized", "decision"}
    else:
        assert p.reasons is None and p.stage is None and p.feedback_offered is None


@settings(max_examples=200, deadline=None)
@given(body=texts)
def test_cleaning_never_raises_and_trims(body):
    c = clean(Email(body=body))
    assert isinstance(c.text, str)
    assert c.text == c.text.strip()


_typographic = st.sampled_from(["We\u2019re", "\u201cno\u201d", "role \u2014 sorry", "2024\u20132025", "won't",
                                "Unfortunately", "your", "application", "\u00a0", "\u2018ok\u2019"])


@settings(max_examples=150, deadline=None)
@given(words=st.lists(_typographic, min_size=1, max_size=12), sep=st.sampled_from([" ", "\n", "  "]))
def test_a_cleaned_sentence_is_found_again_in_the_text_as_written(words, sep):
    # spaCy spans mark evidence in the original text, which cleaning rewrote
    # (curly quotes and dashes made ASCII, lines joined): it must still be found.
    from rejectlens.spacy import _locate

    text = sep.join(words)
    cleaned = clean(Email(body=text)).text
    if not cleaned:
        return
    found = _locate(text, cleaned)
    assert found is not None
    assert clean(Email(body=text[found[0]:found[1]])).text == cleaned  # the span is that sentence


@settings(max_examples=100, deadline=None)
@given(top=st.text(alphabet="abcdefghij .,!\n", max_size=80).filter(lambda t: any(c.isalpha() for c in t)),
       subject=st.text(max_size=30), prefix=st.sampled_from(["RE: ", "Re: ", "AW: ", "re:"]))
@example(top="a", subject="<DIV>", prefix="RE: ")  # a tag in a quoted subject: still plain text
def test_the_quote_under_any_reply_is_older_mail(top, subject, prefix):
    quote = ("\n\n-----Original Message-----\nFrom: Acme <t@acme.example>\nSent: Monday\n"
             f"Subject: {subject}\n\nWe have decided not to move forward with your application.\n")
    c = clean(Email(body=top + quote, subject=prefix + subject))
    assert "not to move forward" not in c.text and c.text


_plain_lines = st.text(alphabet="abcdefghij .,!", min_size=1, max_size=40)
_addresses = st.builds("<{}@{}.example>".format, st.from_regex(r"[a-z]{1,3}[._-]?[a-z]{0,6}", fullmatch=True),
                       st.from_regex(r"[a-z]{2,8}", fullmatch=True))


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.one_of(_plain_lines, st.builds("From: Ann {}".format, _addresses), _addresses),
                      min_size=1, max_size=8))
def test_plain_text_with_addresses_is_never_read_as_html(lines):
    # "<a.b@x>" and "<p@x>" look like an anchor or a paragraph tag to a lazy test.
    assert "html_converted" not in clean(Email(body="\n".join(lines))).flags


@given(st.text(alphabet="'=+-@\t\rab ", max_size=8) | st.text(max_size=20))
def test_a_spreadsheet_safe_cell_reads_back_as_written(cell):
    from rejectlens.writers import safe_csv_cell, unneutralise_cell

    safe = safe_csv_cell(cell)
    assert unneutralise_cell(safe) == cell
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))  # a spreadsheet shows it as text


_markup = st.sampled_from(["", "<b>", "</b>", "<br>", "&nbsp;", "<span style='x'>", "</span>"])


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.tuples(_typographic, _markup), min_size=1, max_size=12),
       sep=st.sampled_from([" ", "\n", "&nbsp;", " <i>"]))
def test_a_cleaned_sentence_is_found_again_in_html_as_written(words, sep):
    # The same for an HTML body: the words are found across tags and entities.
    from rejectlens.spacy import _locate

    text = "<html><body><p>" + sep.join(w + m for w, m in words) + "</p></body></html>"
    cleaned = clean(Email(body=text)).text
    if not cleaned:
        return
    found = _locate(text, cleaned)
    assert found is not None
    assert clean(Email(body="<p>" + text[found[0]:found[1]] + "</p>")).text == cleaned  # the span is that text
