"""Run independent jobs (e.g. one pack each) in worker processes, results in order.

A job is a zero-argument picklable callable (a module-level function, or a
``functools.partial`` of one) or a ``(function, args)`` pair. With one worker, or one job,
everything runs in this process: no start-up cost, and tracebacks stay simple.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from site_builder.findings import BriefsError

T = TypeVar("T")
Job = Callable[[], T] | tuple[Callable[..., T], Sequence[Any]]


def _call(job: Job[T]) -> T:
    """Run one job (in a worker or here)."""
    if isinstance(job, tuple):
        function, args = job
        return function(*args)
    return job()


def default_workers() -> int:
    """Return the number of usable cores (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_parallel(jobs: Sequence[Job[T]], workers: int | None = None) -> list[T]:
    """Run ``jobs`` on up to ``workers`` processes (default: one per core); return results in order.

    The first job to raise (in the jobs' order) has its exception raised here once every
    job has finished; a worker that dies (killed, out of memory) is a BriefsError.
    """
    jobs = list(jobs)
    count = min(len(jobs), workers if workers is not None else default_workers())
    if count <= 1:
        return [_call(job) for job in jobs]
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures: list[Future[T]] = [pool.submit(_call, job) for job in jobs]
            errors = [f.exception() for f in futures]
    except BrokenProcessPool as exc:
        raise BriefsError(f"a pack worker process stopped unexpectedly ({exc}): "
                          "is the machine out of memory? Try fewer jobs (-j)") from exc
    for error in errors:
        if isinstance(error, BrokenProcessPool):
            raise BriefsError("a pack worker process stopped unexpectedly: is the machine out "
                              "of memory? Try fewer jobs (-j)") from error
        if error is not None:
            raise error
    return [f.result() for f in futures]
