"""Retraining on a user's own labels: any subset of label columns, a base model for the rest."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import rejectlens
from rejectlens.cli import main
from rejectlens.corpus.load import bundled_corpus
from rejectlens.errors import DataError, ModelFileError
from rejectlens.training import train


def partial(records, fields=("is_rejection", "personalization")):
    return [{k: v for k, v in r.items() if k in ("id", "body", "subject", "group", *fields)}
            for r in records]


def test_missing_heads_come_from_the_base_model(small_records, default_model, tmp_path):
    model = train(partial(small_records), base=default_model, cv=2, min_df=1)
    assert set(model.compiled()[1].heads_) == {"is_rejection", "personalization"}
    p = model.classify(small_records[1]["body"])
    assert p.is_rejection and p.stage in rejectlens.STAGES and p.reasons is not None
    model.save(tmp_path / "m")
    again = rejectlens.load(tmp_path / "m")
    assert again.fallback is not None and (tmp_path / "m" / "base" / "manifest.json").is_file()
    assert [x.to_dict() for x in again.classify_many(small_records)] == [
        x.to_dict() for x in model.classify_many(small_records)]


def test_without_a_base_untrained_heads_stay_empty(small_records):
    # n_jobs=0 is one worker per core, as for classify (joblib refused 0 with a traceback)
    model = train(partial(small_records, ("is_rejection",)), base=None, cv=2, min_df=1, n_jobs=0)
    p = model.classify(small_records[0]["body"])
    assert p.is_rejection is True
    assert p.personalization is None and p.stage is None and p.reasons == ()


def test_a_changed_base_is_refused(small_records, default_model, tmp_path):
    train(partial(small_records), base=default_model, cv=2, min_df=1).save(tmp_path / "m")
    (tmp_path / "m" / "base" / "manifest.json").write_text("{}")
    with pytest.raises(ModelFileError, match="base model"):
        rejectlens.load(tmp_path / "m")


def test_too_few_examples_says_the_counts():
    rows = [{"body": f"we regret {i}", "is_rejection": True} for i in range(5)]
    rows.append({"body": "interview monday", "is_rejection": False})
    with pytest.raises(DataError, match=r"no head could be trained.*is_rejection \{'false': 1, 'true': 5\}"):
        train(rows, cv=2)


def test_bad_label_values_and_no_labels_are_clear_errors():
    with pytest.raises(DataError, match=r"stage: expected screening \| interview \| unknown; offending: r1"):
        train([{"id": "r1", "body": "x", "stage": "final"}])
    with pytest.raises(DataError, match="no label columns found"):
        train([{"body": "x"}, {"body": "y"}])
    with pytest.raises(DataError, match="cv must be at least 2"):
        train([{"body": "x", "is_rejection": True}], cv=1)
    with pytest.raises(rejectlens.InputError, match="n_jobs must be an integer"):
        train([{"body": "x", "is_rejection": True}], n_jobs="2")



def test_labels_that_contradict_each_other_are_refused():
    # A rental refusal labelled a rejection, reasons on a non-rejection, one id twice: each
    # would teach a head the opposite of the labeling guide.
    rows = [{"id": "flat", "body": "The landlord chose another tenant.", "is_rejection": True,
             "job_related": False},
            {"id": "ack", "body": "We received your application.", "is_rejection": False,
             "reasons": ["location"]},
            {"id": "ack", "body": "We received your application.", "is_rejection": True}]
    with pytest.raises(DataError) as err:
        train(rows)
    text = str(err.value)
    assert "job_related of a rejection: expected true" in text and "flat (row 1" in text
    assert "rejection-only labels: expected none on a non-rejection" in text and "found reasons" in text
    assert "id: expected one set of labels per id; offending: ack (row 3" in text
    # classify refuses an empty body, so training must not learn from one either
    with pytest.raises(DataError, match=r"body: expected the email's text; offending: row 2 \(found '  \\n'\)"):
        train([{"body": "we regret", "is_rejection": True}, {"body": "  \n", "is_rejection": False}])


def test_training_is_seeded(small_records):
    a = train(small_records, seed=5, cv=3, min_df=1)
    b = train(small_records, seed=5, cv=3, min_df=1)
    assert a.thresholds == b.thresholds
    assert a.manifest["training"]["data_hash"] == b.manifest["training"]["data_hash"]


def test_bundled_corpus_is_train_and_dev_only():
    rows = bundled_corpus()
    assert len(rows) > 2000 and not any(k.startswith("_") for k in rows[0])


def test_cli_train_on_a_spreadsheet(small_records, tiny_corpus, small_model_dir, tmp_path, capsys):
    df = pd.DataFrame(partial(small_records))
    df["is_rejection"] = df["is_rejection"].map({True: "yes", False: "no"})
    df.loc[0, "personalization"] = ""  # an unlabelled cell
    df.to_csv(tmp_path / "labels.csv", index=False)
    code = main(["train", str(tmp_path / "labels.csv"), "-o", str(tmp_path / "m"), "--cv", "2",
                 "--base", str(small_model_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "is_rejection" in out and "retrained" in out and "kept from base" in out
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert "is_rejection" in manifest["training"]["retrained_heads"]
    assert manifest["training"]["kept_heads"]["stage"] == "no labels for it in your rows"
    code = main(["train", str(tmp_path / "labels.csv"), "-o", str(tmp_path / "m")])
    assert code == 2 and "--force" in capsys.readouterr().err


def test_cli_train_from_your_rows_alone(small_records, tmp_path, capsys):
    pd.DataFrame(small_records).to_json(tmp_path / "labels.jsonl", orient="records", lines=True)
    code = main(["train", str(tmp_path / "labels.jsonl"), "-o", str(tmp_path / "m"), "--cv", "2",
                 "--base", "none"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cross-validated" in out
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["training"]["class_counts"]["is_rejection"] == {"false": 12, "true": 16}
    assert "base" not in manifest


def test_no_is_rejection_head_and_no_base_is_refused(small_records):
    with pytest.raises(DataError, match=r"is_rejection head cannot be trained.*--base default"):
        train(partial(small_records, ("personalization",)), base=None, cv=2, min_df=1)


def test_a_dataframe_with_gaps_trains_like_its_rows(small_records):
    rows = partial(small_records, ("is_rejection",))
    df = pd.DataFrame(rows).astype({"is_rejection": object})
    df.loc[0, "is_rejection"] = float("nan")  # a blank cell: not labelled
    model = train(df, base=None, cv=2, min_df=1)
    assert model.classify(small_records[0]["body"]).is_rejection is True
    with pytest.raises(DataError, match="expected a mapping of column -> value"):
        train(["a body", "another"])

    from rejectlens.records import as_records

    # read by pandas, a sheet keeps its spellings: 1/0 (floats beside a gap), "a;b", "none"
    sheet = pd.DataFrame({"body": ["x", "y", "z"], "is_rejection": [1.0, 0.0, float("nan")],
                          "reasons": ["location;timing", None, "none"]})
    assert [(r["is_rejection"], r["reasons"]) for r in as_records(sheet)] == [
        (True, ["location", "timing"]), (False, None), (None, [])]
