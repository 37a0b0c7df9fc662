"""The small public entry points: load a model, train one, evaluate one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ModelFileError
from .model import Classifier

__all__ = ["default_model_path", "load"]


def default_model_path() -> Path:
    """Where the bundled default model lives: inside the installed package
    (wheel), or in the source tree's ``models/default`` (editable install)."""
    packaged = Path(str(resources.files("rejectlens"))) / "_default_model"
    if (packaged / "manifest.json").is_file():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "models" / "default"
    if (source_tree / "manifest.json").is_file():
        return source_tree
    raise ModelFileError(
        "the bundled default model was not found (looked in "
        f"{packaged} and {source_tree}); build it with `make model`, or pass a model path"
    )


def load(path: str | Path | None = None) -> Classifier:
    """Load a model directory; with no path, the bundled default model.

    >>> import rejectlens
    >>> model = rejectlens.load()
    >>> model.classify("We have decided to move forward with other candidates.").is_rejection
    True
    """
    return Classifier.load(default_model_path() if path is None else path)
