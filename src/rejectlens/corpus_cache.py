"""The bundled corpus as a feature matrix under a base model's vectorizer, cached on disk.

Retraining on top of a base model keeps the base's vocabulary fixed, so the
corpus rows always turn into the same matrix: it is built once (cleaning and
the spaCy stage over a few thousand emails) and read back in a fraction of a
second afterwards. The cache key covers everything the matrix depends on: the
corpus records, the vectorizer's arrays and settings, the cue patterns, the
library version and the source of the modules that turn text into features.
A stale, unreadable or mismatched file is rebuilt, never trusted.

The cache lives in ``$REJECTLENS_CACHE_DIR`` when set, else in
``$XDG_CACHE_HOME/rejectlens`` or ``~/.cache/rejectlens``. Files hold sparse
arrays only (read with ``allow_pickle=False``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from .records import data_hash
from .writers import write_file_atomic

__all__ = ["cache_dir", "corpus_features"]

CACHE_FORMAT = 1
# The modules whose code decides what a text's feature row is.
_FEATURE_MODULES = ("analyse", "chunk_tokenizer", "clean", "components", "decision", "fastpath", "ingest",
                    "language", "scopes", "scoring", "signals", "tokens", "tfidf", "negation",
                    "batch_rows", "reason_sentences")


def cache_dir() -> Path:
    """Where cached corpus matrices live (see the module docstring)."""
    env = os.environ.get("REJECTLENS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "rejectlens"


def _code_hash() -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _FEATURE_MODULES:
        f = here / f"{name}.py"
        h.update(f.read_bytes() if f.is_file() else name.encode())
    return h.hexdigest()


def cache_key(vectorizer, patterns: Mapping[str, Sequence[str]], records_hash: str) -> str:
    """sha256 naming the matrix of these records under this vectorizer and code."""
    from ._version import __version__

    h = hashlib.sha256()
    h.update(json.dumps({"format": CACHE_FORMAT, "version": __version__, "code": _code_hash(),
                         "records": records_hash, "settings": vectorizer.settings(),
                         "patterns": patterns}, sort_keys=True).encode())
    for name, a in sorted(vectorizer.arrays().items()):
        h.update(name.encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def corpus_features(
    vectorizer,
    patterns: Mapping[str, Sequence[str]],
    records: Sequence[Mapping[str, Any]],
    build: Callable[[Sequence[Mapping[str, Any]]], sp.csr_matrix],
    progress: Callable[[str], None] | None = None,
    use_cache: bool = True,
) -> tuple[sp.csr_matrix, bool]:
    """(feature matrix of ``records``, whether it came from the cache).

    ``build`` turns the records into rows when the cache has no usable copy;
    the result is then stored for the next run (a cache directory that cannot
    be written is reported and skipped: the matrix is still returned).
    """
    say = progress or (lambda _msg: None)
    path = cache_dir() / f"corpus-{cache_key(vectorizer, patterns, data_hash(records))[:32]}.npz"
    if use_cache and path.is_file():
        try:
            X = sp.load_npz(path).tocsr()
            if X.shape == (len(records), vectorizer.n_features):
                return X, True
            say(f"cached corpus matrix {path} has shape {X.shape}; rebuilding it")
        except Exception as err:  # a truncated or foreign file: rebuild
            say(f"cached corpus matrix {path} is unreadable ({type(err).__name__}); rebuilding it")
    X = sp.csr_matrix(build(records))
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            sp.save_npz(buf, X, compressed=False)
            write_file_atomic(path, buf.getvalue())  # a reader never sees half a file
        except OSError as err:
            say(f"could not cache the corpus matrix in {path.parent} ({err}); continuing without")
    return X, False
