"""Write prediction rows to JSONL, CSV or Parquet, atomically.

Rows go to a temporary file beside the target, renamed into place only when
every row is written: an interrupted run leaves no half file behind. A
device, a pipe or a descriptor's path (/dev/null, a FIFO, /dev/stdout) is
written in place, and a symbolic link's target is written, the link kept.

Text that cannot be written as UTF-8 (lone surrogates from a JSON escape or
an undecodable file name) is written with U+FFFD in their place; CSV text
cells that a spreadsheet would run as a formula (starting with ``= + - @``,
tab or carriage return) get a leading ``'`` (OWASP's advice).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, MissingDependencyError

__all__ = ["OUTPUT_FORMATS", "PredictionWriter", "format_rows", "output_format", "refuse_overwriting_input",
           "safe_csv_cell", "safe_text"]

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
# A path that names an open file descriptor: written through, whatever it leads to.
_FD_PATH = re.compile(r"/dev/(stdout|stderr|fd/(\d+))|/proc/self/fd/(\d+)")
_JSON_COLUMNS = ("reasons", "reason_scores", "stage_scores", "evidence", "signals")
_FLOAT_COLUMNS = ("job_related_score", "rejection_score", "personalization_score")
_BOOL_COLUMNS = ("job_related", "is_rejection", "feedback_offered", "reapply_encouraged")


def refuse_overwriting_input(output: str | Path | None, inputs: Sequence[str | Path],
                             inside: bool = False) -> None:
    """Raise InputError when the output would replace an input: ``--force``
    is for an old output, and replacing the input would lose the data. With
    ``inside``, an output within an input folder is refused too (a dataset
    that would read its own predictions next time)."""
    if output is None or str(output) in ("", "-"):
        return
    out = Path(output).resolve()
    for given in inputs:
        if str(given) == "-":
            continue
        src = Path(given).resolve()
        how = ("is" if src == out else "holds" if out in src.parents
               else "is inside" if inside and src in out.parents else None)
        if how:
            raise InputError(f"output {output}: expected a path apart from the inputs; found that it "
                             f"{how} the input {given}")


def output_format(path: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
        return fmt
    if path in (None, "-") or (not Path(path).suffix and _is_stream(Path(path))):
        return "jsonl"  # stdout, /dev/null, a pipe: JSON lines, as for "-"
    ext = Path(path).suffix.lower().lstrip(".")
    ext = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(ext, ext)
    if ext not in OUTPUT_FORMATS:
        raise InputError(
            f"output {path}: cannot tell the format from '{Path(path).suffix or '(none)'}'; "
            "use .jsonl, .csv or .parquet, or pass --format"
        )
    return ext


def writes_utf8(stream: Any) -> bool:
    """Whether a text stream encodes as UTF-8 (a terminal under LC_ALL=C does not)."""
    return (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8")


def _is_stream(path: Path) -> bool:
    """A descriptor's path (/dev/stdout), a device or a pipe: written in place."""
    return _FD_PATH.fullmatch(str(path.absolute())) is not None or (
        path.exists() and not path.is_file() and not path.is_dir())


