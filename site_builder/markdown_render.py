"""Markdown to HTML for brief bodies, with the same extensions the site uses.

The site's ``mkdocs.yml`` lists the same extensions (see ``MARKDOWN_EXTENSIONS``) so a
heading gets the same ``id`` on the web page and in the PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
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
    "td": {"align", "colspan", "rowspan", "style"},  # style: only _STYLE_PROPERTIES survive
    "ol": {"start", "type"},
    "abbr": {"title"},
}
_ALLOWED_TAGS: set[str] = set(nh3.ALLOWED_TAGS) | {
    "figure", "figcaption", "section", "aside", "div", "span", "sup", "sub", "details",
    "summary", "caption", "thead", "tbody", "tfoot", "colgroup", "col", "mark", "small",
    "dl", "dt", "dd", "hr", "abbr",
}
_URL_SCHEMES: set[str] = {"http", "https", "mailto"}
_STYLE_PROPERTIES: set[str] = {"text-align"}
"""The only CSS properties kept in a ``style`` attribute (a table column's alignment, as
Python-Markdown writes it): none of them takes a URL, so no style can load anything."""


LinkFilter = Callable[[str], str | None]
"""What becomes of a link's target: ``<a href>``'s value → the value to keep, or None to
drop the attribute (the text stays, unlinked)."""


def sanitize_html(html: str, link: LinkFilter | None = None) -> str:
    """Remove unsafe tags, attributes and URL schemes (second line behind validation).

    ``link``, if given, rewrites every ``<a href>`` the sanitiser keeps (raw HTML ones too).
    """
    def attribute(element: str, name: str, value: str) -> str | None:
        return link(value) if link is not None and element == "a" and name == "href" else value

    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        filter_style_properties=_STYLE_PROPERTIES,
        attribute_filter=attribute if link is not None else None,
    )


@lru_cache(maxsize=4096)  # briefs repeat their section titles: nh3 once for each
def plain_text(html: str) -> str:
    """Return HTML with every tag removed, its text still escaped (for titles shown as HTML)."""
    return nh3.clean(html, tags=set(), attributes={}, strip_comments=True)


def render_markdown(text: str, extra: Sequence[Extension] = (), link: LinkFilter | None = None
                    ) -> str:
    """Render a brief's Markdown body to sanitised HTML (``extra``: more extensions, e.g. the
    PDF's; ``link``: a rewrite of its links' targets, see :func:`sanitize_html`)."""
    return sanitize_html(render_unsanitised(text, extra), link)


def render_unsanitised(text: str, extra: Sequence[Extension] = ()) -> str:
    """Render a brief's Markdown body to HTML *before* sanitising: what the author asked for,
    which validation checks (:func:`sanitize_html` of it is what ships)."""
    md = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, *extra], extension_configs=MARKDOWN_EXTENSION_CONFIGS
    )
    return str(md.convert(text))


RENDER_TIMEOUT = 10.0
"""Seconds a bounded render (:func:`render_markdown_bounded`) may take."""
_RECURSION_HEADROOM = 300
"""Frames kept free in the worker: a body that renders there renders deeper in a build's stack."""


class MarkdownTooComplex(Exception):
    """A body that Python-Markdown could not render within the limits; ``reason`` is
    ``"timeout"``, ``"recursion"`` or ``"crash"``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def render_markdown_bounded(text: str, timeout: float | None = None, sanitize: bool = True
                            ) -> str:
    """Render like :func:`render_markdown` (like :func:`render_unsanitised` when ``sanitize``
    is false), in a worker process stopped after ``timeout``
    seconds (default ``RENDER_TIMEOUT``); raise :class:`MarkdownTooComplex` when it runs out
    of time or stack, or dies.

    A separate process, not a thread: a runaway render cannot be stopped inside the process
    that started it, and this must work from any thread (``briefs serve``) and inside the
    validation's worker processes. It costs a Python start-up (~0.1 s), so validation uses
    it only for bodies that a cheap count says might be slow.
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    limit = RENDER_TIMEOUT if timeout is None else timeout
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH"))
                                         if p)}
    code = ("from site_builder.markdown_render import _render_worker; "
            f"_render_worker({bool(sanitize)!r})")
    try:
        done = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True,
                              encoding="utf-8", env=env, timeout=limit, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run has killed the worker
        raise MarkdownTooComplex("timeout", f"more than {limit:g} s") from None
    try:
        result = json.loads(done.stdout) if done.returncode == 0 else {}
    except ValueError:
        result = {}
    if "html" in result:
        return str(result["html"])
    if result.get("error") == "recursion":
        raise MarkdownTooComplex("recursion")
    raise MarkdownTooComplex("crash", done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                             else f"exit status {done.returncode}")


def _render_worker(sanitize: bool = True) -> None:
    """The worker of :func:`render_markdown_bounded`: Markdown on stdin, JSON on stdout."""
    import json
    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit() - _RECURSION_HEADROOM, 200))
    text = sys.stdin.read()
    try:
        out = {"html": render_markdown(text) if sanitize else render_unsanitised(text)}
    except RecursionError:
        out = {"error": "recursion"}
    sys.stdout.write(json.dumps(out))
