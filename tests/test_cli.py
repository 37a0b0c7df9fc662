import io
import json
import subprocess
import sys

import pytest

from rejectlens.cli import main, render_explanation
from tests.conftest import SMALL_SET


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def jsonl(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [{"id": r["id"], "subject": r["subject"], "body": r["body"]} for r in SMALL_SET]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_classify_jsonl_keeps_order_and_ids(jsonl, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code, _, err = run(["classify", str(jsonl), "-o", str(out)], capsys)
    assert code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in SMALL_SET]
    assert f"messages read: {len(SMALL_SET)}" in err and "rows with errors: 0" in err


def test_bad_rows_get_an_error_field_and_exit_code_1(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "body": "We filled the role."}\nnot json\n{"id": "c", "text": "x"}\n')
    out = tmp_path / "out.jsonl"
    code, _, _ = run(["classify", str(path), "-o", str(out), "--quiet"], capsys)
    assert code == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    assert rows[0]["error"] is None
    assert "line 2: not valid JSON" in rows[1]["error"]
    assert rows[2]["id"] == "c" and "body field 'body' missing" in rows[2]["error"]


def test_refuses_to_overwrite_and_leaves_no_partial_file(jsonl, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    out.write_text("keep me")
    code, _, err = run(["classify", str(jsonl), "-o", str(out)], capsys)
    assert code == 2 and "--force" in err
    assert out.read_text() == "keep me"
    assert run(["classify", str(jsonl), "-o", str(out), "--force", "--quiet"], capsys)[0] == 0
    assert len(out.read_text().splitlines()) == len(SMALL_SET)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl")]


def test_csv_in_and_out_with_column_mapping(tmp_path, capsys):
    import pandas as pd

    src = tmp_path / "in.csv"
    pd.DataFrame({"ref": ["r1", "r2"], "text": ["We regret to inform you.\nThe role is filled.", "Hi"]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    code, _, _ = run(["classify", str(src), "-o", str(out), "--body-col", "text", "--id-col", "ref", "--quiet"], capsys)
    assert code == 0
    df = pd.read_csv(out)
    assert list(df["id"]) == ["r1", "r2"]
    code, _, err = run(["classify", str(src), "-o", str(tmp_path / "o2.csv"), "--quiet"], capsys)
    assert code == 2 and "body column 'body' not found; columns found: ref, text" in err


def test_clear_errors_for_missing_and_unknown_inputs(tmp_path, capsys):
    code, _, err = run(["classify", str(tmp_path / "nope.jsonl")], capsys)
    assert code == 2 and "does not exist" in err and "Traceback" not in err
    (tmp_path / "x.xyz").write_text("hi")
    code, _, err = run(["classify", str(tmp_path / "x.xyz")], capsys)
    assert code == 2 and "cannot tell the format from the extension '.xyz'" in err
    (tmp_path / "empty.jsonl").write_text("")
    code, _, err = run(["classify", str(tmp_path / "empty.jsonl")], capsys)
    assert code == 2 and "is empty" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_stdin_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"id": "z", "body": "We regret."}) + "\n"))
    code, out, _ = run(["classify", "-", "--quiet"], capsys)
    assert code == 0 and json.loads(out)["id"] == "z"


def test_explain_prints_labels_evidence_and_signals(capsys):
    code, out, _ = run(["explain", "Thank you for applying. Unfortunately the position has been filled."], capsys)
    assert code == 0
    assert "REJECTION" in out and "position_filled" in out and "signals:" in out


def test_explain_an_empty_text_is_an_error_on_stderr(capsys):
    code, out, err = run(["explain", "  "], capsys)
    assert code == 1 and out == "" and err.startswith("error: empty body")


def test_render_explanation_of_an_error():
    from rejectlens import Prediction

    assert render_explanation(Prediction.failed("x", "boom")) == "error: boom"


def test_console_script_is_installed():
    from pathlib import Path

    script = Path(sys.executable).parent / "rejectlens"
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("rejectlens ")


