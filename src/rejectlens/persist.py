"""Model directories: save and load without running code from the file.

A model directory holds:

- ``scoring.npz`` + ``scoring.json``: what classification needs, as plain
  arrays (read with ``allow_pickle=False``) and JSON, so loading a model runs
  no code from it and needs no scikit-learn import;
- ``model.skops``: the trained scikit-learn estimators, for inspection and
  retraining, written with skops (zip compressed) and loaded only on request
  against an explicit list of trusted types;
- ``cues.json``: the cue patterns the spaCy stage is rebuilt from (spaCy
  objects are never stored);
- ``manifest.json``: format version, library versions, label schema,
  training-data hash, thresholds, metrics, and the sha256 of every file.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._version import __version__
from .errors import ModelFileError
from .labels import REASONS, schema
from .model_files import check_zip, inside, load_arrays, read_json, sha256, verify
from .signals import entity_pipeline
from .writers import replace_dir

if TYPE_CHECKING:
    from .model import Classifier
    from .scoring import CompiledHeads, CompiledVectorizer

__all__ = ["FORMAT_VERSION", "ModelVersionWarning", "SavedModel", "load_estimators", "read_manifest",
           "read_model", "save"]

FORMAT_VERSION = 1
SUPPORTED_FORMATS = (1,)
MODEL_FILE = "model.skops"
SCORING_ARRAYS = "scoring.npz"
SCORING_SETTINGS = "scoring.json"
BASE_DIR = "base"
CUES_FILE = "cues.json"
MANIFEST_FILE = "manifest.json"
# what a model folder may hold (the bundled one also has its card)
_MODEL_NAMES = frozenset({MODEL_FILE, SCORING_ARRAYS, SCORING_SETTINGS, BASE_DIR, CUES_FILE, MANIFEST_FILE,
                          "MODEL_CARD.md"})

# Our own types that may appear in a model file; everything else must be a
# type skops already trusts (numpy, scipy, scikit-learn builtins).
TRUSTED_TYPES: tuple[str, ...] = (
    "rejectlens.features.EmailVectorizer",
    "rejectlens.features.CueVectorizer",
    "rejectlens.features.TokenTfidf",
    "rejectlens.heads.RejectionHeads",
    "rejectlens.heads.HeadClassifier",
    # scikit-learn internals of CalibratedClassifierCV that skops does not
    # list by default; plain data holders, no code paths of their own.
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
)


class ModelVersionWarning(UserWarning):
    """The model was saved with other versions of scikit-learn or rejectlens."""


def _versions() -> dict[str, str]:
    # Read from package metadata: importing scikit-learn just for its version
    # would cost a second on every model load.
    from importlib.metadata import PackageNotFoundError, version

    out = {"rejectlens": __version__, "python": platform.python_version()}
    for dist in ("scikit-learn", "spacy", "skops", "numpy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def check_model_dir(path: Path, force: bool, how: str = "pass --force to replace it",
                    rebuild: bool = False) -> None:
    """Raise ModelFileError unless a model can be written to ``path``: a new
    name, an empty folder, or (with ``force``) an earlier model. Replacing is
    for models only: a folder of the user's own files, a model folder holding
    other files (notes, a sheet), or a file, would be lost; and never the
    bundled model's folder, unless ``rebuild`` (the corpus rebuilding the
    bundled model itself, as ``make model`` does)."""
    if path.name in ("", ".", "..") or str(path) == "-":  # "-" is stdout elsewhere; a model is a folder
        raise ModelFileError(f"model directory: expected a folder name; got {str(path)!r}")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise ModelFileError(f"model directory {path}: {parent} is a file, not a folder")
    if not path.exists():
        return
    if not path.is_dir():
        raise ModelFileError(f"model directory {path} is a file; expected a folder (or a new name)")
    found = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))  # .DS_Store is no data
    if not found:
        return
    if not force:
        raise ModelFileError(f"model directory {path} already exists; {how}")
    if MANIFEST_FILE not in found:
        listed = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise ModelFileError(f"model directory {path}: expected a rejectlens model to replace; found "
                             f"other files ({listed}); choose a new folder")
    from .api import default_model_path

    try:
        bundled = default_model_path().resolve()
    except ModelFileError:  # a source tree before `make model`: there is none to protect
        bundled = None
    if path.resolve() == bundled and not rebuild:
        raise ModelFileError(f"model directory {path} is the bundled model, which load() and --base default "
                             "read; choose a new folder")
    # Notes or a card the user kept beside their model would go with it.
    if extra := [n for n in found if n not in _MODEL_NAMES]:
        raise ModelFileError(f"model directory {path} holds files that are not the model's "
                             f"({', '.join(extra[:5])}); move them, or choose a new folder")


def save(
    model: Classifier,
    path: str | Path,
    *,
    metrics: Mapping[str, Any] | None = None,
    force: bool = False,
    rebuild: bool = False,
) -> Path:
    """Write ``model`` to the directory ``path`` (atomically: a temp dir, then a
    rename); ``rebuild``: see :func:`check_model_dir`."""
    path = Path(path)
    check_model_dir(path, force, "pass force=True to replace it", rebuild)
    vectorizer, heads = model.compiled()
    estimators = model.estimators(required=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".rejectlens-", dir=path.parent))
    try:
        np.savez_compressed(
            tmp / SCORING_ARRAYS,
            **{f"vectorizer__{k}": v for k, v in vectorizer.arrays().items()},
            **{f"heads__{k}": v for k, v in heads.arrays().items()},
        )
        (tmp / SCORING_SETTINGS).write_text(
            json.dumps({"vectorizer": vectorizer.settings(), "heads": heads.settings()}, indent=1),
            encoding="utf-8",
        )
        (tmp / CUES_FILE).write_text(
            json.dumps(model.patterns, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        manifest = dict(model.manifest)
        manifest.update(
            {
                "format_version": FORMAT_VERSION,
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "versions": _versions(),
                "label_schema": schema(),
                "heads": sorted(heads.heads_),
                "thresholds": dict(sorted(heads.thresholds_.items())),
                "n_features": int(vectorizer.n_features),
            }
        )
        files = [SCORING_ARRAYS, SCORING_SETTINGS, CUES_FILE]
        if estimators is not None:
            import skops.io as sio

            ev, eh = estimators
            sio.dump({"vectorizer": ev, "heads": eh}, tmp / MODEL_FILE,
                     compression=zipfile.ZIP_DEFLATED)
            files.append(MODEL_FILE)
            manifest["skipped_heads"] = dict(eh.skipped_)
            manifest["cv_scores"] = eh.cv_scores_
        if model.fallback is not None:
            # The base model answers for the heads this one did not learn; it
            # travels inside the directory, pinned by its manifest's hash.
            model.fallback.save(tmp / BASE_DIR, force=True)
            manifest["base"] = {
                "dir": BASE_DIR,
                "heads": sorted(model.fallback.compiled()[1].heads_),
                "manifest_sha256": sha256(tmp / BASE_DIR / MANIFEST_FILE),
            }
        else:
            manifest.pop("base", None)
        if metrics is not None:
            manifest["metrics"] = dict(metrics)
        manifest["files"] = {name: sha256(tmp / name) for name in files}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        replace_dir(tmp, path)  # a failure at any point leaves the old model usable
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    model.manifest = manifest
    return path


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Read and check a model directory's manifest (no model code is touched)."""
    path = _model_dir(path)
    if not path.is_dir():
        raise ModelFileError(
            f"expected a model directory containing {MANIFEST_FILE}; {path} "
            + ("is a file" if path.exists() else "does not exist")
        )
    mf = inside(path, MANIFEST_FILE, "the manifest")
    if not mf.is_file():
        raise ModelFileError(f"{path} is not a rejectlens model: {MANIFEST_FILE} is missing")
    manifest = read_json(mf, "the manifest")
    if not isinstance(manifest, dict):
        raise ModelFileError(f"{mf} must hold a JSON object (a mapping); found {type(manifest).__name__}")
    if not isinstance(manifest.get("files", {}), dict):
        raise ModelFileError(f"{mf}: 'files' must map file names to sha256 hashes")
    fmt = manifest.get("format_version")
    if fmt not in SUPPORTED_FORMATS:
        raise ModelFileError(
            f"{path} has model format {fmt!r}; this rejectlens reads formats "
            f"{', '.join(map(str, SUPPORTED_FORMATS))}. Retrain the model or upgrade rejectlens."
        )
    _check_label_schema(manifest, path)
    return manifest


