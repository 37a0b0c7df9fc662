"""Clean one email body: HTML to text, quotes and forwards, footers, wrapping.

The classifier should read what the sender wrote in *this* message: a new
interview invitation with an old rejection quoted below it is not a
rejection, while a rejection forwarded by the candidate to a friend is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ingest import Email

__all__ = ["Cleaned", "clean", "has_text", "html_to_text"]

# A tag name is followed by a space, "/" or ">": "<a.smith@acme.com>" in a
# plain-text quote header is an address, not an anchor.
# ([^<>]*: a tag's scan ends at the next "<", so a run of unclosed "<a " stays linear.)
_HTML_HINT = re.compile(r"<\s*(html|body|div|p|br|table|td|span|font|a)(?=[\s/>])[^<>]*>", re.I)
_TAG = re.compile(r"<[^<>]+>")  # (not [^>]: a scan from every unclosed "<" was quadratic)

_REPLACE: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\ufeff": "",
    "\u2013": "-",
    "\u2014": " - ",
    "\t": " ",
    "\r": "\n",
}
# A regex over the few characters to replace beats str.translate with a
# dict, which looks up every character of the text.
_REPLACE_RE = re.compile("[" + "".join(_REPLACE) + "]")

# Cheap gate: unwrapping scans every line, so only do it when a
# quote or forward marker is present at all (substring tests, no regex).
_QUOTE_MARKERS = ("wrote:", "forwarded", "original message", "\nfrom:", "\n>", "\n >", "schrieb",
                  "a écrit", "escribió", "escreveu", "schreef", "ha scritto", "\nvon:", "\nde:",
                  "\nde :", "\nvan:", "\nda:", "nachricht", "message d'origine", "mensaje original",
                  "oorspronkelijk bericht", "doorgestuurd bericht", "mensaje reenviado",
                  "message transféré")
# Mail clients set to another language write the same quote headers in it.
# An auto-reply ("Automatic reply:", "Out of Office:") or a bounce ("Undeliverable:") quotes the
# mail it answers, as a reply does: that mail is the owner's own.
_REPLY_SUBJECT = re.compile(
    r"^\s*(re|aw|sv|antw|réf|rif|odp|auto(matic)?[- ]?reply|auto|out of (the )?office|ooo|"
    r"abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|resposta automática|"
    r"automatisch antwoord|risposta automatica|undeliverable|unzustellbar|non remis|returned mail|"
    r"mail delivery failed)\s*:", re.I)
_SIGNATURE_DELIM = re.compile(r"^--\s*$", re.M)
# ([ \t], not \s: a \s* run over blank lines was rescanned from every line start.)
_MOBILE_LINE = re.compile(
    r"^[ \t]*(sent from my \w[\w ]{0,30}|sent from (outlook|yahoo mail|mail) for \w+|"
    r"get outlook for \w+|sent via \w[\w ]{0,20})[ \t]*\.?[ \t]*$",
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
_SPACES = re.compile(r"[ \f\v]{2,}|[\f\v]")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_QUOTE_PREFIX = re.compile(r"^\s*>+ ?")
# Quote-header field names as mail clients write them in English, German,
# French, Spanish, Portuguese, Dutch and Italian.
_FROM_NAMES = ("from", "von", "de", "van", "da")
_SENT_NAMES = ("sent", "date", "gesendet", "datum", "envoyé", "enviado", "fecha", "verzonden", "inviato",
               "data")
_SUBJECT_NAMES = ("subject", "betreff", "objet", "asunto", "assunto", "onderwerp", "oggetto")
_TO_NAMES = ("to", "cc", "bcc", "reply-to", "an", "à", "para", "aan", "a")
_HEADER_LINE = re.compile(
    r"^\s*(" + "|".join(_FROM_NAMES + _SENT_NAMES + _SUBJECT_NAMES + _TO_NAMES) + r")\s*:", re.I)
_FROM_LINE = re.compile(r"^(" + "|".join(_FROM_NAMES) + r")\s*:", re.I)
_SENT_LINE = re.compile(r"^(" + "|".join(_SENT_NAMES) + r")\s*:", re.I)
# The cheap gate's test for a message that starts with a quote or a quote header.
_FROM_STARTS = (">", *(f"{n}:" for n in _FROM_NAMES), "de :")


# Every pattern above needs some literal text to match; a substring test for
# it (far cheaper than the regex scan) skips the pattern on most emails.
_MERGE_STARTS = ("{", "[", "%", "<<", "$")
_LONG_S = "\u017f"  # re.I matches it for "s", str.lower() does not map it to "s"


def _may_have_mobile_line(text: str) -> bool:
    low = text.lower()
    return "sent" in low or "get outlook" in low or _LONG_S in text


def _may_have_merge_field(text: str) -> bool:
    return any(m in text for m in _MERGE_STARTS)


def _may_have_spaces(text: str) -> bool:
    # a run of two or more of [ \f\v] holds two spaces or a \f or \v
    return "  " in text or "\f" in text or "\v" in text


_BULKY_OPEN = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*|<(style|script)\b|<!--", re.I)
_BULKY_CLOSE = {"style": re.compile(r"</style\s*>", re.I), "script": re.compile(r"</script\s*>", re.I),
                None: re.compile(r"-->")}


def _drop_bulky(body: str) -> str:
    """Inline images, styles, scripts and comments out of an HTML body, each
    replaced by a space. One left open hides the rest, as a browser would:
    the rest goes too, in one pass (a regex retried from every opener was
    quadratic on a body of many unclosed ones)."""
    out, pos = [], 0
    while m := _BULKY_OPEN.search(body, pos):
        out.append(body[pos:m.start()])
        out.append(" ")
        if m[0][:1] != "<":  # a data: URI ends where its base64 does
            pos = m.end()
            continue
        close = _BULKY_CLOSE[m[1].lower() if m[1] else None].search(body, m.end())
        if close is None:
            return "".join(out)
        pos = close.end()
    out.append(body[pos:])
    return "".join(out)

# A text/plain part that only asks for the HTML one ("To view this message,
# please use an HTML-capable email client"): bulk and ATS mail sends these.
_HTML_STUB = re.compile(
    r"html[- ]?(capable|compatible|enabled|version|format)|(does not|doesn't|cannot|can't|unable to) "
    r"(support|display|show|render) (html|this (e-?mail|message))|view (this|the) (e-?mail|message) "
    r"(in|with|using|online)|to view this (e-?mail|message)",
    re.I,
)
_STUB_CHARS = 400

# No rejection is longer than this; the rest of a huge body is not read.
MAX_CHARS = 50_000


@dataclass(frozen=True)
class Cleaned:
    """The text the model reads, and what cleaning noticed on the way."""

    text: str
    flags: frozenset[str]


def _is_html(body: str) -> bool:
    """Whether a body is HTML: a tag, and the marks of a markup document (it
    starts with a tag, closes one, or breaks lines with <br>). A plain reply
    that quotes "Subject: <DIV>" keeps its lines."""
    if not _HTML_HINT.search(body):
        return False
    return body.lstrip().startswith("<") or "</" in body or _BR.search(body) is not None


_BR = re.compile(r"<\s*br\b", re.I)


def has_text(text: str | None) -> bool:
    """Whether there is anything to read: a letter or a digit."""
    return bool(text) and any(ch.isalnum() for ch in text)


# What a mail client does not show: preheaders and Outlook-only copies.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all"
    r"|(?<![\w-])(?:font-size|max-height)\s*:\s*0(?:px|pt|em|rem|%)?\s*(?:!important\s*)?(?:;|$)",
    re.I,
)
_HIDDEN_HINTS = ("none", "hidden", "mso-hide", ":0", ": 0")
_INVISIBLE_TAGS = ("title", "noscript", "template", "textarea")
# Layout tables put each paragraph in a row of its own.
_NEWLINE_TAGS = frozenset({"dt", "details", "hr", "footer", "aside", "main", "nav", "legend", "fieldset",
                           "div", "li", "br", "dd", "header", "form", "article", "figcaption"})
_DOUBLE_NEWLINE_TAGS = frozenset({"figure", "ul", "p", "h1", "pre", "h5", "h3", "h4", "title", "h2",
                                  "blockquote", "ol", "h6", "dl", "tr", "table"})


def _start(body: str, markup: bool) -> str:
    """What is read of a body: its first 4 * MAX_CHARS characters. In markup,
    inline images, styles and scripts hold no words: they are dropped before
    the cut, so a large inline image cannot hide the text after it."""
    if len(body) <= 4 * MAX_CHARS:
        return body
    return (_drop_bulky(body) if markup else body)[: 4 * MAX_CHARS]


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, keeping inline words on their line and
    paragraphs apart; hidden elements (preheaders) are not read. Of a huge
    body only the start is read, as ``clean`` reads one (a parsed tree takes
    some forty times the HTML's size)."""
    html = _start(html, markup=True)
    try:
        import html_text

        tree = html_text.parse_html(html)
        for el in tree.xpath("//*[@style or @hidden]"):
            style = (el.get("style") or "").lower()
            # substring tests first: most styled elements are visible
            if el.get("hidden") is not None or (any(h in style for h in _HIDDEN_HINTS)
                                                and _HIDDEN_STYLE.search(style)):
                el.drop_tree()
        for el in list(tree.iter(*_INVISIBLE_TAGS)):  # not dropped while the walk runs
            el.drop_tree()
        # A blank line in HTML is "<br><br>" or Gmail's "<div><br></div>".
        # html_text gives each one newline, which glues paragraphs (and hides
        # footers, found paragraph by paragraph); an empty <p> breaks them.
        for br in tree.iter("br"):
            if (br.tail or "").strip():
                continue
            parent, nxt = br.getparent(), br.getnext()
            if nxt is not None and nxt.tag == "br":
                br.tag = "p"  # the first of "<br><br>"
            elif (parent is not None and parent.tag == "div" and len(parent) == 1
                  and not (parent.text or "").strip()):
                br.tag = "p"  # Gmail's "<div><br></div>"
        return html_text.extract_text(tree, guess_layout=True, newline_tags=_NEWLINE_TAGS,
                                      double_newline_tags=_DOUBLE_NEWLINE_TAGS)
    except Exception:  # lxml refuses some junk; a rough strip beats losing the row
        return _TAG.sub(" ", html)


