"""Turn whatever the caller has (a string, a mapping, a parsed message) into an Email.

A record (a mapping, a table row, a JSON object) becomes an Email in one
place, :func:`record_to_email`: ``to_email``, the file readers and
``Classifier.classify_frame`` all go through it, so the API and the command
line read the same row the same way.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import email.errors
import email.message
import email.policy
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from email.header import decode_header, make_header
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    import pandas as pd

from .errors import InputError
from .writers import safe_text

__all__ = ["Columns", "Email", "EmailLike", "content_id", "frame_records", "message_to_email", "normalize_id",
           "record_to_email", "stable_id", "to_email", "with_id"]


@dataclass(frozen=True)
class Email:
    """One message: what the classifier reads.

    ``body`` may be plain text or HTML; ``html`` is an optional HTML
    alternative used only when ``body`` is empty. ``source`` says where a
    message read from a file came from (``inbox.mbox#12``); ``error`` is set
    when it could not be read, and such an email is reported, not classified.
    ``truncated`` says the message was longer than the reader keeps (its
    start was kept); it shows as the ``truncated`` signal.

    ``to``, ``in_reply_to``, ``references``, ``thread`` (Gmail's
    ``X-GM-THRID``) and ``labels`` (Gmail's ``X-Gmail-Labels``: "Sent",
    "Inbox"...) are read from mail files only; the classifier ignores them,
    ``rejectlens report`` uses them to find the owner's mail, threads and
    applications.
    """

    body: str = ""
    subject: str = ""
    sender: str = ""
    id: str | None = None
    date: str | None = None
    html: str | None = None
    source: str | None = None
    error: str | None = None
    truncated: bool = False
    to: str = ""
    in_reply_to: str | None = None
    references: str | None = None
    thread: str | None = None
    labels: tuple[str, ...] = ()


# A pandas row (Series) is read as a mapping too; typed here without importing pandas.
EmailLike = Union[str, Mapping[str, Any], Email, email.message.Message, "pd.Series[Any]"]

# No real subject or sender is longer; a 1 MB header is junk, and would
# exceed what the language pipeline reads in one go.
MAX_HEADER_CHARS = 10_000


def normalize_id(raw: Any) -> str | None:
    """An input id as text; None when missing (None, NaN, pandas NA/NaT, ""),
    and 7.0 -> "7" (pandas turns an integer id column with a gap into floats),
    numpy scalars like Python numbers; an array is not an id (None)."""
    if raw is None or isinstance(raw, (list, tuple, dict, set)) or (hasattr(raw, "shape") and raw.shape):
        return None  # a container (a numpy array, a list) names no single email
    if hasattr(raw, "item") and hasattr(raw, "dtype"):  # a numpy scalar
        with contextlib.suppress(Exception):
            raw = raw.item()
    try:
        if raw != raw or raw == "":  # NaN, and pandas NA (whose comparisons are NA)
            return None
    except (TypeError, ValueError):  # pandas NA: "boolean value of NA is ambiguous"
        return None
    if isinstance(raw, float):
        if raw in (float("inf"), float("-inf")):
            return str(raw)
        if raw.is_integer():
            return str(int(raw))
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace") or None
    text = str(raw)
    return text or None


def stable_id(subject: str, body: str, sender: str = "") -> str:
    """An id derived from content, so the same email gets the same id in every run."""
    digest = hashlib.sha1(f"{sender}\x00{subject}\x00{body}".encode("utf-8", "replace"))
    return "sha1-" + digest.hexdigest()[:16]


def with_id(e: Email) -> Email:
    """``e``, given the id ``classify`` gives an email without one: a
    :func:`stable_id` of its subject, text (the HTML when there is no text)
    and sender."""
    return e if e.id is not None else replace(e, id=content_id(e))


def content_id(e: Email) -> str:
    return stable_id(e.subject, e.body or e.html or "", e.sender)


@dataclass(frozen=True)
class Columns:
    """Which fields of a record (a mapping, a table row, a JSON object) hold the email's parts."""

    body: str = "body"
    subject: str = "subject"
    sender: str = "sender"
    id: str = "id"
    date: str = "date"
    html: str = "html"


_DEFAULT_COLUMNS = Columns()


def is_missing(value: Any) -> bool:
    """None, NaN (float or numpy) and pandas' NA/NaT: what a table holds for "no value"."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except Exception:  # an array, a signalling decimal...: a value, not a missing one
        return False


def _body_text(value: Any) -> str | None:
    """A body-like field as text ("" when missing); None when it is not text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if is_missing(value) else None


def _header_text(value: Any) -> str:
    # A header read from a table may be a number or a date (a subject "2024",
    # a timestamp column): its text is what the mail said.
    if isinstance(value, str):
        return value[:MAX_HEADER_CHARS]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")[:MAX_HEADER_CHARS]
    return "" if is_missing(value) else str(value)[:MAX_HEADER_CHARS]


def record_to_email(
    rec: Mapping[str, Any],
    cols: Columns = _DEFAULT_COLUMNS,
    *,
    source: str | None = None,
    truncated: bool = False,
) -> Email:
    """The Email of one record; never raises.

    Rules every input path shares: missing values (None, NaN, pandas NA) are
    empty; ``body`` and ``html`` must be text (bytes are decoded as UTF-8);
    subject, sender and date take the text of any other value (``5`` ->
    ``"5"``) and are cut to ``MAX_HEADER_CHARS``; the id goes through
    :func:`normalize_id`. A record that cannot be an email (no body or html
    field, a body that is not text) gives an Email whose ``error`` says why,
    after ``source`` when given.
    """
    rid = normalize_id(rec.get(cols.id))

    def failed(why: str) -> Email:
        return Email(body="", id=rid, source=source, error=f"{source}: {why}" if source else why)

    if cols.body not in rec and cols.html not in rec:
        found = ", ".join(map(str, rec)) or "none"
        return failed(f"body field '{cols.body}' missing (an HTML-only email may give '{cols.html}' "
                      f"instead); fields found: {found}")
    texts = {}
    for name in (cols.body, cols.html):
        value = rec.get(name)
        texts[name] = _body_text(value)
    if texts[cols.html] is None and texts[cols.body]:
        texts[cols.html] = ""  # a non-text html cell (a flag, a number) beside a usable body: no HTML
    for name in (cols.body, cols.html):
        if texts[name] is None:
            value = rec.get(name)
            return failed(f"field '{name}' must be text; found {type(value).__name__}: {value!r:.60}")
    return Email(
        body=texts[cols.body] or "",
        subject=_header_text(rec.get(cols.subject)),
        sender=_header_text(rec.get(cols.sender)),
        id=rid,
        date=_header_text(rec.get(cols.date)) or None,
        html=texts[cols.html] or None,
        source=source,
        truncated=truncated,
    )


def frame_records(df: Any, body: str = "body", subject: str | None = "subject",
                  sender: str | None = "sender", id: str | None = "id") -> Iterator[dict[str, Any]]:
    """The rows of a DataFrame as records under the default field names, for
    :func:`to_email`: ``body`` names the body column, the other arguments
    their columns (None, or a column the frame lacks, leaves the field out);
    ``date`` and ``html`` columns are read when the frame has them, as the
    file readers read them."""
    cols = {"body": body}
    for key, name in (("subject", subject), ("sender", sender), ("id", id), ("date", "date"),
                      ("html", "html")):
        if name is not None and name in df.columns:
            cols[key] = name
    for row in df[list(cols.values())].itertuples(index=False, name=None):
        yield dict(zip(cols, row))


_SINGLE_BYTE = frozenset({"us-ascii", "ascii", "latin-1", "latin1", "l1", "cp1252", "windows-1252",
                          "iso8859-1", "cp819", "windows-1250", "cp1250"}
                         | {f"iso-8859-{n}" for n in range(1, 17)})


def _codec(charset: str | None) -> str | None:
    """A charset name as Python knows it: mail clients write a few that
    Python's codecs do not ("iso-8859-8-i", "windows-874", "x-mac-roman")."""
    if not charset:
        return charset
    charset = re.sub(r"^(iso-8859-\d+)-[ie]$", r"\1", charset.strip().lower())
    return {"windows-874": "cp874"}.get(charset) or re.sub(r"^x-mac-", "mac_", charset)


def _decode_part(part: email.message.Message) -> str:
    # Declared charsets lie; fall back declared -> UTF-8 -> cp1252 -> replace
    # rather than crash or silently write U+FFFD.
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if any(isinstance(d, email.errors.InvalidBase64LengthDefect) for d in part.defects):
        # A cut base64 body (one character past a whole group): the stdlib
        # hands back the undecoded text; all but that character decodes.
        with contextlib.suppress(ValueError):
            data = re.sub(rb"[^A-Za-z0-9+/]", b"", payload)
            payload = base64.b64decode(data[: len(data) // 4 * 4])
    declared = _codec(part.get_content_charset())
    order = (declared, "utf-8", "cp1252")
    if declared in _SINGLE_BYTE and not payload.isascii():
        # These decode any bytes, so a UTF-8 body labelled latin-1 would come
        # out as "wonâ€™t"; bytes that are valid UTF-8 almost never are not.
        order = ("utf-8", declared, "cp1252")
    for charset in order:
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except Exception:  # unknown, not a text codec, or a codec that fails oddly (punycode)
            continue
    return payload.decode("utf-8", "replace")


def _header(msg: email.message.Message, name: str) -> str:
    """A header as text: RFC 2047 encoded words decoded, folding undone.

    Works for messages parsed with the fast legacy policy (raw headers) and
    with ``email.policy.default`` (already decoded) alike; a malformed header
    gives its raw text rather than an exception.
    """
    try:
        value = msg.get(name)
    except Exception:
        value = (msg.get_all(name) or [""])[0] if hasattr(msg, "get_all") else ""
    if value is None:
        return ""
    text = str(value)
    if "\ufffd" in text:
        # Raw UTF-8 in a header (RFC 6532): the legacy parser keeps the bytes
        # as surrogates and str() of its Header gives U+FFFD for each. Bytes
        # that are not UTF-8 are an old client's Windows-1252, as in bodies.
        for key, raw in msg.raw_items():
            if key.lower() == name.lower() and isinstance(raw, str):
                data = raw.encode("ascii", "surrogateescape")
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode("cp1252", "replace")
                break
    if "=?" in text:
        text = _decode_words(text)
    return " ".join(text.split())


_WORD = r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?="
# An encoded word, and the space before another one (not text: RFC 2047, 6.2).
_ENCODED_WORD = re.compile(rf"({_WORD})(?:\s+(?={_WORD}))?")


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words decoded; when one cannot be (an unknown charset
    such as "iso-8859-8-i", broken base64), the others still are, and it is
    read as UTF-8 or Windows-1252, or stays as written."""
    with contextlib.suppress(Exception):
        return str(make_header(decode_header(text)))

    def one(m: re.Match) -> str:
        try:
            ((chunk, charset),) = decode_header(m[1])
        except Exception:
            return m[0]
        if isinstance(chunk, str):
            return chunk
        for name in (_codec(charset), "utf-8", "cp1252"):
            with contextlib.suppress(Exception):
                return chunk.decode(name or "ascii")
        return chunk.decode("utf-8", "replace")

    return _ENCODED_WORD.sub(one, text)


def _own_parts(msg: email.message.Message) -> Iterator[email.message.Message]:
    """The parts of ``msg``, not descending into attached messages."""
    yield msg
    if msg.get_content_maintype() == "message":
        return
    payload = msg.get_payload() if msg.is_multipart() else None
    if isinstance(payload, list):
        for part in payload:
            if isinstance(part, email.message.Message):
                yield from _own_parts(part)


def _text_parts(parts: Iterator[email.message.Message]) -> tuple[str | None, str | None]:
    """The inline text/plain parts joined in order, and the first text/html.

    Apple Mail splits a plain body around an attachment into two text parts;
    a part with a file name is an attachment even when marked inline.
    """
    plains: list[str] = []
    html: str | None = None
    for part in parts:
        if (part.is_multipart() or part.get_content_disposition() == "attachment"
                or part.get_filename()):
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plains.append(_decode_part(part))
        elif ctype == "text/html" and html is None:
            html = _decode_part(part)
    return ("\n\n".join(plains) if plains else None), html


def _attached_messages(msg: email.message.Message) -> list[email.message.Message]:
    """Messages attached whole (message/rfc822): Outlook's "forward as attachment"."""
    if msg.get_content_type() == "multipart/report":  # a bounce attaches the mail that bounced
        return []
    found = []
    for part in _own_parts(msg):
        if part.get_content_type() == "message/rfc822" and part is not msg:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
                found.append(inner[0])
    return found


def _as_forward(inner: Email) -> str:
    # Written as a mail client writes an inline forward, so cleaning reads it as one.
    from .clean import html_to_text

    text = inner.body if (inner.body or "").strip() else html_to_text(inner.html or "")
    return (f"---------- Forwarded message ---------\nFrom: {inner.sender}\nDate: {inner.date or ''}\n"
            f"Subject: {inner.subject}\n\n{text}")


# Messages attached to attached messages are read this deep, no deeper.
_MAX_ATTACHED_DEPTH = 3


def message_to_email(msg: email.message.Message, source: str | None = None, _depth: int = 0) -> Email:
    """Read subject, sender, date and the best body part of a parsed message.

    Prefers text/plain, keeps text/html as the alternative, ignores
    attachments; a message with no text part gets ``error`` set. A message
    attached whole is read as a forward under the message's own text.
    """
    plain, html = _text_parts(_own_parts(msg))
    subject, sender = _header(msg, "subject")[:MAX_HEADER_CHARS], _header(msg, "from")[:MAX_HEADER_CHARS]
    attached = _attached_messages(msg) if _depth < _MAX_ATTACHED_DEPTH else []
    if attached:
        from .clean import FORWARD_SUBJECT, has_text, html_to_text

        own = plain if has_text(plain) else html_to_text(html) if html else ""
        own = own if has_text(own) else ""  # Outlook's empty note: "<p>&nbsp;</p>"
        # An attached message is the content when nothing else is, or when the
        # subject says this is a forward ("FW:", as "forward as attachment"
        # writes it); under any other text it is an old thread kept for reference.
        if not own or FORWARD_SUBJECT.match(subject):
            forwards = [_as_forward(message_to_email(m, _depth=_depth + 1)) for m in attached]
            plain, html = "\n\n".join([own, *forwards] if own else forwards), None
    if plain is None and html is None and not msg.is_multipart():
        # Broken MIME (a multipart whose boundary never appears) leaves the raw
        # text as the payload: read it rather than report an empty message.
        raw = msg.get_payload()
        if isinstance(raw, str) and raw.strip() and msg.get_content_maintype() == "multipart":
            plain = raw
    body = plain or ""
    error = None
    if not body.strip() and not (html or "").strip():
        error = "message has no text body (no text/plain or text/html part, or only attachments)"
    return Email(
        body=body,
        html=html,
        subject=subject,
        sender=sender,
        date=_header(msg, "date") or None,
        id=_header(msg, "message-id") or None,
        source=source,
        error=error,
        to=_header(msg, "to")[:MAX_HEADER_CHARS],
        in_reply_to=_header(msg, "in-reply-to")[:MAX_HEADER_CHARS] or None,
        references=_header(msg, "references")[:MAX_HEADER_CHARS] or None,
        thread=_header(msg, "x-gm-thrid")[:200] or None,
        labels=_labels(_header(msg, "x-gmail-labels")[:MAX_HEADER_CHARS]),
    )


def _labels(value: Any) -> tuple[str, ...]:
    """Gmail labels as a tuple: from the header's comma-separated list (a
    label with a comma in it is quoted), or from what a caller gave."""
    if value is None or isinstance(value, float):
        return ()
    if isinstance(value, str):
        return tuple(x.strip() for x in next(csv.reader([value], skipinitialspace=True), []) if x.strip())
    return tuple(str(x) for x in value)


def to_email(x: EmailLike) -> Email:
    """Coerce one input to an :class:`Email`, or raise :class:`InputError` saying why not.

    An Email built by hand follows the rules :func:`record_to_email` gives a
    record (a NaN subject is empty, bytes are decoded); a pandas row (Series)
    is read as a mapping.
    """
    if isinstance(x, Email):
        return _checked(x)
    if isinstance(x, str):
        return _checked(Email(body=x))
    if isinstance(x, email.message.Message):
        return _checked(message_to_email(x))
    if not isinstance(x, Mapping) and type(x).__name__ == "Series" and hasattr(x, "to_dict"):
        x = x.to_dict()  # df.apply(model.classify, axis=1) hands over rows as Series
    if isinstance(x, Mapping):
        e = record_to_email(x)
        if e.error is not None:
            raise InputError(e.error)
        return _checked(e)
    raise InputError(
        "expected an email as str, a mapping with 'body', an Email or an email.message.Message; "
        f"got {type(x).__name__}"
    )


def _checked(e: Email) -> Email:
    """``e`` with text fields of the types the classifier reads, and encodable."""
    if e.error is not None:  # reported, never read
        return e
    if type(e.labels) is not tuple:
        e = replace(e, labels=_labels(e.labels))
    body, subject, sender, html = e.body, e.subject, e.sender, e.html
    if (type(body) is not str or type(subject) is not str or type(sender) is not str
            or (html is not None and type(html) is not str) or (e.id is not None and type(e.id) is not str)
            or (e.date is not None and type(e.date) is not str)):
        n = record_to_email({"body": body, "subject": subject, "sender": sender, "id": e.id, "date": e.date,
                             "html": html})
        if n.error is not None:
            raise InputError(n.error)
        e = replace(e, body=n.body, subject=n.subject, sender=n.sender, id=n.id, date=n.date, html=n.html)
        body, subject, sender, html = e.body, e.subject, e.sender, e.html
    old = (body, subject, sender, html, e.id, e.date)
    if all(v is None or v.isascii() for v in old):
        return e
    # Text decoded with errors="surrogateescape" holds lone surrogates, which
    # cannot be encoded; each stands for one undecodable byte.
    new = tuple(None if v is None else safe_text(v) for v in old)
    if all(a is b for a, b in zip(new, old)):
        return e
    return replace(e, **dict(zip(("body", "subject", "sender", "html", "id", "date"), new)))