def _model_dir(path: str | Path) -> Path:
    if isinstance(path, str) and not path.strip():  # Path("") is the current folder
        raise ModelFileError("expected a model directory; found an empty path")
    return Path(path)


def _check_label_schema(manifest: Mapping[str, Any], path: Path) -> None:
    """Refuse a model trained for other classes: stage and personalization
    classes are stored as positions, so another order would mislabel silently.
    Only the class lists count: a schema that adds a field (version 2 added
    ``job_related``) leaves an older model's heads readable."""
    found = manifest.get("label_schema")
    if found is None:  # written before manifests recorded it
        return
    if not isinstance(found, dict):
        raise ModelFileError(f"{path}: the manifest's label_schema must be a mapping; "
                             f"found {type(found).__name__}")
    expected = schema()
    key = next((k for k in ("personalization", "stage", "reasons") if found.get(k) != expected[k]), None)
    if key is None:
        return
    raise ModelFileError(
        f"{path} was trained for another label schema: {key!r} is {found.get(key)!r} there, "
        f"{expected.get(key)!r} in this rejectlens. Retrain the model with this version."
    )


@dataclass(frozen=True, eq=False)
class SavedModel:
    """A model directory, read and checked: the runtime it scores with, its cue
    patterns and manifest, and the base model it carries (``base/``), if any.
    :meth:`rejectlens.Classifier.load` turns it into a Classifier."""

    vectorizer: CompiledVectorizer
    heads: CompiledHeads
    patterns: dict[str, list[str]]
    manifest: dict[str, Any]
    path: Path
    base: SavedModel | None = None


