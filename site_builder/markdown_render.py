"""Markdown to HTML for brief bodies, with the same extensions the site uses.

The site's ``mkdocs.yml`` lists the same extensions (see ``MARKDOWN_EXTENSIONS``) so a
heading gets the same ``id`` on the web page and in the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension

MARKDOWN_EXTENSIONS: list[str] = [
    "abbr",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "admonition",
]
MARKDOWN_EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"toc": {"permalink": False}}

_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir", "aria-label", "aria-hidden", "role"},
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"align", "colspan", "rowspan", "scope", "style"},
    "td": {"align", "colspan", "rowspan", "style"},
    "ol": {"start", "type"},
    "abbr": {"title"},
}
_ALLOWED_TAGS: set[str] = set(nh3.ALLOWED_TAGS) | {
    "figure", "figcaption", "section", "aside", "div", "span", "sup", "sub", "details",
    "summary", "caption", "thead", "tbody", "tfoot", "colgroup", "col", "mark", "small",
    "dl", "dt", "dd", "hr", "abbr",
}
_URL_SCHEMES: set[str] = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Remove unsafe tags, attributes and URL schemes (second line behind validation)."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """Return HTML with every tag removed, its text still escaped (for titles shown as HTML)."""
    return nh3.clean(html, tags=set(), attributes={}, strip_comments=True)


def render_markdown(text: str, extra: Sequence[Extension] = ()) -> str:
    """Render a brief's Markdown body to sanitised HTML (``extra``: more extensions, e.g. the PDF's)."""
    md = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, *extra], extension_configs=MARKDOWN_EXTENSION_CONFIGS
    )
    return sanitize_html(md.convert(text))
