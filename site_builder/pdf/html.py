"""Build the HTML document WeasyPrint lays out for one brief.

Everything the PDF shows comes from here: the brief, the corpus vocabularies (theme titles,
country names) and the settings (series, publisher, licence, site URL). The cache key in
:mod:`site_builder.pdf.cache` hashes the same inputs, so keep the two in step.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder import __version__
from site_builder.citation import author_line, brief_path, citation, series_of
from site_builder.markdown_render import render_markdown
from site_builder.model import Brief, Corpus
from site_builder.pdf.labels import labels_for
from site_builder.settings import Settings
from site_builder.vocabulary import get_country

STYLESHEET = "brief.css"
"""The print stylesheet, in the print theme folder."""
BACK_MATTER_CLASS = "back-matter"
FILLER_CLASS = "page-filler"
SHORT_TITLE_CHARS = 60

_BUILTIN_THEME = Path(__file__).resolve().parents[2] / "theme"


def theme_dir(settings: Settings) -> Path:
    """Return the theme folder in use: the project's ``theme/`` if it has a print stylesheet, else ours."""
    own = settings.project_dir / "theme"
    if (own / "print" / STYLESHEET).is_file():
        return own.resolve()
    return _BUILTIN_THEME


def stylesheet_path(settings: Settings) -> Path:
    """Return the print stylesheet's path."""
    return theme_dir(settings) / "print" / STYLESHEET


def country_names(brief: Brief) -> list[str]:
    """Return the brief's country names, in the author's order."""
    return [get_country(code).name for code in brief.countries]


def theme_titles(brief: Brief, corpus: Corpus) -> list[str]:
    """Return the titles of the brief's themes (the id when the vocabulary lacks it)."""
    return [corpus.themes[t].title if t in corpus.themes else t for t in brief.themes]


def short_title(title: str, limit: int = SHORT_TITLE_CHARS) -> str:
    """Return the title cut at a word boundary to fit the running footer."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


def modified_date(brief: Brief) -> str:
    """Return the PDF's modification date: SOURCE_DATE_EPOCH when set, else the brief's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return brief.date


def _css_string(text: str) -> str:
    """Quote text as a CSS string that is also safe inside a <style> element."""
    out = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 0x20:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_FIGURE_RE = re.compile(
    r"<p>\s*(<img\b[^>]*>)\s*</p>(?:\s*<p>\s*<em>((?:(?!</?p\b).)*?)</em>\s*</p>)?",
    re.DOTALL,
)


def _figures(html: str) -> str:
    """Turn an image alone in a paragraph (plus an italic paragraph after it) into a figure."""

    def figure(match: re.Match[str]) -> str:
        caption = match.group(2)
        inner = match.group(1) + (f"<figcaption>{caption}</figcaption>" if caption else "")
        return f"<figure>{inner}</figure>"

    return _FIGURE_RE.sub(figure, html)


_HREF_RE = re.compile(r'<a href="([^"]*)"')


def _links(html: str, brief: Brief, corpus: Corpus, settings: Settings) -> str:
    """Point links to other briefs at their web pages; unlink other relative links.

    A relative link means nothing in a PDF handed around by e-mail, and WeasyPrint would
    turn it into a ``file:`` link to the build machine.
    """
    by_path: dict[str, Brief] = {}

    def link(match: re.Match[str]) -> str:
        ref = unescape(match.group(1))
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith("#"):
            return match.group(0)
        if not by_path:
            by_path.update((os.path.normpath(b.path), b) for b in corpus.briefs)
        path = os.path.normpath(brief.folder / unquote(parts.path)) if parts.path else ""
        target = by_path.get(path)
        if target is None or not settings.site_url:
            return "<a"
        url = settings.url_for(brief_path(target.slug)) + (f"#{parts.fragment}" if parts.fragment else "")
        return f'<a href="{escape(url)}"'

    return _HREF_RE.sub(link, html)


