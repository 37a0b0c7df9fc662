"""Read real exports as a stream of Emails: CSV/TSV, JSONL/JSON, Parquet, mbox, .eml.

Every input message gives exactly one :class:`~rejectlens.ingest.Email`, in
input order; one that cannot be read carries ``error`` instead of being
dropped. Problems with the input as a whole (missing file, unknown type,
missing body column) raise :class:`~rejectlens.errors.InputError` before
the first message. Files ending in ``.gz`` are decompressed on the fly; one
that ends early (a cut download) keeps the messages read before the cut and
adds an error row where it ends.

Memory is bounded per message, not by the largest message: no reader holds
more than ``max_message_bytes`` (default 25 MB) of one message. A longer
message keeps its readable start and is marked ``truncated``.
"""

from __future__ import annotations

import csv
import email
import email.policy
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .errors import InputError, MissingDependencyError
from .ingest import MAX_HEADER_CHARS, Email, message_to_email, normalize_id, stable_id

__all__ = ["Columns", "RawMessage", "detect_format", "is_mail_format", "read_messages"]

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "mbox", "eml")
_MAIL_FORMATS = ("mbox", "eml")
_FROM_LINE = re.compile(rb"^>+From ")
# An mbox envelope line: "From sender Mon Jan  1 00:00:00 2024" (the date is
# what tells it from a body line starting with "From ", as mutt checks).
_ENVELOPE = re.compile(
    rb"^From \S*\s+(?:[A-Za-z]{3},?\s+)?[A-Za-z]{3}\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
    rb"(?:\s+[A-Z]{3,5}|\s+[+-]\d{4})?\s+\d{4}\b"
)
DEFAULT_MAX_MESSAGE_BYTES = 25_000_000
_PIECE = 1 << 20  # read at most this much of a line at once
# What a compressed or damaged stream raises when it ends early or is corrupt.
_STREAM_ERRORS = (EOFError, OSError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the email fields (for table-like inputs)."""

    body: str = "body"
    subject: str = "subject"
    sender: str = "sender"
    id: str = "id"
    date: str = "date"


class RawMessage(tuple):
    """One message as read, not yet parsed: a JSONL line (text) or an mbox
    message (bytes), with where it came from. ``read_messages(..., raw=True)``
    yields these so a worker process can parse them: raw text and bytes cost
    little to send between processes, parsed objects more.
    """

    __slots__ = ()

    def __new__(cls, kind: str, data: str | bytes, where: str, cap: int, truncated: bool):
        return tuple.__new__(cls, (kind, data, where, cap, truncated))

    def __getnewargs__(self):
        return tuple(self)

    def parse(self, cols: Columns) -> Email:
        """The Email this message gives (exactly what ``raw=False`` would have yielded)."""
        kind, data, where, cap, truncated = self
        if kind == "json":
            return _json_record(data, where, cols, truncated)
        return _parse_message(data, where, cap, truncated)


def as_email(item: Email | RawMessage, cols: Columns) -> Email:
    return item.parse(cols) if isinstance(item, RawMessage) else item


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
    Parquet); mail inputs (mbox, .eml, a folder of .eml) ignore them.
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
        yield from _read_parquet(p, cols, chunk_size)
    elif fmt in ("csv", "tsv"):
        yield from _read_csv(p, cols, sep="\t" if fmt == "tsv" else ",", cap=cap)
    elif fmt in ("jsonl", "json"):
        with _open_text(p) as f:
            yield from _read_json_stream(f, str(p), cols, cap, raw)
    elif fmt == "mbox":
        yield from _read_mbox(p, cap, raw)
    else:
        yield _read_eml(p, str(p), cap)


# ---- table-like inputs -----------------------------------------------------------
class _Guarded(io.RawIOBase):
    """A compressed stream that ends quietly where it breaks (a cut download,
    a corrupt block) and keeps the reason in ``error``: everything before the
    break is still read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw, self.error = raw, None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.error is not None:
            return 0
        try:
            # read1: one read of the compressed stream, so data read before a
            # break is returned before the break is raised
            data = self._raw.read1(len(buffer))
        except _STREAM_ERRORS as err:
            self.error = err
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open_binary(p: Path) -> IO[bytes]:
    """The file's bytes (decompressed for .gz); ``stream_error(f)`` tells, at
    the end, whether the file broke off before its real end."""
    if p.suffix.lower() == ".gz":
        guard = _Guarded(gzip.open(p, "rb"))  # noqa: SIM115 (closed with the returned reader)
        f = io.BufferedReader(guard, _PIECE)
        f.guard = guard  # type: ignore[attr-defined]
        return f
    return open(p, "rb")


def stream_error(f: Any) -> BaseException | None:
    guard = getattr(f, "guard", None)
    return None if guard is None else guard.error


def _open_text(p: Path) -> IO[str]:
    if p.suffix.lower() == ".gz":
        raw = _open_binary(p)
        f = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        f.guard = raw.guard  # type: ignore[attr-defined]
        return f
    # utf-8-sig: spreadsheet exports often start with a byte-order mark
    return p.open(encoding="utf-8-sig", errors="replace", newline="")


def _stdin_text() -> IO[str]:
    # Like files: a byte-order mark is dropped, undecodable bytes replaced.
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # replaced by a text stream (tests, embedding)
        return _DropBom(sys.stdin)
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline="")


