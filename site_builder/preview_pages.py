"""The generated pages of ``briefs serve``, each rendered again only when what it shows changed.

:func:`~site_builder.pages.site.render_site_pages` renders every page of the site; a save
changes one brief. The preview keeps the pages of the previous build with what each was
rendered from:

- a brief's page: the brief (its fields and body, in its page's language), its PDF's
  download, and its folder's files (images and their renditions);
- every other page (themes, countries, regions, coverage, home, search, and the related
  briefs and translations each brief page lists): the *listing* fields of every brief
  (every field but the body), the vocabularies, the settings and the packs.

When the listing inputs are unchanged (a save that edits a brief's body, the usual one),
only the brief pages whose own inputs changed are rendered again; otherwise everything
is, as in a build. The theme's templates and catalogues changing (see
:meth:`~site_builder.preview.PreviewSession.templates_changed`) also renders everything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from site_builder import urls
from site_builder.downloads import BriefPdf, Downloads
from site_builder.image_derivatives import DerivativeCache
from site_builder.index import Index
from site_builder.model import Brief
from site_builder.pages.base import GeneratedPage
from site_builder.pages.brief import render_brief_page
from site_builder.pages.pictures import brief_pictures
from site_builder.pages.site import (
    IMAGES_CACHE,
    SitePages,
    brief_language,
    render_site_pages,
    site_context,
)
from site_builder.preview_files import tree_signature
from site_builder.settings import Settings

_NOT_LISTED = ("path", "rel_path", "root", "body", "body_line")
"""Brief fields no page but the brief's own shows."""


def listing_fields(brief: Brief) -> tuple[object, ...]:
    """Return the fields of a brief that pages other than its own show (all but the body)."""
    return tuple(getattr(brief, f.name) for f in dataclasses.fields(brief)
                 if f.name not in _NOT_LISTED)


@dataclass(frozen=True)
class ListingInputs:
    """Every input of the pages other than the brief pages' own parts."""

    briefs: tuple[tuple[str, tuple[Brief, ...], tuple[str, ...]], ...]
    """Per language: every brief of its index, and the slugs it lists in order."""
    vocabularies: tuple[object, ...]
    packs: tuple[object, ...]
    settings: Settings

    @classmethod
    def of(cls, indexes: Mapping[str, Index], settings: Settings,
           downloads: Downloads) -> ListingInputs:
        """Return the listing inputs of a build."""
        return cls(tuple((lang, tuple(index.by_slug.values()), tuple(b.slug for b in index.briefs))
                         for lang, index in indexes.items()),
                   tuple((tuple(i.corpus.themes.values()), tuple(i.corpus.regions.values()))
                         for i in indexes.values()),
                   tuple(sorted((str(k), v) for k, v in downloads.items()
                                if not isinstance(k, BriefPdf))),
                   settings)

    def same_as(self, other: ListingInputs | None) -> bool:
        """Tell whether the listing pages of ``other``'s build show the same (bodies aside)."""
        if other is None or (self.vocabularies, self.packs, self.settings) != \
                (other.vocabularies, other.packs, other.settings):
            return False
        if len(self.briefs) != len(other.briefs):
            return False
        for (lang, briefs, order), (lang2, briefs2, order2) in zip(self.briefs, other.briefs,
                                                                   strict=True):
            if lang != lang2 or order != order2 or len(briefs) != len(briefs2):
                return False
            for a, b in zip(briefs, briefs2, strict=True):  # the same objects, mostly
                if a is not b and listing_fields(a) != listing_fields(b):
                    return False
        return True


@dataclass(frozen=True)
class _BriefPage:
    """A brief page of the previous build and what it was rendered from."""

    brief: Brief
    """The brief as its page shows it (localised to the page's language)."""
    inputs: tuple[object, ...]
    page: GeneratedPage
    assets: dict[str, Path]


@dataclass
class PreviewPages:
    """The previous build's pages and their inputs (see the module's docstring)."""

    rendered: int = 0
    """Brief pages rendered by the last :meth:`render` (the others were reused)."""
    listing: int = 0
    """Counts the builds that rendered the listing pages (changes when they are rendered)."""
    _inputs: ListingInputs | None = None
    _site: SitePages | None = None
    _briefs: dict[str, _BriefPage] = field(default_factory=dict)

    def forget(self) -> None:
        """Render every page in the next build (the templates changed)."""
        self._inputs, self._site, self._briefs = None, None, {}

    def render(self, indexes: Mapping[str, Index] | Index, settings: Settings,
               downloads: Downloads) -> SitePages:
        """Return every page of the site, as :func:`render_site_pages` does, rendering only what changed."""
        if isinstance(indexes, Index):
            indexes = {settings.language: indexes}
        inputs = ListingInputs.of(indexes, settings, downloads)
        if not inputs.same_as(self._inputs) or self._site is None:
            return self._render_all(indexes, settings, downloads, inputs)
        contexts = {lang: site_context(indexes[lang], settings, downloads, lang) for lang in indexes}
        previous = self._site
        result = replace(previous, pages=dict(previous.pages), assets={},
                         context=contexts[settings.language], contexts=contexts)
        renditions = DerivativeCache(settings.cache_root / IMAGES_CACHE)
        folders: dict[Path, str] = {}
        self.rendered = 0
        for slug, brief in contexts[settings.language].index.by_slug.items():
            site = contexts[brief_language(brief.language, settings)]
            own = site.index.by_slug[slug]
            if own.folder not in folders:
                folders[own.folder] = tree_signature(own.folder, skip_suffix=".md")
            own_inputs = (downloads.get(BriefPdf(slug)), folders[own.folder])
            known = self._briefs.get(slug)
            if known is None or known.brief != own or known.inputs != own_inputs:
                assets = dict(own.web.assets)
                pictures = brief_pictures(own, renditions, site.templates)
                assets.update(pictures.assets)
                page = replace(render_brief_page(own, site), pictures=pictures.rewrite)
                known = self._briefs[slug] = _BriefPage(own, own_inputs, page, assets)
                self.rendered += 1
            result.pages[urls.source(urls.brief(slug))] = known.page
            result.assets.update(known.assets)
        self._site = result
        return _copy(result)

    def _render_all(self, indexes: Mapping[str, Index], settings: Settings,
                    downloads: Downloads, inputs: ListingInputs) -> SitePages:
        """Render every page, and remember each brief page's inputs."""
        site = render_site_pages(indexes, settings, downloads)
        self._briefs = {}
        folders: dict[Path, str] = {}
        default = indexes[settings.language]
        for slug, brief in default.by_slug.items():
            own = indexes[brief_language(brief.language, settings)].by_slug[slug]
            if own.folder not in folders:
                folders[own.folder] = tree_signature(own.folder, skip_suffix=".md")
            page = site.pages[urls.source(urls.brief(slug))]
            assets = {uri: path for uri, path in site.assets.items()
                      if uri.startswith(urls.brief(slug))}
            self._briefs[slug] = _BriefPage(own, (downloads.get(BriefPdf(slug)),
                                                  folders[own.folder]), page, assets)
        self._inputs, self._site = inputs, site
        self.listing += 1
        self.rendered = len(default.by_slug)
        return _copy(site)


def _copy(site: SitePages) -> SitePages:
    """Return the pages to hand out: the caller adds the preview's pages and meters to them."""
    return replace(site, pages=dict(site.pages), assets=dict(site.assets))
