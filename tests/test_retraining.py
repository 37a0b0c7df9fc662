"""Retraining on top of a base model: heads refit where the labels support it, the
corpus cached, the held-out guard, and the label sheet's round trip."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rejectlens
from rejectlens.cli import main
from rejectlens.corpus_cache import corpus_features
from rejectlens.errors import DataError
from rejectlens.records import read_records
from rejectlens.retraining import default_weight, retrain, split_holdout

# A user's own mail: kinds the small base model never saw, four variants each.
_KINDS = [
    ("news", "Career Compass weekly", "A reader got this after two interviews: \"we will not be "
     "continuing with your application\". Here is how to answer it, and three more tips.",
     {"job_related": False, "is_rejection": False}),
    ("flat", "Your rental application", "Thank you for applying for the flat on Mill Road. The landlord "
     "has chosen another tenant, so we cannot offer you the tenancy.",
     {"job_related": False, "is_rejection": False}),
    ("bank", "Card payment", "A payment of 12.40 GBP was made with your card ending 4411 at Corner Shop.",
     {"job_related": False, "is_rejection": False}),
    ("rej", "Your application to Halyard", "Dear Maren, thank you for applying for the Claims Analyst "
     "role. We have decided to progress other applicants whose experience is a closer match.",
     {"job_related": True, "is_rejection": True, "personalization": "generic",
      "reasons": ["other_candidates"], "stage": "screening", "feedback_offered": False,
      "reapply_encouraged": True}),
    ("ack", "We received your application", "Thanks for applying to Kitewire. Our team reviews every "
     "application; if your profile matches, we will contact you.",
     {"job_related": True, "is_rejection": False}),
    ("bare", "Update", "Hello Maren, we will not be moving your application forward. Regards, Talent team.",
     {"job_related": True, "is_rejection": True, "personalization": "generic", "reasons": [],
      "stage": "unknown", "feedback_offered": False, "reapply_encouraged": False}),
]


def user_rows(n_variants: int = 4) -> list[dict]:
    out = []
    for kind, subject, body, labels in _KINDS:
        for k in range(n_variants):
            out.append({"id": f"{kind}-{k}", "subject": subject, "sender": f"x@{kind}{k}.example",
                        "body": f"{body} Ref {k}{'.' * k}", **labels})
    return out


def test_default_weight_lets_a_few_hundred_rows_steer():
    assert default_weight(50, 5000) == default_weight(200, 5000) == 12.5
    assert default_weight(1000, 5000) * 1000 == pytest.approx(0.5 * 5000)
    assert default_weight(10, 20) == 1.0  # never below one corpus row


def test_heads_without_support_are_kept_from_the_base(tiny_corpus, small_model):
    rows = [{k: v for k, v in r.items() if k not in ("personalization", "stage", "reasons")}
            for r in user_rows()]
    result = retrain(rows, base=small_model, holdout=0)
    assert set(result.retrained) == {"job_related", "is_rejection", "reapply_encouraged"}
    kept = {h.name: h.why for h in result.heads if not h.retrained}
    assert "no labels for it" in kept["stage"]
    assert kept["feedback_offered"] == ("needs at least 3 rows of each class; your rows have "
                                        "{'false': 8} (rejections only)")
    base_h, new_h = small_model.compiled()[1], result.model.compiled()[1]
    j_base, j_new = base_h.binary_names.index("personalization"), new_h.binary_names.index("personalization")
    assert np.array_equal(base_h.binary_coef[:, j_base], new_h.binary_coef[:, j_new])
    assert new_h.stage is base_h.stage
    assert "kept from base" in result.render() and "retrained" in result.render()


def test_too_few_rows_of_a_class_keep_the_head_and_say_the_counts(tiny_corpus, small_model):
    # job mail only, two of each kind: every head has fewer than 3 of some class
    rows = [r for r in user_rows(2) if r["id"].split("-")[0] in ("rej", "bare", "ack")]
    with pytest.raises(DataError, match=r"at least 3 labelled rows of every class") as err:
        retrain(rows, base=small_model, holdout=0)
    assert "is_rejection needs at least 3 rows of each class; your rows have" in str(err.value)
    assert "no labels for it" not in str(err.value)  # only the heads the rows label
    typo = [{"body": "We regret.", "is_rejected": True}, {"body": "Hi there.", "is_rejected": False}]
    with pytest.raises(DataError, match=r"column 'is_rejected' is not a label.*did you mean 'is_rejection'"):
        retrain(typo, base=small_model, holdout=0)
    result = retrain(rows, base=small_model, holdout=0, min_class=2)
    why = {h.name: h.why for h in result.heads}
    assert "your rows have {'false': 2, 'true': 2} (rejections only)" in why["reapply_encouraged"]


def test_job_related_labels_are_learned(tiny_corpus, small_model):
    rows = [{"id": r["id"], "body": r["body"], "subject": r["subject"], "job_related": r["job_related"]}
            for r in user_rows()]
    result = retrain(rows, base=small_model, holdout=0)
    assert result.retrained == ("job_related",)
    preds = list(result.model.classify_many(rows))
    assert [p.job_related for p in preds] == [r["job_related"] for r in rows]


def test_the_written_model_saves_and_reloads_identically(tiny_corpus, small_model, tmp_path):
    result = retrain(user_rows(), base=small_model, holdout=0.25)
    assert result.n_holdout >= 0.25 * result.n_user and result.holdout
    result.model.save(tmp_path / "m")
    again = rejectlens.load(tmp_path / "m")
    rows = user_rows()
    assert [p.to_dict() for p in again.classify_many(rows)] == [
        p.to_dict() for p in result.model.classify_many(rows)]
    training = again.manifest["training"]
    assert training["mode"] == "retrain" and training["holdout"]["n"] == result.n_holdout
    assert set(training["retrained_heads"]) == set(result.retrained)


def test_the_corpus_matrix_is_cached_and_a_broken_cache_is_rebuilt(small_model, small_records,
                                                                    tmp_path, monkeypatch):
    monkeypatch.setenv("REJECTLENS_CACHE_DIR", str(tmp_path))
    v = small_model.compiled()[0]
    calls = []

    def build(rows):
        calls.append(len(rows))
        return v.transform(small_model.analyse([rejectlens.Email(r["body"]) for r in rows]))

    X1, cached1 = corpus_features(v, small_model.patterns, small_records, build)
    X2, cached2 = corpus_features(v, small_model.patterns, small_records, build)
    assert (cached1, cached2) == (False, True) and calls == [len(small_records)]
    assert (X1 != X2).nnz == 0
    for f in tmp_path.glob("corpus-*.npz"):
        f.write_bytes(b"not a matrix")
    messages = []
    X3, cached3 = corpus_features(v, small_model.patterns, small_records, build, messages.append)
    assert not cached3 and (X1 != X3).nnz == 0 and "unreadable" in messages[0]
    # other records, another key
    _, cached4 = corpus_features(v, small_model.patterns, small_records[:5], build)
    assert not cached4


# ---- the guard ----------------------------------------------------------------------
def _flipped_where_fitted(rows, seed=0, share=0.25):
    """is_rejection flipped on the rows the candidate learns from; the held-out rows
    keep the truth. (A file flipped everywhere is a different definition, which
    no held-out check of the user's own labels can see; flipped in part, the
    labels contradict each other, which it must catch.)"""
    fit, _ = split_holdout(rows, share, seed)
    out = [dict(r) for r in rows]
    for i in fit:
        if out[i]["job_related"]:
            out[i]["is_rejection"] = not out[i]["is_rejection"]
            if out[i]["is_rejection"] is False:
                for k in ("personalization", "reasons", "stage", "feedback_offered", "reapply_encouraged"):
                    out[i].pop(k, None)
    return out


def _write_csv(rows, path):
    fields = ["id", "subject", "sender", "body", "job_related", "is_rejection", "personalization",
              "reasons", "stage", "feedback_offered", "reapply_encouraged"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            cells = {k: r.get(k) for k in fields}
            for k in ("job_related", "is_rejection", "feedback_offered", "reapply_encouraged"):
                cells[k] = "" if r.get(k) is None else str(r[k]).lower()
            cells["reasons"] = "" if r.get("reasons") is None else ";".join(r["reasons"]) or "none"
            w.writerow(cells)


def test_flipped_labels_are_refused_unless_forced(tiny_corpus, small_model_dir, tmp_path, capsys):
    bad = _flipped_where_fitted(user_rows(6))
    _write_csv(bad, tmp_path / "bad.csv")
    args = ["train", str(tmp_path / "bad.csv"), "--base", str(small_model_dir), "--weight", "20"]
    code = main([*args, "-o", str(tmp_path / "m")])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert not (tmp_path / "m").exists()
    assert "refused" in err and "is_rejection f1" in err and "(new) <" in err and "--force-worse" in err
    assert "held out by sender domain" in err
    assert "held-out check" in out and "<< worse" in out
    code = main([*args, "-o", str(tmp_path / "m"), "--force-worse"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (tmp_path / "m" / "manifest.json").is_file() and "--force-worse" in out


def test_good_labels_pass_the_check(tiny_corpus, small_model):
    result = retrain(user_rows(6), base=small_model)
    assert result.holdout and not result.worse
    is_rej = {s.field: s for s in result.holdout}["is_rejection"]
    assert is_rej.new >= is_rej.base


# ---- the label sheet: suggest -> fill -> train -> evaluate ------------------------------------
HTML_ONLY = ("<html><body><p>Dear Maren,</p><p>We have decided <b>not to proceed</b> with your "
             "application for the Analyst role.</p></body></html>")


def test_suggest_sheet_shows_clean_text_and_guesses_beside_empty_answers(small_model):
    from rejectlens.suggest import suggest

    pool = [{"id": "h1", "body": "", "html": HTML_ONLY}] + [
        {"id": r["id"], "body": r["body"]} for r in user_rows(1)]
    sheet = suggest(small_model, pool, n=len(pool))
    cols = list(sheet.columns)
    for field in ("job_related", "is_rejection", "reasons", "stage"):
        assert cols.index(field) == cols.index(f"{field}_guess") + 1
        assert set(sheet[field]) == {""}
    html_row = sheet[sheet["id"] == "h1"].iloc[0]
    assert "<" not in html_row["body"] and "not to proceed" in html_row["body"]
    guesses = sheet[sheet["is_rejection_guess"] == "true"]["reasons_guess"]
    assert all(g != "" for g in guesses)  # "none" marks a rejection without reasons


def test_suggest_fill_train_evaluate_end_to_end(tiny_corpus, small_model_dir, tmp_path, capsys):
    pool = user_rows(6)
    src = tmp_path / "mail.jsonl"
    src.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "subject", "sender", "body")})
                             for r in pool), encoding="utf-8")
    sheet = tmp_path / "to_label.csv"
    assert main(["suggest", str(src), "--model", str(small_model_dir), "-n", "30", "-o", str(sheet)]) == 0
    readme = (tmp_path / "to_label.README.txt").read_text(encoding="utf-8")
    assert "none for a rejection that gives no" in readme and "screening | interview | unknown" in readme
    # Unfilled, the sheet holds no answers: train says so.
    assert main(["train", str(sheet), "--base", str(small_model_dir), "-o", str(tmp_path / "m0")]) == 2
    assert "no label columns found" in capsys.readouterr().err
    # A person fills the answer columns only; everything else stays as written.
    truth = {r["id"]: r for r in pool}
    with sheet.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        t = truth[row["id"]]
        row["job_related"] = str(t["job_related"]).lower()
        row["is_rejection"] = str(t["is_rejection"]).lower()
        if t["is_rejection"]:
            row.update(personalization=t["personalization"], reasons=";".join(t["reasons"]) or "none",
                       stage=t["stage"], feedback_offered=str(t["feedback_offered"]).lower(),
                       reapply_encouraged=str(t["reapply_encouraged"]).lower())
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    labelled = read_records(sheet)
    assert [r["reasons"] for r in labelled if r["id"].startswith("bare")] == [[]] * sum(
        r["id"].startswith("bare") for r in rows)
    code = main(["train", str(sheet), "--base", str(small_model_dir), "-o", str(tmp_path / "m")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "held-out check on" in out and "rejectlens train [" in err  # progress on stderr
    code = main(["evaluate", str(sheet), "--model", str(tmp_path / "m"), "--json"])
    metrics = json.loads(capsys.readouterr().out)
    assert code == 0 and metrics["is_rejection"]["f1"] == 1.0 and metrics["job_related"]["f1"] == 1.0


def test_reasons_none_means_no_reason_and_empty_means_not_labelled(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("id,body,is_rejection,reasons\na,x,true,none\nb,y,true,\nc,z,true,NONE\n", encoding="utf-8")
    assert [r["reasons"] for r in read_records(p)] == [[], None, []]


def test_sheets_in_the_spellings_people_use_read_the_same(tmp_path):
    want = [{"id": "a", "body": "x", "is_rejection": True, "personalization": "generic", "reasons": ["location"]},
            {"id": "b", "body": "y", "is_rejection": False, "personalization": None, "reasons": None}]
    (tmp_path / "l.jsonl").write_text(
        '{"id": "a", "body": "x", "is_rejection": 1, "personalization": "Generic", "reasons": ["location"]}\n'
        '{"id": "b", "body": "y", "is_rejection": "no", "personalization": "", "reasons": null}\n')
    (tmp_path / "l.json").write_text(json.dumps([
        {"id": "a", "body": "x", "is_rejection": "yes", "personalization": "generic", "reasons": ["location"]},
        {"id": "b", "body": "y", "is_rejection": 0, "personalization": None, "reasons": None}]))
    (tmp_path / "l.csv").write_text("id;body;is_rejection;personalization;reasons\n"
                                    "a;x;TRUE;Generic;location\nb;y;false;;\n")  # European Excel
    # a line separator inside a string is JSON text, not a line break (json.dumps leaves it unescaped)
    (tmp_path / "sep.jsonl").write_text(json.dumps({"id": "a", "body": "x\u2028y", "is_rejection": True},
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    assert read_records(tmp_path / "sep.jsonl")[0]["body"] == "x\u2028y"
    for name in ("l.jsonl", "l.json", "l.csv"):
        got = [{k: r.get(k) for k in want[0]} for r in read_records(tmp_path / name)]
        assert got == want, name


def test_validation_names_the_row_and_the_allowed_values(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("id,body,is_rejection,reasons\na,x,true,salary\n,y,maybe,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        rejectlens.train(read_records(p))
    text = str(err.value)
    assert "reasons: expected a list drawn from other_candidates" in text and "none for a rejection" in text
    assert "a (row 1, found ['salary'])" in text
    assert "is_rejection: expected true or false; offending: row 2 (found 'maybe')" in text


# ---- the command line ---------------------------------------------------------------
@pytest.mark.parametrize("flag", [["--base", "none"], ["--weight", "3"], ["--holdout", "0.2"],
                                  ["--weight", "0"], ["--holdout", "0"],
                                  ["--force-worse"], ["--with-bundled-corpus"]])
def test_a_corpus_folder_refuses_flags_it_would_ignore(flag, tmp_path, capsys):
    (tmp_path / "data").mkdir()
    assert main(["train", str(tmp_path / "data"), "-o", str(tmp_path / "m"), *flag]) == 2
    err = capsys.readouterr().err
    assert "corpus folder" in err and flag[0] in err


def test_weight_and_holdout_need_a_base(small_records, tmp_path, capsys):
    p = tmp_path / "l.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in small_records), encoding="utf-8")
    assert main(["train", str(p), "-o", str(tmp_path / "m"), "--base", "none", "--weight", "2"]) == 2
    assert "--weight applies on top of a base model" in capsys.readouterr().err


def test_too_few_folds_are_refused(small_records, tmp_path, capsys):
    p = tmp_path / "l.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in small_records), encoding="utf-8")
    assert main(["train", str(p), "-o", str(tmp_path / "m"), "--base", "none", "--cv", "1"]) == 2
    assert "--cv must be at least 2" in capsys.readouterr().err


# ---- properties -----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["g1", "g2", "g3", "g4", "", None]),
                          st.sampled_from(["a@x.example", "b@y.example", "", "nobody"])),
                min_size=1, max_size=40),
       st.floats(0.05, 0.9), st.integers(0, 5))
def test_holdout_split_keeps_groups_whole(rows, share, seed):
    records = [{"id": f"r{i}", "group": g, "sender": s} for i, (g, s) in enumerate(rows)]
    fit, held = split_holdout(records, share, seed)
    assert sorted(fit + held) == list(range(len(records)))
    assert len(held) >= min(len(records), np.ceil(share * len(records)))
    from rejectlens.retraining import group_of

    whole = not {group_of(records[i], i) for i in fit} & {group_of(records[i], i) for i in held}
    # groups stay whole, unless whole groups would leave a side empty: then rows are held out
    assert whole or (fit and held)
    if np.ceil(share * len(records)) < len(records) and len(records) > 1:
        assert fit and held
    assert split_holdout(records, share, seed) == (fit, held)


def test_one_sender_domain_or_webmail_still_holds_rows_out():
    from rejectlens.retraining import group_of

    same = [{"id": f"r{i}", "sender": "Recruiter <jobs@acme.example>"} for i in range(8)]
    fit, held = split_holdout(same, 0.25, 0)
    assert len(held) == 2 and len(fit) == 6
    assert group_of({"sender": "Ann <ann@gmail.com>"}, 0) != group_of({"sender": "bo@gmail.com"}, 1)
    assert group_of({"sender": "Ann <ann@gmail.com>"}, 0) == "sender:ann@gmail.com"
    assert group_of({"sender": "hr@mail.acme.example"}, 0) == "domain:mail.acme.example"  # a company's
    # rows with no sender go by their text: copies (rows repeated to weigh more) are held out together
    assert group_of({"id": "a", "body": "We  will not proceed."}, 0) == group_of({"body": "we will not proceed."}, 9)
    copies = [{"body": f"Email {i % 4} text."} for i in range(12)]
    fit, held = split_holdout(copies, 0.25, 0)
    assert not {copies[i]["body"] for i in fit} & {copies[i]["body"] for i in held}
    # one domain outweighing the share would leave nothing to fit: rows are held out instead
    skewed = same * 3 + [{"id": "x", "sender": "hr@other.example"}]
    for seed in range(20):
        fit, held = split_holdout(skewed, 0.25, seed)
        assert fit and held, seed


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1), st.floats(0.1, 5)), min_size=1, max_size=30),
       st.booleans(), st.booleans())
def test_threshold_f1_grid_matches_scikit_learn(rows, macro, weighted):
    from sklearn.metrics import f1_score

    from rejectlens.thresholds import THRESHOLD_GRID as _THRESHOLD_GRID
    from rejectlens.thresholds import f1_grid as _f1_grid

    t = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    w = np.array([r[2] for r in rows]) if weighted else None
    some = [0, 17, 35, 52, len(_THRESHOLD_GRID) - 1]  # scikit-learn is slow; a few points suffice
    expected = [f1_score(t, p >= _THRESHOLD_GRID[k], average="macro" if macro else "binary",
                         zero_division=0, sample_weight=w) for k in some]
    assert np.allclose(_f1_grid(t, p, macro, w)[some], expected)
