"""The ``briefs`` MkDocs plugin: a thin adapter from MkDocs events to the core.

``on_files`` loads and validates the corpus, indexes it and adds every generated page,
feed, image and theme asset as an in-memory file; nothing is written into ``briefs/``.
A build with PDFs starts them, the packs and the print files
(:func:`~site_builder.site_downloads.start_downloads`) and lets MkDocs convert every
page's Markdown meanwhile: ``on_env`` collects the PDFs, adds them and has the pages
that show no pack rendered with their figures; the first page showing packs to be
written collects the packs (and the print files) and has the rest rendered. The pages'
sources never depend on the downloads, and their HTML is rendered only once the
downloads are known, so the output is the same whatever the timing. In ``mkdocs serve`` errors are logged and shown as pages, and
:mod:`site_builder.preview` adds the drafts, the page meter, the PDF preview and
incremental rebuilds.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import write_file
from mkdocs.utils.templates import TemplateContext

from site_builder import urls
from site_builder.conversion_cache import ConversionCache
from site_builder.conversion_helper import ConversionHelper, Entry
from site_builder.corpus import load_corpus
from site_builder.downloads import Download, DownloadKey
from site_builder.feeds import feed_plan, render_feeds
from site_builder.findings import BriefsError, Finding, Severity, summary_line
from site_builder.localise import site_indexes
from site_builder.markdown_render import plain_text, sanitize_html
from site_builder.model import Corpus
from site_builder.pack_pages import pack_pages_last
from site_builder.page_split import SplitRender
from site_builder.page_worker import PageWorker
from site_builder.pages.base import GeneratedPage
from site_builder.pages.chrome import header_words, page_chrome
from site_builder.pages.faces import sets_italic
from site_builder.pages.site import (
    SEARCH_PAGE,
    SitePages,
    render_site_pages,
)
from site_builder.pdf.meter import PageMeter
from site_builder.plugin_io import BuildStats, Preset
from site_builder.preview import (
    PreviewSession,
    configured_site_url,
    log_meters,
    preview_corpus,
    without_preview_assets,
)
from site_builder.project_checks import align_config
from site_builder.search import ARTICLE_ATTRIBUTE
from site_builder.search_service import ShardedIndexer, indexed_html, shard_sizes
from site_builder.settings import Settings, option_names, settings_from_options
from site_builder.shard_cache import ShardCache
from site_builder.shell_language import ShellLanguages, html_lang
from site_builder.site_downloads import (
    SiteDownloads,
    check_bundle_files,
    named_corpus,
    pack_downloads,
    pdf_downloads,
    start_downloads,
)
from site_builder.sitemap import write_sitemap
from site_builder.templating import CheckedBytecodeCache, templates_for
from site_builder.theme_files import BUILTIN, MATERIAL
from site_builder.vocabulary import translation_findings

if TYPE_CHECKING:
    from site_builder.bundle import SitePacks
    from site_builder.pdf.build import PdfReport
    from site_builder.print.files import PrintFiles

log = logging.getLogger("mkdocs.plugins.site_builder")

SPLIT_MINIMUM = 2
"""Brief pages a build without PDFs needs to share MkDocs' page loop with a second process."""
TEMPLATES_CACHE = "templates"
"""Under the cache folder: the page shell's compiled templates (Jinja's bytecode cache)."""
CONVERSIONS_CACHE = "conversions"
"""Under the cache folder: the brief pages' converted Markdown (:mod:`site_builder.conversion_cache`)."""
SEARCH_SHARDS_CACHE = "search-shards"
"""Under the cache folder: a large site's search index shards (:mod:`site_builder.shard_cache`)."""


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
        self._indexer: ShardedIndexer | None = None
        self.stats = BuildStats()
        self._dated: list[Page] = []  # the pages MkDocs read, for the sitemap
        self._feed_dirs: list[str] = []  # site folders holding a feed
        self._late: SiteDownloads | None = None
        self._worker: PageWorker | None = None  # a build without PDFs: the pages' HTML
        self._feed_files: list[str] = []  # the worker's feeds: placeholders until written
        self._split: SplitRender | None = None  # MkDocs' page loop shared with a forked child
        self._later: set[str] = set()  # the listing pages whose HTML the worker renders
        self._shell: ShellLanguages | None = None  # the pages' <html lang>, before rendering
        self._early: dict[str, str] = {}  # brief pages handed to Pagefind once converted: lang
        self._files = Files([])  # the build's files: the packs and print files join them
        self._written: Page | None = None  # the last page written (see _release)
        self._conversions: ConversionCache | None = None  # brief pages' converted Markdown
        self._helper: ConversionHelper | None = None  # a forked process converting some too
        self._helping = False  # in that process

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is a preview (errors become pages there, not a crash)."""
        self._serving = command == "serve"
        self._preview = PreviewSession() if self._serving else None

    def on_shutdown(self) -> None:
        """Forget the preset: MkDocs reuses plugin instances across builds in one process."""
        self._stop_downloads()  # an interrupted or failed build leaves no worker running
        self._end_conversions()
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
        self._shell, self._early, self._split = None, {}, None
        self._files = files
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
            self._run(check_bundle_files, indexes, self.settings)  # now, not mid-build
            preset = self.preset
            self._late = late = start_downloads(
                named_corpus(corpus, self.settings), indexes, self.settings,
                preset.jobs if preset else None, preset.progress if preset else False)
            self._site = site = render_site_pages(indexes, self.settings, {}, unrendered=True)
            late.show_packs(site.contexts.values())
        elif self._preview is not None:
            downloads = self._pdfs(corpus, config, files)
            self._site = site = self._preview.render_pages(indexes, self.settings, downloads)
        else:  # the pages' HTML renders in another process while MkDocs converts Markdown
            jobs = (self.preset.jobs if self.preset else None) or self.settings.jobs
            self._worker = PageWorker.start(indexes, self.settings, {}, jobs)
            self._site = site = render_site_pages(indexes, self.settings, {},
                                                  html_later=self._worker is not None)
            self._later = set(site.pages) - set(site.dates) if self._worker else set()
        assets = {**site.assets, **self.settings.theme.site_assets()}
        if self._preview is not None:  # errors, meters, a broken vocabulary at home
            self._preview.decorate(site, corpus, findings + self._pdf_findings, self._meters,
                                   {slug: info.cache_path for slug, info in self._pdf_results.items()})
        else:
            assets = without_preview_assets(assets)
        in_nav = _nav_paths(config.nav)
        # A build still making its packs writes the pages showing them last (with mkdocs.yml's
        # own nav only: without one, MkDocs makes the navigation from the files' order).
        ordered = pack_pages_last(site.pages, self._late.pack_pages) \
            if self._late is not None and config.nav is not None else site.pages.items()
        for uri, page in ordered:
            level = InclusionLevel.INCLUDED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            if self._preview is not None:
                self._preview.add(files, config, uri, page=page, inclusion=level)
            else:
                _add(files, File.generated(config, uri, content=page.source, inclusion=level))
        if self._worker is not None:  # placeholders (links to them check), written at the end
            feeds = dict.fromkeys(feed_plan(indexes, self.settings), "")
            self._feed_files = list(feeds)
        else:
            feeds = render_feeds(indexes, self.settings) if self._preview is None \
                else self._preview.feeds(indexes, self.settings)
        self._feed_dirs = sorted({uri.rpartition("/")[0] for uri in feeds})
        for uri, text in feeds.items():
            self._add_file(files, config, uri, text=text)
        for uri, path in sorted(assets.items()):
            self._add_file(files, config, uri, path=path)
        return files

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
        """Hand each brief page not indexed yet to Pagefind as it is rendered (it indexes on
        the other core); check those handed over before that got the ``lang`` they were given.

        A page the other process of a split render writes is left empty here.
        """
        split = self._split
        if split is not None and split.skips(page.file.src_uri):
            self._release(page)  # as if written: the other process writes it
            return ""
        sent = self._early.pop(page.file.src_uri, None)
        if sent is not None and html_lang(output) != sent:
            raise PluginError(f"the page shell printed <html lang=\"{html_lang(output)}\"> on "
                              f"{page.url} where its search index was given \"{sent}\": keep "
                              "<html lang> as partials/language.html gives it")
        if sent is None and self._indexes(page):
            self._run(self._indexer_for(config).add, "/" + page.url,
                      indexed_html(output, page.content or ""))
        if self._preview is None:
            self._release(page)
        if split is not None:
            return split.written(page.file.src_uri, output, page.file.abs_dest_path)
        return output

    def _split_render(self, config: MkDocsConfig, env: Any, files: Files) -> SplitRender | None:
        """Share the page loop with a forked child: two of every three brief pages are its.

        Only in a build whose pages' HTML is all rendered and whose brief pages all went
        to Pagefind already (the child touches neither the worker nor Pagefind).
        """
        briefs = list(self._site.dates)
        if len(briefs) < SPLIT_MINIMUM or (self.settings.search
                                           and len(self._early) < len(briefs)):
            return None
        theirs = {source for n, source in enumerate(briefs) if n % 3}
        return SplitRender(config, env, theirs, [f.src_uri for f in files.documentation_pages()])

    def _indexes(self, page: Page) -> bool:
        """Whether ``page`` goes into the search index: a brief page, search on, not in a
        preview's rebuild (a preview's search index is its first build's: indexing takes seconds)."""
        return page.file.src_uri in self._site.dates and self.settings.search \
            and not (self._preview is not None and self._preview.signatures)

    def _indexer_for(self, config: MkDocsConfig) -> ShardedIndexer:
        if self._indexer is None:
            self._indexer = ShardedIndexer(Path(config.site_dir), shard_sizes(
                len(self._site.dates), self.settings.search_shard_pages),
                ShardCache(self.settings.cache_root / SEARCH_SHARDS_CACHE))
        return self._indexer

    def _index_converted(self, page: Page, content: str, config: MkDocsConfig) -> None:
        """Hand a brief page to Pagefind as soon as its content is complete (in a build)."""
        if self._preview is not None or not self._indexes(page):
            return
        if ARTICLE_ATTRIBUTE not in content:
            return  # sent whole once rendered
        if self._shell is None:
            self._shell = ShellLanguages(config.theme.get_env(), config)
        language = page.meta.get("page_language")
        self._run(self._indexer_for(config).add, "/" + page.url,
                  self._shell.page(language, content))
        self._early[page.file.src_uri] = self._shell.lang(language)

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
        split, self._split = self._split, None
        if split is not None:
            self._run(split.collect)
        if self._preview is not None:
            self._preview.finish(config.site_dir)
        else:
            self._collect_packs(config)  # a site none of whose pages lists them still ships them
            self._write_worker_feeds(Path(config.site_dir))
            self._write_sitemap(Path(config.site_dir))
        self._end_conversions(keep=True)
        indexer, self._indexer = self._indexer, None
        if indexer is None:
            return  # search off, a preview's rebuild, or no brief pages (nothing to index)
        report = self._run(indexer.finish)
        self.stats.search_pages = report.pages
        self.stats.search_shards, self.stats.search_shards_cached = len(indexer.sizes), indexer.cached
        log.info("search: %d briefs indexed", report.pages)

    def _write_worker_feeds(self, site_dir: Path) -> None:
        """Write the feeds the page worker rendered (MkDocs copied the site's files before)."""
        if self._worker is None:
            return
        for uri, text in self._run(self._worker.feeds).items():
            write_file(text.encode("utf-8"), str(site_dir / uri))

    def _write_sitemap(self, site_dir: Path) -> None:
        """Write the sitemap of every page MkDocs wrote, with their language versions."""
        pages, self._dated = self._dated, []
        write_sitemap(site_dir, self.settings,
                      [(page.file.src_uri, page.url, page.update_date) for page in pages],
                      self._site.languages, self._feed_dirs)

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the PDF and pack workers, the search indexer and the second page process of
        a failed build (which, failing itself, tells the first why and leaves)."""
        split, self._split = self._split, None
        if split is not None:
            split.close(str(error).strip() or type(error).__name__)
        self._stop_downloads()
        self._end_conversions()
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

        In a build whose downloads came late, or whose pages' HTML a worker rendered, put
        the generated HTML around the page's converted Markdown here (see
        :meth:`on_page_content`).
        """
        if self._split is not None and self._split.skips(page.file.src_uri):
            return context  # the other process renders it
        generated = self._site.pages.get(page.file.src_uri)
        if self._late is not None and generated is not None:
            page.content = self._late_page(page.file.src_uri, config).assemble(
                page.content or "", self._cleaner(page))
        elif self._worker is not None and generated is not None \
                and page.file.src_uri in self._later:
            html = self._run(self._worker.html, page.file.src_uri)
            page.content = replace(generated, html=html).assemble(page.content or "",
                                                                  self._cleaner(page))
        if generated is not None and generated.sanitize:  # a brief's page: its shell's fonts
            page.meta["italic"] = sets_italic(page.content or "")
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

    @event_priority(-100)  # last: the key holds the Markdown the other plugins made
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        """Have MkDocs replay, not convert, a generated page converted before with the same
        inputs (:mod:`site_builder.conversion_cache`), or by the conversion helper
        (:mod:`site_builder.conversion_helper`), started at the first of them."""
        source = page.file.src_uri
        if self._helping or self._preview is not None or source not in self._site.pages:
            return markdown
        if self._conversions is None:
            self._conversions = ConversionCache(self.settings.cache_root / CONVERSIONS_CACHE,
                                                config, files)
            self._helper = self._start_helper(config, files)
        if self._helper is not None:
            converted = self._helper.take(source)
            if converted is not None:
                self._conversions.add(*converted)
        return self._conversions.before(markdown, page, files, counted=source in self._site.dates)

    def _start_helper(self, config: MkDocsConfig, files: Files) -> ConversionHelper | None:
        """Fork the conversion helper over the generated pages, in the order MkDocs
        converts them; not in a build making PDFs, whose workers have every core then."""
        if self._late is not None:
            return None
        pages = self._site.pages
        generated = [file for file in files.documentation_pages(inclusion=InclusionLevel.is_included)
                     if file.src_uri in pages]
        conversions = self._conversions
        assert conversions is not None

        def convert(position: int) -> Entry | None:  # in the helper: as MkDocs would
            self._helping = True
            file = generated[position]
            page = file.page or Page(None, file, config)
            config._current_page = page
            try:
                page = config.plugins.on_pre_page(page, config=config, files=files)
                page.read_source(config)
                markdown = config.plugins.on_page_markdown(page.markdown or "", page=page,
                                                           config=config, files=files)
                sanitize = sanitize_html if pages[file.src_uri].sanitize else None
                return conversions.convert(markdown, page, config, files, sanitize)
            finally:
                config._current_page = None

        jobs = (self.preset.jobs if self.preset else None) or self.settings.jobs
        return ConversionHelper.start([file.src_uri for file in generated], convert, jobs)

    def _stop_helper(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.close()

    @event_priority(100)  # first: the cache keeps the page as MkDocs converted it
    def _converted(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Keep MkDocs' conversion of a generated page for the next build."""
        if self._conversions is None or page.file.src_uri not in self._site.pages:
            return html
        return self._conversions.after(html, page, files)

    def _end_conversions(self, keep: bool = False) -> None:
        self._stop_helper()
        conversions, self._conversions = self._conversions, None
        if conversions is not None:
            if keep:
                conversions.write()
            else:
                conversions.close()
            self.stats.conversions, self.stats.conversions_cached = conversions.pages, conversions.hits
            self.stats.conversions_helped = conversions.helped

    def _assembled(self, html: str, *, page: Page, config: MkDocsConfig,
                   files: Files) -> str:
        """Put the generated HTML around the converted Markdown (a brief's is sanitised),
        and hand a brief page, now complete, to Pagefind.

        A build still making its downloads does it later, in :meth:`on_page_context`, as
        it does for the listing pages whose HTML the page worker renders.
        """
        generated = self._site.pages.get(page.file.src_uri)
        if generated is None:
            return html
        if generated.sanitize:  # the table of contents comes from the author's headings
            _plain_toc(page.toc)
        if self._late is not None or page.file.src_uri in self._later:
            return html  # assembled in on_page_context, once its HTML is rendered
        if self._worker is not None:  # a brief page: its HTML comes from the worker
            generated = replace(generated, html=self._run(self._worker.html, page.file.src_uri))
        content = generated.assemble(html, self._cleaner(page))
        self._index_converted(page, content, config)
        return content

    on_page_content = CombinedEvent(_converted, _assembled)

    def _cleaner(self, page: Page) -> Callable[[str], str]:
        """The sanitiser of ``page``'s converted HTML: what its conversion's entry holds."""
        conversions = self._conversions
        if conversions is None:
            return sanitize_html
        return lambda html: conversions.clean(html, page, sanitize_html)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Collect the brief PDFs (rendering while MkDocs converted the pages) and add them,
        or leave out the feeds the page worker renders; compile the page shell's templates once for
        every build (``<cache>/templates``).

        The brief pages' HTML is rendered here, with the PDFs' figures; a brief whose PDF
        failed fails the build before any page is written. In a preview, reuse the page
        shell's templates compiled by the previous build.
        """
        if self._preview is not None:
            self._preview.install_bytecode_cache(env)
        else:  # checked against each template's source before use (and Python's version)
            folder = self.settings.cache_root / TEMPLATES_CACHE
            with contextlib.suppress(OSError):  # no cache: the templates are compiled as before
                folder.mkdir(parents=True, exist_ok=True)
                env.bytecode_cache = CheckedBytecodeCache(str(folder))
        self._stop_helper()  # every page is converted
        late = self._late
        if late is not None:
            self._files = files
            late.add_pdfs(self._pdf_downloads(self._run(late.pdfs), config, files))
        if self._worker is not None:  # the worker's feeds are written at the end
            for uri in self._feed_files:
                feed = files.get_file_from_path(uri)
                if feed is not None:
                    files.remove(feed)
            self._split = self._split_render(config, env, files)
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
        """Return a preview's brief PDFs (when enabled): a build's come from :meth:`on_env`."""
        if not self.settings.pdf.enabled or self._preview is None:
            return {}
        report = self._preview.pdf_report(named_corpus(corpus, self.settings), self.settings)
        log_meters(corpus, report.meters, report.rendered)
        return self._pdf_downloads(report, config, files)

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
        for slug, info in sorted(report.results.items()):
            self._add_file(files, config, urls.brief_pdf(slug), path=info.cache_path)
        return pdf_downloads(report)

    def _late_page(self, source: str, config: MkDocsConfig) -> GeneratedPage:
        """Return a page whose HTML shows the downloads, collecting the packs if it shows them."""
        late = self._late
        assert late is not None
        if late.needs_packs(source):
            self._collect_packs(config)
        return late.page(source)

    def _collect_packs(self, config: MkDocsConfig) -> None:
        """Wait for the packs and print files, copy them in and render the pages showing packs (once)."""
        late = self._late
        if late is None or late.packs_in:
            return
        packs, made = self._run(late.packs)
        downloads = {} if packs is None else self._pack_downloads(packs, config, self._files)
        if made is not None:
            self._add_print_files(made, config, self._files)
        late.add_packs(downloads)

    def _stop_downloads(self) -> None:
        """Cancel a build's PDF, pack and print-file steps, its page worker (killed) and the
        second process of its page loop (the child itself leaves here: an interrupted child
        never runs the build's clean-up)."""
        split, self._split = self._split, None
        if split is not None:
            split.close()
        if self._late is not None:
            self._late.cancel()
            self._late = None
        if self._worker is not None:
            self._worker.close()
            self._worker, self._later = None, set()

    def _pack_downloads(self, packs: SitePacks, config: MkDocsConfig, files: Files
                        ) -> dict[DownloadKey, Download]:
        """Log the skipped packs, copy the made ones into the site and return their downloads."""
        for skipped in packs.skipped:
            log.info("pack skipped: %s: %s", skipped.key, skipped.reason)
        self.stats.packs, self.stats.packs_skipped = len(packs.made), len(packs.skipped)
        self.stats.packs_cached = len(packs.cached)
        downloads = pack_downloads(packs)
        for key, info in sorted(packs.made.items(), key=lambda item: urls.pack(item[0])):
            _copy(files, File.generated(config, downloads[key].href, abs_src_path=str(info.path)))
        return downloads

    def _add_print_files(self, made: PrintFiles, config: MkDocsConfig, files: Files) -> None:
        """Log the print files' findings, fail on their errors, copy them into the site."""
        _log(made.findings)
        errors = [f for f in made.findings if f.severity is Severity.ERROR]
        if errors:
            raise PluginError("print files failed:\n" + "\n".join(f.format() for f in errors))
        for uri, path in sorted(made.files.items()):
            _copy(files, File.generated(config, uri, abs_src_path=str(path)))


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
