"""Render every generated page of the site from the index: the one entry point adapters call.

Returns plain data (source path → :class:`GeneratedPage`); the MkDocs plugin turns each
into a generated file and assembles its HTML after conversion. Nothing here knows MkDocs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from site_builder import urls
from site_builder.downloads import Downloads
from site_builder.findings import Finding
from site_builder.image_derivatives import DerivativeCache
from site_builder.index import Index
from site_builder.pages.base import GeneratedPage, SiteContext
from site_builder.pages.brief import render_brief_page
from site_builder.pages.countries import (
    render_countries_index,
    render_country_page,
    render_region_page,
)
from site_builder.pages.coverage import render_coverage_page
from site_builder.pages.errors import failing_briefs, render_brief_error_page, render_errors_page
from site_builder.pages.home import render_home_page
from site_builder.pages.pictures import brief_pictures
from site_builder.pages.themes import render_theme_page, render_themes_index
from site_builder.search import facet_counts, facets, search_messages
from site_builder.settings import Settings
from site_builder.templating import Templates, templates_for

SEARCH_PAGE = "search/index.md"
SEARCH_STYLESHEET = "assets/search/search.css"
"""The Search page's own stylesheet (the header's search box is styled in briefs.css)."""
ERRORS_PAGE = "errors/index.md"
IMAGES_CACHE = "images"
"""Folder of the image renditions in the project's cache."""


def N_(message: str) -> str:
    """Mark a word for the catalogue; it is translated where it is shown."""
    return message


NAV_WORDS = (N_("Home"), N_("About"))
"""Titles of mkdocs.yml's ``nav`` that the pages of other languages show translated
(besides those of the generated pages: Themes, Countries, Coverage, Search)."""


@dataclass(frozen=True)
class PageLanguages:
    """A page's language and its versions in the site's other languages."""

    language: str
    versions: tuple[tuple[str, str], ...]
    """(language, site path) of the page in every site language (the switcher's targets)."""
    alternates: tuple[tuple[str, str], ...]
    """(language, site path) of every language version of the page (``hreflang`` links)."""


@dataclass
class SitePages:
    """The generated Markdown pages and the brief files (images...) they need published."""

    pages: dict[str, GeneratedPage] = field(default_factory=dict)
    """Source path (``briefs/<slug>/index.md``) to the page."""
    assets: dict[str, Path] = field(default_factory=dict)
    """Site path (``briefs/<slug>/img/x.svg``) to the file on disk."""
    dates: dict[str, str] = field(default_factory=dict)
    """Source path of a brief page to the brief's date (``YYYY-MM-DD``)."""
    newest: str | None = None
    """The newest brief's date: the last change of every other page."""
    context: SiteContext | None = None
    """The default language's context."""
    contexts: dict[str, SiteContext] = field(default_factory=dict)
    """Each site language's context."""
    languages: dict[str, PageLanguages] = field(default_factory=dict)
    """Source path to the page's language versions (on a site of several languages)."""

    def date_of(self, src_uri: str) -> str | None:
        """Return a page's last-modified date for the sitemap (content dates, never the clock)."""
        return self.dates.get(src_uri, self.newest)

    def add_errors(self, findings: list[Finding], n_briefs: int) -> None:
        """Add the preview's errors page, and an error page for each failing brief."""
        assert self.context is not None
        self.pages[ERRORS_PAGE] = render_errors_page(findings, n_briefs, self.context)
        for slug, found in failing_briefs(findings).items():
            self.pages.setdefault(urls.source(urls.brief(slug)),
                                  render_brief_error_page(slug, found, self.context))


def site_context(index: Index, settings: Settings, downloads: Downloads,
                 language: str | None = None) -> SiteContext:
    """Return the context the renderers of one site language share (the default's by default)."""
    language = language or settings.language
    return SiteContext(index, settings, downloads, templates_for(settings.theme, language),
                       urls.LanguageUrls.of(language, settings.language))


class _Unrendered(Templates):
    """A language's words without its templates: every render is empty.

    For the pages' sources before the downloads their HTML shows are known (see
    :func:`render_site_pages`'s ``unrendered``): the titles are translated as usual.
    """

    renders = False

    def __init__(self, words: Templates) -> None:
        self.__dict__.update(words.__dict__)  # the words' catalogue and environment, shared

    def render(self, name: str, page_path: str | None = None, **context: Any) -> str:
        """Render nothing."""
        return ""


def brief_language(brief_lang: str, settings: Settings) -> str:
    """Return the language a brief's page is in: its own if the site has it, else the default."""
    return brief_lang if brief_lang in settings.languages else settings.language


BRIEF_PAGES = "briefs"
"""The brief pages: their HTML shows the brief PDFs (size, pages)."""
LISTING_PAGES = "listings"
"""Every other generated page: theme, country, region, coverage, home, search; their HTML
shows the packs."""


