"""Small HTML builders shared by the page renderers: escaping, URLs, dates, cards, chips.

Renderers return a :class:`GeneratedPage`: escaped HTML (built here) around an optional
Markdown body. Links between generated pages
are relative URLs computed from the page's own site path, which keeps the site working
from any base URL and offline from the file system.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape

from site_builder.citation import brief_path
from site_builder.markdown_render import sanitize_html
from site_builder.model import Brief, Theme
from site_builder.pages.downloads import Download
from site_builder.vocabulary import get_country

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

SearchHref = Callable[[str, str], str]
"""``search_href(facet, value)``: the site path of the search pre-filtered on a facet
(``"theme"``/``"country"``), or None when there is no search (issue 6 plugs it in)."""


@dataclass(frozen=True)
class GeneratedPage:
    """A generated page: the source MkDocs converts, and HTML placed around the result.

    Only ``source`` (front matter, plus a brief's Markdown body) goes through Markdown;
    generated HTML is added after conversion, which keeps the build close to a bare
    MkDocs build (Python-Markdown's raw-HTML parser is slow on large HTML blocks).
    """

    source: str
    """Front matter and Markdown for MkDocs (empty Markdown for index pages)."""
    before: str = ""
    """HTML placed before the converted Markdown (the page header, or the whole page)."""
    after: str = ""
    """HTML placed after the converted Markdown (a brief's footer)."""
    sanitize: bool = False
    """Clean the converted Markdown with nh3 (an author's Markdown may carry raw HTML)."""

    def assemble(self, converted: str) -> str:
        """Return the page's HTML from what MkDocs converted of ``source``."""
        body = sanitize_html(converted) if self.sanitize else converted
        return self.before + body + self.after


def html_page(meta: str, *parts: str) -> GeneratedPage:
    """Return a page made of front matter and generated HTML only."""
    return GeneratedPage(source=meta, before=block(*parts))


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(str(text), quote=True)


def theme_path(theme_id: str) -> str:
    """Return the site path of a theme page."""
    return f"themes/{theme_id}/"


def country_path(alpha3: str) -> str:
    """Return the site path of a country page (lower-case alpha-3)."""
    return f"countries/{alpha3.lower()}/"


def region_path(region_id: str) -> str:
    """Return the site path of a region page."""
    return f"regions/{region_id}/"


class Linker:
    """Make relative URLs from one page (a site path like ``themes/x/``) to others.

    Every target is a site path from the site root, so the URL is the way up to the
    root (``../`` per folder level of the page) followed by the target.
    """

    def __init__(self, page_path: str) -> None:
        depth = page_path.strip("/").count("/") + 1 if page_path.strip("/") else 0
        self._up = "../" * depth

    def __call__(self, target: str) -> str:
        """Return the URL of site path ``target`` relative to this page."""
        if target.startswith(("http://", "https://", "#")):
            return target
        return (self._up + target) or "./"


def format_date(date: str) -> str:
    """Return ``2016-02-23`` as ``23 February 2016`` and ``2016-02`` as ``February 2016``."""
    parts = date.split("-")
    month = MONTHS[int(parts[1]) - 1] if len(parts) > 1 else ""
    if len(parts) == 3:
        return f"{int(parts[2])} {month} {parts[0]}"
    return f"{month} {parts[0]}".strip()


def full_date(date: str) -> str:
    """Return a brief date as ``YYYY-MM-DD`` (a month-only date becomes its first day)."""
    return date if len(date) == 10 else f"{date}-01"


def time_tag(date: str) -> str:
    """Return a ``<time>`` element for a brief date."""
    return f'<time datetime="{esc(date)}">{esc(format_date(date))}</time>'


def plural(n: int, word: str, words: str | None = None) -> str:
    """Return ``1 brief`` / ``3 briefs``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def front_matter(title: str, **meta: object) -> str:
    """Return a YAML front-matter block (JSON scalars are valid YAML and need no quoting rules)."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()
              if value is not None]
    return "\n".join([*lines, "---", ""])


def block(*parts: str) -> str:
    """Join HTML parts, one per line."""
    return "\n".join(p for p in parts if p) + "\n"


def country_links(codes: Iterable[str], url: Callable[[str], str]) -> str:
    """Return the countries as linked names, comma separated."""
    return ", ".join(
        f'<a href="{url(country_path(code))}">{esc(get_country(code).name)}</a>' for code in codes
    )


def country_names(codes: Iterable[str]) -> str:
    """Return the countries' names, comma separated (escaped)."""
    return esc(", ".join(get_country(code).name for code in codes))


def theme_chips(theme_ids: Iterable[str], themes: Mapping[str, Theme],
                url: Callable[[str], str]) -> str:
    """Return the themes as a list of linked chips."""
    items = "".join(
        f'<li><a class="chip" href="{url(theme_path(t))}">{esc(_theme_title(t, themes))}</a></li>'
        for t in theme_ids
    )
    return f'<ul class="chips" aria-label="Themes">{items}</ul>'


def _theme_title(theme_id: str, themes: Mapping[str, Theme]) -> str:
    theme = themes.get(theme_id)
    return theme.title if theme else theme_id


def brief_card(brief: Brief, url: Callable[[str], str], level: int = 3) -> str:
    """Return a card for a list of briefs: title (linked), countries, date, summary."""
    lang = f' lang="{esc(brief.language)}"' if brief.language != "en" else ""
    return (
        f'<li class="card brief-card"{lang}>'
        f'<h{level} class="card-title"><a href="{url(brief_path(brief.slug))}">'
        f"{esc(brief.title)}</a></h{level}>"
        f'<p class="card-meta"><span class="card-countries">{country_names(brief.countries)}'
        f"</span> · {time_tag(brief.date)}</p>"
        f'<p class="card-summary">{esc(brief.summary)}</p></li>'
    )


def brief_cards(briefs: Iterable[Brief], url: Callable[[str], str], level: int = 3,
                label: str | None = None) -> str:
    """Return a list of brief cards."""
    aria = f' aria-label="{esc(label)}"' if label else ""
    cards = "\n".join(brief_card(b, url, level) for b in briefs)
    return f'<ul class="cards brief-cards"{aria}>\n{cards}\n</ul>'


def download_link(download: Download | None, url: Callable[[str], str],
                  css_class: str = "download") -> str:
    """Return a download link with its kind, pages and size, or nothing when absent."""
    if download is None:
        return ""
    return (
        f'<p class="{css_class}"><a class="md-button" href="{url(download.href)}" download>'
        f"{esc(download.label)}</a> <span class=\"download-info\">({esc(download.describe())})"
        "</span></p>"
    )


def search_link(search_href: SearchHref | None, facet: str, value: str, label: str,
                url: Callable[[str], str]) -> str:
    """Return the "search within" link (issue 6 hook), or nothing without search."""
    if search_href is None:
        return ""
    return (f'<p class="search-within"><a href="{url(search_href(facet, value))}">'
            f"{esc(label)}</a></p>")


def feed_link(feed: str, url: Callable[[str], str], label: str = "Atom feed") -> str:
    """Return a link to an Atom feed."""
    return f'<a class="feed-link" href="{url(feed)}" type="application/atom+xml">{esc(label)}</a>'
