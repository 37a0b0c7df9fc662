"""Reading real exports: every message gives one Email, in order, errors included."""

from __future__ import annotations

import base64
import gzip
import json
from email.message import EmailMessage

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejectlens.errors import InputError
from rejectlens.readers import detect_format, read_messages

REJECTION = "Thank you for applying. Unfortunately we will not be moving forward with your application."
INVITE = "We'd like to invite you to an interview next week. Please pick a time."


def _plain(i: int, body: str, **headers) -> bytes:
    m = EmailMessage()
    m["From"] = headers.get("sender", f"HR {i} <hr{i}@example.com>")
    m["Subject"] = f"msg-{i:02d}"
    m["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    if headers.get("message_id", True):
        m["Message-ID"] = f"<m{i}@example.com>"
    m["X-Gmail-Labels"] = "Inbox,Jobs"
    m.set_content(body, cte=headers.get("cte", "7bit"))
    return m.as_bytes()


def _raw(i: int, content_type: str, payload: bytes, extra: str = "") -> bytes:
    return (
        f"From: x{i}@example.com\nSubject: msg-{i:02d}\nMessage-ID: <m{i}@example.com>\n"
        f"MIME-Version: 1.0\nContent-Type: {content_type}\n{extra}\n"
    ).encode() + payload


def build_messages() -> list[bytes]:
    msgs = [_plain(i, REJECTION if i % 2 else INVITE) for i in range(40)]
    alt = EmailMessage()
    alt["Subject"], alt["Message-ID"] = "msg-40", "<m40@example.com>"
    alt.set_content("plain part: we regret to inform you")
    alt.add_alternative("<p>html part: we <b>regret</b> to inform you</p>", subtype="html")
    msgs.append(alt.as_bytes())
    html = EmailMessage()
    html["Subject"], html["Message-ID"] = "msg-41", "<m41@example.com>"
    html.set_content("<div>We have <b>not</b> selected you for the role.</div>", subtype="html")
    msgs.append(html.as_bytes())
    msgs.append(_plain(42, "Café role: the position has been filled. Merci!", cte="quoted-printable"))
    msgs.append(_plain(43, "Base64 body: we regret to inform you.", cte="base64"))
    msgs.append(_raw(44, "text/plain; charset=utf-8", "Déclined: your résumé was great.\n".encode("cp1252")))
    msgs.append(_raw(45, "text/plain; charset=x-no-such-charset", "Ünknown charset, still text.\n".encode()))
    msgs.append(_raw(46, 'multipart/mixed; boundary="nope"', b"--other\nbroken mime with no parts\n"))
    att = EmailMessage()
    att["Subject"], att["Message-ID"] = "msg-47", "<m47@example.com>"
    att.add_attachment(b"%PDF-1.4 junk", maintype="application", subtype="pdf", filename="offer.pdf")
    msgs.append(att.as_bytes())
    msgs.append(_plain(48, "Line one.\nFrom our side the answer is no.\nThanks", message_id=False))
    msgs.append(_plain(49, "fwd below\n\n---------- Forwarded message ---------\nFrom: Acme <no-reply@acme.example>\n"
                           "Subject: Your application\n\n" + REJECTION))
    return msgs


def write_mbox(path, messages: list[bytes], compress: bool = False) -> None:
    out = bytearray()
    for raw in messages:
        out += b"From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"
        for line in raw.replace(b"\r\n", b"\n").split(b"\n"):
            out += (b">" + line if line.startswith(b"From ") or line.startswith(b">From ") else line) + b"\n"
        out += b"\n"
    data = bytes(out)
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)


@pytest.fixture(scope="module")
def mbox(tmp_path_factory):
    path = tmp_path_factory.mktemp("mbox") / "takeout.mbox"
    write_mbox(path, build_messages())
    return path


def test_mbox_gives_one_email_per_message_in_order(mbox):
    emails = list(read_messages(mbox))
    assert len(emails) == 50
    assert [e.subject for e in emails[:40]] == [f"msg-{i:02d}" for i in range(40)]
    assert emails[0].id == "<m0@example.com>" and emails[0].date.startswith("Mon, 23 Nov 2026")
    assert emails[3].source.endswith("takeout.mbox#4")
    assert "moving forward" in emails[1].body


