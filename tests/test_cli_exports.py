"""`rejectlens classify` over real exports: one row per message, in order, errors kept."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from rejectlens.cli import main
from rejectlens.errors import MissingDependencyError
from tests.test_readers import build_messages, write_mbox


@pytest.fixture(scope="module")
def mbox(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "takeout.mbox"
    write_mbox(path, build_messages())
    return path


def run(args, capsys):
    code = main(args)
    return code, capsys.readouterr().err


def test_mbox_to_jsonl_keeps_every_message(mbox, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code, err = run(["classify", str(mbox), "-o", str(out), "--chunk-size", "7"], capsys)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 50
    assert [r["subject"] for r in rows[:40]] == [f"msg-{i:02d}" for i in range(40)]
    assert rows[0]["id"] == "<m0@example.com>" and rows[0]["date"].startswith("Mon, 23 Nov")
    assert list(rows[0])[:4] == ["id", "date", "sender", "subject"]
    errors = [r for r in rows if r["error"]]
    assert [r["subject"] for r in errors] == ["msg-47"]  # the attachment-only message
    assert code == 1  # some rows carry an error
    assert "messages read: 50" in err and "rows with errors: 1" in err
    assert rows[1]["is_rejection"] is True and rows[0]["is_rejection"] is False
    assert next(r for r in rows if r["subject"] == "msg-49")["is_rejection"] is True  # forwarded


def test_mbox_to_parquet_and_csv(mbox, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    run(["classify", str(mbox), "-o", str(tmp_path / "o.parquet"), "--quiet"], capsys)
    df = pd.read_parquet(tmp_path / "o.parquet")
    assert len(df) == 50
    assert df["is_rejection"].tolist()[:2] == [False, True]
    assert isinstance(json.loads(df.loc[1, "reasons"]), list)
    assert df["rejection_score"].dtype == "float64"
    run(["classify", str(mbox), "-o", str(tmp_path / "o.csv"), "--quiet"], capsys)
    csv = pd.read_csv(tmp_path / "o.csv")
    assert len(csv) == 50 and list(csv.columns[:4]) == ["id", "date", "sender", "subject"]
    assert (csv["id"] == df["id"]).all()


def test_only_rejections_keeps_rejections_and_errors(mbox, tmp_path, capsys):
    out = tmp_path / "rej.jsonl"
    run(["classify", str(mbox), "-o", str(out), "--only-rejections", "--quiet"], capsys)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(r["is_rejection"] or r["error"] for r in rows)
    assert any(r["error"] for r in rows)


def test_several_inputs_and_parallel_jobs(tmp_path, capsys):
    pd.DataFrame({"id": ["c1", "c2"], "body": ["We regret to inform you.", "See you Monday!"]}).to_csv(
        tmp_path / "a.csv", index=False)
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "j1", "body": "The role has been filled."}) + "\n")
    out = tmp_path / "o.jsonl"
    code, _ = run(["classify", str(tmp_path / "a.csv"), str(tmp_path / "b.jsonl"), "-o", str(out),
                   "--n-jobs", "2", "--chunk-size", "1", "--quiet"], capsys)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["c1", "c2", "j1"]


def test_huge_and_junk_bodies_never_crash(tmp_path, capsys):
    big = "We regret to inform you. " + "lorem ipsum " * 450_000  # ~5 MB
    junk = bytes(range(256)).decode("latin-1") * 20
    pd.DataFrame({"id": ["big", "junk", "empty"], "body": [big, junk, ""]}).to_csv(tmp_path / "x.csv", index=False)
    out = tmp_path / "o.jsonl"
    code, _ = run(["classify", str(tmp_path / "x.csv"), "-o", str(out), "--quiet"], capsys)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["big", "junk", "empty"]
    assert rows[0]["error"] is None and rows[1]["error"] is None
    # no text, no answer: an empty body is an error row, never a rejection
    assert rows[2]["error"].startswith("empty body") and rows[2]["is_rejection"] is None
    assert code == 1
    assert "truncated" in rows[0]["signals"]


def test_interrupted_run_leaves_no_file(mbox, tmp_path, capsys, monkeypatch):
    from rejectlens import writers

    calls = {"n": 0}
    original = writers.PredictionWriter.write_text

    def flaky(self, text):
        calls["n"] += 1
        if calls["n"] == 3:  # the third chunk of rows
            raise KeyboardInterrupt
        original(self, text)

    monkeypatch.setattr(writers.PredictionWriter, "write_text", flaky)
    out = tmp_path / "o.jsonl"
    code, err = run(["classify", str(mbox), "-o", str(out), "--quiet", "--chunk-size", "2"], capsys)
    assert code == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_column_and_bad_paths_fail_before_output(tmp_path, capsys):
    pd.DataFrame({"text": ["x"]}).to_csv(tmp_path / "a.csv", index=False)
    code, err = run(["classify", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 2 and "body column 'body' not found; columns found: text" in err
    assert "Traceback" not in err and not (tmp_path / "o.jsonl").exists()
    code, err = run(["classify", str(tmp_path / "nope.mbox")], capsys)
    assert code == 2 and "does not exist" in err
    (tmp_path / "d").mkdir()
    code, err = run(["classify", str(tmp_path / "d")], capsys)
    assert code == 2 and "holds no .eml or .mbox files" in err
    code, err = run(["classify", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.xlsx")], capsys)
    assert code == 2 and "use .jsonl, .csv or .parquet" in err


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    from rejectlens.readers import read_messages

    (tmp_path / "a.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'rejectlens\[parquet\]'"):
        list(read_messages(tmp_path / "a.parquet"))


def test_failed_parquet_close_leaves_no_file_and_outputs_follow_umask(tmp_path, capsys, monkeypatch):
    import os

    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "body": "We regret."}) + "\n")
    code, _ = run(["classify", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--quiet"], capsys)
    assert code == 0
    assert os.stat(tmp_path / "o.jsonl").st_mode & 0o777 == 0o666 & ~_umask()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, err = run(["classify", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.parquet"), "--quiet"], capsys)
    assert code == 2 and "rejectlens[parquet]" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "o.jsonl"]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_csv_on_stdin(tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO('id,text\ns1,"We regret to say that the Data Analyst\nposition you applied for at Acme has been filled."\n'))
    code = main(["classify", "-", "--input-format", "csv", "--body-col", "text", "--quiet"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [r["id"] for r in rows] == ["s1"] and rows[0]["is_rejection"] is True


def test_force_never_replaces_an_input(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,We regret to tell you the role has been filled.\n")
    code, err = run(["classify", str(src), "-o", str(src), "--force"], capsys)
    assert code == 2 and "expected a path apart from the inputs" in err and "is the input" in err
    assert src.read_text().startswith("id,body")
    code, err = run(["classify", str(src), "-o", str(tmp_path), "--format", "parquet", "--force"], capsys)
    assert code == 2 and "holds the input" in err
