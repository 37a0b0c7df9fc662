"""Build the evaluation mailbox (a Gmail-Takeout-style mbox) and its answer key.

    python benchmarks/mailbox/build_mailbox.py                              # this mailbox
    python benchmarks/mailbox/build_mailbox.py benchmarks/mailbox2          # another one

Reads ``messages.jsonl`` (one hand-written message a line, with its labels) in the
folder (by default this file's) and writes, next to it:

- ``mailbox.mbox``: every message as Gmail Takeout writes "All mail Including Spam
  and Trash.mbox" (``From <gmail id>@xxx <date>`` separators, X-GM-THRID,
  X-Gmail-Labels, Delivered-To, Received, threading headers), with text/plain,
  multipart/alternative, HTML-only, quoted-printable and base64 bodies; one
  message (``DUPLICATE``) appears twice with the same Message-ID, as Takeout does;
- ``key.jsonl``: one line per distinct Message-ID with the labels of
  ../../../shared/labeling-guide.md plus application bookkeeping.

The output is byte-for-byte reproducible (no clock, no random MIME boundaries).
This is EVALUATION data: never train on it.

Another mailbox's folder holds a ``mailbox.json`` naming its owner's address and
the subject of the message exported twice (``null`` for none). Its messages may
carry a time zone in ``date`` (else the time is read as the UK's, as here) and
a hand-written ``html`` document (else the HTML part is made from ``body``).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import html
import json
import mailbox
import os
import sys
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ME = "maren.okafor@postbox.example"
# The acknowledgement from Kitewire arrives twice in the export (same Message-ID).
DUPLICATE_SUBJECT = "Thanks for applying to Kitewire!"
KEY_FIELDS = ("message_id", "job_related", "is_rejection", "personalization", "reasons", "stage",
              "feedback_offered", "reapply_encouraged", "company", "role", "application",
              "status_after", "template", "kind")
POLICY = email.policy.default.clone(linesep="\n", max_line_length=78)

# Senders outside the UK write in their own time zone.
TZ_BY_DOMAIN = {"gruenwald-logistik.example": 1, "villanovatessuti.example": 1,
                "saobentotech.example": 0, "courriel.example": 1, "veldoria-consulate.example": 2,
                "tarsia-evisa.example": 3, "atlascloud.example": 0, "lisboatransit.example": 0}


def _h(s: str, n: int = 16) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:n]


def _uk_offset(d: dt.datetime) -> int:
    # British Summer Time 2026: 29 March to 25 October
    return 1 if dt.datetime(2026, 3, 29, 1) <= d < dt.datetime(2026, 10, 25, 1) else 0


def _local(m: dict) -> dt.datetime:
    naive = dt.datetime.fromisoformat(m["date"])
    if naive.tzinfo is not None:  # the writer gave the sender's own offset
        return naive
    # wall-clock time in the UK
    utc = naive - dt.timedelta(hours=_uk_offset(naive))
    dom = m["from_addr"].split("@")[1]
    off = TZ_BY_DOMAIN.get(dom)
    if off is None:
        off = _uk_offset(naive)
    elif off in (1, 2) and _uk_offset(naive):  # CET/EET summer time
        off += 1
    tz = dt.timezone(dt.timedelta(hours=off))
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(tz)


def _to_html(text: str) -> str:
    paras = [p for p in text.strip().split("\n\n")]
    body = "".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>\n" for p in paras)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
            '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">\n'
            f'<div dir="ltr">\n{body}</div>\n</body></html>\n')


def _addr(name: str, addr: str) -> Address:
    user, dom = addr.split("@")
    return Address(display_name=name, username=user, domain=dom)


def _set_addr_header(msg: EmailMessage, header: str, value: str) -> None:
    # "Name <a@b>" strings are parsed by the header registry
    msg[header] = value


def build_message(m: dict, gmid: int, thrid: int, parents: list[dict], labels: str,
                  owner: str = ME) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    sent = m["from_addr"] == owner
    msg["X-GM-THRID"] = str(thrid)
    msg["X-Gmail-Labels"] = labels
    if not sent:
        msg["Delivered-To"] = owner
        when = _local(m)
        rcv = when.astimezone(dt.timezone(dt.timedelta(hours=-8)))
        lid = m["lid"]
        msg["Received"] = (f"by 2002:a05:{_h(lid, 4)}:{_h(lid + 'r', 4)}:b0:{_h(lid + 's', 3)} "
                           f"with SMTP id {_h(m['lid'] + 'id', 12)}csp{int(_h(m['lid'], 6), 16)};"
                           f" {format_datetime(rcv)} (PST)")
        msg["Received"] = (f"from mail.{m['from_addr'].split('@')[1]} (mail.{m['from_addr'].split('@')[1]}. "
                           f"[203.0.113.{int(_h(m['lid'], 2), 16) % 250 + 1}])"
                           f" by mx.{owner.split('@')[1]} with ESMTPS id {_h(m['lid'] + 'mx', 14)}"
                           f" for <{owner}>; {format_datetime(rcv)} (PST)")
    msg["MIME-Version"] = "1.0"
    msg["Date"] = format_datetime(_local(m))
    msg["From"] = _addr(m["from_name"], m["from_addr"])
    _set_addr_header(msg, "To", m["to"])
    if m.get("cc"):
        _set_addr_header(msg, "Cc", m["cc"])
    msg["Subject"] = m["subject"]
    msg["Message-ID"] = m["message_id"]
    if parents:
        msg["In-Reply-To"] = parents[-1]["message_id"]
        msg["References"] = " ".join(p["message_id"] for p in parents)
    body, fmt = m["body"], m["fmt"]
    page = m.get("html") or (_to_html(body) if fmt in ("html", "alt") else "")
    if fmt == "plain":
        msg.set_content(body, charset="utf-8")
    elif fmt == "qp":
        msg.set_content(body, charset="utf-8", cte="quoted-printable")
    elif fmt == "b64":
        msg.set_content(body, charset="utf-8", cte="base64")
    elif fmt == "html":
        msg.set_content(page, subtype="html", charset="utf-8",
                        cte="quoted-printable" if int(_h(m["lid"], 2), 16) % 2 else "base64")
    elif fmt == "alt":
        msg.set_content(body, charset="utf-8")
        msg.add_alternative(page, subtype="html", charset="utf-8", cte="quoted-printable")
        msg.set_boundary("000000000000" + _h(m["lid"] + "b", 16))
    else:
        raise ValueError(f"unknown format {fmt!r} in {m['lid']}")
    return msg


def main(folder: Path = HERE) -> None:
    config = {"owner": ME, "duplicate_subject": DUPLICATE_SUBJECT}
    if (folder / "mailbox.json").exists():
        config = json.loads((folder / "mailbox.json").read_text(encoding="utf-8"))
    owner, duplicate_subject = config["owner"], config["duplicate_subject"]
    mbox_path, key_path = folder / "mailbox.mbox", folder / "key.jsonl"
    msgs = [json.loads(line) for line in (folder / "messages.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    by_lid = {m["lid"]: m for m in msgs}
    # Gmail ids grow with time: 1789... for early 2026 mail, 16 digits after the prefix
    gmid = {m["lid"]: 1789000000000000000 + i * 913_377_001_234 + int(_h(m["lid"], 6), 16)
            for i, m in enumerate(msgs)}

    def chain(m: dict) -> list[dict]:
        out, cur = [], m
        while cur.get("reply_to"):
            cur = by_lid[cur["reply_to"]]
            out.append(cur)
        return list(reversed(out))

    if mbox_path.exists():
        mbox_path.unlink()
    box = mailbox.mbox(str(mbox_path), create=True)
    box.lock()
    dup = None
    try:
        for m in msgs:
            parents = chain(m)
            root = parents[0] if parents else m
            em = build_message(m, gmid[m["lid"]], gmid[root["lid"]], parents, m["labels"], owner)
            mm = mailbox.mboxMessage(em)
            utc = _local(m).astimezone(dt.timezone.utc)
            mm.set_from(f"{gmid[m['lid']]}@xxx {utc.strftime('%a %b %d %H:%M:%S +0000 %Y')}")
            box.add(mm)
            if m["subject"] == duplicate_subject and dup is None:
                dup = (m, parents, root)
        if dup is not None:
            # the duplicate: same message, same Message-ID, exported again under other labels
            m, parents, root = dup
            em = build_message(m, gmid[m["lid"]], gmid[root["lid"]], parents,
                               "Category Updates,Opened,Jobs", owner)
            mm = mailbox.mboxMessage(em)
            utc = _local(m).astimezone(dt.timezone.utc)
            mm.set_from(f"{gmid[m['lid']] + 1}@xxx {utc.strftime('%a %b %d %H:%M:%S +0000 %Y')}")
            box.add(mm)
        box.flush()
    finally:
        box.unlock()
        box.close()

    with key_path.open("w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps({k: m.get(k) for k in KEY_FIELDS}, ensure_ascii=False) + "\n")
    copies = len(msgs) + (dup is not None)
    print(f"{copies} messages ({len(msgs)} distinct) -> {mbox_path}; {len(msgs)} key lines -> {key_path}")


if __name__ == "__main__":
    os.umask(0o022)
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE)
