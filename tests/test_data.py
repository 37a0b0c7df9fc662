import dataclasses
import json
import subprocess
import sys

import pytest

from rejectlens import data
from rejectlens.cli import main
from rejectlens.corpus import assign_splits, check_corpus, load_corpus, split_records
from rejectlens.errors import DataError
from rejectlens.records import read_records, validate_labels
from tests.conftest import ROOT


def test_project_corpus_passes_the_check(capsys):
    assert main(["data", "check", str(ROOT / "data")]) == 0
    out = capsys.readouterr().out
    assert "corpus check passed" in out and "reason:timing" in out


def test_splits_are_by_group_and_deterministic():
    corpus = load_corpus(ROOT / "data")
    a, b = assign_splits(corpus), assign_splits(list(reversed(corpus)))
    assert a == b
    written = [r for r in corpus if r["origin"] == "written"]
    test = split_records(corpus, "test")
    assert len(test) >= 0.2 * len(written)
    assert all(r["origin"] == "written" for r in test + split_records(corpus, "dev"))
    groups = {s: {r["group"] for r in split_records(corpus, s)} for s in ("train", "dev", "test")}
    assert not groups["train"] & groups["test"] and not groups["dev"] & groups["test"]


def write_corpus(tmp_path, records):
    (tmp_path / "written").mkdir()
    (tmp_path / "written" / "x.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return tmp_path


def rec(i, **kw):
    base = {"id": f"r{i}", "subject": "s", "body": f"email number {i} says something {i * 7}",
            "sender": "a@b", "group": f"g{i}", "origin": "written", "is_rejection": False,
            "personalization": None, "reasons": [], "stage": None, "feedback_offered": False,
            "reapply_encouraged": False}
    base.update(kw)
    return base


def test_check_reports_schema_duplicates_and_coverage(tmp_path):
    records = [rec(i) for i in range(5)]
    records.append(rec(5, body=records[0]["body"]))
    records.append(rec(6, is_rejection=True, stage="later"))
    report = check_corpus(write_corpus(tmp_path, records), minimums={"emails": 100})
    text = "\n".join(report.problems)
    assert not report.ok
    assert "exact duplicate: r0 and r5" in text
    assert "stage: expected screening | interview | unknown; offending: r6 (row 7, found 'later')" in text
    assert "coverage: emails is 7, needs at least 100" in text


def test_check_cli_exits_non_zero_on_failure(tmp_path, capsys):
    write_corpus(tmp_path, [rec(0, reasons=["bogus"], is_rejection=True)])
    assert main(["data", "check", str(tmp_path)]) == 1
    assert "problem(s)" in capsys.readouterr().out


def test_validate_labels_lists_allowed_values_and_rows():
    with pytest.raises(DataError, match=r"personalization: expected generic \| personalized; offending: x"):
        validate_labels([{"id": "x", "body": "b", "personalization": "warm"}])


def test_read_csv_with_spreadsheet_cells(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text('body,is_rejection,reasons,stage\n"a\nb",TRUE,"timing;location",\nc,0,,\n')
    rows = read_records(p)
    assert rows[0]["is_rejection"] is True and rows[0]["reasons"] == ["timing", "location"]
    assert rows[0]["stage"] is None and rows[1]["is_rejection"] is False and rows[1]["reasons"] is None
    validate_labels(rows)


def test_the_old_data_module_names_the_same_objects():
    import rejectlens.corpus.load
    import rejectlens.records

    assert data.read_records is read_records and data.check_corpus is check_corpus
    assert data.bundled_corpus is rejectlens.corpus.load.bundled_corpus
    assert data.data_hash is rejectlens.records.data_hash and data.__all__
    assert all(hasattr(data, name) for name in data.__all__)


def test_validation_follows_the_label_schema(monkeypatch):
    # One schema: a value labels.schema() allows is valid, whatever the field.
    from rejectlens import labels, records

    spec = labels.schema()
    monkeypatch.setattr(records, "schema", lambda: {**spec, "stage": [*spec["stage"], "offer"]})
    validate_labels([{"id": "x", "body": "b", "stage": "offer"}])
    with pytest.raises(DataError, match=r"reasons: expected a list drawn from other_candidates, "):
        validate_labels([{"id": "x", "body": "b", "reasons": "timing"}])


def test_check_reports_unlabelled_records_and_decision_marks_that_match_nothing(tmp_path):
    records = [rec(0, job_related=True, is_rejection=None), rec(1, job_related=None, sender=12),
               rec(2, job_related=True, is_rejection=True, personalization="generic", reasons=[],
                   stage="unknown", body="Thanks. We will not move forward with your application.")]
    write_corpus(tmp_path, records)
    (tmp_path / "decisions").mkdir()
    marks = tmp_path / "decisions" / "m.jsonl"
    marks.write_text('{"id": "r2", "decision": ["We have chosen another candidate."]}\n'
                     '{"id": "gone", "decision": ["We will not move forward."]}\n')
    text = "\n".join(check_corpus(tmp_path, minimums={}).problems)
    assert "r0: is_rejection must be true or false; found None" in text
    assert "r1: job_related must be true or false; found None" in text and "r1: sender must be text" in text
    assert "'r2': the marked sentence 'We have chosen another candidate.' is not in its body" in text
    assert "'gone' is marked, but no record has that id" in text
    # in the body, but too short to stand for its sentence: training would read r2 as unmarked
    marks.write_text('{"id": "r2", "decision": ["not move forward"]}\n')
    text = "\n".join(check_corpus(tmp_path, minimums={}).problems)
    assert "'r2': no marked sentence matches a sentence of its cleaned text" in text
    marks.write_text('{"id": "r2", "decision": ["We will not move forward"]}\n' * 2)
    with pytest.raises(DataError, match=r"m.jsonl:2: expected one mark per id; 'r2' is marked again"):
        check_corpus(tmp_path, minimums={})


def test_check_report_is_a_frozen_result(tmp_path):
    report = check_corpus(write_corpus(tmp_path, [rec(0, job_related=True)]), minimums={"emails": 1})
    assert report.ok and report.table[0] == ("emails", 1, 1) and report.splits["test"] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.problems = ("x",)


def test_corpus_build_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "rejectlens.corpus.build", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "python -m rejectlens.corpus.build" in done.stdout and "--output" in done.stdout


def test_labels_from_arrays_and_predictions_are_plain_labels():
    import numpy as np

    from rejectlens.records import as_records

    flags = np.array([True, False])
    rows = as_records([
        {"body": "We will not move forward.", "is_rejection": flags[0], "reasons": ("other_candidates",),
         "feedback_offered": flags[1]},
        {"body": "Thanks for applying.", "is_rejection": flags[1], "reasons": np.array([], dtype=object),
         "stage": np.array(["", "interview"])[0]},
    ])
    assert rows[0]["is_rejection"] is True and rows[0]["feedback_offered"] is False
    assert rows[0]["reasons"] == ["other_candidates"] and rows[1]["reasons"] == []
    assert rows[1]["stage"] is None  # an empty numpy string is unlabelled, as "" is
    validate_labels(rows)  # a numpy True is true, a Prediction's tuple of reasons a list


def test_pandas_na_is_unlabelled_as_nan_is():
    import pandas as pd

    from rejectlens.records import as_records, refuse_misspelt_labels

    rows = as_records([{"body": "We will not move forward.", "is_rejection": True, "stage": pd.NA,
                        "feedback_offered": pd.NA, "is_rejected": pd.NA}])
    assert rows[0]["stage"] is None and rows[0]["feedback_offered"] is None
    validate_labels(rows)
    refuse_misspelt_labels(rows)  # an empty look-alike column is no typo of a label


def test_sheet_spellings_and_contradictions_of_non_job_mail(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("body;is_rejection;reasons;stage\nWe will not proceed.;TRUE;Other_Candidates, Location;"
                     "Screening\n;;;\n;;;\n")
    rows = read_records(sheet)  # Excel's trailing rows of empty cells hold nothing: skipped
    assert rows == [{"body": "We will not proceed.", "is_rejection": True,
                     "reasons": ["other_candidates", "location"], "stage": "screening"}]
    validate_labels(rows)
    from rejectlens.records import as_records  # a JSON list is read in any case too

    assert as_records([{"body": "x", "reasons": ["Position_Filled", "timing"]}])[0]["reasons"] == [
        "position_filled", "timing"]
    # only job mail is ever a rejection: rejection-only labels on non-job mail contradict it
    flat = [{"body": "The landlord chose another applicant.", "job_related": False,
             "reasons": ["other_candidates"], "personalization": "generic"}]
    with pytest.raises(DataError, match="found personalization, reasons on mail labelled job_related false"):
        validate_labels(flat)
    with pytest.raises(DataError, match=r"no body column .* columns found: Body, is_rejection"):
        validate_labels([{"Body": "x", "is_rejection": True}])