_ORIGINAL = ("original message", "ursprüngliche nachricht", "message d'origine", "mensaje original",
             "oorspronkelijk bericht", "messaggio originale")
_FORWARD_MARKER = re.compile(
    r"^-{2,}\s*(forwarded message|original message|mensaje reenviado|message transféré"
    r"|weitergeleitete nachricht|ursprüngliche nachricht|message d'origine|mensaje original"
    r"|doorgestuurd bericht|oorspronkelijk bericht|messaggio inoltrato|messaggio originale)\s*-{2,}$"
    r"|^begin forwarded message:?$",
    re.I,
)
# "On ... wrote:" as English, German, French, Spanish, Portuguese, Dutch and Italian clients write it.
_ON_WROTE = re.compile(
    r"^(on\b.{0,250}\bwrote|am\b.{0,250}\bschrieb\b.{0,120}|le\b.{0,250}\ba écrit"
    r"|el\b.{0,250}\bescribió|em\b.{0,250}\bescreveu|op\b.{0,250}\bschreef\b.{0,120}"
    r"|il\b.{0,250}\bha scritto)\s?:$",
    re.I,
)
_ON_STARTS = ("on ", "am ", "le ", "el ", "em ", "op ", "il ")
FORWARD_SUBJECT = re.compile(r"^\s*(fw|fwd|wg|tr|rv)\s*:", re.I)


