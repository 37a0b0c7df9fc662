"""Every error rejectlens raises, in one place.

Each message says what was expected, what was found, and how to fix it, so a
user can act on it without reading the source.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "InputError",
    "MissingDependencyError",
    "ModelFileError",
    "RejectLensError",
    "WorkerError",
]


class RejectLensError(Exception):
    """Base class of all rejectlens errors."""


class InputError(RejectLensError, ValueError):
    """An email, record or file could not be read as an email."""


class DataError(RejectLensError, ValueError):
    """A labeled data set breaks the schema or the coverage rules."""


class ModelFileError(RejectLensError):
    """A model directory is missing, tampered with, or in an unknown format."""


class MissingDependencyError(RejectLensError, ImportError):
    """An optional dependency is needed for this feature."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package '{package}', which is not installed. "
            f"Install it with: pip install 'rejectlens[{extra}]'"
        )


class WorkerError(RejectLensError, RuntimeError):
    """A worker process (``n_jobs > 1``) died before answering its rows."""