def test_mbox_mime_details(mbox):
    e = {x.subject: x for x in read_messages(mbox)}
    assert "plain part" in e["msg-40"].body and "html part" in e["msg-40"].html
    assert e["msg-41"].body == "" and "not</b> selected" in e["msg-41"].html
    assert "Café role" in e["msg-42"].body
    assert "Base64 body" in e["msg-43"].body
    assert "Déclined: your résumé" in e["msg-44"].body  # declared utf-8, really cp1252
    assert "charset, still text" in e["msg-45"].body
    assert e["msg-46"].error is None and "broken mime with no parts" in e["msg-46"].body
    assert "no text body" in e["msg-47"].error
    assert "\nFrom our side" in e["msg-48"].body and ">From" not in e["msg-48"].body
    assert e["msg-48"].id.startswith("sha1-")  # no Message-ID: a stable hash
    assert "Forwarded message" in e["msg-49"].body


def test_gzipped_mbox_reads_the_same(tmp_path):
    path = tmp_path / "t.mbox.gz"
    write_mbox(path, build_messages()[:5], compress=True)
    assert [e.subject for e in read_messages(path)] == [f"msg-{i:02d}" for i in range(5)]


def test_not_an_mbox_and_empty_files(tmp_path):
    (tmp_path / "a.mbox").write_text("hello\n")
    with pytest.raises(InputError, match="not an mbox file"):
        list(read_messages(tmp_path / "a.mbox"))
    (tmp_path / "b.mbox").write_text("")
    with pytest.raises(InputError, match="is empty"):
        list(read_messages(tmp_path / "b.mbox"))


def test_eml_folder_recursive_and_sorted(tmp_path):
    msgs = build_messages()
    (tmp_path / "inbox" / "2026").mkdir(parents=True)
    (tmp_path / "inbox" / "b.eml").write_bytes(msgs[1])
    (tmp_path / "inbox" / "2026" / "a.eml").write_bytes(msgs[2])
    (tmp_path / "inbox" / "c.eml.gz").write_bytes(gzip.compress(msgs[3]))
    (tmp_path / "inbox" / "empty.eml").write_bytes(b"")
    (tmp_path / "inbox" / "notes.txt").write_text("not mail")
    emails = list(read_messages(tmp_path / "inbox"))
    assert [e.subject for e in emails] == ["msg-02", "msg-01", "msg-03", ""]
    assert "file is empty" in emails[3].error
    single = list(read_messages(tmp_path / "inbox" / "b.eml"))
    assert len(single) == 1 and single[0].id == "<m1@example.com>"
    (tmp_path / "none").mkdir()
    with pytest.raises(InputError, match=r"holds no \.eml or \.mbox files"):
        list(read_messages(tmp_path / "none"))


def test_a_folder_reads_its_mbox_files_too(tmp_path):
    # A Takeout's Mail folder holds .mbox files; they were skipped without a word.
    msgs = build_messages()
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "a.eml").write_bytes(msgs[1])
    mbox = b"".join(b"From x@example.com Mon Nov 23 10:00:00 2026\n" + m + b"\n" for m in msgs[2:4])
    (tmp_path / "mail" / "b.mbox").write_bytes(mbox)
    (tmp_path / "mail" / "c.mbox").write_bytes(b"")
    (tmp_path / "mail" / "d.mbox").symlink_to(tmp_path / "gone.mbox")  # a dangling link
    emails = list(read_messages(tmp_path / "mail"))
    assert [e.subject for e in emails[:3]] == ["msg-01", "msg-02", "msg-03"]
    assert len(emails) == 5 and "is empty" in emails[3].error and "could not be read" in emails[4].error


