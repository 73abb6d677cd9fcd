"""What every page renderer shares: the generated page, its front matter, the site context.

Renderers build the data a template gets and render it through
:class:`~site_builder.templating.Templates` (autoescaped); they hold no markup. A page
is a :class:`GeneratedPage`: front matter (and a brief's Markdown) for MkDocs, and the
rendered HTML placed around what MkDocs converts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from site_builder import urls
from site_builder.downloads import CountryPack, Download, Downloads, ThemePack
from site_builder.index import Index
from site_builder.markdown_render import sanitize_html
from site_builder.settings import Settings
from site_builder.templating import Templates, rendered_once

BODY_MARKER = Markup("<!--briefs:body-->")
"""Where a page's converted Markdown goes in its rendered HTML. Autoescaped values can
never produce it (their ``<`` is escaped), so only a template can place it."""


@dataclass(frozen=True)
class GeneratedPage:
    """A generated page: the source MkDocs converts, and the HTML around the result.

    Only ``source`` (front matter, plus a brief's Markdown body) goes through Markdown;
    the rendered HTML is added after conversion, which keeps the build close to a bare
    MkDocs build (Python-Markdown's raw-HTML parser is slow on large HTML blocks).
    """

    source: str
    """Front matter and Markdown for MkDocs (empty Markdown for index pages)."""
    html: str = ""
    """The page's rendered HTML; the converted Markdown replaces :data:`BODY_MARKER`."""
    sanitize: bool = False
    """Clean the converted Markdown with nh3 (an author's Markdown may carry raw HTML)."""
    pictures: Callable[[str], str] | None = field(default=None, compare=False)
    """Show the (sanitised) body's images responsively: see
    :meth:`site_builder.pages.pictures.PagePictures.rewrite`. It runs after nh3, so what
    it adds (``srcset``, ``<picture>``...) is never allowed from an author."""

    def assemble(self, converted: str, clean: Callable[[str], str] = sanitize_html) -> str:
        """Return the page's HTML from what MkDocs converted of ``source`` (cleaned by
        ``clean``, :func:`~site_builder.markdown_render.sanitize_html` or what it returned
        before, if the page is sanitised)."""
        body = clean(converted) if self.sanitize else converted
        if self.pictures is not None:
            body = self.pictures(body)
        before, marker, after = self.html.partition(BODY_MARKER)
        return before + body + after if marker else self.html + body


def front_matter(title: str, **meta: object) -> str:
    """Return a YAML front-matter block (JSON scalars are valid YAML and need no quoting rules)."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()
              if value is not None]
    return "\n".join([*lines, "---", ""])


@dataclass(frozen=True)
class SiteContext:
    """What every renderer of one site language needs."""

    index: Index
    settings: Settings
    downloads: Downloads
    templates: Templates
    urls: urls.LanguageUrls = field(default_factory=urls.LanguageUrls)
    """The URL scheme seen from this language's pages (``fr/…`` for French)."""
    reuse: Callable[..., str] = field(default_factory=rendered_once, init=False, compare=False,
                                      repr=False)
    """The templates' ``reuse`` for this context's pages (:func:`~site_builder.templating.rendered_once`)."""

    @property
    def language(self) -> str:
        """The language of the pages this context renders."""
        return self.templates.language

    @property
    def page_language(self) -> str | None:
        """The pages' language for MkDocs' page meta, or None for the site's default."""
        return self.language if self.language != self.settings.language else None

    def pack(self, key: ThemePack | CountryPack) -> Download | None:
        """Return the print pack of a theme or country as this language lists it."""
        if self.page_language:
            own = self.downloads.get(replace(key, language=self.language))
            if own is not None:
                return own
        return self.downloads.get(key)

    @property
    def search(self) -> bool:
        """Whether the site has a search page (theme and country pages link to it)."""
        return self.settings.search

    def page(self, template: str, path: str, title: str, *, hide: tuple[str, ...] = ("navigation", "toc"),
             description: str | None = None, feed: str | None = None,
             stylesheets: tuple[str, ...] = (), **context: Any) -> GeneratedPage:
        """Render a page made of generated HTML only, at site path ``path``.

        ``stylesheets`` are the site paths of the page's own stylesheets, linked by the page
        shell after the site's (page meta ``stylesheets``): no other page waits for them.
        """
        meta = front_matter(title, description=description or None, hide=list(hide), feed=feed,
                            page_language=self.page_language, kind=page_kind(template),
                            stylesheets=list(stylesheets) or None)
        return GeneratedPage(meta, self.render(template, path, **context))

    def render(self, template: str, path: str, **context: Any) -> str:
        """Render a template for the page at site path ``path``."""
        context.setdefault("licence", self.settings.licence)
        context.setdefault("urls", self.urls)
        context.setdefault("reuse", self.reuse)
        return self.templates.render(template, path, **context)


def page_kind(template: str) -> str:
    """Return the kind of page a template renders (page meta ``kind``): its file's stem.

    The page shell keys on it what only some kinds of page need (which web fonts it
    preloads); ``briefs/search.html`` gives ``search``.
    """
    return template.rsplit("/", 1)[-1].removesuffix(".html")


def source_of(path: str) -> str:
    """Return the Markdown source path of a page's site path (``themes/x/`` → ``themes/x/index.md``)."""
    return urls.source(path)
