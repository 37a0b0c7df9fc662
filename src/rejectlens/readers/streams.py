"""Opening inputs so that reading them stays bounded and survives damage.

A ``.gz`` is decompressed on the fly and one that breaks off (a cut
download, a corrupt block) ends quietly, its reason kept for an error row;
lines come in pieces of at most ``_PIECE`` characters, so no line, however
long, is held whole; stdin is read like a file (byte-order mark dropped,
undecodable bytes replaced).
"""

from __future__ import annotations

import codecs
import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "stream_error"]

DEFAULT_MAX_MESSAGE_BYTES = 25_000_000
_PIECE = 1 << 20  # read at most this much of a line at once
# What a compressed or damaged stream raises when it ends early or is corrupt.
_STREAM_ERRORS = (EOFError, OSError, zlib.error, gzip.BadGzipFile)


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
    return open(p, "rb", buffering=_PIECE)


def stream_error(f: Any) -> BaseException | None:
    guard = getattr(f, "guard", None)
    return None if guard is None else guard.error


def _text_encoding(start: bytes) -> str:
    """UTF-8 (a byte-order mark dropped: spreadsheet exports often start with
    one), unless the file's start is not UTF-8 and holds no UTF-8 beyond
    ASCII at all: then it is Windows-1252, what Excel on Windows writes, and
    reading it as UTF-8 would turn every curly quote and accent into "�".
    A UTF-16 byte-order mark (Excel's "Unicode Text") means UTF-16."""
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        some_utf8 = not start.decode("utf-8", errors="ignore").isascii()
        return "utf-8-sig" if some_utf8 else "cp1252"


def _open_text(p: Path) -> IO[str]:
    raw = _open_binary(p)
    try:
        if not hasattr(raw, "guard"):
            start = raw.peek(_PIECE)[:_PIECE]
        else:  # a .gz peeks one decompressed block only: its first megabyte is read apart
            with _open_binary(p) as again:
                start = again.read(_PIECE)
        encoding = _text_encoding(start)
    except _STREAM_ERRORS:
        encoding = "utf-8-sig"  # the reader meets the damage again and reports it
    f = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    f.guard = getattr(raw, "guard", None)  # type: ignore[attr-defined]
    return f


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


class _Resume:
    """Text already read, then the stream it came from: the CSV reader reads a
    broken record's lines again, the JSON reader what followed an array."""

    def __init__(self, again: str, f: IO[str]) -> None:
        if isinstance(f, _Resume):  # one level, however many resumes: what it still held comes next
            again, f = again + f.again.read(), f.f
        self.again, self.f = io.StringIO(again, newline=""), f
        self.guard = getattr(f, "guard", None)  # a cut .gz still reports itself

    def readline(self, size: int = -1) -> str:
        return self.again.readline(size) or self.f.readline(size)

    def read(self, size: int = -1) -> str:
        if size is None or size < 0:
            return self.again.read() + self.f.read()
        return self.again.read(size) or self.f.read(size)
