"""Choose and order the briefs of a bundle: filters by facet, explicit slugs, sort orders."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Literal

from site_builder.findings import BriefsError
from site_builder.index import Index, newest_first
from site_builder.model import Brief
from site_builder.vocabulary import (
    close_match,
    is_language,
    resolve_country,
    suggest_country,
)

Order = Literal["theme", "country", "date", "listed"]
ORDERS: tuple[str, ...] = ("theme", "country", "date", "listed")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class Selection:
    """What goes into a bundle. Facets combine with AND, values within a facet with OR;
    explicit ``slugs`` are added to whatever the facets select (or form the whole list)."""

    themes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, inclusive
    date_to: str | None = None
    slugs: tuple[str, ...] = ()
    order: Order = "date"
    errors: list[str] = field(default_factory=list, compare=False)

    @property
    def has_filters(self) -> bool:
        """Tell whether any facet (not just slugs) is set."""
        return bool(self.themes or self.countries or self.regions or self.languages
                    or self.date_from or self.date_to)


def _hint(word: str, choices: list[str]) -> str:
    match = close_match(word, choices)
    return f" (did you mean '{match}'?)" if match else ""


def _is_date(value: str) -> bool:
    """Return whether ``value`` is a real YYYY, YYYY-MM or YYYY-MM-DD date (no month 13)."""
    if not _DATE.match(value):
        return False
    parts = value.split("-")
    try:
        datetime.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                      int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Problem:
    """A bad value in a selection: which field, which item of it (if a list), and why."""

    field: str  # themes, countries, regions, languages, slugs, from, to, order
    item: int | None
    message: str


def selection_problems(selection: Selection, index: Index) -> list[Problem]:
    """Return one problem per unknown theme, country, region, language, slug or bad date."""
    corpus = index.corpus
    problems: list[Problem] = []
    for i, theme in enumerate(selection.themes):
        if theme not in corpus.themes:
            problems.append(Problem("themes", i, f"unknown theme '{theme}'"
                                    f"{_hint(theme, list(corpus.themes))}"))
    for i, country in enumerate(selection.countries):
        if resolve_country(country) is None:
            hint = suggest_country(country)
            problems.append(Problem("countries", i, f"unknown country '{country}'"
                                    + (f" (did you mean {hint}?)" if hint else "")))
    for i, region in enumerate(selection.regions):
        if region not in corpus.regions:
            problems.append(Problem("regions", i, f"unknown region '{region}'"
                                    f"{_hint(region, list(corpus.regions))}"))
    for i, language in enumerate(selection.languages):
        if not is_language(language):
            problems.append(Problem("languages", i, f"unknown language '{language}': use an "
                                    "ISO 639-1 code such as en"))
    for i, slug in enumerate(selection.slugs):
        if slug not in index.by_slug:
            problems.append(Problem("slugs", i, f"unknown brief '{slug}'"
                                    f"{_hint(slug, list(index.by_slug))}"))
    for name, value in (("from", selection.date_from), ("to", selection.date_to)):
        if value is not None and not _is_date(value):
            problems.append(Problem(name, None, f"--{name} must be a date as YYYY, YYYY-MM or "
                                    f"YYYY-MM-DD, not '{value}'"))
    if selection.order not in ORDERS:
        problems.append(Problem("order", None, f"unknown order '{selection.order}': use one of "
                                f"{', '.join(ORDERS)}"))
    return problems


def check_selection(selection: Selection, index: Index) -> list[str]:
    """Return one message per unknown theme, country, region, language, slug or bad date."""
    return [problem.message for problem in selection_problems(selection, index)]


def _matches(brief: Brief, selection: Selection, countries: set[str], region_members: set[str]
             ) -> bool:
    if selection.themes and not set(selection.themes) & set(brief.theme_ids):
        return False
    if countries and not countries & set(brief.country_codes):
        return False
    if selection.regions and not (set(selection.regions) & set(brief.region_ids)
                                  or region_members & set(brief.country_codes)):
        return False
    if selection.languages and brief.language not in selection.languages:
        return False
    date = brief.date.sortable
    if selection.date_from and date[: len(selection.date_from)] < selection.date_from:
        return False
    return not (selection.date_to and date[: len(selection.date_to)] > selection.date_to)


def select_briefs(selection: Selection, index: Index) -> list[Brief]:
    """Return the selected published briefs in the selection's order; raise on bad input."""
    problems = check_selection(selection, index)
    if problems:
        raise BriefsError("; ".join(problems))
    chosen: list[Brief] = []
    if selection.has_filters:
        countries = {resolve_country(c) or c for c in selection.countries}
        members = {c for r in selection.regions for c in index.corpus.regions[r].codes}
        chosen = [b for b in index.briefs if _matches(b, selection, countries, members)]
    seen = {b.slug for b in chosen}
    listed = [index.by_slug[s] for s in dict.fromkeys(selection.slugs) if s not in seen]
    briefs = order_briefs(listed + chosen if selection.order == "listed" else chosen + listed,
                          selection, index)
    if not briefs:
        raise BriefsError("the selection is empty: no published brief matches it")
    return briefs


def order_briefs(briefs: list[Brief], selection: Selection, index: Index) -> list[Brief]:
    """Sort by theme (vocabulary order), country (name), date (newest first) or as listed."""
    if selection.order == "listed":
        return briefs
    dated = newest_first(briefs)
    if selection.order == "date":
        return dated
    if selection.order == "theme":
        rank = {theme: i for i, theme in enumerate(index.corpus.themes)}
        wanted = set(selection.themes)

        def theme_key(brief: Brief) -> int:
            themes = [t for t in brief.theme_ids if not wanted or t in wanted] or list(brief.theme_ids)
            return min(rank.get(t, len(rank)) for t in themes)

        return sorted(dated, key=theme_key)
    return sorted(dated, key=lambda b: b.countries[0].name)
