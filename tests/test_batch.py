"""`classify --n-jobs`: workers read, classify and format their own chunks; the
output is the same file, row for row and byte for byte, as one process writes."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from rejectlens.batch import RowFormat, classify_chunk, classify_chunks, resolve_n_jobs
from rejectlens.cli import main
from rejectlens.prediction import OUTPUT_FIELDS
from rejectlens.readers import Columns, RawMessage, read_messages
from tests.test_readers import build_messages, write_mbox

BODIES = [
    "Thank you for applying. We have decided to move forward with other candidates.",
    "Could you do a call on Tuesday at 3pm about the analyst role?",
    "Unfortunately the position has been filled. We will keep your CV on file.",
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    lines = []
    for i in range(61):
        if i == 17:
            lines.append('{"id": "bad", "body": ')  # not JSON: an error row, not a stop
        elif i == 30:
            lines.append(json.dumps({"id": "empty", "body": "   "}))
        elif i == 41:
            lines.append(json.dumps({"id": "nobody", "text": "x"}))
        else:
            lines.append(json.dumps({"id": f"r{i}", "subject": "Your application",
                                     "body": BODIES[i % 3] + f" Ref {i}."}))
    (d / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_mbox(d / "in.mbox", build_messages())
    return d


def _run(args, capsys):
    code = main(args)
    capsys.readouterr()
    return code


@pytest.mark.parametrize("name", ["in.jsonl", "in.mbox"])
@pytest.mark.parametrize("ext", ["jsonl", "csv"])
def test_two_jobs_write_the_same_file_as_one(inputs, tmp_path, capsys, name, ext):
    src = str(inputs / name)
    one, two, every = (tmp_path / f"{k}.{ext}" for k in ("one", "two", "every"))
    assert _run(["classify", src, "-o", str(one), "--chunk-size", "7", "--quiet"], capsys) == 1
    assert _run(["classify", src, "-o", str(two), "--chunk-size", "7", "--n-jobs", "2",
                 "--quiet"], capsys) == 1
    assert _run(["classify", src, "-o", str(every), "--chunk-size", "5", "--n-jobs", "0",
                 "--quiet"], capsys) == 1
    assert one.read_bytes() == two.read_bytes() == every.read_bytes()
    if ext == "jsonl":
        rows = [json.loads(line) for line in one.read_text().splitlines()]
        assert len(rows) == (61 if name == "in.jsonl" else 50)  # one row per message
        if name == "in.jsonl":
            assert [r["id"] for r in rows[15:19]] == ["r15", "r16", f"{inputs / name} line 18", "r18"]
            assert "not valid JSON" in rows[17]["error"] and rows[30]["error"].startswith("empty body")
            assert "body field 'body' missing" in rows[41]["error"]


def test_filters_and_summary_are_the_same_with_two_jobs(inputs, tmp_path, capsys):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}.jsonl"
        main(["classify", str(inputs / "in.jsonl"), "-o", str(out), "--only-rejections",
              "--n-jobs", jobs, "--chunk-size", "4"])
        outs.append((out.read_text(), capsys.readouterr().err))
    assert outs[0] == outs[1]
    rows = [json.loads(line) for line in outs[0][0].splitlines()]
    assert rows and all(r["is_rejection"] or r["error"] for r in rows)
    assert "messages read: 61" in outs[0][1] and "rows with errors: 3" in outs[0][1]


def test_raw_messages_parse_to_the_emails_read_directly(inputs):
    for name in ("in.jsonl", "in.mbox"):
        raw = list(read_messages(inputs / name, raw=True))
        assert all(isinstance(x, RawMessage) for x in raw)
        assert [x.parse(Columns()) for x in raw] == list(read_messages(inputs / name))


def test_classify_chunk_keeps_one_row_per_message(default_model, inputs):
    items = list(read_messages(inputs / "in.jsonl", raw=True))
    form = RowFormat("parquet", tuple(OUTPUT_FIELDS))
    rows, stats = classify_chunk(default_model, items, form)
    assert len(rows) == stats["read"] == 61 and stats["errors"] == 3
    text, _ = classify_chunk(default_model, items, RowFormat("jsonl", tuple(OUTPUT_FIELDS)))
    assert [json.loads(line) for line in text.splitlines()] == [
        {c: r[c] for c in OUTPUT_FIELDS} for r in json.loads(json.dumps(rows))]
    chunks = list(classify_chunks(default_model, items, form, chunk_size=10))
    assert [len(r) for r, _ in chunks] == [10] * 6 + [1]
    assert sum((s for _, s in chunks), Counter()) == stats


def test_n_jobs_must_not_be_negative_on_the_command_line(inputs, tmp_path, capsys):
    assert resolve_n_jobs(0) >= 1 and resolve_n_jobs(3) == 3
    code = main(["classify", str(inputs / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--n-jobs", "-2"])
    assert code == 2 and "--n-jobs must be 0 (every core) or a positive integer; got -2" in \
        capsys.readouterr().err


def test_classify_many_n_jobs_zero_uses_every_core_and_gives_the_same_answers(default_model):
    items = [{"id": f"x{i}", "body": BODIES[i % 3] + f" Ref {i}."} for i in range(12)]
    one = [p.to_dict() for p in default_model.classify_many(items, batch_size=4)]
    assert [p.to_dict() for p in default_model.classify_many(items, batch_size=4, n_jobs=0)] == one


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_classify_leaves_the_garbage_collector_as_it_found_it(inputs, tmp_path, capsys, jobs):
    import gc

    # a run freezes its long-lived objects (model, analyser) and thaws them when it
    # ends, also on an error
    out = tmp_path / "o.jsonl"
    assert _run(["classify", str(inputs / "in.jsonl"), "-o", str(out), "--n-jobs", jobs,
                 "--quiet"], capsys) == 1
    assert gc.get_freeze_count() == 0
    assert _run(["classify", str(inputs / "in.jsonl"), "-o", str(out), "--quiet"], capsys) == 2
    assert gc.get_freeze_count() == 0
