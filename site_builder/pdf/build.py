"""Render the PDFs of a corpus: cache look-up, parallel rendering, findings, output files.

Gather, then write: every brief's HTML and cache key are computed first, in the parent;
only the cache misses go to the worker pool; results land in the cache and then in
``out_dir``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from site_builder.files import write_atomic
from site_builder.findings import BriefsError, Finding, Severity, sort_findings
from site_builder.model import Brief, Corpus
from site_builder.pdf.budget import underfill_finding
from site_builder.pdf.cache import Entry, PdfCache, brief_key, fingerprint
from site_builder.pdf.fit import (
    FIT_LIMIT,
    author_job,
    fit_in_reach,
    overflow_mode,
    render_author_job,
)
from site_builder.pdf.html import brief_html
from site_builder.pdf.meter import PageMeter, word_stats
from site_builder.pdf.pool import WorkerPool, run_jobs
from site_builder.pdf.render import RenderJob, RenderResult, render_job
from site_builder.settings import Settings

LOGGER = logging.getLogger("site_builder.pdf")


@dataclass(frozen=True)
class PdfInfo:
    """One brief's PDF."""

    slug: str
    path: Path
    """Where the PDF was written (``out_dir / f"{slug}.pdf"``), or the cached copy."""
    pages: int
    size: int
    """Bytes."""
    cache_path: Path
    """The cached copy, keyed by content hash: the bundler and the site reuse it."""


@dataclass
class PdfReport:
    """What :func:`render_all` did."""

    results: dict[str, PdfInfo] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    """Slugs rendered this run (cache misses)."""
    cached: list[str] = field(default_factory=list)
    """Slugs taken from the cache."""
    meters: dict[str, PageMeter] = field(default_factory=dict)
    """Slug to how full the brief is (every brief that was laid out, fitting or not)."""

    @property
    def fills(self) -> dict[str, float]:
        """Slug to content length in pages (e.g. 3.62 of a 4-page budget): the meters' lengths."""
        return {slug: meter.length for slug, meter in self.meters.items()}


@dataclass(frozen=True)
class RenderVariant:
    """Another file made from the same layout of each brief (a print file), in its own cache."""

    name: str
    """Cache folder under the cache root (e.g. ``print``)."""
    key: str
    """Hash of the variant's options and inputs: part of each brief's cache key."""
    options: tuple[tuple[str, Any], ...] = ()
    """WeasyPrint options over :data:`~site_builder.pdf.render.PDF_OPTIONS`."""
    user_css: str = ""
    """A user stylesheet laid over the brief's."""
    roots: tuple[Path, ...] = ()
    """More folders WeasyPrint may read (an output profile's)."""
    finish: Callable[[bytes], bytes] | None = None
    """Run in the worker on the PDF's bytes (picklable)."""

    def job(self, job: RenderJob) -> RenderJob:
        """Return a brief's render job for this variant."""
        identifier = hashlib.sha256(job.identifier + self.key.encode()).hexdigest()[:32].encode()
        return replace(job, options=self.options, user_css=self.user_css,
                       roots=(*job.roots, *self.roots), finish=self.finish, identifier=identifier)


def make_job(brief: Brief, html: str, settings: Settings) -> RenderJob:
    """Return the worker's job for a brief whose HTML is built."""
    return RenderJob(
        slug=brief.slug,
        html=html,
        base_url=brief.folder.resolve().as_uri() + "/",
        roots=(brief.folder.resolve(), *settings.theme.roots),
        pages=settings.pdf.pages,
        allow_overflow=settings.pdf.overflow == "warn",
        identifier=pdf_identifier(html, settings),
        fonts_dir=settings.theme.fonts_dir,
    )


def pdf_identifier(html: str, settings: Settings) -> bytes:
    """Return the PDF file identifier of a brief: a hash of its HTML, wherever the project lives.

    The HTML links the stylesheet by its absolute ``file:`` URL; hashing it as is would give
    the same brief different bytes in two checkouts.
    """
    portable = html
    for root in settings.theme.roots:
        portable = portable.replace(root.as_uri(), "theme:")
    return hashlib.sha256(portable.encode()).hexdigest()[:32].encode()


def page_meter(brief: Brief, length: float, settings: Settings) -> PageMeter:
    """Return the page meter of a brief laid out at ``length`` pages."""
    words, word_chars = word_stats(f"{brief.summary}\n{brief.body}")
    return PageMeter.from_length(length, settings.pdf.pages, words, word_chars)


