"""Printable packs of briefs: a cover, a contents page, then each brief's own PDF.

Public API: :func:`make_bundle` (one pack, for ``briefs bundle``) and
:func:`build_site_bundles` (a pack per theme, per country and per bundle file, for the site).
Brief PDFs come from the PDF cache (:func:`site_builder.pdf.render_all`), never re-rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder import __version__
from site_builder.bundle.budget import PackCandidate, SkippedPack, choose_packs
from site_builder.bundle.front import (
    ContentsEntry,
    Cover,
    page_numbers,
    render_front,
    render_page_numbers,
)
from site_builder.bundle.merge import Part, merge_pack, plan_layout
from site_builder.bundle.parallel import run_parallel
from site_builder.bundle.select import Selection, select_briefs
from site_builder.bundle.spec import (
    BundleFileError,
    BundleSpec,
    bundle_files,
    check_bundle_spec,
    located,
    read_bundle_file,
)
from site_builder.cache_store import CacheStore
from site_builder.country_names import country_name
from site_builder.downloads import CountryPack, FilePack, PackKey, ThemePack
from site_builder.files import write_atomic
from site_builder.findings import BriefsError, Finding, Severity
from site_builder.i18n import LOCALES_DIR
from site_builder.index import Index
from site_builder.localise import localise_theme
from site_builder.model import Brief, Corpus, Country, Theme
from site_builder.settings import Settings
from site_builder.templating import templates_for
from site_builder.theme_files import ThemeFiles
from site_builder.urls import pack_file

if TYPE_CHECKING:
    from site_builder.pdf.pool import WorkerPool

__all__ = [
    "BundleInfo",
    "BundleSpec",
    "Cover",
    "Selection",
    "SitePacks",
    "build_site_bundles",
    "bundle_files",
    "check_bundle_spec",
    "located",
    "make_bundle",
    "read_bundle_file",
    "read_bundle_files",
    "select_briefs",
]


@dataclass(frozen=True)
class BundleInfo:
    """A finished pack."""

    key: PackKey
    path: Path
    pages: int
    size: int
    slugs: tuple[str, ...]
    title: str = ""


def _brief_pdfs(briefs: list[Brief], index: Index, settings: Settings, jobs: int | None,
                progress: bool, known: Mapping[str, object] | None) -> dict[str, tuple[Path, int]]:
    """Return slug -> (cached PDF, pages), rendering only what the cache lacks."""
    from site_builder.pdf import render_all

    wanted = [b.slug for b in briefs]
    if known is not None and all(s in known for s in wanted):
        return {s: (known[s].cache_path, known[s].pages) for s in wanted}  # type: ignore[attr-defined]
    report = render_all(index.corpus, settings, None, jobs=jobs, progress=progress, slugs=wanted)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if errors:
        raise BriefsError("cannot bundle: some briefs do not render:\n"
                          + "\n".join(f.format() for f in errors))
    return {s: (report.results[s].cache_path, report.results[s].pages) for s in wanted}


def pack_bytes(briefs: list[Brief], cover: Cover, vocabulary: Corpus, settings: Settings,
               pdfs: Mapping[str, tuple[Path, int]], front_css: str = "") -> bytes:
    """Return a pack's bytes: front pages (``front_css`` laid over their stylesheet), then the brief PDFs."""
    relative = plan_layout(0, [(b.slug, pdfs[b.slug][1]) for b in briefs])
    entries = [ContentsEntry(b, relative.starts[b.slug] + 1) for b in briefs]
    front = render_front(cover, entries, vocabulary, settings, front_css)
    numbers = render_page_numbers(page_numbers(relative.ranges, relative.total), settings)
    themes = sorted({t.title for b in briefs for t in b.themes})
    countries = sorted({c.name for b in briefs for c in b.countries})
    data, _ = merge_pack(
        front,
        [Part(b.slug, b.title, pdfs[b.slug][0]) for b in briefs],
        title=cover.title,
        subject=cover.subtitle or f"{len(briefs)} country briefs",
        keywords=themes + countries,
        author=settings.publisher,
        page_numbers=numbers,
    )
    return data


