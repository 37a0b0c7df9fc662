"""`rejectlens explain`: the labels of one email, in readable form."""

from __future__ import annotations

import sys

from .common import EXIT_OK, EXIT_ROW_ERRORS, load_model
from .render import render_explanation

__all__ = ["run"]


def run(args) -> int:
    text = _stdin_text() if args.text == "-" else args.text
    model = load_model(args.model)
    p = model.classify({"body": text, "subject": args.subject, "sender": args.sender})
    if p.error is not None:  # as classify does for an error row: stderr, exit 1
        print(render_explanation(p), file=sys.stderr)
        return EXIT_ROW_ERRORS
    print(render_explanation(p))
    return EXIT_OK


def _stdin_text() -> str:
    # UTF-8 whatever the locale, as `classify -` reads it
    buffer = getattr(sys.stdin, "buffer", None)
    return sys.stdin.read() if buffer is None else buffer.read().decode("utf-8-sig", "replace")
