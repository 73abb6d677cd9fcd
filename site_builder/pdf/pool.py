"""A spawn-based pool of render workers with a time limit per job.

``concurrent.futures`` cannot stop one hung task, so this pool keeps its own worker
processes, each with a pipe. A job that runs past the time limit gets its worker killed and
replaced; a worker that dies takes only its current job with it. Either way the job comes
back as a failed :class:`~site_builder.pdf.render.RenderResult` naming what happened.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection, wait
from typing import Any

from site_builder.findings import BriefsError
from site_builder.pdf.render import RenderJob, RenderResult, render_job

_READY = "ready"
_STARTUP_TIMEOUT = 120.0  # seconds a fresh worker may take to import WeasyPrint

Target = Callable[[RenderJob], RenderResult]


def _worker_main(conn: Connection, target: Target) -> None:
    """Serve jobs from the pipe until it sends None or closes."""
    import weasyprint  # noqa: F401  (import before saying ready: the job's clock starts then)

    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result = target(job)
        except Exception as exc:  # a bug or a WeasyPrint crash on this input: report it
            result = RenderResult(job.slug, problems=[("pdf-render", f"render failed: {type(exc).__name__}: {exc}")])
        conn.send(result)


class _Worker:
    """One worker process, its pipe and its current job."""

    def __init__(self, context: Any, target: Target) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, target), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.job: RenderJob | None = None
        self.since = time.monotonic()

    def assign(self, job: RenderJob) -> None:
        self.job = job
        self.since = time.monotonic()
        self.conn.send(job)

    def deadline(self, timeout: float) -> float:
        return self.since + (timeout if self.ready else _STARTUP_TIMEOUT)

    def stop(self, kill: bool = False) -> None:
        if not kill and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(2.0)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _failure(job: RenderJob, message: str) -> RenderResult:
    return RenderResult(job.slug, problems=[("pdf-render", message)])


def run_jobs(jobs: Iterable[RenderJob], workers: int, timeout: float,
             on_result: Callable[[RenderResult], None], target: Target = render_job,
             count: int | None = None, scheduler: str = "") -> None:
    """Render jobs on ``workers`` spawned processes, calling ``on_result`` for each, in the parent.

    ``jobs`` may be a generator: it is consumed after the workers start, so the parent
    prepares the jobs while the workers import WeasyPrint (give ``count`` to size the pool).
    With ``scheduler`` (a Dask scheduler's address) the jobs render on that cluster instead.
    """
    if scheduler:
        _run_on_cluster(jobs, scheduler, timeout, on_result)
        return
    if count is None:
        jobs = list(jobs)
        count = len(jobs)
    if count == 0:
        return
    context = multiprocessing.get_context("spawn")
    pool = [_Worker(context, target) for _ in range(max(1, min(workers, count)))]
    try:
        pending = deque(jobs)
        while pending or any(w.job for w in pool):
            for worker in pool:
                if worker.ready and worker.job is None and pending:
                    worker.assign(pending.popleft())
            waiting = [w for w in pool if w.job is not None or not w.ready]
            if not waiting:
                break
            now = time.monotonic()
            limit = max(0.0, min(w.deadline(timeout) for w in waiting) - now)
            wait([w.conn for w in waiting] + [w.process.sentinel for w in waiting], timeout=limit)
            for index, worker in enumerate(pool):
                replacement = _check(worker, timeout, on_result, context, target)
                if replacement is not None:
                    pool[index] = replacement
    finally:
        for worker in pool:
            worker.stop()


def _run_on_cluster(jobs: Iterable[RenderJob], scheduler: str, timeout: float,
                    on_result: Callable[[RenderResult], None]) -> None:
    """Hand the jobs to :mod:`site_builder.pdf.dask_backend` (Dask is an optional extra)."""
    try:
        from site_builder.pdf.dask_backend import run_on_cluster
    except ModuleNotFoundError as exc:
        if exc.name not in ("dask", "distributed"):
            raise
        raise BriefsError(f"rendering on the Dask cluster at {scheduler} needs Dask: "
                          "pip install 'country-briefs[dask]'") from None
    run_on_cluster(jobs, scheduler, timeout, on_result)


def _check(worker: _Worker, timeout: float, on_result: Callable[[RenderResult], None],
           context: Any, target: Target) -> _Worker | None:
    """Collect a worker's message, or fail its job if it died or ran out of time.

    Return a fresh worker when this one had to go.
    """
    if worker.conn.poll():
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        else:
            if message == _READY:
                worker.ready = True
                worker.since = time.monotonic()
                return None
            if worker.job is not None:
                worker.job = None
                on_result(message)
                return None
    alive = worker.process.is_alive()
    idle = worker.ready and worker.job is None  # waiting for work: no clock runs
    if alive and (idle or time.monotonic() < worker.deadline(timeout)):
        return None
    job = worker.job
    worker.stop(kill=True)
    if job is not None:
        if alive:
            on_result(_failure(job, f"render timed out after {timeout:g} s"))
        else:
            code = worker.process.exitcode
            on_result(_failure(job, f"the render process crashed (exit code {code})"))
    elif not worker.ready:
        if not alive:
            raise BriefsError(f"a PDF worker stopped while starting (exit code "
                              f"{worker.process.exitcode}): check that WeasyPrint imports "
                              "(python -c 'import weasyprint') and that Pango is installed")
        raise BriefsError(f"a PDF worker did not start within {_STARTUP_TIMEOUT:g} s "
                          "(importing WeasyPrint): is the machine overloaded?")
    return _Worker(context, target)
