"""A spawn-based pool of render workers with a time limit per job.

``concurrent.futures`` cannot stop one hung task, so this pool keeps its own worker
processes, each with a pipe; a :class:`WorkerPool` keeps them warm from one batch to the
next (a site build's PDFs, then its packs), and can be cancelled from another thread. A job that runs past the time limit gets its worker killed and
replaced; a worker that dies takes only its current job with it. Either way the job comes
back as a failed :class:`~site_builder.pdf.render.RenderResult` naming what happened.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from site_builder.findings import BriefsError
from site_builder.pdf.render import RenderJob, RenderResult, render_job

_READY = "ready"
_STARTUP_TIMEOUT = 120.0  # seconds a fresh worker may take to import WeasyPrint

Target = Callable[[RenderJob], RenderResult]


@dataclass(frozen=True)
class Call:
    """A function call for a worker (a pack, say): picklable, run as ``function(*args)``."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()


def _worker_main(conn: Connection, target: Target) -> None:
    """Serve jobs from the pipe until it sends None or closes.

    A :class:`RenderJob` is rendered with ``target`` and answered with its result; a
    :class:`Call` is answered ``(True, value)``, or ``(False, exception)`` if it raised.
    """
    import weasyprint  # noqa: F401  (import before saying ready: the job's clock starts then)

    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if isinstance(job, Call):
            conn.send(_called(job))
            continue
        try:
            result = target(job)
        except Exception as exc:  # a bug or a WeasyPrint crash on this input: report it
            result = RenderResult(job.slug, problems=[("pdf-render", f"render failed: {type(exc).__name__}: {exc}")])
        conn.send(result)


def _called(call: Call) -> tuple[bool, Any]:
    """Run a call in the worker: ``(True, value)`` or ``(False, the exception)``, picklable."""
    import pickle

    try:
        answer: tuple[bool, Any] = (True, call.function(*call.args))
    except Exception as exc:
        answer = (False, exc)
    try:
        pickle.dumps(answer)
    except Exception as exc:  # the value or the exception does not travel: say what it was
        return False, BriefsError(f"{call.function.__name__} failed in a worker: "
                                  f"{type(answer[1]).__name__}: {answer[1]} ({exc})")
    return answer


Task = RenderJob | Call


class _Worker:
    """One worker process, its pipe and its current task."""

    def __init__(self, context: Any, target: Target) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, target), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.job: Task | None = None
        self.index = -1  # the task's place in its batch
        self.since = time.monotonic()

    def assign(self, job: Task, index: int) -> None:
        self.job, self.index = job, index
        self.since = time.monotonic()
        self.conn.send(job)

    def deadline(self, timeout: float | None) -> float:
        if not self.ready:
            return self.since + _STARTUP_TIMEOUT
        return self.since + timeout if timeout is not None else math.inf

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


class Cancelled(BriefsError):
    """The pool was cancelled (the build failed elsewhere, or was interrupted)."""


