"""The ``<html lang>`` the page shell gives a page, known before MkDocs renders the page.

Pagefind reads two things of a page: the element marked ``data-pagefind-body`` and the
``lang`` of its ``<html>`` tag, which files the page under its language's index. A brief
page's body is complete once its Markdown is converted, seconds before MkDocs renders its
shell; handing it to Pagefind then lets Pagefind index while MkDocs renders. Its
``lang`` is rendered here by the theme's own ``partials/language.html`` (the partial the
shell prints it with), once per page language; :func:`html_lang` reads the rendered
page's back, so a theme that prints another fails the build rather than the index.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import jinja2
from markupsafe import escape

_PROBE = '{% import "partials/language.html" as lang with context %}{{ lang.t("language") }}'
_HTML_LANG = re.compile(r'<html\b[^>]*?\blang="([^"]*)"', re.IGNORECASE)


class ShellLanguages:
    """The ``<html>`` tag of each page language, as the page shell renders it."""

    def __init__(self, env: jinja2.Environment, config: Any) -> None:
        """Render with the theme's environment ``env`` and MkDocs' ``config``."""
        self._env = env
        self._config = config
        self._tags: dict[str | None, str] = {}

    def tag(self, page_language: str | None) -> str:
        """Return the ``<html lang="…">`` of a page whose meta ``page_language`` is given."""
        found = self._tags.get(page_language)
        if found is None:
            page = SimpleNamespace(meta={"page_language": page_language} if page_language else {})
            lang = self._env.from_string(_PROBE).render(config=self._config, page=page).strip()
            found = self._tags[page_language] = f'<html lang="{escape(lang)}">'
        return found


def html_lang(html: str) -> str | None:
    """Return the ``lang`` of the first ``<html>`` tag in ``html`` (None without one)."""
    match = _HTML_LANG.search(html, 0, 4096) or _HTML_LANG.search(html)
    return match.group(1) if match else None
