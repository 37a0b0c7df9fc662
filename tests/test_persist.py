import json
import shutil
import zipfile

import pytest

import rejectlens
from rejectlens.errors import ModelFileError
from rejectlens.persist import MANIFEST_FILE, MODEL_FILE, ModelVersionWarning, _sha256, read_manifest


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
    assert set(m["files"]) == {"model.skops", "cues.json"}
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


def test_unknown_format_is_refused(saved):
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["format_version"] = 99
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match="format 99"):
        rejectlens.load(saved)


def test_tampered_file_is_refused(saved):
    data = bytearray((saved / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match its manifest"):
        rejectlens.load(saved)


class Evil:
    """A type no model file should hold."""


def test_untrusted_types_are_refused_without_running_code(saved):
    import skops.io as sio

    sio.dump({"vectorizer": Evil(), "heads": Evil()}, saved / MODEL_FILE,
             compression=zipfile.ZIP_DEFLATED)
    m = json.loads((saved / MANIFEST_FILE).read_text())
    m["files"][MODEL_FILE] = _sha256(saved / MODEL_FILE)  # an attacker can rewrite the manifest too
    (saved / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match=r"does not trust: .*Evil"):
        rejectlens.load(saved)


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


def test_copied_model_directory_loads(saved, tmp_path):
    shutil.copytree(saved, tmp_path / "copy")
    assert rejectlens.load(tmp_path / "copy").classify("x").error is None
