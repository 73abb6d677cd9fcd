"""The PDFs of ``briefs serve``: unchanged briefs' taken from the last build, a saved one's in the background.

On a rebuild, a brief whose Brief, file and folder are as they were in the previous build
keeps that build's PDF, meter and findings: its cache key is not computed again and its
cached PDF not hashed again (the file was verified when it was first read, and its size
and modification time are checked). Every changed brief goes through
:func:`~site_builder.pdf.render_all` as before, its cache key and the cached entry
verified.

A changed brief that had a PDF in the previous build (the saved one) is not looked up
or rendered in the build: the page is written at once with its previous PDF and a meter
*estimated* from the words added or cut, and the brief goes through ``render_all`` in a
warm worker process (started with the preview, WeasyPrint imported) as soon as the build
has seen the save: the layout (about a second) runs on the other core while this process
writes the page. Then :attr:`PreviewPdfs.on_ready` asks the server for another rebuild,
which takes the worker's result as it is (no cache look-up again) and reloads the
browser with the measured meter. A brief the previous build had no PDF of (a new one),
or one the worker failed on, goes through ``render_all`` in the build, as does
everything in the first build.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.findings import Finding, sort_findings
from site_builder.i18n import LOCALES_DIR
from site_builder.model import Brief, Corpus
from site_builder.pdf.meter import PageMeter
from site_builder.preview_files import Stat, file_signature, tree_signature
from site_builder.settings import Settings

if TYPE_CHECKING:
    from site_builder.pdf import PdfInfo, PdfReport
    from site_builder.pdf.pool import WorkerPool

log = logging.getLogger("mkdocs.plugins.site_builder")

_CODE_DIR = Path(__file__).resolve().parent
_THEME_PARTS = ("print", "fonts", "templates/pdf", "templates/briefs/partials", "locales")
"""The theme folders a brief's PDF is made from (those :func:`~site_builder.pdf.cache.fingerprint` hashes)."""

