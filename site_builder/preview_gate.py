"""Which files of the served folder a ``briefs serve`` rebuild may be writing right now.

MkDocs' live-reload server holds every request while a rebuild runs, so a half-written
file is never served, nor a page older than the save. A rebuild that a saved brief's PDF
asks for (no file saved) shows no newer sources, and writes nothing until MkDocs renders
the pages (its ``env`` event), then only the files that changed: until then every file is
the previous build's, and afterwards every unchanged one still is. The :class:`WriteGate`
lets the server answer those at once, so the browser reloading after the save's build
(the saved brief's page, with its estimated meter) is not held by the PDF's. A rebuild
for a save, or any rebuild once a file is saved again, holds requests as MkDocs does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable


class WriteGate:
    """Tells the server which files it may read while a rebuild runs (see the module's docstring)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._steady: frozenset[str] | None = None
        """Site paths the build writing now leaves alone; None while nothing is written."""
        self._readers = 0
        self._running = False
        self._for_save = False
        """The running build is for a saved file (or a file was saved since it started)."""
        self._saved = False
        self.theme: frozenset[str] = frozenset()
        """The theme's static files this build does not copy again (see ``serve.ThemeListing``)."""

    def saved(self) -> None:
        """A file was saved: the next build shows it (requests wait for it)."""
        with self._cond:
            self._saved = True
            if self._running:
                self._for_save = True

    def building(self) -> None:
        """A build starts (for the files saved since the last one, if any)."""
        with self._cond:
            self._running, self._for_save, self._saved = True, self._saved, False
            self._steady = None

    def writing(self, steady: Iterable[str]) -> None:
        """The build starts writing: every file but those in ``steady`` may change (waits for reads under way)."""
        kept = frozenset(steady) | self.theme
        with self._cond:
            self._cond.wait_for(lambda: self._readers == 0)
            self._steady = kept

    def done(self) -> None:
        """The build has written everything (or failed): every file may be read again."""
        with self._cond:
            self._running, self._steady = False, None

    def read(self, root: str, rel_path: str) -> bytes | None:
        """Return the file at ``rel_path`` (a site path) unless the build may be writing it.

        None: the build may be writing it or shows a save, or it is not there (the server
        then waits for the build and answers as MkDocs does).
        """
        with self._cond:
            if self._running and (self._for_save or (self._steady is not None
                                                     and rel_path not in self._steady)):
                return None
            self._readers += 1
        try:
            with open(os.path.join(root, rel_path), "rb") as handle:
                return handle.read()
        except OSError:
            return None
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()