def _unwrap(text: str, subject: str, flags: set[str], depth: int = 0) -> str:
    """Keep what was written in this message: drop quoted replies, keep forwards.

    Reply-strippers delete the body of a forwarded message, and a rejection
    forwarded by the candidate is still a rejection; so forwards keep the
    forwarded body (headers dropped), replies keep only the new text on top.
    """
    lower = text.lower()
    if depth > 5 or not (
        lower.startswith(_FROM_STARTS)
        or any(m in lower for m in _QUOTE_MARKERS)
    ):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        low = stripped.lower()
        kind = None
        skip = i + 1
        if _FORWARD_MARKER.match(stripped):
            # "Original Message" heads Outlook replies and Thunderbird forwards
            # alike: its Subject line decides below.
            kind = "original" if any(o in low for o in _ORIGINAL) else "forward"
        elif low.startswith(_ON_STARTS) and (
            _ON_WROTE.match(stripped)
            or (i + 1 < len(lines) and _ON_WROTE.match(f"{stripped} {lines[i + 1].strip()}"))
        ):
            kind = "reply"
            skip = i + 1 if _ON_WROTE.match(stripped) else i + 2
        elif _FROM_LINE.match(low) and any(
            _SENT_LINE.match(lines[j].strip()) for j in range(i + 1, min(i + 4, len(lines)))
        ):
            kind = "header"
            skip = i
        elif stripped.startswith(">"):
            return _drop_quoted_lines(text, flags)
        if kind is None:
            continue
        top = "\n".join(lines[:i]).strip()
        inner_lines, header_subject = _skip_headers(lines[skip:])
        inner = "\n".join(inner_lines).strip()
        own_reply = bool(_REPLY_SUBJECT.match(subject)) and kind != "forward"
        if own_reply:
            # The message's own "Re:" settles it: a first reply quotes a
            # header whose Subject has no "Re:" yet.
            kind = "reply"
        elif FORWARD_SUBJECT.match(subject):
            kind = "forward"
        elif kind == "original":
            kind = "reply" if _REPLY_SUBJECT.match(header_subject) else "forward"
        elif kind in ("header", "reply"):
            kind = "forward" if FORWARD_SUBJECT.match(header_subject) else "reply"
        if kind == "forward":
            flags.add("forwarded")
            inner = _unwrap(inner, header_subject, flags, depth + 1)
            return f"{top}\n\n{inner}" if top else inner
        # Under a "Re:" subject even "Thanks." on top is the message. Without
        # one, two words ("FYI", "see below") over a quote are more often a
        # forward whose client wrote it as a reply: the quote is the content.
        if len(top.split()) >= (1 if own_reply else 3):
            flags.add("quoted_reply_removed")
            return _drop_quoted_lines(top, flags)
        # Nothing written on top: the quoted message is the content.
        return _unwrap(_drop_quoted_lines(inner, flags), header_subject, flags, depth + 1)
    return text


