"""The print files of a site build and of ``briefs bundle --print``, with their job sheets.

For each brief: ``pdf/print/<slug>.pdf`` (the print file, from the print cache), with the
``a3-fold`` imposition ``pdf/print/<slug>.a3-fold.pdf``; for each pack:
``bundles/print/<pack>.pdf`` (made from the briefs' print files and a cover and contents
with bleed), with the ``booklet`` imposition ``bundles/print/<pack>.booklet.pdf``; beside
each, its job sheet ``….job.pdf``. Packs and impositions are cached like the rest
(``<cache>/print-bundles``, ``<cache>/print-files``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

from site_builder.files import write_atomic
from site_builder.findings import BriefsError, Finding, Severity
from site_builder.model import Brief, Corpus
from site_builder.print.imposition import booklet_order, impose
from site_builder.print.jobsheet import JobSheet, PrintedFile, render_job_sheets
from site_builder.print.marks import add_marks
from site_builder.print.pdfx import MM, Box, document_date, make_pdfx, saved
from site_builder.print.variant import (
    PrintSpec,
    finish_print_file,
    print_key,
    print_spec,
    render_print_pdfs,
)
from site_builder.settings import Settings

if TYPE_CHECKING:
    from site_builder.bundle import Cover, Selection
    from site_builder.downloads import PackKey
    from site_builder.index import Index

BRIEFS_DIR = "pdf/print"
"""Site folder of the briefs' print files."""
PACKS_DIR = "bundles/print"
"""Site folder of the packs' print files."""
FRONT_STYLESHEET = "bundle/print-front.css"


@dataclass
class PrintFiles:
    """What a run made: site path (``pdf/print/x.pdf``) to file, and the problems."""

    files: dict[str, Path] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rendered: int = 0
    cached: int = 0


@dataclass(frozen=True)
class _Job:
    """One print file on its way to a job sheet: where it goes and what it is."""

    title: str
    path: str  # site path of the print file
    data: Path
    imposition: str  # the extra imposed file's, or "none"


def _derived(settings: Settings, name: str, data: bytes) -> Path:
    """Store a derived file (an imposition, a job sheet) in the cache folder; return its path."""
    path = settings.cache_root / "print-files" / name
    if not path.is_file() or path.read_bytes() != data:
        write_atomic(path, data)
    return path


def imposed(data: bytes, spec: PrintSpec, title: str, identifier: bytes) -> bytes:
    """Return a print file imposed two pages a side on A3 sheets (booklet order), with its marks."""
    source = pikepdf.open(io.BytesIO(data))
    bleed = spec.bleed_mm * MM
    out = impose(source, booklet_order(len(source.pages)), bleed)
    make_pdfx(out, profile=spec.profile, bleed_mm=spec.bleed_mm, identifier=identifier,
              title=title, date=document_date(source), condition=spec.condition)
    if spec.marks == "crop":
        width = Box.of(out.pages[0].obj.TrimBox).width
        add_marks(out, bleed, folds=(width / 2,))
    return saved(out)


def _page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _add_imposition(out: PrintFiles, settings: Settings, job: _Job, layout: str) -> Path:
    spec = print_spec(settings)
    data = job.data.read_bytes()
    key = hashlib.sha256(data + layout.encode() + print_key(settings).encode()).hexdigest()
    name = job.path.removesuffix(".pdf") + f".{layout}.pdf"
    cached = settings.cache_root / "print-files" / f"{key}.pdf"
    if not cached.is_file():
        write_atomic(cached, imposed(data, spec, job.title, key.encode()))
    out.files[name] = cached
    return cached


def _finish_jobs(out: PrintFiles, settings: Settings, jobs: list[_Job]) -> None:
    """Add each job's imposition and job sheet to ``out``."""
    spec = print_spec(settings)
    from PIL import ImageCms

    profile = (ImageCms.getOpenProfile(str(spec.profile)).profile.profile_description or "").strip()
    sheets = []
    for job in jobs:
        files = [PrintedFile(Path(job.path).name, _page_count(job.data))]
        if job.imposition != "none":
            _add_imposition(out, settings, job, job.imposition)
            name = Path(job.path).name.removesuffix(".pdf") + f".{job.imposition}.pdf"
            files.append(PrintedFile(name, files[0].pages, job.imposition))
        sheets.append(JobSheet(job.title, tuple(files), spec.bleed_mm, spec.marks, profile,
                               spec.condition.condition, settings.print.quantity))
    for job, data in zip(jobs, render_job_sheets(sheets, settings), strict=True):
        name = job.path.removesuffix(".pdf") + ".job.pdf"
        out.files[name] = _derived(settings, name, data)


def brief_print_files(corpus: Corpus, settings: Settings, *, jobs: int | None = None,
                      progress: bool = False, slugs: Iterable[str] | None = None
                      ) -> tuple[PrintFiles, dict[str, tuple[Path, int]]]:
    """Render the briefs' print files (``pdf/print/…``), impositions and job sheets.

    Return them and, for the packs, each brief's print file and page count.
    """
    report = render_print_pdfs(corpus, settings, jobs=jobs, progress=progress, slugs=slugs)
    out = PrintFiles(findings=list(report.findings), rendered=len(report.rendered),
                     cached=len(report.cached))
    titles = {b.slug: b.title for b in corpus.published}
    layout = "a3-fold" if "a3-fold" in settings.print.impose else "none"
    work = []
    for slug, info in sorted(report.results.items()):
        path = f"{BRIEFS_DIR}/{slug}.pdf"
        out.files[path] = info.cache_path
        work.append(_Job(titles.get(slug, slug), path, info.cache_path, layout))
    _finish_jobs(out, settings, work)
    return out, {slug: (info.cache_path, info.pages) for slug, info in report.results.items()}


