"""Plain data classes for briefs and their vocabularies (no I/O, no MkDocs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Theme:
    """One entry of ``briefs/themes.yml``."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Region:
    """One entry of ``briefs/regions.yml``: a named group of countries."""

    id: str
    title: str
    countries: tuple[str, ...] = ()  # alpha-3 codes
    description: str = ""


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country or territory as the site shows it."""

    alpha3: str
    alpha2: str
    name: str  # the programme's usual English name
    continent: str  # Africa, Americas, Asia, Europe, Oceania

    @property
    def slug(self) -> str:
        """URL segment of the country page: the lower-case alpha-3 code."""
        return self.alpha3.lower()


@dataclass(frozen=True)
class Brief:
    """A validated brief: normalised front matter plus its Markdown body."""

    slug: str
    path: Path  # absolute path of the Markdown file
    rel_path: str  # path as reported to users, relative to the working directory
    title: str
    countries: tuple[str, ...]  # alpha-3 codes, in the author's order
    themes: tuple[str, ...]
    date: str  # "YYYY-MM-DD" or "YYYY-MM", as written
    summary: str
    body: str  # Markdown after the closing '---'
    body_line: int  # 1-based line number of the body's first line in the file
    regions: tuple[str, ...] = ()
    language: str = "en"
    authors: tuple[str, ...] = ()
    series: str | None = None
    keywords: tuple[str, ...] = ()
    translation_of: str | None = None
    draft: bool = False

    @property
    def folder(self) -> Path:
        """Folder holding the brief and its assets (images)."""
        return self.path.parent

    @property
    def year(self) -> str:
        """The four-digit year of the brief's date."""
        return self.date[:4]

    @property
    def sort_date(self) -> str:
        """A date string that sorts correctly whatever the precision (YYYY-MM -> YYYY-MM-00)."""
        return self.date if len(self.date) == 10 else self.date + "-00"


@dataclass
class Corpus:
    """Every brief of a content folder and the vocabularies they use."""

    root: Path  # the content folder (``briefs/``)
    briefs: list[Brief] = field(default_factory=list)  # sorted by slug
    themes: dict[str, Theme] = field(default_factory=dict)  # in file order
    regions: dict[str, Region] = field(default_factory=dict)  # in file order
    n_files: int = 0  # brief files found, valid or not

    def get(self, slug: str) -> Brief | None:
        """Return the brief with this slug, or None."""
        for brief in self.briefs:
            if brief.slug == slug:
                return brief
        return None

    @property
    def published(self) -> list[Brief]:
        """Briefs that go on the site and into PDFs (drafts left out)."""
        return [b for b in self.briefs if not b.draft]
