"""MkDocs' page loop shared with a forked process: it renders some brief pages, this one the rest.

Once every page is converted, MkDocs renders each page's shell and writes it, one page
after another, on one core: the longest step of a build without PDFs left after the
others moved to the other core. Here, when the loop asks for the first page's template,
the process forks (:func:`os.fork`: the child carries on from inside MkDocs' loop with
the same pages, navigation and templates). The child renders and writes the brief pages
given to it (:attr:`SplitRender.theirs`) and exits once its last one is written; this
process renders the others and the listing pages. Each process gets an empty template
for the pages of the other (MkDocs writes nothing for an empty page), so every page is
rendered once, by the same templates, and the site is the same bytes.

What the child logs at warning level or above is sent to this process and logged here
(strict mode counts it); a page that fails in the child fails the build with MkDocs'
message. The child never runs the build's clean-up: it leaves with :func:`os._exit`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable
from typing import Any

import jinja2
from mkdocs.utils import write_file

from site_builder.findings import BriefsError

PARENT, CHILD = "parent", "child"
SKIPPED = "Page skipped: "
"""How MkDocs logs a page written empty: the pages the other process renders."""


class _Collector(logging.Handler):
    """The child's warnings and errors, kept to be sent to the parent."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class _NotSkipped(logging.Filter):
    """Drop MkDocs' note on each page the other process renders (written empty here)."""

    def __init__(self, theirs: set[str]) -> None:
        super().__init__()
        self._theirs = theirs

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if not message.startswith(SKIPPED):
            return True
        quoted = message[len(SKIPPED):].split("'")  # Page skipped: 'briefs/x/index.md'. …
        return not (len(quoted) > 1 and quoted[1] in self._theirs)


class SplitRender:
    """Share MkDocs' page loop with a forked child (see the module's text)."""

    def __init__(self, config: Any, env: jinja2.Environment, theirs: set[str],
                 order: Iterable[str]) -> None:
        """``theirs``: the source paths the child renders; ``order``: MkDocs' page order."""
        self.theirs = theirs
        self.role: str | None = None
        self._config = config
        self._last = next((s for s in reversed(list(order)) if s in theirs), None)
        self._pid = 0
        self._receiving, self._sending = multiprocessing.Pipe(duplex=False)
        self._collector: _Collector | None = None
        self._filter = _NotSkipped(theirs)
        self._original = env.get_template
        self._skip = env.from_string("")
        env.get_template = self._get_template  # type: ignore[method-assign,assignment]

    def skips(self, source: str) -> bool:
        """Whether the other process renders the page at ``source``."""
        return self.role is not None and (source in self.theirs) != (self.role == CHILD)

    def _get_template(self, name: Any, parent: str | None = None,
                      globals: dict[str, Any] | None = None) -> jinja2.Template:
        page = getattr(self._config, "_current_page", None)  # set by MkDocs per page
        if page is not None:
            if self.role is None:
                self._fork()
            if self.skips(page.file.src_uri):
                return self._skip
        return self._original(name, parent, globals)

    def _fork(self) -> None:
        pid = os.fork()
        if pid:
            self.role, self._pid = PARENT, pid
            self._sending.close()
            logging.getLogger("mkdocs.commands.build").addFilter(self._filter)
            return
        self.role = CHILD
        gc.freeze()  # what it was forked with: never walked, so never copied page by page
        self._receiving.close()
        self._collector = _Collector()
        for logger in (logging.getLogger(), logging.getLogger("mkdocs")):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
        logging.getLogger("mkdocs").addHandler(self._collector)
        if self._last is None:  # none of the pages is its
            self.finish_child()

    def written(self, source: str, output: str, path: str) -> str:
        """In the child, write one of its pages and leave after the last; return what
        MkDocs should write itself (nothing: the page is written)."""
        if self.role != CHILD or source not in self.theirs:
            return output
        write_file(output.encode("utf-8", errors="xmlcharrefreplace"), path)
        if source == self._last:
            self.finish_child()
        return ""

    def finish_child(self, error: str | None = None) -> None:
        """In the child: send what it logged (and its error), then leave at once."""
        code = 1 if error else 0
        try:
            records = self._collector.records if self._collector is not None else []
            self._sending.send((error, records))
            self._sending.close()
        except Exception:  # the parent sees the exit code
            code = 1
        finally:
            os._exit(code)

    def collect(self) -> None:
        """In the parent: wait for the child; log what it logged; raise if it failed.

        In the child (MkDocs left out one of its pages, so it came this far): leave.
        """
        if self.role == CHILD:
            self.finish_child()
        if self.role != PARENT:  # never forked: no page came
            self.close()
            return
        try:
            error, records = self._receiving.recv()
        except (EOFError, OSError):
            error, records = "the process exited without a word", []
        finally:
            self._receiving.close()
            logging.getLogger("mkdocs.commands.build").removeFilter(self._filter)
        _pid, status = os.waitpid(self._pid, 0)
        self.role = None
        for name, level, message in records:
            logging.getLogger(name).log(level, "%s", message)
        if error or os.waitstatus_to_exitcode(status):
            raise BriefsError(f"rendering the pages in a second process failed: "
                              f"{error or f'exit code {os.waitstatus_to_exitcode(status)}'}")

    def close(self, reason: str = "the build failed") -> None:
        """Stop the child of a failed build (the parent's clean-up runs once it is gone);
        in the child, tell the parent ``reason`` and leave."""
        if self.role == CHILD:
            self.finish_child(reason)
        if self.role == PARENT:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            logging.getLogger("mkdocs.commands.build").removeFilter(self._filter)
            self.role = None
        for end in (self._receiving, self._sending):
            with contextlib.suppress(OSError):
                end.close()