def test_linked_folders_are_read_once_and_links_up_the_tree_end(tmp_path):
    msgs = build_messages()
    (tmp_path / "mail" / "2025").mkdir(parents=True)
    (tmp_path / "archive").mkdir()
    (tmp_path / "mail" / "2025" / "a.eml").write_bytes(msgs[1])
    (tmp_path / "archive" / "b.eml").write_bytes(msgs[2])
    (tmp_path / "mail" / "2024").symlink_to(tmp_path / "archive")  # a folder kept elsewhere
    (tmp_path / "mail" / "2025" / "up").symlink_to(tmp_path / "mail")  # a loop
    (tmp_path / "mail" / "again").symlink_to(tmp_path / "archive")  # the same folder twice
    assert [e.subject for e in read_messages(tmp_path / "mail")] == ["msg-02", "msg-01"]


def test_headers_of_old_clients_and_damaged_mail(tmp_path):
    mbox = tmp_path / "m.mbox"
    mbox.write_bytes(
        b"From x@y Mon Jan  1 00:00:00 2024\nFrom: Jos\xe9 Mu\xf1oz <hr@acme.example>\n"  # raw Windows-1252
        b"Subject: Your application \x96 Caf\xe9\n\nDear Ren\xe9e, we won\x92t proceed.\n\n"
        b"From x@y Mon Jan  1 00:00:00 2024\nFrom: hr@acme.example\n"  # one word in an unknown charset
        b"Subject: =?utf-8?Q?Your_application_=E2=80=93_Caf=C3=A9?= =?iso-8859-8-i?B?7ePy5Q==?=\n"
        b"Content-Transfer-Encoding: base64\n\n"  # base64 cut one character past a whole group
        + base64.b64encode(b"Thank you for applying. We will not proceed.")[:-3] + b"\n")
    first, second = read_messages(mbox)
    assert (first.sender, first.subject) == ("Jos\u00e9 Mu\u00f1oz <hr@acme.example>", "Your application \u2013 Caf\u00e9")
    assert second.subject == "Your application \u2013 Caf\u00e9\u05dd\u05d3\u05e2\u05d5"
    assert second.body.startswith("Thank you for applying. We will not proc") and second.error is None


def test_csv_with_multiline_bodies_and_column_mapping(tmp_path):
    df = pd.DataFrame({"msg": ["a1", "a2", "a3"], "text": ["line 1\nline 2, with comma", "", "x"],
                       "title": ["s1", "s2", "s3"]})
    path = tmp_path / "export.csv"
    df.to_csv(path, index=False)
    emails = list(read_messages(path, body="text", id="msg", subject="title", chunk_size=2))
    assert [e.id for e in emails] == ["a1", "a2", "a3"]
    assert emails[0].body == "line 1\nline 2, with comma" and emails[0].subject == "s1"
    with pytest.raises(InputError, match=r"body column 'body' not found; columns found: msg, text, title"):
        list(read_messages(path))
    # a mistyped column named on purpose fails too, instead of giving every row a hashed id
    with pytest.raises(InputError, match=r"id column 'msgid' not found; columns found: msg, text, title"):
        list(read_messages(path, body="text", id="msgid"))


def test_tsv_gzip_json_array_and_jsonl_errors(tmp_path):
    tsv = tmp_path / "e.tsv.gz"
    tsv.write_bytes(gzip.compress(b"id\tbody\nt1\thello there\n"))
    assert [e.body for e in read_messages(tsv)] == ["hello there"]
    arr = tmp_path / "e.json"
    arr.write_text(json.dumps([{"id": "j1", "body": "a"}, {"id": "j2"}, 5]))
    got = list(read_messages(arr))
    assert [e.id for e in got] == ["j1", "j2", None]
    assert "body field 'body' missing" in got[1].error and "expected a JSON object" in got[2].error
    lines = tmp_path / "e.jsonl"
    lines.write_text('{"id": "l1", "body": "ok"}\n{broken\n{"id": "l3", "body": 7}\n')
    got = list(read_messages(lines))
    assert len(got) == 3 and got[0].error is None
    assert "line 2: not valid JSON" in got[1].error and "field 'body' must be text; found int: 7" in got[2].error


