"""The fonts of a brief PDF: the theme's fonts and nothing else.

WeasyPrint finds fonts through Fontconfig, which also lists every font installed on the
machine. A character missing from the theme's fonts would then be drawn with whatever
font the machine has (DejaVu here, something else there), and the PDF would differ from
machine to machine. So each render gets a Fontconfig configuration with no font folder at
all: only the ``@font-face`` fonts of the print stylesheet exist. A character they lack
would be drawn as a hole, so :func:`missing_characters` finds such characters first and
the render reports them as an error.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from fontTools.ttLib import TTFont
from weasyprint.text.fonts import FontConfiguration

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
_EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
    "<fontconfig></fontconfig>\n"
)
_NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp"}  # controls, format characters: no glyph needed


@lru_cache(maxsize=1)
def _empty_fontconfig_file() -> str:
    """Write a Fontconfig configuration that lists no fonts; return its path (one per process)."""
    fd, path = tempfile.mkstemp(prefix="briefs-fontconfig-", suffix=".conf")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_EMPTY_FONTCONFIG)
    atexit.register(os.unlink, path)
    return path


@contextmanager
def no_system_fonts() -> Iterator[None]:
    """Within this block, a new WeasyPrint ``FontConfiguration`` sees no installed font."""
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = _empty_fontconfig_file()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = saved


def theme_font_config() -> FontConfiguration:
    """Return a WeasyPrint font configuration holding only the stylesheet's ``@font-face`` fonts."""
    with no_system_fonts():  # Fontconfig reads FONTCONFIG_FILE when the configuration is made
        return FontConfiguration()


@lru_cache(maxsize=4)
def _coverage(files: tuple[tuple[str, int, int], ...]) -> frozenset[int]:
    covered: set[int] = set()
    for name, _, _ in files:
        cmap = TTFont(name, lazy=True).getBestCmap() or {}
        covered.update(cmap)
    return frozenset(covered)


def font_coverage(fonts_dir: Path) -> frozenset[int]:
    """Return the code points that at least one font file of ``fonts_dir`` has a glyph for."""
    files = []
    if fonts_dir.is_dir():
        for path in sorted(fonts_dir.iterdir()):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                info = path.stat()
                files.append((str(path), info.st_mtime_ns, info.st_size))
    return _coverage(tuple(files))


class _TextCollector(HTMLParser):
    """Collect the text a document prints: its body and its title (the running footer)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._in_title = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "template"):
            self._skip += 1
        self._in_title = self._in_title or tag == "title"
        self._in_body = self._in_body or tag == "body"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "template"):
            self._skip = max(0, self._skip - 1)
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if not self._skip and (self._in_body or self._in_title):
            self.parts.append(data)


def missing_characters(html: str, fonts_dir: Path) -> list[str]:
    """Return the characters of the document's text that no font of ``fonts_dir`` can draw."""
    covered = font_coverage(fonts_dir)
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    found: dict[str, None] = {}
    for char in "".join(collector.parts):
        if ord(char) not in covered and unicodedata.category(char) not in _NOT_DRAWN:
            found[char] = None
    return list(found)


def describe_characters(chars: list[str], limit: int = 8) -> str:
    """Return characters as a readable list, e.g. ``'→' (U+2192), '≥' (U+2265)``."""
    shown = [f"'{c}' (U+{ord(c):04X})" for c in chars[:limit]]
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return ", ".join(shown) + more
