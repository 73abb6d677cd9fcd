"""The page of one brief: header, summary, body, download, citation, translations, related.

The body is the author's Markdown (links rewritten, see :mod:`site_builder.pages.links`)
between two markers; :func:`sanitize_body` cleans the HTML rendered from it, and only
it, so the generated header and footer keep their markup.
"""

from __future__ import annotations

import re
import secrets

from site_builder.citation import author_line, brief_path, citation, series_of
from site_builder.index import Index
from site_builder.markdown_render import sanitize_html
from site_builder.model import Brief
from site_builder.pages.downloads import Downloads, pdf_key
from site_builder.pages.markup import (
    Linker,
    block,
    country_links,
    download_link,
    esc,
    front_matter,
    theme_chips,
    time_tag,
)
from site_builder.settings import Settings
from site_builder.vocabulary import language_name

RELATED_LIMIT = 5
# A per-process token makes the markers impossible to forge from a brief's own Markdown.
_TOKEN = secrets.token_hex(8)
BODY_START = f"<!-- brief-body-start {_TOKEN} -->"
BODY_END = f"<!-- brief-body-end {_TOKEN} -->"
_BODY = re.compile(re.escape(BODY_START) + r"(.*?)" + re.escape(BODY_END), re.S)


def render_brief_page(brief: Brief, body: str, index: Index, settings: Settings,
                      downloads: Downloads) -> str:
    """Return the Markdown of a brief's page; ``body`` is its body with links rewritten."""
    url = Linker(brief_path(brief.slug))
    meta = front_matter(brief.title, description=brief.summary, hide=["navigation"],
                        brief=brief.slug)
    return meta + block(
        _header(brief, index, settings, url),
        BODY_START,
        body.strip("\n"),
        BODY_END,
        _footer(brief, index, settings, downloads, url),
    )


def sanitize_body(html: str) -> str:
    """Sanitise the HTML between the body markers and drop the markers (other pages: as is)."""
    if BODY_START not in html:
        return html
    return _BODY.sub(lambda m: sanitize_html(m.group(1)), html, count=1)


def _header(brief: Brief, index: Index, settings: Settings, url: Linker) -> str:
    themes = index.corpus.themes
    rows = [
        ("Countries" if len(brief.countries) > 1 else "Country", country_links(brief.countries, url)),
        ("Date", time_tag(brief.date)),
        ("Language", esc(language_name(brief.language))),
    ]
    if brief.authors:
        rows.append(("Authors" if len(brief.authors) > 1 else "Author", esc("; ".join(brief.authors))))
    facts = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>" for label, value in rows)
    return (
        '<header class="brief-header">'
        f'<p class="brief-kicker">{esc(series_of(brief, settings))}</p>'
        f"<h1>{esc(brief.title)}</h1>"
        f"{theme_chips(brief.themes, themes, url)}"
        f'<dl class="brief-facts">{facts}</dl>'
        f'<p class="brief-summary">{esc(brief.summary)}</p>'
        "</header>"
    )


def _footer(brief: Brief, index: Index, settings: Settings, downloads: Downloads,
            url: Linker) -> str:
    parts = ['<footer class="brief-footer">']
    download = downloads.get(pdf_key(brief.slug))
    if download is not None:
        parts.append('<section class="brief-download" aria-labelledby="brief-download">'
                     '<h2 id="brief-download">Download</h2>'
                     f"{download_link(download, url)}</section>")
    parts.append(
        '<section class="brief-cite" aria-labelledby="brief-cite">'
        '<h2 id="brief-cite">How to cite</h2>'
        f'<p class="citation">{esc(citation(brief, settings))}</p>'
        f'<p class="licence">{esc(author_line(brief, settings))}. Published under '
        f"{esc(settings.licence)}.</p></section>"
    )
    others = index.translations.get(brief.slug, [])
    if others:
        items = "".join(
            f'<li><a href="{url(brief_path(o.slug))}" hreflang="{esc(o.language)}" '
            f'lang="{esc(o.language)}">{esc(o.title)}</a> '
            f"({esc(language_name(o.language))})</li>" for o in others)
        parts.append('<section class="brief-translations" aria-labelledby="brief-languages">'
                     '<h2 id="brief-languages">Other languages</h2>'
                     f"<ul>{items}</ul></section>")
    related = index.related(brief.slug, RELATED_LIMIT)
    if related:
        items = "".join(
            f'<li><a href="{url(brief_path(r.slug))}">{esc(r.title)}</a> '
            f'<span class="related-meta">{time_tag(r.date)}</span></li>' for r in related)
        parts.append('<section class="brief-related" aria-labelledby="brief-related">'
                     '<h2 id="brief-related">Related briefs</h2>'
                     f'<ul class="related-list">{items}</ul></section>')
    parts.append("</footer>")
    return "".join(parts)
