"""Hostile model folders (issue 11, items 7 and 8): confined to their folder, and
every broken file is a ModelFileError, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import numpy as np
import pytest

import rejectlens
from rejectlens.cli import main
from rejectlens.errors import ModelFileError
from rejectlens.model_files import sha256
from rejectlens.persist import (
    CUES_FILE,
    MANIFEST_FILE,
    SCORING_ARRAYS,
    SCORING_SETTINGS,
)


@pytest.fixture(scope="module")
def saved_with_base(small_model, tmp_path_factory):
    """A small model trained on top of the default one: it carries base/."""
    from rejectlens.training import train
    from tests.conftest import SMALL_SET

    records = [{"id": r["id"], "body": r["body"] + f" {k}", "is_rejection": r["is_rejection"]}
               for k in range(4) for r in SMALL_SET]
    path = tmp_path_factory.mktemp("based") / "m"
    train(records, base=small_model, seed=0, cv=2, min_df=1).save(path)
    return path


@pytest.fixture()
def model_dir(saved_with_base, tmp_path):
    path = tmp_path / "m"
    shutil.copytree(saved_with_base, path)
    return path


def _manifest(path):
    return json.loads((path / MANIFEST_FILE).read_text())


def _rewrite(path, name, data: bytes):
    """Replace a model file and fix its hash in the manifest, as an attacker can."""
    (path / name).write_bytes(data)
    m = _manifest(path)
    m["files"][name] = sha256(path / name)
    (path / MANIFEST_FILE).write_text(json.dumps(m))


def test_the_fixture_loads_with_its_base(model_dir):
    assert rejectlens.load(model_dir).fallback is not None


# ---- 7. confined to the model folder -----------------------------------------------------
@pytest.mark.parametrize("where", ["absolute", "dotdot"])
def test_7_base_dir_may_not_leave_the_folder(model_dir, tmp_path, where):
    outside = tmp_path / "outside"
    shutil.copytree(model_dir / "base", outside)
    m = _manifest(model_dir)
    m["base"]["dir"] = str(outside) if where == "absolute" else "../outside"
    (model_dir / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match="outside the model folder"):
        rejectlens.load(model_dir)


def test_7_symlinked_model_files_are_refused(model_dir, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0\n")
    (model_dir / CUES_FILE).unlink()
    (model_dir / CUES_FILE).symlink_to(secret)
    m = _manifest(model_dir)
    m["files"][CUES_FILE] = sha256(secret)
    (model_dir / MANIFEST_FILE).write_text(json.dumps(m))
    with pytest.raises(ModelFileError, match="symbolic link"):
        rejectlens.load(model_dir)


def test_7_a_symlinked_base_folder_is_refused(model_dir):
    shutil.rmtree(model_dir / "base")
    (model_dir / "base").symlink_to(model_dir)  # would also loop forever
    with pytest.raises(ModelFileError, match="symbolic link"):
        rejectlens.load(model_dir)


# ---- 8. broken files are ModelFileError -----------------------------------------------------
@pytest.mark.parametrize("name", [SCORING_SETTINGS, CUES_FILE])
@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[" * 100_000, b"[1, 2]"])
def test_8_invalid_json_files(model_dir, name, content):
    _rewrite(model_dir, name, content)
    with pytest.raises(ModelFileError):
        rejectlens.load(model_dir)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"text"', b'{"format_version": 1, "files": 3}'])
def test_8_invalid_manifest(model_dir, content, capsys):
    (model_dir / MANIFEST_FILE).write_bytes(content)
    with pytest.raises(ModelFileError):
        rejectlens.load(model_dir)
    assert main(["explain", "We regret.", "--model", str(model_dir)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _npz_with(path, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(path / SCORING_ARRAYS) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def _npy(array=None, header_shape=None) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.zeros(3) if array is None else array)
    data = buf.getvalue()
    if header_shape is not None:
        data = data.replace(b"(3,)", str(header_shape).encode().ljust(4), 1)
    return data


def test_8_huge_declared_shape(model_dir):
    huge = _npy(np.zeros(3), header_shape=(10**12,))
    assert b"1000000000000" in huge
    _rewrite(model_dir, SCORING_ARRAYS, _npz_with(model_dir, {"heads__binary_intercept.npy": huge}))
    with pytest.raises(ModelFileError, match="declares shape"):
        rejectlens.load(model_dir)


def test_8_member_that_inflates_past_the_limit_is_not_inflated(model_dir, monkeypatch):
    from rejectlens import model_files

    monkeypatch.setattr(model_files, "MAX_ARRAY_BYTES", 1000)  # the same check as for a 4 GB member
    calls = []
    monkeypatch.setattr(np.lib.format, "read_array", lambda *a, **k: calls.append(1))
    with pytest.raises(ModelFileError, match="would inflate"):
        rejectlens.load(model_dir)
    assert calls == []


def test_8_member_without_npy_magic(model_dir):
    _rewrite(model_dir, SCORING_ARRAYS, _npz_with(model_dir, {"heads__binary_intercept.npy": b"junk" * 10}))
    with pytest.raises(ModelFileError, match="not a numpy array"):
        rejectlens.load(model_dir)


@pytest.mark.parametrize("array", [np.zeros((2, 2, 2)), np.array(["a", "b"]), np.zeros(1)])
def test_8_wrong_shape_or_dtype(model_dir, array):
    _rewrite(model_dir, SCORING_ARRAYS, _npz_with(model_dir, {"heads__binary_calibration.npy": _npy(array)}))
    with pytest.raises(ModelFileError):
        rejectlens.load(model_dir)


def test_8_a_sentence_model_that_does_not_fit_the_vocabulary(model_dir):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst, zipfile.ZipFile(model_dir / SCORING_ARRAYS) as src:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("vectorizer__near_miss_coef.npy", _npy(np.zeros(3)))
    _rewrite(model_dir, SCORING_ARRAYS, out.getvalue())
    with pytest.raises(ModelFileError, match="near_miss_coef does not fit"):
        rejectlens.load(model_dir)


def _with_reason_models(model_dir, coef, intercept, **settings):
    """The fixture (which has no reason models) given reason arrays and settings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst, zipfile.ZipFile(model_dir / SCORING_ARRAYS) as src:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("vectorizer__reason_coef.npy", _npy(coef))
        dst.writestr("vectorizer__reason_intercept.npy", _npy(intercept))
    _rewrite(model_dir, SCORING_ARRAYS, out.getvalue())
    saved = json.loads((model_dir / SCORING_SETTINGS).read_text())
    saved["vectorizer"].update(settings)
    _rewrite(model_dir, SCORING_SETTINGS, json.dumps(saved).encode())


