"""What several commands share: exit codes, loading the model, reading labelled inputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["EXIT_OK", "EXIT_ROW_ERRORS", "EXIT_USAGE", "load_model", "records_from"]

EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE = 0, 1, 2


def load_model(path: str | None) -> Any:
    from ..api import load

    return load(path)


def records_from(paths: Sequence[str], split: str | None = None) -> list[Any]:
    """Labelled records of files (validated) or corpus folders (one split of them, or all)."""
    from ..corpus import load_corpus, split_records
    from ..records import read_records, validate_labels

    out = []
    for path in paths:
        if Path(path).is_dir():
            corpus = load_corpus(path)
            out.extend(split_records(corpus, split) if split else corpus)
        else:
            records = read_records(path)
            validate_labels(records, source=str(path))
            out.extend(records)
    if not out:
        from ..errors import DataError

        raise DataError(f"{', '.join(paths)}: no records found")
    return out
