"""JSON lines and JSON arrays, streamed one record at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from typing import IO

from ..errors import InputError
from ..ingest import Columns, Email
from .message import _JSON_IN_STRING, _JSON_OUTSIDE, RawMessage, _ends_early, _json_record
from .streams import _PIECE, _STREAM_ERRORS, _Resume, _SafeLines, stream_error

__all__: list[str] = []

def _read_json_stream(f: IO[str], name: str, cols: Columns, cap: int,
                      raw: bool = False) -> Iterator[Email]:
    """JSON lines, or JSON arrays (told by their first character), streamed.

    What follows an array's closing "]" is read too: another array (two
    files joined with ``cat``) or JSON lines; nothing is dropped unread.
    """
    try:
        head = _first_char(f)
    except _STREAM_ERRORS as err:
        raise InputError(f"{name} could not be read: {err}") from None
    if not head:
        if stream_error(f) is not None:
            raise InputError(f"{name} could not be read: {stream_error(f)}")
        raise InputError(f"{name} is empty")
    items, chunk, pos = 0, "", 0
    while head == "[":  # a JSON array, not JSON lines
        after = yield from _read_json_array(f, name, cols, cap, items, chunk, pos)
        if after is None:
            return  # the file ended inside the array: its error row is out
        chunk, pos, items = after
        try:
            chunk, pos = _next_char(f, chunk, pos)
        except _STREAM_ERRORS as err:
            chunk, pos = "", 0
            yield _ends_early(name, f"item {items - 1}", err)
        head = chunk[pos] if chunk else ""
        pos += 1
        if not head and stream_error(f) is not None:  # a .gz cut right after the "]"
            yield _ends_early(name, f"item {items - 1}", stream_error(f))
    if head:
        yield from _read_jsonl(_Resume(chunk[pos:], f) if chunk else f, name, cols, cap, head, raw)


def _next_char(f: IO[str], chunk: str, pos: int) -> tuple[str, int]:
    """The chunk holding the next character that is not whitespace, from ``pos``
    of ``chunk`` on, and its place; ("", 0) at the end. Positions, not slices:
    thousands of arrays joined copy no chunk."""
    while True:
        m = _NOT_SPACE.search(chunk, pos)
        if m is not None:
            return chunk, m.start()
        chunk, pos = f.read(_PIECE), 0
        if not chunk:
            return "", 0


_NOT_SPACE = re.compile(r"\S")


def _first_char(f: IO[str]) -> str:
    """The first character that is not whitespace, "" at the end."""
    head = f.read(1)
    while head and head.isspace():
        head = f.read(1)
    return head


def _read_jsonl(f: IO[str], name: str, cols: Columns, cap: int, head: str = "",
                raw: bool = False) -> Iterator[Email]:
    """One JSON object a line. An object pretty-printed over several lines (as
    ``jq '.[]'`` or ``json.dumps(indent=2)`` write it: from a line that is
    only "{" to the line that closes it) is read as one record; a lone "{" is
    never a JSON line of its own. When the next line is a whole object where
    a member should be (the "{" was a damaged line), the lines are read one
    by one again: a stray "{" costs one error row, not the file. A record
    longer than ``cap`` keeps its start, as a long line does."""
    source = _SafeLines(f, _PIECE)
    block: list[tuple[int, str, bool]] = []  # the lines of a pretty-printed object
    depth = size = 0
    n = 0
    for n, line, cut in _lines(source, cap, head):
        # A stray "{" (a damaged line) is followed by JSON lines, not members: a
        # line that opens an object with its content on it, at the margin, or a
        # whole object where a member belongs. Then the lines are read one by one.
        if block and ((line.startswith("{") and line.strip() != "{") or (depth == 1 and _whole_object(line))
                      or len(block) > _MAX_BLOCK_LINES):
            for k, text, was_cut in block:
                yield from _jsonl_line(text, f"{name} line {k}", cols, was_cut, raw)
            block = []
        if block:
            depth += _nesting(line)
            kept = line[: max(cap - size, 0)]
            block.append((n, kept, cut or len(kept) < len(line)))
            size += len(kept)
            if depth <= 0:
                yield from _block(block, name, cols, raw)
                block = []
        elif line.strip() == "{":
            block, depth, size = [(n, line, cut)], 1, len(line)
        else:
            yield from _jsonl_line(line, f"{name} line {n}", cols, cut, raw)
    if block:  # the file ends inside it: its JSON error says so
        yield from _block(block, name, cols, raw)
    if source.error is not None:
        yield _ends_early(name, f"line {n}", source.error)


_MAX_BLOCK_LINES = 100_000  # no pretty-printed email has more lines


def _block(block: list[tuple[int, str, bool]], name: str, cols: Columns, raw: bool) -> Iterator[Email]:
    yield from _jsonl_line("".join(t for _, t, _ in block), f"{name} line {block[0][0]}", cols,
                           any(c for _, _, c in block), raw)


def _lines(source: _SafeLines, cap: int, head: str) -> Iterator[tuple[int, str, bool]]:
    """(number, line, cut) of each line: at most ``cap`` characters of it are
    kept, ``cut`` when it had more."""
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
        yield n, "".join(pieces), truncated
        pieces, size, truncated = [], 0, False
    if pieces:
        yield n + 1, "".join(pieces), truncated


def _whole_object(line: str) -> bool:
    text = line.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _nesting(line: str) -> int:
    """How much deeper a line of JSON leaves the nesting: its brackets once
    strings are taken out (a JSON string never spans lines; one cut short
    runs to the end of the line)."""
    bare = _STRING.sub("", line)
    return bare.count("{") + bare.count("[") - bare.count("}") - bare.count("]")


_STRING = re.compile(r'"(?:[^"\\]|\\.?)*"?', re.S)


def _jsonl_line(line: str, where: str, cols: Columns, truncated: bool,
                raw: bool = False) -> Iterator[Email]:
    if line.strip():
        text = line.rstrip("\r\n") if truncated else line
        yield RawMessage("json", text, where, 0, truncated) if raw else \
            _json_record(text, where, cols, truncated)


def _read_json_array(f: IO[str], name: str, cols: Columns, cap: int, first: int = 0, pending: str = "",
                     at: int = 0) -> Generator[Email, None, tuple[str, int, int] | None]:
    """Stream the items of a JSON array (after its "["; ``pending[at:]`` is
    read before ``f``), one at a time, numbered from ``first``; returns the
    chunk read last, the place after the closing "]" and the next item
    number (None when the file ended first).

    A small scanner finds where each item ends (strings and nesting
    tracked), so the file is never parsed whole; an item longer than ``cap``
    keeps its start. A file that breaks off gives an error row where it does.
    """
    n = first
    pieces: list[str] = []
    size, truncated = 0, False
    depth, in_string, escape = 0, False, False
    done = False
    error: BaseException | str | None = None
    while not done:
        if pending:
            chunk, pos, pending = pending, at, ""
        else:
            try:
                chunk = f.read(_PIECE)
            except _STREAM_ERRORS as err:
                error = err
                break
            if not chunk:
                error = stream_error(f) or "the array is not closed with ]"
                break
            pos = 0
        start = pos
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
        return None
    return chunk, pos, n