def _skip_headers(lines: list[str]) -> tuple[list[str], str]:
    """Drop a From:/Date:/Subject:/To: block at the start; return the rest and its subject."""
    i, subject = 0, ""
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    while i < len(lines) and _HEADER_LINE.match(lines[i]):
        if lines[i].strip().lower().startswith(_SUBJECT_NAMES):
            subject = lines[i].split(":", 1)[1].strip()
        i += 1
        # a header value wrapped onto the next line ("To: a,\n b")
        while i < len(lines) and lines[i][:1] in (" ", "\t") and lines[i].strip() and i > start:
            i += 1
    return lines[i:], subject


def _drop_quoted_lines(text: str, flags: set[str]) -> str:
    lines = text.split("\n")
    quoted = [ln.lstrip().startswith(">") for ln in lines]
    if not any(quoted):
        return text
    if all(q or not ln.strip() for q, ln in zip(quoted, lines)):
        return "\n".join(_QUOTE_PREFIX.sub("", ln) for ln in lines)
    flags.add("quoted_reply_removed")
    return "\n".join(ln for ln, q in zip(lines, quoted) if not q)


def _strip_footers(text: str, flags: set[str]) -> str:
    match = _SIGNATURE_DELIM.search(text) if "--" in text else None
    if match and match.start() > 0:
        text = text[: match.start()]
        flags.add("signature_removed")
    if _may_have_mobile_line(text):
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
        if "\n" not in para:  # one line: nothing to join (most paragraphs)
            if line := para.strip():
                out.append(line)
            continue
        lines = [s for ln in para.split("\n") if (s := ln.strip())]
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
    if email.html and (not body.strip() or (len(body) < _STUB_CHARS and _HTML_STUB.search(body))):
        body = email.html
    if email.truncated:  # the reader kept only the start of a huge message
        flags.add("truncated")
    if len(body) > 4 * MAX_CHARS:  # a 5 MB body is a log or an attachment pasted inline
        body = _start(body, markup=_HTML_HINT.search(body, 0, 4 * MAX_CHARS) is not None)
        flags.add("truncated")
    if _is_html(body):
        body = html_to_text(body)
        flags.add("html_converted")
    if len(body) > MAX_CHARS:
        body = body[:MAX_CHARS]
        flags.add("truncated")
    body = body.replace("\r\n", "\n")
    if not body.isascii() or "\t" in body or "\r" in body:
        body = _REPLACE_RE.sub(lambda m: _REPLACE[m.group()], body)
    subject = email.subject or ""
    if ((_may_have_merge_field(body) and _MERGE_FIELD.search(body))
            or (_may_have_merge_field(subject) and _MERGE_FIELD.search(subject))):
        flags.add("unfilled_merge_field")
    body = _unwrap(body, email.subject or "", flags)
    body = _strip_footers(body, flags)
    if _may_have_spaces(body):
        body = _SPACES.sub(" ", body)
    if "html_converted" not in flags:  # HTML lines end where the sender broke them
        body = _join_wrapped(body)
    if "\n\n\n" in body:
        body = _MANY_NEWLINES.sub("\n\n", body)
    body = body.strip()
    return Cleaned(text=body, flags=frozenset(flags))
