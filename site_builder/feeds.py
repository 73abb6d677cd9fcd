"""Atom 1.0 feeds: the whole collection, one per theme and one per country.

Rendered from the template ``feeds/atom.xml`` (autoescaped). Deterministic: a feed's
``updated`` is its newest brief's date, entries are in index order, and nothing depends
on the clock. Links are absolute (``settings.site_url``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from site_builder import urls
from site_builder.index import Index
from site_builder.model import Brief, BriefDate
from site_builder.settings import Settings
from site_builder.templating import Templates, templates_for

FEED_LIMIT = 50
"""Entries per feed: the newest briefs (readers poll feeds; they need not hold the archive)."""
_EPOCH = "1970-01-01T00:00:00Z"


def atom_date(date: BriefDate) -> str:
    """Return a brief date as an RFC 3339 timestamp (a month-only date is its first day)."""
    return f"{date.first_day.isoformat()}T00:00:00Z"


def render_feed(title: str, feed_path: str, page_path: str, briefs: Iterable[Brief],
                settings: Settings, templates: Templates,
                at: urls.LanguageUrls | None = None) -> str:
    """Return one Atom feed of ``briefs`` (newest first, at most ``FEED_LIMIT``)."""
    at = at or urls.LanguageUrls()
    chosen = list(briefs)[:FEED_LIMIT]
    entries = [{"brief": b, "url": settings.url_for(urls.brief(b.slug)), "date": atom_date(b.date)}
               for b in chosen]
    return templates.render(
        "feeds/atom.xml", title=title, feed_url=settings.url_for(feed_path),
        page_url=settings.url_for(page_path),
        updated=atom_date(chosen[0].date) if chosen else _EPOCH,
        publisher=settings.publisher, licence=settings.licence, entries=entries,
        themes_scheme=settings.url_for(at.themes()),
        countries_scheme=settings.url_for(at.countries()),
    )


def render_feeds(indexes: Mapping[str, Index] | Index, settings: Settings) -> dict[str, str]:
    """Return every feed by site path: ``feed.xml``, ``themes/<id>/feed.xml``, ``countries/<iso3>/feed.xml``.

    With an index per site language, each language has its own feeds (``fr/feed.xml``…)
    listing what its pages list.
    """
    return {path: render() for path, render in feed_plan(indexes, settings).items()}


def feed_plan(indexes: Mapping[str, Index] | Index, settings: Settings
              ) -> dict[str, Callable[[], str]]:
    """Return every feed's site path with what renders it (the paths are known at once)."""
    if isinstance(indexes, Index):
        indexes = {settings.language: indexes}
    plan: dict[str, Callable[[], str]] = {}
    for language, index in indexes.items():
        plan.update(_language_feeds(index, settings, language))
    return plan


def _language_feeds(index: Index, settings: Settings, language: str
                    ) -> dict[str, Callable[[], str]]:
    templates = templates_for(settings.theme, language)
    at = urls.LanguageUrls.of(language, settings.language)
    name = settings.site_name

    def feed(title: str, path: str, page: str, briefs: Iterable[Brief]) -> Callable[[], str]:
        return lambda: render_feed(title, path, page, briefs, settings, templates, at)

    feeds = {at.feed(): feed(name, at.feed(), at.home(), index.briefs)}
    for theme in index.corpus.themes.values():
        feeds[at.theme_feed(theme.id)] = feed(
            f"{theme.title} — {name}", at.theme_feed(theme.id), at.theme(theme.id),
            index.by_theme.get(theme.id, []))
    for code, briefs in index.by_country.items():
        feeds[at.country_feed(code)] = feed(
            f"{index.country(code).name} — {name}", at.country_feed(code), at.country(code),
            briefs)
    return feeds