class _DropBom:
    """A text stream whose first character is dropped when it is a byte-order mark."""

    def __init__(self, f: IO[str]) -> None:
        self._f, self._first = f, True

    def _strip(self, text: str) -> str:
        if self._first and text:
            self._first = False
            return text[1:] if text[0] == "\ufeff" else text
        return text

    def read(self, n: int = -1) -> str:
        return self._strip(self._f.read(n))

    def readline(self, n: int = -1) -> str:
        return self._strip(self._f.readline(n))

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line


class _SafeLines:
    """Lines of a text stream, each at most ``limit`` characters (a longer line
    comes in pieces); a stream that breaks (a cut .gz) ends the lines and
    leaves the reason in ``error``."""

    def __init__(self, f: IO[str], limit: int = -1) -> None:
        self.f, self.limit, self.error = f, limit, None

    def __iter__(self) -> Iterator[str]:
        while True:
            try:
                line = self.f.readline(self.limit)
            except _STREAM_ERRORS as err:
                self.error = err
                return
            if not line:
                self.error = stream_error(self.f)
                return
            yield line


def _ends_early(name: str, after: str, err: BaseException) -> Email:
    where = f"{name} (after {after})"
    return Email(body="", source=where, error=f"{name}: the input ends early or is damaged after "
                 f"{after}; what follows could not be read ({type(err).__name__}: {err})")


def _record_email(rec: Any, cols: Columns, where: str, truncated: bool = False) -> Email:
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
        fields[key] = value if key == "body" else value[:MAX_HEADER_CHARS]
    return Email(body=fields["body"], subject=fields["subject"], sender=fields["sender"],
                 date=fields["date"] or None, id=rid, source=where, truncated=truncated)


