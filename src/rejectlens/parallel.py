"""Chunking and worker processes, shared by the Classifier and the batch command.

Low in the import graph on purpose: it knows nothing of models, so
``model`` and ``batch`` both import it and neither imports the other back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from numbers import Integral
from typing import Any, TypeVar

from .errors import InputError, WorkerError

__all__ = ["chunks", "forks_workers", "map_chunks", "resolve_n_jobs"]

T = TypeVar("T")


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter), read lazily.

    When ``items`` raises, the items read before it still come, as a last
    short list, and then the error: a source that fails midway (a dropped
    connection) loses no row it already gave.
    """
    it = iter(items)
    while True:
        chunk: list[Any] = []
        try:
            for x in islice(it, size):
                chunk.append(x)
        except Exception:
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


def resolve_n_jobs(n_jobs: int) -> int:
    """``0`` means every core; a negative number counts back from the cores as
    in joblib and scikit-learn (``-1``: every core, ``-2``: all but one);
    otherwise the number itself, at most four a core (more warns)."""
    if not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool):
        raise InputError(f"n_jobs must be an integer (0 or -1: every core); got {n_jobs!r}")
    cores = os.cpu_count() or 1
    if n_jobs > 4 * cores:
        # every worker is forked up front: 100,000 of them would bring the machine down
        warnings.warn(f"n_jobs={n_jobs} is more than four workers a core ({cores} cores) and runs no "
                      f"faster; using {4 * cores}", RuntimeWarning, stacklevel=2)
        return 4 * cores
    return n_jobs if n_jobs > 0 else cores if n_jobs == 0 else max(1, cores + 1 + n_jobs)


def forks_workers() -> bool:
    """Whether :func:`map_chunks` forks its workers from this process (Linux, one
    thread), so they inherit its imports, model and analyser instead of
    building their own: a spawned worker spends ~2 s of CPU on that."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def map_chunks(func: Callable[..., T], payload: Any, parts: Iterable[list[Any]], n_jobs: int,
               *args: Any) -> Iterator[T]:
    """``func(payload, chunk, *args)`` for every chunk in worker processes, results in input order.

    At most two chunks per worker are in flight, so memory stays bounded
    whatever the input size. ``func`` must be a module-level function (workers
    import it by name). Forked workers (:func:`forks_workers`) inherit
    ``payload`` and ``args``; only the chunks and results travel.
    """
    failed: list[Exception] = []
    parts = _until_error(parts, failed)
    if forks_workers():
        yield from _forked(func, payload, parts, n_jobs, args)
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        yield from parallel(delayed(func)(payload, chunk, *args) for chunk in parts)
    if failed:  # the chunks read before the source failed have been answered
        raise failed[0]


def _until_error(parts: Iterable[list[Any]], failed: list[Exception]) -> Iterator[list[Any]]:
    try:
        yield from parts
    except Exception as err:
        failed.append(err)


# What a forked worker runs, set in the worker by its pool's initializer.
_INHERITED: tuple[Callable[..., Any], Any, tuple[Any, ...]] | None = None


def _inherit(job: tuple[Callable[..., Any], Any, tuple[Any, ...]]) -> None:
    global _INHERITED
    _INHERITED = job
    # A fork keeps the parent's handlers: the CLI's SIGTERM handler made a worker
    # the pool ends with SIGTERM unwind instead of exit, and the pool waited for
    # it forever. Ctrl-C reaches the whole process group; the parent alone
    # answers it and ends the workers.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_inherited(chunk: list[Any]) -> Any:
    func, payload, args = _INHERITED  # type: ignore[misc]
    return func(payload, chunk, *args)


def _forked(func: Callable[..., T], payload: Any, parts: Iterable[list[Any]], n_jobs: int,
            args: tuple[Any, ...]) -> Iterator[T]:
    # A forked process inherits its initializer's arguments (nothing is pickled).
    # ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (killed
    # for memory) fails the run (WorkerError) instead of hanging it.
    pool = ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_inherit, initargs=((func, payload, args),))
    try:
        pending: deque = deque()
        for chunk in parts:
            pending.append(pool.submit(_run_inherited, chunk))
            if len(pending) >= 2 * n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        _stop(pool)
        raise WorkerError("a worker process died (killed for lack of memory?) before answering its "
                          "rows; try fewer --n-jobs or a smaller --chunk-size") from None
    except BaseException:  # Ctrl-C, SIGTERM, a failed chunk, a reader that stopped early
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, not after the chunks they hold (shutdown would wait)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
