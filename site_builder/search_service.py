"""Index brief pages with Pagefind while MkDocs writes them, in Pagefind's service mode.

Indexing after the build (:func:`site_builder.search.index_site`) makes everyone wait for
it on one core once MkDocs is done. Here each brief page's HTML is handed to a
``pagefind --service`` process as MkDocs renders it, so Pagefind indexes on the other core
while MkDocs renders the next pages; at the end only the index files are written.

The service reads base64-encoded JSON requests separated by commas on its standard
input and answers each, in order, on its standard output (the protocol of Pagefind's own
``pagefind`` Python and Node wrappers). The Python wrapper waits 0.1 s between reading
two answers, a hundred seconds for a thousand pages, so this module speaks the protocol
itself, with a thread for each pipe: adding a page never blocks the build.

The service handles one request after another, so pages are indexed in the order they
are added: MkDocs' page order, the same for the same input (the command line indexes
them in the order the file system lists them).

Memory: Pagefind builds an index in memory when it writes it (about 0.2 MB a page on top
of some 150 MB: 2.1 GB at 10,000 brief pages, most of it freed again at once). A site of
more than ``search_shard_pages`` brief pages has them split, in the order MkDocs renders
them, into shards of near-equal size (:func:`shard_sizes`), each indexed by a service of its
own (:class:`ShardedIndexer`); the shards are written one after another, each as soon as
its last page is in (while one is built on the other core, MkDocs renders the next one's
pages), and merged into one index, in a process of its own, as soon as the last is
written (:mod:`site_builder.search_merge`). The services run with
jemalloc (Pagefind's allocator) told to hand freed pages back to the system after a
second (:data:`ALLOCATOR`) rather than after ten (at once costs 15 % more time, for a
fifth less memory). Only what Pagefind reads of a page is sent: the page's ``<html>`` tag
(its language) and the element it indexes, not the page's navigation and head (a third
of the bytes, the same index). A build hands a brief page over as soon as its Markdown is
converted (what Pagefind reads of it rendered ahead by
:mod:`site_builder.shell_language`), so Pagefind indexes while MkDocs renders the pages,
and writes the index meanwhile; otherwise when it is rendered (:func:`indexed_html`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from site_builder.findings import BriefsError
from site_builder.search import ARTICLE_ATTRIBUTE, EXCLUDED_SELECTORS, SearchReport, finish_index
from site_builder.shard_cache import Files, ShardCache, ShardKey

INDEX_FOLDER = "pagefind"
"""The site's search index (``pagefind/pagefind.js`` loads it)."""
SHARDS_FOLDER = ".pagefind-shards"
"""Where a large site's shards are written before they are merged (then removed)."""

CONFIG: dict[str, Any] = {"exclude_selectors": list(EXCLUDED_SELECTORS)}
"""Pagefind's configuration of every index (in each shard's key too)."""

TIMEOUT = 900.0
"""Seconds the service may take to write the index once every page is added."""

ALLOCATOR = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:1000,muzzy_decay_ms:0"}
"""jemalloc settings of the Pagefind binary: freed memory goes back to the system within a
second (at 2,500 pages: 614 MB at most and 9.9 s, against 554 MB and 11.1 s at once, 708 MB
and 9.6 s after jemalloc's default ten seconds)."""


def indexed_html(output: str, body: str) -> str:
    """Return what Pagefind needs of a rendered page: its ``<html …>`` tag and ``body``.

    ``body`` is the page's own content (MkDocs' ``page.content``), which holds the element
    marked ``data-pagefind-body`` with the page's filters, metadata and sort keys; Pagefind
    reads nothing else of a page that has one but the language of its ``<html>`` tag. A
    page whose ``body`` lacks that element is sent whole.
    """
    start = output.find("<html")
    end = output.find(">", start) + 1
    close = output.rfind("</html>")
    if start < 0 or not end or close < end or ARTICLE_ATTRIBUTE not in body:
        return output
    # Cut from the page itself: its opening up to the <html> tag, the body, its closing tag.
    return output[:end] + body + output[close:]