@lru_cache(maxsize=4)
def _front_inputs(theme: ThemeFiles, language: str) -> str:
    """Hash what the cover and contents pages are made with: templates, CSS, fonts, words, code."""
    import weasyprint

    from site_builder.pdf.cache import hash_tree

    digest = hashlib.sha256(weasyprint.__version__.encode())
    for code in ("front.py", "merge.py"):  # the front pages, the page numbers and the tags
        digest.update(hashlib.sha256(Path(__file__).with_name(code).read_bytes()).digest())
    for root in theme.roots:
        for name in ("bundle", "fonts", "templates/bundle", "locales"):
            hash_tree(digest, root / name)
    hash_tree(digest, LOCALES_DIR)
    digest.update(language.encode())
    return digest.hexdigest()


def _page_count(data: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


@dataclass(frozen=True)
class PackPlan:
    """Everything one pack is made from (picklable: a worker process can make it)."""

    key: PackKey
    briefs: tuple[Brief, ...]
    cover: Cover
    pdfs: dict[str, tuple[Path, int]]
    """Slug to (cached brief PDF, pages)."""
    output: Path
    fingerprint: str
    """The pack's cache key."""

    @property
    def label(self) -> str:
        """How warnings name the pack."""
        return f"{self.key} ({self.output.name})"

    @property
    def inputs(self) -> list[Path]:
        """The files the pack is made from (its brief PDFs)."""
        return [self.pdfs[b.slug][0] for b in self.briefs]


def plan_pack(index: Index, settings: Settings, selection: Selection, cover: Cover,
              output: Path, key: PackKey, *, jobs: int | None = None, progress: bool = False,
              known: Mapping[str, object] | None = None) -> PackPlan:
    """Select a pack's briefs, make sure their PDFs exist and compute its cache key."""
    briefs = select_briefs(selection, index)
    pdfs = _brief_pdfs(briefs, index, settings, jobs, progress, known)
    cover = Cover(cover.title, cover.subtitle, cover.event, cover.date,
                  cover.series or settings.series, pack_language(cover, briefs, settings))
    fingerprint = hashlib.sha256(json.dumps([
        __version__, cover.__dict__, [(b.slug, b.title, b.country_codes, b.theme_ids, b.date.iso,
                                       pdfs[b.slug][0].name) for b in briefs],
        _front_inputs(settings.theme, cover.language),
    ], sort_keys=True, default=str).encode()).hexdigest()
    return PackPlan(key, tuple(briefs), cover, pdfs, output, fingerprint)


def write_pack(plan: PackPlan, settings: Settings, vocabulary: Corpus,
               stale: bool = False) -> BundleInfo:
    """Make a planned pack (or take it from the cache) and write it to its output.

    ``vocabulary`` gives the themes' order for the cover; ``stale`` says the cache was
    already found not to hold it. An existing output is replaced only once the new pack is
    complete.
    """
    store = CacheStore(settings.cache_root / "bundles")
    briefs = list(plan.briefs)

    def make() -> bytes:
        return pack_bytes(briefs, plan.cover, vocabulary, settings, plan.pdfs)

    data = (store.make(plan.fingerprint, make, plan.inputs) if stale
            else store.get_or_make(plan.fingerprint, plan.label, make, plan.inputs))
    if plan.output.resolve() != store.data_path(plan.fingerprint).resolve():
        write_atomic(plan.output, data)
    return BundleInfo(plan.key, plan.output, _page_count(data), len(data),
                      tuple(b.slug for b in briefs), plan.cover.title)


def make_bundle(index: Index, settings: Settings, selection: Selection, cover: Cover,
                output: Path, *, jobs: int | None = None, progress: bool = False,
                known: Mapping[str, object] | None = None,
                key: PackKey | None = None) -> BundleInfo:
    """Select, merge and write one pack to ``output``; an existing file is replaced only at the end."""
    plan = plan_pack(index, settings, selection, cover, output, key or FilePack(output.stem),
                     jobs=jobs, progress=progress, known=known)
    return write_pack(plan, settings, vocabulary_of(index.corpus))


def vocabulary_of(corpus: Corpus) -> Corpus:
    """The part of a corpus a pack's cover needs (the themes' order): small to send to a worker."""
    return Corpus(root=corpus.root, themes=corpus.themes)


def pack_language(cover: Cover, briefs: list[Brief], settings: Settings) -> str:
    """Return a pack's language: the cover's, else its briefs' if they share one, else the default."""
    if cover.language:
        return cover.language
    languages = {b.language for b in briefs}
    return languages.pop() if len(languages) == 1 else settings.language


SiteSpec = tuple[PackKey, Selection, Cover, Index]


def site_bundle_specs(indexes: Mapping[str, Index] | Index, settings: Settings) -> list[SiteSpec]:
    """Return (key, selection, cover, index) for every pack the site offers.

    The default language's theme and country packs, its bundle-file packs, and for each
    other site language a theme or country pack only where its pages list other briefs
    (the translations in that language) than the default's.
    """
    if isinstance(indexes, Index):
        indexes = {settings.language: indexes}
    default = indexes[settings.language]
    specs = _facet_specs(default, settings, "")
    files, problems = read_bundle_files(default, settings)
    if problems:
        raise BriefsError("\n".join(located(f) for f in problems))
    for spec in files:
        specs.append((FilePack(spec.name), spec.selection,
                      Cover(spec.title, spec.subtitle, spec.event, spec.date,
                            language=spec.language), default))
    for language, index in indexes.items():
        if language != settings.language:
            specs += _facet_specs(index, settings, language, default)
    return specs


def _facet_specs(index: Index, settings: Settings, language: str,
                 default: Index | None = None) -> list[SiteSpec]:
    """The theme and country packs of one language (only those differing from ``default``'s).

    ``language`` "" is the default language's packs: each in its briefs' language where
    they share one.
    """

    def differs(mine: list[Brief], theirs: list[Brief]) -> bool:
        return default is None or [b.slug for b in mine] != [b.slug for b in theirs]

    def cover(title: Callable[[str], str], briefs: list[Brief]) -> Cover:
        lang = language or pack_language(Cover(""), briefs, settings)
        words = templates_for(settings.theme, lang)
        return Cover(title(lang), words.gettext("Country briefs"), language=lang)

    def theme_title(theme: Theme) -> Callable[[str], str]:
        return lambda lang: localise_theme(theme, lang, settings.language).title

    def country_title(country: Country) -> Callable[[str], str]:
        return lambda lang: country_name(country, lang)

    specs: list[SiteSpec] = []
    for theme_id, briefs in index.by_theme.items():
        if briefs and differs(briefs, default.by_theme.get(theme_id, []) if default else []):
            theme = index.corpus.themes[theme_id]
            specs.append((ThemePack(theme_id, language), Selection(themes=(theme_id,), order="date"),
                          cover(theme_title(theme), briefs), index))
    for code, briefs in index.by_country.items():
        if differs(briefs, default.by_country.get(code, []) if default else []):
            country = index.country(code)
            specs.append((CountryPack(code, language), Selection(countries=(code,), order="theme"),
                          cover(country_title(country), briefs), index))
    return specs


def read_bundle_files(index: Index, settings: Settings) -> tuple[list[BundleSpec], list[Finding]]:
    """Read and check every bundle file of the project; return the good ones and every problem."""
    specs: list[BundleSpec] = []
    problems: list[Finding] = []
    for path in bundle_files(settings.project_dir / settings.bundles_dir):
        try:
            spec = read_bundle_file(path, os.path.relpath(path, settings.project_dir))
        except BundleFileError as exc:
            problems.append(exc.finding)
            continue
        found = check_bundle_spec(spec, index)
        problems += found
        if not found:
            specs.append(spec)
    return specs, problems


PACKS_FREE_BYTES = 10_000_000
"""Automatic packs totalling at most this many bytes are all made, whatever packs_max_ratio."""
PACK_OVERHEAD = 60_000
"""Bytes a pack adds to its briefs' PDFs (cover, contents, page numbers, tags), for the budget."""


@dataclass
class SitePacks:
    """The packs a site build made, and those the size budget left out."""

    made: dict[PackKey, BundleInfo]
    skipped: list[SkippedPack]
    cached: frozenset[PackKey] = frozenset()
    """The made packs the pack cache already held (the others were made by this build)."""


def build_site_bundles(indexes: Mapping[str, Index] | Index, settings: Settings,
                       pdf_results: Mapping[str, object], out_dir: Path,
                       workers: int | None = None, pool: WorkerPool | None = None) -> SitePacks:
    """Make the site's packs into ``out_dir`` (themes/<id>.pdf, countries/<iso3>.pdf, <name>.pdf,
    and a language's own as ``<lang>/themes/<id>.pdf``…).

    The automatic theme and country packs are kept within ``settings.packs_max_ratio``
    times the brief PDFs (:func:`~site_builder.bundle.budget.choose_packs`); bundle-file
    packs are always made. Packs not in the cache are made in parallel worker processes:
    ``pool``'s (the PDF workers, already started) if given, else up to ``workers`` new ones.
    """
    specs = site_bundle_specs(indexes, settings)
    plans = [plan_pack(index, settings, selection, cover, out_dir / pack_file(key), key,
                       known=pdf_results)
             for key, selection, cover, index in specs]
    automatic = [p for p in plans if not isinstance(p.key, FilePack)]
    candidates = [PackCandidate(p.key, tuple(b.slug for b in p.briefs),
                                sum(pages for _, pages in p.pdfs.values()),
                                PACK_OVERHEAD + sum(path.stat().st_size
                                                    for path, _ in p.pdfs.values()))
                  for p in automatic]
    total = sum(path.stat().st_size for path in {v[0] for p in plans for v in p.pdfs.values()})
    total = max(total, sum(int(getattr(info, "size", 0)) for info in pdf_results.values()))
    ratio = settings.packs_max_ratio
    if ratio is not None and total:  # a small site's packs are cheap whatever the ratio
        ratio = max(ratio, PACKS_FREE_BYTES / total)
    choice = choose_packs(candidates, total, ratio)
    keep = {c.key for c in choice.chosen}
    chosen = [p for p in plans if isinstance(p.key, FilePack) or p.key in keep]
    store = CacheStore(settings.cache_root / "bundles")
    vocabulary = vocabulary_of(specs[0][3].corpus) if specs else Corpus(root=out_dir)
    fresh = [p for p in chosen if store.is_fresh(p.fingerprint, p.label, p.inputs)]
    stale = [p for p in chosen if p not in fresh]
    infos = [write_pack(p, settings, vocabulary) for p in fresh]
    if pool is not None and stale:
        from site_builder.pdf.pool import Call

        # The longest first, so that no worker is left with a big pack at the end alone.
        longest = sorted(range(len(stale)), key=lambda i: -sum(n for _, n in stale[i].pdfs.values()))
        made = pool.call([Call(write_pack, (stale[i], settings, vocabulary, True)) for i in longest])
        infos += [info for _, info in sorted(zip(longest, made, strict=True), key=lambda x: x[0])]
    else:
        infos += run_parallel([(write_pack, (p, settings, vocabulary, True)) for p in stale],
                              workers)
    return SitePacks({info.key: info for info in infos}, choice.skipped,
                     frozenset(p.key for p in fresh))
