"""Check the HTML a brief's body renders to: every file it loads and every link it makes.

The line checks in :mod:`site_builder.body_checks` read the Markdown source; a reference
that only appears once Markdown has run (an attribute list ``{: src="…" }``, a ``style``
with a CSS escape, a ``srcset``) gets past them. This module parses the rendered HTML
twice: as Markdown wrote it (what the author asked for) and after
:func:`site_builder.markdown_render.sanitize_html` (what the site and the PDF ship), and
applies one rule to both:

- ``src``, ``srcset``, ``poster``, the ``href`` of anything but ``<a>`` and every other
  attribute that loads a file must be a relative path to a file inside the brief's own
  folder (the PDF renderer reads nothing else), of a publishable type
  (:mod:`site_builder.attachments`), its raster images decoded
  (:mod:`site_builder.images`);
- ``<a href>`` may point anywhere but to ``javascript:``, ``data:`` or ``vbscript:``, however
  encoded; a local file it links is published, so it is checked like an image;
- no ``style`` may load a URL, no attribute may be an event handler.

Each problem is reported at the source line that holds the construct, found by searching
the body for the attribute's value (or its longest word).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown

from site_builder.attachments import AttachmentError, check_attachment, loads_url, squeeze_url
from site_builder.body_checks import UNSAFE_TAGS, BodyContext
from site_builder.findings import Finding
from site_builder.images import image_findings, is_raster_name
from site_builder.markdown_render import (
    MARKDOWN_EXTENSION_CONFIGS,
    MARKDOWN_EXTENSIONS,
    sanitize_html,
)

RESOURCE_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "lowsrc",
                                 "dynsrc", "xlink:href", "action", "formaction", "manifest",
                                 "codebase", "archive", "icon", "ping", "imagesrcset"})
"""Attributes whose URL a browser or the PDF renderer fetches (with ``href`` on all but ``<a>``)."""
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"})
"""What ``<img>``, ``<source>`` and ``<image>`` may show (a PDF there prints blank)."""
_SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
_WORD = re.compile(r"[\w.%:/-]{3,}|[^\W_]{3,}")


def may_render(body: str) -> bool:
    """Return whether a body could render to a URL, a style or a handler at all: a link or an
    image (``](``, or a reference definition ``]:``), raw HTML or an autolink (``<``), an
    attribute list (``{``). Footnotes and plain brackets make only ``#fragment`` links."""
    return "](" in body or "<" in body or "{" in body or "]:" in body


_local = threading.local()


def render_for_check(body: str) -> str:
    """Render a body to unsanitised HTML as :func:`site_builder.markdown_render.render_unsanitised`
    does (same extensions and settings, byte for byte: a test compares them), with one
    Markdown instance per thread reset between bodies: building the instance and its
    extensions costs as much as rendering a brief."""
    md = getattr(_local, "markdown", None)
    if md is None:
        md = _local.markdown = markdown.Markdown(
            extensions=list(MARKDOWN_EXTENSIONS), extension_configs=MARKDOWN_EXTENSION_CONFIGS)
    try:
        return str(md.reset().convert(body))
    except BaseException:
        _local.markdown = None  # a failed render may leave state behind: start afresh
        raise


@dataclass(frozen=True)
class RenderedCheck:
    """What checking a body's rendered HTML found, and every path it looked at."""

    findings: list[Finding]
    probes: tuple[str, ...]
    """Each file path the check resolved (before following links), in the order it did:
    the result holds as long as each resolves to the same file with the same content
    (:mod:`site_builder.check_cache`)."""


def rendered_findings(body: str, html: str, ctx: BodyContext, boundary: Path | None = None
                      ) -> list[Finding]:
    """Return the problems of the references in ``html``, the unsanitised render of ``body``
    (files it loads must be inside ``boundary``, by default the brief's own folder)."""
    return rendered_check(body, html, ctx, boundary).findings


def rendered_check(body: str, html: str, ctx: BodyContext, boundary: Path | None = None
                   ) -> RenderedCheck:
    """Like :func:`rendered_findings`, with the paths the check looked at."""
    check = _Check(body, ctx, boundary)
    for document, raw in ((html, True), (sanitize_html(html), False)):
        check.occurrences.clear()  # each pass meets the references in source order again
        for tag, attrs in _elements(document):
            if raw and tag in UNSAFE_TAGS:  # never shipped: the tag is the problem
                check.add(check.locate(f"<{tag}"), f"raw HTML <{tag}> is not allowed in briefs: "
                          "use Markdown", "unsafe-html")
                continue
            check.element(tag, attrs)
    return RenderedCheck(check.findings + image_findings(ctx.path, check.images),
                         tuple(check.probes))


def publication_findings(body: str, ctx: BodyContext) -> list[Finding]:
    """Return the problems of the local files the brief's page publishes, whether or not
    Markdown renders their reference (:func:`site_builder.pages.links.published_files`:
    the list the site copies from), at the line that names each."""
    from site_builder.pages.links import published_files

    check = _Check(body, ctx)
    for index, target, path in published_files(body, ctx.file.parent, ctx.content_root):
        line = check.lines[index]
        where = (ctx.body_line + index, max(line.find(target), 0) + 1)
        real = check.inside(os.path.relpath(path, check.folder), ctx.content_root)
        if real is None:
            check.add(where, f"'{target}' points outside the content folder (through a "
                      "symbolic link): copy the file beside the brief", "link-outside")
        elif real.suffix != ".md":
            check.publishable(real, where)
    return check.findings + image_findings(ctx.path, check.images)


_BARE_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)>")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                       "noframes", "noscript", "plaintext", "template"})
"""Tags whose content a parser reads as text: never removed, or their content would parse."""