class PredictionWriter:
    """Streams rows (dicts with fixed columns) to a file or stdout.

    Use as a context manager: leaving the block normally renames the temp
    file into place; leaving it with an exception deletes the temp file
    (a device or pipe is written in place, see the module docstring).
    """

    def __init__(self, path: str | None, fmt: str, columns: Sequence[str], force: bool = False):
        self.fmt = fmt
        self.columns = list(columns)
        self.path = None if path in (None, "-") else Path(path)
        # A device or a pipe (/dev/null, a FIFO, the shell's >(...)) is written in
        # place: renaming a file over it would replace it, and it holds no data to
        # lose. A descriptor's path (/dev/stdout) is written through a copy of the
        # descriptor: reopening it by name would truncate the file of a `>>` redirect.
        fd = _FD_PATH.fullmatch(str(self.path.absolute())) if self.path is not None else None
        self._fd = None if fd is None else {"stdout": 1, "stderr": 2}.get(fd[1], int(fd[2] or fd[3] or -1))
        self._special = self.path is not None and _is_stream(self.path)
        if self.path is not None and not self._special and self.path.is_symlink():
            self.path = Path(os.path.realpath(self.path))  # the link stays; the file it names is written
        if self.path is not None and self.path.is_dir():
            raise InputError(f"output {self.path} is a folder; name a file to write")
        if self.path is not None and self.path.exists() and not force and not self._special:
            raise InputError(f"output {self.path} exists; pass --force to overwrite it")
        self.force = force
        if self.path is None and fmt == "parquet":
            raise InputError("Parquet output needs a file path, not stdout")
        self._tmp: Path | None = None
        self._buffer: list[Mapping[str, Any]] = []
        self._parquet = None

    def __enter__(self) -> PredictionWriter:
        self._own_stdout = None
        if self.path is None:
            self._fh = sys.stdout
            if not writes_utf8(sys.stdout) and hasattr(sys.stdout, "buffer"):
                # Data is UTF-8 whatever the locale, as a file would be (a latin-1
                # terminal wrote JSONL that was not UTF-8, or raised on a CJK name).
                sys.stdout.flush()
                self._own_stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
                self._fh = self._own_stdout
        elif self._special:
            if self.fmt == "parquet":
                raise InputError(f"output {self.path} is not a file; Parquet needs a file to write")
            if self._fd is not None:
                sys.stdout.flush()
                sys.stderr.flush()
                try:
                    self._fh = os.fdopen(os.dup(self._fd), "w", encoding="utf-8", newline="")
                except (OSError, OverflowError) as err:
                    raise InputError(f"output {self.path}: expected an open descriptor to write to; "
                                     f"{getattr(err, 'strerror', None) or err}") from None
            else:
                self._fh = open(self.path, "w", encoding="utf-8", newline="")  # closed in __exit__
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
            self._tmp = Path(tmp)
            if self.fmt == "parquet":
                os.close(fd)
                self._fh = None
            else:
                self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        if self.fmt == "csv":
            import csv

            self._csv = csv.DictWriter(self._fh, fieldnames=self.columns, extrasaction="ignore")
            self._csv.writeheader()
        return self

    def write(self, row: Mapping[str, Any]) -> None:
        if self.fmt == "jsonl":
            self._fh.write(_jsonl_line(row, self.columns))
        elif self.fmt == "csv":
            self._csv.writerow(_csv_row(row, self.columns))
        else:
            self._buffer.append(row)
            if len(self._buffer) >= 5000:
                self._flush_parquet()

    def write_text(self, text: str) -> None:
        """Rows already formatted by :func:`format_rows` (JSONL or CSV, not Parquet)."""
        if self.fmt == "parquet":
            raise ValueError("Parquet rows are written one by one with write()")
        self._fh.write(text)

    def _flush_parquet(self) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise MissingDependencyError("pyarrow", "parquet", "Writing Parquet files") from None
        fields = []
        for c in self.columns:
            kind = pa.float64() if c in _FLOAT_COLUMNS else pa.bool_() if c in _BOOL_COLUMNS else pa.string()
            fields.append(pa.field(c, kind))
        schema = pa.schema(fields)
        data = {
            c: [r.get(c) if c in _FLOAT_COLUMNS or c in _BOOL_COLUMNS else _cell(r.get(c), none=None)
                for r in self._buffer]
            for c in self.columns
        }
        table = pa.Table.from_pydict(data, schema=schema)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp, schema)
        self._parquet.write_table(table)
        self._buffer = []

    def __exit__(self, exc_type, exc, tb) -> None:
        finished = False
        try:
            if self.fmt == "parquet" and exc_type is None and (self._buffer or self._parquet is None):
                self._flush_parquet()
            if self._parquet is not None:
                self._parquet.close()
            if self._own_stdout is not None:
                try:
                    self._own_stdout.flush()
                finally:
                    self._own_stdout.detach()  # sys.stdout keeps its buffer, even if the reader left
            elif self._fh is not None and self._fh is not sys.stdout:
                self._fh.close()
            elif self._fh is sys.stdout:
                self._fh.flush()
            finished = exc_type is None
        finally:
            # Only a file whose every row was written takes the target's name;
            # anything else (an error while writing or closing) is removed.
            if self._tmp is not None:
                try:
                    if finished:
                        _publish(self._tmp, self.path, self.force)
                finally:
                    if self._tmp.exists():
                        self._tmp.unlink()