def test_nothing_after_an_array_is_dropped(tmp_path):
    one = lambda i: json.dumps({"id": i, "body": "hello there"})  # noqa: E731
    joined = tmp_path / "joined.json"  # two files joined with cat; an object after the array
    joined.write_text(f"[{one('a')}]\n[{one('b')}, {one('c')}] {one('d')}\n{one('e')}\n")
    got = list(read_messages(joined))
    assert [e.id for e in got] == ["a", "b", "c", "d", "e"] and not any(e.error for e in got)
    many = tmp_path / "many.json"  # thousands of arrays joined: no recursion per array
    many.write_text("".join(f"[{one(str(i))}]\n" for i in range(3000)))
    assert sum(1 for e in read_messages(many) if e.error is None) == 3000
    cut = tmp_path / "cut.json.gz"  # a .gz cut right after an array: said, not silently ended
    cut.write_bytes(gzip.compress(f"[{one('a')}]\n".encode())[:-8])  # the data whole, the trailer gone
    got = list(read_messages(cut))
    assert [e.id for e in got] == ["a", None] and "ends early or is damaged after item 0" in got[1].error
    headed = tmp_path / "headed.jsonl"  # a first line that is an array: its items are error rows
    headed.write_text(f'["id", "body"]\n{one("a")}\n')
    got = list(read_messages(headed))
    assert [e.id for e in got] == [None, None, "a"] and "item 1: expected a JSON object" in got[1].error


def test_pretty_printed_objects_are_one_record_each(tmp_path):
    nested = {"id": "n", "body": "a } and a {", "meta": {"tags": ["x", {"y": 1}]}}
    f = tmp_path / "pretty.json"  # what jq '.[]' writes; indent=0 closes nested objects at column 0
    f.write_text(json.dumps({"id": "a", "body": "hi"}, indent=2) + "\n" + json.dumps(nested, indent=0)
                 + "\n" + json.dumps({"id": "c", "body": "x"}) + "\n")
    got = list(read_messages(f))
    assert [(e.id, e.body, e.error) for e in got] == [("a", "hi", None), ("n", "a } and a {", None),
                                                       ("c", "x", None)]
    stray = tmp_path / "stray.jsonl"  # a damaged line that is only "{": one error row, not the file
    stray.write_text("{\n" + "".join(json.dumps({"id": f"s{i}", "body": "x"}) + "\n" for i in range(3)))
    got = list(read_messages(stray))
    assert [e.id for e in got] == [None, "s0", "s1", "s2"] and "line 1: not valid JSON" in got[0].error
    stray.write_text('{\n{"id": "cut", "body": "a line cut in the mid\n'  # then a cut line
                     + "".join(json.dumps({"id": f"s{i}", "body": "x"}) + "\n" for i in range(3)))
    assert [e.id for e in read_messages(stray)][-3:] == ["s0", "s1", "s2"]
    # an object alone on a line inside an array is a member's value, not a stray record
    inline = tmp_path / "inline.json"
    inline.write_text('{\n  "id": "c",\n  "body": "x",\n  "files": [\n    {"name": "a.pdf"}\n  ]\n}\n')
    assert [(e.id, e.error) for e in read_messages(inline)] == [("c", None)]
    big = tmp_path / "big.json"  # a record over the cap keeps its start, as a long line does
    big.write_text(json.dumps({"id": "a", "body": "We regret. " + "x" * 500}, indent=2) + "\n"
                   + json.dumps({"id": "b", "body": "ok"}) + "\n")
    got = list(read_messages(big, max_message_bytes=300))
    assert [(e.id, e.error) for e in got] == [("a", None), ("b", None)] and got[0].truncated
    cut = tmp_path / "cut.json"  # a file that ends inside one: an error row, the others read
    cut.write_text(json.dumps({"id": "a", "body": "hi"}) + '\n{\n  "id": "b",\n')
    got = list(read_messages(cut))
    assert got[0].id == "a" and len(got) == 2 and "line 2: not valid JSON" in got[1].error


