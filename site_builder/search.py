"""Faceted full-text search with Pagefind: what brief pages carry, and the indexing step.

Only brief pages carry ``data-pagefind-body``, so index pages (themes, countries...) are
never results. Each brief page also carries hidden filter, metadata and sort elements
(:func:`search_metadata_html`). After MkDocs has written the site, :func:`index_site`
runs the Pagefind binary shipped in the ``pagefind_bin`` wheel (no download at run time)
and writes ``pagefind/`` into the site. The search UI (``theme/search/``) talks to
``pagefind/pagefind.js`` with relative URLs, so the site works offline and from a subpath.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from site_builder.findings import BriefsError
from site_builder.model import Brief, Corpus
from site_builder.vocabulary import get_country, language_name

THEME_DIR = Path(__file__).resolve().parent.parent / "theme" / "search"
SEARCH_ASSETS: dict[str, str] = {
    "assets/search/search.js": "search.js",
    "assets/search/search.css": "search.css",
}
"""Site path -> file name under ``theme/search/``; the plugin copies them into the site."""

FACETS: tuple[tuple[str, str], ...] = (
    ("theme", "Theme"),
    ("country", "Country"),
    ("region", "Region"),
    ("language", "Language"),
    ("year", "Year"),
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


def facet_values(brief: Brief, corpus: Corpus) -> dict[str, list[str]]:
    """Return the filter values of a brief, as shown to readers, per facet key."""
    return {
        "theme": [corpus.themes[t].title if t in corpus.themes else t for t in brief.themes],
        "country": [get_country(c).name for c in brief.countries],
        "region": [corpus.regions[r].title for r in _regions_of(brief, corpus)],
        "language": [language_name(brief.language)],
        "year": [brief.year],
    }


def _regions_of(brief: Brief, corpus: Corpus) -> list[str]:
    """Regions tagged on the brief, and those containing one of its countries."""
    ids = list(brief.regions)
    for region in corpus.regions.values():
        if region.id not in ids and set(region.countries) & set(brief.countries):
            ids.append(region.id)
    return ids


def search_metadata_html(brief: Brief, corpus: Corpus) -> str:
    """Return hidden elements giving Pagefind a brief's filters, metadata and sort key."""
    esc = html.escape
    values = facet_values(brief, corpus)
    parts = [f'<div class="cb-search-meta" hidden aria-hidden="true" '
             f'data-pagefind-sort="date:{esc(brief.sort_date)}">']
    for key, _label in FACETS:
        parts += [f'<span data-pagefind-filter="{key}">{esc(v)}</span>' for v in values[key]]
    meta = {
        "title": brief.title,
        "countries": ", ".join(values["country"]),
        "themes": ", ".join(values["theme"]),
        "date": brief.date,
        "language": brief.language,
    }
    parts += [f'<span data-pagefind-meta="{key}">{esc(value)}</span>' for key, value in meta.items()]
    parts.append("</div>")
    return "".join(parts)


def search_href(root: str, **filters: str) -> str:
    """Return a link to the search page pre-filtered, e.g. ``search_href('../../', theme='Health')``."""
    query = urlencode(sorted((k, v) for k, v in filters.items() if v))
    return f"{root}search/" + (f"?{query}" if query else "")


def facet_counts(briefs: list[Brief], corpus: Corpus) -> dict[str, dict[str, int]]:
    """Return, per facet, each value's number of briefs (embedded in the search page)."""
    counts: dict[str, dict[str, int]] = {key: {} for key, _ in FACETS}
    for brief in briefs:
        for key, values in facet_values(brief, corpus).items():
            for value in values:
                counts[key][value] = counts[key].get(value, 0) + 1
    return {key: dict(sorted(values.items())) for key, values in counts.items()}


def search_page_html(facets: dict[str, dict[str, int]]) -> str:
    """Return the body of the Search page (``search/``); search.js brings it to life.

    The facet values and counts are embedded at build time, so the first search does not
    download every filter index (Pagefind loads a filter's index only when it is used).
    """
    import json

    facet_json = json.dumps(facets, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    facets = "".join(
        f'<fieldset class="cb-facet" data-facet="{key}"><legend>{label}</legend>'
        f'<div class="cb-facet__options"></div></fieldset>'
        for key, label in FACETS
    )
    return f"""<div class="cb-search" data-pagefind-ignore>
<form class="cb-search__form" role="search" action="./" method="get">
<label for="cb-q">Search the briefs</label>
<div class="cb-search__row">
<input id="cb-q" name="q" type="search" autocomplete="off" placeholder="e.g. maternity, pensions, Mozambique">
<label class="cb-search__sort-label" for="cb-sort">Sort by</label>
<select id="cb-sort" name="sort">
<option value="">Relevance</option>
<option value="date:desc">Newest first</option>
<option value="date:asc">Oldest first</option>
</select>
<button type="submit">Search</button>
</div>
</form>
<div class="cb-search__body">
<aside class="cb-search__facets" aria-label="Filters">{facets}
<button type="button" class="cb-search__clear">Clear filters</button></aside>
<section class="cb-search__results" aria-label="Results">
<p class="cb-search__status" role="status" aria-live="polite"></p>
<ol class="cb-search__list"></ol>
<button type="button" class="cb-search__more" hidden>Show more results</button>
</section>
</div>
<noscript><p>Search needs JavaScript. Browse the briefs by <a href="../themes/">theme</a> or
<a href="../countries/">country</a> instead.</p></noscript>
</div>
<script type="application/json" id="cb-facets">{facet_json}</script>
<script type="module" src="../assets/search/search.js"></script>
"""


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
    output = site_dir / "pagefind"
    _make_filters_deterministic(output)
    entry = output / "pagefind-entry.json"
    pages = 0
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        pages = sum(int(lang.get("page_count", 0)) for lang in data.get("languages", {}).values())
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return SearchReport(pages=pages, bundle_bytes=size, output=output)


_SIGNATURE = b"pagefind_dcd"


def _read_cbor(path: Path) -> Any:
    import cbor2

    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise BriefsError(f"unexpected Pagefind file format: {path.name}")
    return cbor2.loads(raw[len(_SIGNATURE):])


def _write_cbor(folder: Path, prefix: str, suffix: str, data: Any, digits: int) -> str:
    """Write a gzipped Pagefind data file named after its content; return its hash name."""
    import cbor2

    payload = gzip.compress(_SIGNATURE + cbor2.dumps(data), mtime=0)
    name = f"{prefix}_{hashlib.sha256(payload).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(payload)
    return name


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
        meta = _read_cbor(meta_path)
        try:
            filters = meta[3]
            renamed = []
            for filter_name, filter_hash in sorted(filters):
                old = output / "filter" / f"{filter_hash}.pf_filter"
                name, values = _read_cbor(old)
                old.unlink()
                new_hash = _write_cbor(old.parent, language, ".pf_filter",
                                       [name, sorted(values, key=lambda v: str(v[0]))], 7)
                renamed.append([filter_name, new_hash])
            meta[3] = renamed
        except (IndexError, TypeError, ValueError) as exc:
            raise BriefsError(f"unexpected Pagefind meta layout ({exc}); pin pagefind 1.5") from None
        meta_path.unlink()
        info["hash"] = _write_cbor(output, f"pagefind.{language}", ".pf_meta", meta, 10)[
            len("pagefind."):]
    entry_path.write_text(json.dumps(entry, separators=(",", ":"), ensure_ascii=False),
                          encoding="utf-8")