def shared_signature(corpus: Corpus, settings: Settings) -> str:
    """Return a hash of what every brief's PDF depends on besides the brief and its folder.

    The theme's print files, the catalogues, the code, the settings, SOURCE_DATE_EPOCH, and
    which briefs exist (a link to another brief shows its slug): a change to any of them
    sends every brief through the PDF cache again.
    """
    digest = hashlib.sha256()
    for root in settings.theme.roots:
        for part in _THEME_PARTS:
            digest.update(tree_signature(root / part).encode())
    digest.update(tree_signature(LOCALES_DIR).encode())
    digest.update(tree_signature(_CODE_DIR, skip_suffix=".pyc").encode())
    for name in (settings.pdf.logo, *(p.logo for p in settings.pdf.partners)):
        if name:
            digest.update(f"{name}\0{file_signature(settings.project_dir / name)}".encode())
    digest.update(json.dumps(asdict(settings), sort_keys=True, default=str).encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    digest.update("\0".join(f"{b.slug}={b.path}" for b in corpus.briefs).encode())
    return digest.hexdigest()


@dataclass
class _Known:
    """What the previous build had of one brief's PDF."""

    brief: Brief
    files: tuple[Stat | None, str]
    """The brief file's stat and its folder's signature (images, attachments)."""
    info: PdfInfo | None
    pdf_stat: Stat | None
    meter: PageMeter | None
    findings: list[Finding]
    pending: bool = False
    """Its PDF is being laid out in the background: ``info`` is the one before the save."""


@dataclass
class PreviewPdfs:
    """The preview's PDFs from one build to the next (see the module's docstring)."""

    on_ready: Callable[[], None] | None = None
    """Called (on the background thread) when a saved brief's PDF is in the cache."""
    estimates: dict[str, PageMeter] = field(default_factory=dict)
    """Slug to the meter estimated for a brief whose PDF is being laid out."""
    _shared: str = ""
    _known: dict[str, _Known] = field(default_factory=dict)
    _background: _Background | None = None

    def report(self, corpus: Corpus, settings: Settings) -> PdfReport:
        """Return the :class:`~site_builder.pdf.PdfReport` of this build."""
        from site_builder.pdf import PdfReport, render_all

        first = not self._known
        shared = shared_signature(corpus, settings)
        if shared != self._shared:
            self._known.clear()
            self._shared = shared
        folders: dict[Path, str] = {}
        changed: list[Brief] = []
        signatures: dict[str, tuple[Stat | None, str]] = {}
        for brief in corpus.briefs:
            if brief.folder not in folders:
                folders[brief.folder] = tree_signature(brief.folder, skip_suffix=".md")
            signatures[brief.slug] = (file_signature(brief.path), folders[brief.folder])
            known = self._known.get(brief.slug)
            if known is None or known.pending or known.brief != brief \
                    or known.files != signatures[brief.slug] \
                    or (known.info is not None and file_signature(known.info.cache_path) != known.pdf_stat):
                changed.append(brief)
        laid, later, waiting, now = self._sort_changed(changed, signatures, first)
        fresh = PdfReport()
        if now:
            fresh = render_all(corpus, settings, None, slugs=[b.slug for b in now],
                               preview=True, drafts=True)
        by_path: dict[str, list[Finding]] = {}
        for finding in fresh.findings:
            by_path.setdefault(finding.path, []).append(finding)
        self.estimates = {}
        for brief in later + waiting:
            old = self._known[brief.slug]
            self.estimates[brief.slug] = _estimate(brief, old.meter, settings)
            self._known[brief.slug] = _Known(brief, signatures[brief.slug], old.info,
                                             old.pdf_stat, old.meter, old.findings, pending=True)
        for brief in now:
            info = fresh.results.get(brief.slug)
            self._known[brief.slug] = _Known(brief, signatures[brief.slug], info,
                                             file_signature(info.cache_path) if info else None,
                                             fresh.meters.get(brief.slug),
                                             by_path.get(brief.rel_path, []))
        for brief, made in laid:
            self._known[brief.slug] = _Known(brief, signatures[brief.slug], made.info,
                                             file_signature(made.info.cache_path)
                                             if made.info else None, made.meter, made.findings)
        fresh.rendered = sorted([*fresh.rendered, *(b.slug for b, _ in laid)])
        slugs = {b.slug for b in corpus.briefs}
        for gone in set(self._known) - slugs:
            del self._known[gone]
        if self._background is None:  # its worker warms up for the first save
            self._background = _Background(self, corpus, settings)
        if later:
            self._background.submit(corpus, settings, [b.slug for b in later])
        return self._assemble(corpus, fresh)

    def _sort_changed(self, changed: list[Brief], signatures: dict[str, tuple[Stat | None, str]],
                      first: bool) -> tuple[list[tuple[Brief, _Laid]], list[Brief], list[Brief],
                                            list[Brief]]:
        """Sort the changed briefs: laid out by the background, to send there, on their way, to lay out now.

        A changed brief whose previous build had a PDF and a meter goes to the background (the
        build shows an estimate); one the background has laid out as it is now is taken from
        there; a new one, or one the background tried and failed, is laid out in the build.
        """
        laid: list[tuple[Brief, _Laid]] = []
        later: list[Brief] = []
        waiting: list[Brief] = []
        now: list[Brief] = []
        background = self._background
        for brief in changed:
            known = self._known.get(brief.slug)
            if first or known is None or known.meter is None:
                now.append(brief)
            elif not (known.pending and known.brief == brief
                      and known.files == signatures[brief.slug]):
                later.append(brief)
            elif background is not None and (made := background.take(brief)) is not None:
                laid.append((brief, made))
            elif background is not None and background.busy(brief):
                waiting.append(brief)
            else:
                now.append(brief)
        return laid, later, waiting, now

    def _assemble(self, corpus: Corpus, fresh: PdfReport) -> PdfReport:
        """Return the build's report: the changed briefs' from ``fresh``, the others' as known."""
        from site_builder.pdf import PdfReport

        report = PdfReport()
        report.rendered = list(fresh.rendered)
        rendered = set(report.rendered)
        for brief in corpus.briefs:
            known = self._known[brief.slug]
            if known.info is not None:
                report.results[brief.slug] = known.info
            if known.meter is not None:
                report.meters[brief.slug] = known.meter
            report.findings.extend(known.findings)
            if brief.slug not in rendered:
                report.cached.append(brief.slug)
        report.findings = sort_findings(report.findings)
        return report


def _estimate(new: Brief, meter: PageMeter | None, settings: Settings) -> PageMeter:
    """Return the meter of ``new`` estimated from the previous measured one and the words added or cut."""
    from site_builder.pdf.meter import word_stats

    words, word_chars = word_stats(f"{new.summary}\n{new.body}")
    assert meter is not None
    length = meter.length + (words - meter.words) / max(1.0, meter.words_per_page)
    return PageMeter.from_length(length, settings.pdf.pages, words, word_chars)


def _render_in_worker(corpus: Corpus, settings: Settings, slugs: list[str]) -> PdfReport:
    """Lay out the briefs' PDFs into the cache as a build would (run in a worker process)."""
    from site_builder.pdf import render_all

    return render_all(corpus, settings, None, slugs=slugs, preview=True, drafts=True)


def _warm_up(corpus: Corpus, settings: Settings) -> None:
    """Lay out one brief and throw the PDF away (run in a new worker process).

    The first layout in a process loads the fonts and parses the print stylesheet: done
    here, at the preview's start, the author's first save does not wait for it.
    """
    from site_builder.pdf import brief_html
    from site_builder.pdf.build import make_job
    from site_builder.pdf.fit import author_job, render_author_job

    for brief in corpus.briefs[:1]:
        with contextlib.suppress(Exception):  # a brief that fails fails in its own build
            job = make_job(brief, brief_html(brief, corpus, settings), settings)
            render_author_job(author_job(job, brief, settings, preview=True))


@dataclass(frozen=True)
class _Laid:
    """What the background made of one brief: as :func:`~site_builder.pdf.render_all` reports it."""

    brief: Brief
    info: PdfInfo | None
    meter: PageMeter | None
    findings: list[Finding]


class _Background:
    """A thread driving one warm worker process that lays out the saved briefs' PDFs.

    The worker (WeasyPrint imported once, at the preview's start) runs
    :func:`~site_builder.pdf.render_all` for the latest request only, on the other core,
    while this process writes the saved brief's page; what it made is kept for the next
    build (:meth:`take`), which then needs not look the PDF up in the cache again.
    """

    def __init__(self, owner: PreviewPdfs, corpus: Corpus, settings: Settings) -> None:
        self._owner = owner
        self._cond = threading.Condition()
        self._warm: tuple[Corpus, Settings] | None = (corpus, settings)
        self._job: tuple[Corpus, Settings, list[str]] | None = None
        self._done: dict[str, _Laid] = {}
        self._running: dict[str, Brief] = {}
        self._pool: WorkerPool | None = None
        self._thread = threading.Thread(target=self._run, name="briefs-preview-pdf", daemon=True)
        self._thread.start()

    def submit(self, corpus: Corpus, settings: Settings, slugs: list[str]) -> None:
        """Lay out ``slugs`` next (a request not started yet is dropped: this one is newer)."""
        with self._cond:
            queued = self._job[2] if self._job is not None else []
            self._job = (corpus, settings, sorted({*queued, *slugs}))
            self._cond.notify_all()

    def busy(self, brief: Brief) -> bool:
        """Tell whether this brief is being laid out or waits its turn (its result is to come)."""
        with self._cond:
            return self._running.get(brief.slug) == brief or (
                self._job is not None and brief.slug in self._job[2])

    def take(self, brief: Brief) -> _Laid | None:
        """Return what the background made of exactly this brief, once."""
        with self._cond:
            laid = self._done.get(brief.slug)
            if laid is None or laid.brief != brief:
                return None
            del self._done[brief.slug]
            return laid

    def close(self) -> None:
        """Stop the worker process."""
        if self._pool is not None:
            self._pool.close(kill=True)

    def _worker_pool(self) -> WorkerPool:
        from site_builder.pdf.fit import render_author_job
        from site_builder.pdf.pool import WorkerPool

        if self._pool is None:
            self._pool = WorkerPool(1, render_author_job)
            atexit.register(self.close)
        return self._pool

    def _run(self) -> None:
        from site_builder.pdf.pool import Call
        from site_builder.preview import TIMELINE

        warm, self._warm = self._warm, None
        try:  # start the worker now; a failure shows at the first job
            self._worker_pool().call([Call(_warm_up, warm)] if warm else [])
        except Exception:
            log.debug("the PDF worker did not warm up", exc_info=True)
            self.close()
            self._pool = None
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None)
                assert self._job is not None
                corpus, settings, slugs = self._job
                self._job = None
                by_slug = {b.slug: b for b in corpus.briefs}
                self._running = {slug: by_slug[slug] for slug in slugs}
            try:
                pool = self._worker_pool()
                [report] = pool.call([Call(_render_in_worker, (corpus, settings, slugs))],
                                     timeout=settings.pdf.timeout)
            except Exception as exc:  # the next build renders it and reports why
                self.close()  # the next job starts another worker
                self._pool = None
                log.debug("background PDF render failed", exc_info=True)
                log.warning("the PDF of %s could not be laid out in the background (%s); it "
                            "is rendered in the next rebuild", ", ".join(slugs), exc)
            else:
                with self._cond:
                    for slug, brief in self._running.items():
                        self._done[slug] = _Laid(brief, report.results.get(slug),
                                                 report.meters.get(slug),
                                                 [f for f in report.findings
                                                  if f.path == brief.rel_path])
            with self._cond:
                self._running = {}
            TIMELINE.mark("PDF laid out")
            if self._owner.on_ready is not None:
                self._owner.on_ready()
