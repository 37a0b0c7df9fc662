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
from email.utils import parseaddr

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


def draft(application_id: str, company: str, role: str, furthest_stage: str, sender: str,
          owner_name: str, why: str) -> FeedbackDraft:
    name, address = parseaddr(sender or "")
    person = name if name and is_person(name, address) else ""
    if _NO_REPLY.search(address.partition("@")[0]):
        # Nobody reads a no-reply box: the user has to find a person to ask.
        address = "(a no-reply address: send this to the recruiter or hiring manager instead)"
    greeting = f"Dear {person.split()[0]}," if person else "Hello,"
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
        to = f"{d.to_name} <{d.to_address}>" if d.to_name and d.to_address else d.to_address or "(unknown)"
        lines += [f"## {d.application_id}", "", f"- **To:** {to}", f"- **Subject:** {d.subject}",
                  f"- **Why:** {d.why}", "", "```text", d.body.rstrip(), "```", ""]
    return "\n".join(lines) + "\n"