def test_8_reason_models_that_fit_load(model_dir):
    width = rejectlens.load(model_dir).compiled()[0].sentence_model_width
    _with_reason_models(model_dir, np.zeros((width, 1)), np.zeros(1),
                        reason_names=["compensation"], reason_veto=[0.5])
    v = rejectlens.load(model_dir).compiled()[0]
    assert v.reason_names == ("compensation",) and v.veto == {"compensation": 0.5}


@pytest.mark.parametrize("rows, cols, n_intercept", [(3, 1, 1), (None, 2, 1), (None, 1, 2)])
def test_8_reason_models_that_do_not_fit(model_dir, rows, cols, n_intercept):
    width = rejectlens.load(model_dir).compiled()[0].sentence_model_width
    _with_reason_models(model_dir, np.zeros((rows or width, cols)), np.zeros(n_intercept),
                        reason_names=["compensation"], reason_veto=[0.5])
    with pytest.raises(ModelFileError, match="reason_coef and reason_intercept do not fit"):
        rejectlens.load(model_dir)


@pytest.mark.parametrize("names, veto, message", [
    (["compensation"], [0.5, 0.5], "one threshold per reason"),
    (["compensation"], [], "one threshold per reason"),
    (["bogus"], [0.5], "must name distinct reasons that have cues"),
])
def test_8_reason_settings_that_do_not_fit(model_dir, names, veto, message):
    width = rejectlens.load(model_dir).compiled()[0].sentence_model_width
    _with_reason_models(model_dir, np.zeros((width, 1)), np.zeros(1), reason_names=names,
                        reason_veto=veto)
    with pytest.raises(ModelFileError, match=message):
        rejectlens.load(model_dir)


def test_8_settings_with_wrong_types(model_dir):
    settings = json.loads((model_dir / SCORING_SETTINGS).read_text())
    settings["heads"]["thresholds"] = {}
    _rewrite(model_dir, SCORING_SETTINGS, json.dumps(settings).encode())
    with pytest.raises(ModelFileError, match="threshold"):
        rejectlens.load(model_dir)
    settings["heads"] = 7
    _rewrite(model_dir, SCORING_SETTINGS, json.dumps(settings).encode())
    with pytest.raises(ModelFileError):
        rejectlens.load(model_dir)


def test_the_base_model_is_read_with_its_own_checks(model_dir):
    from rejectlens.persist import read_model

    saved = read_model(model_dir)
    assert saved.base is not None and saved.base.path == model_dir / "base"
    assert set(saved.base.heads.heads_) > set(saved.heads.heads_)
