"""What ``briefs serve`` adds to the site: drafts, the page meter, the PDF preview, incremental rebuilds.

The MkDocs plugin calls this module on its serve-mode paths only; a built site never
carries any of it.

- **Drafts** are shown (:class:`PreviewCorpus`), with a banner, and their PDFs rendered.
- **The page meter** (``briefs/partials/meter.html``) opens every brief page: pages used
  of the budget, how full the last one is, about how many words to cut or room left, and a
  button showing the brief's PDF beside the page (``assets/preview/``). The errors page
  lists the briefs out of their budget (``briefs/partials/budget-list.html``).
- **Incremental rebuilds.** Unchanged brief files are not parsed again
  (:mod:`site_builder.preview_files`), unchanged briefs keep their PDFs and a saved one's
  is laid out in the background (:mod:`site_builder.preview_pdfs`), pages are rendered
  again only when what they show changed (:mod:`site_builder.preview_pages`). MkDocs
  serves with ``--dirty`` semantics, and every file the plugin adds is a
  :class:`PreviewFile` that tells MkDocs whether it changed since the previous build (same
  source, same HTML around it, same page shell): MkDocs converts and writes only the pages
  that did, and copies only the files that did. Files the previous build wrote and this
  one no longer makes are deleted from the served folder. :data:`TIMELINE` times the steps.
- **A broken vocabulary** is listed at the home page too (:func:`show_vocabulary_errors`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from site_builder import urls
from site_builder.corpus import REGIONS_FILE, THEMES_FILE
from site_builder.downloads import Downloads
from site_builder.findings import Finding, Severity, summary_line
from site_builder.i18n import LOCALES_DIR
from site_builder.index import Index
from site_builder.model import Brief, Corpus
from site_builder.pages.base import GeneratedPage
from site_builder.pages.errors import failing_briefs, render_brief_error_page
from site_builder.pages.site import ERRORS_PAGE, SitePages
from site_builder.pdf.meter import PageMeter
from site_builder.preview_files import RememberedBriefs, file_signature
from site_builder.preview_gate import WriteGate
from site_builder.preview_pages import PreviewPages
from site_builder.preview_pdfs import PreviewPdfs
from site_builder.settings import Settings, load_settings
from site_builder.theme_files import BUILTIN, MATERIAL, TEMPLATES

if TYPE_CHECKING:
    from site_builder.pdf import PdfReport

log = logging.getLogger("mkdocs.plugins.site_builder")

PREVIEW_ASSETS = "assets/preview/"
"""Site folder of the preview's script and stylesheet (published by ``briefs serve`` only)."""
METER_TEMPLATE = "briefs/partials/meter.html"
BUDGET_LIST_TEMPLATE = "briefs/partials/budget-list.html"
MAX_METER_LINES = 20
"""A build that lays out more briefs than this logs a count, not a meter line each."""


