"""Render brief PDFs on a Dask cluster (``--scheduler``, ``pdf: scheduler:``, DASK_SCHEDULER_ADDRESS).

This process keeps doing what a local build does: it builds each brief's HTML, looks up
the cache and writes the cache and the site. Only the renders move. Each job travels with
its files (:mod:`~site_builder.pdf.shipping`) to a worker, which hands it to one of its
render processes (:mod:`~site_builder.pdf.child`) and sends back the
:class:`~site_builder.pdf.render.RenderResult`:

- before any render, every worker's versions (package, render code, WeasyPrint and its
  requirements, Pango, HarfBuzz, zlib) are compared with this machine's;
- the theme travels inside the worker plugin, so every worker, also one that joins or
  restarts mid-build, gets it once and keeps it in its scratch folder by content hash;
- a render process that crashes fails its task; Dask retries it (:data:`CRASH_RETRIES`)
  and then the brief fails alone. A worker lost mid-build loses only its tasks, which
  Dask runs elsewhere (past its ``distributed.scheduler.allowed-failures``, the brief fails);
- a few tasks per worker thread are in flight at a time: results come back as they are
  made, and the cluster never holds more than a handful of PDFs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import dask
from distributed import Client, Future, KilledWorker, as_completed, get_worker
from distributed.comm.addressing import get_address_host_port, normalize_address
from distributed.diagnostics.plugin import WorkerPlugin

from site_builder.findings import BriefsError
from site_builder.pdf.child import ChildFailed, ClusterTarget, Mounts, RenderChild, RenderCrashed
from site_builder.pdf.render import RenderJob, RenderResult, render_job
from site_builder.pdf.shipping import (
    Shipment,
    ThemeBundle,
    differences,
    render_environment,
    ship,
)

LOGGER = logging.getLogger("site_builder.pdf")
PLUGIN = "country-briefs-render"
CRASH_RETRIES = 2
"""Times Dask runs a brief again after its render process crashed."""
CONNECT_TIMEOUT = 20.0
WORKERS_TIMEOUT = 60.0
"""Seconds to wait for a first worker when the scheduler has none."""
_IN_FLIGHT_PER_THREAD = 2


class VersionMismatch(Exception):
    """A worker renders with other versions than the client (one that joined after the check)."""


@dataclass(frozen=True)
class Rendered:
    """A task's answer: the render and who made it."""

    result: RenderResult
    worker: str
    """The worker's address."""
    pid: int
    """The worker's process."""


class RenderPlugin(WorkerPlugin):
    """On each worker: a render process per thread, the build's theme, the versions to match."""

    def __init__(self, target: ClusterTarget, theme: ThemeBundle, expected: dict[str, str]) -> None:
        self.target = target
        self.theme: ThemeBundle | None = theme
        self.expected = expected

    def setup(self, worker: Any) -> None:
        """Install the theme and start the render processes (they import WeasyPrint meanwhile)."""
        assert self.theme is not None
        self.address: str = worker.address
        self.mismatch = differences(self.expected, render_environment(), f"on {worker.address}")
        self.mounts: Mounts = self.theme.install(Path(worker.local_directory) / "country-briefs")
        self.theme = None  # on disk now: free the memory
        self.idle: queue.SimpleQueue[RenderChild] = queue.SimpleQueue()
        for _ in range(max(1, worker.state.nthreads)):
            self.idle.put(RenderChild(self.target, self.mounts))

    def teardown(self, worker: Any) -> None:
        """Stop the render processes."""
        while True:
            try:
                child = self.idle.get_nowait()
            except queue.Empty:
                return
            child.stop()

    def render(self, shipment: Shipment, timeout: float) -> Rendered:
        """Render one shipment in an idle render process (a worker thread runs this)."""
        if self.mismatch:
            raise VersionMismatch("; ".join(self.mismatch))
        child = self.idle.get()
        try:
            if not child.alive:
                child = RenderChild(self.target, self.mounts)
            result = child.render(shipment, timeout)
        except RenderCrashed as exc:
            raise RenderCrashed(f"{exc} on worker {self.address}") from None
        finally:
            self.idle.put(child if child.alive else RenderChild(self.target, self.mounts))
        return Rendered(result, self.address, os.getpid())


def _render_task(shipment: Shipment, timeout: float) -> Rendered:
    """The Dask task: render on this worker's plugin."""
    plugin = get_worker().plugins[PLUGIN]
    assert isinstance(plugin, RenderPlugin)
    return plugin.render(shipment, timeout)


def run_on_cluster(jobs: Iterable[RenderJob], address: str, timeout: float,
                   on_result: Callable[[RenderResult], None],
                   target: ClusterTarget = render_job) -> None:
    """Render jobs on the Dask cluster at ``address``, calling ``on_result`` for each, here.

    ``jobs`` may be a generator: jobs are sent as they come, so the cluster renders while
    this process builds the next briefs' HTML.
    """
    pending = iter(jobs)
    first = next(pending, None)
    if first is None:
        return
    theme_roots = first.roots[1:]
    expected = render_environment()
    client = _connect(address)
    try:
        _check_workers(client, address, expected)
        try:
            client.register_plugin(RenderPlugin(target, ThemeBundle.of(theme_roots), expected),
                                   name=PLUGIN)
        except Exception as exc:  # setup failed on a worker: its error, as a message
            raise BriefsError(f"cannot set up the Dask workers at {address}: "
                              f"{type(exc).__name__}: {exc}") from None
        try:
            workers = _render(client, chain([first], pending), theme_roots, timeout, on_result)
        finally:
            with contextlib.suppress(Exception):
                client.unregister_worker_plugin(PLUGIN)
    finally:
        client.close()
    LOGGER.info("rendered %d PDFs on %d Dask workers at %s", sum(workers.values()),
                len(workers), address)