def _elements(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every start tag that has attributes, or that is refused whatever its attributes.

    Tags written bare (``<p>``, ``</li>``) carry nothing to check and are most of a page:
    they are removed before parsing, except the raw-text and refused ones. Removing one can
    only ever join text into a new tag, which is then checked too (more, never fewer).
    """
    collector = _Collector()
    collector.feed(_BARE_TAG.sub(_keep_refused, html))
    collector.close()
    return collector.elements


def _keep_refused(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    return match.group(0) if name in _RAW_TEXT or name in UNSAFE_TAGS else ""


class _Collector(HTMLParser):
    """Every start tag with its attributes (character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, [(name, value or "") for name, value in attrs]))


class _Check:
    def __init__(self, body: str, ctx: BodyContext, boundary: Path | None = None) -> None:
        self.lines = body.split("\n")
        self.ctx = ctx
        self.folder = ctx.file.parent.resolve()
        self.boundary = boundary or self.folder
        """Where the files a page loads must be: the brief's folder, or ``docs/``."""
        self.probes: dict[str, None] = {}
        self.findings: list[Finding] = []
        self.images: list[tuple[Path, int, int]] = []
        self._seen: set[tuple[int, str, str]] = set()
        self._checked: set[tuple[Path, int]] = set()
        self.occurrences: dict[str, int] = {}
        """Per needle, how many times this pass located it: the next use is further down."""

    def add(self, where: tuple[int, int], message: str, code: str) -> None:
        key = (where[0], code, message)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(Finding(self.ctx.path, where[0], where[1], message, code))

    def locate(self, *needles: str) -> tuple[int, int]:
        """The source line and column of the first needle found (as an attribute value or
        a Markdown target first, then alone, then its longest words), or the body's first
        line; a needle met again in the same pass is looked for further down."""
        value = needles[0] if needles else ""
        if value:
            for form in (f'="{value}"', f"='{value}'", f"={value}", f"]({value}", f"](<{value}",
                         f"]: {value}", f"]: <{value}"):
                where = self._find(form, form.index(value))
                if where is not None:
                    return where
        for needle in [n for n in needles if n and (len(n) > 2 or not n.isalnum())]:
            where = self._find(needle, 0)
            if where is not None:
                return where
        words = sorted({w for n in needles for w in (*_WORD.findall(n), *re.findall(r"[^\W_]{3,}", n))},
                       key=lambda w: (-len(w), w))
        for word in words:
            where = self._find(word, 0)
            if where is not None:
                return where
        return self.ctx.body_line, 1

    def _find(self, needle: str, offset: int) -> tuple[int, int] | None:
        hits = [(index, col) for index, line in enumerate(self.lines)
                if (col := line.find(needle)) >= 0]
        if not hits:
            return None
        seen = self.occurrences.get(needle, 0)
        self.occurrences[needle] = seen + 1
        index, col = hits[min(seen, len(hits) - 1)]
        return self.ctx.body_line + index, col + offset + 1

    def element(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.add(self.locate(f"{name}=", value), f"event-handler attribute '{name}' is "
                         "not allowed in briefs", "unsafe-html")
            elif name == "style" and loads_url(value):
                self.add(self.locate(value, "style="), "style attributes may not load URLs "
                         "(url(), image-set(), @import), however written", "unsafe-html")
            elif name == "href" and tag == "a":
                self.link(value)
            elif name in RESOURCE_ATTRIBUTES or name == "href":
                urls = _srcset(value) if name.endswith("srcset") else [value]
                for url in urls:
                    self.resource(tag, name, url)

    def link(self, value: str) -> None:
        squeezed = squeeze_url(value)
        scheme = next((s for s in _SCRIPT_SCHEMES if squeezed.startswith(s)), None)
        if scheme is not None:
            self.add(self.locate(value), f"'{scheme}' links are not allowed", "unsafe-html")
            return
        local = self.local_path(value)
        if not local:
            return  # a web address, mailto:, '#anchor' or absolute (the line checks say so)
        resolved = self.inside(local, self.ctx.content_root)
        if resolved is None or not resolved.is_file() or resolved.suffix == ".md":
            return  # the line checks report links outside or missing; briefs are checked later
        self.publishable(resolved, self.locate(value))

    def resource(self, tag: str, name: str, value: str) -> None:
        what = "image" if tag in ("img", "source", "picture", "image", "input") else "file"
        where = self.locate(value)
        squeezed = squeeze_url(value)
        if not squeezed:
            self.add(where, f"{what} has no path ({name}= on <{tag}> is empty)", "missing-image")
            return
        if squeezed.startswith(("http:", "https:", "//", "\\\\")):
            self.add(where, f"remote {what} '{value}' ({name}= on <{tag}>): the build never "
                     "fetches from the network; save the file beside the brief and use a "
                     "relative path", "remote-image")
            return
        local = self.local_path(value)
        if not local:
            self.add(where, f"{what} '{value}' ({name}= on <{tag}>) must be a relative path to "
                     "a file in the brief's folder", "image-outside")
            return
        resolved = self.inside(local, self.boundary)
        if resolved is None:
            own, fix = ("the brief's folder", "the PDF cannot show it; copy it beside the "
                        "brief") if self.boundary == self.folder else ("the folder", "copy it in")
            self.add(where, f"{what} '{value}' is outside {own} {_shown(self.boundary)}/: "
                     f"{fix}", "image-outside")
            return
        if not resolved.is_file():
            self.add(where, f"{what} '{local}' not found (looked for {_shown(resolved)})",
                     "missing-image")
            return
        if what == "image" and resolved.suffix.lower() not in IMAGE_SUFFIXES:
            self.add(where, f"'{local}' is shown as an image but only PNG, JPEG, WebP, GIF "
                     "and SVG files are images: link it instead ([text](file))",
                     "attachment-type")
            return
        self.publishable(resolved, where)

    def publishable(self, resolved: Path, where: tuple[int, int]) -> None:
        if (resolved, where[0]) in self._checked:
            return
        self._checked.add((resolved, where[0]))
        if is_raster_name(resolved):
            self.images.append((resolved, *where))  # decoded, format by content, there
            return
        try:
            check_attachment(resolved, _shown(resolved))
        except AttachmentError as exc:
            self.add(where, str(exc), exc.code)

    @staticmethod
    def local_path(value: str) -> str | None:
        """The path of a relative reference; None for a scheme, a host or an absolute path."""
        stripped = value.strip()
        split = urlsplit(stripped)
        if split.scheme or split.netloc or stripped.startswith(("/", "\\")) or \
                re.match(r"^[A-Za-z]:[\\/]", stripped) or \
                ":" in squeeze_url(stripped).split("/")[0]:
            return None
        return split.path

    def inside(self, rel: str, boundary: Path) -> Path | None:
        """Resolve a path relative to the brief (symlinks followed); None outside ``boundary``."""
        candidate = Path(os.path.normpath(self.folder / unquote(rel)))
        self.probes[str(candidate)] = None
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        return real if real.is_relative_to(boundary) else None


def _srcset(value: str) -> list[str]:
    """The URLs of a ``srcset`` (``a.png 1x, b.png 2x``)."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
