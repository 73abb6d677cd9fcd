"""The sitemap: a small index at ``sitemap.xml`` and the pages, with ``hreflang``, beside it.

mkdocs-material's script fetches ``sitemap.xml`` next to every ``<link rel="alternate">``
of a page (for its language selector, which this site does not use: the switcher links
each page's own versions). A full sitemap there costs a reader tens of kilobytes on every
first visit of a large collection, and an ``hreflang`` link to a page's French version
made it fetch ``fr/…/sitemap.xml``, a 404. So the language versions are declared in the
sitemap (``xhtml:link``, which search engines read as they read the head's links), the
head keeps only the feeds' links, and ``sitemap.xml`` is an index of a few hundred bytes
naming ``sitemap-pages.xml``, with a copy beside every feed (``fr/``, ``themes/<id>/``…)
for the same fetch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.templating import Templates, templates_for

if TYPE_CHECKING:
    from site_builder.pages.site import PageLanguages
    from site_builder.settings import Settings

INDEX = "sitemap.xml"
PAGES = "sitemap-pages.xml"


@dataclass(frozen=True)
class SitemapEntry:
    """One page: its public URL, its date and its versions in other languages."""

    loc: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...] = ()


def sitemap_files(entries: Iterable[SitemapEntry], pages_loc: str, feed_dirs: Iterable[str],
                  templates: Templates) -> dict[str, str]:
    """Return the sitemap files by site path: the index (at the root and beside each feed) and the pages."""
    ordered = sorted(entries, key=lambda e: e.loc)
    index = templates.render("sitemap/index.xml", pages_loc=pages_loc)
    files = {INDEX: index, PAGES: templates.render("sitemap/pages.xml", entries=ordered)}
    for folder in feed_dirs:
        files[f"{folder}/{INDEX}" if folder else INDEX] = index
    return files


def write_sitemap(site_dir: Path, settings: Settings, pages: Iterable[tuple[str, str, str | None]],
                  languages: Mapping[str, PageLanguages], feed_dirs: Iterable[str]) -> None:
    """Write the sitemap index and the pages' sitemap, with their language versions, into ``site_dir``.

    ``pages`` are (source path, site path, date) of every page written; ``languages`` maps
    a source path to its language versions (a site of several languages).
    """
    entries = []
    for source, path, date in pages:
        versions = languages.get(source)
        alternates = versions.alternates if versions and len(versions.alternates) > 1 else ()
        entries.append(SitemapEntry(settings.url_for(path), date or None,
                                    tuple((lang, settings.url_for(other))
                                          for lang, other in alternates)))
    words = templates_for(settings.theme, settings.language)
    for uri, text in sitemap_files(entries, settings.url_for(PAGES), feed_dirs, words).items():
        (site_dir / uri).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / uri).write_text(text, encoding="utf-8")
