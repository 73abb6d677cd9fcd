"""Responsive images on a brief's page: each ``<img>`` of the body becomes a ``<picture>``.

The brief's raster images get renditions (:mod:`site_builder.image_derivatives`),
published in ``briefs/<slug>/_images/``. After the body is converted and sanitised,
:meth:`PagePictures.rewrite` finds each ``<img>`` with Python's HTML parser and replaces
it with the partial ``briefs/partials/picture.html``, rendered (autoescaped) with the
image's renditions and the author's sanitised attributes: a WebP ``<source>``, then an
``<img>`` with ``srcset``, ``sizes``, ``width`` and ``height``, lazy below the first.

This runs on nh3's output, never on the author's HTML: the sanitiser lets no author
write ``srcset``, ``sizes``, ``decoding``, ``<picture>`` or ``<source>``; only the
template adds them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from site_builder import urls
from site_builder.image_derivatives import DerivativeCache, Rendition, ResponsiveImage
from site_builder.images import ImageError, is_raster_name
from site_builder.model import Brief
from site_builder.templating import Templates

TEMPLATE = "briefs/partials/picture.html"
IMAGES_DIR = "_images"
"""Folder of the renditions, inside the brief's page folder."""
_REPLACED = {"src", "srcset", "sizes", "width", "height", "loading", "decoding"}
"""Attributes the template sets; the author's other (sanitised) attributes are kept."""
_STEM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Source:
    """One ``srcset`` of a picture: a media type and its candidates."""

    type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """What the picture template gets for one image (URLs relative to the page)."""

    src: str
    """The fallback rendition (the one nearest 800 pixels wide)."""
    srcset: str
    """Every rendition in the fallback format, with its width (``a-480.jpg 480w, …``)."""
    sources: tuple[Source, ...]
    """Renditions in a better format than the fallback (WebP)."""
    width: int
    height: int


@dataclass(frozen=True)
class PagePictures:
    """The responsive images of one page, and how to show each."""

    templates: Templates
    page_path: str
    """Site path of the page (``briefs/<slug>/``): image URLs are relative to it."""
    pictures: dict[str, Picture] = field(default_factory=dict)
    """Site path of an original image (``briefs/<slug>/img/a.png``) to its picture."""
    assets: dict[str, Path] = field(default_factory=dict)
    """Site path of each rendition to its file in the cache."""

    def rewrite(self, html: str) -> str:
        """Return sanitised body HTML with every ``<img>`` shown by the picture template."""
        if "<img" not in html:
            return html
        out: list[str] = []
        done = 0
        for index, (start, end, attrs) in enumerate(_find_images(html)):
            picture = self.pictures.get(self._site_path(attrs.get("src", "")))
            out.append(html[done:start])
            out.append(self._render(attrs, picture, lazy=index > 0))
            done = end
        out.append(html[done:])
        return "".join(out)

    def _site_path(self, src: str) -> str:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return ""
        return posixpath.normpath(posixpath.join(self.page_path, unquote(parts.path)))

    def _render(self, attrs: dict[str, str], picture: Picture | None, *, lazy: bool) -> str:
        kept = {name: value for name, value in attrs.items() if name not in _REPLACED}
        width = _pixels(attrs.get("width"))
        return self.templates.render(
            TEMPLATE, self.page_path, picture=picture, attrs=kept, lazy=lazy,
            src=attrs.get("src", ""), display_width=width,
            display_height=round(width * picture.height / picture.width)
            if width and picture else _pixels(attrs.get("height")),
        ).strip()


def brief_pictures(brief: Brief, cache: DerivativeCache, templates: Templates) -> PagePictures:
    """Make (or reuse) the renditions of a brief's raster images and return its pictures.

    An image that cannot be decoded (validation reports it) or an animated one is shown as
    it is.
    """
    page = urls.brief(brief.slug)
    result = PagePictures(templates, page)
    for site_path, file in sorted(brief.web.assets.items()):
        if not is_raster_name(file):
            continue
        try:
            image = cache.derive(file, site_path)
        except ImageError:
            continue
        if image is not None:
            result.pictures[site_path] = _picture(image, file, page, result.assets)
    return result


def _picture(image: ResponsiveImage, file: Path, page: str, assets: dict[str, Path]) -> Picture:
    stem = _STEM.sub("-", file.stem.lower()).strip("-")[:40] or "image"

    def href(rendition: Rendition) -> str:
        name = f"{IMAGES_DIR}/{stem}-{image.sha256[:10]}-{rendition.width}.{rendition.suffix}"
        assets[page + name] = rendition.path
        return quote(name)

    def srcset(renditions: list[Rendition]) -> str:
        return ", ".join(f"{href(r)} {r.width}w" for r in renditions)

    fallback = image.of_format(image.fallback_format)
    middle = min(fallback, key=lambda r: (abs(r.width - 800), r.width))
    sources = tuple(Source(r[0].mime, srcset(r)) for fmt in ("WEBP",)
                    if fmt != image.fallback_format and (r := image.of_format(fmt)))
    return Picture(href(middle), srcset(fallback), sources, image.width, image.height)


def _pixels(value: str | None) -> int | None:
    """Return an HTML length attribute as whole pixels, or None when it is not one."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else None


class _ImageFinder(HTMLParser):
    """Find the ``<img>`` tags of an HTML fragment: their offsets and attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.found: list[tuple[int, int, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img":
            return
        line, col = self.getpos()
        start = self.line_starts[line - 1] + col
        text = self.get_starttag_text() or ""
        if self.html[start:start + len(text)] != text:
            return  # never splice at a guessed offset: leave the tag as it is
        self.found.append((start, start + len(text), {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _find_images(html: str) -> list[tuple[int, int, dict[str, str]]]:
    """Return (start, end, attributes) of every ``<img>`` tag, in order."""
    finder = _ImageFinder(html)
    finder.feed(html)
    finder.close()
    return finder.found
