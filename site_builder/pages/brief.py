"""The page of one brief: header, summary, body, download, citation, translations, related.

Only the body (the author's Markdown, links rewritten by :mod:`site_builder.pages.links`)
goes through MkDocs; the HTML rendered from it, and only it, is sanitised, so the
generated header and footer keep their markup.
"""

from __future__ import annotations

from site_builder.citation import author_line, brief_path, citation, series_of
from site_builder.index import Index
from site_builder.model import Brief
from site_builder.pages.downloads import Download, Downloads, pdf_key
from site_builder.pages.markup import (
    GeneratedPage,
    Linker,
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


def render_brief_page(brief: Brief, body: str, index: Index, settings: Settings,
                      downloads: Downloads, extra_html: str = "") -> GeneratedPage:
    """Return a brief's page; ``body`` is its Markdown body with links rewritten.

    ``extra_html`` goes at the end of the header, e.g. hidden search metadata (issue 6).
    """
    url = Linker(brief_path(brief.slug))
    meta = front_matter(brief.title, description=brief.summary, hide=["navigation"],
                        brief=brief.slug, lang=brief.language)
    header = _header(brief, index, settings, url, downloads.get(pdf_key(brief.slug)))
    if extra_html:
        header = header.replace("</header>", extra_html + "</header>")
    return GeneratedPage(
        source=meta + body,
        before=header,
        after=_footer(brief, index, settings, url),
        sanitize=True,
    )


def _header(brief: Brief, index: Index, settings: Settings, url: Linker,
            pdf: Download | None) -> str:
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
        f"{download_link(pdf, url, 'download brief-download')}"
        "</header>"
    )


def _footer(brief: Brief, index: Index, settings: Settings, url: Linker) -> str:
    parts = ['<footer class="brief-footer">']
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
