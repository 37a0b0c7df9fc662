import json
import sys

import pytest

from rejectlens.cli import main
from rejectlens.errors import MissingDependencyError
from rejectlens.evaluation import Evaluation, evaluate, format_metrics, measure
from rejectlens.evaluation_report import _markdown, write_report
from tests.conftest import SMALL_SET


def test_metrics_per_field_with_confusions(default_model):
    m = evaluate(default_model, SMALL_SET)
    assert m["n"] == len(SMALL_SET)
    assert m["is_rejection"]["n"] == len(SMALL_SET)
    assert sum(map(sum, m["is_rejection"]["confusion"]["matrix"])) == len(SMALL_SET)
    assert m["stage"]["confusion"]["cols"] == ["screening", "interview", "unknown", "none"]
    assert set(m["personalization"]["per_class"]) == {"generic", "personalized"}
    assert 0 <= m["reasons"]["f1"] <= 1 and "per_label" in m["reasons"]
    assert "is_rejection" in format_metrics(m)


def test_partial_labels_measure_only_what_is_labelled(default_model):
    rows = [{"body": r["body"], "is_rejection": r["is_rejection"]} for r in SMALL_SET]
    m = evaluate(default_model, rows)
    assert set(m) == {"n", "labelled", "is_rejection"} and m["labelled"] == m["n"] == len(rows)
    rows[0]["is_rejection"] = None  # an email with no label is counted, not as labelled
    m = evaluate(default_model, rows)
    assert (m["n"], m["labelled"], m["is_rejection"]["n"]) == (len(rows), len(rows) - 1, len(rows) - 1)
    assert f"{len(rows)} emails, {len(rows) - 1} of them labelled." in _markdown(m, {})


def test_report_writes_metrics_markdown_and_plots(default_model, tmp_path):
    pytest.importorskip("matplotlib")
    evaluate(default_model, SMALL_SET * 3, report=tmp_path / "r")
    names = {p.name for p in (tmp_path / "r").iterdir()}
    assert {"metrics.json", "report.md", "confusion_matrices.png", "precision_recall.png",
            "calibration.png"} <= names
    assert (tmp_path / "r" / "confusion_matrices.png").read_bytes()[:4] == b"\x89PNG"
    md = (tmp_path / "r" / "report.md").read_text()
    assert "# Evaluation report" in md and "![Confusion matrices](confusion_matrices.png)" in md
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["n"] == 3 * len(SMALL_SET)


def test_report_without_matplotlib_names_the_extra(default_model, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"rejectlens\[report\]"):
        evaluate(default_model, SMALL_SET, report=tmp_path / "r")


