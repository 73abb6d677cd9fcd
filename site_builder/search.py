"""Faceted full-text search with Pagefind: what brief pages carry, and the indexing step.

Only brief pages carry ``data-pagefind-body``, so index pages (themes, countries...) are
never results. Each brief page also carries hidden filter, metadata and sort elements
(template ``briefs/partials/search-meta.html``, data from :func:`search_metadata`). A build
hands each brief page to Pagefind as MkDocs renders it (:mod:`site_builder.search_service`);
:func:`index_site` runs Pagefind over a site already written. Either way it is the binary
shipped in the ``pagefind_bin`` wheel (no download at run time), and ``pagefind/`` is
written into the site. The search UI (``theme/assets/search/``) talks to
``pagefind/pagefind.js`` with relative URLs, so the site works offline and from a subpath.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder import i18n
from site_builder.findings import BriefsError
from site_builder.i18n import cldr_locale
from site_builder.model import Brief, Corpus, Region
from site_builder.pagefind_files import read_cbor, write_cbor
from site_builder.vocabulary import language_name

if TYPE_CHECKING:
    from site_builder.templating import Templates

def N_(message: str) -> str:
    """Mark a word for the catalogue; it is translated where it is shown."""
    return message


FACETS: tuple[tuple[str, str], ...] = (
    ("theme", N_("Theme")),
    ("country", N_("Country")),
    ("region", N_("Region")),
    ("language", N_("Language")),
    ("year", N_("Year")),
)
"""Filter keys as Pagefind indexes them, with their labels in the search UI."""

ARTICLE_ATTRIBUTE = "data-pagefind-body"
"""Attribute for the element that wraps a brief's content (only brief pages have it)."""

EXCLUDED_SELECTORS: tuple[str, ...] = (
    ".brief-kicker", ".chips", ".brief-facts", ".download", ".cb-search-meta",
    ".brief-cite", ".brief-related", ".brief-translations", ".brief-footer",
)
"""Parts of a brief page that are not its text (facts, downloads, citation, related
briefs): left out of the words and excerpts; filters and metadata inside still count."""


@dataclass(frozen=True)
class SearchReport:
    """What Pagefind indexed."""

    pages: int
    bundle_bytes: int
    output: Path


def facet_values(brief: Brief, corpus: Corpus, language: str | None = None) -> dict[str, list[str]]:
    """Return the filter values of a brief, as shown to readers, per facet key.

    Names come as the brief and corpus hold them (localised for a language's pages);
    ``language`` names the brief's language in that language (default: in English).
    """
    return {
        "theme": [t.title for t in brief.themes],
        "country": [c.name for c in brief.countries],
        "region": [r.title for r in _regions_of(brief, corpus)],
        "language": [i18n.language_name(brief.language, language) if language
                     else language_name(brief.language)],
        "year": [str(brief.year)],
    }


def _regions_of(brief: Brief, corpus: Corpus) -> list[Region]:
    """Regions tagged on the brief, and those containing one of its countries."""
    regions = list(brief.regions)
    for region in corpus.regions.values():
        if region not in regions and region.codes.intersection(brief.country_codes):
            regions.append(region)
    return regions


def search_metadata(brief: Brief, corpus: Corpus, language: str | None = None) -> dict[str, object]:
    """Return what a brief page gives Pagefind: sort key, filters and result metadata."""
    values = facet_values(brief, corpus, language)
    filters = [(key, value) for key, _label in FACETS for value in values[key]]
    sort = "-".join(f"{n:02d}" for n in brief.date.sort_key)
    meta = [
        ("title", brief.title),
        ("countries", ", ".join(values["country"])),
        ("themes", ", ".join(values["theme"])),
        ("date", brief.date.iso),
        ("language", brief.language),
        ("sort", sort),  # the sort key again: the search page merges sorted shards by it
    ]
    return {"sort": sort, "filters": filters, "meta": meta}


