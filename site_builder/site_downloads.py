"""A site build's downloads (brief PDFs, packs, print files), made while the pages convert.

:func:`start_downloads` starts the PDFs, then the packs, then the print files on a warm
worker pool driven from a background thread (:class:`~site_builder.stages.Stages`); each
pack starts among the PDFs as soon as its own briefs' PDFs are in
(:class:`~site_builder.bundle.early.EarlyPacks`). The :class:`SiteDownloads` it returns
renders the pages' HTML as the downloads come: the brief pages and the listing pages that
show no pack once the PDFs are known, the pages that show packs once the packs are made.
The pages' sources never depend on the downloads, so the output is the same whatever the
timing. Plain Python: the MkDocs plugin adds the files and writes the pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from site_builder import urls
from site_builder.downloads import BriefPdf, Download, DownloadKey
from site_builder.findings import BriefsError, Severity
from site_builder.index import Index
from site_builder.localise import own_language_corpus
from site_builder.model import Corpus
from site_builder.pack_pages import pack_page_sources
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.pages.site import BRIEF_PAGES, LISTING_PAGES, render_page_html
from site_builder.settings import Settings
from site_builder.stages import Stages

if TYPE_CHECKING:
    from site_builder.bundle import SitePacks
    from site_builder.bundle.early import EarlyPacks
    from site_builder.pdf.build import PdfReport
    from site_builder.pdf.pool import WorkerPool
    from site_builder.print.files import PrintFiles


@dataclass
class SiteDownloads:
    """A build's downloads on their way, and the pages' HTML rendered as they come."""

    stages: Stages
    indexes: dict[str, Index]
    settings: Settings
    pack_pages: set[str] = field(default_factory=set)
    """The pages that show a pack (:func:`~site_builder.pack_pages.pack_page_sources`)."""
    downloads: dict[DownloadKey, Download] = field(default_factory=dict)
    html: dict[str, GeneratedPage] = field(default_factory=dict)
    """Source path to the page rendered with the downloads (popped as each is written)."""
    packs_in: bool = False
    """The packs and print files were collected (when the first page showing one was written)."""

    def show_packs(self, contexts: Iterable[SiteContext]) -> None:
        """Note the pages of the site languages ``contexts`` that show packs (they wait for them)."""
        self.pack_pages = pack_page_sources(contexts)

    def pdfs(self) -> PdfReport:
        """Wait for the brief PDFs; return their report."""
        report: PdfReport = self.stages.result("pdfs")
        return report

    def add_pdfs(self, downloads: Mapping[DownloadKey, Download]) -> None:
        """Take the brief PDFs' downloads; render every page that shows no pack."""
        self.downloads.update(downloads)
        self.html.update(render_page_html(self.indexes, self.settings, self.downloads,
                                          BRIEF_PAGES))
        self.html.update(render_page_html(self.indexes, self.settings, self.downloads,
                                          LISTING_PAGES, lambda s: s not in self.pack_pages))

    def needs_packs(self, source: str) -> bool:
        """Tell whether the page at ``source`` waits for packs not collected yet."""
        return source not in self.html and not self.packs_in

    def packs(self) -> tuple[SitePacks | None, PrintFiles | None]:
        """Wait for the packs and the print files (once: later calls return nothing)."""
        if self.packs_in:
            return None, None
        self.packs_in = True
        return self.stages.result("packs"), self.stages.result("print")

    def add_packs(self, downloads: Mapping[DownloadKey, Download]) -> None:
        """Take the packs' downloads; render the pages that show them."""
        self.downloads.update(downloads)
        self.html.update(render_page_html(self.indexes, self.settings, self.downloads,
                                          LISTING_PAGES, self.pack_pages.__contains__))

    def page(self, source: str) -> GeneratedPage:
        """Return (and forget: each page is written once) a page rendered with its downloads."""
        return self.html.pop(source)

    def cancel(self) -> None:
        """Stop the PDF, pack and print-file steps (their workers are killed)."""
        self.stages.cancel()


def named_corpus(corpus: Corpus, settings: Settings) -> Corpus:
    """Return the corpus the PDFs are rendered from (names in each brief's own language)."""
    return own_language_corpus(corpus, settings.languages)


