"""Mail: mbox files (streamed message by message) and .eml files or folders of them."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..ingest import Email
from .message import RawMessage, _parse_message, _raw_cap
from .streams import _PIECE, _STREAM_ERRORS, DEFAULT_MAX_MESSAGE_BYTES, _open_binary, stream_error

__all__: list[str] = []

_FROM_LINE = re.compile(rb"^>+From ")
# An mbox envelope line: "From sender Mon Jan  1 00:00:00 2024" (the date is
# what tells it from a body line starting with "From ", as mutt checks).
_ENVELOPE = re.compile(
    rb"^From \S*\s+(?:[A-Za-z]{3},?\s+)?[A-Za-z]{3}\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
    rb"(?:\s+[A-Z]{3,5}|\s+[+-]\d{4})?\s+\d{4}\b"
)


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


_MBOX_NAMES = (".mbox", ".mbox.gz")


def _read_eml_dir(d: Path, cap: int = DEFAULT_MAX_MESSAGE_BYTES) -> Iterator[Email]:
    """Every .eml (or .eml.gz) below ``d``, and every message of every .mbox
    (or .mbox.gz) there (a Takeout's Mail folder), sorted by relative path. A
    file that cannot be read (a dangling link, a FIFO, no permission, an empty
    mbox) and a folder that cannot be listed each give an error row, in their place."""
    found: list[tuple[str, Path, str | None]] = []

    def unreadable(err: OSError) -> None:
        where = Path(err.filename or d)
        found.append((_rel(where, d), where, f"{where}: folder could not be read, its .eml files "
                      f"are missing from the output ({err.strerror or err})"))

    # Linked folders are read too (a mail folder kept elsewhere), each real
    # folder once: a link back up the tree ends there instead of looping.
    seen = {os.path.realpath(d)}
    for root, dirs, names in os.walk(d, onerror=unreadable, followlinks=True):
        dirs.sort()
        keep = []
        for x in dirs:
            real = os.path.realpath(os.path.join(root, x))
            if real not in seen:
                seen.add(real)
                keep.append(x)
        dirs[:] = keep
        for name in names:
            if name.lower().endswith((".eml", ".eml.gz", *_MBOX_NAMES)):
                f = Path(root) / name
                found.append((_rel(f, d), f, None))
    if not found:
        raise InputError(f"folder {d} holds no .eml or .mbox files (searched recursively)")
    found.sort(key=lambda t: t[0])
    for _, f, error in found:
        if error is not None:
            yield Email(body="", source=str(f), id=str(f), error=error)
        elif f.name.lower().endswith(_MBOX_NAMES):
            try:
                yield from _read_mbox(f, cap)
            except InputError as err:  # one empty or unreadable mbox is a row, not the end of the run
                yield Email(body="", source=str(f), id=str(f), error=str(err))
            except OSError as err:  # a dangling link, no permission
                yield Email(body="", source=str(f), id=str(f),
                            error=f"{f}: could not be read ({type(err).__name__}: {err.strerror or err})")
        else:
            yield _read_eml(f, str(f), cap)


def _rel(f: Path, d: Path) -> str:
    try:
        return str(f.relative_to(d))
    except ValueError:
        return str(f)
