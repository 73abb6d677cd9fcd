"""How to cite a brief: shared by the web page, the PDF and the feeds."""

from __future__ import annotations

from site_builder import urls
from site_builder.model import Brief
from site_builder.settings import Settings


def series_of(brief: Brief, settings: Settings) -> str:
    """Return the brief's series name, or the project's default series."""
    return brief.series or settings.series


def author_line(brief: Brief, settings: Settings) -> str:
    """Return the authors joined for display, or the publisher when there are none."""
    return "; ".join(brief.authors) if brief.authors else settings.publisher


def citation(brief: Brief, settings: Settings) -> str:
    """Return a plain-text citation: authors (year). Title. Series. Publisher. URL."""
    url = settings.url_for(urls.brief(brief.slug))
    return (
        f"{author_line(brief, settings)} ({brief.year}). {brief.title}. "
        f"{series_of(brief, settings)}. {settings.publisher}. {url}"
    )