def render_site_pages(indexes: Mapping[str, Index] | Index, settings: Settings,
                      downloads: Downloads, *, unrendered: bool = False,
                      html_later: bool = False) -> SitePages:
    """Render every page: briefs, themes, countries, regions, coverage, home and search.

    ``indexes`` holds an index per site language (or one index: the default language's).
    A brief's page is rendered once, in the brief's language when the site has it; the
    listing pages once per language, the default's at the root and the others' under
    their code. ``downloads`` carries the PDFs and packs; with ``settings.search``, brief
    pages carry Pagefind's metadata, theme and country pages link to a pre-filtered search,
    and each language has a Search page; the
    briefs' raster images get responsive renditions, made once and kept in
    ``<cache_root>/images/``.

    ``unrendered`` makes everything but the pages' HTML (left empty): their sources, files,
    dates and language versions, which no download changes. A build that is still making
    its PDFs and packs hands MkDocs these, and renders the HTML with
    :func:`render_page_html` once they are made. ``html_later`` leaves out only the pages'
    HTML, which :func:`page_html` renders elsewhere meanwhile: the brief pages' pictures
    (their image renditions) are made here as usual.
    """
    if isinstance(indexes, Index):
        indexes = {settings.language: indexes}
    contexts = _contexts(indexes, settings, downloads, unrendered)
    result = SitePages(context=contexts[settings.language], contexts=contexts)
    pages = result.pages
    shells = _contexts(indexes, settings, downloads, True) \
        if html_later and not unrendered else contexts
    pages.update(_brief_pages(contexts, settings, result, shells))
    result.newest = max(result.dates.values(), default=None)
    pages.update(_listing_pages(shells, settings))
    if len(contexts) > 1:
        result.languages = _language_versions(contexts, settings, set(pages))
    return result


def render_page_html(indexes: Mapping[str, Index] | Index, settings: Settings,
                     downloads: Downloads, part: str,
                     wanted: Callable[[str], bool] = lambda source: True
                     ) -> dict[str, GeneratedPage]:
    """Render one part of the pages (:data:`BRIEF_PAGES` or :data:`LISTING_PAGES`) with ``downloads``.

    The same pages as :func:`render_site_pages` makes of that part: the brief pages need
    only the brief PDFs among ``downloads``, the listing pages the packs too. Of the
    listing pages, only those whose source path is ``wanted`` are rendered.
    """
    if isinstance(indexes, Index):
        indexes = {settings.language: indexes}
    contexts = _contexts(indexes, settings, downloads)
    if part == BRIEF_PAGES:
        return _brief_pages(contexts, settings, SitePages())
    return _listing_pages(contexts, settings, wanted)


def page_html(indexes: Mapping[str, Index], settings: Settings, downloads: Downloads,
              part: str, chunk: int = 100) -> Iterator[dict[str, str]]:
    """Yield the HTML of one part of the pages, by source path, ``chunk`` brief pages at a time.

    For the pages of :func:`render_site_pages` with ``html_later``: the same HTML
    :func:`render_page_html` renders, without the brief pages' pictures (made by the
    process that has their sources). The listing pages come in one piece.
    """
    contexts = _contexts(indexes, settings, downloads)
    if part != BRIEF_PAGES:
        yield {source: page.html for source, page in _listing_pages(contexts, settings).items()}
        return
    done: dict[str, str] = {}
    for source, page in _each_brief_page(contexts, settings, SitePages(), contexts,
                                         pictures=False):
        done[source] = page.html
        if len(done) == chunk:
            yield done
            done = {}
    if done:
        yield done


def _contexts(indexes: Mapping[str, Index], settings: Settings, downloads: Downloads,
              unrendered: bool = False) -> dict[str, SiteContext]:
    contexts = {lang: site_context(indexes[lang], settings, downloads, lang) for lang in indexes}
    if unrendered:
        contexts = {lang: replace(site, templates=_Unrendered(site.templates))
                    for lang, site in contexts.items()}
    return contexts


def _brief_pages(contexts: Mapping[str, SiteContext], settings: Settings, result: SitePages,
                 shells: Mapping[str, SiteContext] | None = None) -> dict[str, GeneratedPage]:
    """Render the brief pages; add their files and dates to ``result``.

    ``shells`` render the pages' HTML (default: ``contexts``).
    """
    return dict(_each_brief_page(contexts, settings, result, shells or contexts))


def _each_brief_page(contexts: Mapping[str, SiteContext], settings: Settings, result: SitePages,
                     shells: Mapping[str, SiteContext], pictures: bool = True
                     ) -> Iterator[tuple[str, GeneratedPage]]:
    """Yield each brief page as it is rendered; ``pictures=False`` leaves out the images'
    renditions and files."""
    renditions = DerivativeCache(settings.cache_root / IMAGES_CACHE)
    for slug, brief in contexts[settings.language].index.by_slug.items():
        lang = brief_language(brief.language, settings) if len(contexts) > 1 \
            else settings.language
        site = contexts[lang]
        own = site.index.by_slug[slug]
        source = urls.source(urls.brief(slug))
        page = render_brief_page(own, shells[lang])
        if pictures:
            result.assets.update(own.web.assets)
            found = brief_pictures(own, renditions, site.templates)
            result.assets.update(found.assets)
            page = replace(page, pictures=found.rewrite)
        result.dates[source] = brief.date.first_day.isoformat()
        yield source, page


