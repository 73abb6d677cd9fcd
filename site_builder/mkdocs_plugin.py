"""The ``briefs`` MkDocs plugin: a thin adapter from MkDocs events to the core.

``on_files`` loads and validates the corpus, indexes it and adds every generated page,
feed, image and theme asset as an in-memory file; nothing is written into ``briefs/``.
A build with PDFs starts them (then the packs, then the print files) in a worker pool
there, driven from a background thread (:class:`~site_builder.stages.Stages`), and lets
MkDocs convert every page's Markdown meanwhile: ``on_env`` collects the PDFs and renders
the brief pages' HTML with their figures, and the first other generated page to be
written collects the packs and renders the rest. The pages' sources never depend on the
downloads, and their HTML is rendered only once the downloads are known, so the output
is the same whatever the timing. In ``mkdocs serve`` errors are logged and shown as pages, and
:mod:`site_builder.preview` adds the drafts, the page meter, the PDF preview and
incremental rebuilds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from site_builder import urls
from site_builder.corpus import load_corpus
from site_builder.downloads import BriefPdf, Download, DownloadKey
from site_builder.feeds import render_feeds
from site_builder.findings import BriefsError, Finding, Severity, summary_line
from site_builder.index import Index
from site_builder.localise import own_language_corpus, site_indexes
from site_builder.markdown_render import plain_text
from site_builder.model import Corpus
from site_builder.pack_pages import pack_page_sources
from site_builder.pages.base import GeneratedPage
from site_builder.pages.chrome import header_words, page_chrome
from site_builder.pages.site import (
    BRIEF_PAGES,
    LISTING_PAGES,
    SEARCH_PAGE,
    SitePages,
    render_page_html,
    render_site_pages,
)
from site_builder.pdf.meter import PageMeter
from site_builder.preview import (
    PreviewSession,
    configured_site_url,
    log_meters,
    preview_corpus,
    without_preview_assets,
)
from site_builder.project_checks import align_config
from site_builder.search_service import PageIndexer, indexed_html
from site_builder.settings import Settings, option_names, settings_from_options
from site_builder.sitemap import PAGES, SitemapEntry, sitemap_files
from site_builder.stages import Stages
from site_builder.templating import templates_for
from site_builder.theme_files import BUILTIN, MATERIAL
from site_builder.vocabulary import translation_findings

if TYPE_CHECKING:
    from site_builder.bundle import SitePacks
    from site_builder.bundle.early import EarlyPacks
    from site_builder.pdf.build import PdfReport
    from site_builder.print.files import PrintFiles

log = logging.getLogger("mkdocs.plugins.site_builder")


@dataclass
class BuildStats:
    """What one build made, for the summary line of ``briefs build``."""

    briefs: int = 0
    themes: int = 0  # themes with at least one published brief
    themes_total: int = 0  # themes in the vocabulary
    countries: int = 0
    pdfs_rendered: int = 0
    pdfs_cached: int = 0
    packs: int = 0
    packs_skipped: int = 0  # automatic packs left out by the size budget
    search_pages: int = 0


@dataclass
class Preset:
    """What ``briefs build`` already knows, handed to the plugin so it is not redone."""

    settings: Settings
    corpus: Corpus | None = None
    findings: list[Finding] = field(default_factory=list)
    jobs: int | None = None
    progress: bool = False


class BriefsPlugin(BasePlugin):
    """Inject the brief, theme, country, region, coverage and home pages into MkDocs."""

    # The options are declared once, in :class:`Settings`; MkDocs passes them through and
    # :func:`settings_from_options` checks them (unset ones take the Settings defaults).
    config_scheme = tuple((name, c.Type(object, default=None)) for name in option_names())

    def __init__(self) -> None:
        self.preset: Preset | None = None
        self.settings = Settings()
        self._site = SitePages()
        self._serving = False
        self._pdf_results: dict[str, Any] = {}
        self._pdf_findings: list[Finding] = []
        self._meters: dict[str, PageMeter] = {}
        self._preview: PreviewSession | None = None
        self._indexer: PageIndexer | None = None
        self.stats = BuildStats()
        self._dated: list[Page] = []  # the pages MkDocs read, for the sitemap
        self._feed_dirs: list[str] = []  # site folders holding a feed
        self._late: _LateDownloads | None = None
        self._written: Page | None = None  # the last page written (see _release)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is a preview (errors become pages there, not a crash)."""
        self._serving = command == "serve"
        self._preview = PreviewSession() if self._serving else None

    def on_shutdown(self) -> None:
        """Forget the preset: MkDocs reuses plugin instances across builds in one process."""
        self._stop_downloads()  # an interrupted or failed build leaves no worker running
        self.preset = None
        self._serving = False
        self._preview = None
        self._site = SitePages()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Turn the plugin options and mkdocs.yml's site keys into :class:`Settings`."""
        if self.preset is not None:
            self.settings = self.preset.settings
        else:
            options = {k: v for k, v in self.config.items() if v is not None}
            project = Path(config.config_file_path or ".").resolve().parent
            # ``mkdocs serve`` points site_url at itself: the PDFs (and their cache) keep the real one.
            site_url = configured_site_url(project) if self._serving else config.site_url
            site = {"site_name": config.site_name, "site_url": site_url,
                    "site_description": config.site_description,
                    "theme": {"custom_dir": config.theme.custom_dir,
                              "language": config.theme.get("language")}}
            try:
                self.settings = settings_from_options(project, site, options)
            except BriefsError as exc:
                raise PluginError(str(exc)) from None
        try:  # Markdown as validation renders it; docs/ checked unless `briefs build` did
            docs = align_config(config, docs=self.preset is None)
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        _log(f for f in docs if f.severity is Severity.WARNING or self._serving)
        if any(f.severity is Severity.ERROR for f in docs) and not self._serving:
            raise PluginError("the docs folder has errors:\n" + "\n".join(
                f.format() for f in docs if f.severity is Severity.ERROR))
        config.extra["briefs_search"] = self.settings.search
        if not self._serving:  # the plugin writes the sitemap (see site_builder.sitemap)
            config.theme.static_templates.discard("sitemap.xml")
        if config.theme.get("language") != self.settings.language:
            config.theme["language"] = self.settings.language  # the first of `languages`
        _install_theme(config)
        if self._preview is None or self._preview.templates_changed(self.settings):
            templates_for.cache_clear()  # a preview picks up edited templates and catalogues
        words = templates_for(self.settings.theme, self.settings.language)
        config.extra["briefs_words"] = header_words(words)
        if not self.settings.search:  # no search page: drop its tab rather than warn
            config.nav = _without(config.nav, SEARCH_PAGE)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Validate, index and add every generated file."""
        self._dated = []  # MkDocs reuses the plugin: a failed build's pages are not this one's
        self._written = None
        corpus, findings = self._load()
        if self._preview is not None:  # the preview shows drafts, and rebuilds what changed
            corpus = preview_corpus(corpus)
            self._preview.begin(config, files, self.settings)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        shown = [f for f in findings if f.severity is Severity.WARNING or self._serving]
        _log(shown if self._preview is None else self._preview.unlogged("briefs", shown))
        if errors and not self._serving:
            raise PluginError("the briefs have errors:\n" + "\n".join(f.format() for f in errors)
                              + "\n" + summary_line(corpus.n_files, findings))
        _log(translation_findings(self.settings.content_root, self.settings.languages))
        indexes = site_indexes(corpus, self.settings.languages)
        published = corpus.published
        self.stats = BuildStats(briefs=len(published),
                                themes=len({t for b in published for t in b.theme_ids}),
                                themes_total=len(corpus.themes),
                                countries=len({c for b in published for c in b.country_codes}))
        self._stop_downloads()  # a previous build's (MkDocs reuses the plugin)
        if self.settings.pdf.enabled and not self._serving:
            self._late = _LateDownloads(self._start_downloads(named_corpus(corpus, self.settings),
                                                              indexes), indexes)
            self._check_bundle_files(indexes)
            self._site = site = render_site_pages(indexes, self.settings, {}, unrendered=True)
            self._late.pack_pages = pack_page_sources(site.contexts.values())
        else:
            downloads = self._pdfs(corpus, config, files)
            self._site = site = render_site_pages(indexes, self.settings, downloads) \
                if self._preview is None else self._preview.render_pages(indexes, self.settings,
                                                                         downloads)
        assets = {**site.assets, **self.settings.theme.site_assets()}
        if self._preview is not None:  # errors, meters, a broken vocabulary at home
            self._preview.decorate(site, corpus, findings + self._pdf_findings, self._meters,
                                   {slug: info.cache_path for slug, info in self._pdf_results.items()})
        else:
            assets = without_preview_assets(assets)
        in_nav = _nav_paths(config.nav)
        for uri, page in self._write_order(site, config):
            level = InclusionLevel.INCLUDED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            if self._preview is not None:
                self._preview.add(files, config, uri, page=page, inclusion=level)
            else:
                _add(files, File.generated(config, uri, content=page.source, inclusion=level))
        feeds = render_feeds(indexes, self.settings) if self._preview is None \
            else self._preview.feeds(indexes, self.settings)
        self._feed_dirs = sorted({uri.rpartition("/")[0] for uri in feeds})
        for uri, text in feeds.items():
            self._add_file(files, config, uri, text=text)
        for uri, path in sorted(assets.items()):
            self._add_file(files, config, uri, path=path)
        return files

    def _write_order(self, site: SitePages, config: MkDocsConfig) -> list[tuple[str, GeneratedPage]]:
        """Return the generated pages in the order MkDocs is to write them.

        A build still making its packs has the pages showing packs written last, so that
        MkDocs writes every other page meanwhile. Only with mkdocs.yml's own ``nav``: without
        one MkDocs makes the navigation from the files' order.
        """
        pages = list(site.pages.items())
        if self._late is None or config.nav is None:
            return pages
        shows = self._late.pack_pages
        return [item for item in pages if item[0] not in shows] + \
            [item for item in pages if item[0] in shows]

    def _add_file(self, files: Files, config: MkDocsConfig, uri: str, *, text: str | None = None,
                  path: Path | None = None) -> None:
        """Add a generated text file or a file on disk (in a preview, marked if unchanged)."""
        if self._preview is not None:
            self._preview.add(files, config, uri, text=text, path=path)
        elif text is not None:
            _add(files, File.generated(config, uri, content=text))
        else:
            _add(files, File.generated(config, uri, abs_src_path=str(path)))

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Hand each brief page to Pagefind as it is rendered (it indexes on the other core)."""
        if page.file.src_uri in self._site.dates and self.settings.search \
                and not (self._preview is not None and self._preview.signatures):
            # A preview's search index is its first build's (indexing takes seconds).
            if self._indexer is None:
                self._indexer = self._run(PageIndexer, Path(config.site_dir) / "pagefind")
            self._run(self._indexer.add, "/" + page.url, indexed_html(output, page.content or ""))
        if self._preview is None:
            self._release(page)
        return output

    def _release(self, page: Page) -> None:
        """Let the page before ``page`` go: its HTML and Markdown were written and indexed.

        MkDocs keeps every page object to the end of the build; their text is most of the
        build's memory. The last page written is kept until the next one (a plugin after
        this one may still read it in its own ``on_post_page``).
        """
        written, self._written = self._written, page
        if written is not None and written is not page:
            written.content = written.markdown = None
            written.toc = get_toc([])

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the search index of the brief pages (only they carry ``data-pagefind-body``)."""
        if self._preview is not None:
            self._preview.finish(config.site_dir)
        else:
            self._collect_packs(config)  # a site none of whose pages lists them still ships them
            self._write_sitemap(Path(config.site_dir))
        indexer, self._indexer = self._indexer, None
        if indexer is None:
            return  # search off, a preview's rebuild, or no brief pages (nothing to index)
        report = self._run(indexer.finish)
        self.stats.search_pages = report.pages
        log.info("search: %d briefs indexed", report.pages)

    def _write_sitemap(self, site_dir: Path) -> None:
        """Write the sitemap index and the pages' sitemap with their language versions."""
        settings, pages, self._dated = self.settings, self._dated, []
        entries = []
        for page in pages:
            versions = self._site.languages.get(page.file.src_uri)
            alternates = versions.alternates if versions and len(versions.alternates) > 1 else ()
            entries.append(SitemapEntry(settings.url_for(page.url), page.update_date or None,
                                        tuple((lang, settings.url_for(path))
                                              for lang, path in alternates)))
        words = templates_for(settings.theme, settings.language)
        made = sitemap_files(entries, settings.url_for(PAGES), self._feed_dirs, words)
        for uri, text in made.items():
            (site_dir / uri).parent.mkdir(parents=True, exist_ok=True)
            (site_dir / uri).write_text(text, encoding="utf-8")

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the PDF and pack workers and the search indexer of a failed build."""
        self._stop_downloads()
        indexer, self._indexer = self._indexer, None
        if indexer is not None:
            indexer.close()

    @staticmethod
    def _run(function: Any, *args: Any) -> Any:
        """Call a search step; its failure fails the build with its message."""
        try:
            return function(*args)
        except BriefsError as exc:
            raise PluginError(str(exc)) from None

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """Date pages by their briefs, not the clock (the sitemap's ``lastmod``)."""
        page.update_date = self._site.date_of(page.file.src_uri) or page.update_date
        self._dated.append(page)
        return page

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        """Give the page shell its language: words, switcher, ``hreflang``, translated tabs.

        In a build whose downloads came late, put the generated HTML around the page's
        converted Markdown here (see :meth:`on_page_content`).
        """
        generated = self._site.pages.get(page.file.src_uri)
        if self._late is not None and generated is not None:
            page.content = self._late_page(page.file.src_uri, config).assemble(page.content or "")
        settings = self.settings
        if not settings.multilingual:
            return context
        versions = self._site.languages.get(page.file.src_uri)
        language = versions.language if versions else settings.language
        words = templates_for(settings.theme, language)
        chrome = page_chrome(versions, language, settings.language, settings.languages, words)
        context["briefs_page"] = chrome  # type: ignore[typeddict-unknown-key]
        if language != settings.language:
            context["nav"] = _language_nav(nav, page, chrome.home, self._site, words)
        return context

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        """Put the generated HTML around the converted Markdown (a brief's is sanitised).

        A build still making its downloads does it later, in :meth:`on_page_context`.
        """
        generated = self._site.pages.get(page.file.src_uri)
        if generated is None:
            return html
        if generated.sanitize:  # the table of contents comes from the author's headings
            _plain_toc(page.toc)
        return html if self._late is not None else generated.assemble(html)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Collect the brief PDFs (rendering while MkDocs converted the pages) and add them.

        The brief pages' HTML is rendered here, with the PDFs' figures; a brief whose PDF
        failed fails the build before any page is written. In a preview, reuse the page
        shell's templates compiled by the previous build.
        """
        if self._preview is not None:
            self._preview.install_bytecode_cache(env)
        late = self._late
        if late is not None:
            late.files = files
            report = late.stages.result("pdfs")
            late.downloads.update(self._pdf_downloads(report, config, files))
            late.html.update(render_page_html(late.indexes, self.settings, late.downloads,
                                              BRIEF_PAGES))
            # The listing pages that show no pack need no more than the PDFs: written now.
            late.html.update((source, page) for source, page in render_page_html(
                late.indexes, self.settings, late.downloads, LISTING_PAGES).items()
                if source not in late.pack_pages)
        return env

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: Any) -> LiveReloadServer:
        """Rebuild the preview when briefs, the theme or bundle files change."""
        project = self.settings.project_dir
        for path in (self.settings.content_root, self.settings.custom_dir,
                     project / self.settings.bundles_dir):
            if path is not None and path.is_dir():
                server.watch(str(path))
        if self._preview is not None:  # a PDF laid out in the background reloads the page
            self._preview.serve_with(server)
        return server

    def _load(self) -> tuple[Corpus, list[Finding]]:
        if self.preset is not None and self.preset.corpus is not None:
            corpus, findings = self.preset.corpus, self.preset.findings
            self.preset.corpus = None  # a rebuild must read the files again
            return corpus, findings
        return load_corpus(self.settings.content_root,
                           loader=self._preview.loader if self._preview is not None else None)

    def _pdfs(self, corpus: Corpus, config: MkDocsConfig, files: Files) -> dict[DownloadKey, Download]:
        """Render the brief PDFs (when enabled) and return their downloads (a preview's way)."""
        if not self.settings.pdf.enabled:
            return {}
        report = self._render_pdfs(named_corpus(corpus, self.settings))
        if self._serving:
            log_meters(corpus, report.meters, report.rendered)
        return self._pdf_downloads(report, config, files)

    def _early_packs(self, indexes: dict[str, Index], pool: Any) -> EarlyPacks | None:
        """Return what starts the packs among the PDFs on ``pool``'s workers (none with one)."""
        if pool.workers == 1 or not (self.settings.bundles
                                     and indexes[self.settings.language].by_slug):
            return None
        from site_builder.bundle.early import EarlyPacks

        try:
            return EarlyPacks(indexes, self.settings, self.settings.cache_root / "site-bundles",
                              pool)
        except BriefsError:  # a broken bundle file: the build fails on it (on_files says why)
            return None

    def _render_pdfs(self, named: Corpus, pool: Any = None, **hooks: Any) -> PdfReport:
        """Render (or take from the cache) every brief's PDF, on ``pool``'s workers if given.

        ``hooks`` (``first``, ``on_pdf``) go to :func:`~site_builder.pdf.render_all`.
        """
        from site_builder.pdf import render_all  # heavy (WeasyPrint): only when needed

        preset = self.preset
        if self._preview is not None:  # the preview renders the saved brief in the background
            return self._preview.pdf_report(named, self.settings)
        return render_all(named, self.settings, None, jobs=preset.jobs if preset else None,
                          progress=preset.progress if preset else False, preview=self._serving,
                          pool=pool, **hooks)

    def _pdf_downloads(self, report: PdfReport, config: MkDocsConfig, files: Files
                       ) -> dict[DownloadKey, Download]:
        """Keep a PDF run's findings and figures, fail on its errors, add its files."""
        self._pdf_results = report.results
        self._pdf_findings, self._meters = report.findings, report.meters
        self.stats.pdfs_rendered, self.stats.pdfs_cached = len(report.rendered), len(report.cached)
        pdf_errors = [f for f in report.findings if f.severity is Severity.ERROR]
        _log(report.findings if self._preview is None else self._preview.unlogged("pdfs", report.findings))
        if pdf_errors and not self._serving:
            raise PluginError("PDF rendering failed:\n" + "\n".join(f.format() for f in pdf_errors))
        downloads: dict[DownloadKey, Download] = {}
        for slug, info in sorted(report.results.items()):
            href = urls.brief_pdf(slug)
            self._add_file(files, config, href, path=info.cache_path)
            downloads[BriefPdf(slug)] = Download(BriefPdf(slug), href, info.size, info.pages)
        return downloads

    def _start_downloads(self, named: Corpus, indexes: dict[str, Index]) -> Stages:
        """Start the PDFs, then the packs, then the print files, on a pool driven from a thread.

        With one job (``-j 1``) they are made here and now, one after another: the build
        then uses one core at a time, as ``-j 1`` asks.
        """
        from site_builder.pdf.build import render_pool  # heavy (WeasyPrint): only when needed

        pool = render_pool(self.settings, self.preset.jobs if self.preset else None)

        def pdfs(made: Mapping[str, Any]) -> PdfReport:
            early = self._early_packs(indexes, pool)
            if early is None:
                return self._render_pdfs(named, pool)
            return self._render_pdfs(named, pool, first=early.order(), on_pdf=early.on_pdf)

        def packs(made: Mapping[str, Any]) -> SitePacks | None:
            report: PdfReport = made["pdfs"]
            try:
                if any(f.severity is Severity.ERROR for f in report.findings):
                    return None  # the build fails on them: nothing to pack
                return self._make_packs(indexes, report.results, pool)
            finally:
                pool.close()  # the print files start their own workers

        def print_files(made: Mapping[str, Any]) -> PrintFiles | None:
            if made["packs"] is None:
                return None
            ordered = sorted(made["packs"].made, key=urls.pack)
            return self._make_print_files(indexes, list[DownloadKey](ordered))

        # One job is one thing at a time: the pages wait for the downloads, as they did.
        return Stages([("pdfs", pdfs), ("packs", packs), ("print", print_files)],
                      on_cancel=pool.cancel).start(inline=pool.workers == 1)

    def _late_page(self, source: str, config: MkDocsConfig) -> GeneratedPage:
        """Return a page whose HTML shows the downloads, collecting the packs if it needs them."""
        late = self._late
        assert late is not None
        if source not in late.html:  # a page showing packs: the packs and print files first
            self._collect_packs(config)
        return late.html.pop(source)  # each page is written once: its HTML is not kept

    def _collect_packs(self, config: MkDocsConfig) -> None:
        """Wait for the packs and print files, copy them in and render the listing pages (once)."""
        late = self._late
        if late is None or late.packs_in:
            return
        late.packs_in = True
        packs: SitePacks | None = late.stages.result("packs")
        if packs is not None:
            late.downloads.update(self._pack_downloads(packs, config, late.files))
        made: PrintFiles | None = late.stages.result("print")
        if made is not None:
            self._add_print_files(made, config, late.files)
        late.html.update((source, page) for source, page in render_page_html(
            late.indexes, self.settings, late.downloads, LISTING_PAGES).items()
            if source in late.pack_pages)

    def _check_bundle_files(self, indexes: dict[str, Index]) -> None:
        """Fail on a broken bundle file now, not when the packs are collected mid-build."""
        if not self.settings.bundles:
            return
        from site_builder.bundle import located, read_bundle_files

        _, problems = read_bundle_files(indexes[self.settings.language], self.settings)
        if problems:
            self._stop_downloads()
            raise PluginError("\n".join(located(f) for f in problems))

    def _stop_downloads(self) -> None:
        """Cancel a build's PDF, pack and print-file steps (their workers are killed)."""
        if self._late is not None:
            self._late.stages.cancel()
            self._late = None

    def _make_packs(self, indexes: dict[str, Index], pdf_results: Mapping[str, Any],
                    pool: Any = None) -> SitePacks | None:
        """Make a pack per theme, per country and per bundle file from the cached brief PDFs."""
        if not (self.settings.bundles and self.settings.pdf.enabled
                and indexes[self.settings.language].by_slug):
            return None
        from site_builder.bundle import build_site_bundles  # heavy (WeasyPrint, pypdf)

        try:
            return build_site_bundles(indexes, self.settings, pdf_results,
                                      self.settings.cache_root / "site-bundles",
                                      self.preset.jobs if self.preset else None, pool=pool)
        except BriefsError as exc:
            raise PluginError(str(exc)) from None

    def _pack_downloads(self, packs: SitePacks, config: MkDocsConfig, files: Files
                        ) -> dict[DownloadKey, Download]:
        """Log the skipped packs, copy the made ones into the site and return their downloads."""
        infos = packs.made
        for skipped in packs.skipped:
            log.info("pack skipped: %s: %s", skipped.key, skipped.reason)
        self.stats.packs, self.stats.packs_skipped = len(infos), len(packs.skipped)
        downloads: dict[DownloadKey, Download] = {}
        for key, info in sorted(infos.items(), key=lambda item: urls.pack(item[0])):
            href = urls.pack(key)
            _copy(files, File.generated(config, href, abs_src_path=str(info.path)))
            downloads[key] = Download(key, href, info.size, info.pages, info.title)
        return downloads

    def _make_print_files(self, indexes: Mapping[str, Index] | Index,
                          packs: list[DownloadKey]) -> PrintFiles | None:
        """Make the print files (``pdf/print/…``, ``bundles/print/…``) when they are on."""
        index = indexes if isinstance(indexes, Index) else indexes[self.settings.language]
        if not (self.settings.print.enabled and self.settings.pdf.enabled and index.briefs):
            return None
        from site_builder.print.files import site_print_files  # heavy (WeasyPrint, pikepdf)

        preset = self.preset
        return site_print_files(indexes, self.settings, packs,
                                jobs=preset.jobs if preset else None,
                                progress=preset.progress if preset else False)

    def _add_print_files(self, made: PrintFiles, config: MkDocsConfig, files: Files) -> None:
        """Log the print files' findings, fail on their errors, copy them into the site."""
        _log(made.findings)
        errors = [f for f in made.findings if f.severity is Severity.ERROR]
        if errors:
            raise PluginError("print files failed:\n" + "\n".join(f.format() for f in errors))
        for uri, path in sorted(made.files.items()):
            _copy(files, File.generated(config, uri, abs_src_path=str(path)))


@dataclass
class _LateDownloads:
    """A build's downloads on their way, and the pages' HTML rendered as they come."""

    stages: Stages
    indexes: dict[str, Index]
    downloads: dict[DownloadKey, Download] = field(default_factory=dict)
    html: dict[str, GeneratedPage] = field(default_factory=dict)
    """Source path to the page rendered with the downloads (the brief pages, then the rest)."""
    files: Files = field(default_factory=lambda: Files([]))
    """The build's files (set by ``on_env``): the packs and print files join them."""
    packs_in: bool = False
    """The packs and print files are in the site (when the first page showing one was written)."""
    pack_pages: set[str] = field(default_factory=set)
    """The pages that show a pack (:func:`~site_builder.pack_pages.pack_page_sources`)."""


def named_corpus(corpus: Corpus, settings: Settings) -> Corpus:
    """Return the corpus the PDFs are rendered from (names in each brief's own language)."""
    return own_language_corpus(corpus, settings.languages)


def _plain_toc(items: Iterable[Any]) -> None:
    """Reduce table-of-contents titles to text (mkdocs-material prints them unescaped)."""
    for item in items:
        item.title = plain_text(item.title)
        _plain_toc(item.children)


def _language_nav(nav: Navigation, page: Page, home: str, site: SitePages,
                  words: Any) -> Navigation:
    """Return mkdocs.yml's navigation as links to a language's own pages, titles translated.

    A nav entry whose page the language has (``themes/index.md`` → ``fr/themes/index.md``)
    links there; any other (a page of ``docs/``) keeps its one version.
    """
    prefix = home

    def convert(item: Any) -> Any:
        title = words.gettext(item.title) if isinstance(item.title, str) else item.title
        if isinstance(item, Section):
            return Section(title, [convert(child) for child in item.children])
        if isinstance(item, Page):
            own = prefix + item.file.src_uri
            target = own if own in site.pages else item.file.src_uri
            url = _served_at(target) if target in site.pages else item.url
            link = Link(title, url)
            link.active = target == page.file.src_uri
            return link
        return item

    translated = Navigation([convert(item) for item in nav.items], [])
    translated.homepage = Link(words.gettext("Home"), home)  # type: ignore[assignment]
    return translated


def _served_at(source: str) -> str:
    """Return the site path MkDocs serves a generated source at (``fr/themes/index.md`` → ``fr/themes/``)."""
    return source[: -len("index.md")] if source.endswith("index.md") else source


def _install_theme(config: MkDocsConfig) -> None:
    """Put the package's mkdocs-material overrides after the site's own ``custom_dir``."""
    ours = str(BUILTIN / MATERIAL)
    dirs = config.theme.dirs
    if ours not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, ours)


def _log(findings: Iterable[Finding]) -> None:
    """Log findings at their severity (a preview logs the errors it shows as pages)."""
    for f in findings:
        (log.error if f.severity is Severity.ERROR else log.warning)(f.format())


def _copy(files: Files, file: File) -> None:
    """Add a file after MkDocs copied the static files, and copy it into the site."""
    _add(files, file)
    file.copy_file()


def _add(files: Files, file: File) -> None:
    """Add a file, replacing one at the same path (a generated page wins over docs/)."""
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)


def _without(nav: Any, path: str) -> Any:
    """Return mkdocs.yml's ``nav`` without the entries that name ``path``."""
    if not isinstance(nav, list):
        return nav
    kept = [item for item in nav if item != path
            and not (isinstance(item, dict) and list(item.values()) == [path])]
    return [{k: _without(v, path) for k, v in item.items()} if isinstance(item, dict) else item
            for item in kept]


def _nav_paths(nav: Any) -> set[str]:
    """Return every page path named in mkdocs.yml's ``nav``."""
    if isinstance(nav, str):
        return {nav}
    items = nav.values() if isinstance(nav, dict) else nav if isinstance(nav, list) else ()
    return set().union(*(_nav_paths(item) for item in items))
