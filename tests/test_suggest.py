import numpy as np
import pandas as pd

from rejectlens.cli import main
from rejectlens.records import read_records
from rejectlens.suggest import suggest, uncertainty
from tests.conftest import SMALL_SET


def test_uncertainty_peaks_at_the_threshold():
    proba = {"is_rejection": np.array([0.5, 0.99, 0.01]), "feedback_offered": np.array([0.4, 0.95, 0.4])}
    score, unsure = uncertainty(proba, {"is_rejection": 0.5, "feedback_offered": 0.4})
    assert score[0] == 1.0 and score[1] < 0.1
    assert score[2] < 0.1  # not a rejection, so its feedback head hardly matters
    assert "is_rejection" in unsure[0] and unsure[1] == []


def test_suggest_prefers_variety_over_near_copies(default_model):
    borderline = "We have put the role on hold for now and will be in touch when things change."
    pool = [borderline + f" Ref {i}." for i in range(10)] + [r["body"] for r in SMALL_SET]
    picks = suggest(default_model, pool, n=4)
    assert len(picks) == 4
    assert sum(b.startswith("We have put the role on hold") for b in picks["body"]) <= 2
    assert list(picks.columns[:4]) == ["id", "subject", "sender", "body"]
    assert set(picks["is_rejection_guess"]) <= {"true", "false"}
    assert set(picks["is_rejection"]) == {""}  # the answer is the person's to give


def test_cli_suggest_writes_a_csv_train_can_read(tmp_path, capsys):
    src = tmp_path / "unlabeled.csv"
    pd.DataFrame({"id": [r["id"] for r in SMALL_SET], "body": [r["body"] for r in SMALL_SET]}).to_csv(src, index=False)
    out = tmp_path / "to_label.csv"
    assert main(["suggest", str(src), "-n", "3", "-o", str(out)]) == 0
    rows = read_records(out)
    # unanswered, every label reads as "not labelled"; the guesses sit beside them
    assert len(rows) == 3 and all(r["is_rejection"] is None and r["job_related"] is None for r in rows)
    assert all(r["is_rejection_guess"] in ("true", "false") for r in rows)
    assert (tmp_path / "to_label.README.txt").is_file()
    assert main(["suggest", str(src), "-n", "3", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["suggest", str(src), "-n", "3", "-o", str(tmp_path / "to_label.jsonl")]) == 2
    assert "expected a .csv file for the label sheet" in capsys.readouterr().err
    assert main(["suggest", str(src), "-n", "3", "-o", str(src), "--force"]) == 2
    assert "is the input" in capsys.readouterr().err and len(pd.read_csv(src)) == len(SMALL_SET)


def test_suggest_asks_for_an_email_once_however_often_the_export_lists_it(default_model):
    rows = [{"id": r["id"], "body": r["body"]} for r in SMALL_SET] * 3
    picks = suggest(default_model, rows, n=len(SMALL_SET) * 3)
    assert len(picks) == len(set(picks["id"])) == len(SMALL_SET)


def test_cli_suggest_never_overwrites_a_readme_it_did_not_write(tmp_path, capsys):
    src = tmp_path / "unlabeled.csv"
    pd.DataFrame({"id": [r["id"] for r in SMALL_SET], "body": [r["body"] for r in SMALL_SET]}).to_csv(src, index=False)
    mine = tmp_path / "sheet.README.txt"
    mine.write_text("my own notes", encoding="utf-8")
    assert main(["suggest", str(src), "-n", "3", "-o", str(tmp_path / "sheet.csv")]) == 2
    assert "sheet.README.txt exists" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my own notes" and not (tmp_path / "sheet.csv").exists()


def test_suggest_leaves_off_what_has_no_text_and_gives_classifys_ids(default_model):
    rows = [{"body": r["body"]} for r in SMALL_SET]  # no ids: classify's generated ones are used
    rows += [{"id": "s", "body": "Sent from my iPhone"},  # nothing left once cleaned
             {"id": "h", "html": "<html><body><img src='cid:logo'><p>&nbsp;</p></body></html>", "body": ""},
             {"id": "resent", "body": SMALL_SET[0]["body"]}]  # the same email under another id
    picks = suggest(default_model, rows, n=100)
    assert len(picks) == len(SMALL_SET) and picks.attrs["unreadable"] == 2
    assert set(picks["id"]) == {p.id for p in default_model.classify_many([r["body"] for r in SMALL_SET])}
