"""`rejectlens explain`: the labels of one email, in readable form."""

from __future__ import annotations

import sys

from .common import EXIT_OK, load_model
from .render import render_explanation

__all__ = ["run"]


def run(args) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    model = load_model(args.model)
    p = model.classify({"body": text, "subject": args.subject, "sender": args.sender})
    print(render_explanation(p))
    return EXIT_OK
