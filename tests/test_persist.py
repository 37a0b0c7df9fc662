import json
import shutil
import zipfile

import numpy as np
import pytest

import rejectlens
from rejectlens.errors import ModelFileError
from rejectlens.model_files import sha256
from rejectlens.persist import (
    MANIFEST_FILE,
    MODEL_FILE,
    SCORING_ARRAYS,
    ModelVersionWarning,
    load_estimators,
    read_manifest,
)


@pytest.fixture()
def saved(small_model, tmp_path):
    path = tmp_path / "m"
    small_model.save(path)
    return path


def test_manifest_records_what_a_model_needs(saved):
    m = read_manifest(saved)
    assert m["format_version"] == 1
    assert {"rejectlens", "scikit-learn", "spacy"} <= set(m["versions"])
    assert m["label_schema"]["stage"] == ["screening", "interview", "unknown"]
    assert len(m["training"]["data_hash"]) == 64
    assert set(m["files"]) == {"model.skops", "cues.json", "scoring.npz", "scoring.json"}
    assert "is_rejection" in m["thresholds"]


def test_refuses_to_overwrite_without_force(small_model, saved):
    with pytest.raises(ModelFileError, match="already exists"):
        small_model.save(saved)
    small_model.save(saved, force=True)


def test_missing_and_non_model_paths(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        rejectlens.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match=r"manifest\.json is missing"):
        rejectlens.load(tmp_path / "empty")
    with pytest.raises(ModelFileError, match="found an empty path"):
        rejectlens.load("")


def test_unknown_format_is_refused(saved):
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["format_version"] = 99
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match="format 99"):
        rejectlens.load(saved)


@pytest.mark.parametrize(("field", "value"), [
    ("stage", ["interview", "screening", "unknown"]),  # stages are stored as positions
    ("personalization", ["template", "custom"]),
    ("reasons", ["other_candidates"]),
])
def test_a_model_for_other_label_classes_is_refused(saved, field, value):
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["label_schema"][field] = value
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match=f"another label schema: '{field}'"):
        rejectlens.load(saved)


def test_an_older_schema_with_the_same_classes_loads(saved):
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["label_schema"]["version"] = 1
    del m["label_schema"]["job_related"]  # version 1 had no job_related field
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    assert rejectlens.load(saved).classify("We will not move forward.").error is None