def written_index(output: Path, files: Files, pages: int, final: bool = True) -> SearchReport:
    """Write an index's ``files`` (:meth:`PageIndexer.files`) into ``output``; report it.

    ``final=False`` for a shard that is merged afterwards: the merge writes filters in
    order and the merged index gets :func:`~site_builder.search.finish_index`, so the
    shard does not (its report counts its pages only).
    """
    made: set[Path] = set()
    for name, content in files:
        path = output / name
        try:
            if path.parent not in made:  # a thousand files, in a handful of folders
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(content)
        except OSError as exc:
            raise BriefsError(f"cannot write the search index file {path}: "
                              f"{exc.strerror or exc}") from None
    if not final:
        return SearchReport(pages=pages, bundle_bytes=0, output=output)
    return finish_index(output)


class PageIndexer:
    """A Pagefind index that brief pages are added to as they are rendered."""

    def __init__(self, output: Path) -> None:
        """Start a Pagefind service whose index will be written to ``output`` (``site/pagefind``)."""
        from pagefind.service import get_executable  # the binary of the pagefind_bin wheel

        binary = get_executable()
        if binary is None:
            raise BriefsError("search indexing (Pagefind) did not run: no Pagefind binary "
                              "(install the pagefind[bin] package)")
        self.output = output
        self.pages = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._errors: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._last_id = 0
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            self._process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._stderr,
                                             env={**os.environ, **ALLOCATOR})
        except OSError as exc:
            raise BriefsError(f"search indexing (Pagefind) did not run: {exc}") from None
        assert self._process.stdin is not None and self._process.stdout is not None
        threading.Thread(target=self._write, args=(self._process.stdin,), daemon=True).start()
        threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True).start()
        self._index: int = self._result(self._send({"type": "NewIndex", "config": CONFIG}),
                                   "NewIndex", 60.0)["index_id"]

    def add(self, url: str, html: str) -> None:
        """Add a page at site URL ``url`` (``/briefs/<slug>/``) without waiting for Pagefind."""
        self.pages += 1
        self._send({"type": "AddFile", "index_id": self._index, "url": url, "file_path": None,
                    "file_contents": html})

    def files(self) -> Files:
        """Return the index files once every page is indexed, and stop the service."""
        try:
            answer = self._result(self._send({"type": "GetFiles", "index_id": self._index}),
                                  "GetFiles", TIMEOUT)
            if self._errors:
                raise BriefsError("search indexing (Pagefind) failed: "
                                  + " / ".join(self._errors[:5]))
        finally:
            self.close()
        # The files come back in memory and are written by the caller: Pagefind's own
        # WriteFiles answers before its last writes are done (an empty pagefind-entry.json,
        # now and then).
        return [(file["path"], base64.b64decode(file["content"])) for file in answer["files"]]

    def close(self) -> None:
        """Stop the service (a failed build leaves no process behind)."""
        self._outbox.put(None)  # the writer closes the service's input
        with contextlib.suppress(OSError):
            self._process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(10)
        self._stderr.close()
        if self._process.stdout is not None and self._process.poll() is not None:  # at its end
            with contextlib.suppress(OSError, ValueError):
                self._process.stdout.close()

    def _said(self) -> str:
        """The last lines Pagefind wrote to its error output (or that it exited)."""
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):  # closed: stopped
            self._process.wait(5)
            self._stderr.seek(0)
            lines = [line for line in self._stderr.read().decode("utf-8", "replace").splitlines()
                     if line.strip() and not line.startswith(("stack backtrace", "note:"))]
            if lines:
                return " / ".join(line.strip() for line in lines[-3:])
        return "the service exited"

    def _send(self, payload: dict[str, Any]) -> int:
        self._last_id += 1
        message = {"message_id": self._last_id, "payload": payload}
        self._outbox.put(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
        return self._last_id

    def _result(self, message_id: int, kind: str, timeout: float) -> dict[str, Any]:
        """Wait for the answer to a request; raise BriefsError on an error or a dead service."""
        with self._changed:
            if not self._changed.wait_for(lambda: message_id in self._answers or self._ended,
                                          timeout):
                raise BriefsError(f"search indexing (Pagefind) did not finish in {timeout:g} s")
        answer = self._answers.pop(message_id, None)
        if answer is None:
            raise BriefsError("search indexing (Pagefind) stopped: "
                              + (" / ".join(self._errors[:5]) or self._said()))
        if answer.get("type") != kind:
            raise BriefsError(f"search indexing (Pagefind) failed: {answer.get('message', answer)}")
        return answer

    def _write(self, pipe: IO[bytes]) -> None:
        """Send queued requests in order (a full pipe holds up this thread, not the build)."""
        with contextlib.suppress(OSError, ValueError):
            while (data := self._outbox.get()) is not None:
                pipe.write(data)
                if self._outbox.empty():
                    pipe.flush()
            pipe.close()

    def _read(self, pipe: IO[bytes]) -> None:
        """Collect the service's answers; an error answer is kept for :meth:`finish`."""
        pending = bytearray()  # the index files come in one answer of tens of megabytes
        with contextlib.suppress(OSError, ValueError):
            while chunk := pipe.read1(1 << 20):  # type: ignore[attr-defined]
                start = len(pending)
                pending += chunk
                while (end := pending.find(b",", start)) >= 0:
                    self._receive(bytes(pending[:end]))
                    del pending[:end + 1]
                    start = 0
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _receive(self, raw: bytes) -> None:
        try:
            answer = json.loads(base64.b64decode(raw))
        except ValueError:
            return
        payload = answer.get("payload") or {}
        with self._changed:
            if payload.get("type") == "Error":
                self._errors.append(str(payload.get("message", "unknown error")))
            message_id = answer.get("message_id")
            if isinstance(message_id, int) and payload.get("type") != "IndexedFile":
                self._answers[message_id] = payload
                self._changed.notify_all()


def shard_sizes(pages: int, limit: int) -> tuple[int, ...]:
    """Split ``pages`` into the fewest shards of at most ``limit`` pages, sizes within one."""
    if pages <= 0:
        return ()
    count = -(-pages // max(limit, 1))
    size, larger = divmod(pages, count)
    return tuple(size + 1 if k < larger else size for k in range(count))


class ShardedIndexer:
    """Brief pages indexed in shards, each written once its pages are in, then merged.

    Shard ``k`` gets the pages after the first ``sizes[:k]``, in the order they are added,
    and is a :class:`PageIndexer` of its own. A shard whose last page is added is handed
    to one writer thread, which writes the shards one after another (Pagefind builds one
    index in memory at a time) and, once the last is written, merges them into one index
    in ``<site>/pagefind/`` in a process of its own
    (:func:`~site_builder.search_merge.main`) while MkDocs renders the last pages;
    :meth:`finish` waits for it. A site of one shard is indexed there directly.

    With a ``cache`` (:mod:`site_builder.shard_cache`), a site of several shards keeps each
    shard's files for the next build. When an earlier build left shards there, each
    shard's pages are held until its last one is in and its key known: a shard found in
    the cache is not indexed at all (its files are written as they were), the others are
    handed to Pagefind then. A first build hands every page over at once, as without one.
    """

    def __init__(self, site_dir: Path, sizes: tuple[int, ...],
                 cache: ShardCache | None = None) -> None:
        """Index into ``site_dir`` (the site being built) as many pages as ``sizes`` adds up to."""
        self.site_dir = site_dir
        self.sizes = sizes or (0,)
        self.cached = 0  # shards taken from the cache
        self._cache = cache if len(self.sizes) > 1 else None
        self._hold = self._cache is not None and self._cache.holds_any()
        self._keys: dict[int, ShardKey] = {}
        self._held: dict[int, list[tuple[str, str]]] = {}
        self._services: dict[int, PageIndexer] = {}
        self._added = 0
        self._left = list(self.sizes)
        self._ready: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
        self._reports: list[SearchReport] = []
        self._errors: list[str] = []
        self._merging: subprocess.Popen[bytes] | None = None
        self._writer = threading.Thread(target=self._write_shards, daemon=True)
        self._writer.start()

    def add(self, url: str, html: str) -> None:
        """Add a brief page at site URL ``url`` (``/briefs/<slug>/``)."""
        shard, end = 0, self.sizes[0]
        while self._added >= end and shard + 1 < len(self.sizes):
            shard += 1
            end += self.sizes[shard]
        if self._added >= end:
            raise BriefsError(f"search indexing: more brief pages than the {end} planned")
        self._added += 1
        if self._cache is not None:
            self._keys.setdefault(shard, ShardKey(CONFIG)).add(url, html)
        if self._hold:
            self._held.setdefault(shard, []).append((url, html))
        else:
            self._service(shard).add(url, html)
        self._left[shard] -= 1
        if self._left[shard] == 0:  # written now, while MkDocs renders the next pages
            key = self._keys.pop(shard).hexdigest() if self._cache is not None else ""
            if self._hold and self._cache is not None and not self._cache.holds(key):
                self._hand_over(shard)  # indexed now, as the next shard's pages come
            self._ready.put((shard, key))

    def finish(self) -> SearchReport:
        """Wait for every shard to be written and merged; report the pages indexed."""
        self._ready.put(None)
        self._writer.join()
        missing = sum(self._left)
        if missing:
            self.close()
            raise BriefsError(f"search indexing: {missing} planned brief page(s) were never "
                              "rendered (the index would miss them)")
        if self._errors:
            raise BriefsError(self._errors[0])
        if len(self.sizes) == 1:
            return self._reports[0]
        if self._cache is not None:
            self._cache.keep_used()
        try:
            shutil.rmtree(self.site_dir / SHARDS_FOLDER)
            return finish_index(self.site_dir / INDEX_FOLDER)
        except OSError as exc:
            raise BriefsError(f"cannot merge the search index shards: {exc}") from None

    def close(self) -> None:
        """Stop every service and the writer (a failed build leaves no process behind, and
        nothing is written into the build's folder once this returns)."""
        self._ready.put(None)
        for service in list(self._services.values()):
            service.close()
        merging = self._merging
        if merging is not None and merging.poll() is None:
            merging.kill()
        if self._writer is not threading.current_thread():
            self._writer.join(60)

    def _hand_over(self, shard: int) -> PageIndexer:
        """Give Pagefind the pages held for ``shard``; return its service."""
        service = self._service(shard)
        for url, html in self._held.pop(shard, []):
            service.add(url, html)
        return service

    def _service(self, shard: int) -> PageIndexer:
        service = self._services.get(shard)
        if service is None:
            service = self._services[shard] = PageIndexer(self._folder(shard))
        return service

    def _folder(self, shard: int) -> Path:
        """Where shard ``shard`` is written (the index itself, for a site of one shard)."""
        if len(self.sizes) == 1:
            return self.site_dir / INDEX_FOLDER
        return self.site_dir / SHARDS_FOLDER / str(shard)

    def _write_shards(self) -> None:
        """Write each shard handed over, one after another, until told to stop."""
        while (ready := self._ready.get()) is not None:
            shard, key = ready
            try:
                self._reports.append(self._write(shard, key))
            except BriefsError as exc:
                self._errors.append(str(exc))
            except OSError as exc:  # its folder went away (a failed build) or cannot be read
                self._errors.append(f"cannot write the search index: {exc.strerror or exc}")
            if len(self._reports) == len(self.sizes) > 1 and not self._errors:
                self._merge()

    def _write(self, shard: int, key: str) -> SearchReport:
        """Write one shard: from the cache, or indexed by Pagefind (then kept in the cache)."""
        pages = self.sizes[shard]
        files = self._cache.get(key) if shard in self._held and self._cache is not None else None
        if files is not None:
            self.cached += 1
            self._held.pop(shard, None)
        else:
            files = self._hand_over(shard).files()
            if self._cache is not None:
                self._cache.put(key, files)
        return written_index(self._folder(shard), files, pages, final=len(self.sizes) == 1)

    def _merge(self) -> None:
        """Merge the written shards into ``<site>/pagefind/`` in a process of its own
        (:func:`site_builder.search_merge.main`), on the other core while MkDocs renders
        the last pages."""
        shards = [str(self._folder(k)) for k in range(len(self.sizes))]
        package_root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        try:
            self._merging = subprocess.Popen(
                [sys.executable, "-m", "site_builder.search_merge",
                 str(self.site_dir / INDEX_FOLDER), *shards],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path})
            _out, said = self._merging.communicate(timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._errors.append(f"cannot merge the search index shards: {exc}")
            return
        if self._merging.returncode:
            reason = said.decode("utf-8", "replace").strip().splitlines()[-1:] or \
                [f"exit code {self._merging.returncode}"]
            self._errors.append(f"cannot merge the search index shards: {reason[0]}")
