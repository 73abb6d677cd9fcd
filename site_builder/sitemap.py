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

from collections.abc import Iterable
from dataclasses import dataclass

from site_builder.templating import Templates

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
