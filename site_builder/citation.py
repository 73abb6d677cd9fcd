"""How to cite a brief, and where it lives: shared by the web page, the PDF and the feeds."""

from __future__ import annotations

from site_builder.model import Brief
from site_builder.settings import Settings


def brief_path(slug: str) -> str:
    """Return the site path of a brief page, e.g. ``briefs/moz-enssb/``."""
    return f"briefs/{slug}/"


def pdf_path(slug: str) -> str:
    """Return the site path of a brief's PDF, e.g. ``pdf/moz-enssb.pdf``."""
    return f"pdf/{slug}.pdf"


def series_of(brief: Brief, settings: Settings) -> str:
    """Return the brief's series name, or the project's default series."""
    return brief.series or settings.series


def author_line(brief: Brief, settings: Settings) -> str:
    """Return the authors joined for display, or the publisher when there are none."""
    return "; ".join(brief.authors) if brief.authors else settings.publisher


def citation(brief: Brief, settings: Settings) -> str:
    """Return a plain-text citation: authors (year). Title. Series. Publisher. URL."""
    url = settings.url_for(brief_path(brief.slug))
    return (
        f"{author_line(brief, settings)} ({brief.year}). {brief.title}. "
        f"{series_of(brief, settings)}. {settings.publisher}. {url}"
    )
