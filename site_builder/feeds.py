"""Atom 1.0 feeds: the whole collection, one per theme and one per country.

Deterministic: a feed's ``updated`` is its newest brief's date, entries are in index
order, and nothing depends on the clock. Links are absolute (``settings.site_url``).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from site_builder.citation import brief_path
from site_builder.index import Index
from site_builder.model import Brief
from site_builder.pages.markup import full_date
from site_builder.settings import Settings
from site_builder.vocabulary import get_country

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50
"""Entries per feed: the newest briefs (readers poll feeds; they need not hold the archive)."""
_EPOCH = "1970-01-01T00:00:00Z"


def atom_date(date: str) -> str:
    """Return a brief date (``YYYY-MM-DD`` or ``YYYY-MM``) as an RFC 3339 timestamp."""
    return f"{full_date(date)}T00:00:00Z"


def render_feed(title: str, feed_path: str, page_path: str, briefs: Iterable[Brief],
                index: Index, settings: Settings) -> str:
    """Return one Atom feed of ``briefs`` (newest first, at most ``FEED_LIMIT``)."""
    entries = list(briefs)[:FEED_LIMIT]
    updated = atom_date(entries[0].date) if entries else _EPOCH
    feed_url = settings.url_for(feed_path)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="en">',
        f"  <title>{escape(title)}</title>",
        f"  <id>{escape(feed_url)}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(settings.url_for(page_path))}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(settings.publisher)}</name></author>",
        f"  <rights>{escape(settings.licence)}</rights>",
    ]
    lines += [_entry(brief, index, settings) for brief in entries]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _entry(brief: Brief, index: Index, settings: Settings) -> str:
    url = settings.url_for(brief_path(brief.slug))
    categories = [
        f'    <category term={quoteattr(t)} scheme={quoteattr(settings.url_for("themes/"))} '
        f"label={quoteattr(index.corpus.themes[t].title if t in index.corpus.themes else t)}/>"
        for t in brief.themes
    ] + [
        f'    <category term={quoteattr(c)} scheme={quoteattr(settings.url_for("countries/"))} '
        f"label={quoteattr(get_country(c).name)}/>"
        for c in brief.countries
    ]
    authors = [f"    <author><name>{escape(a)}</name></author>" for a in brief.authors]
    return "\n".join([
        f'  <entry xml:lang="{escape(brief.language)}">',
        f"    <title>{escape(brief.title)}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        f"    <id>{escape(url)}</id>",
        f"    <published>{atom_date(brief.date)}</published>",
        f"    <updated>{atom_date(brief.date)}</updated>",
        *authors,
        f"    <summary>{escape(brief.summary)}</summary>",
        *categories,
        "  </entry>",
    ])


def render_feeds(index: Index, settings: Settings) -> dict[str, str]:
    """Return every feed by site path: ``feed.xml``, ``themes/<id>/feed.xml``, ``countries/<iso3>/feed.xml``."""
    feeds = {"feed.xml": render_feed(settings.site_name, "feed.xml", "", index.briefs,
                                     index, settings)}
    for theme in index.corpus.themes.values():
        feeds[f"themes/{theme.id}/feed.xml"] = render_feed(
            f"{theme.title} — {settings.site_name}", f"themes/{theme.id}/feed.xml",
            f"themes/{theme.id}/", index.by_theme.get(theme.id, []), index, settings)
    for code, briefs in index.by_country.items():
        slug = code.lower()
        feeds[f"countries/{slug}/feed.xml"] = render_feed(
            f"{get_country(code).name} — {settings.site_name}", f"countries/{slug}/feed.xml",
            f"countries/{slug}/", briefs, index, settings)
    return feeds
