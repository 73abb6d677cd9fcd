"""Which optional web-font faces a page's body asks for (no browser: see test_phone.py)."""

from __future__ import annotations

import pytest

from site_builder.markdown_render import render_markdown
from site_builder.pages.faces import sets_italic


@pytest.mark.parametrize(("markdown", "italic"), [
    ("Plain text, **bold** and `code`.", False),
    ("An *emphasised* word.", True),
    ("A word in _underscores_.", True),
    ("Raw <i>italic</i> and <cite>a title</cite>.", True),
    ("<figure markdown>\n![x](img/x.png)\n<figcaption>A caption</figcaption>\n</figure>", True),
    ("Escaped: \\*not emphasis\\* and `<em>` in code, &lt;em&gt; as text.", False),
    ("An image ![<em>](x.png) and a [link](x.md \"<i>title</i>\").", False),
    ("<img src=\"x.png\" alt=\"<em>\">", False),
    ("<!-- <em>a comment</em> -->", False),
])
def test_italic_is_found_in_what_ships(markdown: str, italic: bool) -> None:
    assert sets_italic(render_markdown(markdown)) is italic
