"""Model directories: save and load without running code from the file.

A model directory holds:

- ``model.skops``: the vectorizer and heads, written with skops (zip
  compressed) and loaded against an explicit list of trusted types, so a
  crafted file cannot run code on load;
- ``cues.json``: the cue patterns the spaCy stage is rebuilt from (spaCy
  objects are never stored);
- ``manifest.json``: format version, library versions, label schema,
  training-data hash, thresholds, metrics, and the sha256 of every file.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelFileError
from .labels import schema

if TYPE_CHECKING:
    from .model import Classifier

__all__ = ["FORMAT_VERSION", "ModelVersionWarning", "load", "read_manifest", "save"]

FORMAT_VERSION = 1
SUPPORTED_FORMATS = (1,)
MODEL_FILE = "model.skops"
CUES_FILE = "cues.json"
MANIFEST_FILE = "manifest.json"

# Our own types that may appear in a model file; everything else must be a
# type skops already trusts (numpy, scipy, scikit-learn builtins).
TRUSTED_TYPES: tuple[str, ...] = (
    "rejectlens.features.EmailVectorizer",
    "rejectlens.features.CueVectorizer",
    "rejectlens.features.TokenTfidf",
    "rejectlens.heads.RejectionHeads",
    # scikit-learn internals of CalibratedClassifierCV that skops does not
    # list by default; plain data holders, no code paths of their own.
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
)


class ModelVersionWarning(UserWarning):
    """The model was saved with other versions of scikit-learn or rejectlens."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import sklearn
    import skops
    import spacy

    from . import __version__

    return {
        "rejectlens": __version__,
        "scikit-learn": sklearn.__version__,
        "spacy": spacy.__version__,
        "skops": skops.__version__,
        "python": platform.python_version(),
    }


def save(
    model: Classifier,
    path: str | Path,
    *,
    metrics: Mapping[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Write ``model`` to the directory ``path`` (atomically: a temp dir, then a rename)."""
    import skops.io as sio

    path = Path(path)
    if path.exists() and not force:
        raise ModelFileError(f"model directory {path} already exists; pass force=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".rejectlens-", dir=path.parent))
    try:
        sio.dump(
            {"vectorizer": model.vectorizer, "heads": model.heads},
            tmp / MODEL_FILE,
            compression=zipfile.ZIP_DEFLATED,
        )
        (tmp / CUES_FILE).write_text(
            json.dumps(model.patterns, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        heads = model.heads
        manifest = dict(model.manifest)
        manifest.update(
            {
                "format_version": FORMAT_VERSION,
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "versions": _versions(),
                "label_schema": schema(),
                "heads": sorted(heads.heads_),
                "skipped_heads": dict(heads.skipped_),
                "thresholds": dict(sorted(heads.thresholds_.items())),
                "cv_scores": heads.cv_scores_,
                "n_features": len(model.vectorizer.get_feature_names_out()),
            }
        )
        if metrics is not None:
            manifest["metrics"] = dict(metrics)
        manifest["files"] = {name: _sha256(tmp / name) for name in (MODEL_FILE, CUES_FILE)}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    model.manifest = manifest
    return path


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Read and check a model directory's manifest (no model code is touched)."""
    path = Path(path)
    if not path.is_dir():
        raise ModelFileError(
            f"expected a model directory containing {MANIFEST_FILE}; {path} "
            + ("is a file" if path.exists() else "does not exist")
        )
    mf = path / MANIFEST_FILE
    if not mf.is_file():
        raise ModelFileError(f"{path} is not a rejectlens model: {MANIFEST_FILE} is missing")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{mf} is not valid JSON: {err}") from None
    fmt = manifest.get("format_version")
    if fmt not in SUPPORTED_FORMATS:
        raise ModelFileError(
            f"{path} has model format {fmt!r}; this rejectlens reads formats "
            f"{', '.join(map(str, SUPPORTED_FORMATS))}. Retrain the model or upgrade rejectlens."
        )
    return manifest


def load(path: str | Path) -> Classifier:
    """Load a model directory written by :func:`save`.

    Raises :class:`~rejectlens.errors.ModelFileError` for a missing, unknown
    or tampered model; warns with :class:`ModelVersionWarning` on a
    scikit-learn or rejectlens version drift.
    """
    import skops.io as sio

    from .model import Classifier

    path = Path(path)
    manifest = read_manifest(path)
    files = manifest.get("files") or {}
    for name in (MODEL_FILE, CUES_FILE):
        f = path / name
        if not f.is_file():
            raise ModelFileError(f"model file {f} is missing")
        expected = files.get(name)
        actual = _sha256(f)
        if expected != actual:
            raise ModelFileError(
                f"{f} does not match its manifest (sha256 {actual[:12]}..., manifest says "
                f"{str(expected)[:12]}...): the file was changed or corrupted; retrain or re-copy it"
            )
    try:
        untrusted = set(sio.get_untrusted_types(file=path / MODEL_FILE))
    except Exception as err:
        raise ModelFileError(f"{path / MODEL_FILE} is not a readable skops file: {err}") from None
    unexpected = sorted(untrusted - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelFileError(
            f"{path / MODEL_FILE} contains types rejectlens does not trust: {', '.join(unexpected)}; "
            "refusing to load it"
        )
    state = sio.load(path / MODEL_FILE, trusted=sorted(untrusted))
    _warn_on_drift(manifest, path)
    patterns = json.loads((path / CUES_FILE).read_text(encoding="utf-8"))
    return Classifier(state["vectorizer"], state["heads"], patterns, manifest)


def _warn_on_drift(manifest: Mapping[str, Any], path: Path) -> None:
    saved = manifest.get("versions", {})
    now = _versions()
    for lib in ("scikit-learn", "rejectlens"):
        if saved.get(lib) and saved.get(lib) != now[lib]:
            warnings.warn(
                f"model {path} was saved with {lib} {saved.get(lib)}; running {now[lib]}. "
                "Predictions may differ; retrain to silence this warning.",
                ModelVersionWarning,
                stacklevel=3,
            )
