"""The ``<html lang>`` the page shell gives a page, known before MkDocs renders the page.

Pagefind reads two things of a page: the element marked ``data-pagefind-body`` and the
``lang`` of its ``<html>`` tag, which files the page under its language's index. A brief
page's body is complete once its Markdown is converted, seconds before MkDocs renders its
shell; handing it to Pagefind then lets Pagefind index while MkDocs renders. What it is
handed is rendered by the theme's ``partials/pagefind-page.html``, which prints the
``lang`` with the partial the shell prints it with (``partials/language.html``), once per
page language; :func:`html_lang` reads the rendered page's back, so a theme that prints
another fails the build rather than the index.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import jinja2

from site_builder.pages.base import BODY_MARKER

TEMPLATE = "partials/pagefind-page.html"
_HTML_LANG = re.compile(r'<html\b[^>]*?\blang="([^"]*)"', re.IGNORECASE)


class ShellLanguages:
    """The page Pagefind reads, in each page language, as the page shell would start it."""

    def __init__(self, env: jinja2.Environment, config: Any) -> None:
        """Render with the theme's environment ``env`` and MkDocs' ``config``."""
        self._env = env
        self._config = config
        self._parts: dict[str | None, tuple[str, str, str]] = {}

    def _rendered(self, page_language: str | None) -> tuple[str, str, str]:
        """Return the template's text before and after the body, and the ``lang`` it prints."""
        found = self._parts.get(page_language)
        if found is None:
            page = SimpleNamespace(meta={"page_language": page_language} if page_language else {})
            html = self._env.get_template(TEMPLATE).render(config=self._config, page=page,
                                                           body=BODY_MARKER)
            before, _marker, after = html.partition(BODY_MARKER)
            found = self._parts[page_language] = (before, after, html_lang(html) or "")
        return found

    def page(self, page_language: str | None, body: str) -> str:
        """Return what Pagefind reads of a page in ``page_language`` whose content is ``body``."""
        before, after, _lang = self._rendered(page_language)
        return before + body + after

    def lang(self, page_language: str | None) -> str:
        """Return the ``lang`` a page in ``page_language`` is handed to Pagefind with."""
        return self._rendered(page_language)[2]


def html_lang(html: str) -> str | None:
    """Return the ``lang`` of the first ``<html>`` tag in ``html`` (None without one)."""
    match = _HTML_LANG.search(html, 0, 4096) or _HTML_LANG.search(html)
    return match.group(1) if match else None
