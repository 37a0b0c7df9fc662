"""Hostile exports (issue 11): no traceback, no lost row, bounded memory, safe spreadsheets.

Each test names the issue item it guards.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from email.message import EmailMessage

import numpy as np
import pandas as pd
import pytest

from rejectlens.cli import main
from rejectlens.readers import read_messages

NO = "Unfortunately we will not proceed with your application."


def run(args, capsys):
    code = main(args)
    return code, capsys.readouterr()


def jsonl_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---- 1. one bad value must not kill the run ----------------------------------------
def test_1_lone_surrogate_id_is_written_in_every_format(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    src = tmp_path / "s.jsonl"
    src.write_text('{"id":"a","body":"Unfortunately no."}\n{"id":"\\udc80","body":"x"}\n')
    for ext in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"out.{ext}"
        code, cap = run(["classify", str(src), "-o", str(out), "--quiet"], capsys)
        assert code == 0, cap.err
        assert "Traceback" not in cap.err
    assert [r["id"] for r in jsonl_rows(tmp_path / "out.jsonl")] == ["a", "\ufffd"]
    assert list(pd.read_csv(tmp_path / "out.csv")["id"]) == ["a", "\ufffd"]
    assert list(pd.read_parquet(tmp_path / "out.parquet")["id"]) == ["a", "\ufffd"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_1_error_row_from_a_file_name_that_is_not_utf8(tmp_path, capsys):
    folder = tmp_path / "mail"
    folder.mkdir()
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.eml")
    with open(bad, "wb") as f:
        f.write(b"")  # empty: an error row whose source is the undecodable name
    (folder / "ok.eml").write_bytes(b"Subject: s\nMessage-ID: <o@x>\n\n" + NO.encode() + b"\n")
    out = tmp_path / "o.jsonl"
    code, cap = run(["classify", str(folder), "-o", str(out), "--quiet"], capsys)
    rows = jsonl_rows(out)
    assert code == 1 and len(rows) == 2 and "Traceback" not in cap.err
    assert "file is empty" in rows[0]["error"] and "\ufffd" in rows[0]["id"]


def test_1_a_deeply_nested_jsonl_line_is_an_error_row(tmp_path, capsys):
    src = tmp_path / "deep.jsonl"
    src.write_text(json.dumps({"id": "a", "body": NO}) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n"
                   + json.dumps({"id": "c", "body": NO}) + "\n")
    out = tmp_path / "o.jsonl"
    code, _ = run(["classify", str(src), "-o", str(out), "--quiet"], capsys)
    rows = jsonl_rows(out)
    assert code == 1 and [r["id"] for r in rows][::2] == ["a", "c"]
    assert "nested too deeply" in rows[1]["error"]


# ---- 2. a truncated .gz keeps what was read -------------------------------------------
def _cut(data: bytes) -> bytes:
    return gzip.compress(data)[: len(gzip.compress(data)) // 2]


@pytest.mark.parametrize("kind", ["jsonl", "csv", "mbox"])
def test_2_truncated_gzip_keeps_rows_read_and_ends_with_an_error(tmp_path, capsys, kind):
    n = 3000
    if kind == "jsonl":
        data = "".join(json.dumps({"id": i, "body": f"{NO} {i}"}) + "\n" for i in range(n)).encode()
    elif kind == "csv":
        data = ("id,body\n" + "".join(f"{i},{NO} {i}\n" for i in range(n))).encode()
    else:
        data = "".join(f"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <{i}@x>\n\n{NO} {i}\n\n"
                       for i in range(n)).encode()
    src = tmp_path / f"t.{kind}.gz"
    src.write_bytes(_cut(data))
    emails = list(read_messages(src))
    assert len(emails) > 100
    assert emails[-1].error and "ends early" in emails[-1].error
    assert all(e.error is None for e in emails[:-2])


def test_2_truncated_eml_gz_in_a_folder_is_one_error_row(tmp_path):
    (tmp_path / "a.eml").write_bytes(b"Subject: a\n\n" + NO.encode())
    (tmp_path / "b.eml.gz").write_bytes(_cut(b"Subject: b\n\n" + NO.encode() * 200))
    (tmp_path / "c.eml").write_bytes(b"Subject: c\n\n" + NO.encode())
    emails = list(read_messages(tmp_path))
    assert [e.error is None for e in emails] == [True, False, True]
    assert "could not be read" in emails[1].error


def test_2_truncated_json_array_keeps_items(tmp_path):
    data = json.dumps([{"id": i, "body": NO} for i in range(2000)]).encode()
    src = tmp_path / "a.json.gz"
    src.write_bytes(_cut(data))
    emails = list(read_messages(src))
    assert len(emails) > 100 and [e.id for e in emails[:3]] == ["0", "1", "2"]
    assert emails[-1].error and all(e.error is None for e in emails[:-1])


# ---- 3. mbox envelopes without a blank line before them ----------------------------------
def test_3_mbox_envelope_without_blank_line_still_separates(tmp_path, capsys):
    src = tmp_path / "nb.mbox"
    src.write_text("".join(f"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <m{i}@x>\nSubject: s\n\n"
                           f"Unfortunately we will not proceed ({i}).\n" for i in range(5)))
    assert [e.id for e in read_messages(src)] == [f"<m{i}@x>" for i in range(5)]


def test_3_a_body_line_starting_with_from_is_not_an_envelope(tmp_path):
    src = tmp_path / "b.mbox"
    src.write_text("From a@b Mon Jan  1 00:00:00 2024\nSubject: s\n\nHello,\nFrom our side the answer is no.\n"
                   "From me, thanks\n")
    (e,) = read_messages(src)
    assert "From our side" in e.body and "From me, thanks" in e.body


# ---- 4. spreadsheet formula injection ---------------------------------------------------
def test_4_csv_outputs_neutralise_formulas(tmp_path, capsys):
    src = tmp_path / "f.csv"
    src.write_text('id,body\n"=HYPERLINK(""http://evil.example"")","=1+1 Unfortunately we have decided '
                   'to move forward."\n+cmd,@SUM(1) We regret to say no.\n')
    out = tmp_path / "out.csv"
    code, cap = run(["classify", str(src), "-o", str(out), "--quiet"], capsys)
    assert code == 0, cap.err
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\")", "'+cmd"]
    lab = tmp_path / "lab.csv"
    assert main(["suggest", str(src), "-n", "2", "-o", str(lab)]) == 0
    with lab.open(newline="") as f:
        cells = [c for r in csv.reader(f) for c in r]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert any(c.startswith("'=1+1 Unfortunately") for c in cells)
    from rejectlens.records import read_records

    assert any(r["body"].startswith("=1+1 Unfortunately") for r in read_records(lab))  # train reads it back


# ---- 5. a per-message cap that bounds memory ------------------------------------------
def test_5_a_huge_mbox_message_keeps_its_start_and_is_marked(tmp_path, capsys):
    src = tmp_path / "big.mbox.gz"
    # One line of a megabyte-plus and many lines: both kinds of size are capped.
    body = NO + " " + "x" * 3_000_000 + "\n" + ("lorem ipsum\n" * 200_000)
    data = (f"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <big@x>\n\n{body}\n"
            f"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <small@x>\n\n{NO}\n")
    src.write_bytes(gzip.compress(data.encode()))
    big, small = read_messages(src, max_message_bytes=100_000)
    assert big.truncated and len(big.body) <= 100_000 and big.body.startswith(NO)
    assert not small.truncated and small.id == "<small@x>"
    out = tmp_path / "o.jsonl"
    code, _ = run(["classify", str(src), "-o", str(out), "--quiet", "--max-message-bytes", "100k"], capsys)
    rows = jsonl_rows(out)
    assert code == 0 and "truncated" in rows[0]["signals"] and "truncated" not in rows[1]["signals"]
    assert rows[0]["is_rejection"] is True


@pytest.mark.parametrize("size", ["lots", "inf", "1e400"])
def test_5_max_message_bytes_flag_is_checked(capsys, size):
    with pytest.raises(SystemExit):
        main(["classify", "x.jsonl", "--max-message-bytes", size])
    assert "expected a size" in capsys.readouterr().err


def test_5_json_arrays_stream_and_long_items_keep_their_start(tmp_path):
    items = [{"id": "a", "body": NO}, {"id": "b", "subject": "s", "body": NO + " " + "y" * 50_000},
             5, {"id": "d", "body": "tricky ], } \" \\ chars"}]
    src = tmp_path / "a.json"
    src.write_text(json.dumps(items))
    emails = list(read_messages(src, max_message_bytes=1000))
    assert [e.id for e in emails] == ["a", "b", None, "d"]
    assert emails[1].truncated and emails[1].body.startswith(NO) and len(emails[1].body) < 1000
    assert "expected a JSON object" in emails[2].error
    assert emails[3].body == "tricky ], } \" \\ chars"


def test_5_a_long_parquet_cell_keeps_its_start(tmp_path):
    pytest.importorskip("pyarrow")
    src = tmp_path / "p.parquet"
    pd.DataFrame({"id": ["a", "b"], "body": [NO + " " + "é" * 50_000, NO]}).to_parquet(src)
    a, b = read_messages(src, max_message_bytes=10_000)
    assert a.truncated and a.body.startswith(NO) and len(a.body.encode()) <= 10_000
    assert b.body == NO and not b.truncated


def test_5_a_long_jsonl_line_keeps_its_start(tmp_path):
    src = tmp_path / "l.jsonl"
    src.write_text(json.dumps({"id": "a", "body": NO + " " + "z" * 5_000_000}) + "\n"
                   + json.dumps({"id": "b", "body": NO}) + "\n")
    a, b = read_messages(src, max_message_bytes=10_000)
    assert a.id == "a" and a.truncated and a.body.startswith(NO) and len(a.body) < 10_000
    assert b.id == "b" and not b.truncated


def test_5_close_json_reads_cut_records():
    from rejectlens.readers import close_json

    assert close_json('{"id": "x", "body": "abc') == {"id": "x", "body": "abc"}
    assert close_json('{"id": "x", "body": "ab\\u00') == {"id": "x", "body": "ab"}
    assert close_json('{"id": "x", "bo') == {"id": "x", "bo": None}
    assert close_json('{"id": "x", "body": ["a", ') == {"id": "x", "body": ["a"]}
    assert close_json("nonsense") is None


# ---- 6. an unclosed quote in a CSV --------------------------------------------------
def test_6_unclosed_quote_keeps_the_rows_after_it(tmp_path, capsys):
    src = tmp_path / "q.csv"
    src.write_text('id,body\nq1,ok\nq2,"unclosed quote\nq3,lost\nq4,lost\n')
    emails = list(read_messages(src))
    assert [e.id for e in emails] == ["q1", None, "q3", "q4"]
    assert "never closed" in emails[1].error
    out = tmp_path / "o.jsonl"
    code, _ = run(["classify", str(src), "-o", str(out), "--quiet"], capsys)
    assert code == 1 and len(jsonl_rows(out)) == 4


@pytest.mark.parametrize("five", ['"quoted row five"', '"quoted, row five"'])
def test_6_a_stray_quote_mid_file_does_not_swallow_the_rows_after_it(tmp_path, five):
    # The quote of row 2 closes at row 5's opening quote: a lenient reader
    # makes rows 3-5 part of row 2's body and says nothing.
    src = tmp_path / "q.csv"
    src.write_text(f'id,body\n1,ok\n2,"unclosed here\n3,three\n4,four\n5,{five}\n6,six\n')
    emails = list(read_messages(src))
    assert [e.id for e in emails] == ["1", None, "3", "4", "5", "6"]
    assert "closes mid-cell" in emails[1].error and emails[4].body.startswith("quoted")


def test_6_thousands_of_broken_quotes_are_read_without_recursion(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("id,body\n" + "".join(f'{i},"open {i}\n{i}b,x"y\n' for i in range(1500)) + "last,ok\n")
    emails = list(read_messages(src))
    assert len(emails) == 3001 and emails[-1].id == "last"
    assert sum(e.error is not None for e in emails) == 1500


def test_6_a_stray_inner_quote_in_a_multiline_cell_is_no_swallowed_row(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text('id,body\n1,"Hi Sam,\nwe liked your "portfolio" a lot\nbut no."\n2,next\n')
    emails = list(read_messages(src))
    assert all(e.error is None for e in emails) and emails[-1].id == "2"


def test_6_quoted_multiline_cells_are_not_taken_for_unclosed_quotes(tmp_path):
    src = tmp_path / "m.csv"
    src.write_text('id,body\nm1,"two\nlines"\nm2,"ends with newline\n"\nm3,"last\nrow"')
    assert [(e.id, e.error) for e in read_messages(src)] == [("m1", None), ("m2", None), ("m3", None)]


# ---- 9. SIGTERM ------------------------------------------------------------------------
def test_9_sigterm_exits_143_and_leaves_no_part_file(tmp_path):
    import signal
    import subprocess
    import time

    out = tmp_path / "o.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rejectlens.cli", "classify", "-", "-o", str(out), "--quiet"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write((json.dumps({"id": "a", "body": NO}) + "\n").encode())
    proc.stdin.flush()
    deadline = time.time() + 60
    while not list(tmp_path.glob(".o.jsonl.*.part")) and time.time() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".o.jsonl.*.part")), "the run never started writing"
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err.decode()
    assert b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# ---- 10. empty bodies through the API ------------------------------------------------
def test_10_empty_none_and_nan_bodies_are_error_rows_in_the_api(default_model):
    items = [{"id": "e", "body": ""}, {"id": "n", "body": None}, {"id": "f", "body": float("nan")},
             {"id": "a", "body": pd.NA}, "  ", {"id": "ok", "body": NO}]
    preds = list(default_model.classify_many(items))
    assert [p.id for p in preds][:4] == ["e", "n", "f", "a"]
    assert all(p.error and p.error.startswith("empty body") for p in preds[:5])
    assert all(p.is_rejection is None for p in preds[:5])
    assert preds[5].error is None and preds[5].is_rejection is True


# ---- 11. ids from pandas and numpy ---------------------------------------------------
def test_11_pandas_na_float_and_array_ids(default_model):
    df = pd.DataFrame({"body": ["a", "b"], "id": pd.array([1, None], dtype="Int64")})
    ids = list(default_model.classify_frame(df)["id"])
    assert ids[0] == "1" and ids[1].startswith("sha1-")
    # error rows get the same id text as good rows
    preds = list(default_model.classify_many([{"id": 5.0, "body": ""}, {"id": 5.0, "body": NO},
                                              {"id": float("nan"), "body": ""},
                                              {"id": np.int64(7), "body": 3}]))
    assert [p.id for p in preds[:2]] == ["5", "5"]
    assert preds[2].id != "nan" and preds[3].id == "7"
    p = default_model.classify({"id": np.array([1, 2]), "body": NO})
    assert p.error is None and p.id.startswith("sha1-")
    gappy = pd.DataFrame({"body": ["", "b"], "id": [5, None]})
    assert default_model.classify_frame(gappy)["id"].iloc[0] == "5"


# ---- 12. the smaller ones -------------------------------------------------------------
def test_12_large_inline_image_does_not_hide_the_text():
    from rejectlens.clean import clean
    from rejectlens.ingest import Email

    html = ('<html><body><img src="data:image/png;base64,' + "A" * 400_000 + '">'
            f"<p>{NO}</p></body></html>")
    c = clean(Email(body=html))
    assert "will not proceed" in c.text


def test_12_dangling_links_and_fifos_in_an_eml_folder_give_rows(tmp_path):
    (tmp_path / "a.eml").write_bytes(b"Subject: a\n\n" + NO.encode())
    (tmp_path / "b.eml").symlink_to(tmp_path / "gone.eml")
    os.mkfifo(tmp_path / "c.eml")
    emails = list(read_messages(tmp_path))
    assert len(emails) == 3 and emails[0].error is None
    assert "could not be read" in emails[1].error and "not a regular file" in emails[2].error


def test_12_a_second_run_to_the_same_output_does_not_overwrite(tmp_path):
    from rejectlens.errors import InputError
    from rejectlens.writers import PredictionWriter

    out = tmp_path / "o.jsonl"
    with pytest.raises(InputError, match="created by something else"), \
            PredictionWriter(str(out), "jsonl", ["id"]) as w:
        w.write({"id": "mine"})
        out.write_text("the other run\n")
    assert out.read_text() == "the other run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl"]


def test_12_output_folder_with_force_is_refused_and_leaves_nothing(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "body": NO}) + "\n")
    (tmp_path / "outdir").mkdir()
    code, cap = run(["classify", str(src), "-o", str(tmp_path / "outdir"), "--format", "jsonl", "--force"],
                    capsys)
    assert code == 2 and "is a folder" in cap.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "outdir"]
    assert list((tmp_path / "outdir").iterdir()) == []


def test_12_attached_messages_are_not_read_as_the_body(tmp_path):
    inner = EmailMessage()
    inner["Subject"] = "old"
    inner.set_content("Old thread: we regret to inform you that the role is filled.")
    outer = EmailMessage()
    outer["Subject"], outer["Message-ID"] = "see attached", "<o@x>"
    outer.set_content("<p>Great news, we would like to invite you to an interview!</p>", subtype="html")
    outer.add_attachment(inner)  # message/rfc822, inline
    outer.get_payload()[1].replace_header("Content-Disposition", "inline")
    src = tmp_path / "a.eml"
    src.write_bytes(outer.as_bytes())
    (e,) = read_messages(src)
    assert "invite you" in e.html and "regret" not in e.body + e.html
    only = EmailMessage()
    only["Subject"] = "fwd"
    only.add_attachment(inner)
    only.get_payload()[0].replace_header("Content-Disposition", "inline")
    src.write_bytes(only.as_bytes())
    (e,) = read_messages(src)
    assert "we regret" in e.body  # a message that is only a forward is read


def test_12_byte_order_mark_on_stdin(monkeypatch, capsys):
    raw = io.BytesIO(("\ufeff" + json.dumps({"id": "a", "body": NO}) + "\n").encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw, encoding="utf-8"))
    code = main(["classify", "-", "--quiet"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and rows[0]["id"] == "a"


def test_12_punycode_charset_and_huge_subject_are_classified(tmp_path, default_model):
    src = tmp_path / "p.mbox"
    src.write_bytes(b"From a@b Mon Jan  1 00:00:00 2024\nSubject: s\nContent-Type: text/plain; charset=punycode\n\n"
                    + NO.encode() + b"\n\nFrom a@b Mon Jan  1 00:00:00 2024\nSubject: " + b"a " * 500_000
                    + b"\n\n" + NO.encode() + b"\n")
    preds = list(default_model.classify_many(read_messages(src)))
    assert [p.error for p in preds] == [None, None]


def test_12_one_corrupt_parquet_row_group_keeps_the_others(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    path = tmp_path / "g.parquet"
    table = pa.table({"id": [f"r{i}" for i in range(6)], "body": [f"{NO} {i}" for i in range(6)]})
    pq.write_table(table, path, row_group_size=2, compression="none")
    meta = pq.ParquetFile(path).metadata
    col = meta.row_group(1).column(1)
    start = col.dictionary_page_offset or col.data_page_offset
    data = bytearray(path.read_bytes())
    data[start : start + col.total_compressed_size] = b"\xff" * col.total_compressed_size
    path.write_bytes(bytes(data))
    emails = list(read_messages(path))
    assert len(emails) == 6
    assert [e.id for e in emails if e.error is None] == ["r0", "r1", "r4", "r5"]
    assert all("row group 1" in e.error for e in emails[2:4])


def test_5_a_huge_csv_cell_keeps_its_start_and_the_next_rows(tmp_path):
    src = tmp_path / "big.csv"
    big = NO + " " + "w" * 300_000 + ' with ""quotes"", commas\nand lines ' + "v" * 100_000
    src.write_text(f'id,body\nb1,"{big}"\nb2,{NO}\nb3,"two\nlines"\n')
    b1, b2, b3 = read_messages(src, max_message_bytes=10_000)
    assert b1.id == "b1" and b1.truncated and b1.body.startswith(NO) and len(b1.body) <= 10_000
    assert (b2.id, b2.body, b2.truncated) == ("b2", NO, False)
    assert (b3.id, b3.body) == ("b3", "two\nlines")


def test_6_a_huge_unclosed_quote_is_read_again_from_the_file(tmp_path):
    src = tmp_path / "q.csv"
    rest = "".join(f"r{i},{NO} {i}\n" for i in range(2000))  # ~120 kB after the open quote
    src.write_text(f'id,body\nq1,ok\nq2,"unclosed quote\n{rest}')
    emails = list(read_messages(src, max_message_bytes=10_000))
    assert [e.id for e in emails] == ["q1", None] + [f"r{i}" for i in range(2000)]
    assert emails[-1].body == f"{NO} 1999" and "never closed" in emails[1].error


def test_12_an_unreadable_folder_gives_an_error_row(tmp_path, monkeypatch):
    from rejectlens.readers import mail

    (tmp_path / "a.eml").write_bytes(b"Subject: a\n\n" + NO.encode())
    (tmp_path / "locked").mkdir()
    real_walk = os.walk

    def walk(top, onerror=None, **kw):  # tests run as root, who reads every folder
        for root, dirs, names in real_walk(top, onerror=onerror, **kw):
            if "locked" in dirs:
                dirs.remove("locked")
                onerror(PermissionError(13, "Permission denied", os.path.join(root, "locked")))
            yield root, dirs, names

    monkeypatch.setattr(mail.os, "walk", walk)
    emails = list(read_messages(tmp_path))
    assert len(emails) == 2 and emails[0].error is None
    assert "locked: folder could not be read" in emails[1].error


# Shapes a real mailbox holds that were quadratic in one function (minutes for one
# email at the sizes below times ten). No timing is asserted: each case is sized
# so a quadratic path would take seconds, and the answers are checked.
def test_pathological_runs_are_read_in_one_pass(default_model):
    from rejectlens import Email
    from rejectlens.clean import _drop_bulky, clean

    assert clean(Email(body="Sent: Monday\n" + "\n" * 8000 + "Thanks, we will not proceed.")).text \
        .endswith("Thanks, we will not proceed.")  # blank lines after a quoted "Sent:"
    assert clean(Email(body="<a " * 30000 + " we regret")).text  # unclosed tags
    # inline styles, scripts and comments go; one left open hides the rest, as in a browser
    assert _drop_bulky("a<style>x{}</STYLE >b<!-- c -->d<script>e") == "a b d "
    assert _drop_bulky("x <!-- y " * 30000).startswith("x  ") and len(_drop_bulky("x <!-- y " * 30000)) < 5
    page = "<html><body><p>Unfortunately we will not proceed.</p>" + "<style>p{}" * 40 + "x" * 250_000
    assert "will not proceed" in clean(Email(body=page)).text
    # a run of punctuation or emoji is one token (spaCy's affix loop searched the rest per mark)
    assert default_model.classify("We will not proceed. " + "*" * 4000 + " Regards").error is None
    assert default_model.classify("We will not proceed." + "\U0001F600" * 4000).error is None
    assert default_model.classify("i " * 20000 + "we will not proceed").error is None  # "I" scopes
    assert default_model.classify("issue " * 6000 + "is not a concern").error is None  # negation scopes


def test_pathological_runs_in_the_report(default_model):
    import rejectlens
    from rejectlens import Email

    body = "Unfortunately we will not move forward with your application.\n" + "-" * 20000
    fwd = ("fyi\n\n---------- Forwarded message ---------\nFrom: Acme <hr@acme.example>\nSubject: x\n\n"
           "We regret to inform you that we will not proceed." + "\n" * 20000 + "Acme")
    r = rejectlens.report([Email(body=body, sender="hr@acme.example", subject="Your application"),
                           Email(body=fwd, sender="sam@home.example", subject="Fwd: x")], model=default_model)
    assert len(r.messages) == 2


def test_a_huge_html_part_is_read_from_its_start():
    from rejectlens.clean import MAX_CHARS, html_to_text

    # an attached message's 2 MB HTML: its text, not a tree of the whole thing (40x its size in memory)
    html = "<html><body><p>We will not proceed.</p>" + "<p>filler words here</p>" * 100_000 + "</body></html>"
    text = html_to_text(html)
    assert text.startswith("We will not proceed.") and len(text) <= 4 * MAX_CHARS
