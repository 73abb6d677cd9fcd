"""Atom 1.0 feeds: the whole collection, one per theme and one per country.

Rendered from the template ``feeds/atom.xml`` (autoescaped). Deterministic: a feed's
``updated`` is its newest brief's date, entries are in index order, and nothing depends
on the clock. Links are absolute (``settings.site_url``).
"""

from __future__ import annotations

from collections.abc import Iterable

from site_builder import urls
from site_builder.index import Index
from site_builder.model import Brief, BriefDate
from site_builder.settings import Settings
from site_builder.templating import Templates, templates_for
from site_builder.vocabulary import get_country

FEED_LIMIT = 50
"""Entries per feed: the newest briefs (readers poll feeds; they need not hold the archive)."""
_EPOCH = "1970-01-01T00:00:00Z"


def atom_date(date: BriefDate) -> str:
    """Return a brief date as an RFC 3339 timestamp (a month-only date is its first day)."""
    return f"{date.first_day.isoformat()}T00:00:00Z"


def render_feed(title: str, feed_path: str, page_path: str, briefs: Iterable[Brief],
                settings: Settings, templates: Templates) -> str:
    """Return one Atom feed of ``briefs`` (newest first, at most ``FEED_LIMIT``)."""
    chosen = list(briefs)[:FEED_LIMIT]
    entries = [{"brief": b, "url": settings.url_for(urls.brief(b.slug)), "date": atom_date(b.date)}
               for b in chosen]
    return templates.render(
        "feeds/atom.xml", title=title, feed_url=settings.url_for(feed_path),
        page_url=settings.url_for(page_path),
        updated=atom_date(chosen[0].date) if chosen else _EPOCH,
        publisher=settings.publisher, licence=settings.licence, entries=entries,
        themes_scheme=settings.url_for(urls.themes()),
        countries_scheme=settings.url_for(urls.countries()),
    )


def render_feeds(index: Index, settings: Settings) -> dict[str, str]:
    """Return every feed by site path: ``feed.xml``, ``themes/<id>/feed.xml``, ``countries/<iso3>/feed.xml``."""
    templates = templates_for(settings.theme, settings.language)
    name = settings.site_name
    feeds = {urls.feed(): render_feed(name, urls.feed(), urls.home(), index.briefs, settings,
                                      templates)}
    for theme in index.corpus.themes.values():
        feeds[urls.theme_feed(theme.id)] = render_feed(
            f"{theme.title} — {name}", urls.theme_feed(theme.id), urls.theme(theme.id),
            index.by_theme.get(theme.id, []), settings, templates)
    for code, briefs in index.by_country.items():
        feeds[urls.country_feed(code)] = render_feed(
            f"{get_country(code).name} — {name}", urls.country_feed(code), urls.country(code),
            briefs, settings, templates)
    return feeds
