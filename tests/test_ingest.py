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
