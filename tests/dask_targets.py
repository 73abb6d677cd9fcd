"""Render targets for tests/test_dask.py: they run in the render processes of Dask workers.

Kept apart from the test module so that a render process imports only this and the package.
"""

from __future__ import annotations

import os
import time

from site_builder.pdf.fetcher import SafeFetcher
from site_builder.pdf.render import RenderJob, RenderResult, render_job

CRASH_LOG = "BRIEFS_TEST_CRASH_LOG"
"""Environment variable: the file each crash of :func:`crash_on_b` adds a line to."""


def hang_on_b(job: RenderJob, fetcher: SafeFetcher) -> RenderResult:
    """Render, except that brief ``b`` never finishes."""
    if job.slug == "b":
        time.sleep(3600)
    return render_job(job, fetcher)


def crash_on_b(job: RenderJob, fetcher: SafeFetcher) -> RenderResult:
    """Render, except that brief ``b`` kills its render process (as a segfault would)."""
    if job.slug == "b":
        with open(os.environ[CRASH_LOG], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\n")
        os._exit(3)
    return render_job(job, fetcher)
