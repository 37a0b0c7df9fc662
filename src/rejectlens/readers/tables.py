"""Tables: CSV and TSV (stdlib reader, streamed, bounded) and Parquet (row group by row group)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import IO

from ..errors import InputError, MissingDependencyError
from ..ingest import Columns, Email
from .message import _check_columns, _ends_early, _record_email, _refuse_read_twice
from .streams import _PIECE, _STREAM_ERRORS, _open_text, _Resume, stream_error

__all__ = ["csv_rows", "excel_separator", "separator_of"]

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


def _quote_error(lines: list[str], sep: str) -> str | None:
    """What is wrong with the quoting of these lines (one CSV record), if anything:
    "unclosed" when they end inside a quoted field, "stray" when a quoted field
    closes and more text follows before the separator."""
    try:
        for _ in csv.reader(lines, delimiter=sep, strict=True):
            pass
    except csv.Error as err:
        return "unclosed" if "unexpected end of data" in str(err) else "stray"
    return None


def _csv_records(source: _CsvLines, name: str, sep: str, header: list[str], row: int,
                 reopen: Callable[[], IO[str]] | None = None):
    """(where, record, error, truncated) for each data row; a quote left open
    (which makes the reader swallow the rest of the file) or one that swallows
    whole rows before it closes gives an error row for its record, and reading
    goes on with the lines after that record's first. Recovery loops rather
    than recurses: a file may hold thousands of such quotes."""
    first, current = source, source
    with ExitStack() as opened:
        while current is not None:
            last = current
            current, row, reopen = yield from _csv_pass(current, name, sep, header, row, reopen, opened)
            # A stream that broke off while a later pass read it: the caller
            # reports the first pass's error, so it is the file's error too.
            first.error = first.error or last.error


def _csv_pass(source: _CsvLines, name: str, sep: str, header: list[str], row: int,
              reopen: Callable[[], IO[str]] | None, opened: ExitStack):
    """Read records until the end (returns None as the next source) or until a
    broken quote, whose error row it yields; returns where to read on from."""
    reader = csv.reader(source, delimiter=sep)
    while True:
        source.new_record()
        try:
            fields = next(reader)
        except StopIteration:
            return None, row, reopen
        except csv.Error as err:
            row += 1
            yield f"{name} row {row}", None, f"{name} row {row}: CSV could not be parsed: {err}", False
            continue
        kept = source.kept
        # Only a record cut by the end of the file can end inside quotes: its
        # last line has no newline, or its last field swallowed one. A record
        # over several lines whose quote closes mid-cell ('2,"open ...',
        # '3,x', '5,"five"') swallowed the rows between without a word; it is
        # told from a cell with a stray inner quote by holding a line that
        # reads as a row of its own.
        cut = kept and (not kept[-1].endswith(("\n", "\r")) or (fields and fields[-1].endswith(("\n", "\r"))))
        trouble = _quote_error(kept, sep) if cut or len(kept) > 1 else None
        if trouble == "stray" and not _holds_a_row(kept[1:], sep, len(header)):
            trouble = None
        if trouble == "stray" or (trouble == "unclosed" and cut):
            row += 1
            where = f"{name} row {row}"
            what = ("is never closed (it would take the rest of the file with it)"
                    if trouble == "unclosed" else
                    "runs over the next lines and closes mid-cell (it would swallow the rows in between)")
            yield where, None, (f"{where}: a quote opened in this row {what}; "
                                "the rows after it are read on their own"), False
            if source.truncated and reopen is not None:
                # The kept lines were cut down to the cap: read the rest again from the file.
                again = _CsvLines(opened.enter_context(reopen()), sep, source.cap)
                skip = source.start + 1
                for _ in again:
                    skip -= 1
                    if skip == 0:
                        break
                return again, row, reopen
            # The record's lines after its first, then (for a stray quote,
            # which stopped before the end) the rest of the stream.
            return _CsvLines(_Resume("".join(kept[1:]), source.f), sep, source.cap), row, None
        if len(fields) <= 1 and not any(f.strip() for f in fields):
            # a blank line, or one of spaces and tabs; checked after the open
            # quote, since a lone '"' on the last line also reads as blank. A
            # row of empty cells (",") is a record: its empty body is an error row.
            continue
        row += 1
        where = f"{name} row {row}"
        if len(fields) > len(header):
            yield where, None, (
                f"{where}: expected {len(header)} fields as in the header, found "
                f"{len(fields)} (an unquoted separator or quote in a cell?)"), False
            continue
        fields += [""] * (len(header) - len(fields))
        yield where, dict(zip(header, fields)), None, source.truncated


def _holds_a_row(lines: list[str], sep: str, n_fields: int) -> bool:
    """Whether any of these lines, read alone, is a record of the header's width."""
    for line in lines:
        try:
            if len(next(csv.reader([line], delimiter=sep, strict=True), [])) == n_fields:
                return True
        except csv.Error:
            continue
    return False


