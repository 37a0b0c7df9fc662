"""rejectlens: read job-application emails and say what each one means.

>>> import rejectlens
>>> model = rejectlens.load()
>>> p = model.classify("Thank you for applying. Unfortunately we will not be moving forward.")
>>> p.is_rejection
True

Heavy dependencies (spaCy, scikit-learn) are imported on first use of a name
below, so ``import rejectlens`` and ``rejectlens --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS: dict[str, str] = {
    "load": "api",
    "default_model_path": "api",
    "train": "training",
    "retrain": "retraining",
    "evaluate": "evaluation",
    "Classifier": "model",
    "Prediction": "prediction",
    "OUTPUT_FIELDS": "prediction",
    "Email": "ingest",
    "read_messages": "readers",
    "report": "mailbox",
    "MailboxReport": "mailbox",
    "REASONS": "labels",
    "STAGES": "labels",
    "ModelVersionWarning": "persist",
    "RejectLensError": "errors",
    "InputError": "errors",
    "DataError": "errors",
    "ModelFileError": "errors",
    "MissingDependencyError": "errors",
    "WorkerError": "errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rejectlens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from .api import default_model_path, load
    from .errors import (
        DataError,
        InputError,
        MissingDependencyError,
        ModelFileError,
        RejectLensError,
        WorkerError,
    )
    from .evaluation import evaluate
    from .ingest import Email
    from .labels import REASONS, STAGES
    from .mailbox import MailboxReport, report
    from .model import Classifier
    from .persist import ModelVersionWarning
    from .prediction import OUTPUT_FIELDS, Prediction
    from .readers import read_messages
    from .retraining import retrain
    from .training import train
