import email
import email.policy
import json
from dataclasses import replace

import pandas as pd
import pytest

from rejectlens.errors import InputError
from rejectlens.ingest import (
    MAX_HEADER_CHARS,
    Email,
    frame_records,
    message_to_email,
    normalize_id,
    stable_id,
    to_email,
)
from rejectlens.readers import read_messages


def test_str_mapping_and_email_inputs():
    assert to_email("hello").body == "hello"
    e = to_email({"body": "b", "subject": "s", "sender": "x@y", "id": 7})
    assert (e.body, e.subject, e.sender, e.id) == ("b", "s", "x@y", "7")
    same = Email(body="b")
    assert to_email(same) is same


def test_an_email_built_by_hand_follows_the_record_rules():
    # The same values in an Email and in a mapping give the same email.
    for fields in ({"subject": 2024}, {"subject": float("nan")}, {"subject": None},
                   {"sender": b"hr@acme.example"}, {"id": 7}, {"body": b"We said no."}):
        rec = {"body": "We said no.", **fields}
        assert to_email(Email(**rec)) == to_email(rec), fields
    assert to_email(Email(body=float("nan"))).body == ""  # a missing cell: an empty body
    with pytest.raises(InputError, match="field 'body' must be text; found list"):
        to_email(Email(body=["a"]))


def test_a_pandas_row_is_read_as_a_mapping():
    row = pd.DataFrame([{"body": "b", "subject": "s", "id": 3}]).iloc[0]
    assert to_email(row) == to_email({"body": "b", "subject": "s", "id": 3})


def test_lone_surrogates_become_replacement_characters():
    # what bytes read with errors="surrogateescape" leave behind
    for e in (to_email("Caf\udce9 closed"), to_email(Email(body="Caf\udce9 closed")),
              to_email({"body": "Caf\udce9 closed"})):
        assert e.body == "Caf\ufffd closed"
    e = to_email({"body": "x", "subject": "R\udcc3sum\udce9", "sender": "\ud800a@b", "id": "m\udcff"})
    assert (e.subject, e.sender, e.id) == ("R\ufffdsum\ufffd", "\ufffda@b", "m\ufffd")


def test_gmail_labels_are_read_from_mail():
    msg = email.message_from_string('From: a@b.example\nX-Gmail-Labels: Sent,Opened, "Jobs, 2026"\n\nHi')
    assert message_to_email(msg).labels == ("Sent", "Opened", "Jobs, 2026")
    assert to_email(Email(body="x", labels=None)).labels == ()  # built by hand
    assert to_email(Email(body="x", labels="Sent,Inbox")).labels == ("Sent", "Inbox")
    assert message_to_email(email.message_from_string("From: a@b.example\n\nHi")).labels == ()


def test_missing_body_names_expected_and_found_fields():
    with pytest.raises(InputError, match=r"body field 'body' missing.*fields found: text, title"):
        to_email({"text": "x", "title": "y"})


def test_wrong_type_names_the_type():
    with pytest.raises(InputError, match="got int"):
        to_email(42)
    with pytest.raises(InputError, match="field 'body' must be text; found list"):
        to_email({"body": ["a"]})


def test_nan_fields_are_missing():
    e = to_email({"body": "x", "subject": float("nan"), "id": float("nan")})
    assert e.subject == "" and e.id is None


def test_stable_id_is_deterministic():
    assert stable_id("s", "b") == stable_id("s", "b") != stable_id("s", "c")


def test_message_with_bad_charset_falls_back_without_crashing():
    raw = (
        b"From: HR <hr@acme.example>\r\nSubject: Update\r\nMessage-ID: <m1@acme>\r\n"
        b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
        b"We regret to inform you \xe9 that the role is filled.\r\n"
    )
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    e = to_email(msg)
    assert "regret to inform" in e.body
    assert e.id == "<m1@acme>" and e.subject == "Update"


def test_multipart_prefers_plain_and_keeps_html():
    raw = (
        b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n"
        b"--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html body</p>\r\n--B--\r\n"
    )
    e = message_to_email(email.message_from_bytes(raw, policy=email.policy.default))
    assert e.body.strip() == "plain body" and "html body" in e.html


