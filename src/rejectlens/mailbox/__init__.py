"""A whole mailbox as a job search: threads, parties, applications, templates, feedback, report.

One module per stage; :func:`report` runs them all.
"""

from __future__ import annotations

from .build import MailboxReport, report

__all__ = ["MailboxReport", "report"]
