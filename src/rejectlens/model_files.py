"""Reading a model folder's files as untrusted data.

A model folder may come from anywhere, so every read here is bounded and
confined: names stay inside the folder (no absolute path, ``..`` or symbolic
link), each file matches the sha256 its manifest lists, zips are checked
against their inflated size before anything is inflated, and arrays are
plain numbers read with ``allow_pickle=False``. Every failure is a
:class:`~rejectlens.errors.ModelFileError` naming the file.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelFileError

__all__ = ["MAX_ARRAY_BYTES", "check_zip", "inside", "load_arrays", "read_json", "sha256", "verify"]

# What a model's arrays may take once inflated (the bundled model needs ~4 MB):
# sizes are read from the zip directory before anything is inflated.
MAX_ARRAY_BYTES = 1 << 30


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inside(path: Path, name: Any, what: str) -> Path:
    """``path / name`` for a plain relative name that stays in the model folder:
    no absolute path, no ``..``, no symbolic link on the way."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ModelFileError(f"{path}: {what} must be a file name inside the model folder; got {name!r}")
    rel = Path(name)
    if rel.is_absolute() or rel.drive or ".." in rel.parts or "\\" in name:
        raise ModelFileError(
            f"{path}: {what} {name!r} points outside the model folder; a model names only its own files")
    f = path
    for part in rel.parts:
        f = f / part
        if f.is_symlink():
            raise ModelFileError(
                f"{f} is a symbolic link; a model folder must hold its own files (copy them in)")
    return f


def read_json(f: Path, what: str) -> Any:
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError, OSError) as err:
        raise ModelFileError(f"{f} ({what}) is not valid JSON: {type(err).__name__}: {err}") from None


def verify(path: Path, manifest: Mapping[str, Any], name: str) -> Path:
    """The file ``name`` of the model folder, once its sha256 matches the manifest."""
    f = inside(path, name, "a model file")
    if not f.is_file():
        raise ModelFileError(f"model file {f} is missing")
    expected = (manifest.get("files") or {}).get(name)
    actual = sha256(f)
    if expected != actual:
        raise ModelFileError(
            f"{f} does not match its manifest (sha256 {actual[:12]}..., manifest says "
            f"{str(expected)[:12]}...): the file was changed or corrupted; retrain or re-copy it"
        )
    return f


def check_zip(f: Path, limit: int | None = None) -> zipfile.ZipFile:
    """Open a zip whose members' inflated sizes (from its directory, before
    anything is inflated) stay within ``limit``; zipfile never inflates a
    member past its listed size."""
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ModelFileError(f"{f} is not a readable zip archive: {err}") from None
    limit = MAX_ARRAY_BYTES if limit is None else limit
    total = sum(info.file_size for info in zf.infolist())
    if total > limit:
        zf.close()
        raise ModelFileError(
            f"{f} would inflate to {total:,} bytes (more than {limit:,}); refusing to read it")
    return zf


def load_arrays(f: Path) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each checked before it is read: real .npy data,
    a plain numeric dtype, and a declared shape that fits its member's size."""
    arrays: dict[str, np.ndarray] = {}
    with check_zip(f) as zf:
        for info in zf.infolist():
            name = info.filename
            if not name.endswith(".npy"):
                raise ModelFileError(f"{f}: member {name!r} is not a .npy array")
            with zf.open(info) as member:
                try:
                    version = np.lib.format.read_magic(member)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(member)
                except Exception as err:
                    raise ModelFileError(f"{f}: member {name!r} is not a numpy array ({err})") from None
                if dtype.hasobject or dtype.kind not in "biufU":
                    raise ModelFileError(f"{f}: member {name!r} has dtype {dtype}; expected numbers")
                declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
                if declared > info.file_size:
                    raise ModelFileError(f"{f}: member {name!r} declares shape {shape} ({declared:,} "
                                         f"bytes) but holds {info.file_size:,} bytes")
            with zf.open(info) as member:  # read again from the start, now that it is known sane
                arrays[name[: -len(".npy")]] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays
