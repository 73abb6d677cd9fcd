"""Files readers can download (brief PDFs, print packs), keyed by what they are.

The site build fills a ``Mapping[DownloadKey, Download]`` and hands it to every page; a
page shows a download only when its key is present, so pages build the same whether or
not PDFs and packs were made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class BriefPdf:
    """A brief's own PDF."""

    slug: str

    def __str__(self) -> str:
        return f"PDF of {self.slug}"


@dataclass(frozen=True, order=True)
class ThemePack:
    """The print pack of a theme."""

    theme_id: str
    language: str = ""
    """The site language whose pages list other briefs than the default's ("" for the default)."""

    def __str__(self) -> str:
        return f"pack of theme {self.theme_id}" + (f" ({self.language})" if self.language else "")


@dataclass(frozen=True, order=True)
class CountryPack:
    """The print pack of a country."""

    alpha3: str
    language: str = ""
    """The site language whose pages list other briefs than the default's ("" for the default)."""

    def __str__(self) -> str:
        return f"pack of country {self.alpha3}" + (f" ({self.language})" if self.language else "")


@dataclass(frozen=True, order=True)
class FilePack:
    """The print pack made from ``bundles/<name>.yml``."""

    name: str

    def __str__(self) -> str:
        return f"pack {self.name}"


PackKey = ThemePack | CountryPack | FilePack
DownloadKey = BriefPdf | PackKey


@dataclass(frozen=True)
class Download:
    """A file on the site that readers can download."""

    key: DownloadKey
    href: str
    """Site path relative to the site root, e.g. ``pdf/moz-enssb.pdf``."""
    size: int
    """Size in bytes."""
    pages: int
    """Number of pages (0 when unknown)."""
    title: str = ""
    """What the file is called (a pack's title), for lists of downloads."""

    @property
    def is_pack(self) -> bool:
        """Whether this is a print pack (not a brief's own PDF)."""
        return not isinstance(self.key, BriefPdf)

    @property
    def format(self) -> str:
        """The file's format as readers know it, e.g. ``PDF``."""
        return self.href.rsplit(".", 1)[-1].upper() if "." in self.href else ""


Downloads = Mapping[DownloadKey, Download]