def start_downloads(named: Corpus, indexes: dict[str, Index], settings: Settings,
                    jobs: int | None = None, progress: bool = False) -> SiteDownloads:
    """Start the PDFs (of ``named``), then the packs, then the print files, on a pool driven from a thread.

    With one job (``-j 1``) everything is made here and now, one thing after another: the
    build then uses one core at a time, as ``-j 1`` asks. Set the returned object's
    ``pack_pages`` (:meth:`SiteDownloads.show_packs`) before its :meth:`~SiteDownloads.add_pdfs`.
    """
    from site_builder.pdf.build import render_pool  # heavy (WeasyPrint): only when needed

    pool = render_pool(settings, jobs)
    early: list[EarlyPacks] = []  # what made packs among the PDFs (into the pack cache)

    def pdfs(made: Mapping[str, Any]) -> PdfReport:
        hooks: dict[str, Any] = {}
        starter = early_packs(indexes, settings, pool)
        if starter is not None:
            early.append(starter)
            hooks = {"first": starter.order(), "on_pdf": starter.on_pdf}
        return render_pdfs(named, settings, jobs=jobs, progress=progress, pool=pool, **hooks)

    def packs(made: Mapping[str, Any]) -> SitePacks | None:
        report: PdfReport = made["pdfs"]
        try:
            if any(f.severity is Severity.ERROR for f in report.findings):
                return None  # the build fails on them: nothing to pack
            packs = make_packs(indexes, settings, report.results, jobs, pool)
        finally:
            pool.close()  # the print files start their own workers
        if packs is None:
            return None
        return replace(packs, cached=packs.cached - {key for e in early for key in e.started})

    def print_files(made: Mapping[str, Any]) -> PrintFiles | None:
        if made["packs"] is None:
            return None
        ordered = sorted(made["packs"].made, key=urls.pack)
        return make_print_files(indexes, settings, list[DownloadKey](ordered), jobs, progress)

    stages = Stages([("pdfs", pdfs), ("packs", packs), ("print", print_files)],
                    on_cancel=pool.cancel)
    downloads = SiteDownloads(stages, indexes, settings)
    stages.start(inline=pool.workers == 1)
    return downloads


def render_pdfs(named: Corpus, settings: Settings, *, jobs: int | None = None,
                progress: bool = False, preview: bool = False, pool: WorkerPool | None = None,
                **hooks: Any) -> PdfReport:
    """Render (or take from the cache) every brief's PDF, on ``pool``'s workers if given.

    ``hooks`` (``first``, ``on_pdf``) go to :func:`~site_builder.pdf.render_all`.
    """
    from site_builder.pdf import render_all  # heavy (WeasyPrint): only when needed

    return render_all(named, settings, None, jobs=jobs, progress=progress, preview=preview,
                      pool=pool, **hooks)


def early_packs(indexes: Mapping[str, Index], settings: Settings,
                pool: WorkerPool) -> EarlyPacks | None:
    """Return what starts the packs among the PDFs on ``pool``'s workers (none with one worker)."""
    if pool.workers == 1 or not (settings.bundles and indexes[settings.language].by_slug):
        return None
    from site_builder.bundle.early import EarlyPacks

    try:
        return EarlyPacks(indexes, settings, settings.cache_root / "site-bundles", pool)
    except BriefsError:  # a broken bundle file: the build fails on it (check_bundle_files)
        return None


def check_bundle_files(indexes: Mapping[str, Index], settings: Settings) -> None:
    """Raise a BriefsError naming every problem of the project's bundle files (before the build)."""
    if not settings.bundles:
        return
    from site_builder.bundle import located, read_bundle_files

    _, problems = read_bundle_files(indexes[settings.language], settings)
    if problems:
        raise BriefsError("\n".join(located(f) for f in problems))


def make_packs(indexes: Mapping[str, Index], settings: Settings,
               pdf_results: Mapping[str, Any], jobs: int | None = None,
               pool: WorkerPool | None = None) -> SitePacks | None:
    """Make a pack per theme, per country and per bundle file from the cached brief PDFs."""
    if not (settings.bundles and settings.pdf.enabled and indexes[settings.language].by_slug):
        return None
    from site_builder.bundle import build_site_bundles  # heavy (WeasyPrint, pypdf)

    return build_site_bundles(indexes, settings, pdf_results, settings.cache_root / "site-bundles",
                              jobs, pool=pool)


def make_print_files(indexes: Mapping[str, Index] | Index, settings: Settings,
                     packs: list[DownloadKey], jobs: int | None = None,
                     progress: bool = False) -> PrintFiles | None:
    """Make the print files (``pdf/print/…``, ``bundles/print/…``) when they are on."""
    index = indexes if isinstance(indexes, Index) else indexes[settings.language]
    if not (settings.print.enabled and settings.pdf.enabled and index.briefs):
        return None
    from site_builder.print.files import site_print_files  # heavy (WeasyPrint, pikepdf)

    return site_print_files(indexes, settings, packs, jobs=jobs, progress=progress)


def pdf_downloads(report: PdfReport) -> dict[DownloadKey, Download]:
    """Return the brief PDFs' downloads (their site paths: :func:`~site_builder.urls.brief_pdf`)."""
    return {BriefPdf(slug): Download(BriefPdf(slug), urls.brief_pdf(slug), info.size, info.pages)
            for slug, info in sorted(report.results.items())}


def pack_downloads(packs: SitePacks) -> dict[DownloadKey, Download]:
    """Return the made packs' downloads, in their site paths' order."""
    return {key: Download(key, urls.pack(key), info.size, info.pages, info.title)
            for key, info in sorted(packs.made.items(), key=lambda item: urls.pack(item[0]))}

