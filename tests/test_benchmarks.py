import json
import subprocess
import sys

from tests.conftest import ROOT


def test_quick_benchmark_runs_and_reports_ratios(tmp_path):
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    r = json.loads(out.read_text())
    assert r["classify_many_1_job"]["emails"] == 300
    assert r["ratio_time_per_email_vs_tfidf_floor"] > 0
    assert "emails/s" in run.stdout
    assert r["cli_mbox_2_jobs"]["emails"] == 300 and r["cli_csv_2000_rows"]["peak_rss_mb"] > 0
    acc = r["accuracy"]
    for system in ("rejectlens", "tfidf_lr", "rules"):
        assert set(acc[system]["scores"]) == {"is_rejection", "personalization", "reasons", "stage",
                                              "feedback_offered", "reapply_encouraged"}
    from benchmarks.baselines import embeddings_available

    if embeddings_available():
        assert acc["embeddings_lr"]["emails_per_s"] > 0 and r["ratio_throughput_vs_embeddings"] > 0
    else:
        assert "not installed" in acc["embeddings_lr"]["skipped"]
    assert r["growth"]["train_seconds_by_emails"]["250"] > 0
    assert r["cold_start"]["seconds_without_torch"] > 0
    assert {m["jobs"] for m in r["scale"].values()} == {1, 2} and len(r["scale"]) == 6
    assert r["email_words"] == 120 and 90 < r["email_words_mean"] < 150
    assert r["cli_jsonl_2_jobs"]["emails"] == 300
    assert r["dask"]["emails"] == 300 and r["dask"]["workers"] == 2
    assert r["dask"]["ratio_vs_cli_2_jobs"] > 0 and r["dask"]["peak_rss_mb_per_worker"] > 0
    assert "Dask LocalCluster, 2 workers" in run.stdout


def test_retrain_benchmark_fills_a_sheet_as_a_user_would(tmp_path):
    from benchmarks.retrain import fill_sheet
    from rejectlens.records import read_records

    sheet = tmp_path / "s.csv"
    sheet.write_text("id,body,is_rejection_guess,is_rejection,reasons_guess,reasons,stage\n"
                     "a,x,false,,,,\nb,y,true,,none,,\n", encoding="utf-8")
    key = {"a": {"job_related": False, "is_rejection": False},
           "b": {"job_related": True, "is_rejection": True, "personalization": "generic", "reasons": [],
                 "stage": "screening", "feedback_offered": False, "reapply_encouraged": True}}
    assert fill_sheet(sheet, key) == ["a", "b"]
    a, b = read_records(sheet)
    assert (a["is_rejection"], a["reasons"], a["stage"]) == (False, None, None)
    assert (b["is_rejection"], b["reasons"], b["stage"]) == (True, [], "screening")
    assert "reapply_encouraged" not in b  # a column the sheet lacks is not added


def test_model_card_section_names_the_sizes_it_was_measured_on(tmp_path):
    from benchmarks.real_mail import CARD_END, CARD_START, update_card

    m = {"n": 7, "n_rejections": 3, "rej_precision": 1.0, "rej_accuracy": 1.0}
    results = {"realdev": None, "mailbox": {**m, "n": 12, "messages_read": 13},
               "twins": {"pairs": 5, "pairs_right": 4, "share": 0.8, "by_kind": {"cp_hold": "4/5"},
                         "missed_rejections": 1, "false_rejections": 0},
               "heldout": {"a": m, "b": {**m, "n": 1000}}}
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(f"# card\n\n{CARD_START}\nSTALE 1,026 emails\n{CARD_END}\n\nafter\n", encoding="utf-8")
    update_card(card, results)
    text = card.read_text(encoding="utf-8")
    assert "STALE" not in text and text.endswith("after\n") and text.count(CARD_START) == 1
    assert "13 messages of which 12" in text and "5 held-out near-twin pairs" in text and "1,007 emails" in text
    assert "realdev" not in text  # absent on a user's machine: the card does not claim it
