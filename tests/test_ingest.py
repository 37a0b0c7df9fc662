import email
import email.policy

import pytest

from rejectlens.errors import InputError
from rejectlens.ingest import Email, message_to_email, stable_id, to_email


def test_str_mapping_and_email_inputs():
    assert to_email("hello").body == "hello"
    e = to_email({"body": "b", "subject": "s", "sender": "x@y", "id": 7})
    assert (e.body, e.subject, e.sender, e.id) == ("b", "s", "x@y", "7")
    same = Email(body="b")
    assert to_email(same) is same


def test_missing_body_names_expected_and_found_fields():
    with pytest.raises(InputError, match=r"needs a 'body' field.*found fields: text, title"):
        to_email({"text": "x", "title": "y"})


def test_wrong_type_names_the_type():
    with pytest.raises(InputError, match="got int"):
        to_email(42)
    with pytest.raises(InputError, match="field 'body' must be text; got list"):
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