def test_semicolon_csv_excel_sep_line_and_columns_named_twice(tmp_path):
    from rejectlens.records import read_records

    semi = tmp_path / "semi.csv"  # European Excel
    semi.write_text('id;subject;body\n1;Hi;"Thanks; we will not proceed, sadly."\n')
    (e,) = read_messages(semi)
    assert (e.id, e.subject, e.body) == ("1", "Hi", "Thanks; we will not proceed, sadly.")
    said = tmp_path / "said.csv"  # Excel's first line naming the separator
    said.write_text('sep=;\nid;body;is_rejection\n1;"a, b";true\n2;"open quote\n3;c;false\n')
    got = list(read_messages(said))
    assert [(m.id, m.body) for m in got[::2]] == [("1", "a, b"), ("3", "c")] and "never closed" in got[1].error
    assert read_records(semi)[0]["body"] == "Thanks; we will not proceed, sadly."
    said.write_text('sep=;\nbody;is_rejection\n"a, b";true\n')
    assert read_records(said) == [{"body": "a, b", "is_rejection": True}]
    plain = tmp_path / "plain.csv"  # a comma header with a ";" in a body stays comma-separated
    plain.write_text('id,body\n1,"a; b; c"\n')
    assert next(read_messages(plain)).body == "a; b; c"
    twice = tmp_path / "twice.csv"
    twice.write_text("id,body,subject,body\n1,hello there,hi,\n")
    with pytest.raises(InputError, match="column 'body' appears 2 times; expected each column once"):
        list(read_messages(twice))
    twice.write_text("body,is_rejection,is_rejection\nhello,true,\n")
    with pytest.raises(Exception, match="column 'is_rejection' appears 2 times"):
        read_records(twice)


def test_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "e.parquet"
    pd.DataFrame({"id": [f"p{i}" for i in range(5)], "body": ["we regret"] * 5, "other": range(5)}).to_parquet(path)
    assert [e.id for e in read_messages(path, chunk_size=2)] == [f"p{i}" for i in range(5)]
    pd.DataFrame({"text": ["x"]}).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(InputError, match="columns found: text"):
        list(read_messages(tmp_path / "bad.parquet"))


def test_format_detection():
    assert detect_format("a.CSV") == "csv" and detect_format("a.jsonl.gz") == "jsonl"
    assert detect_format("-") == "jsonl" and detect_format("x.mbox") == "mbox"
    with pytest.raises(InputError, match="expected one of"):
        detect_format("a.docx")


def test_read_messages_is_exported():
    import rejectlens

    assert rejectlens.read_messages is read_messages


def test_encoded_and_folded_headers_are_decoded(tmp_path):
    raw = (b"From: =?utf-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.com>\n"
           b"Subject: =?utf-8?b?WW91ciBhcHBsaWNhdGlvbiDigJMgdXBkYXRl?=\n and more\n"
           b"Message-ID: <h1@example.com>\n\nbody text\n")
    path = tmp_path / "h.eml"
    path.write_bytes(raw)
    e = next(read_messages(path))
    assert e.sender == "José García <jose@example.com>"
    assert e.subject == "Your application \u2013 update and more"


def test_byte_order_marks_from_spreadsheets_are_ignored(tmp_path):
    (tmp_path / "bom.csv").write_bytes("\ufeffid,body\nb1,hello\n".encode("utf-8"))
    assert [(e.id, e.body) for e in read_messages(tmp_path / "bom.csv")] == [("b1", "hello")]
    (tmp_path / "bom.jsonl").write_bytes('\ufeff{"id": "j1", "body": "hi"}\n'.encode("utf-8"))
    assert [e.id for e in read_messages(tmp_path / "bom.jsonl")] == ["j1"]