# ---- one mapping -> Email: the readers (CLI) and the API read a row alike ----------------
def _same_view(e: Email) -> Email:
    # Where a message came from and the place named in front of its error are
    # what a file adds; everything else must match.
    error = e.error.split(": ", 1)[1] if e.error and e.source else e.error
    return replace(e, source=None, error=error)


def _via_api(records) -> list[Email]:
    out = []
    for r in records:
        try:
            out.append(to_email(r))
        except InputError as err:
            out.append(Email(body="", id=normalize_id(r.get("id")), error=str(err)))
    return out


ODD_ROWS = [  # every row has every key: a table has no per-row missing columns
    {"id": "m1", "subject": "Your application " + "s" * 20_000, "sender": "hr@acme.example", "date": "2026-05-01",
     "body": "We regret to inform you.", "html": None},
    {"id": 7, "subject": 2024, "sender": 3.5, "date": None, "body": None,
     "html": "<p>We will not move forward.</p>"},
    {"id": 7.0, "subject": float("nan"), "sender": True, "date": 20260501, "body": "", "html": None},
    {"id": None, "subject": "s", "sender": None, "date": float("nan"), "body": 42,
     "html": None},
    {"id": float("nan"), "subject": ["a", "b"], "sender": "x", "date": "d", "body": "ok",
     "html": 5},
]


def test_jsonl_row_and_api_row_give_the_same_email(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ODD_ROWS))  # NaN stays NaN in JSON
    read = [_same_view(e) for e in read_messages(path)]
    assert read == [_same_view(e) for e in _via_api(ODD_ROWS)]
    frame = pd.DataFrame(ODD_ROWS)
    assert read == [_same_view(e) for e in _via_api(frame_records(frame))]
    assert read[1].id == read[2].id == "7" and read[1].subject == "2024" and read[1].sender == "3.5"
    assert read[1].body == "" and read[1].html.startswith("<p>") and read[2].date == "20260501"
    assert read[2].subject == "" and len(read[0].subject) == MAX_HEADER_CHARS
    assert read[3].error == "field 'body' must be text; found int: 42"
    # a non-text html cell beside a usable body is no HTML, not a failed row
    assert read[4].error is None and read[4].body == "ok" and read[4].html is None and read[4].id is None


def test_parquet_and_csv_rows_with_missing_columns_match_classify_frame_rows(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({
        "message_id": [7.0, float("nan"), 9.0],
        "title": [2024, 5, 6],
        "when": pd.to_datetime(["2026-05-01", "2026-05-02", None]),
        "date": pd.to_datetime(["2026-05-01", "2026-05-02", None]),
        "text": ["We regret to inform you.", None, "Your parcel is on its way."],
    })  # no sender column at all
    frame.to_parquet(tmp_path / "odd.parquet")
    read = list(read_messages(tmp_path / "odd.parquet", body="text", subject="title", id="message_id"))
    api = _via_api(frame_records(frame, body="text", subject="title", id="message_id"))
    assert [_same_view(e) for e in read] == [_same_view(e) for e in api]
    assert [e.id for e in read] == ["7", None, "9"] and read[0].subject == "2024"
    assert read[0].sender == "" and read[0].date == str(frame["date"][0]) and read[2].date is None
    frame.drop(columns=["when", "date"]).to_csv(tmp_path / "odd.csv", index=False)
    as_text = pd.read_csv(tmp_path / "odd.csv", dtype=str, keep_default_na=False)
    read = list(read_messages(tmp_path / "odd.csv", body="text", subject="title", id="message_id"))
    api = _via_api(frame_records(as_text, body="text", subject="title", id="message_id"))
    assert [_same_view(e) for e in read] == [_same_view(e) for e in api]


def test_classify_frame_gives_what_classify_gives_for_the_read_rows(default_model, tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ODD_ROWS))
    from_file = [p.to_dict() for p in default_model.classify_many(read_messages(path))]
    frame = default_model.classify_frame(pd.DataFrame(ODD_ROWS))
    from_frame = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for a, b in zip(from_file, from_frame):
        if a["error"] is None:
            assert a == b
        else:  # the file names the line in front of the same reason (and as the id of an id-less row)
            assert a["error"].endswith(b["error"])
            assert a["id"] == b["id"] or (b["id"] is None and " line " in a["id"])
    assert from_frame[1]["error"] is None and from_frame[1]["id"] == "7"  # classified from its HTML


