"""JSON lines and JSON arrays, streamed one record at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from ..errors import InputError
from ..ingest import Columns, Email
from .message import _JSON_IN_STRING, _JSON_OUTSIDE, RawMessage, _ends_early, _json_record
from .streams import _PIECE, _STREAM_ERRORS, _SafeLines, stream_error

__all__: list[str] = []

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
