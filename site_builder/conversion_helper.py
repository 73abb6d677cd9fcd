"""Generated pages' Markdown converted by a forked process too, the two meeting in the middle.

MkDocs converts every page's Markdown, one page after another, before it renders any: the
longest step of a build's own process, while the other core has the page worker and
Pagefind to run, and time to spare. Here, when MkDocs starts converting the generated
pages (the briefs' and the listing pages), the process forks. The child converts pages
from the end of MkDocs' order while MkDocs converts them from the start; each side takes its next page from its own end of a
pair of positions shared under a lock, so they meet wherever their work does (a build in
which most pages come from the conversion cache meets where the changed pages are done).

The child sends each conversion, as the conversion cache's entry
(:meth:`~site_builder.conversion_cache.ConversionCache.convert`), to this process, where a
thread takes it as it comes (with what the site's sanitiser makes of a brief's HTML, also
done there). When MkDocs reaches one of the child's pages, its entry
joins the cache and MkDocs' conversion of the page replays it: every page goes through
MkDocs and every plugin here, in order, as before; only the conversion is made elsewhere,
by the same code from the same objects, so the site is the same bytes.

The child logs nothing: what a conversion logs is in its entry, logged here when MkDocs
reaches the page. A page that fails in the child is converted here (and fails here, with
MkDocs' message), and so is every page of a child that went away.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import sys
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

Entry = tuple[str, dict[str, Any]]
"""A conversion: its key and the cache's entry."""
Convert = Callable[[int], "Entry | None"]
"""Convert the page at a position of MkDocs' order (None: nothing to send)."""

MINIMUM_PAGES = 8
"""Generated pages a build needs for a helper (forking costs a few milliseconds)."""

FRONT, BACK = 0, 1
"""The shared positions: this process's next page, and the child's last taken."""


def _silenced() -> None:
    """In the child: no logger writes anything (the conversions' records are watched)."""
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    logging.getLogger().addHandler(logging.NullHandler())


def _convert_from_the_end(sending: Connection, ends: Any, convert: Convert) -> None:
    """The child: take pages from the end until the sides meet; send each conversion."""
    gc.freeze()  # the objects it was forked with: never walked, so never copied page by page
    _silenced()
    try:
        while True:
            with ends.get_lock():
                position = ends[BACK] - 1
                if position < ends[FRONT]:
                    return
                ends[BACK] = position
            try:
                entry = convert(position)
            except Exception:  # converted again in the parent, which reports it
                return
            sending.send((position, entry))
    finally:
        sending.close()


class ConversionHelper:
    """A forked process converting generated pages from the end of MkDocs' order."""

    def __init__(self, process: BaseProcess, receiving: Connection, ends: Any,
                 positions: dict[str, int]) -> None:
        self._process = process
        self._receiving = receiving
        self._ends = ends
        self._positions = positions
        self._entries: dict[int, Entry | None] = {}
        self._ended = False
        self._arrived = threading.Condition()
        self._receiver = threading.Thread(target=self._receive, name="briefs-conversions",
                                          daemon=True)
        self._receiver.start()

    @classmethod
    def start(cls, sources: Sequence[str], convert: Convert, jobs: int
              ) -> ConversionHelper | None:
        """Fork a process converting the pages at ``sources`` (MkDocs' order) from the
        end, with ``convert``; None with one job, too few pages, or no fork here."""
        if jobs < 2 or len(sources) < MINIMUM_PAGES or not sys.platform.startswith("linux"):
            return None
        context = multiprocessing.get_context("fork")
        ends = context.Array("i", [0, len(sources)])
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_convert_from_the_end, args=(sending, ends, convert),
                                  name="briefs-conversions", daemon=True)
        process.start()
        sending.close()
        return cls(process, receiving, ends, {source: n for n, source in enumerate(sources)})

    def take(self, source: str) -> Entry | None:
        """Return the child's conversion of the page at ``source``, waiting for it if
        the child took the page; None when this process converts it."""
        position = self._positions.get(source)
        if position is None:
            return None
        with self._ends.get_lock():
            if position < self._ends[BACK]:  # not taken by the child: this process's now
                self._ends[FRONT] = max(self._ends[FRONT], position + 1)
                return None
        with self._arrived:
            self._arrived.wait_for(lambda: position in self._entries or self._ended)
            return self._entries.pop(position, None)

    def _receive(self) -> None:
        """The receiving thread: keep each conversion until the child is done."""
        while True:
            try:
                position, entry = self._receiving.recv()
            except (EOFError, OSError, ValueError):  # it is done, went away, or was stopped
                break
            with self._arrived:
                self._entries[position] = entry
                self._arrived.notify_all()
        with self._arrived:
            self._ended = True
            self._arrived.notify_all()

    def close(self) -> None:
        """Stop the child (it takes no page after this) and wait for it."""
        with self._ends.get_lock():
            self._ends[FRONT] = len(self._positions)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._receiver.join(5)
        with contextlib.suppress(OSError, ValueError):
            self._receiving.close()