class WorkerPool:
    """Spawned render workers kept for several batches: the PDFs, then the packs.

    Workers start on the first batch (at most ``workers``, no more than it has tasks) and
    import WeasyPrint once for every later batch. :meth:`cancel` (from any thread) makes a
    running batch raise :class:`Cancelled`; :meth:`close` stops the workers. Use it as a
    context manager: every worker is gone when the ``with`` block ends, however it ends.
    """

    def __init__(self, workers: int, target: Target = render_job) -> None:
        self.workers = max(1, workers)
        self.target = target
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self._wake_read, self._wake_write = os.pipe()
        self._cancelled = False
        self._closed = False
        self._side: deque[tuple[Call, Callable[[bool, Any], None]]] = deque()
        self._answers: dict[int, Callable[[bool, Any], None]] = {}

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def run(self, jobs: Iterable[RenderJob], timeout: float,
            on_result: Callable[[RenderResult], None], count: int | None = None) -> None:
        """Render ``jobs``, calling ``on_result`` for each (in this thread), as :func:`run_jobs`."""
        def done(task: Task, index: int, message: Any) -> None:
            on_result(message)

        def failed(task: Task, index: int, message: str) -> None:
            assert isinstance(task, RenderJob)
            on_result(_failure(task, message))

        self._batch(jobs, count, timeout, done, failed)

    def call(self, calls: Sequence[Call], timeout: float | None = None) -> list[Any]:
        """Run ``calls`` on the workers; return their values in order.

        The first call to raise (in the calls' order) has its exception raised here once
        every call has finished; a worker that dies or runs past ``timeout`` is a BriefsError.
        """
        answers: list[tuple[bool, Any]] = [(False, None)] * len(calls)

        def done(task: Task, index: int, message: Any) -> None:
            answers[index] = message

        def failed(task: Task, index: int, message: str) -> None:
            assert isinstance(task, Call)
            answers[index] = (False, BriefsError(f"{task.function.__name__}: {message}"))

        self._batch(calls, len(calls), timeout, done, failed)
        for ok, value in answers:
            if not ok:
                raise value
        return [value for _, value in answers]

    def submit(self, call: Call, answer: Callable[[bool, Any], None]) -> None:
        """Queue ``call`` for the running batch, ahead of its remaining tasks.

        Meant for the batch's own callbacks (the PDFs' ``on_result``: a pack whose briefs
        are all rendered): the call runs on the next free worker and ``answer`` gets
        ``(True, value)`` or ``(False, exception)`` in this thread. A call queued outside a
        batch runs at the start of the next one; one left when a batch fails is dropped.
        """
        self._side.append((call, answer))

    def cancel(self) -> None:
        """Make the running (or next) batch raise :class:`Cancelled`; safe from any thread."""
        self._cancelled = True
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def close(self, kill: bool = False) -> None:
        """Stop every worker (``kill``: at once, without letting it finish)."""
        pool, self._pool = self._pool, []
        for worker in pool:
            worker.stop(kill=kill or self._cancelled)
        if not self._closed:
            self._closed = True
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _grow(self, count: int) -> None:
        while len(self._pool) < min(self.workers, count):
            self._pool.append(_Worker(self._context, self.target))

    def _batch(self, tasks: Iterable[Task], count: int | None, timeout: float | None,
               done: Callable[[Task, int, Any], None],
               failed: Callable[[Task, int, str], None]) -> None:
        """Run tasks on the workers; ``done`` gets each answer, ``failed`` each lost task."""
        if self._cancelled:
            raise Cancelled("cancelled")
        if count is None:
            tasks = list(tasks)
            count = len(tasks)
        if count == 0 and not self._side:
            return
        self._grow(count + len(self._side))
        pool = self._pool
        done, failed = self._routed(done, failed)
        try:
            pending = deque(enumerate(tasks))
            while pending or self._side or any(w.job is not None for w in pool):
                for worker in pool:
                    if worker.ready and worker.job is None and (self._side or pending):
                        index, task = self._next_side() if self._side else pending.popleft()
                        worker.assign(task, index)
                waiting = [w for w in pool if w.job is not None or not w.ready]
                if not waiting:
                    break
                limit = min(w.deadline(timeout) for w in waiting) - time.monotonic()
                wait([w.conn for w in waiting] + [w.process.sentinel for w in waiting]
                     + [self._wake_read], timeout=None if limit == math.inf else max(0.0, limit))
                if self._cancelled:
                    raise Cancelled("cancelled")
                for index, worker in enumerate(pool):
                    replacement = _check(worker, timeout, done, failed, self._context,
                                         self.target)
                    if replacement is not None:
                        pool[index] = replacement
        except BaseException:
            self._side.clear()
            self._answers.clear()
            self.close(kill=True)  # a half-run batch leaves no worker behind
            raise

    def _next_side(self) -> tuple[int, Task]:
        """Take the next submitted call, numbered below zero (its answer goes to its own callback)."""
        call, answer = self._side.popleft()
        index = -1 - len(self._answers)
        while index in self._answers:
            index -= 1
        self._answers[index] = answer
        return index, call

    def _routed(self, done: Callable[[Task, int, Any], None],
                failed: Callable[[Task, int, str], None]
                ) -> tuple[Callable[[Task, int, Any], None], Callable[[Task, int, str], None]]:
        """Wrap a batch's callbacks so that a submitted call's answer reaches its own."""
        def routed_done(task: Task, index: int, message: Any) -> None:
            if index < 0:
                ok, value = message
                self._answers.pop(index)(ok, value)
            else:
                done(task, index, message)

        def routed_failed(task: Task, index: int, message: str) -> None:
            if index < 0:
                name = task.function.__name__ if isinstance(task, Call) else "call"
                self._answers.pop(index)(False, BriefsError(f"{name}: {message}"))
            else:
                failed(task, index, message)

        return routed_done, routed_failed


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
    with WorkerPool(workers, target) as pool:
        pool.run(jobs, timeout, on_result, count)


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


def _check(worker: _Worker, timeout: float | None, done: Callable[[Task, int, Any], None],
           failed: Callable[[Task, int, str], None], context: Any,
           target: Target) -> _Worker | None:
    """Collect a worker's message, or fail its task if it died or ran out of time.

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
                finished, worker.job = worker.job, None
                done(finished, worker.index, message)
                return None
    alive = worker.process.is_alive()
    idle = worker.ready and worker.job is None  # waiting for work: no clock runs
    if alive and (idle or time.monotonic() < worker.deadline(timeout)):
        return None
    job = worker.job
    worker.stop(kill=True)
    if job is not None:
        if alive:
            failed(job, worker.index, f"render timed out after {timeout:g} s")
        else:
            code = worker.process.exitcode
            failed(job, worker.index, f"the render process crashed (exit code {code})")
    elif not worker.ready:
        if not alive:
            raise BriefsError(f"a PDF worker stopped while starting (exit code "
                              f"{worker.process.exitcode}): check that WeasyPrint imports "
                              "(python -c 'import weasyprint') and that Pango is installed")
        raise BriefsError(f"a PDF worker did not start within {_STARTUP_TIMEOUT:g} s "
                          "(importing WeasyPrint): is the machine overloaded?")
    return _Worker(context, target)