def test_show_skips_blank_lines_and_missing_scores(tmp_path, capsys):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "is_rejection": null, "rejection_score": null}\n\n')
    assert main(["show", str(path)]) == 0
    assert "n/a" in capsys.readouterr().out


def test_show_and_explain_print_what_would_act_on_a_terminal_as_escapes(tmp_path, capsys):
    from rejectlens import Prediction

    hostile = "\x1b]0;PWNED\x07\x1b[2Jx\u202egnp.exe\ud800"
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": hostile, "is_rejection": False, "rejection_score": 0.1}) + "\n")
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jx\\u202egnp.exe\\ud800" in out
    assert not any(c in out for c in "\x1b\x07\u202e")
    p = Prediction(id="x", is_rejection=True, rejection_score=0.9, reasons=("other_candidates",),
                   reason_scores={"other_candidates": 0.9}, evidence={"other_candidates": hostile})
    assert "\x1b" not in render_explanation(p) and "\\x1b]0;PWNED" in render_explanation(p)


def test_an_error_quoting_a_file_prints_its_control_characters_as_escapes():
    from rejectlens.cli.render import error_line

    assert error_line("x.csv: bad\x1b]0;t\x07\nsecond line") == "rejectlens: error: x.csv: bad\\x1b]0;t\\x07\nsecond line"


