"""Read real exports as a stream of Emails: CSV/TSV, JSONL/JSON, Parquet, mbox, .eml.

Every input message gives exactly one :class:`~rejectlens.ingest.Email`, in
input order; one that cannot be read carries ``error`` instead of being
dropped. Problems with the input as a whole (missing file, unknown type,
missing body column) raise :class:`~rejectlens.errors.InputError` before
the first message. Files ending in ``.gz`` are decompressed on the fly.
"""

from __future__ import annotations

import csv
import email
import email.policy
import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .errors import InputError, MissingDependencyError
from .ingest import Email, message_to_email, normalize_id, stable_id

__all__ = ["Columns", "detect_format", "is_mail_format", "read_messages"]

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "mbox", "eml")
_MAIL_FORMATS = ("mbox", "eml")
_FROM_LINE = re.compile(rb"^>+From ")


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the email fields (for table-like inputs)."""

    body: str = "body"
    subject: str = "subject"
    sender: str = "sender"
    id: str = "id"
    date: str = "date"


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
) -> Iterator[Email]:
    """Yield one Email per message in ``path`` (``-`` reads JSONL from stdin).

    Column options name the fields of table-like inputs (CSV, JSONL,
    Parquet); mail inputs (mbox, .eml, a folder of .eml) ignore them.

    >>> from rejectlens.readers import read_messages
    >>> next(read_messages("data/examples/inbox.csv", body="text", id="message_id")).id
    'ex-01'
    """
    cols = Columns(body, subject, sender, id, date)
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if str(path) == "-":
        if fmt in ("csv", "tsv"):
            yield from _read_csv_stream(sys.stdin, "<stdin>", cols, "\t" if fmt == "tsv" else ",")
        elif fmt in ("jsonl", "json"):
            yield from _read_jsonl(sys.stdin, "<stdin>", cols)
        else:
            raise InputError(f"stdin (-) carries JSONL, CSV or TSV; got input format {fmt!r}")
        return
    p = Path(path)
    if fmt == "eml" and p.is_dir():
        yield from _read_eml_dir(p)
        return
    if not p.exists():
        raise InputError(f"input {p} does not exist")
    if not p.is_file():
        raise InputError(f"input {p} is not a file")
    if fmt == "parquet":
        yield from _read_parquet(p, cols, chunk_size)
    elif fmt in ("csv", "tsv"):
        yield from _read_csv(p, cols, sep="\t" if fmt == "tsv" else ",")
    elif fmt in ("jsonl", "json"):
        with _open_text(p) as f:
            head = f.read(1)
            while head and head.isspace():
                head = f.read(1)
            if not head:
                raise InputError(f"{p} is empty")
            if head == "[":  # a JSON array, not JSON lines
                yield from _read_json_array(head + f.read(), str(p), cols)
            else:
                yield from _read_jsonl(_prepend(head, f), str(p), cols)
    elif fmt == "mbox":
        yield from _read_mbox(p)
    else:
        yield _read_eml(p, str(p))


# ---- table-like inputs -----------------------------------------------------------
def _open_text(p: Path) -> IO[str]:
    if p.suffix.lower() == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8-sig", errors="replace", newline="")
    # utf-8-sig: spreadsheet exports often start with a byte-order mark
    return p.open(encoding="utf-8-sig", errors="replace", newline="")


def _prepend(first: str, f: IO[str]) -> Iterator[str]:
    line = f.readline()
    yield first + line
    yield from f


def _record_email(rec: Any, cols: Columns, where: str) -> Email:
    if not isinstance(rec, dict):
        return Email(body="", source=where, error=f"{where}: expected a JSON object, found "
                                                  f"{type(rec).__name__}")
    rid = normalize_id(rec.get(cols.id))
    if cols.body not in rec:
        found = ", ".join(map(str, rec)) or "none"
        return Email(body="", id=rid, source=where,
                     error=f"{where}: body field '{cols.body}' missing; fields found: {found}")
    fields = {}
    for key in ("body", "subject", "sender", "date"):
        value = rec.get(getattr(cols, key))
        if value is None or value != value:  # None or NaN
            value = ""
        if not isinstance(value, str):
            if key == "body":
                return Email(body="", id=rid, source=where,
                             error=f"{where}: body must be text; found {type(value).__name__}")
            value = str(value)
        fields[key] = value
    return Email(body=fields["body"], subject=fields["subject"], sender=fields["sender"],
                 date=fields["date"] or None, id=rid, source=where)


def _read_jsonl(lines, name: str, cols: Columns) -> Iterator[Email]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name} line {n}"
        try:
            rec = json.loads(line)
        except ValueError as err:
            yield Email(body="", source=where, error=f"{where}: not valid JSON ({err})")
            continue
        yield _record_email(rec, cols, where)


def _read_json_array(text: str, name: str, cols: Columns) -> Iterator[Email]:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise InputError(f"{name}: not valid JSON ({err}); expected a JSON array or JSON lines") from None
    for n, rec in enumerate(data):
        yield _record_email(rec, cols, f"{name} item {n}")


def _check_body_column(columns, cols: Columns, name: str) -> None:
    if cols.body not in columns:
        raise InputError(
            f"{name}: body column '{cols.body}' not found; columns found: "
            f"{', '.join(map(str, columns)) or 'none'}. Name it with --body-col."
        )


def _csv_stream_rows(f, name: str, sep: str):
    csv.field_size_limit(2**31 - 1)  # a 5 MB body is a cell too
    reader = csv.reader(f, delimiter=sep)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(f"{name}: the header line could not be parsed: {err}") from None
    if not header:
        raise InputError(f"{name} is empty")
    yield header
    row = 0
    try:
        for fields in reader:
            if not fields:
                continue  # a blank line
            row += 1
            where = f"{name} row {row}"
            if len(fields) > len(header):
                yield where, None, (
                    f"{where}: expected {len(header)} fields as in the header, found "
                    f"{len(fields)} (an unquoted separator or quote in a cell?)")
                continue
            fields += [""] * (len(header) - len(fields))
            yield where, dict(zip(header, fields)), None
    except csv.Error as err:
        # An unclosed quote swallows the rest of the file: say where, keep what was read.
        yield f"{name} row {row + 1}", None, f"{name}: CSV could not be parsed after row {row}: {err}"


def csv_rows(p: Path, sep: str = ",") -> Iterator[tuple[str, dict[str, str] | None, str | None]]:
    """Stream a CSV/TSV (optionally gzipped) as (where, record, error) per data row.

    The stdlib reader, not pandas: it keeps quoted multi-line bodies, takes
    fields of any size, and hands over a malformed row (more fields than the
    header) as that row, so it is reported in place instead of taking its
    neighbours with it. Raises InputError for an empty file.
    """
    with _open_text(p) as f:
        rows = _csv_stream_rows(f, str(p), sep)
        next(rows)  # the header
        yield from rows


def _read_csv_stream(f, name: str, cols: Columns, sep: str) -> Iterator[Email]:
    rows = _csv_stream_rows(f, name, sep)
    _check_body_column(next(rows), cols, name)
    n = 0
    for where, rec, error in rows:
        n += 1
        if error is not None:
            yield Email(body="", source=where, error=error)
        else:
            yield _record_email(rec, cols, where)
    if n == 0:
        raise InputError(f"{name} has a header but no rows")


def _read_csv(p: Path, cols: Columns, sep: str) -> Iterator[Email]:
    with _open_text(p) as f:
        yield from _read_csv_stream(f, str(p), cols, sep)


def _read_parquet(p: Path, cols: Columns, chunk_size: int) -> Iterator[Email]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet", "Reading Parquet files") from None
    try:
        pf = pq.ParquetFile(p)
    except Exception as err:
        raise InputError(f"{p} is not a readable Parquet file: {err}") from None
    _check_body_column(pf.schema_arrow.names, cols, str(p))
    wanted = [c for c in {cols.body, cols.subject, cols.sender, cols.id, cols.date}
              if c in pf.schema_arrow.names]
    row = 0
    for batch in pf.iter_batches(batch_size=chunk_size, columns=wanted):
        for rec in batch.to_pylist():
            row += 1
            yield _record_email(rec, cols, f"{p} row {row}")


# ---- mail inputs -------------------------------------------------------------------
def _parse_message(raw: bytes, where: str) -> Email:
    try:
        # The legacy (compat32) parser is ~15x faster than policy.default on
        # real mail; headers are decoded and charsets handled by
        # message_to_email, which needs nothing else from the richer API.
        msg = email.message_from_bytes(raw)
        e = message_to_email(msg, source=where)
    except Exception as err:  # the stdlib parser is lenient, but not always
        return Email(body="", source=where, error=f"{where}: message could not be parsed: {err}")
    if e.id is None:
        e = replace(e, id=stable_id(e.subject, e.body or e.html or "", e.sender))
    return e


def _read_mbox(p: Path) -> Iterator[Email]:
    """Stream an mbox without loading it: a message starts at a "From " line.

    The stdlib ``mailbox`` module builds a table of contents of the whole file
    first; this reads one message at a time, and un-escapes ">From " lines
    (mboxrd), which ``mailbox`` leaves in place.
    """
    opener = gzip.open if p.suffix.lower() == ".gz" else open
    n = 0
    with opener(p, "rb") as f:
        first = f.readline()
        if not first:
            raise InputError(f"{p} is empty")
        if not first.startswith(b"From "):
            raise InputError(
                f"{p} is not an mbox file: it should start with a 'From ' line, found "
                f"{first[:40]!r}"
            )
        lines: list[bytes] = []
        prev_blank = True
        for line in f:
            if line.startswith(b"From ") and prev_blank:
                n += 1
                yield _parse_message(b"".join(lines), f"{p}#{n}")
                lines = []
                prev_blank = False
                continue
            if _FROM_LINE.match(line):
                line = line[1:]
            lines.append(line)
            prev_blank = not line.strip()
        n += 1
        yield _parse_message(b"".join(lines), f"{p}#{n}")


def _read_eml(p: Path, where: str) -> Email:
    opener = gzip.open if p.suffix.lower() == ".gz" else open
    try:
        with opener(p, "rb") as f:
            raw = f.read()
    except OSError as err:
        return Email(body="", source=where, error=f"{where}: could not be read: {err}")
    if not raw.strip():
        return Email(body="", source=where, id=where, error=f"{where}: file is empty")
    return _parse_message(raw, where)


def _read_eml_dir(d: Path) -> Iterator[Email]:
    files = sorted(
        (f for f in d.rglob("*") if f.is_file() and f.name.lower().endswith((".eml", ".eml.gz"))),
        key=lambda f: str(f.relative_to(d)),
    )
    if not files:
        raise InputError(f"folder {d} holds no .eml files (searched recursively)")
    for f in files:
        yield _read_eml(f, str(f))