def overflow_finding(brief: Brief, length: float, settings: Settings) -> Finding:
    """Return the finding for a brief longer than the page budget (a warning for a draft)."""
    meter = page_meter(brief, length, settings)
    budget = settings.pdf.pages
    mode = overflow_mode(brief, settings)
    warn = mode == "warn" or brief.draft
    severity = Severity.WARNING if warn else Severity.ERROR
    message = (f"brief runs to {meter.shown_length:.1f} pages, over the {budget}-page budget: "
               f"cut about {meter.words_to_cut} words")
    if mode == "fit":
        over = math.ceil((length - budget) / budget * 100)
        message += (f" (overflow: fit tightens a brief at most {FIT_LIMIT:.0%} over; this one is "
                    f"{over} % over)" if not fit_in_reach(length, budget)
                    else " (overflow: fit could not make it fit, even at its tightest step)")
    if brief.draft:
        message += "; a draft: an error once published"
    return Finding(brief.rel_path, 1, 1, message, "pdf-overflow", severity)


def fit_finding(brief: Brief, entry: Entry, settings: Settings) -> Finding:
    """Return the warning for a brief that fits its budget only with an ``overflow: fit`` step."""
    natural = page_meter(brief, entry.natural_length or entry.length, settings)
    message = (f"brief fits the {settings.pdf.pages}-page budget only with overflow: fit "
               f"(step '{entry.fit_step}'); as designed it runs to {natural.shown_length:.1f} "
               f"pages: cut about {natural.words_to_cut} words to print it so")
    return Finding(brief.rel_path, 1, 1, message, "pdf-fit", Severity.WARNING)


def _first_occurrence(brief: Brief, chars: str) -> tuple[int, int]:
    """Return the line and column of the first of ``chars`` in the brief's file (1, 1 if none)."""
    try:
        lines = brief.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1, 1
    for number, line in enumerate(lines, start=1):
        for col, char in enumerate(line, start=1):
            if char in chars:
                return number, col
    return 1, 1


def _problem_findings(brief: Brief, result: RenderResult) -> list[Finding]:
    findings = []
    for code, message in result.problems:
        line, col = 1, 1
        if code == "pdf-glyph":
            line, col = _first_occurrence(brief, result.missing_characters)
        findings.append(Finding(brief.rel_path, line, col, f"PDF of {brief.slug}: {message}", code))
    return findings


def render_brief(brief: Brief, corpus: Corpus, settings: Settings) -> bytes:
    """Render one brief's PDF in this process, without the cache; raise BriefsError on errors."""
    result = render_job(make_job(brief, brief_html(brief, corpus, settings), settings))
    findings = _problem_findings(brief, result)
    if result.overflow:
        findings.append(overflow_finding(brief, result.length, settings))
    underfill = underfill_finding(brief, result.length, settings)
    if underfill is not None:
        findings.append(underfill)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors or result.pdf is None:
        raise BriefsError("\n".join(f.format() for f in errors) or f"no PDF for {brief.slug}")
    return result.pdf


def _select(corpus: Corpus, slugs: Iterable[str] | None, drafts: bool = False) -> list[Brief]:
    briefs = corpus.briefs if drafts else corpus.published
    if slugs is None:
        return briefs
    wanted = list(dict.fromkeys(slugs))
    by_slug = {b.slug: b for b in briefs}
    unknown = [s for s in wanted if s not in by_slug]
    if unknown:
        raise BriefsError(f"no published brief with slug {', '.join(unknown)}")
    return [by_slug[s] for s in wanted]


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[object | None]:
    if not enabled or total == 0:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # On stderr: standard output may carry findings as JSON (briefs validate --format json).
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("Rendering PDFs", total=total)
        yield lambda: bar.advance(task)