# json.dumps with any non-default argument builds a new encoder per call; one
# encoder with the same settings writes the same text.
_JSON_LINE = json.JSONEncoder(ensure_ascii=False)


def _jsonl_line(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    if len(row) != len(columns) or any(a != b for a, b in zip(row, columns)):
        row = {c: row.get(c) for c in columns}  # a row already in column order is used as is
    return safe_text(_JSON_LINE.encode(row)) + "\n"


def _csv_row(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: safe_csv_cell(_cell(row.get(c))) for c in columns}


def format_rows(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str]) -> str:
    """The text :meth:`PredictionWriter.write` would write for ``rows`` (JSONL or CSV,
    without the CSV header), so worker processes can format their own rows and
    hand back one string: :meth:`PredictionWriter.write_text` writes it."""
    if fmt == "jsonl":
        return "".join(_jsonl_line(r, columns) for r in rows)
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO(newline="")
        w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
        w.writerows(_csv_row(r, columns) for r in rows)
        return buf.getvalue()
    raise ValueError(f"rows are formatted as jsonl or csv; got {fmt!r}")


def _publish(tmp: Path, path: Path, force: bool) -> None:
    """The one way a finished temporary file takes its name (streamed rows and
    whole small files alike): readable as a new file would be, then renamed."""
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files 0600
    _commit(tmp, path, force)


def _commit(tmp: Path, path: Path, force: bool) -> None:
    """Give the finished file its name; without ``force``, never over a file that
    appeared meanwhile (another run to the same output)."""
    if force:
        if path.is_dir():
            raise InputError(f"output {path} is a folder; name a file to write")
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if path exists, unlike a rename
    except FileExistsError:
        raise InputError(
            f"output {path} was created by something else while this run wrote it; "
            "nothing was overwritten (pass --force to overwrite)") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise InputError(f"output {path} exists; pass --force to overwrite it") from None
        os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_dir(tmp: Path, path: Path) -> None:
    """Give a finished folder its name. An existing folder is moved aside and
    removed only once the new one is in place, and put back if that fails, so a
    failure at any point leaves the old folder usable."""
    import shutil

    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes folders 0700: others could not read the model
    old = path.with_name(f".{path.name}.old") if path.exists() else None
    if old is not None:
        if old.exists():
            shutil.rmtree(old)
        path.rename(old)
    try:
        tmp.rename(path)
    except BaseException:  # Ctrl-C between the two renames too: the old folder goes back
        if old is not None and not path.exists():
            old.rename(path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_file_atomic(path: str | Path, data: bytes) -> None:
    """Write a whole small file (a report, a sheet's README) under its final
    name only once it is complete, readable by others as a new file would be."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _publish(Path(tmp), path, force=True)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cell(value: Any, none: Any = "") -> Any:
    # CSV and Parquet cells hold list and mapping columns as JSON text.
    if value is None:
        return none
    if isinstance(value, (list, tuple, dict)):
        return safe_text(json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False))
    if isinstance(value, (bool, int, float)):
        return value
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot hold) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a cell safe_csv_cell quoted, or one that starts with ' and a formula character
_QUOTED_FORMULA = re.compile("'+[" + re.escape("".join(_FORMULA_START)) + "]")


def unneutralise_cell(value: Any) -> Any:
    """The cell as it was before :func:`safe_csv_cell` (for reading our CSVs back)."""
    if isinstance(value, str) and value.startswith("'") and _QUOTED_FORMULA.match(value):
        return value[1:]
    return value


def safe_csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet will show as text: one starting with ``= + - @``,
    tab or carriage return gets a leading ``'`` (numbers and booleans pass as they are).
    So does one that already starts with ``'`` and then one of those, so that
    :func:`unneutralise_cell` gives back every cell as it was."""
    if isinstance(value, str) and (value.startswith(_FORMULA_START)
                                   or (value.startswith("'") and _QUOTED_FORMULA.match(value))):
        return "'" + value
    return value
