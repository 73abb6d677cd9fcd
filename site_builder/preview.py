"""What ``briefs serve`` adds to the site: drafts, the page meter, the PDF preview, incremental rebuilds.

The MkDocs plugin calls this module on its serve-mode paths only; a built site never
carries any of it.

- **Drafts** are shown (:class:`PreviewCorpus`), with a banner, and their PDFs rendered.
- **The page meter** (``briefs/partials/meter.html``) opens every brief page: pages used
  of the budget, how full the last one is, about how many words to cut or room left, and a
  button showing the brief's PDF beside the page (``assets/preview/``). The errors page
  lists the briefs out of their budget (``briefs/partials/budget-list.html``).
- **Incremental rebuilds.** MkDocs serves with ``--dirty`` semantics, and every file the
  plugin adds is a :class:`PreviewFile` that tells MkDocs whether it changed since the
  previous build (same source, same HTML around it, same page shell): MkDocs converts
  and writes only the pages that did, and copies only the files that did. Files the
  previous build wrote and this one no longer makes are deleted from the served folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from site_builder import urls
from site_builder.i18n import LOCALES_DIR
from site_builder.model import Brief, Corpus
from site_builder.pages.base import GeneratedPage
from site_builder.pages.site import ERRORS_PAGE, SitePages
from site_builder.pdf.meter import PageMeter
from site_builder.settings import Settings, load_settings
from site_builder.theme_files import BUILTIN, MATERIAL, TEMPLATES

log = logging.getLogger("mkdocs.plugins.site_builder")

PREVIEW_ASSETS = "assets/preview/"
"""Site folder of the preview's script and stylesheet (published by ``briefs serve`` only)."""
METER_TEMPLATE = "briefs/partials/meter.html"
BUDGET_LIST_TEMPLATE = "briefs/partials/budget-list.html"
MAX_METER_LINES = 20
"""A build that lays out more briefs than this logs a count, not a meter line each."""


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

    signatures: dict[str, str] = field(default_factory=dict)
    """Source path to the signature of what the previous build made of it."""
    written: set[str] = field(default_factory=set)
    """Site paths the previous build's generated files were written to."""
    meters: dict[MeterView, str] = field(default_factory=dict)
    """The meters' HTML of the previous build (see :func:`add_meters`)."""
    bytecode: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
    """The page shell's compiled templates (see :meth:`install_bytecode_cache`)."""
    _next: dict[str, str] = field(default_factory=dict)
    _next_written: set[str] = field(default_factory=set)
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
        return signature != self._templates

    def install_bytecode_cache(self, env: jinja2.Environment) -> None:
        """Let MkDocs' environment of this build reuse the templates compiled by the last."""
        env.bytecode_cache = self.bytecode

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
        self._next, self._next_written = {}, set()

    def add(self, files: Files, config: MkDocsConfig, uri: str, *, page: GeneratedPage | None = None,
            text: str | None = None, path: Path | None = None,
            inclusion: InclusionLevel = InclusionLevel.UNDEFINED) -> PreviewFile:
        """Add a generated page (``page``), text file (``text``) or file on disk (``path``)."""
        if page is not None:
            file = PreviewFile.generated(config, uri, content=page.source, inclusion=inclusion)
            signature = _digest(self._shell, page.source, page.html, str(page.sanitize))
        elif text is not None:
            file = PreviewFile.generated(config, uri, content=text, inclusion=inclusion)
            signature = _digest(text)
        else:
            assert path is not None
            file = PreviewFile.generated(config, uri, abs_src_path=str(path), inclusion=inclusion)
            info = path.stat()
            signature = _digest(str(path), str(info.st_mtime_ns), str(info.st_size))
        assert isinstance(file, PreviewFile)  # File.generated builds the class it is called on
        file.unchanged = self.signatures.get(uri) == signature
        self._next[uri] = signature
        self._next_written.add(file.dest_uri)
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(file)
        return file

    def finish(self, site_dir: str) -> int:
        """End a build: delete what the previous one wrote and this one did not; return how many."""
        gone = self.written - self._next_written
        for dest in gone:
            target = os.path.join(site_dir, dest)
            if os.path.isfile(target):
                os.remove(target)
        self.signatures, self.written = self._next, self._next_written
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


def add_meters(site: SitePages, corpus: Corpus, meters: dict[str, PageMeter],
               pdfs: dict[str, Path], memo: dict[MeterView, str] | None = None) -> None:
    """Open every laid-out brief's page with its meter; list the briefs out of budget on ``errors/``.

    ``memo`` keeps each meter's HTML from one preview build to the next (a save changes one).
    """
    memo = {} if memo is None else memo
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
                         pdf.stem[:16] if pdf else "")
        views.append(view)
        html = memo.get(view) or context.render(METER_TEMPLATE, urls.brief(brief.slug),
                                                view=view, preview_assets=PREVIEW_ASSETS)
        kept[view] = html
        site.pages[source] = replace(page, html=html + page.html)
    memo.clear()
    memo.update(kept)
    errors = site.pages.get(ERRORS_PAGE)
    if errors is not None:
        html = context.render(BUDGET_LIST_TEMPLATE, urls.errors(), views=views,
                              out_of_budget=[v for v in views if v.meter.state != "ok"],
                              budget=context.settings.pdf.pages)
        site.pages[ERRORS_PAGE] = replace(errors, html=errors.html + html)


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
    """Return mkdocs.yml's own ``site_url`` (``mkdocs serve`` replaces it with its address)."""
    return load_settings(project).site_url


def without_preview_assets(assets: dict[str, Any]) -> dict[str, Any]:
    """Return the site's assets without the preview's (a built site does not carry them)."""
    return {uri: path for uri, path in assets.items() if not uri.startswith(PREVIEW_ASSETS)}