def read_model(path: str | Path) -> SavedModel:
    """Read a model directory written by :func:`save`.

    Reads plain arrays (``numpy.load`` with ``allow_pickle=False``) and JSON:
    nothing in the directory can run code, and scikit-learn is not imported.
    Raises :class:`~rejectlens.errors.ModelFileError` for a missing, unknown
    or tampered model; warns with :class:`ModelVersionWarning` on a
    scikit-learn or rejectlens version drift.
    """
    # Imported here: the runtime pulls in spaCy's types, and the manifest
    # helpers above must stay cheap to import.
    from .scoring import CompiledHeads, CompiledVectorizer

    path = _model_dir(path)
    manifest = read_manifest(path)
    entity_pipeline(manifest)  # a malformed entity setting fails here, not on every email
    arrays_file = verify(path, manifest, SCORING_ARRAYS)
    settings = read_json(verify(path, manifest, SCORING_SETTINGS), "scoring settings")
    patterns = read_json(verify(path, manifest, CUES_FILE), "cue patterns")
    if not isinstance(patterns, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in patterns.items()):
        raise ModelFileError(f"{path / CUES_FILE} must map cue names to lists of patterns")
    try:
        arrays = load_arrays(arrays_file)
        vectorizer = CompiledVectorizer.from_saved(
            {k.split("__", 1)[1]: v for k, v in arrays.items() if k.startswith("vectorizer__")},
            settings["vectorizer"],
        )
        heads = CompiledHeads.from_saved(
            {k.split("__", 1)[1]: v for k, v in arrays.items() if k.startswith("heads__")},
            settings["heads"],
        )
        _smoke_test(vectorizer, heads)
    except ModelFileError:
        raise
    except Exception as err:  # any shape, dtype or key problem: the model is unusable
        raise ModelFileError(
            f"{path} holds an incomplete or invalid model: {type(err).__name__}: {err}") from None
    base = None
    if manifest.get("base"):
        entry = manifest["base"]
        if not isinstance(entry, dict):
            raise ModelFileError(f"{path}: the manifest's 'base' must be a mapping")
        base_dir = inside(path, entry.get("dir"), "the base model folder")
        actual = sha256(base_dir / MANIFEST_FILE) if (base_dir / MANIFEST_FILE).is_file() else None
        if actual != entry.get("manifest_sha256"):
            raise ModelFileError(
                f"{base_dir} (the base model) is missing or does not match its manifest; "
                "copy the whole model directory again, or retrain"
            )
        base = read_model(base_dir)
    _warn_on_drift(manifest, path)
    return SavedModel(vectorizer, heads, patterns, manifest, path, base)


