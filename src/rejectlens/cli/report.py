"""`rejectlens report`: whole mailboxes -> applications, statuses, ghosting and templates."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_OK, load_model
from .render import report_summary

__all__ = ["run"]


def run(args) -> int:
    from ..errors import InputError
    from ..mailbox import report
    from ..readers import detect_format, is_mail_format

    for path in args.mailboxes:
        if not Path(path).exists():
            raise InputError(f"mailbox {path} does not exist")
        fmt = detect_format(path)
        if not is_mail_format(fmt):
            raise InputError(f"{path}: expected a mailbox (.mbox, .eml or a folder of them); "
                             f"found a {fmt} file (use `rejectlens classify` for tables)")
    if args.ghosted_after < 1:
        raise InputError(f"--ghosted-after must be a positive number of days; got {args.ghosted_after}")
    if args.as_of is not None:
        from datetime import datetime

        try:
            datetime.fromisoformat(args.as_of)
        except ValueError:
            raise InputError(f"--as-of: expected a date like 2026-06-30; got {args.as_of!r}") from None
    from ..mailbox.render import check_output_dir

    # before the slow part: fail fast
    check_output_dir(args.output, args.force, [p for p in (args.applications, *args.mailboxes) if p])
    model = load_model(args.model)
    show = not args.quiet and sys.stderr.isatty()
    result = report(args.mailboxes, out=args.output, applications=args.applications, as_of=args.as_of,
                    ghosted_after=args.ghosted_after, model=model, progress=show, force=args.force)
    if not args.quiet:
        print(report_summary(result.summary, args.output), file=sys.stderr)
    return EXIT_OK