def print_pack(index: Index, settings: Settings, selection: Selection, cover: Cover,
               key: PackKey, pdfs: Mapping[str, tuple[Path, int]]) -> tuple[Path, str]:
    """Make (or take from the cache) a pack's print file from the briefs' print files.

    Return the cached file and the pack's title.
    """
    from site_builder.bundle import PackPlan, pack_bytes, plan_pack, vocabulary_of
    from site_builder.cache_store import CacheStore

    known = {slug: _Known(path, pages) for slug, (path, pages) in pdfs.items()}
    plan: PackPlan = plan_pack(index, settings, selection, cover, Path("print.pdf"), key,
                               known=known)
    missing = [b.slug for b in plan.briefs if b.slug not in pdfs]
    if missing:
        raise BriefsError(f"no print file for {', '.join(missing)}")
    spec = print_spec(settings)
    fingerprint = hashlib.sha256(f"{plan.fingerprint}\0{print_key(settings)}".encode()).hexdigest()
    store = CacheStore(settings.cache_root / "print-bundles")
    briefs = list(plan.briefs)
    vocabulary = vocabulary_of(index.corpus)

    def make() -> bytes:
        merged = pack_bytes(briefs, plan.cover, vocabulary, settings, plan.pdfs,
                            front_css=_front_css(settings))
        return finish_print_file(spec, merged, title=plan.cover.title, date=_pack_date(briefs),
                                 identifier=fingerprint.encode())

    store.get_or_make(fingerprint, f"print file of {plan.label}", make, plan.inputs)
    return store.data_path(fingerprint), plan.cover.title


@dataclass(frozen=True)
class _Known:
    """A brief's print file as :func:`~site_builder.bundle.plan_pack` takes known PDFs."""

    cache_path: Path
    pages: int


def _front_css(settings: Settings) -> str:
    bleed = f"{settings.print.bleed:g}mm"
    sheet = settings.theme.find(FRONT_STYLESHEET).as_uri()
    return (f'@import url("{sheet}");\n@page {{ bleed: {bleed}; }}\n'
            f":root {{ --bleed: {bleed}; }}\n")


def _pack_date(briefs: list[Brief]) -> str:
    from site_builder.pdf.html import modified_date

    return max(modified_date(b) for b in briefs)


def pack_print_files(index: Index, settings: Settings,
                     packs: Sequence[tuple[str, Selection, Cover, PackKey, Index | None]],
                     pdfs: Mapping[str, tuple[Path, int]]) -> PrintFiles:
    """Make the print files of packs, with job sheets.

    Each pack is (site path, selection, cover, key, the index it selects from — None for
    ``index``, the default language's).
    """
    out = PrintFiles()
    layout = "booklet" if "booklet" in settings.print.impose else "none"
    work = []
    for path, selection, cover, key, own in packs:
        try:
            data, title = print_pack(own or index, settings, selection, cover, key, pdfs)
        except BriefsError as exc:
            out.findings.append(Finding(path, 1, 1, f"print file of {path}: {exc}", "print-file",
                                        Severity.ERROR))
            continue
        out.files[path] = data
        work.append(_Job(title, path, data, layout))
    _finish_jobs(out, settings, work)
    return out


def site_print_files(indexes: Mapping[str, Index] | Index, settings: Settings,
                     pack_keys: Iterable[object], *, jobs: int | None = None,
                     progress: bool = False) -> PrintFiles:
    """Make every print file of a site: the briefs', then those of the packs in ``pack_keys``."""
    from site_builder.bundle import site_bundle_specs
    from site_builder.index import Index
    from site_builder.urls import pack_file

    index = indexes if isinstance(indexes, Index) else indexes[settings.language]
    out, pdfs = brief_print_files(index.corpus, settings, jobs=jobs, progress=progress)
    wanted = set(pack_keys)
    packs: list[tuple[str, Selection, Cover, PackKey, Index | None]] = [
        (f"{PACKS_DIR}/{pack_file(key)}", selection, cover, key, own)
        for key, selection, cover, own in site_bundle_specs(indexes, settings) if key in wanted]
    if packs and not any(f.severity is Severity.ERROR for f in out.findings):
        made = pack_print_files(index, settings, packs, pdfs)
        out.files.update(made.files)
        out.findings += made.findings
    return out


def bundle_print_files(index: Index, settings: Settings, selection: Selection, cover: Cover,
                       output: Path, *, jobs: int | None = None, progress: bool = False) -> list[Path]:
    """Write a pack's print file, imposition and job sheet into ``print/`` beside ``output``.

    Raises :class:`BriefsError` when a brief's print file or the pack cannot be made.
    """
    from site_builder.bundle import FilePack, select_briefs

    slugs = [b.slug for b in select_briefs(selection, index)]
    report = render_print_pdfs(index.corpus, settings, jobs=jobs, progress=progress, slugs=slugs)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if errors:
        raise BriefsError("cannot make the print file: some briefs do not render:\n"
                          + "\n".join(f.format() for f in errors))
    pdfs = {slug: (info.cache_path, info.pages) for slug, info in report.results.items()}
    made = pack_print_files(index, settings, [(f"print/{output.name}", selection, cover,
                                               FilePack(output.stem), None)], pdfs)
    if made.findings:
        raise BriefsError("\n".join(f.message for f in made.findings))
    written = []
    for name, source in sorted(made.files.items()):
        target = output.parent / name
        write_atomic(target, source.read_bytes())
        written.append(target)
    return written
