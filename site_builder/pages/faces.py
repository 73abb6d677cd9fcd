"""Whether a page's body sets text in italics: the page shell then preloads the italic face.

A web font that arrives after a page's first layout makes the browser lay out again all the
text of its family (on a phone, inside mkdocs-material's start-up script: the longest task
of a brief page). The shell preloads the faces every page of a kind uses; the serif italic
only where the body has italic text.
"""

from __future__ import annotations

import re

ITALIC_ELEMENTS: tuple[str, ...] = ("em", "i", "cite", "dfn", "var", "address", "figcaption")
"""Elements set in italics: by browsers' own styles, and ``figcaption`` by mkdocs-material's."""

_ITALIC_START = re.compile(r"<(?:" + "|".join(ITALIC_ELEMENTS) + r")[\s>]")


def sets_italic(body: str) -> bool:
    """Whether a sanitised body (nh3's output: lower-case tags, text escaped) has an italic element.

    Only a start tag can hold ``<`` followed by a tag name in nh3's output (text and
    attribute values are escaped), so a search is exact here and costs no parse.
    """
    return _ITALIC_START.search(body) is not None