def facets(words: Templates) -> list[tuple[str, str]]:
    """Return the facet keys with their labels in the page's language."""
    return [(key, words.gettext(label)) for key, label in FACETS]


def search_messages(words: Templates) -> dict[str, object]:
    """Return the search script's words in the page's language.

    ``found`` maps each CLDR plural category (``one``, ``other``…) of the language to
    its message, with ``{n}`` for the number; the script picks one with
    ``Intl.PluralRules``.
    """
    rule = cldr_locale(words.language).plural_form
    found: dict[str, str] = {}
    for n in range(0, 200):
        tag = rule(n)
        if tag not in found:
            found[tag] = words.ngettext("%(num)d brief found", "%(num)d briefs found", n
                                        ).replace(str(n), "{n}", 1)
    return {
        "idle": words.gettext("Type a word or choose a filter."),
        "loading": words.gettext("Loading search…"),
        "unavailable": words.gettext("Search is unavailable: %(error)s", error="{error}"),
        "found": found,
    }


def facet_counts(briefs: list[Brief], corpus: Corpus, language: str | None = None
                 ) -> dict[str, dict[str, int]]:
    """Return, per facet, each value's number of briefs (embedded in the search page)."""
    counts: dict[str, dict[str, int]] = {key: {} for key, _ in FACETS}
    for brief in briefs:
        for key, values in facet_values(brief, corpus, language).items():
            for value in values:
                counts[key][value] = counts[key].get(value, 0) + 1
    return {key: dict(sorted(values.items())) for key, values in counts.items()}


def index_site(site_dir: Path, *, quiet: bool = True) -> SearchReport:
    """Run Pagefind over a built site, writing ``<site_dir>/pagefind/``."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir),
               "--output-subdir", "pagefind", "--glob", "briefs/**/*.html",
               "--exclude-selectors", ", ".join(EXCLUDED_SELECTORS)]
    if quiet:
        command.append("--quiet")
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BriefsError(f"search indexing (Pagefind) did not run: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BriefsError("search indexing (Pagefind) failed: " + " / ".join(detail))
    return finish_index(site_dir / "pagefind")


def finish_index(output: Path) -> SearchReport:
    """Make a written Pagefind index deterministic and report what it holds."""
    _make_filters_deterministic(output)
    entry = output / "pagefind-entry.json"
    pages = 0
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        pages = sum(int(lang.get("page_count", 0)) for lang in data.get("languages", {}).values())
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return SearchReport(pages=pages, bundle_bytes=size, output=output)


def _make_filters_deterministic(output: Path) -> None:
    """Sort Pagefind's filter values and rewrite the files that name them.

    Pagefind keeps filters in a Rust HashMap, so each run writes their values in a new
    order: the same site would give a different ``pagefind/`` every build. Sorting the
    values (and the filter list in the meta file) and naming the files after their content
    makes the index byte-identical for the same input. The formats are gzipped CBOR behind
    a ``pagefind_dcd`` signature; a Pagefind version with another layout fails loudly here.
    """
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry.get("languages", {}).items():
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = read_cbor(meta_path)
        try:
            filters = meta[3]
            renamed = []
            for filter_name, filter_hash in sorted(filters):
                old = output / "filter" / f"{filter_hash}.pf_filter"
                name, values = read_cbor(old)
                old.unlink()
                new_hash = write_cbor(old.parent, language, ".pf_filter",
                                       [name, sorted(values, key=lambda v: str(v[0]))], 7)
                renamed.append([filter_name, new_hash])
            meta[3] = renamed
        except (IndexError, TypeError, ValueError) as exc:
            raise BriefsError(f"unexpected Pagefind meta layout ({exc}); pin pagefind 1.5") from None
        meta_path.unlink()
        info["hash"] = write_cbor(output, f"pagefind.{language}", ".pf_meta", meta, 10)[
            len("pagefind."):]
    entry_path.write_text(json.dumps(entry, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
                          encoding="utf-8")
