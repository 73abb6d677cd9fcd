"""Heading ids as Python-Markdown's ``toc`` extension makes them, from the Markdown source.

``toc`` (see ``markdown_render.MARKDOWN_EXTENSIONS``) gives each heading the id
``slugify(text, "-")`` of its visible text, or the id written in an attribute list
(``## Context {#context}``); when two headings would get the same id it quietly renames the
second (``context_1``), so a link to ``#context`` may land on the wrong one. Validation
computes the same ids from the source and refuses the second of two equal ones.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_ATX = re.compile(r"^ {0,3}#{1,6}(.*?)#*[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^(?:=+|-+)[ \t]*$")
_ATTR_LIST = re.compile(r"[ \t]+\{:?[ \t]*([^}\n ][^}\n]*?)[ \t]*\}[ \t]*$")
_ID_IN_ATTRS = re.compile(r"(?:^|\s)#([^\s}]+)")
_INLINE_MARKUP = re.compile(r"[\[`<\\&*_]")
_STRIP = (
    (re.compile(r"\[\^[^\]]*\]"), ""),                      # footnote references
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),              # images: alt is not text
    (re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),  # links: their text
    (re.compile(r"(`+)(.+?)\1"), r"\2"),                    # code spans: their content
    (re.compile(r"<[^>]*>"), ""),                           # raw HTML tags
    (re.compile(r"\\(.)"), r"\1"),                          # backslash escapes
    (re.compile(r"\*+|(?<!\w)_+|_+(?!\w)"), ""),            # emphasis markers
)


def slugify(value: str, separator: str) -> str:
    """``markdown.extensions.toc.slugify`` (the toc default), without importing Markdown
    into every validation run; a test keeps the two equal."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


@lru_cache(maxsize=4096)
def heading_id(text: str) -> tuple[str, bool]:
    """Return (id, written explicitly) for a heading's source text (without the ``#``)."""
    text = text.strip()
    attrs = _ATTR_LIST.search(text)
    if attrs is not None:
        explicit = _ID_IN_ATTRS.search(attrs.group(1))
        if explicit is not None:
            return explicit.group(1), True
        text = text[:attrs.start()]
    if _INLINE_MARKUP.search(text):
        for pattern, replacement in _STRIP:
            text = pattern.sub(replacement, text)
        text = html.unescape(text)
    return slugify(" ".join(text.split()), "-"), False


def atx_text(line: str) -> str | None:
    """Return the text of an ATX heading line (``## Text ##``), or None."""
    match = _ATX.match(line)
    return match.group(1) if match else None


def is_setext_underline(line: str) -> bool:
    """Whether a line underlines the line above as a heading (``===`` or ``---``)."""
    return _SETEXT_UNDERLINE.match(line) is not None


class HeadingIds:
    """The ids of one body's headings so far, and the line each was first used on."""

    def __init__(self) -> None:
        self.first_line: dict[str, int] = {}
        self.reported: set[str] = set()

    def add(self, text: str, line: int) -> str | None:
        """Record a heading; return a message when its id is taken (once per id)."""
        anchor, _ = heading_id(text)
        first = self.first_line.setdefault(anchor, line)
        if first == line or anchor in self.reported:
            return None
        self.reported.add(anchor)
        if not anchor:
            return (f"heading without text, like the one on line {first}: give each heading "
                    "a title")
        return (f"heading id '{anchor}' is already used by the heading on line {first}: "
                "rename one of them or give it its own id with {#...}")
