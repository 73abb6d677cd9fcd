"""A render process beside a Dask worker: long-lived, one job at a time, with a time limit.

Dask cannot stop a running task, and a render that hangs or crashes must not take the
worker with it, so the worker hands each job to a child process and waits at most the
time limit. A Dask worker is a daemonic process, which :mod:`multiprocessing` forbids to
have children, so the child is a plain subprocess talking over a pipe; it exits when its
worker goes, even a worker killed outright.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path

from site_builder.pdf.fetcher import SafeFetcher
from site_builder.pdf.render import RenderJob, RenderResult
from site_builder.pdf.shipping import Shipment, ShippedFetcher, localise

ClusterTarget = Callable[[RenderJob, SafeFetcher], RenderResult]
"""What a child runs for each job: :func:`~site_builder.pdf.render.render_job` (tests swap it)."""
Mounts = tuple[tuple[Path, Path], ...]

_READY = "ready"
STARTUP_TIMEOUT = 120.0
"""Seconds a fresh child may take to import WeasyPrint."""
_BOOT = (
    "import sys\n"
    "from multiprocessing.connection import Connection\n"
    "conn = Connection(int(sys.argv[1]))\n"
    "sys.path[:] = conn.recv()\n"  # the worker's path: where it found this package
    "from site_builder.pdf.child import serve\n"
    "serve(conn)\n"
)


class RenderCrashed(Exception):
    """The render process died during a job (a crash in WeasyPrint or its libraries)."""


class ChildFailed(Exception):
    """A render process could not start: the worker cannot render at all."""


def _exit_with_parent() -> None:
    """Exit as soon as the parent (the Dask worker) is gone, even if it was killed."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def serve(conn: Connection) -> None:
    """Serve shipments from the pipe until it sends None or closes (the child's main loop)."""
    _exit_with_parent()
    target, mounts = conn.recv()
    import weasyprint  # noqa: F401  (before saying ready: the job's clock starts then)

    conn.send(_READY)
    while True:
        try:
            shipment = conn.recv()
        except EOFError:
            return
        if shipment is None:
            return
        job = localise(shipment.job, mounts)
        try:
            result = target(job, ShippedFetcher(shipment, mounts))
        except Exception as exc:  # a bug or a WeasyPrint crash on this input: report it
            result = RenderResult(job.slug, problems=[("pdf-render", f"render failed: {type(exc).__name__}: {exc}")])
        conn.send(result)


class RenderChild:
    """One render subprocess and the worker's end of its pipe."""

    def __init__(self, target: ClusterTarget, mounts: Mounts) -> None:
        self.conn, child = Pipe()
        self.process = subprocess.Popen([sys.executable, "-c", _BOOT, str(child.fileno())],
                                        pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        child.close()
        self.conn.send(sys.path)
        self.conn.send((target, mounts))
        self.started = time.monotonic()
        self.ready = False

    @property
    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process.poll() is None

    def _wait_ready(self) -> None:
        if self.ready:
            return
        left = max(0.0, self.started + STARTUP_TIMEOUT - time.monotonic())
        if self.conn.poll(left):
            with contextlib.suppress(EOFError, OSError):
                if self.conn.recv() == _READY:
                    self.ready = True
                    return
            raise ChildFailed(f"a render process stopped while starting (exit code {self._reap()}): "
                              "check that WeasyPrint imports there (python -c 'import weasyprint') "
                              "and that Pango is installed")
        self.stop(kill=True)
        raise ChildFailed(f"a render process did not start within {STARTUP_TIMEOUT:g} s "
                          "(importing WeasyPrint): is the machine overloaded?")

    def render(self, shipment: Shipment, timeout: float) -> RenderResult:
        """Render one shipment within ``timeout`` seconds; raise RenderCrashed if the process dies.

        A render past the limit is killed and comes back as a failed result; either way this
        child is then dead (:attr:`alive`) and must be replaced.
        """
        self._wait_ready()
        self.conn.send(shipment)
        if self.conn.poll(timeout):
            with contextlib.suppress(EOFError, OSError):
                result: RenderResult = self.conn.recv()
                return result
        elif self.alive:
            self.stop(kill=True)
            return RenderResult(shipment.job.slug, problems=[
                ("pdf-render", f"render timed out after {timeout:g} s")])
        raise RenderCrashed(f"the render process crashed (exit code {self._reap()})")

    def _reap(self) -> int | None:
        try:
            return self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            self.stop(kill=True)
            return self.process.returncode

    def stop(self, kill: bool = False) -> None:
        """End the process: ask it to finish (or kill it), then wait for it."""
        if not kill and self.alive:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2.0)
        if self.alive:
            self.process.kill()
        self.process.wait()
        self.conn.close()