class Timeline:
    """When each step of a rebuild happened, counted from the save that caused it.

    The server starts it at the first file event after a build; the plugin marks its
    steps; the end of a build logs them (at INFO with ``BRIEFS_TIMELINE=1``, else DEBUG)
    and keeps the save's time, so the rebuild a background PDF asks for is timed from the
    same save.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._saved: float | None = None
        self._idle = True
        self._marks: list[tuple[str, float]] = []

    def start(self) -> None:
        """Note a save (only the first one since the last build counts)."""
        with self._lock:
            if self._idle:
                self._saved, self._idle, self._marks = time.perf_counter(), False, []

    def mark(self, step: str) -> None:
        """Note that ``step`` just ended."""
        with self._lock:
            if self._saved is not None:
                self._marks.append((step, time.perf_counter() - self._saved))

    def finish(self, step: str) -> None:
        """End a build: log its steps."""
        self.mark(step)
        with self._lock:
            marks, self._marks, self._idle = self._marks, [], True
        level = logging.INFO if os.environ.get("BRIEFS_TIMELINE") == "1" else logging.DEBUG
        if marks:
            log.log(level, "timeline: %s", ", ".join(f"{s} {t:.3f} s" for s, t in marks))


TIMELINE = Timeline()
"""The one timeline of the preview running in this process."""


class PreviewCorpus(Corpus):
    """A corpus whose drafts are shown: in the preview every valid brief is on the site."""

    @property
    def published(self) -> list[Brief]:
        """Every valid brief, drafts included."""
        return self.briefs


def preview_corpus(corpus: Corpus) -> PreviewCorpus:
    """Return the corpus with its drafts shown."""
    return PreviewCorpus(root=corpus.root, briefs=corpus.briefs, themes=corpus.themes,
                         regions=corpus.regions, n_files=corpus.n_files)


class PreviewFile(File):
    """A generated file that knows whether it changed since the previous preview build."""

    unchanged: bool = False

    def is_modified(self) -> bool:
        """Tell MkDocs (building with ``dirty``) whether to convert and write this file again."""
        return not self.unchanged


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory from one preview build to the next.

    MkDocs makes a new Jinja environment for every build, so mkdocs-material's templates
    would be compiled again on every save; a bucket holds the source's checksum, so an
    edited template is compiled again.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from memory (Jinja checks the source's checksum)."""
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a compiled template."""
        self._store[bucket.key] = bucket.bytecode_to_string()


@dataclass
class PreviewSession:
    """What one ``briefs serve`` remembers from one build to the next."""

    signatures: dict[str, object] = field(default_factory=dict)
    """Source path to the signature of what the previous build made of it."""
    written: set[str] = field(default_factory=set)
    """Site paths the previous build's generated files were written to."""
    meters: dict[MeterView, str] = field(default_factory=dict)
    """The meters' HTML of the previous build (see :func:`add_meters`)."""
    bytecode: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
    """The page shell's compiled templates (see :meth:`install_bytecode_cache`)."""
    pdfs: PreviewPdfs = field(default_factory=PreviewPdfs)
    """The briefs' PDFs, a saved brief's laid out in the background."""
    pages: PreviewPages = field(default_factory=PreviewPages)
    """The generated pages, rendered again only when what they show changed."""
    loader: RememberedBriefs = field(default_factory=RememberedBriefs)
    """Reads the brief files for :func:`~site_builder.corpus.load_corpus`, unchanged ones once."""
    _logged: dict[str, set[Finding]] = field(default_factory=dict)
    _feeds: tuple[int, dict[str, str]] = (0, {})
    _errors: tuple[object, GeneratedPage | None] = ((), None)
    _budget: tuple[object, str] = ((), "")
    _decorated: dict[str, tuple[GeneratedPage, str, GeneratedPage]] = field(default_factory=dict)
    _signed: dict[str, tuple[object, str]] = field(default_factory=dict)
    _files: dict[str, tuple[tuple[object, ...], PreviewFile]] = field(default_factory=dict)
    """Source path to the last build's file and what it was made from (see :meth:`add`)."""
    _next_files: dict[str, tuple[tuple[object, ...], PreviewFile]] = field(default_factory=dict)
    _next: dict[str, object] = field(default_factory=dict)
    _next_written: set[str] = field(default_factory=set)
    _steady: set[str] = field(default_factory=set)
    gate: WriteGate | None = None
    """The server's (``briefs serve``'s own): told which files a build leaves alone."""
    _shell: str = ""
    _templates: str = ""

    def templates_changed(self, settings: Settings) -> bool:
        """Tell whether the theme's templates or catalogues changed since the last call."""
        digest = hashlib.sha256()
        for folder in (BUILTIN / TEMPLATES, LOCALES_DIR, settings.custom_dir):
            for root, _, names in os.walk(folder) if folder is not None else ():
                for name in sorted(names):
                    info = os.stat(os.path.join(root, name))
                    digest.update(f"{root}/{name}:{info.st_mtime_ns}:{info.st_size}\0".encode())
        signature, self._templates = self._templates, digest.hexdigest()
        if signature != self._templates:
            self.meters.clear()  # rendered with the old templates
            self.pages.forget()
        return signature != self._templates

    def pdf_report(self, corpus: Corpus, settings: Settings) -> PdfReport:
        """Return this build's PDFs (see :class:`~site_builder.preview_pdfs.PreviewPdfs`)."""
        report = self.pdfs.report(corpus, settings)
        TIMELINE.mark(f"PDFs ({len(report.rendered)} laid out, {len(self.pdfs.estimates)} later)")
        return report

    def render_pages(self, indexes: dict[str, Index], settings: Settings,
                     downloads: Downloads) -> SitePages:
        """Return the site's pages, only those whose inputs changed rendered again."""
        site = self.pages.render(indexes, settings, downloads)
        TIMELINE.mark(f"pages ({self.pages.rendered} brief pages rendered)")
        return site

    def feeds(self, indexes: dict[str, Index], settings: Settings) -> dict[str, str]:
        """Return the Atom feeds, rendered again only when the listing pages were."""
        from site_builder.feeds import render_feeds

        if self._feeds[0] != self.pages.listing or not self.pages.listing:
            self._feeds = (self.pages.listing, render_feeds(indexes, settings))
        return self._feeds[1]

    def unlogged(self, channel: str, findings: Iterable[Finding]) -> list[Finding]:
        """Return the findings the previous build did not log on ``channel`` (the others were)."""
        found = list(findings)
        before, self._logged[channel] = self._logged.get(channel, set()), set(found)
        return [f for f in found if f not in before]

    def decorate(self, site: SitePages, corpus: Corpus, findings: list[Finding],
                 meters: dict[str, PageMeter], pdfs: dict[str, Path]) -> None:
        """Add the preview's pages to the site: errors, meters, the budget list, a broken vocabulary at home."""
        context = site.context
        assert context is not None
        key = (tuple(findings), corpus.n_files)
        if self._errors[0] != key or self._errors[1] is None:
            site.add_errors(findings, corpus.n_files)
            self._errors = (key, site.pages[ERRORS_PAGE])
        else:
            site.pages[ERRORS_PAGE] = self._errors[1]
            for slug, found in failing_briefs(findings).items():
                site.pages.setdefault(urls.source(urls.brief(slug)),
                                      render_brief_error_page(slug, found, context))
        show_vocabulary_errors(site, findings, corpus.n_files)
        add_meters(site, corpus, meters, pdfs, self)
        TIMELINE.mark("meters")

    def _same_page(self, source: str, page: GeneratedPage, html: str) -> GeneratedPage:
        """Return the page with ``html`` before its own; the same object as last build's if nothing changed."""
        known = self._decorated.get(source)
        if known is not None and known[0] is page and known[1] == html:
            return known[2]
        made = replace(page, html=html + page.html)
        self._decorated[source] = (page, html, made)
        return made

    def _budget_list(self, context: Any, views: list[MeterView]) -> str:
        """Return the errors page's budget list, rendered again only when a measured meter changed."""
        key = tuple((v.brief.slug, v.brief.title, v.brief.draft, v.meter) for v in views)
        if self._budget[0] != key or not self._budget[1]:
            self._budget = (key, context.render(
                BUDGET_LIST_TEMPLATE, urls.errors(), views=views,
                out_of_budget=[v for v in views if v.meter.state != "ok"],
                budget=context.settings.pdf.pages))
        return self._budget[1]

    def serve_with(self, server: Any) -> None:
        """Rebuild on ``server`` when a PDF laid out in the background is ready.

        ``briefs serve``'s server also learns which files each build leaves alone (its
        :class:`~site_builder.preview_gate.WriteGate`), to serve them while it runs.
        """
        self.pdfs.on_ready = lambda: request_rebuild(server)
        self.gate = getattr(server, "gate", None)

    def install_bytecode_cache(self, env: jinja2.Environment) -> None:
        """Let MkDocs' environment of this build reuse the templates compiled by the last.

        MkDocs writes the site from here on: the files this build does not change are
        told to the server's gate.
        """
        env.bytecode_cache = self.bytecode
        if self.gate is not None:
            self.gate.writing(self._steady)

    def begin(self, config: MkDocsConfig, files: Files, settings: Settings) -> None:
        """Start a build: note what every page's shell depends on (config, nav, overrides)."""
        digest = hashlib.sha256()
        if config.config_file_path and os.path.isfile(config.config_file_path):
            digest.update(Path(config.config_file_path).read_bytes())
        digest.update("\0".join(sorted(f.src_uri for f in files.documentation_pages())).encode())
        for folder in (BUILTIN / MATERIAL, settings.custom_dir):
            for root, _, names in os.walk(folder) if folder is not None else ():
                for name in sorted(names):
                    info = os.stat(os.path.join(root, name))
                    digest.update(f"{root}/{name}:{info.st_mtime_ns}:{info.st_size}\0".encode())
        self._shell = digest.hexdigest()
        self._next, self._next_written, self._next_files, self._steady = {}, set(), {}, set()
        TIMELINE.mark("corpus loaded")

    def add(self, files: Files, config: MkDocsConfig, uri: str, *, page: GeneratedPage | None = None,
            text: str | None = None, path: Path | None = None,
            inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> PreviewFile:
        """Add a generated page (``page``), text file (``text``) or file on disk (``path``).

        A file made from what the last build's was made from, with the same inclusion (and
        site folder and URL style), is
        that build's very :class:`PreviewFile`: MkDocs keeps its page (``file.page``, read
        and converted by the build that made it) rather than make a new one, and neither
        converts nor writes it again.
        """
        signature: object
        if page is not None:
            known = self._signed.get(uri)
            if known is not None and known[0] is page:
                signature = known[1]  # the very page of the last build: no need to hash it
            else:
                signature = _digest(page.source, page.html, str(page.sanitize))
                self._signed[uri] = (page, signature)
            signature = (self._shell, signature)
        elif text is not None:
            signature = _digest(text)
        else:
            assert path is not None
            info = os.stat(path)
            signature = (str(path), info.st_mtime_ns, info.st_size)
        key = (signature, inclusion, config.site_dir, config.use_directory_urls)
        kept = self._files.get(uri)
        if kept is not None and kept[0] == key:
            file = kept[1]
        else:
            content = page.source if page is not None else text
            made = PreviewFile.generated(config, uri, content=content, inclusion=inclusion) \
                if content is not None else \
                PreviewFile.generated(config, uri, abs_src_path=str(path), inclusion=inclusion)
            assert isinstance(made, PreviewFile)  # File.generated builds the class it is called on
            file = made
        self._next_files[uri] = (key, file)
        file.unchanged = self.signatures.get(uri) == signature
        if file.unchanged:
            self._steady.add(file.dest_uri)
        else:
            self._steady.discard(file.dest_uri)
        self._next[uri] = signature
        self._next_written.add(file.dest_uri)
        existing = files.src_uris.get(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)
        return file

    def last_file(self, uri: str) -> PreviewFile | None:
        """Return the file the last build (that ended) added at source path ``uri``, if any."""
        kept = self._files.get(uri)
        return kept[1] if kept is not None else None

    def finish(self, site_dir: str) -> int:
        """End a build: delete what the previous one wrote and this one did not; return how many."""
        gone = self.written - self._next_written
        for dest in gone:
            target = os.path.join(site_dir, dest)
            if os.path.isfile(target):
                os.remove(target)
        self.signatures, self.written = self._next, self._next_written
        self._files, self._next_files = self._next_files, {}
        TIMELINE.mark("pages written")
        return len(gone)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class MeterView:
    """What the meter template shows for one brief."""

    brief: Brief
    meter: PageMeter
    pdf_href: str | None
    """The brief's PDF on the site (over-budget pages marked), or None when it has none."""
    version: str
    """Changes with the PDF's bytes: the preview loads the new one after a save."""
    estimate: PageMeter | None = None
    """While the saved brief's PDF is laid out: its meter estimated from the words added or cut."""


def add_meters(site: SitePages, corpus: Corpus, meters: dict[str, PageMeter],
               pdfs: dict[str, Path], session: PreviewSession) -> None:
    """Open every laid-out brief's page with its meter; list the briefs out of budget on ``errors/``.

    The ``session`` keeps each meter's HTML from one build to the next (a save changes
    one), shows the estimates of the briefs whose PDF is being laid out, and hands out the
    last build's page objects for the pages that did not change.
    """
    memo, estimates = session.meters, session.pdfs.estimates
    kept: dict[MeterView, str] = {}
    context = site.context
    assert context is not None
    views: list[MeterView] = []
    for brief in corpus.briefs:
        meter = meters.get(brief.slug)
        source = urls.source(urls.brief(brief.slug))
        page = site.pages.get(source)
        if meter is None or page is None or not page.sanitize:  # not laid out, or an error page
            continue
        pdf = pdfs.get(brief.slug)
        view = MeterView(brief, meter, urls.brief_pdf(brief.slug) if pdf else None,
                         pdf.stem[:16] if pdf else "", estimates.get(brief.slug))
        views.append(view)
        html = memo.get(view) or context.render(METER_TEMPLATE, urls.brief(brief.slug),
                                                view=view, preview_assets=PREVIEW_ASSETS)
        kept[view] = html
        site.pages[source] = session._same_page(source, page, html)
    memo.clear()
    memo.update(kept)
    errors = site.pages.get(ERRORS_PAGE)
    if errors is not None:
        site.pages[ERRORS_PAGE] = session._same_page(ERRORS_PAGE, errors,
                                                     session._budget_list(context, views))


def show_vocabulary_errors(site: SitePages, findings: list[Finding], n_briefs: int) -> None:
    """While ``themes.yml`` or ``regions.yml`` has errors, show the errors page at home too.

    A broken vocabulary fails every brief that uses it: the site would open on an empty
    home page. Each language's home page lists the errors instead, until the file is fixed.
    """
    if not any(f.severity is Severity.ERROR and Path(f.path).name in (THEMES_FILE, REGIONS_FILE)
               for f in findings):
        return
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is not Severity.ERROR]
    for context in site.contexts.values():
        home = context.urls.home()
        site.pages[urls.source(home)] = context.page(
            "briefs/errors.html", home, context.templates.gettext("Errors"),
            summary=summary_line(n_briefs, findings), errors=errors, warnings=warnings)