@pytest.mark.parametrize("name", [SCORING_ARRAYS, MODEL_FILE])
def test_tampered_file_is_refused(saved, name):
    data = bytearray((saved / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / name).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match its manifest"):
        rejectlens.load(saved) if name == SCORING_ARRAYS else load_estimators(saved)


def test_loading_for_classification_imports_no_scikit_learn(saved):
    import subprocess
    import sys

    code = ("import sys, rejectlens; m = rejectlens.load(sys.argv[1]); m.classify('We regret.');"
            "assert 'sklearn' not in sys.modules and 'skops' not in sys.modules, 'imported'")
    out = subprocess.run([sys.executable, "-c", code, str(saved)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-1500:]


def test_estimators_load_and_score_like_the_arrays(saved, small_model, small_records):
    vec, heads = load_estimators(saved)
    model = rejectlens.load(saved)
    emails = [rejectlens.Email(body=r["body"]) for r in small_records]
    X = vec.transform(model.analyse(emails))
    ours = model.compiled()[1].predict_proba(model.compiled()[0].transform(model.analyse(emails)))
    for name, est in heads.heads_.items():
        if name != "stage":
            np.testing.assert_allclose(est.predict_proba(X)[:, 1], ours[name], atol=1e-12)
    assert model.estimators()[1].thresholds_ == heads.thresholds_


class Evil:
    """A type no model file should hold."""


def test_untrusted_types_are_refused_without_running_code(saved):
    import skops.io as sio

    sio.dump({"vectorizer": Evil(), "heads": Evil()}, saved / MODEL_FILE,
             compression=zipfile.ZIP_DEFLATED)
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["files"][MODEL_FILE] = sha256(saved / MODEL_FILE)  # an attacker can rewrite the manifest too
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match=r"does not trust: .*Evil"):
        load_estimators(saved)


def test_version_drift_warns(saved):
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["versions"]["scikit-learn"] = "0.1"
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.warns(ModelVersionWarning, match="scikit-learn 0.1"):
        rejectlens.load(saved)


def test_default_model_loads_and_carries_metrics():
    model = rejectlens.load()
    assert "written_test" in model.manifest["metrics"]
    assert model.manifest["corpus"]["n_test_written"] > 200


def test_copied_model_directory_loads_and_saves_again(saved, tmp_path):
    shutil.copytree(saved, tmp_path / "copy")
    model = rejectlens.load(tmp_path / "copy")
    assert model.classify("x").error is None
    model.save(tmp_path / "again")
    assert rejectlens.load(tmp_path / "again").thresholds == model.thresholds
    assert (tmp_path / "again" / MODEL_FILE).is_file()


def test_reading_a_model_needs_no_classifier(small_model_dir):
    import subprocess
    import sys

    code = ("import sys; from rejectlens.persist import read_model; s = read_model(sys.argv[1]);"
            "assert s.heads.heads_ and s.base is None and s.path.name == 'small';"
            "assert 'rejectlens.model' not in sys.modules, 'persist imported the model module'")
    out = subprocess.run([sys.executable, "-c", code, str(small_model_dir)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-1500:]


def test_manifest_records_the_package_version(saved):
    from rejectlens._version import __version__

    assert rejectlens.__version__ == __version__
    assert read_manifest(saved)["versions"]["rejectlens"] == __version__


def test_force_replaces_a_model_never_a_folder_of_other_files(small_model, tmp_path, capsys):
    from rejectlens.cli import main
    from rejectlens.errors import ModelFileError

    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "notes.txt").write_text("keep me")
    with pytest.raises(ModelFileError, match=r"expected a rejectlens model to replace; found other files \(notes\.txt\)"):
        small_model.save(proj, force=True)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ModelFileError, match="is a file; expected a folder"):
        small_model.save(tmp_path / "afile", force=True)
    small_model.save(tmp_path / "m")
    small_model.save(tmp_path / "m", force=True)  # an earlier model is what --force is for
    # the command line checks before it trains: no minutes of work thrown away
    assert main(["train", str(tmp_path / "missing.csv"), "-o", str(proj), "--force"]) == 2
    assert "found other files" in capsys.readouterr().err and (proj / "notes.txt").read_text() == "keep me"
    assert main(["train", str(tmp_path / "missing.csv"), "-o", "."]) == 2
    assert "expected a folder name" in capsys.readouterr().err
    # a model folder that holds the sheet: --force would take the sheet with the old model
    small_model.save(tmp_path / "m2")
    (tmp_path / "m2" / "sheet.csv").write_text("id,body,is_rejection\n1,x,true\n")
    assert main(["train", str(tmp_path / "m2" / "sheet.csv"), "-o", str(tmp_path / "m2"), "--force"]) == 2
    assert "holds the input" in capsys.readouterr().err
    (tmp_path / "finder").mkdir()
    (tmp_path / "finder" / ".DS_Store").write_bytes(b"x")
    small_model.save(tmp_path / "finder")  # a folder with only hidden files is an empty one


def test_force_never_replaces_the_bundled_model_or_notes_beside_a_model(small_model, tmp_path):
    from rejectlens.api import default_model_path
    from rejectlens.errors import ModelFileError
    from rejectlens.persist import check_model_dir

    with pytest.raises(ModelFileError, match="is the bundled model"):
        check_model_dir(default_model_path(), force=True)
    check_model_dir(default_model_path(), force=True, rebuild=True)  # `make model` rebuilds it from the corpus
    # a source tree before `make model` has no bundled model: a user's own model is still replaced
    small_model.save(tmp_path / "own")

    def missing():
        raise ModelFileError("the bundled default model was not found")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("rejectlens.api.default_model_path", missing)
        check_model_dir(tmp_path / "own", force=True)
    small_model.save(tmp_path / "m")
    (tmp_path / "m" / "notes.md").write_text("how I labelled")
    with pytest.raises(ModelFileError, match=r"holds files that are not the model's \(notes\.md\)"):
        small_model.save(tmp_path / "m", force=True)
    assert (tmp_path / "m" / "notes.md").read_text() == "how I labelled"


def test_a_saved_model_is_readable_as_the_umask_allows(small_model, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        small_model.save(tmp_path / "m")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m").stat().st_mode) == 0o755  # not mkdtemp's 0700


def test_an_interrupt_while_replacing_keeps_the_old_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from rejectlens.writers import replace_dir

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "old").write_text("old")
    (tmp_path / "new").mkdir()
    real = Path.rename

    def rename(self, target):
        if self.name == "new":
            raise KeyboardInterrupt  # Ctrl-C between moving the old folder aside and the new one in
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        replace_dir(tmp_path / "new", tmp_path / "m")
    assert (tmp_path / "m" / "old").read_text() == "old"
