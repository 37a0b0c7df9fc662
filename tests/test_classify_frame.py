"""Classifier.classify_frame(df, keep=True): the input columns beside the predictions."""

import pandas as pd
import pytest

from rejectlens.errors import InputError
from rejectlens.prediction import OUTPUT_FIELDS

ROWS = {
    "id": ["m1", "m2", "m3"],
    "subject": ["Your application", "Tuesday", "Your parcel"],
    "date": ["2026-05-01", "2026-05-02", "2026-05-03"],
    "text": ["Thank you for applying. We have decided to move forward with other candidates.",
             "Could you do a call on Tuesday at 3pm about the Designer role?",
             "Your parcel is out for delivery today."],
    "is_rejection": [True, False, False],  # the user's own labels
}


def test_keep_puts_input_columns_first_and_renames_clashes(default_model):
    df = pd.DataFrame(ROWS, index=[7, 7, 3])  # a non-default index, duplicated
    out = default_model.classify_frame(df, body="text", keep=True)
    assert out.columns.tolist() == ["id_input", "subject", "date", "text", "is_rejection_input",
                                    *OUTPUT_FIELDS]
    assert out.index.tolist() == [7, 7, 3]
    plain = default_model.classify_frame(df, body="text")
    pd.testing.assert_frame_equal(out[list(OUTPUT_FIELDS)], plain)
    assert out["date"].tolist() == ROWS["date"] and out["id_input"].tolist() == ROWS["id"]
    assert out["is_rejection_input"].tolist() == ROWS["is_rejection"]
    assert out["is_rejection"].tolist() == [True, False, False]
    assert out["id"].tolist() == ["m1", "m2", "m3"]  # read from the input id column
    assert df.columns.tolist() == list(ROWS)  # the input frame is left as it was


def test_keep_on_an_earlier_output_keeps_every_column_under_its_own_name(default_model):
    once = default_model.classify_frame(pd.DataFrame(ROWS), body="text", keep=True)
    twice = default_model.classify_frame(once, body="text", keep=True)
    assert twice.columns.is_unique and len(twice.columns) == len(once.columns) + len(OUTPUT_FIELDS)
    assert twice["id_input"].tolist() == ROWS["id"]  # the first run's input column, untouched
    assert twice["id_input_2"].tolist() == once["id"].tolist()
    assert twice["is_rejection"].tolist() == once["is_rejection"].tolist()


def test_keep_false_is_unchanged_and_empty_frames_keep_their_columns(default_model):
    df = pd.DataFrame({"body": ["We regret the position has been filled."], "n": [1]})
    assert default_model.classify_frame(df).columns.tolist() == list(OUTPUT_FIELDS)
    empty = default_model.classify_frame(df.iloc[:0], keep=True)
    assert empty.columns.tolist() == ["body", "n", *OUTPUT_FIELDS] and len(empty) == 0


def test_a_named_column_that_is_not_there_and_a_non_frame_are_clear_errors(default_model):
    df = pd.DataFrame(ROWS)
    with pytest.raises(InputError, match="id column 'msgid' not found; columns found: id, subject"):
        default_model.classify_frame(df, body="text", id="msgid")
    with pytest.raises(InputError, match="expected a pandas DataFrame; found Series"):
        default_model.classify_frame(df["text"])