def _page_style(brief: Brief, settings: Settings) -> str:
    footer_left = f"{short_title(brief.title)} · {brief.date}"
    words = labels_for(brief.language)
    page, of = _css_string(words.page), _css_string(f"{words.of}{settings.pdf.pages}")
    return (
        "@page { "
        f"@bottom-left {{ content: {_css_string(footer_left)}; }} "
        f"@bottom-right {{ content: {page} counter(page) {of}; }} "
        "}"
    )


def _head(brief: Brief, corpus: Corpus, settings: Settings, css_url: str) -> str:
    authors = list(brief.authors) or [settings.publisher]
    keywords = [*theme_titles(brief, corpus), *country_names(brief), *brief.keywords]
    meta = [
        '<meta charset="utf-8">',
        f"<title>{escape(brief.title)}</title>",
        *(f'<meta name="author" content="{escape(a)}">' for a in authors),
        f'<meta name="description" content="{escape(brief.summary)}">',
        *(f'<meta name="keywords" content="{escape(k)}">' for k in keywords),
        f'<meta name="generator" content="country-briefs {__version__}">',
        f'<meta name="dcterms.created" content="{escape(brief.date)}">',
        f'<meta name="dcterms.modified" content="{escape(modified_date(brief))}">',
        f'<link rel="stylesheet" href="{escape(css_url)}">',
        f"<style>{_page_style(brief, settings)}</style>",
    ]
    return "<head>\n" + "\n".join(meta) + "\n</head>"


def _masthead(brief: Brief, corpus: Corpus, settings: Settings) -> str:
    words = labels_for(brief.language)
    facts = [
        (words.country if len(brief.countries) == 1 else words.countries,
         ", ".join(country_names(brief))),
        (words.theme if len(brief.themes) == 1 else words.themes,
         ", ".join(theme_titles(brief, corpus))),
        (words.date, brief.date),
    ]
    rows = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    authors = (f'<p class="authors">{escape(author_line(brief, settings))}</p>'
               if brief.authors else "")
    return (
        '<header class="masthead">'
        f'<p class="series">{escape(series_of(brief, settings))}</p>'
        f"<h1>{escape(brief.title)}</h1>"
        f'<dl class="facts">{rows}</dl>{authors}'
        "</header>\n"
        f'<section class="summary" aria-label="{escape(words.summary)}">'
        f"<h2>{escape(words.summary)}</h2><p>{escape(brief.summary)}</p></section>"
    )


def _back_matter(brief: Brief, settings: Settings) -> str:
    url = settings.url_for(brief_path(brief.slug))
    series = series_of(brief, settings)
    licence = escape(settings.licence)
    if settings.licence_url:
        licence = f'<a href="{escape(settings.licence_url)}">{licence}</a>'
    link = f'<a href="{escape(url)}">{escape(url)}</a>' if settings.site_url else escape(url)
    words = labels_for(brief.language)
    about = words.about_text.format(series=escape(series), publisher=escape(settings.publisher))
    rights = words.licence_text.format(year=escape(brief.year),
                                       publisher=escape(settings.publisher), licence=licence)
    return (
        f'<footer class="{BACK_MATTER_CLASS}">'
        f"<h2>{escape(words.about)}</h2><p>{about}</p>"
        f"<h3>{escape(words.cite)}</h3><p>{escape(citation(brief, settings))}</p>"
        f"<h3>{escape(words.licence)}</h3><p>{rights}</p>"
        f"<h3>{escape(words.web)}</h3><p>{link}</p>"
        "</footer>"
    )


def brief_html(brief: Brief, corpus: Corpus, settings: Settings) -> str:
    """Return the full HTML document WeasyPrint renders for a brief (base URL: its folder)."""
    css_url = stylesheet_path(settings).as_uri()
    body = _links(_figures(render_markdown(brief.body)), brief, corpus, settings)
    fillers = f'<div class="{FILLER_CLASS}"></div>' * max(settings.pdf.pages - 1, 0)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(brief.language)}">\n'
        f"{_head(brief, corpus, settings, css_url)}\n"
        "<body>\n"
        f"{_masthead(brief, corpus, settings)}\n"
        f'<main class="content">\n{body}\n</main>\n'
        f"{_back_matter(brief, settings)}\n"
        f"{fillers}\n"
        "</body>\n</html>\n"
    )