def _parse_json(text: str, where: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except ValueError as err:
        return None, f"{where}: not valid JSON ({err})"
    except RecursionError:
        return None, f"{where}: not valid JSON (nested too deeply to read)"


def _json_record(text: str, where: str, cols: Columns, truncated: bool) -> Email:
    if truncated:
        rec = close_json(text)
        if rec is None:
            return Email(body="", source=where, error=f"{where}: a record longer than the "
                         f"{len(text):,}-byte cap whose start could not be read as JSON")
    else:
        rec, error = _parse_json(text, where)
        if error is not None:
            return Email(body="", source=where, error=error)
    return _record_email(rec, cols, where, truncated=truncated)


def _read_json_stream(f: IO[str], name: str, cols: Columns, cap: int,
                      raw: bool = False) -> Iterator[Email]:
    """JSON lines, or one JSON array (told by its first character), streamed."""
    try:
        head = f.read(1)
        while head and head.isspace():
            head = f.read(1)
    except _STREAM_ERRORS as err:
        raise InputError(f"{name} could not be read: {err}") from None
    if not head:
        if stream_error(f) is not None:
            raise InputError(f"{name} could not be read: {stream_error(f)}")
        raise InputError(f"{name} is empty")
    if head == "[":  # a JSON array, not JSON lines
        yield from _read_json_array(f, name, cols, cap)
    else:
        yield from _read_jsonl(f, name, cols, cap, head, raw)


def _read_jsonl(f: IO[str], name: str, cols: Columns, cap: int, head: str = "",
                raw: bool = False) -> Iterator[Email]:
    source = _SafeLines(f, _PIECE)
    n = 0
    pieces: list[str] = [head] if head else []
    size, truncated = len(head), False
    for piece in source:
        if size < cap:
            pieces.append(piece[: cap - size])
            truncated = truncated or size + len(piece) > cap
            size += len(piece)
        else:
            truncated = True
        if not piece.endswith("\n"):
            continue  # the line goes on
        n += 1
        yield from _jsonl_line("".join(pieces), f"{name} line {n}", cols, truncated, raw)
        pieces, size, truncated = [], 0, False
    if pieces:
        n += 1
        yield from _jsonl_line("".join(pieces), f"{name} line {n}", cols, truncated, raw)
    if source.error is not None:
        yield _ends_early(name, f"line {n}", source.error)


def _jsonl_line(line: str, where: str, cols: Columns, truncated: bool,
                raw: bool = False) -> Iterator[Email]:
    if line.strip():
        text = line.rstrip("\r\n") if truncated else line
        yield RawMessage("json", text, where, 0, truncated) if raw else \
            _json_record(text, where, cols, truncated)


_JSON_IN_STRING = re.compile(r'["\\]')
_JSON_OUTSIDE = re.compile(r'["\[\]{},]')


def _read_json_array(f: IO[str], name: str, cols: Columns, cap: int) -> Iterator[Email]:
    """Stream the items of a JSON array (after its "["), one at a time.

    A small scanner finds where each item ends (strings and nesting
    tracked), so the file is never parsed whole; an item longer than ``cap``
    keeps its start. A file that breaks off gives an error row where it does.
    """
    n = 0
    pieces: list[str] = []
    size, truncated = 0, False
    depth, in_string, escape = 0, False, False
    done = False
    error: BaseException | str | None = None
    while not done:
        try:
            chunk = f.read(_PIECE)
        except _STREAM_ERRORS as err:
            error = err
            break
        if not chunk:
            error = stream_error(f) or "the array is not closed with ]"
            break
        pos, start = 0, 0
        while pos < len(chunk):
            if escape:
                escape, pos = False, pos + 1
                continue
            m = (_JSON_IN_STRING if in_string else _JSON_OUTSIDE).search(chunk, pos)
            if m is None:
                pos = len(chunk)
                break
            c, pos = m.group(), m.end()
            if in_string:
                if c == "\\":
                    escape = True
                else:
                    in_string = False
            elif c == '"':
                in_string = True
            elif c in "[{":
                depth += 1
            elif depth > 0 and c in "]}":
                depth -= 1
            elif depth == 0 and c in ",]":  # an item ends
                piece = chunk[start : pos - 1]
                if size < cap:
                    pieces.append(piece[: cap - size])
                truncated = truncated or size + len(piece) > cap
                text = "".join(pieces).strip()
                if text or c == ",":
                    where = f"{name} item {n}"
                    n += 1
                    yield (_json_record(text, where, cols, truncated) if text else
                           Email(body="", source=where, error=f"{where}: an empty item"))
                pieces, size, truncated, start = [], 0, False, pos
                if c == "]":
                    done = True
                    break
        if not done:
            piece = chunk[start:]
            if size < cap:
                pieces.append(piece[: cap - size])
            truncated = truncated or size + len(piece) > cap
            size += len(piece)
    if error is not None:
        text = "".join(pieces).strip()
        where = f"{name} item {n}"
        if text:
            yield Email(body="", source=where, error=f"{where}: the file ends inside this item "
                        f"({error}); the item could not be read")
        else:
            yield _ends_early(name, f"item {n - 1}" if n else "the opening [", error
                              if isinstance(error, BaseException) else EOFError(error))


def close_json(prefix: str) -> Any | None:
    """The value of a JSON text cut short, closed as it stands (an open string
    ends where it was cut, open arrays and objects are closed); None when the
    start cannot be read that way."""
    stack: list[str] = []
    in_string, pos, end, n = False, 0, len(prefix), len(prefix)
    while pos < n:
        m = (_JSON_IN_STRING if in_string else _JSON_OUTSIDE).search(prefix, pos)
        if m is None:
            break
        c, pos = m.group(), m.end()
        if in_string:
            if c == "\\":
                rest = prefix[pos : pos + 5]
                if not rest or (rest[0] == "u" and len(rest) < 5):
                    end = m.start()  # an escape cut in half: drop it
                    break
                pos += 1
            else:
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            stack.append(c)
        elif c in "]}" and stack:
            stack.pop()
    text = prefix[:end] + ('"' if in_string else "")
    closers = "".join("}" if c == "{" else "]" for c in reversed(stack))
    for middle in ("", "null", ":null", '"":null'):
        for body in (text, text.rstrip().rstrip(",")):
            try:
                return json.loads(body + middle + closers)
            except (ValueError, RecursionError):
                continue
    return None


def _check_body_column(columns, cols: Columns, name: str) -> None:
    if cols.body not in columns:
        raise InputError(
            f"{name}: body column '{cols.body}' not found; columns found: "
            f"{', '.join(map(str, columns)) or 'none'}. Name it with --body-col."
        )


class _CsvLines:
    """The lines of a CSV stream for the csv reader, with what it needs to
    stay bounded and to recover.

    Each record keeps its lines (``kept``) so one that swallowed the rest of
    the file behind an unclosed quote can be read again. Past ``cap``
    characters in one record, only the characters that shape the record
    (quotes, separators, line ends) are passed on: the cell keeps its start,
    the record ends where it would have, and ``truncated`` is set. A stream
    that breaks (a cut .gz) ends the lines and leaves the reason in ``error``.
    """

    def __init__(self, f: IO[str], sep: str, cap: int | None = None) -> None:
        self.f, self.cap, self.error = f, cap, None
        self._drop = re.compile('[^"' + re.escape(sep) + "\r\n]+")
        self.lines = 0  # physical lines passed on so far
        self.new_record()

    def new_record(self) -> None:
        self.kept: list[str] = []
        self.size, self.truncated, self.start = 0, False, self.lines

    def __iter__(self) -> Iterator[str]:
        while True:
            parts: list[str] = []
            while True:
                try:
                    piece = self.f.readline(_PIECE if self.cap is not None else -1)
                except _STREAM_ERRORS as err:
                    self.error, piece = err, ""
                if not piece:
                    self.error = self.error or stream_error(self.f)
                    break
                if self.cap is not None and self.size + len(piece) > self.cap:
                    room = max(self.cap - self.size, 0)
                    piece = piece[:room] + self._drop.sub("", piece[room:])
                    self.truncated = True
                self.size += len(piece)
                parts.append(piece)
                if piece.endswith(("\n", "\r")):
                    break
            if not parts:
                return
            line = "".join(parts)
            self.lines += 1
            self.kept.append(line)
            yield line


def _unclosed_quote(lines: list[str], sep: str) -> bool:
    """Whether these lines (one CSV record) end inside a quoted field."""
    try:
        for _ in csv.reader(lines, delimiter=sep, strict=True):
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


def _csv_records(source: _CsvLines, name: str, sep: str, header: list[str], row: int,
                 reopen: Callable[[], IO[str]] | None = None):
    """(where, record, error, truncated) for each data row; a quote left open
    (which makes the reader swallow the rest of the file) gives an error row
    for its record, and reading goes on with the lines after that record's first."""
    reader = csv.reader(source, delimiter=sep)
    while True:
        source.new_record()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            row += 1
            yield f"{name} row {row}", None, f"{name} row {row}: CSV could not be parsed: {err}", False
            continue
        if not any(f.strip() for f in fields):
            continue  # a blank line, or one of spaces and tabs
        kept = source.kept
        # Only a record cut by the end of the file can end inside quotes: its
        # last line has no newline, or its last field swallowed one.
        if kept and (not kept[-1].endswith(("\n", "\r")) or fields[-1].endswith(("\n", "\r"))) \
                and _unclosed_quote(kept, sep):
            row += 1
            where = f"{name} row {row}"
            yield where, None, (f"{where}: a quote opened in this row is never closed (it would "
                                "take the rest of the file with it); the rows after it are read "
                                "on their own"), False
            if source.truncated and reopen is not None:
                # The kept lines were cut down to the cap: read the rest again from the file.
                with reopen() as f:
                    again = _CsvLines(f, sep, source.cap)
                    skip = source.start + 1
                    for _ in again:
                        skip -= 1
                        if skip == 0:
                            break
                    yield from _csv_records(again, name, sep, header, row, reopen)
            else:
                rest = io.StringIO("".join(kept[1:]), newline="")
                yield from _csv_records(_CsvLines(rest, sep, source.cap), name, sep, header, row)
            return
        row += 1
        where = f"{name} row {row}"
        if len(fields) > len(header):
            yield where, None, (
                f"{where}: expected {len(header)} fields as in the header, found "
                f"{len(fields)} (an unquoted separator or quote in a cell?)"), False
            continue
        fields += [""] * (len(header) - len(fields))
        yield where, dict(zip(header, fields)), None, source.truncated


def _csv_stream_rows(f, name: str, sep: str, cap: int | None = None,
                     reopen: Callable[[], IO[str]] | None = None):
    csv.field_size_limit(2**31 - 1)  # a 5 MB body is a cell too
    lines = _CsvLines(f, sep, cap)
    reader = csv.reader(lines, delimiter=sep)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(f"{name}: the header line could not be parsed: {err}") from None
    if not header:
        if lines.error is not None:
            raise InputError(f"{name} could not be read: {lines.error}")
        raise InputError(f"{name} is empty")
    yield header
    last = "the header"
    for where, rec, error, truncated in _csv_records(lines, name, sep, header, 0, reopen):
        last = where[len(name) + 1 :]
        yield where, rec, error, truncated
    if lines.error is not None:
        yield f"{name} (after {last})", None, _ends_early(name, last, lines.error).error, False


def csv_rows(p: Path, sep: str = ",") -> Iterator[tuple[str, dict[str, str] | None, str | None]]:
    """Stream a CSV/TSV (optionally gzipped) as (where, record, error) per data row.

    The stdlib reader, not pandas: it keeps quoted multi-line bodies, takes
    fields of any size, and hands over a malformed row (more fields than the
    header) as that row, so it is reported in place instead of taking its
    neighbours with it. Raises InputError for an empty file.
    """
    with _open_text(p) as f:
        rows = _csv_stream_rows(f, str(p), sep, reopen=lambda: _open_text(p))
        next(rows)  # the header
        for where, rec, error, _ in rows:
            yield where, rec, error


def _read_csv_stream(f, name: str, cols: Columns, sep: str, cap: int | None = None,
                     reopen: Callable[[], IO[str]] | None = None) -> Iterator[Email]:
    rows = _csv_stream_rows(f, name, sep, cap, reopen)
    _check_body_column(next(rows), cols, name)
    n = 0
    for where, rec, error, truncated in rows:
        n += 1
        if error is not None:
            yield Email(body="", source=where, error=error)
        else:
            yield _record_email(rec, cols, where, truncated=truncated)
    if n == 0:
        raise InputError(f"{name} has a header but no rows")


def _read_csv(p: Path, cols: Columns, sep: str, cap: int | None = None) -> Iterator[Email]:
    with _open_text(p) as f:
        yield from _read_csv_stream(f, str(p), cols, sep, cap, reopen=lambda: _open_text(p))


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
    # Row group by row group: a damaged group gives error rows for its rows
    # and the readable groups are kept.
    for group in range(pf.num_row_groups):
        expected = pf.metadata.row_group(group).num_rows
        done = 0
        try:
            for batch in pf.iter_batches(batch_size=chunk_size, columns=wanted, row_groups=[group]):
                for rec in batch.to_pylist():
                    row += 1
                    done += 1
                    yield _record_email(rec, cols, f"{p} row {row}")
        except Exception as err:
            for _ in range(max(expected - done, 1 if done == 0 else 0)):
                row += 1
                where = f"{p} row {row}"
                yield Email(body="", source=where, error=f"{where}: row group {group} could not be "
                            f"read ({type(err).__name__}: {err})")


# ---- mail inputs -------------------------------------------------------------------
def _parse_message(raw: bytes, where: str, cap: int = DEFAULT_MAX_MESSAGE_BYTES,
                   truncated: bool = False) -> Email:
    try:
        # The legacy (compat32) parser is ~15x faster than policy.default on
        # real mail; headers are decoded and charsets handled by
        # message_to_email, which needs nothing else from the richer API.
        msg = email.message_from_bytes(raw)
        del raw
        e = message_to_email(msg, source=where)
    except Exception as err:  # the stdlib parser is lenient, but not always
        return Email(body="", source=where, error=f"{where}: message could not be parsed: "
                     f"{type(err).__name__}: {err}")
    # At most ``cap`` characters of text and HTML together, the start kept.
    body, html = e.body, e.html or ""
    if len(body) + len(html) > cap:
        body = body[:cap]
        html = html[: max(cap - len(body), 0)]
        truncated = True
    if truncated:
        e = replace(e, body=body, html=html or None, truncated=True)
    if e.id is None:
        e = replace(e, id=stable_id(e.subject, e.body or e.html or "", e.sender))
    return e


def _raw_cap(cap: int) -> int:
    # Raw bytes kept of one message: room for base64 (4/3) and headers.
    return cap * 4 // 3 + (1 << 16)


def _read_mbox(p: Path, cap: int = DEFAULT_MAX_MESSAGE_BYTES, raw: bool = False) -> Iterator[Email]:
    """Stream an mbox without loading it: a message starts at a "From " line
    that follows a blank line or that reads as an envelope (sender and date).

    The stdlib ``mailbox`` module builds a table of contents of the whole file
    first; this reads one message at a time, and un-escapes ">From " lines
    (mboxrd), which ``mailbox`` leaves in place. Lines are read in pieces and
    at most about ``cap`` bytes of a message are kept, so one huge message
    (or a gzip bomb) cannot take the memory.
    """
    raw_cap = _raw_cap(cap)
    n = 0
    with _open_binary(p) as f:
        first = f.readline(_PIECE)
        if not first:
            if stream_error(f) is not None:
                raise InputError(f"{p} could not be read: {stream_error(f)}")
            raise InputError(f"{p} is empty")
        if not first.startswith(b"From "):
            raise InputError(
                f"{p} is not an mbox file: it should start with a 'From ' line, found "
                f"{first[:40]!r}"
            )
        at_start = first.endswith(b"\n")
        while not at_start:  # an envelope line longer than a piece
            rest = f.readline(_PIECE)
            at_start = not rest or rest.endswith(b"\n")
        lines: list[bytes] = []
        size, truncated, prev_blank = 0, False, True
        while True:
            line = f.readline(_PIECE)
            if not line:
                if stream_error(f) is not None:
                    err = stream_error(f)
                    n += 1
                    where = f"{p}#{n}"
                    e = _parse_message(b"".join(lines), where, cap, truncated)
                    yield replace(e, error=f"{where}: the input ends early or is damaged inside this "
                                  f"message; it could not be read whole ({type(err).__name__}: {err})")
                    return
                break
            line_start, at_start = at_start, line.endswith(b"\n")
            if line_start and line.startswith(b"From ") and (prev_blank or _ENVELOPE.match(line)):
                n += 1
                yield _mail_item(b"".join(lines), f"{p}#{n}", cap, truncated, raw)
                lines, size, truncated, prev_blank = [], 0, False, False
                while not at_start:  # skip the rest of a long envelope line
                    rest = f.readline(_PIECE)
                    at_start = not rest or rest.endswith(b"\n")
                continue
            if line_start and _FROM_LINE.match(line):
                line = line[1:]
            prev_blank = line_start and at_start and not line.strip()
            if size + len(line) > raw_cap:
                truncated = True
                line = line[: max(raw_cap - size, 0)]
            if line:
                lines.append(line)
                size += len(line)
        n += 1
        yield _mail_item(b"".join(lines), f"{p}#{n}", cap, truncated, raw)


def _mail_item(data: bytes, where: str, cap: int, truncated: bool, raw: bool):
    return RawMessage("mail", data, where, cap, truncated) if raw else \
        _parse_message(data, where, cap, truncated)


def _read_eml(p: Path, where: str, cap: int = DEFAULT_MAX_MESSAGE_BYTES) -> Email:
    try:
        st = p.stat()
        if not stat.S_ISREG(st.st_mode):
            return Email(body="", source=where, id=where,
                         error=f"{where}: not a regular file (a FIFO, device or socket); not read")
        with _open_binary(p) as f:
            raw_cap = _raw_cap(cap)
            raw = f.read(raw_cap + 1)
            truncated = len(raw) > raw_cap
            raw = raw[:raw_cap]
            if stream_error(f) is not None:
                raise stream_error(f)
    except _STREAM_ERRORS as err:
        return Email(body="", source=where, id=where,
                     error=f"{where}: could not be read ({type(err).__name__}: {err})")
    if not raw.strip():
        return Email(body="", source=where, id=where, error=f"{where}: file is empty")
    return _parse_message(raw, where, cap, truncated)


def _read_eml_dir(d: Path, cap: int = DEFAULT_MAX_MESSAGE_BYTES) -> Iterator[Email]:
    """Every .eml (or .eml.gz) below ``d``, sorted by relative path. A file
    that cannot be read (a dangling link, a FIFO, no permission) and a
    folder that cannot be listed each give an error row, in their place."""
    found: list[tuple[str, Path, str | None]] = []

    def unreadable(err: OSError) -> None:
        where = Path(err.filename or d)
        found.append((_rel(where, d), where, f"{where}: folder could not be read, its .eml files "
                      f"are missing from the output ({err.strerror or err})"))

    for root, dirs, names in os.walk(d, onerror=unreadable):
        dirs.sort()
        for name in names:
            if name.lower().endswith((".eml", ".eml.gz")):
                f = Path(root) / name
                found.append((_rel(f, d), f, None))
    if not found:
        raise InputError(f"folder {d} holds no .eml files (searched recursively)")
    found.sort(key=lambda t: t[0])
    for _, f, error in found:
        if error is not None:
            yield Email(body="", source=str(f), id=str(f), error=error)
        else:
            yield _read_eml(f, str(f), cap)


def _rel(f: Path, d: Path) -> str:
    try:
        return str(f.relative_to(d))
    except ValueError:
        return str(f)
