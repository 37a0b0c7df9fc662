"""One message as read (a JSON text, mail bytes, a row) -> its Email.

The framing modules (:mod:`.tables`, :mod:`.jsonl`, :mod:`.mail`) cut a
stream into messages; this module turns one of them into an Email. A record
goes through :func:`rejectlens.ingest.record_to_email`, the one mapping ->
Email of the package, so a row reads the same here as through the API.
"""

from __future__ import annotations

import email
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..errors import InputError
from ..ingest import Columns, Email, message_to_email, record_to_email, with_id
from .streams import DEFAULT_MAX_MESSAGE_BYTES

__all__ = ["RawMessage", "as_email", "close_json"]

_JSON_IN_STRING = re.compile(r'["\\]')
_JSON_OUTSIDE = re.compile(r'["\[\]{},]')


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


def _ends_early(name: str, after: str, err: BaseException) -> Email:
    where = f"{name} (after {after})"
    return Email(body="", source=where, error=f"{name}: the input ends early or is damaged after "
                 f"{after}; what follows could not be read ({type(err).__name__}: {err})")


def _record_email(rec: Any, cols: Columns, where: str, truncated: bool = False) -> Email:
    # A JSON value that is not an object is no record; everything else is
    # read by the package's one mapping -> Email.
    if not isinstance(rec, dict):
        return Email(body="", source=where, error=f"{where}: expected a JSON object, found "
                                                  f"{type(rec).__name__}")
    return record_to_email(rec, cols, source=where, truncated=truncated)


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


def _check_columns(columns, cols: Columns, name: str) -> None:
    """The body column, and every other column named on purpose, must exist:
    a mistyped ``--id-col`` would otherwise turn every id into a hash."""
    found = ", ".join(map(str, columns)) or "none"
    html_only = cols.body == Columns().body and cols.html in columns  # an HTML-only export is fine
    if cols.body not in columns and not html_only:
        raise InputError(
            f"{name}: body column '{cols.body}' not found; columns found: {found}. "
            f"Name it with --body-col (or give the HTML in a column named '{cols.html}')."
        )
    for part in ("subject", "sender", "id", "date"):
        wanted = getattr(cols, part)
        if wanted != getattr(Columns(), part) and wanted not in columns:
            raise InputError(f"{name}: {part} column '{wanted}' not found; columns found: {found}. "
                             f"Check --{part}-col.")
    _refuse_read_twice(columns, (cols.body, cols.html, cols.subject, cols.sender, cols.id, cols.date), name)


def _refuse_read_twice(columns: Iterable[str], read: Iterable[str], name: str) -> None:
    """Raise InputError for a column of ``read`` that ``columns`` name twice: it
    would be read from its last copy, the first one's text lost without a word."""
    columns = list(columns)
    twice = [c for c in dict.fromkeys(read) if columns.count(c) > 1]
    if twice:
        raise InputError(f"{name}: column '{twice[0]}' appears {columns.count(twice[0])} times; expected "
                         f"each column once (rename the copy); columns found: "
                         f"{', '.join(map(str, columns)) or 'none'}")


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
    return with_id(e)


def _raw_cap(cap: int) -> int:
    # Raw bytes kept of one message: room for base64 (4/3) and headers.
    return cap * 4 // 3 + (1 << 16)
