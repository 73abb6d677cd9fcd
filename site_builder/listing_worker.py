"""The listing pages' HTML rendered in a forked process while MkDocs converts the Markdown.

A build without PDFs renders every page's HTML before MkDocs starts. The listing pages
(themes, countries, regions, coverage, home and search, in every language) are most of
that time, spent on one core while the other has nothing to do until Pagefind gets the
first page. Here a forked child renders them while this process renders the brief pages
and MkDocs converts every page's Markdown; their HTML is collected when the first of
them is written (:meth:`ListingWorker.page`). Forked, the child starts from this
process's index and settings as they are: only the pages it returns are pickled.

Where processes cannot be forked, or the build has one job, :meth:`ListingWorker.start`
returns None and the pages are rendered here as before. The same functions render the
same HTML either way.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from site_builder.downloads import Downloads
from site_builder.findings import BriefsError
from site_builder.index import Index
from site_builder.pages.base import GeneratedPage
from site_builder.pages.site import LISTING_PAGES, render_page_html
from site_builder.settings import Settings


def _render(connection: Connection, indexes: Mapping[str, Index], settings: Settings,
            downloads: Downloads) -> None:
    """The child: render the listing pages, send them (or what went wrong) to the parent."""
    gc.freeze()  # the objects it was forked with: never walked, so never copied page by page
    try:
        result: tuple[str, Any] = ("pages", render_page_html(indexes, settings, downloads,
                                                             LISTING_PAGES))
    except Exception as exc:  # the parent fails the build with it
        result = ("error", str(exc).strip() or type(exc).__name__)
    connection.send(result)
    connection.close()


class ListingWorker:
    """A forked process rendering the listing pages' HTML."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self._process = process
        self._connection = connection
        self._pages: dict[str, GeneratedPage] | None = None

    @classmethod
    def start(cls, indexes: Mapping[str, Index], settings: Settings, downloads: Downloads,
              jobs: int) -> ListingWorker | None:
        """Fork a process rendering the listing pages, or None (one job, or no fork here)."""
        if jobs < 2 or not sys.platform.startswith("linux"):
            return None
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_render, args=(sending, indexes, settings, downloads),
                                  name="briefs-listing-pages", daemon=True)
        process.start()
        sending.close()
        return cls(process, receiving)

    def page(self, source: str) -> GeneratedPage:
        """Return (and forget) a listing page's rendered page; the first call waits for them all."""
        if self._pages is None:
            self._pages = self._receive()
        return self._pages.pop(source)

    def _receive(self) -> dict[str, GeneratedPage]:
        try:
            kind, value = self._connection.recv()
        except (EOFError, OSError):
            self._process.join(5)
            raise BriefsError("rendering the listing pages failed: their process exited "
                              f"(code {self._process.exitcode})") from None
        finally:
            self._connection.close()
        self._process.join(10)
        if kind == "error":
            raise BriefsError(f"rendering the listing pages failed: {value}")
        pages: dict[str, GeneratedPage] = value
        return pages

    def close(self) -> None:
        """Stop the process (a failed build leaves none behind)."""
        with contextlib.suppress(OSError, ValueError):
            self._connection.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
