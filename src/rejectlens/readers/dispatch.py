"""Which reader reads a path: the format from the extension, then the reader of that format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..ingest import Columns, Email
from .jsonl import _read_json_stream
from .mail import _read_eml, _read_eml_dir, _read_mbox
from .streams import DEFAULT_MAX_MESSAGE_BYTES, _open_text, _stdin_text
from .tables import _read_csv, _read_csv_stream, _read_parquet

__all__ = ["FORMATS", "detect_format", "is_mail_format", "read_messages"]

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "mbox", "eml")
_MAIL_FORMATS = ("mbox", "eml")


def detect_format(path: str | Path) -> str:
    """The format named by a path's extension (``.gz`` looked through); a folder is ``eml``."""
    p = Path(path)
    if str(path) == "-":
        return "jsonl"
    if p.is_dir():
        return "eml"
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    ext = suffixes[-1].lstrip(".") if suffixes else ""
    ext = {"ndjson": "jsonl", "txt": "mbox", "mbx": "mbox"}.get(ext, ext)
    if ext not in FORMATS:
        raise InputError(
            f"{path}: cannot tell the format from the extension '{''.join(p.suffixes) or '(none)'}'; "
            f"expected one of .{', .'.join(FORMATS)} (optionally .gz), or pass --input-format"
        )
    return ext


def is_mail_format(fmt: str) -> bool:
    return fmt in _MAIL_FORMATS


def read_messages(
    path: str | Path,
    *,
    format: str | None = None,
    body: str = "body",
    subject: str = "subject",
    sender: str = "sender",
    id: str = "id",
    date: str = "date",
    chunk_size: int = 2000,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    raw: bool = False,
) -> Iterator[Email]:
    """Yield one Email per message in ``path`` (``-`` reads JSONL from stdin).

    Column options name the fields of table-like inputs (CSV, JSONL,
    Parquet); mail inputs (mbox, .eml, a folder of them) ignore them.
    ``max_message_bytes`` caps what is kept of one message (its start is
    kept, and the Email is marked ``truncated``). With ``raw=True``, JSON
    lines and mbox messages come as :class:`RawMessage` (turn each into its
    Email with ``as_email(item, Columns(...))``), other items as Emails.

    >>> from rejectlens.readers import read_messages
    >>> next(read_messages("data/examples/inbox.csv", body="text", id="message_id")).id
    'ex-01'
    """
    cols = Columns(body, subject, sender, id, date)
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    cap = max(int(max_message_bytes), 1)
    if str(path) == "-":
        if fmt not in ("csv", "tsv", "jsonl", "json"):
            raise InputError(f"stdin (-) carries JSONL, CSV or TSV; got input format {fmt!r}")
        stdin = _stdin_text()
        if fmt in ("csv", "tsv"):
            yield from _read_csv_stream(stdin, "<stdin>", cols, "\t" if fmt == "tsv" else ",", cap)
        else:
            yield from _read_json_stream(stdin, "<stdin>", cols, cap, raw)
        return
    p = Path(path)
    if fmt == "eml" and p.is_dir():
        yield from _read_eml_dir(p, cap)
        return
    if not p.exists():
        raise InputError(f"input {p} does not exist")
    if not p.is_file():
        raise InputError(f"input {p} is not a file")
    if fmt == "parquet":
        yield from _read_parquet(p, cols, chunk_size, cap)
    elif fmt in ("csv", "tsv"):
        yield from _read_csv(p, cols, sep="\t" if fmt == "tsv" else ",", cap=cap)
    elif fmt in ("jsonl", "json"):
        with _open_text(p) as f:
            yield from _read_json_stream(f, str(p), cols, cap, raw)
    elif fmt == "mbox":
        yield from _read_mbox(p, cap, raw)
    else:
        yield _read_eml(p, str(p), cap)
