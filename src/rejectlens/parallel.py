"""Chunking and worker processes, shared by the Classifier and the batch command.

Low in the import graph on purpose: it knows nothing of models, so
``model`` and ``batch`` both import it and neither imports the other back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from .errors import InputError

__all__ = ["chunks", "map_chunks", "resolve_n_jobs"]

T = TypeVar("T")


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter), read lazily."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def resolve_n_jobs(n_jobs: int) -> int:
    """``0`` means every core; otherwise the number itself (at least 1)."""
    if n_jobs < 0:
        raise InputError(f"n_jobs must be 0 (every core) or a positive integer; got {n_jobs}")
    return n_jobs or (os.cpu_count() or 1)


def map_chunks(func: Callable[..., T], payload: Any, parts: Iterable[list[Any]], n_jobs: int,
               *args: Any) -> Iterator[T]:
    """``func(payload, chunk, *args)`` for every chunk in worker processes, results in input order.

    At most two chunks per worker are in flight, so memory stays bounded
    whatever the input size. ``func`` must be a module-level function (workers
    import it by name).
    """
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
    yield from parallel(delayed(func)(payload, chunk, *args) for chunk in parts)