@pytest.fixture()
def mixed_jsonl(tmp_path):
    rows = [
        {"id": "job-rej", "subject": "Your application", "body": SMALL_SET[0]["body"]},
        {"id": "rental", "subject": "Your rental application",
         "body": "Dear applicant, thank you for applying for the flat at 14 Elm Road. After careful "
                 "consideration the landlord has chosen another tenant. We will keep your details on "
                 "file for future properties."},
        {"id": "bank", "subject": "Low balance alert",
         "body": "Your current account ending 4411 is below your £50 alert. Log in to the app to top up."},
        {"id": "de", "subject": "Ihre Bewerbung",
         "body": "Vielen Dank für Ihre Bewerbung. Leider haben wir uns für eine andere Kandidatin entschieden."},
        {"id": "empty", "body": "   "},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_only_job_related_keeps_job_mail_errors_and_other_languages(mixed_jsonl, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code, _, err = run(["classify", str(mixed_jsonl), "-o", str(out), "--only-job-related"], capsys)
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert code == 1  # the empty body is an error row
    assert "rental" not in rows and "bank" not in rows
    assert rows["job-rej"]["job_related"] is True and rows["job-rej"]["is_rejection"] is True
    assert rows["empty"]["error"].startswith("empty body")
    assert rows["de"]["language"] == "de"  # kept: the model's "not job mail" means nothing for it
    assert "job-related:" in err and "1 emails not in English (de 1)" in err


def test_output_carries_job_related_and_language(mixed_jsonl, tmp_path, capsys):
    out = tmp_path / "out.csv"
    run(["classify", str(mixed_jsonl), "-o", str(out), "--quiet"], capsys)
    import csv

    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(rows["bank"])[:5] == ["id", "job_related", "job_related_score", "language", "is_rejection"]
    assert rows["rental"]["job_related"] == "False" and rows["rental"]["is_rejection"] == "False"
    assert rows["rental"]["personalization"] == "" and rows["de"]["language"] == "de"


def test_show_and_explain_name_non_job_mail(mixed_jsonl, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    run(["classify", str(mixed_jsonl), "-o", str(out), "--quiet"], capsys)
    _, table, _ = run(["show", str(out)], capsys)
    assert "not job mail" in table and "ERROR" in table
    _, text, _ = run(["explain", "Your order #1182 has shipped and arrives Tuesday."], capsys)
    assert "job-related: no" in text


def test_every_subcommand_of_the_parser_has_its_command_module():
    from rejectlens.cli.app import COMMANDS
    from rejectlens.cli.parser import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    assert all(COMMANDS[name].__module__ == f"rejectlens.cli.{name}" for name in COMMANDS)


def test_version_comes_from_the_version_module(capsys):
    from rejectlens._version import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"rejectlens {__version__}\n"


def test_a_second_signal_during_cleanup_is_ignored():
    import signal

    from rejectlens.cli.app import Terminated, _stop_on

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(Terminated):
            _stop_on(Terminated)(signal.SIGTERM, None)
        # the first signal unwinds; another one cannot cut the removal of the temporary file short
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN is signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


def test_devices_pipes_and_links_as_output(jsonl, tmp_path, capsys):
    import os
    import stat
    from pathlib import Path

    # /dev/null is written in place (no --force needed: it holds no data), never replaced by a file;
    # with no suffix to tell the format, JSON lines as for "-"
    assert main(["classify", str(jsonl), "-o", os.devnull, "--quiet"]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    target = tmp_path / "target.jsonl"
    target.write_text("old\n")
    (tmp_path / "link.jsonl").symlink_to(target)
    assert main(["classify", str(jsonl), "-o", str(tmp_path / "link.jsonl"), "--force", "--quiet"]) == 0
    assert (tmp_path / "link.jsonl").is_symlink() and target.read_text().startswith('{"id"')
    assert main(["classify", str(jsonl), "-o", "/dev/fd/987", "--quiet"]) == 2  # a descriptor not open
    assert "expected an open descriptor to write to" in capsys.readouterr().err
    # /dev/stdout names the pipe (or the file) the shell opened: written through, never replaced
    script = str(Path(sys.executable).parent / "rejectlens")
    out = subprocess.run([script, "classify", str(jsonl), "-o", "/dev/stdout", "--format", "jsonl", "--quiet"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == len(SMALL_SET), out.stderr
    kept = tmp_path / "all.jsonl"  # under `>> all.jsonl`: appended to, not truncated
    kept.write_text('{"earlier": 1}\n')
    with kept.open("a") as f:
        subprocess.run([script, "classify", str(jsonl), "-o", "/dev/stdout", "--format", "jsonl", "--quiet"],
                       stdout=f, check=True)
    assert kept.read_text().startswith('{"earlier": 1}\n{"id"') and len(kept.read_text().splitlines()) == 1 + len(SMALL_SET)
    capsys.readouterr()


def test_stdout_that_is_not_utf8(tmp_path):
    import os
    from pathlib import Path

    script = str(Path(sys.executable).parent / "rejectlens")
    src = tmp_path / "u.jsonl"
    src.write_text(json.dumps({"id": "\u00fc-1", "body": "Dear Zo\u00eb, we went with other candidates."}) + "\n",
                   encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    out = subprocess.run([script, "classify", str(src), "-o", "-", "--quiet"], capture_output=True, env=env)
    assert out.returncode == 0 and json.loads(out.stdout.decode("utf-8"))["id"] == "\u00fc-1"  # data stays UTF-8
    env["PYTHONIOENCODING"] = "ascii"
    shown = subprocess.run([script, "explain", "Dear Zo\u00eb, we went with other candidates."],
                           capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and "Zo\\xeb" in shown.stdout and "Traceback" not in shown.stderr


def test_dash_is_no_folder_name(tmp_path, capsys, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.chdir(tmp_path)
    assert main(["report", str(ROOT / "data" / "examples" / "inbox.mbox"), "-o", "-"]) == 2
    assert "a report is a folder of files, not a stream" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "x.csv"), "-o", "-"]) == 2
    assert "expected a folder name; got '-'" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()


def test_show_names_a_file_that_is_not_predictions_and_survives_hand_edits(tmp_path, capsys):
    from tests.conftest import ROOT

    assert main(["show", str(ROOT / "data" / "examples" / "inbox.jsonl")]) == 2
    assert "expected predictions (rows with is_rejection" in capsys.readouterr().err
    edited = tmp_path / "p.jsonl"
    edited.write_text('{"id": "' + "x" * 3000 + '", "error": {"code": 5}}\n'
                      '{"id": "b", "is_rejection": true, "rejection_score": "high", "reasons": [1, "timing"]}\n')
    assert main(["show", str(edited)]) == 0
    out = capsys.readouterr().out
    assert "{'code': 5}" in out and "high" in out and "1, timing" in out
    assert max(map(len, out.splitlines())) < 200  # a 3,000-character id does not widen every line
