"""Cross-index a corpus: briefs by theme, country and region, translations, related briefs.

Everything here is plain data computed once ("gather, then write"); page renderers,
feeds, PDFs and bundles read it and never re-scan the corpus.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from site_builder.country_names import localised_country, sort_key
from site_builder.model import Brief, Corpus, Country, Region
from site_builder.vocabulary import get_country

# Weights of a shared term when scoring related briefs (Hugo's related-content idea:
# each index has a weight; the score is the weighted count of shared terms).
RELATED_WEIGHTS: dict[str, int] = {"countries": 3, "themes": 2, "regions": 1}


def _add_to(planes: list[int], members: int, weight: int) -> None:
    """Add ``weight`` to the bit-sliced scores in ``planes`` of every brief in ``members``
    (binary addition of a set to each bit of ``weight``, carrying from plane to plane)."""
    level = 0
    while weight > 0 and members:
        if weight & 1:
            carry, plane = members, level
            while carry:
                if plane == len(planes):
                    planes.append(0)
                planes[plane], carry = planes[plane] ^ carry, planes[plane] & carry
                plane += 1
        weight >>= 1
        level += 1


def newest_first(briefs: list[Brief]) -> list[Brief]:
    """Sort briefs by date, newest first, then by title and slug for a stable order."""
    return sorted(briefs, key=lambda b: (_neg_date(b), b.title.casefold(), b.slug))


def _neg_date(brief: Brief) -> tuple[int, ...]:
    return tuple(-part for part in brief.date.sort_key)


@dataclass
class Index:
    """The corpus' published briefs, indexed every way the site and the packs need."""

    corpus: Corpus
    briefs: list[Brief] = field(default_factory=list)
    """Published briefs as listed, newest first (see :func:`build_index`'s ``language``)."""
    by_slug: dict[str, Brief] = field(default_factory=dict)
    """Every published brief, listed or not."""
    by_theme: dict[str, list[Brief]] = field(default_factory=dict)
    """Every theme id of the vocabulary (in file order) to its briefs, newest first."""
    by_country: dict[str, list[Brief]] = field(default_factory=dict)
    """Alpha-3 code to briefs, newest first; only countries that have briefs, A-Z by code."""
    by_region: dict[str, list[Brief]] = field(default_factory=dict)
    """Region id to the briefs tagged with it or with one of its countries, newest first."""
    translations: dict[str, list[Brief]] = field(default_factory=dict)
    """Slug to the other language versions of the same brief (sorted by language)."""
    language: str = "en"
    """The language of the pages this index serves (country names, sorting)."""
    _related: dict[tuple[str, int], list[Brief]] = field(default_factory=dict)
    _term_sets: dict[str, dict[str, int]] = field(default_factory=dict)
    _rank: dict[str, int] = field(default_factory=dict)
    _order: list[str] = field(default_factory=list)

    def related(self, slug: str, limit: int = 5) -> list[Brief]:
        """Return up to ``limit`` briefs most related to ``slug`` (never itself or a translation).

        Score: the weighted count of shared countries, themes and regions
        (``RELATED_WEIGHTS``); ties go to the newer brief, then the slug.
        """
        key = (slug, limit)
        if key not in self._related:
            self._related[key] = self._score_related(self.by_slug[slug], limit)
        return self._related[key]

    def _prepare_related(self) -> None:
        """Order the briefs newest first once, and give each term the set of its briefs.

        A set is an integer with bit ``i`` for the ``i``-th newest brief, so a brief's
        scores for every other brief are a few operations on whole sets (see
        :func:`_add_to`), not a count per brief: linear in the corpus, where counting was
        quadratic (16 s of the page HTML at 10,000 briefs).
        """
        order = sorted(self.by_slug, key=lambda s: (_neg_date(self.by_slug[s]), s))
        self._order = order
        self._rank = {s: i for i, s in enumerate(order)}
        regions: dict[str, list[str]] = defaultdict(list)
        for brief in self.briefs:
            for region in brief.region_ids:
                regions[region].append(brief.slug)
        tables = {
            "countries": {k: [b.slug for b in v] for k, v in self.by_country.items()},
            "themes": {k: [b.slug for b in v] for k, v in self.by_theme.items()},
            "regions": dict(regions),
        }
        self._term_sets = {name: {key: self._set_of(slugs) for key, slugs in table.items()}
                           for name, table in tables.items()}

    def _set_of(self, slugs: Iterable[str]) -> int:
        bits = 0
        for slug in slugs:
            bits |= 1 << self._rank[slug]
        return bits

    def _score_related(self, brief: Brief, limit: int) -> list[Brief]:
        if not self._rank and self.by_slug:
            self._prepare_related()
        planes: list[int] = []  # bit j of every brief's score, as a set (bit-sliced)
        for name, keys in (("countries", brief.country_codes), ("themes", brief.theme_ids),
                           ("regions", brief.region_ids)):
            sets = self._term_sets.get(name, {})
            for key in keys:
                _add_to(planes, sets.get(key, 0), RELATED_WEIGHTS[name])
        left = 0  # every brief with a score above zero
        for plane in planes:
            left |= plane
        itself = [brief.slug, *(b.slug for b in self.translations.get(brief.slug, ()))]
        left &= ~self._set_of(s for s in itself if s in self._rank)  # never itself or a translation
        found: list[int] = []
        while left and len(found) < limit:
            best = left  # those of the highest score left: bit by bit from the top plane
            for plane in reversed(planes):
                if best & plane:
                    best &= plane
            while best and len(found) < limit:  # ties: the newer first
                lowest = best & -best
                found.append(lowest.bit_length() - 1)
                best ^= lowest
                left ^= lowest
        return [self.by_slug[self._order[i]] for i in found]

    def country(self, alpha3: str) -> Country:
        """Return a country with its name in the index's language."""
        return localised_country(get_country(alpha3), self.language)

    def countries(self) -> list[Country]:
        """Return the countries that have briefs, A-Z by name in the index's language."""
        return sorted((self.country(code) for code in self.by_country),
                      key=lambda c: sort_key(c.name))

    def coverage(self) -> dict[tuple[str, str], int]:
        """Return the number of briefs for each (theme id, alpha-3) pair that has any."""
        cells: Counter[tuple[str, str]] = Counter()
        for brief in self.briefs:
            for theme in brief.theme_ids:
                for country in brief.country_codes:
                    cells[(theme, country)] += 1
        return dict(cells)

    def regions_of(self, country: Country) -> list[Region]:
        """Return the regions (from ``regions.yml``) a country belongs to."""
        return [r for r in self.corpus.regions.values() if country.alpha3 in r.codes]

    def years(self) -> list[int]:
        """Return the years that have briefs, newest first."""
        return sorted({b.year for b in self.briefs}, reverse=True)


