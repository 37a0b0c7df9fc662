"""`rejectlens show`: a one-line-per-email table of a predictions file."""

from __future__ import annotations

from pathlib import Path

from .common import EXIT_OK
from .render import render_table

__all__ = ["run"]


def run(args) -> int:
    from ..errors import InputError
    from ..records import read_records

    path = Path(args.predictions)
    if path.suffix.lower() not in (".jsonl", ".json"):
        raise InputError(f"{path}: show reads the .jsonl that `rejectlens classify` writes")
    if not path.is_file():
        raise InputError(f"expected the .jsonl that `rejectlens classify` writes; {path} does not exist "
                         "or is not a file")
    rows = read_records(path)
    if rows and not any("is_rejection" in r for r in rows):  # classify writes it on every row
        found = ", ".join(dict.fromkeys(str(k) for r in rows[:50] for k in r)) or "none"
        raise InputError(f"{path}: expected predictions (rows with is_rejection, as `rejectlens classify` "
                         f"writes them); found fields: {found}. Classify it first")
    print(render_table(rows))
    return EXIT_OK