def _connect(address: str) -> Client:
    try:
        get_address_host_port(normalize_address(address))
    except ValueError as exc:
        raise BriefsError(f"'{address}' is not a Dask scheduler's address like tcp://HOST:8786 "
                          f"({exc})") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise BriefsError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _check_workers(client: Client, address: str, expected: dict[str, str]) -> None:
    """Raise BriefsError unless there is a worker and every worker renders like this machine."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except TimeoutError:
        raise BriefsError(f"the Dask scheduler at {address} has no worker (waited "
                          f"{WORKERS_TIMEOUT:g} s): start some with 'dask worker {address}'") from None
    try:
        found = client.run(render_environment)
    except Exception as exc:  # a worker without the package (or with an old one) cannot import it
        raise BriefsError(f"the Dask workers at {address} cannot render: {type(exc).__name__}: "
                          f"{exc}; install country-briefs {expected['country-briefs']} on every "
                          "worker") from None
    for worker, versions in sorted(found.items()):
        diff = differences(expected, versions, f"on {worker}")
        if diff:
            raise BriefsError(f"the Dask worker {worker} renders with other versions than this "
                              f"machine, so its PDFs would differ: {'; '.join(diff)}. Install the "
                              "same versions on every worker")


class _InFlight:
    """How many tasks to keep submitted: a few per worker thread, re-read as workers come and go."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.value = 0
        self.read_at = -1e9

    def __call__(self) -> int:
        if time.monotonic() - self.read_at > 2.0:
            threads = sum(self.client.nthreads().values())
            self.value = max(2, _IN_FLIGHT_PER_THREAD * threads)
            self.read_at = time.monotonic()
        return self.value


def _render(client: Client, jobs: Iterator[RenderJob], theme_roots: tuple[Path, ...],
            timeout: float, on_result: Callable[[RenderResult], None]) -> Counter[str]:
    """Submit the jobs a few at a time; hand each result to ``on_result`` as it comes."""
    futures: dict[Future, RenderJob] = {}
    done = as_completed(loop=client.loop)
    workers: Counter[str] = Counter()
    limit = _InFlight(client)

    def collect(future: Future) -> None:
        job = futures.pop(future)
        on_result(_outcome(future, job, workers))

    for job in jobs:
        if job.roots[1:] != theme_roots:
            raise BriefsError(f"the PDF of {job.slug} uses another theme than the build's first")
        while len(futures) >= limit():
            collect(next(done))
        future = client.submit(_render_task, ship(job, theme_roots), timeout,
                               key=f"brief-pdf-{job.slug}-{uuid.uuid4().hex}",
                               retries=CRASH_RETRIES)
        futures[future] = job
        done.add(future)
    for future in done:
        collect(future)
    return workers


def _failed(job: RenderJob, message: str) -> RenderResult:
    return RenderResult(job.slug, problems=[("pdf-render", message)])


def _outcome(future: Future, job: RenderJob, workers: Counter[str]) -> RenderResult:
    """Return a task's checked result, or the brief's failure; raise if the cluster cannot render."""
    if future.status == "finished":
        rendered: Rendered = future.result()
        workers[rendered.worker] += 1
        LOGGER.debug("PDF of %s rendered on %s (process %d)", job.slug, rendered.worker,
                     rendered.pid)
        return _checked(rendered.result, job)
    if future.status != "error":
        raise BriefsError(f"the Dask scheduler dropped the render of {job.slug} "
                          f"({future.status}): was the connection lost?")
    error = future.exception()
    if isinstance(error, VersionMismatch | ChildFailed):
        raise BriefsError(f"a Dask worker cannot render: {error}")
    if isinstance(error, RenderCrashed):
        return _failed(job, f"{error} ({CRASH_RETRIES + 1} tries)")
    if isinstance(error, KilledWorker):
        deaths = int(dask.config.get("distributed.scheduler.allowed-failures")) + 1
        return _failed(job, f"the Dask workers rendering it died {deaths} times (out of memory?)")
    return _failed(job, f"render failed on the Dask cluster: {type(error).__name__}: {error}")


def _checked(result: object, job: RenderJob) -> RenderResult:
    """Return a worker's result if it is one for this job and its PDF looks whole."""
    if not isinstance(result, RenderResult) or result.slug != job.slug:
        return _failed(job, "the Dask worker sent back something else than this brief's render")
    pdf = result.pdf
    if pdf is not None and not (pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]
                                and result.pages > 0):
        return _failed(job, "the Dask worker sent back a damaged PDF")
    return result
