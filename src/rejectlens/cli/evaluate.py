"""`rejectlens evaluate`: per-field metrics of a model on labelled data (and a report folder)."""

from __future__ import annotations

import json
from pathlib import Path

from .common import EXIT_OK, load_model, records_from

__all__ = ["run"]


def run(args) -> int:
    from ..errors import DataError
    from ..evaluation import evaluate, format_metrics
    from ..labels import LABEL_FIELDS
    from ..records import misspelt_labels

    split = args.split if Path(args.data).is_dir() else None
    records = records_from([args.data], split)
    if not any(r.get(f) not in (None, "") for r in records for f in LABEL_FIELDS):
        # an empty table and exit 0 would read as "nothing wrong"
        raise DataError("no labels to evaluate against; expected at least one of: "
                        + ", ".join(LABEL_FIELDS) + misspelt_labels(records))
    model = load_model(args.model)
    metrics = evaluate(model, records, report=args.report)
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    if args.report:
        print(f"report written to {Path(args.report) / 'report.md'}")
    return EXIT_OK