def test_cli_evaluate_on_a_labeled_file(tmp_path, capsys):
    path = tmp_path / "l.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in SMALL_SET))
    assert main(["evaluate", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == len(SMALL_SET)


def test_nan_labels_count_as_unlabelled(default_model):
    rows = [dict(r) for r in SMALL_SET[:2]]
    rows[0]["feedback_offered"] = float("nan")
    rows[1]["reasons"] = float("nan")
    m = evaluate(default_model, rows)
    assert m["feedback_offered"]["n"] == 1
    assert m["reasons"]["n"] == 1


def test_measure_returns_data_and_the_report_is_written_from_it(default_model, tmp_path):
    ev = measure(default_model, SMALL_SET)
    assert isinstance(ev, Evaluation) and ev.probabilities is None
    assert ev.metrics == evaluate(default_model, SMALL_SET)
    assert len(ev.records) == len(ev.predictions) == len(SMALL_SET)
    assert [p.is_rejection for p in ev.predictions] == [p.is_rejection for p in default_model.classify_many(SMALL_SET)]
    assert all("job_related" in r for r in ev.records)  # as measured, the default filled in
    with pytest.raises(ValueError, match=r"probabilities=True"):
        write_report(ev, tmp_path / "r")
    assert not (tmp_path / "r").exists()
    pytest.importorskip("matplotlib")
    ev = measure(default_model, SMALL_SET * 3, probabilities=True)
    assert set(ev.probabilities) >= {"is_rejection", "job_related"}
    assert len(ev.probabilities["is_rejection"]) == 3 * len(SMALL_SET)
    write_report(ev, tmp_path / "r")
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == ev.metrics
    assert format_metrics(ev.metrics) in (tmp_path / "r" / "report.md").read_text()


def test_the_report_does_not_import_the_metrics_back():
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(graph)
    _, edges = graph.build_graph(ROOT / "src")
    back = edges.get(("rejectlens.evaluation_report", "rejectlens.evaluation"), {"kinds": set()})
    assert back["kinds"] <= {"typing"}  # the Evaluation type only, never at run time


def test_no_labels_to_evaluate_is_an_error_that_names_a_misspelt_column(tmp_path, capsys):
    from rejectlens.cli import main

    sheet = tmp_path / "e.csv"
    sheet.write_text("id,body,is_rejected\n1,We regret.,true\n")
    assert main(["evaluate", str(sheet)]) == 2
    assert "did you mean 'is_rejection'" in capsys.readouterr().err


def test_f1_is_perfect_only_when_nothing_is_labelled_or_predicted_positive():
    from rejectlens.evaluation import _prf

    assert _prf([False, False], [False, False], average="binary")["f1"] == 1.0
    called = _prf([False, False], [True, False], average="binary")  # the model calls one a rejection
    assert called["f1"] == 0.0 and called["precision"] == 0.0
    assert _prf([True, False], [False, False], average="binary")["precision"] == 0.0  # never predicted


def test_evaluate_takes_a_dataframe(default_model):
    import pandas as pd

    from rejectlens import evaluate

    df = pd.DataFrame({"body": ["Your parcel is out for delivery today."], "is_rejection": [False]})
    assert evaluate(default_model, df)["is_rejection"]["f1"] == 1.0


def test_job_related_is_measured_when_labelled_even_in_one_class(default_model):
    rows = [{"body": "Could you do a call on Tuesday at 3pm about the Designer role?", "job_related": True},
            {"body": "We would like to invite you to an interview for the Analyst role.", "job_related": True}]
    assert evaluate(default_model, rows)["job_related"]["n"] == 2
    # only defaulted (a rejection is job mail), it says nothing and is left out
    assert "job_related" not in evaluate(default_model, [{"body": SMALL_SET[0]["body"], "is_rejection": True}])


def test_macro_f1_is_over_the_classes_that_occur(default_model):
    rows = [{"body": SMALL_SET[0]["body"], "is_rejection": True,
             "stage": default_model.classify(SMALL_SET[0]["body"]).stage}] * 3
    assert evaluate(default_model, rows)["stage"]["macro_f1"] == 1.0


def test_a_misspelt_label_column_with_values_is_refused_and_guesses_are_no_typos(default_model):
    from rejectlens.errors import DataError
    from rejectlens.records import misspelt_labels

    with pytest.raises(DataError, match=r"'Is_rejection ' is not a label.*did you mean 'is_rejection'"):
        evaluate(default_model, [{"body": "We regret.", "Is_rejection ": True, "job_related": True}])
    sheet = [{"body": "x", "is_rejection": None, "is_rejection_guess": True}]
    assert misspelt_labels(sheet) == " (label columns is_rejection are there but empty)"
    assert misspelt_labels([{"body": "x", "is_rejection": True}]) == ""  # filled: not empty


def test_a_frame_classify_frame_kept_can_be_corrected_and_evaluated(default_model):
    import pandas as pd

    df = pd.DataFrame({"body": ["Your parcel is out for delivery today."], "is_rejection": [False]})
    out = default_model.classify_frame(df, keep=True)  # is_rejection_input, scores, reason_scores...
    out["is_rejection"] = out["is_rejection_input"]
    assert evaluate(default_model, out)["is_rejection"]["n"] == 1
