"""Feedback requests: short, polite, editable drafts for rejections worth answering.

A rejection gets a draft when it offered no feedback and either came after
an interview or assessment (the candidate met people who can say why) or
was generic (a form letter, or a template several companies sent). The
draft names the role and the stage and asks for one or two specific
points; it is plain text to edit and send yourself, nothing is sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .parties import is_person

__all__ = ["FeedbackDraft", "render_drafts", "wants_feedback"]

_NO_REPLY = re.compile(r"no-?reply|do-?not-?reply|notifications?", re.I)
_STAGE_WORDS = {"interview": "the interviews", "assessment": "the assessment",
                "acknowledged": "my application", "applied": "my application"}


@dataclass(frozen=True)
class FeedbackDraft:
    application_id: str
    to_name: str
    to_address: str
    subject: str
    body: str
    why: str


def wants_feedback(status: str, feedback_offered: bool | None, furthest_stage: str,
                   personalization: str | None, shared_template: bool) -> str | None:
    """Why this application deserves a feedback request, or None."""
    if status != "rejected" or feedback_offered:
        return None
    if furthest_stage in ("interview", "assessment", "offer"):
        return f"rejected after the {furthest_stage}"
    if shared_template:
        return "a form letter several companies sent"
    if personalization == "generic":
        return "a generic rejection"
    return None


def draft(application_id: str, company: str, role: str, furthest_stage: str, sender: tuple[str, str],
          owner_name: str, why: str) -> FeedbackDraft:
    """The request to the rejection's ``sender`` (display name, address)."""
    name, address = sender
    person = name if name and is_person(name, address) else ""
    if _NO_REPLY.search(address.partition("@")[0]):
        # Nobody reads a no-reply box: the user has to find a person to ask.
        address = "(a no-reply address: send this to the recruiter or hiring manager instead)"
    # "Doe, Jane" is written last name first; "Jane Doe, PhD" is not
    last, comma, rest = person.partition(",")
    first = (rest.split() if comma and len(last.split()) == 1 else []) or person.split()
    greeting = f"Dear {first[0].rstrip(',')}," if first else "Hello,"
    what = f"the {role} role" if role else "the role"
    at = f" at {company}" if company else ""
    stage = _STAGE_WORDS.get(furthest_stage, "my application")
    if furthest_stage in ("interview", "assessment", "offer"):
        ask = (f"As I got as far as {stage}, I would be grateful for one or two specific points: "
               "where my answers or work fell short of what you were looking for, and what would "
               "have made the difference.")
    else:
        ask = ("I would be grateful for one or two specific points about my application: which "
               "requirement I did not meet, or what would have made my application stronger.")
    sign = owner_name or "[your name]"
    body = (f"{greeting}\n\nThank you for letting me know about your decision on {what}{at}. "
            f"I appreciate the time you spent on my application.\n\n{ask}\n\n"
            "I know feedback takes time, so a few lines would already help me a lot.\n\n"
            f"Kind regards,\n{sign}\n")
    return FeedbackDraft(application_id, person or name, address,
                         f"Feedback on my application for {what}{at}", body, why)


def render_drafts(drafts: Sequence[FeedbackDraft]) -> str:
    """All drafts as one Markdown file."""
    lines = ["# Feedback requests", "",
             "Drafts to edit and send yourself, one per rejection worth asking about (after an "
             "interview or assessment, or a generic letter, and no feedback offered). Nothing here "
             "was sent.", ""]
    if not drafts:
        lines.append("No rejection needs a feedback request.")
    for d in drafts:
        address = _md(d.to_address or "(unknown)")
        if "@" in d.to_address and "`" not in d.to_address and not any(c.isspace() for c in d.to_address):
            address = f"`{d.to_address}`"  # a code span shows it as written, ready to copy
        to = f"{_md(d.to_name)} {address}" if d.to_name and d.to_address else address
        body = d.body.rstrip()
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", body)), default=0))
        lines += [f"## {_md(d.application_id)}", "", f"- **To:** {to}",
                  f"- **Subject:** {_md(d.subject)}", f"- **Why:** {_md(d.why)}", "",
                  f"{fence}text", body, fence, ""]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    # Names and subjects come from strangers' mail: a "<img onerror=...>" in one
    # must show as text in a Markdown preview, not run, and a newline must not
    # start a block of its own.
    return re.sub(r"([\\`<>\[\]])", r"\\\1", " ".join(text.split()))