def render_all(corpus: Corpus, settings: Settings, out_dir: Path | None, *,
               jobs: int | None = None, progress: bool = False,
               slugs: Iterable[str] | None = None, drafts: bool = False,
               preview: bool = False, variant: RenderVariant | None = None,
               pool: WorkerPool | None = None, first: Sequence[str] = (),
               on_pdf: Callable[[PdfInfo], None] | None = None) -> PdfReport:
    """Render every published brief (or the given slugs) to PDF, reusing the cache.

    ``drafts`` renders the drafts too (their budget problems are warnings). ``preview``
    (``briefs serve``) also gives a brief over its budget a PDF, its pages past the budget
    marked, and renders one cache miss in this process (no worker to start: the author
    waits for it). With a ``variant`` (a print file), the same briefs are rendered with its
    options into its own cache folder, keyed by the brief's inputs and the variant's.
    ``pool`` (from :func:`render_pool`) renders on workers the caller keeps for more work;
    without it (or with a Dask scheduler) the workers last as long as this call.
    ``first`` orders the cache misses' renders (those slugs first, in that order; the
    report does not depend on it), and ``on_pdf`` is called (in this thread) with each
    brief's cached PDF as soon as it is known: the cache hits first, then each render as it
    lands, while the others are still rendering.
    """
    briefs = _select(corpus, slugs, drafts)
    cache = PdfCache(settings.cache_root / (variant.name if variant else "pdf"))
    shared = fingerprint(settings.theme, settings)
    report = PdfReport()
    keys: dict[str, str] = {}
    entries: dict[str, Entry] = {}
    misses: list[Brief] = []
    by_slug = {b.slug: b for b in briefs}
    for brief in briefs:
        key = brief_key(brief, corpus, settings, shared)
        if variant is not None:
            key = hashlib.sha256(f"{key}\0{variant.key}".encode()).hexdigest()
        keys[brief.slug] = key
        entry = cache.get(key, brief.slug)
        if preview and (entry is None or entry.overflow):  # its marked PDF, if it has one
            marked = cache.get(_preview_key(key), brief.slug)
            if marked is not None:
                keys[brief.slug], entry = _preview_key(key), marked
            elif entry is not None:
                entry = None
        if entry is None:
            misses.append(brief)
        else:
            entries[brief.slug] = entry
            report.cached.append(brief.slug)

    if first:
        rank = {slug: number for number, slug in enumerate(first)}
        misses.sort(key=lambda b: rank.get(b.slug, len(rank)))
    if on_pdf is not None:
        for slug, entry in entries.items():
            if entry.has_pdf:
                on_pdf(_publish(slug, entry, cache.pdf_path(keys[slug]), None))

    with _progress_bar(len(misses), progress) as advance:
        def collect(result: RenderResult) -> None:
            brief = by_slug[result.slug]
            report.rendered.append(result.slug)
            report.findings.extend(_problem_findings(brief, result))
            if not result.problems:
                entry = Entry(result.slug, result.pages, result.length, result.overflow,
                              result.pdf is not None, getattr(result, "fit_step", None),
                              getattr(result, "natural_length", None))
                # A preview's over-budget PDF is not the build's (which has none, or no marks).
                key = _preview_key(keys[result.slug]) if preview and result.overflow \
                    else keys[result.slug]
                keys[result.slug] = key
                cache.put(key, entry, result.pdf, result.fetched)
                entries[result.slug] = entry
                if on_pdf is not None and entry.has_pdf:
                    on_pdf(_publish(result.slug, entry, cache.pdf_path(key), None))
            if callable(advance):
                advance()

        workers = jobs if jobs is not None else settings.jobs
        def job_of(brief: Brief) -> RenderJob:
            job = author_job(make_job(brief, brief_html(brief, corpus, settings), settings),
                             brief, settings, preview=preview)
            return variant.job(job) if variant is not None else job

        jobs_to_run = (job_of(b) for b in misses)
        if preview and len(misses) == 1:
            for job in jobs_to_run:
                collect(_render_here(job))
        elif pool is not None and not settings.scheduler:
            pool.run(jobs_to_run, settings.pdf.timeout, collect, count=len(misses))
        else:
            run_jobs(jobs_to_run, max(1, workers), settings.pdf.timeout, collect,
                     target=render_author_job, count=len(misses), scheduler=settings.scheduler)

    for brief in briefs:
        entry = entries.get(brief.slug)
        if entry is None:
            continue
        report.meters[brief.slug] = page_meter(brief, entry.length, settings)
        if entry.overflow:
            report.findings.append(overflow_finding(brief, entry.length, settings))
        elif entry.fit_step:
            report.findings.append(fit_finding(brief, entry, settings))
        underfill = underfill_finding(brief, entry.length, settings)
        if underfill is not None:
            report.findings.append(underfill)
        if entry.has_pdf:
            report.results[brief.slug] = _publish(brief.slug, entry, cache.pdf_path(keys[brief.slug]), out_dir)
    report.findings = sort_findings(report.findings)
    report.rendered.sort()
    return report


def render_pool(settings: Settings, jobs: int | None = None) -> WorkerPool:
    """Return a pool of ``jobs`` render workers (default: ``settings.jobs``) for :func:`render_all`.

    Its workers can run other work between renders (:meth:`WorkerPool.call`: the packs).
    """
    return WorkerPool(max(1, jobs if jobs is not None else settings.jobs), render_author_job)


def _preview_key(key: str) -> str:
    """Return the cache key of a brief's preview PDF (over its budget, pages past it marked)."""
    return hashlib.sha256(f"preview:{key}".encode()).hexdigest()


def _render_here(job: RenderJob) -> RenderResult:
    """Render one job in this process, a crash of the code reported as the worker would."""
    try:
        return render_author_job(job)
    except Exception as exc:  # a bug or a WeasyPrint crash on this input: report it
        return RenderResult(job.slug, problems=[("pdf-render", f"render failed: {type(exc).__name__}: {exc}")])


def _publish(slug: str, entry: Entry, cached: Path, out_dir: Path | None) -> PdfInfo:
    """Copy a cached PDF to ``out_dir`` (atomically) and describe it."""
    data = cached.read_bytes() if out_dir is not None else None
    path = cached
    if out_dir is not None and data is not None:
        path = out_dir / f"{slug}.pdf"
        if not path.is_file() or path.read_bytes() != data:
            write_atomic(path, data)
    return PdfInfo(slug, path, entry.pages, cached.stat().st_size, cached)