def test_a_malformed_csv_row_is_reported_in_place(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,body\n1,first\n2,second\n3,a,b\n4,fourth\n5,fifth\n")
    emails = list(read_messages(path, chunk_size=2))
    assert [e.id for e in emails] == ["1", "2", None, "4", "5"]
    assert "row 3: expected 2 fields as in the header, found 3" in emails[2].error
    first_bad = tmp_path / "f.csv"
    first_bad.write_text("id,body\n3,a,b\n4,fourth\n")
    emails = list(read_messages(first_bad))
    assert emails[0].error and emails[1].id == "4" and emails[1].body == "fourth"


def test_mboxrd_from_escapes_lose_one_level(tmp_path):
    raw = b"Subject: s\nMessage-ID: <x@y>\n\n>From the top.\n>>From quoted.\n"
    path = tmp_path / "rd.mbox"
    path.write_bytes(b"From a@b Mon Nov 23 10:00:00 2026\n" + raw.replace(b"\n>From", b"\n>>From", 1).replace(b"\n>>From quoted", b"\n>>>From quoted"))
    body = next(read_messages(path)).body
    assert body.splitlines()[:2] == [">From the top.", ">>From quoted."]


def test_csv_lines_of_only_spaces_and_tabs_are_blank(tmp_path):
    # found by the damaged-exports property test: a "\t" line is no message
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,body\nm0,Unfortunately\n\t\nm1,Thanks\n  \n")
    assert [e.id for e in read_messages(path)] == ["m0", "m1"]


def test_a_windows_1252_csv_is_read_as_such_and_utf8_stays_utf8(tmp_path):
    text = 'id,body\n1,"We\u2019re sorry \u2013 we won\u2019t proceed. Caf\u00e9 team"\n'
    (tmp_path / "excel.csv").write_bytes(text.encode("cp1252"))  # what Excel on Windows writes
    assert next(read_messages(tmp_path / "excel.csv")).body == "We\u2019re sorry \u2013 we won\u2019t proceed. Caf\u00e9 team"
    # UTF-8 with one damaged byte is still UTF-8: its accents must not turn into mojibake
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8") + b'2,"bad \xff byte"\n')
    first, second = read_messages(tmp_path / "utf8.csv")
    assert first.body.endswith("Caf\u00e9 team") and second.body == "bad \ufffd byte"
    (tmp_path / "unicode.txt.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode Text"
    assert next(read_messages(tmp_path / "unicode.txt.csv")).body.startswith("We\u2019re sorry")
    # compressed, the encoding is still told from the first megabyte, not one decompressed block
    late = "id,body\n" + "".join(f"{i},plain ascii filler row {i}\n" for i in range(6000)) + text.split("\n")[1] + "\n"
    (tmp_path / "late.csv.gz").write_bytes(gzip.compress(late.encode("cp1252")))
    assert list(read_messages(tmp_path / "late.csv.gz"))[-1].body.endswith("Caf\u00e9 team")


def test_an_html_only_table_is_read(tmp_path):
    # JSONL took an "html" field without "body"; CSV refused the same export.
    (tmp_path / "h.csv").write_text('id,html\n1,"<p>We will <b>not</b> proceed.</p>"\n', encoding="utf-8")
    (e,) = read_messages(tmp_path / "h.csv")
    assert e.error is None and "<b>not</b>" in e.html
    with pytest.raises(InputError, match="body column 'txt' not found"):  # named on purpose: must exist
        list(read_messages(tmp_path / "h.csv", body="txt"))


_record = st.text(min_size=1, max_size=30).filter(str.strip)
# arrays first (files joined with cat), then JSON lines and pretty-printed
# objects in any order (an array on a JSON line is one line holding a list: an error row)
_shapes = st.tuples(st.lists(st.tuples(st.just("array"), _record), max_size=3),
                    st.lists(st.tuples(st.sampled_from(["line", "pretty"]), _record), max_size=6)
                    ).map(lambda t: t[0] + t[1]).filter(bool)


@settings(max_examples=60, deadline=None)
@given(records=_shapes, gz=st.booleans())
def test_any_mix_of_json_lines_arrays_and_pretty_objects_reads_every_record(tmp_path_factory, records, gz):
    parts = []
    for i, (shape, body) in enumerate(records):
        rec = {"id": f"r{i}", "body": body, "meta": {"n": [i]}}
        parts.append(json.dumps(rec) if shape == "line" else json.dumps(rec, indent=2) if shape == "pretty"
                     else json.dumps([rec]))
    text = "\n".join(parts) + "\n"
    path = tmp_path_factory.mktemp("mix") / ("m.json.gz" if gz else "m.json")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    got = list(read_messages(path))
    assert [(e.id, e.body, e.error) for e in got] == [(f"r{i}", b, None) for i, (_, b) in enumerate(records)]
