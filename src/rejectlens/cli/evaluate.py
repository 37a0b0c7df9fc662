"""`rejectlens evaluate`: per-field metrics of a model on labelled data (and a report folder)."""

from __future__ import annotations

import json
from pathlib import Path

from .common import EXIT_OK, load_model, records_from

__all__ = ["run"]


def run(args) -> int:
    from ..evaluation import evaluate, format_metrics

    model = load_model(args.model)
    split = args.split if Path(args.data).is_dir() else None
    metrics = evaluate(model, records_from([args.data], split), report=args.report)
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    if args.report:
        print(f"report written to {Path(args.report) / 'report.md'}")
    return EXIT_OK
