"""`rejectlens data check`: validate the labelled corpus and print its coverage."""

from __future__ import annotations

from .common import EXIT_OK, EXIT_ROW_ERRORS

__all__ = ["run"]


def run(args) -> int:
    from ..corpus import check_corpus

    report = check_corpus(args.path)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_ROW_ERRORS
