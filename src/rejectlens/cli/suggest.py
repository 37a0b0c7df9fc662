"""`rejectlens suggest`: a label sheet of the unlabelled emails worth labelling next."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_OK, load_model
from .render import suggest_done

__all__ = ["run"]


def run(args) -> int:
    from ..errors import InputError
    from ..readers import read_messages
    from ..suggest import sheet_readme, suggest
    from ..writers import PredictionWriter, refuse_overwriting_input, write_file_atomic

    out = Path(args.output)
    refuse_overwriting_input(out, [args.data])
    if out.suffix.lower() != ".csv":  # a sheet to open in a spreadsheet, and to train on as CSV
        raise InputError(f"-o: expected a .csv file for the label sheet; got {args.output}")
    readme = out.with_name(out.stem + ".README.txt")
    for path in (out, readme):
        if path.exists() and not args.force:
            raise InputError(f"output {path} exists; pass --force to overwrite it")
    if args.n < 1:
        raise InputError(f"-n must be a positive integer; got {args.n}")
    model = load_model(args.model)
    df = suggest(model, read_messages(args.data, body=args.body_col, subject=args.subject_col,
                                      sender=args.sender_col, id=args.id_col), n=args.n)
    # The same writer as classify: atomic, and cells a spreadsheet would run
    # as formulas are neutralised (this file is made to be opened in one).
    with PredictionWriter(str(out), "csv", list(df.columns), force=args.force) as writer:
        for row in df.to_dict("records"):
            writer.write(row)
    write_file_atomic(readme, sheet_readme(out.name).encode("utf-8"))
    print(suggest_done(len(df), out, readme))
    if df.attrs.get("unreadable"):
        print(f"{df.attrs['unreadable']} emails with no text to read (empty, or unreadable) were left "
              "off the sheet", file=sys.stderr)
    return EXIT_OK
