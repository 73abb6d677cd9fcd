"""Plain data classes for briefs and their vocabularies (no I/O, no MkDocs).

Loading resolves everything once: a :class:`Brief` holds :class:`Country`,
:class:`Theme` and :class:`Region` objects and a :class:`BriefDate`, never bare codes,
so renderers never look a name up again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from site_builder.pages.links import RewrittenBody


Texts = tuple[tuple[str, str], ...]
"""A vocabulary text in several languages: ``(("en", "Health"), ("fr", "Santé"))``; the
code ``""`` stands for the site's default language (a plain string in the YAML file)."""


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country or territory as the site shows it."""

    alpha3: str
    alpha2: str
    name: str  # the programme's usual English name (or the name in a page's language)
    continent: str  # Africa, Americas, Asia, Europe, Oceania

    @property
    def slug(self) -> str:
        """URL segment of the country page: the lower-case alpha-3 code."""
        return self.alpha3.lower()


@dataclass(frozen=True)
class Theme:
    """One entry of ``briefs/themes.yml``."""

    id: str
    title: str
    description: str = ""
    titles: Texts = field(default=(), compare=False)
    """``title`` in each language the vocabulary gives (empty for a plain string)."""
    descriptions: Texts = field(default=(), compare=False)
    """``description`` in each language the vocabulary gives."""
    title_lang: str = field(default="", compare=False)
    """The language ``title`` is in when it is not the page's (a missing translation)."""
    description_lang: str = field(default="", compare=False)
    """The language ``description`` is in when it is not the page's."""


@dataclass(frozen=True)
class Region:
    """One entry of ``briefs/regions.yml``: a named group of countries."""

    id: str
    title: str
    countries: tuple[Country, ...] = ()
    description: str = ""
    titles: Texts = field(default=(), compare=False)
    """``title`` in each language the vocabulary gives (empty for a plain string)."""
    descriptions: Texts = field(default=(), compare=False)
    """``description`` in each language the vocabulary gives."""
    title_lang: str = field(default="", compare=False)
    """The language ``title`` is in when it is not the page's (a missing translation)."""
    description_lang: str = field(default="", compare=False)
    """The language ``description`` is in when it is not the page's."""

    @cached_property
    def codes(self) -> frozenset[str]:
        """The member countries' alpha-3 codes."""
        return frozenset(c.alpha3 for c in self.countries)


@dataclass(frozen=True)
class BriefDate:
    """A brief's date: a day (``2016-02-23``) or only a month (``2016-02``)."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> BriefDate:
        """Read ``YYYY-MM-DD`` or ``YYYY-MM`` (already validated)."""
        parts = [int(p) for p in text.split("-")]
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    @property
    def iso(self) -> str:
        """The date as written: ``2016-02-23`` or ``2016-02``."""
        month = f"{self.year:04d}-{self.month:02d}"
        return month if self.day is None else f"{month}-{self.day:02d}"

    @property
    def first_day(self) -> dt.date:
        """The date as a calendar day (a month-only date is its first day)."""
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Sorts by date whatever the precision (a month-only date before its days)."""
        return (self.year, self.month, self.day or 0)

    @property
    def sortable(self) -> str:
        """The date as text that sorts whatever the precision: ``2016-02-23``, ``2016-02-00``."""
        return self.iso if self.day is not None else self.iso + "-00"

    def __str__(self) -> str:
        return self.iso


@dataclass(frozen=True)
class Brief:
    """A validated brief: resolved front matter plus its Markdown body."""

    slug: str
    path: Path  # absolute path of the Markdown file
    rel_path: str  # path as reported to users, relative to the working directory
    root: Path  # the content folder the brief was loaded from
    title: str
    countries: tuple[Country, ...]  # in the author's order
    themes: tuple[Theme, ...]
    date: BriefDate
    summary: str
    body: str  # Markdown after the closing '---'
    body_line: int  # 1-based line number of the body's first line in the file
    regions: tuple[Region, ...] = ()
    language: str = "en"
    authors: tuple[str, ...] = ()
    series: str | None = None
    keywords: tuple[str, ...] = ()
    translation_of: str | None = None
    draft: bool = False
    overflow: str | None = None  # 'fit' or 'error': what running over the budget does

    @property
    def folder(self) -> Path:
        """Folder holding the brief and its assets (images)."""
        return self.path.parent

    @property
    def year(self) -> int:
        """The year of the brief's date."""
        return self.date.year

    @cached_property
    def country_codes(self) -> tuple[str, ...]:
        """The alpha-3 codes of the brief's countries."""
        return tuple(c.alpha3 for c in self.countries)

    @cached_property
    def theme_ids(self) -> tuple[str, ...]:
        """The ids of the brief's themes."""
        return tuple(t.id for t in self.themes)

    @cached_property
    def region_ids(self) -> tuple[str, ...]:
        """The ids of the regions the brief is tagged with."""
        return tuple(r.id for r in self.regions)

    @cached_property
    def web(self) -> RewrittenBody:
        """The body with its links resolved for the site, and the files it publishes."""
        from site_builder.pages.links import rewrite_links

        return rewrite_links(self, self.root)


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