def build_index(corpus: Corpus, language: str = "en", *, one_version: bool = False) -> Index:
    """Index the published briefs of a validated corpus for pages in ``language``.

    With ``one_version`` (a site of several languages), a brief with a translation in
    ``language`` (``translation_of``, either direction) is listed as that translation,
    never both; one without is listed in every version it has.
    """
    published = newest_first(corpus.published)
    by_slug = {b.slug: b for b in published}
    translations = _translation_groups(published, by_slug)
    briefs = [b for b in published if _listed(b, language, translations)] if one_version \
        else published
    index = Index(corpus=corpus, briefs=briefs, by_slug=by_slug, language=language)
    index.by_theme = {theme_id: [] for theme_id in corpus.themes}
    by_country: dict[str, list[Brief]] = defaultdict(list)
    for brief in briefs:
        for theme in brief.theme_ids:
            index.by_theme.setdefault(theme, []).append(brief)
        for country in brief.country_codes:
            by_country[country].append(brief)
    index.by_country = dict(sorted(by_country.items()))
    for region in corpus.regions.values():
        index.by_region[region.id] = [
            b for b in briefs if region in b.regions or region.codes.intersection(b.country_codes)
        ]
    index.translations = translations
    return index


def _listed(brief: Brief, language: str, translations: dict[str, list[Brief]]) -> bool:
    """Whether a brief is listed on pages in ``language``: it is in it, or no version is."""
    if brief.language == language:
        return True
    return not any(other.language == language for other in translations.get(brief.slug, ()))


def _translation_groups(briefs: list[Brief], by_slug: dict[str, Brief]) -> dict[str, list[Brief]]:
    """Group each brief with its translations, following ``translation_of`` to the original."""

    def root(brief: Brief) -> str:
        seen = set()
        while brief.translation_of and brief.translation_of in by_slug and brief.slug not in seen:
            seen.add(brief.slug)
            brief = by_slug[brief.translation_of]
        return brief.slug

    groups: dict[str, list[Brief]] = defaultdict(list)
    for brief in briefs:
        groups[root(brief)].append(brief)
    result: dict[str, list[Brief]] = {}
    for members in groups.values():
        for brief in members:
            others = [b for b in members if b.slug != brief.slug]
            result[brief.slug] = sorted(others, key=lambda b: (b.language, b.slug))
    return result