def request_rebuild(server: Any) -> None:
    """Ask MkDocs' live-reload server for a rebuild (as a saved file does), from any thread."""
    if hasattr(server, "request_rebuild"):  # briefs serve's own server
        server.request_rebuild()
        return
    with server._rebuild_cond:  # mkdocs serve's server: the same private attributes
        server._want_rebuild = True
        server._rebuild_cond.notify_all()


def log_meters(corpus: Corpus, meters: dict[str, PageMeter], rendered: list[str]) -> None:
    """Log the meter of each brief laid out again in this build (the terminal's page meter)."""
    if len(rendered) > MAX_METER_LINES:
        over = sum(1 for m in meters.values() if m.state == "overflow")
        log.info("page meter: %d briefs laid out, %d over their budget (see /errors/)",
                 len(rendered), over)
        return
    by_slug = {b.slug: b for b in corpus.briefs}
    for slug in rendered:
        if slug in meters and slug in by_slug:
            log.info("%s: %s", by_slug[slug].rel_path, meters[slug].describe())


def configured_site_url(project: Path) -> str:
    """Return mkdocs.yml's own ``site_url`` (``mkdocs serve`` replaces it with its address).

    Read again only when mkdocs.yml changed (every rebuild asks).
    """
    key = (project, file_signature(project / "mkdocs.yml"))
    if key not in _SITE_URLS:
        _SITE_URLS.clear()
        _SITE_URLS[key] = load_settings(project).site_url
    return _SITE_URLS[key]


_SITE_URLS: dict[tuple[Path, object], str] = {}


def without_preview_assets(assets: dict[str, Any]) -> dict[str, Any]:
    """Return the site's assets without the preview's (a built site does not carry them)."""
    return {uri: path for uri, path in assets.items() if not uri.startswith(PREVIEW_ASSETS)}
