"""The substring gates in clean.py never skip a pattern that would have matched."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens import clean as c

# Pieces that make the gated patterns match, case variants re.I accepts
# (the long s "ſ" for "s", the Kelvin sign for "k") and near misses.
PIECES = ["Sent from my iPhone", "SENT VIA Gmail", "ſent from my phone", "Get Outlook for iOS",
          "get outloo\u212a for android", "sent from Mail for Windows", "sen t", "--", "- -",
          "{{ first_name }}", "{Candidate}", "[Name]", "%FIRST_NAME%", "<< role >>", "${x}",
          "[[ job ]]", "  ", " ", "\f", "\v", "\n", "\n\n\n", "\t", "ok", "Thanks."]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_gates_pass_every_text_the_patterns_match(text):
    if c._MOBILE_LINE.search(text):
        assert c._may_have_mobile_line(text)
    if c._MERGE_FIELD.search(text):
        assert c._may_have_merge_field(text)
    if c._SPACES.search(text):
        assert c._may_have_spaces(text)
    if c._SIGNATURE_DELIM.search(text):
        assert "--" in text
    if c._MANY_NEWLINES.search(text):
        assert "\n\n\n" in text


def test_gated_patterns_still_fire():
    flags: set[str] = set()
    out = c._strip_footers("We chose another candidate.\n\nSent from my iPhone", flags)
    assert "sent_from_mobile" in flags and "iPhone" not in out
    assert "unfilled_merge_field" in c.clean(c.Email(body="Dear {{first_name}}, thanks.")).flags
    assert c.clean(c.Email(body="a  b\f c\n\n\n\nd")).text == "a b c\n\nd"


def _old_join_wrapped(text: str) -> str:
    out: list[str] = []
    for para in text.split("\n\n"):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        joined: list[str] = []
        for ln in lines:
            if (joined and len(joined[-1]) >= 45 and not joined[-1].endswith((".", "!", "?", ":", ";"))
                    and not c._BULLET.match(ln)):
                joined[-1] = f"{joined[-1]} {ln}"
            else:
                joined.append(ln)
        if joined:
            out.append("\n".join(joined))
    return "\n\n".join(out)


LINES = ["We have reviewed your application for the analyst role and", "decided not to proceed.",
         "- a bullet", "1. first", "Hi,", "", " ", "\u2028", "\x85", "\r", "a" * 50]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(LINES) | st.text(max_size=6), max_size=10).map("\n".join))
def test_join_wrapped_shortcut_for_one_line_paragraphs_changes_nothing(text):
    assert c._join_wrapped(text) == _old_join_wrapped(text)