def _listing_pages(contexts: Mapping[str, SiteContext], settings: Settings,
                   wanted: Callable[[str], bool] = lambda source: True
                   ) -> dict[str, GeneratedPage]:
    """Render every language's listing pages (those whose source path is ``wanted``)."""
    pages: dict[str, GeneratedPage] = {}
    counts = _search_counts(contexts, settings) if settings.search else {}
    everything = _merged(list(counts.values())) if len(contexts) > 1 else None
    for lang, site in contexts.items():
        _render_listings(site, pages, counts.get(lang, {}), everything, wanted)
    return pages


def _render_listings(site: SiteContext, pages: dict[str, GeneratedPage],
                     counts: dict[str, dict[str, int]],
                     everything: dict[str, dict[str, int]] | None,
                     wanted: Callable[[str], bool]) -> None:
    """Render one language's theme, country, region, coverage, home and search pages."""
    index, at = site.index, site.urls

    def add(path: str, render: Callable[..., GeneratedPage], *args: Any, **kwargs: Any) -> None:
        if wanted(source := urls.source(path)):
            pages[source] = render(*args, **kwargs)

    for theme in index.corpus.themes.values():
        add(at.theme(theme.id), render_theme_page, theme, site)
    add(at.themes(), render_themes_index, site)
    for code in index.by_country:
        add(at.country(code), lambda code: render_country_page(index.country(code), site), code)
    add(at.countries(), render_countries_index, site)
    for region in index.corpus.regions.values():
        add(at.region(region.id), render_region_page, region, site)
    add(at.coverage(), render_coverage_page, site)
    add(at.home(), render_home_page, site)
    if site.settings.search:
        others = [lang for lang in site.settings.languages if lang != site.language]
        add(at.search(), site.page, "briefs/search.html", at.search(),
            site.templates.gettext("Search"), stylesheets=(SEARCH_STYLESHEET,),
            facets=facets(site.templates), counts=counts, all_counts=everything,
            all_languages=others, messages=search_messages(site.templates))


def _search_counts(contexts: Mapping[str, SiteContext], settings: Settings
                   ) -> dict[str, dict[str, dict[str, int]]]:
    """Return each language's facet counts over the brief pages in its search index.

    Pagefind indexes each page under its ``<html lang>``: a language's index holds the
    briefs whose page is in that language, with the filter values that page carries.
    """
    default = contexts[settings.language]
    if len(contexts) == 1:
        return {settings.language: facet_counts(default.index.briefs, default.index.corpus)}
    mine: dict[str, list[str]] = {lang: [] for lang in contexts}
    for slug, brief in default.index.by_slug.items():
        mine[brief_language(brief.language, settings)].append(slug)
    return {lang: facet_counts([site.index.by_slug[s] for s in mine[lang]], site.index.corpus,
                               site.page_language)
            for lang, site in contexts.items()}


def _merged(tables: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Add facet counts of several indexes together."""
    total: dict[str, dict[str, int]] = {}
    for table in tables:
        for key, values in table.items():
            into = total.setdefault(key, {})
            for value, n in values.items():
                into[value] = into.get(value, 0) + n
    return {key: dict(sorted(values.items())) for key, values in total.items()}


def _language_versions(contexts: Mapping[str, SiteContext], settings: Settings,
                       sources: set[str]) -> dict[str, PageLanguages]:
    """Return each page's versions in the site's languages (switcher and ``hreflang``)."""
    found: dict[str, PageLanguages] = {}
    default = contexts[settings.language]
    kinds: list[tuple[str, ...]] = [("home",), ("themes",), ("countries",), ("coverage",),
                                    ("search",)]
    kinds += [("theme", t) for t in default.index.corpus.themes]
    kinds += [("region", r) for r in default.index.corpus.regions]
    codes = sorted({c for site in contexts.values() for c in site.index.by_country})
    kinds += [("country", c) for c in codes]
    for kind, *args in kinds:
        paths = {lang: getattr(site.urls, kind)(*args) for lang, site in contexts.items()}
        fallback = {lang: site.urls.countries() for lang, site in contexts.items()}
        have = {lang: p if urls.source(p) in sources else fallback[lang]
                for lang, p in paths.items()}
        alternates = tuple((lang, p) for lang, p in paths.items() if urls.source(p) in sources)
        for lang, path in alternates:
            found[urls.source(path)] = PageLanguages(lang, tuple(have.items()), alternates)
    for slug, brief in default.index.by_slug.items():
        page_lang = brief_language(brief.language, settings)
        others = default.index.translations.get(slug, [])
        versions = []
        for lang, site in contexts.items():
            if lang == page_lang:
                versions.append((lang, urls.brief(slug)))
                continue
            match = next((b for b in others if b.language == lang), None)
            versions.append((lang, urls.brief(match.slug) if match else
                             site.urls.theme(brief.theme_ids[0])))
        alternates = tuple(sorted([(brief.language, urls.brief(slug))]
                                  + [(b.language, urls.brief(b.slug)) for b in others]))
        found[urls.source(urls.brief(slug))] = PageLanguages(page_lang, tuple(versions),
                                                             alternates)
    return found