def _smoke_test(vectorizer, heads) -> None:
    """Score one empty email: every array must fit the others."""
    import scipy.sparse as sp

    for name in ("vocabulary_ids", "idf"):
        a = getattr(vectorizer, name)
        if not isinstance(a, np.ndarray) or a.ndim != 1:
            raise ModelFileError(f"vectorizer array {name} must be one-dimensional")
    if len(vectorizer.vocabulary_ids) != len(vectorizer.idf):
        raise ModelFileError("vectorizer arrays vocabulary_ids and idf differ in length")
    missing = set(heads.binary_names) - set(heads.thresholds_)
    if missing:
        raise ModelFileError(f"no decision threshold for heads {', '.join(sorted(missing))}")
    words, idf = vectorizer.sentence_vocabulary_ids, vectorizer.sentence_idf
    if (words is None) != (idf is None) or (words is not None and (
            not isinstance(words, np.ndarray) or not isinstance(idf, np.ndarray)
            or words.ndim != 1 or words.shape != idf.shape)):
        raise ModelFileError("vectorizer arrays sentence_vocabulary_ids and sentence_idf do not match")
    for name in ("decision_coef", "near_miss_coef"):
        coef = getattr(vectorizer, name)
        if coef is not None and (not isinstance(coef, np.ndarray) or coef.ndim != 1
                                 or len(coef) != vectorizer.sentence_model_width):
            raise ModelFileError(f"vectorizer array {name} does not fit the vocabulary and cues")
    coef, intercept = vectorizer.reason_coef, vectorizer.reason_intercept
    if (coef is None) != (intercept is None) or (coef is not None and (
            not isinstance(coef, np.ndarray) or not isinstance(intercept, np.ndarray)
            or coef.shape != (vectorizer.sentence_model_width, len(vectorizer.reason_names))
            or intercept.shape != (len(vectorizer.reason_names),))):
        raise ModelFileError("vectorizer arrays reason_coef and reason_intercept do not fit "
                             "the vocabulary, cues and reason names")
    names = vectorizer.reason_names
    if coef is not None and (len(set(names)) != len(names) or not set(names) <= set(REASONS)
                             or not set(names) <= set(vectorizer.cue_names)):
        raise ModelFileError(f"vectorizer setting reason_names must name distinct reasons that "
                             f"have cues; found {list(names)}")
    if coef is not None and len(vectorizer.reason_veto) != len(vectorizer.reason_names):
        raise ModelFileError(f"vectorizer setting reason_veto must hold one threshold per reason "
                             f"({len(vectorizer.reason_names)}); found {len(vectorizer.reason_veto)}")
    proba = heads.predict_proba(sp.csr_matrix((1, vectorizer.n_features)))
    for name, p in proba.items():
        p = np.asarray(p, dtype=float)
        if p.shape[0] != 1 or not np.all(np.isfinite(p)):
            raise ModelFileError(f"head {name} does not score: its arrays do not fit together")


def load_estimators(path: str | Path):
    """The trained scikit-learn estimators of a model directory: (EmailVectorizer, RejectionHeads).

    Only needed to inspect or extend a model (feature names, per-head
    estimators). Loaded with skops against an explicit list of trusted
    types; any other type in the file is refused before anything is built.
    """
    import skops.io as sio

    path = Path(path)
    manifest = read_manifest(path)
    f = verify(path, manifest, MODEL_FILE)
    check_zip(f).close()
    try:
        untrusted = set(sio.get_untrusted_types(file=f))
    except Exception as err:
        raise ModelFileError(f"{f} is not a readable skops file: {err}") from None
    unexpected = sorted(untrusted - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelFileError(
            f"{f} contains types rejectlens does not trust: {', '.join(unexpected)}; refusing to load it"
        )
    state = sio.load(f, trusted=sorted(untrusted))
    return state["vectorizer"], state["heads"]


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
