"""Downloadable files a page may offer (brief PDFs now, bundles later) and how they read.

The site build fills a ``Mapping[str, Download]`` and hands it to every page renderer.
Keys name what a file is for:

- ``pdf:<slug>``: a brief's own PDF;
- ``bundle:theme:<id>``, ``bundle:country:<iso3>``: the print pack of a theme or a country;
- ``bundle:file:<name>``: the pack made from ``bundles/<name>.yml``.

A renderer shows a download only when its key is present, so pages build the same
whether or not PDFs and bundles were made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Download:
    """A file on the site that readers can download."""

    href: str
    """Site path relative to the site root, e.g. ``pdf/moz-enssb.pdf``."""
    size: int
    """Size in bytes."""
    pages: int
    """Number of pages (0 when unknown)."""
    label: str
    """What the link says, e.g. ``Download the brief``."""

    def describe(self) -> str:
        """Return the file's kind, page count and size, e.g. ``PDF, 4 pages, 312 kB``."""
        parts = [self.href.rsplit(".", 1)[-1].upper() if "." in self.href else "File"]
        if self.pages:
            parts.append(f"{self.pages} page{'' if self.pages == 1 else 's'}")
        parts.append(format_size(self.size))
        return ", ".join(parts)


Downloads = Mapping[str, Download]


def format_size(size: int) -> str:
    """Return a byte count the way people read it: ``812 bytes``, ``312 kB``, ``4.2 MB``."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB"


def pdf_key(slug: str) -> str:
    """Return the downloads key of a brief's PDF."""
    return f"pdf:{slug}"


def theme_bundle_key(theme_id: str) -> str:
    """Return the downloads key of a theme's bundle."""
    return f"bundle:theme:{theme_id}"


def country_bundle_key(alpha3: str) -> str:
    """Return the downloads key of a country's bundle."""
    return f"bundle:country:{alpha3.lower()}"


def file_bundle_key(name: str) -> str:
    """Return the downloads key of the bundle made from ``bundles/<name>.yml``."""
    return f"bundle:file:{name}"
