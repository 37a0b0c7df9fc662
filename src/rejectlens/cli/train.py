"""`rejectlens train`: labelled files on top of a base model, alone, or the corpus folder rebuilt.

The corpus folder (``data/``) rebuilds the bundled model
(:mod:`rejectlens.corpus.build`); labelled files are refit on top of a base
(:mod:`rejectlens.retraining`) or, with ``--base none``, trained alone
(:mod:`rejectlens.training`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .common import EXIT_OK, EXIT_ROW_ERRORS, records_from
from .render import corpus_model_written, retrain_progress, retrained, train_refused, trained_from_scratch

__all__ = ["run"]

_CORPUS_ONLY_FLAGS = (("--base", "base"), ("--weight", "weight"), ("--holdout", "holdout"),
                      ("--force-worse", "force_worse"), ("--with-bundled-corpus", "with_bundled_corpus"))


def _given(args, key: str) -> bool:
    # "is not", not "not in (None, False)": --weight 0 and --holdout 0 are given too (0 == False)
    value = getattr(args, key)
    return value is not None and value is not False


def _cv(args, default: int) -> int:
    if args.cv is None:
        return default
    if args.cv < 2:
        from ..errors import InputError

        raise InputError(f"--cv must be at least 2 (folds); got {args.cv}")
    return args.cv


def run(args) -> int:
    from ..persist import check_model_dir
    from ..writers import refuse_overwriting_input

    out = Path(args.output)
    refuse_overwriting_input(out, args.data)  # a sheet inside the model folder would go with it
    corpus = any(Path(p).is_dir() for p in args.data)  # the corpus folder rebuilds the bundled model
    check_model_dir(out, args.force, rebuild=corpus)  # before the training, not after it
    if corpus:
        return _rebuild_from_corpus(args, out)
    records = records_from(args.data)
    base = args.base or "default"
    if base == "none":
        return _train_from_scratch(args, records, out)
    return _train_on_base(args, records, base, out)


def _rebuild_from_corpus(args, out: Path) -> int:
    from ..errors import DataError

    if len(args.data) > 1:
        raise DataError("a corpus folder rebuilds the bundled model on its own; "
                        f"got {len(args.data)} inputs: {', '.join(args.data)}")
    given = [flag for flag, key in _CORPUS_ONLY_FLAGS if _given(args, key)]
    if given:
        # The folder rebuilds the bundled model from scratch: a base, a weight
        # or a held-out check would be silently ignored, so they are refused.
        raise DataError(f"{args.data[0]} is a corpus folder: `train` rebuilds the bundled model "
                        f"from it, and {', '.join(given)} do(es) not apply; drop them, or pass "
                        "labeled files to train on top of a base")
    from ..corpus.build import build_from_corpus

    metrics = build_from_corpus(args.data[0], out, seed=args.seed, n_jobs=args.n_jobs, cv=_cv(args, 5))
    print(corpus_model_written(out, metrics))
    return EXIT_OK


def _train_on_base(args, records, base: str, out: Path) -> int:
    if args.with_bundled_corpus:
        print("note: --with-bundled-corpus is implied when training on top of a base model",
              file=sys.stderr)
    from ..retraining import retrain

    started = time.perf_counter()
    result = retrain(records, base=base, weight=args.weight,
                     holdout=0.25 if args.holdout is None else args.holdout, cv=_cv(args, 2),
                     seed=args.seed, n_jobs=args.n_jobs,
                     progress=lambda msg: print(retrain_progress(time.perf_counter() - started, msg),
                                                file=sys.stderr, flush=True))
    print(result.render())
    if result.worse and not args.force_worse:
        print(train_refused(result), file=sys.stderr)
        return EXIT_ROW_ERRORS
    result.model.save(out, force=args.force)
    print(retrained(out, result))
    return EXIT_OK


def _train_from_scratch(args, records, out: Path) -> int:
    from ..training import train

    for flag, key in (("--weight", "weight"), ("--holdout", "holdout"), ("--force-worse", "force_worse")):
        if _given(args, key):
            from ..errors import DataError

            raise DataError(f"{flag} applies on top of a base model; --base none trains on your rows "
                            "alone (with --with-bundled-corpus: and the corpus)")
    model = train(records, base=None, with_bundled_corpus=args.with_bundled_corpus,
                  cv=_cv(args, 5), seed=args.seed, n_jobs=args.n_jobs)
    model.save(out, force=args.force)
    text, skipped = trained_from_scratch(model.manifest["training"], out)
    print(text)
    if skipped:
        print(skipped, file=sys.stderr)
    return EXIT_OK
