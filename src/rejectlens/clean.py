"""Clean one email body: HTML to text, quotes and forwards, footers, wrapping.

The classifier should read what the sender wrote in *this* message: a new
interview invitation with an old rejection quoted below it is not a
rejection, while a rejection forwarded by the candidate to a friend is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ingest import Email

__all__ = ["Cleaned", "clean", "html_to_text"]

_HTML_HINT = re.compile(r"<\s*(html|body|div|p|br|table|td|span|font|a)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\u2013": "-",
        "\u2014": " - ",
        "\t": " ",
        "\r": "\n",
    }
)

# Cheap gate: quotequail costs ~100 us an email, so only call it when a
# quote or forward marker is present at all (substring tests, no regex).
_QUOTE_MARKERS = ("wrote:", "forwarded", "original message", "\nfrom:", "\n>", "\n >", "schrieb:")
_REPLY_SUBJECT = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.I)
_SIGNATURE_DELIM = re.compile(r"^--\s*$", re.M)
_MOBILE_LINE = re.compile(
    r"^\s*(sent from my \w[\w ]{0,30}|sent from (outlook|yahoo mail|mail) for \w+|"
    r"get outlook for \w+|sent via \w[\w ]{0,20})\s*\.?\s*$",
    re.I | re.M,
)
_FOOTER = re.compile(
    r"^\W{0,3}(confidential(ity)?( notice| note)?\b|disclaimer\b|legal notice\b|"
    r"this (e-?mail|message|communication)[^.]{0,80}\b(confidential|intended (solely|only)|privileged)|"
    r"if you (have )?received this (e-?mail|message|communication) in error|"
    r"you('re| are)? (are )?receiv(ed|ing) this (e-?mail|message|notification)|"
    r"(click here )?to unsubscribe|unsubscribe\b|manage (your )?(e-?mail |notification )?preferences|"
    r"update your (e-?mail )?preferences|privacy (policy|notice|statement)\s*(\||$)|"
    r"registered (office|in england)|(©|\(c\)|copyright)\s*\d{4}|"
    r"please do not reply to this (e-?mail|message)|this is an automated (e-?mail|message)|"
    r"this (e-?mail|mailbox) is (not monitored|unmonitored))",
    re.I,
)
_UNSUBSCRIBE = re.compile(r"unsubscribe|e-?mail preferences|notification preferences", re.I)
_MERGE_FIELD = re.compile(
    r"\{\{\s*[\w.]+\s*\}\}|\{\s*(first|last|candidate|applicant|job|position|role|company)[\w ]*\}|"
    r"\[\s*(candidate|first|last|applicant|job|position|role|company|recruiter|name)[\w ]*\]|"
    r"%[A-Z][A-Z_]{2,}%|<<\s*\w[\w ]*>>|\$\{\w+\}|\[\[\s*\w[\w ]*\]\]",
    re.I,
)
_BULLET = re.compile(r"^\s*([-*•·▪◦]|\d{1,2}[.)])\s+")
_SPACES = re.compile(r"[ \f\v]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_FROM_ESCAPE = re.compile(r"^>(>*From )", re.M)
_HEADER_LINE = re.compile(r"^\s*(from|to|cc|bcc|date|sent|subject|reply-to)\s*:", re.I)


@dataclass(frozen=True)
class Cleaned:
    """The text the model reads, and what cleaning noticed on the way."""

    text: str
    flags: frozenset[str]


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, keeping inline words on their line."""
    try:
        import html_text

        return html_text.extract_text(html, guess_layout=True)
    except Exception:  # lxml refuses some junk; a rough strip beats losing the row
        return _TAG.sub(" ", html)


def _unwrap(text: str, subject: str, flags: set[str]) -> str:
    lower = text.lower()
    if not (lower.startswith((">", "from:")) or any(m in lower for m in _QUOTE_MARKERS)):
        return text
    import quotequail

    try:
        parts = quotequail.unwrap(text)
    except Exception:
        parts = None
    if not parts:
        return _drop_quoted_lines(text, flags)
    top = (parts.get("text_top") or "").strip()
    inner = (parts.get("text") or "").strip()
    kind = parts.get("type")
    if kind == "forward" and _REPLY_SUBJECT.match(parts.get("subject") or ""):
        kind = "reply"  # Outlook puts reply headers in the same block as forwards
    if kind == "forward":
        flags.add("forwarded")
        inner = _unwrap(inner, subject, flags)
        return f"{top}\n\n{inner}" if top else inner
    if len(top.split()) >= 3:
        flags.add("quoted_reply_removed")
        return _drop_quoted_lines(top, flags)
    # Nothing written on top: the quoted message is the content.
    return _drop_quoted_lines(inner, flags)


def _drop_quoted_lines(text: str, flags: set[str]) -> str:
    lines = text.split("\n")
    quoted = [ln.lstrip().startswith(">") for ln in lines]
    if not any(quoted):
        return text
    if all(q or not ln.strip() for q, ln in zip(quoted, lines)):
        return "\n".join(re.sub(r"^\s*>+ ?", "", ln) for ln in lines)
    flags.add("quoted_reply_removed")
    return "\n".join(ln for ln, q in zip(lines, quoted) if not q)


def _strip_footers(text: str, flags: set[str]) -> str:
    match = _SIGNATURE_DELIM.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
        flags.add("signature_removed")
    text, n_mobile = _MOBILE_LINE.subn("", text)
    if n_mobile:
        flags.add("sent_from_mobile")
    kept = []
    for para in text.split("\n\n"):
        if _FOOTER.match(para.strip()):
            flags.add("footer_removed")
            if _UNSUBSCRIBE.search(para):
                flags.add("unsubscribe_footer")
            continue
        kept.append(para)
    return "\n\n".join(kept)


def _join_wrapped(text: str) -> str:
    # Hard wrapping at ~76 columns splits sentences; join a line onto the next
    # when it is long and does not end a sentence, but keep greetings,
    # sign-offs and bullets on their own lines.
    out: list[str] = []
    for para in text.split("\n\n"):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        joined: list[str] = []
        for ln in lines:
            if (
                joined
                and len(joined[-1]) >= 45
                and not joined[-1].endswith((".", "!", "?", ":", ";"))
                and not _BULLET.match(ln)
            ):
                joined[-1] = f"{joined[-1]} {ln}"
            else:
                joined.append(ln)
        if joined:
            out.append("\n".join(joined))
    return "\n\n".join(out)


def clean(email: Email) -> Cleaned:
    """Clean the body of ``email``; never raises on odd text."""
    flags: set[str] = set()
    body = email.body or ""
    if not body.strip() and email.html:
        body = email.html
    if _HTML_HINT.search(body):
        body = html_to_text(body)
        flags.add("html_converted")
    body = body.replace("\r\n", "\n")
    if not body.isascii() or "\t" in body or "\r" in body:
        body = body.translate(_TRANSLATE)
    body = _FROM_ESCAPE.sub(r"\1", body)  # mbox escapes body lines that start with "From "
    if _MERGE_FIELD.search(body) or _MERGE_FIELD.search(email.subject or ""):
        flags.add("unfilled_merge_field")
    body = _unwrap(body, email.subject or "", flags)
    body = _strip_footers(body, flags)
    body = _SPACES.sub(" ", body)
    body = _join_wrapped(body)
    body = _MANY_NEWLINES.sub("\n\n", body).strip()
    return Cleaned(text=body, flags=frozenset(flags))