def _csv_stream_rows(f, name: str, sep: str, cap: int | None = None,
                     reopen: Callable[[], IO[str]] | None = None):
    """The header, then (where, record, error, truncated) per row. A ``sep``
    of "," (a .csv) is a guess: European Excel writes ";", and may say so on
    a first line "sep=;"."""
    csv.field_size_limit(2**31 - 1)  # a 5 MB body is a cell too
    if sep == ",":
        first = f.readline(_PIECE)
        if said := excel_separator(first):
            sep = said
            if reopen is not None:
                reopen = _past_first_line(reopen)
        else:
            f, sep = _Resume(first, f), separator_of(first, (",", ";"))
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


_EXCEL_SEP = re.compile(r"sep=(.)\r?\n?")


def excel_separator(line: str) -> str | None:
    """The separator Excel's first line "sep=;" names, or None for any other line."""
    said = _EXCEL_SEP.fullmatch(line)
    return said[1] if said else None


def _past_first_line(reopen: Callable[[], IO[str]]) -> Callable[[], IO[str]]:
    def again() -> IO[str]:
        f = reopen()
        f.readline(_PIECE)
        return f
    return again


def separator_of(header: str, candidates: tuple[str, ...] = (",", ";", "\t")) -> str:
    """The separator a CSV header uses: the candidate it holds most of, the
    first on a tie (European Excel writes ";", and a lone column holds none)."""
    return max(candidates, key=header.count)


def csv_rows(p: Path, sep: str = ",", read: Collection[str] = ()
             ) -> Iterator[tuple[str, dict[str, str] | None, str | None]]:
    """Stream a CSV/TSV (optionally gzipped) as (where, record, error) per data row.

    The stdlib reader, not pandas: it keeps quoted multi-line bodies, takes
    fields of any size, and hands over a malformed row (more fields than the
    header) as that row, so it is reported in place instead of taking its
    neighbours with it. A ``sep`` of "," also reads ";"-separated files
    (European Excel; a first line "sep=;"). Raises InputError for an empty
    file and for a column of ``read`` named twice (its last copy would win).
    """
    with _open_text(p) as f:
        rows = _csv_stream_rows(f, str(p), sep, reopen=lambda: _open_text(p))
        _refuse_read_twice(next(rows), sorted(read), str(p))
        for where, rec, error, _ in rows:
            yield where, rec, error


def _read_csv_stream(f, name: str, cols: Columns, sep: str, cap: int | None = None,
                     reopen: Callable[[], IO[str]] | None = None) -> Iterator[Email]:
    rows = _csv_stream_rows(f, name, sep, cap, reopen)
    _check_columns(next(rows), cols, name)
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


_PARQUET_BUFFER = 1 << 20


def _capped(e: Email, cap: int) -> Email:
    """A Parquet cell is read whole; past ``cap`` bytes its start is kept and
    the email marked ``truncated``, as the other readers do with a message."""
    if len(e.body) * 4 <= cap and (e.html is None or len(e.html) * 4 <= cap):
        return e  # no UTF-8 text this short can pass the cap

    def cut(text: str | None) -> str | None:
        if text is None or len(text) * 4 <= cap:
            return text
        raw = text.encode("utf-8", "surrogatepass")
        return text if len(raw) <= cap else raw[:cap].decode("utf-8", "ignore")

    body, html = cut(e.body), cut(e.html)
    if body is e.body and html is e.html:
        return e
    return replace(e, body=body or "", html=html, truncated=True)


def _read_parquet(p: Path, cols: Columns, chunk_size: int, cap: int | None = None) -> Iterator[Email]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError("pyarrow", "parquet", "Reading Parquet files") from None
    try:
        # Buffered, not pre-buffered: a row group's column chunks are read as a
        # stream, so memory follows the batch, not the row group (a 300,000-row
        # group: 286 -> 170 MB peak; writers often put a whole file in one group).
        pf = pq.ParquetFile(p, buffer_size=_PARQUET_BUFFER, pre_buffer=False)
    except Exception as err:
        raise InputError(f"{p} is not a readable Parquet file: {err}") from None
    _check_columns(pf.schema_arrow.names, cols, str(p))
    wanted = [c for c in {cols.body, cols.subject, cols.sender, cols.id, cols.date, cols.html}
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
                    e = _record_email(rec, cols, f"{p} row {row}")
                    yield e if cap is None else _capped(e, cap)
        except Exception as err:
            for _ in range(max(expected - done, 1 if done == 0 else 0)):
                row += 1
                where = f"{p} row {row}"
                yield Email(body="", source=where, error=f"{where}: row group {group} could not be "
                            f"read ({type(err).__name__}: {err})")
