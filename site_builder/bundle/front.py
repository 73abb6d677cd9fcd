"""Render a bundle's cover and contents pages with WeasyPrint (template ``bundle/front.html``)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from site_builder.country_names import sort_key
from site_builder.findings import BriefsError
from site_builder.localise import localise_brief
from site_builder.model import Brief, Corpus
from site_builder.settings import Settings
from site_builder.templating import templates_for
from site_builder.theme_files import BUILTIN


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents page."""

    brief: Brief
    start_label: int  # the page label (arabic) on which the brief starts


@dataclass(frozen=True)
class Cover:
    """The texts of a bundle's cover."""

    title: str
    subtitle: str = ""
    event: str = ""
    date: str = ""
    series: str = ""
    language: str = ""
    """The language of the cover and contents ("" for the site's default)."""


def _theme_only_fetcher(roots: tuple[Path, ...]) -> Any:  # a WeasyPrint URLFetcher (untyped)
    """Return a WeasyPrint URL fetcher that serves files under the theme's folders and nothing else."""
    from weasyprint import URLFetcher

    resolved = [r.resolve() for r in roots]

    class ThemeFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> object:
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"refused (bundles load theme files only): {url}")
            path = Path(os.path.realpath(unquote(parts.path)))
            if not any(path.is_relative_to(r) for r in resolved) or not path.is_file():
                raise ValueError(f"refused (outside the theme folder): {url}")
            return super().fetch(url, headers)

    return ThemeFetcher(allowed_protocols={"file"}, allow_redirects=False)


def front_html(cover: Cover, entries: list[ContentsEntry], corpus: Corpus, settings: Settings,
               language: str | None = None) -> str:
    """Return the HTML of the cover page and the contents page(s) (template ``bundle/front.html``).

    Words, dates and names (themes, countries) are in ``language``, else the cover's, else
    the site's default language.
    """
    theme = settings.theme
    language = language or cover.language or settings.language
    briefs = [localise_brief(e.brief, language, settings.language) for e in entries]
    order = list(corpus.themes)
    themes = sorted({t for b in briefs for t in b.themes},
                    key=lambda t: order.index(t.id) if t.id in order else len(order))
    countries = sorted({c.name for b in briefs for c in b.countries}, key=sort_key)
    templates = templates_for(theme, language)
    return templates.render(
        "bundle/front.html", cover=cover,
        entries=[(n, b, e.start_label) for n, (b, e) in enumerate(zip(briefs, entries,
                                                                      strict=True), start=1)],
        themes=[t.title for t in themes], countries=countries,
        stylesheet=theme.find("bundle/bundle.css").as_uri(),
    )


def page_numbers(layout_ranges: dict[str, range], total: int) -> list[int | None]:
    """Return the printed number of each page from the first brief on (None: a blank page).

    ``layout_ranges`` are the briefs' page indexes counted from the first brief, as in a
    layout planned with no front pages; the numbers are the pack's arabic page labels, so
    they equal the contents page's.
    """
    numbered = {page for pages in layout_ranges.values() for page in pages}
    return [page + 1 if page in numbered else None for page in range(total)]


def render_page_numbers(numbers: list[int | None], settings: Settings) -> bytes:
    """Render one page per pack page with its number at the foot (template ``bundle/page-numbers.html``)."""
    from weasyprint import HTML

    from site_builder.pdf.fonts import theme_font_config

    theme = settings.theme
    source = templates_for(theme, settings.language).render(
        "bundle/page-numbers.html", numbers=numbers,
        stylesheet=theme.find("bundle/bundle.css").as_uri())
    document = HTML(string=source, base_url=BUILTIN.as_uri() + "/",
                    url_fetcher=_theme_only_fetcher(theme.roots)).render(
                        font_config=theme_font_config())
    out = io.BytesIO()
    document.write_pdf(out, pdf_identifier=b"country-briefs-page-numbers", custom_metadata=False)
    return out.getvalue()


def render_front(cover: Cover, entries: list[ContentsEntry], corpus: Corpus,
                 settings: Settings, user_css: str = "") -> bytes:
    """Render cover and contents to PDF bytes (deterministic for the same input).

    ``user_css`` is laid over the theme's stylesheet (a print file's bleed).

    Like the briefs, the front pages use the theme's fonts only (never the machine's), so
    a character those fonts lack (say, in a bundle file's title) is an error, not a hole.
    """
    from weasyprint import CSS, HTML

    from site_builder.pdf.fonts import describe_characters, missing_characters, theme_font_config

    theme = settings.theme
    source = front_html(cover, entries, corpus, settings)
    missing = missing_characters(source, theme.fonts_dir)
    if missing:
        raise BriefsError(
            f"cannot bundle '{cover.title}': {describe_characters(missing)} not in the theme's "
            f"fonts ({theme.fonts_dir}); change the cover text or add a font that has them"
        )
    fetcher = _theme_only_fetcher(theme.roots)
    css = [CSS(string=user_css, base_url=BUILTIN.as_uri() + "/", url_fetcher=fetcher)] if user_css else []
    document = HTML(string=source, base_url=BUILTIN.as_uri() + "/",
                    url_fetcher=fetcher).render(font_config=theme_font_config(), stylesheets=css)
    out = io.BytesIO()
    document.write_pdf(out, pdf_identifier=b"country-briefs-bundle-front", custom_metadata=False)
    return out.getvalue()
