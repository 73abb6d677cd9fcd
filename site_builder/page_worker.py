"""The pages' HTML rendered in a forked process while MkDocs converts the Markdown.

A build without PDFs used to render every page's HTML before MkDocs started: the brief
pages' shells (header, facts, citation, related briefs) and the listing pages (themes,
countries, regions, coverage, home and search, in every language), on one core while the
other had nothing to do until Pagefind got the first page. Here a forked child renders
that HTML (:func:`~site_builder.pages.site.page_html`: the brief pages first, then the
listing pages, then the feeds) while this process makes the pages' sources and MkDocs converts every
page's Markdown. A thread of this process takes the HTML as it comes (the child never
waits for its pipe to be read), and each page's HTML is handed over when it is needed
(:meth:`PageWorker.html`): a brief page's as soon as its Markdown is converted, the
listing pages' when the first of them is written, the feeds once MkDocs has written
the site (it holds empty placeholders for them until then). Forked, the child starts from this
process's index and settings as they are: only the HTML it returns is pickled.

Where processes cannot be forked, or the build has one job, :meth:`PageWorker.start`
returns None and the pages are rendered here as before. The same functions render the
same HTML either way.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from site_builder.downloads import Downloads
from site_builder.feeds import render_feeds
from site_builder.findings import BriefsError
from site_builder.index import Index
from site_builder.pages.site import BRIEF_PAGES, LISTING_PAGES, page_html
from site_builder.settings import Settings

PARTS = ((BRIEF_PAGES, "brief"), (LISTING_PAGES, "listing"))
"""The parts the child renders, in the order MkDocs converts them, with their names in
errors; the brief pages come a hundred at a time (MkDocs puts each around its converted
Markdown as soon as it is converted, to hand it to Pagefind then)."""


def _steps(indexes: Mapping[str, Index], settings: Settings, downloads: Downloads
           ) -> list[tuple[str, Callable[[], Iterator[tuple[str, Any]]]]]:
    """What the child renders, in order: each step's name (in errors) and its messages."""
    def html(part: str) -> Callable[[], Iterator[tuple[str, Any]]]:
        return lambda: (("html", chunk) for chunk in page_html(indexes, settings, downloads, part))

    def feeds() -> Iterator[tuple[str, Any]]:
        yield "feeds", render_feeds(indexes, settings)

    return [*((f"{name} pages", html(part)) for part, name in PARTS), ("feeds", feeds)]


def _render(connection: Connection, indexes: Mapping[str, Index], settings: Settings,
            downloads: Downloads) -> None:
    """The child: render each step, send its HTML (or what went wrong) to the parent."""
    gc.freeze()  # the objects it was forked with: never walked, so never copied page by page
    try:
        for name, messages in _steps(indexes, settings, downloads):
            try:
                for message in messages():
                    connection.send(message)
            except Exception as exc:  # the parent fails the build with it
                connection.send(("error", f"rendering the {name} failed: "
                                          f"{str(exc).strip() or type(exc).__name__}"))
                return
        connection.send(("end", None))
    finally:
        connection.close()


class PageWorker:
    """A forked process rendering the pages' HTML."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self._process = process
        self._connection = connection
        self._html: dict[str, str] = {}
        self._feeds: dict[str, str] | None = None
        self._ended = False
        self._error: str | None = None
        self._changed = threading.Condition()
        # What the child sends is taken as it comes: a child whose pipe is full would wait
        # for MkDocs to ask for its next page, and render the listing pages and the feeds
        # only once MkDocs writes the pages, on the core MkDocs then needs.
        self._receiver = threading.Thread(target=self._receive, name="briefs-page-html",
                                          daemon=True)
        self._receiver.start()

    @classmethod
    def start(cls, indexes: Mapping[str, Index], settings: Settings, downloads: Downloads,
              jobs: int) -> PageWorker | None:
        """Fork a process rendering the pages' HTML, or None (one job, or no fork here)."""
        if jobs < 2 or not sys.platform.startswith("linux"):
            return None
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_render, args=(sending, indexes, settings, downloads),
                                  name="briefs-page-html", daemon=True)
        process.start()
        sending.close()
        return cls(process, receiving)

    def html(self, source: str) -> str:
        """Return (and forget) the HTML of the page at ``source``; wait for it if need be."""
        self._wait(lambda: source in self._html)
        try:
            return self._html.pop(source)
        except KeyError:
            raise BriefsError(f"rendering the pages failed: no HTML came for {source}") from None

    def feeds(self) -> dict[str, str]:
        """Return the feeds by site path (:func:`~site_builder.feeds.render_feeds`), once rendered."""
        self._wait(lambda: self._feeds is not None)
        if self._feeds is None:
            raise BriefsError("rendering the feeds failed: none came")
        return self._feeds

    def _wait(self, ready: Callable[[], bool]) -> None:
        """Wait until ``ready()`` or the child is done; raise what went wrong in it."""
        with self._changed:
            self._changed.wait_for(lambda: ready() or self._ended)
        if self._error is not None and not ready():
            self.close()
            raise BriefsError(self._error)

    def _receive(self) -> None:
        """The receiving thread: keep what the child sends until it ends or goes away."""
        while not self._ended:
            try:
                kind, value = self._connection.recv()
            except (EOFError, OSError, ValueError):  # it exited, or the build stopped it
                self._process.join(5)
                kind, value = "error", ("rendering the pages failed: their process exited "
                                        f"(code {self._process.exitcode})")
            with self._changed:
                if kind == "html":
                    self._html.update(value)
                elif kind == "feeds":
                    self._feeds = value
                else:  # "end" or "error": nothing comes after it
                    self._error = value if kind == "error" else None
                    self._ended = True
                self._changed.notify_all()

    def close(self) -> None:
        """Stop the process (a failed build leaves none behind)."""
        self._process.join(10 if self._ended else 0)
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)
        self._receiver.join(5)  # the pipe has ended with the process
        with contextlib.suppress(OSError, ValueError):
            self._connection.close()