def test_a_non_text_html_cell_beside_a_good_body_is_no_html():
    from decimal import Decimal

    from rejectlens.ingest import record_to_email, to_email

    e = to_email({"body": "We regret", "html": False})
    assert e.body == "We regret" and e.html is None and e.error is None
    assert record_to_email({"body": "x", "subject": Decimal("sNaN")}).error is None


_REJ = "Dear Jane,\n\nUnfortunately we have decided not to move forward with your application."


def _read_eml(tmp_path, raw: bytes):
    (tmp_path / "m.eml").write_bytes(raw)
    (e,) = read_messages(tmp_path / "m.eml")
    return e


def _forward_as_attachment(note: str, subject: str) -> bytes:
    # What Outlook's "Forward as attachment" sends: a note (or an empty one) and message/rfc822.
    return (f'Subject: {subject}\nContent-Type: multipart/mixed; boundary="o"\n\n--o\n'
            'Content-Type: multipart/alternative; boundary="a"\n\n'
            f'--a\nContent-Type: text/plain\n\n{note}\n--a\nContent-Type: text/html\n\n'
            f'<html><body><p>{note or "&nbsp;"}</p></body></html>\n--a--\n'
            '--o\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="x.eml"\n\n'
            f'From: jobs@acme.example\nSubject: Your application\n\n{_REJ}\n--o--\n').encode()


@pytest.mark.parametrize(("note", "subject"), [("", "Your application"), ("See below, sigh.", "FW: Your application")])
def test_a_message_forwarded_as_an_attachment_is_read(tmp_path, note, subject):
    from rejectlens.clean import clean

    e = _read_eml(tmp_path, _forward_as_attachment(note, subject))
    c = clean(e)
    assert e.error is None and "not to move forward" in c.text and "forwarded" in c.flags
    assert c.text.startswith(note or "Dear Jane")


def test_text_parts_split_around_an_attachment_are_joined_and_named_text_files_are_attachments(tmp_path):
    e = _read_eml(tmp_path, b'Subject: s\nContent-Type: multipart/mixed; boundary="m"\n\n'
                  b'--m\nContent-Type: text/plain\n\nDear Jane,\n'
                  b'--m\nContent-Type: application/pdf\nContent-Disposition: inline; filename=f.pdf\n\nJVBERi0x\n'
                  b'--m\nContent-Type: text/plain\n\nWe have decided not to move forward.\n'
                  b'--m\nContent-Type: text/plain; name="jd.txt"\nContent-Disposition: inline; filename="jd.txt"\n\n'
                  b'Job description\n--m--\n')
    assert " ".join(e.body.split()) == "Dear Jane, We have decided not to move forward."


def test_utf8_bytes_under_a_latin1_label_and_raw_utf8_headers_are_read_as_utf8(tmp_path):
    e = _read_eml(tmp_path, "Subject: Ihre Bewerbung – Müller GmbH\nFrom: Müller <hr@m.example>\n"
                  "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n"
                  "We won’t be moving forward, Zoë.\n".encode())
    assert (e.subject, e.sender) == ("Ihre Bewerbung – Müller GmbH", "Müller <hr@m.example>")
    assert e.body == "We won’t be moving forward, Zoë.\n"
    latin = _read_eml(tmp_path, b"Subject: s\nContent-Type: text/plain; charset=latin-1\n\nZo\xeb\n")
    assert latin.body == "Zoë\n"


def test_an_email_can_be_made_from_html_alone():
    assert Email(html="<p>Hi</p>").body == ""
