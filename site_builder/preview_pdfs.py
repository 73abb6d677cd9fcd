"""The PDFs of ``briefs serve``: unchanged briefs' taken from the last build, a saved one's in the background.

On a rebuild, a brief whose Brief, file and folder are as they were in the previous build
keeps that build's PDF, meter and findings: its cache key is not computed again and its
cached PDF not hashed again (the file was verified when it was first read, and its size
and modification time are checked). Every changed brief goes through
:func:`~site_builder.pdf.render_all` as before, its cache key and the cached entry
verified.

A changed brief that had a PDF in the previous build (the saved one) is not looked up
or rendered in the build: the page is written at once with its previous PDF and a meter
*estimated* from the words added or cut, and the brief goes through ``render_all`` on a
background thread after the build (a cache hit, or a layout of about a second); then
:attr:`PreviewPdfs.on_ready` asks the server for another rebuild, which finds the PDF in
the cache and reloads the browser with the measured meter. A brief the previous build had
no PDF of (a new one), or one the background already tried, goes through ``render_all``
in the build, as does everything in the first build.
"""

from __future__ import annotations

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
        # A changed brief whose previous build had a PDF and a meter waits for the background;
        # a new one, or one the background already tried as it is now, is laid out here.
        later = [b for b in changed if not first and (k := self._known.get(b.slug)) is not None
                 and k.meter is not None and not (k.pending and k.brief == b)]
        now = [b for b in changed if b not in later]
        fresh = PdfReport()
        if now:
            fresh = render_all(corpus, settings, None, slugs=[b.slug for b in now],
                               preview=True, drafts=True)
        by_path: dict[str, list[Finding]] = {}
        for finding in fresh.findings:
            by_path.setdefault(finding.path, []).append(finding)
        self.estimates = {}
        for brief in later:
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
        slugs = {b.slug for b in corpus.briefs}
        for gone in set(self._known) - slugs:
            del self._known[gone]
        if later:
            self._render_later(corpus, settings, [b.slug for b in later])
        return self._assemble(corpus, fresh)

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
                report.fills[brief.slug] = known.meter.length
            report.findings.extend(known.findings)
            if brief.slug not in rendered:
                report.cached.append(brief.slug)
        report.findings = sort_findings(report.findings)
        return report

    def _render_later(self, corpus: Corpus, settings: Settings, slugs: list[str]) -> None:
        if self._background is None:
            self._background = _Background(self)
        self._background.submit(corpus, settings, slugs)

    def release(self) -> None:
        """Let the background render start: the build that deferred it has written its pages."""
        if self._background is not None:
            self._background.release()


def _estimate(new: Brief, meter: PageMeter | None, settings: Settings) -> PageMeter:
    """Return the meter of ``new`` estimated from the previous measured one and the words added or cut."""
    from site_builder.pdf.meter import word_stats

    words, word_chars = word_stats(f"{new.summary}\n{new.body}")
    assert meter is not None
    length = meter.length + (words - meter.words) / max(1.0, meter.words_per_page)
    return PageMeter.from_length(length, settings.pdf.pages, words, word_chars)


class _Background:
    """One thread laying out the saved briefs' PDFs (the latest request only), after each build."""

    def __init__(self, owner: PreviewPdfs) -> None:
        self._owner = owner
        self._cond = threading.Condition()
        self._job: tuple[Corpus, Settings, list[str]] | None = None
        self._released = False
        self._thread = threading.Thread(target=self._run, name="briefs-preview-pdf", daemon=True)
        self._thread.start()

    def submit(self, corpus: Corpus, settings: Settings, slugs: list[str]) -> None:
        with self._cond:
            self._job, self._released = (corpus, settings, slugs), False

    def release(self) -> None:
        with self._cond:
            self._released = True
            self._cond.notify_all()

    def _run(self) -> None:
        from site_builder.pdf import render_all
        from site_builder.preview import TIMELINE

        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None and self._released)
                assert self._job is not None
                corpus, settings, slugs = self._job
                self._job = None
            try:
                render_all(corpus, settings, None, slugs=slugs, preview=True, drafts=True)
            except Exception as exc:  # the next build renders it and reports why
                log.debug("background PDF render failed", exc_info=True)
                log.warning("the PDF of %s could not be laid out in the background (%s); it "
                            "is rendered in the next rebuild", ", ".join(slugs), exc)
            TIMELINE.mark("PDF laid out")
            if self._owner.on_ready is not None:
                self._owner.on_ready()
