"""The ``briefs`` command line: a thin adapter over the core (click)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from site_builder import __version__
from site_builder.findings import (
    BriefsError,
    Finding,
    Severity,
    ValidationFailed,
    sort_findings,
    summary_line,
    to_json,
)
from site_builder.settings import Settings, load_settings, with_pdf

if TYPE_CHECKING:
    from site_builder.bundle.select import Order

DEV_ADDR = "127.0.0.1:8000"
"""Where ``briefs serve`` listens unless told otherwise."""

_scheduler_option = click.option(
    "--scheduler", metavar="ADDRESS", default=None,
    help="Render the PDFs on the Dask cluster of this scheduler (tcp://HOST:8786), or 'local' "
         "for this machine (default: pdf.scheduler in mkdocs.yml, else DASK_SCHEDULER_ADDRESS, "
         "else this machine).")

if TYPE_CHECKING:
    from site_builder.model import Corpus
    from site_builder.pdf import PdfReport
    from site_builder.pdf.meter import PageMeter


def _settings(scheduler: str | None = None) -> Settings:
    try:
        settings = load_settings(Path.cwd())
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None
    return with_pdf(settings, scheduler=scheduler) if scheduler else settings


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _print_findings(findings: list[Finding], n_briefs: int, fmt: str = "text",
                    pdf: tuple[Corpus, PdfReport, int] | None = None) -> None:
    """Print the findings and the closing count (text or JSON).

    ``pdf`` (``validate --pdf``: the corpus, the render report and the page budget) adds each
    laid-out brief's page meter: in text, one line per brief before the findings (pages
    used, words to cut or room left, its problems' codes); in JSON, a ``briefs`` list (with
    ``meter``; the count moves to ``files``) and ``pdf: {budget, briefs: [{slug, pages, fill}]}``.
    """
    rows = _meter_rows(*pdf) if pdf is not None else []
    if fmt == "json":
        data = json.loads(to_json(n_briefs, findings))
        if pdf is not None:
            data = {"briefs": [row.to_dict() for row in rows], "files": n_briefs,
                    **{k: v for k, v in data.items() if k != "briefs"},
                    "pdf": {"budget": pdf[2], "briefs": [row.fill_dict() for row in
                                                         sorted(rows, key=lambda r: r.slug)]}}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    for row in rows:
        _echo(row.line(by_path.get(row.path, [])), row.colour)
    for finding in findings:
        _echo(finding.format(), "red" if finding.severity is Severity.ERROR else "yellow")
    click.echo(summary_line(n_briefs, findings))


def _echo(line: str, colour: str | None) -> None:
    click.echo(click.style(line, fg=colour) if colour and sys.stdout.isatty() else line)


@dataclass(frozen=True)
class _MeterRow:
    """One laid-out brief in ``validate --pdf``'s output."""

    slug: str
    path: str
    draft: bool
    pages: int | None
    """Pages of its PDF (None: no PDF, e.g. over its budget)."""
    meter: PageMeter

    @property
    def colour(self) -> str | None:
        return {"overflow": "red", "underfill": "yellow"}.get(self.meter.state)

    def line(self, findings: list[Finding]) -> str:
        """Return the brief's one line: ``path: <meter>[; 1 warning [code]]``."""
        if not findings:
            return f"{self.path}: {self.meter.describe()}"
        codes = ", ".join(dict.fromkeys(f.code for f in findings))
        counts = ", ".join(_plural(n, word) for severity, word in
                           ((Severity.ERROR, "error"), (Severity.WARNING, "warning"))
                           if (n := sum(1 for f in findings if f.severity is severity)))
        return f"{self.path}: {self.meter.describe()}; {counts} [{codes}]"

    def to_dict(self) -> dict[str, object]:
        return {"slug": self.slug, "path": self.path, "draft": self.draft, "pages": self.pages,
                "length": self.meter.length, "meter": self.meter.to_dict()}

    def fill_dict(self) -> dict[str, object]:
        return {"slug": self.slug, "pages": self.pages, "fill": self.meter.length}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _meter_rows(corpus: Corpus, report: PdfReport, budget: int) -> list[_MeterRow]:
    """Return a row per laid-out brief, in path order."""
    briefs = sorted((b for b in corpus.briefs if b.slug in report.meters), key=lambda b: b.rel_path)
    return [_MeterRow(b.slug, b.rel_path, b.draft,
                      report.results[b.slug].pages if b.slug in report.results else None,
                      report.meters[b.slug]) for b in briefs]


def run() -> None:
    """The ``briefs`` command: run :func:`main`, then leave without freeing the heap.

    At exit Python frees every object one by one: a quarter of a second after a build of
    1,000 briefs, more for larger sites, all of it after the work is done. Here, once the
    command has ended, its output is flushed, the threads it left are waited for and the
    exit handlers run (multiprocessing's among them), as at a normal exit; then the
    process leaves at once with the command's exit status.
    """
    try:
        main()
    except SystemExit as exc:
        status = exc.code
    else:  # click's main raises SystemExit even on success
        status = 0
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefs")
def main() -> None:
    """Validate, publish and print policy country briefs."""


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format of the findings.")
@click.option("--pdf", is_flag=True,
              help="Also render the PDFs (drafts too), check the page budget both ways and "
                   "print each brief's page meter.")
@click.option("--jobs", "-j", type=int, default=None, help="PDF workers (default: one per core).")
@_scheduler_option
def validate(path: Path | None, fmt: str, pdf: bool, jobs: int | None,
             scheduler: str | None) -> None:
    """Check every brief (and, with no PATH, the bundle files) and report every problem.

    PATH is a folder of briefs, or one brief's file (checked with the rest of the content
    folder, which its links may point into). Exit 1 on any error.
    """
    from site_builder.bundle.spec import bundle_files
    from site_builder.corpus import load_corpus
    from site_builder.vocabulary import translation_findings

    settings = _settings(scheduler)
    brief_file = path if path is not None and path.is_file() else None
    root = settings.content_root if brief_file is not None or path is None else path
    corpus, findings = load_corpus(root, cache_dir=settings.cache_root / "checks")
    findings = sort_findings(findings + translation_findings(root, settings.languages))
    if path is None:  # the whole project: mkdocs.yml's Markdown and what docs/ publishes
        from site_builder.project_checks import project_findings

        findings = sort_findings(findings + project_findings(settings.project_dir))
    n_briefs = corpus.n_files
    only: list[str] | None = None
    if brief_file is not None:
        brief = next((b for b in corpus.briefs if b.path.resolve() == brief_file.resolve()), None)
        mine = [f for f in findings if Path(f.path).resolve() == brief_file.resolve()]
        if brief is None and not mine:
            raise click.ClickException(f"{brief_file} is not a brief of the content folder "
                                       f"{os.path.relpath(settings.content_root)}")
        # Its own problems, and those of the vocabularies it is checked against.
        findings = [f for f in findings if f in mine or not f.path.endswith(".md")]
        n_briefs, only = 1, [brief.slug] if brief is not None else []
    elif path is None and bundle_files(settings.project_dir / settings.bundles_dir) \
            and not any(f.severity is Severity.ERROR for f in findings):
        # The project's bundle files select from these briefs: check them too.
        from site_builder.bundle import read_bundle_files
        from site_builder.index import build_index

        findings = sort_findings(findings + read_bundle_files(build_index(corpus), settings)[1])
    if pdf and not any(f.severity is Severity.ERROR for f in findings):
        from site_builder.pdf import render_all

        # Drafts too: an author sees a draft's page budget (as warnings) before publishing.
        try:
            report = render_all(corpus, settings, None, jobs=jobs, progress=_show_progress(),
                                slugs=only, drafts=True)
        except BriefsError as exc:  # the PDF workers (or the Dask cluster) cannot render
            raise click.ClickException(str(exc)) from None
        findings = sort_findings(findings + report.findings)
        _print_findings(findings, n_briefs, fmt, (corpus, report, settings.pdf.pages))
    else:
        _print_findings(findings, n_briefs, fmt)
    sys.exit(1 if any(f.severity is Severity.ERROR for f in findings) else 0)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to a file instead of standard output.")
@click.option("--vocabulary/--no-vocabulary", default=True, show_default=True,
              help="List the project's theme and region ids as allowed values.")
def schema(output: Path | None, vocabulary: bool) -> None:
    """Print the JSON Schema of the front matter (for yaml-language-server)."""
    from site_builder.corpus import load_vocabulary
    from site_builder.model import Corpus
    from site_builder.schema import schema_json

    corpus = None
    settings = _settings()
    if vocabulary and settings.content_root.is_dir():
        vocab, _ = load_vocabulary(settings.content_root, Path.cwd())
        corpus = Corpus(root=settings.content_root, themes=vocab.themes, regions=vocab.regions)
    text = schema_json(corpus)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("title")
@click.option("--country", "countries", multiple=True, required=True,
              help="Country code or name; repeat for several.")
@click.option("--theme", "themes", multiple=True, required=True, help="Theme id; repeat for several.")
@click.option("--region", "regions", multiple=True, help="Region id; repeat for several.")
@click.option("--language", default="en", show_default=True, help="ISO 639-1 language code.")
@click.option("--slug", help="File name without .md (default: from the country and title).")
def new(title: str, countries: tuple[str, ...], themes: tuple[str, ...], regions: tuple[str, ...],
        language: str, slug: str | None) -> None:
    """Write a valid brief skeleton (a draft) with today's date, the standard sections, a
    key-facts box, a figure and a quote, sized for the page budget; say how to preview it."""
    from site_builder.corpus import load_corpus
    from site_builder.findings import escape_for_terminal
    from site_builder.scaffold import figure_of, new_brief

    settings = _settings()
    corpus, _ = load_corpus(settings.content_root)
    try:
        path = new_brief(corpus, title, list(countries), list(themes), list(regions), language,
                         slug, pages=settings.pdf.pages)
    except BriefsError as exc:
        raise click.ClickException(escape_for_terminal(str(exc))) from None
    click.echo("\n".join(_new_brief_lines(path, figure_of(path), settings)))


def _new_brief_lines(path: Path, figure: Path, settings: Settings) -> list[str]:
    """Return what ``briefs new`` tells the author: where the files are, how to preview them."""
    from urllib.parse import urlsplit

    from site_builder import urls

    rel = _project_relative(path, settings)
    # mkdocs serve mounts the site at site_url's path.
    mount = urlsplit(settings.site_url or "/").path.rstrip("/") + "/"
    return [f"wrote {rel}", f"  ({path.resolve()})",
            f"  and its placeholder figure {_project_relative(figure, settings)}",
            f"preview:     briefs serve, then open http://{DEV_ADDR}{mount}{urls.brief(path.stem)}",
            f"page budget: briefs validate --pdf {rel}"]


def _project_relative(path: Path, settings: Settings) -> str:
    """Return a path relative to the project folder (absolute if it is outside)."""
    try:
        return path.resolve().relative_to(settings.project_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Start a new project in FOLDER: mkdocs.yml, vocabularies, an example brief, bundles/."""
    from site_builder.init_project import init_project

    try:
        written = init_project(folder)
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {len(written)} files into {folder}; next: cd {folder} && briefs build")


def _print_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add the print-file options shared by ``build`` and ``bundle`` (declared in PrintSettings)."""
    f = click.option("--bleed", type=float, default=None,
                     help="Bleed of print files in mm (default: print.bleed, 3).")(f)
    f = click.option("--impose", multiple=True, type=click.Choice(["a3-fold", "booklet"]),
                     help="Also impose print files: a3-fold (each brief on one A3 sheet), "
                          "booklet (a pack, saddle-stitched); repeat for both.")(f)
    return click.option("--marks", type=click.Choice(["none", "crop"]), default=None,
                        help="Printer's marks on print files, outside the bleed.")(f)


def _with_print(settings: Settings, enabled: bool, marks: str | None, impose: tuple[str, ...],
                bleed: float | None) -> Settings:
    from site_builder.settings import with_print

    changes: dict[str, object] = {"enabled": enabled or settings.print.enabled}
    if marks is not None:
        changes["marks"] = marks
    if impose:
        changes["impose"] = impose
    if bleed is not None:
        changes["bleed"] = bleed
    try:
        return with_print(settings, **changes)
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Render the brief PDFs.")
@click.option("--strict", is_flag=True, help="Fail on MkDocs warnings too.")
@click.option("--jobs", "-j", type=int, default=None, help="PDF workers (default: one per core).")
@click.option("--force", is_flag=True, help="Build even when no input changed since the last build.")
@click.option("--print-pdfs", is_flag=True,
              help="Also make print files (PDF/X-4, CMYK, bleed) into pdf/print/ and bundles/print/.")
@_print_options
@_scheduler_option
def build(pdf: bool, strict: bool, jobs: int | None, force: bool, print_pdfs: bool,
          marks: str | None, impose: tuple[str, ...], bleed: float | None,
          scheduler: str | None) -> None:
    """Validate, then build the site (and its PDFs) into site/; keep the old site on failure."""
    import time

    from site_builder.up_to_date import build_options, input_fingerprint, is_up_to_date

    started = time.perf_counter()
    settings = _with_print(_settings(scheduler), print_pdfs, marks, impose, bleed)
    site = settings.project_dir / "site"
    inputs = input_fingerprint(settings, build_options(settings, pdf, strict))  # before any read
    if not force and is_up_to_date(settings, site, inputs):
        click.echo(f"nothing changed since the last build: {site.name}/ is up to date "
                   f"({time.perf_counter() - started:.2f} s; --force builds anyway)")
        return
    from site_builder.build import build_site

    try:
        report = build_site(settings, pdf=pdf, strict=strict, jobs=jobs,
                            progress=_show_progress(), inputs=inputs)
    except ValidationFailed as exc:
        _print_findings(exc.findings, exc.n_briefs)
        click.echo("build failed; the previous site/ is unchanged", err=True)
        sys.exit(1)
    except BriefsError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("build failed; the previous site/ is unchanged", err=True)
        sys.exit(1)
    click.echo(report.summary())


@main.command()
@click.option("--dev-addr", "-a", default=DEV_ADDR, show_default=True,
              help="IP address and port to serve on.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Render the brief PDFs (the page meter and the PDF preview need them).")
def serve(dev_addr: str, pdf: bool) -> None:
    """Preview the site with live reload; errors show in the terminal and the browser."""
    from site_builder.serve import serve as serve_site

    try:
        serve_site(_settings(), dev_addr=dev_addr, pdf=pdf)
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("bundle_file", required=False)
@click.option("--theme", "themes", multiple=True, help="Theme id; repeat for several (OR).")
@click.option("--country", "countries", multiple=True, help="Country code or name; repeat (OR).")
@click.option("--region", "regions", multiple=True, help="Region id; repeat (OR).")
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code; repeat (OR).")
@click.option("--from", "date_from", help="Earliest date, YYYY[-MM[-DD]] (inclusive).")
@click.option("--to", "date_to", help="Latest date, YYYY[-MM[-DD]] (inclusive).")
@click.option("--slug", "slugs", multiple=True, help="A brief to include by slug; repeat.")
@click.option("--order", type=click.Choice(["theme", "country", "date", "listed"]), default=None,
              help="Order of the briefs (default: date, or listed for slugs only).")
@click.option("--title", help="Cover title.")
@click.option("--subtitle", default="", help="Cover subtitle.")
@click.option("--event", default="", help="Event named on the cover.")
@click.option("--date", "event_date", default="", help="Date printed on the cover.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write (default: <bundle name>.pdf).")
@click.option("--jobs", "-j", type=int, default=None, help="PDF workers (default: one per core).")
@click.option("--print", "print_file", is_flag=True,
              help="Also write the print file (PDF/X-4, CMYK, bleed) and its job sheet into "
                   "print/ beside the pack.")
@_print_options
@_scheduler_option
def bundle(bundle_file: str | None, themes: tuple[str, ...], countries: tuple[str, ...],
           regions: tuple[str, ...], languages: tuple[str, ...], date_from: str | None,
           date_to: str | None, slugs: tuple[str, ...], order: Order | None, title: str | None,
           subtitle: str, event: str, event_date: str, output: Path | None,
           jobs: int | None, print_file: bool, marks: str | None, impose: tuple[str, ...],
           bleed: float | None, scheduler: str | None) -> None:
    """Make one printable PDF pack of briefs (cover, contents, bookmarks, duplex-ready).

    Select by options (facets combine with AND, repeated values with OR; --slug adds
    briefs), or give a bundle file: a path or the NAME of bundles/NAME.yml. With --print,
    also its print file (--marks crop, --impose booklet).
    """
    from dataclasses import replace

    from site_builder.bundle import (
        Cover,
        Selection,
        check_bundle_spec,
        located,
        make_bundle,
        read_bundle_file,
    )
    from site_builder.bundle.guard import check_output
    from site_builder.corpus import load_corpus
    from site_builder.findings import escape_for_terminal
    from site_builder.index import build_index

    settings = _settings(scheduler)
    try:
        if bundle_file:
            path = Path(bundle_file)
            if not path.exists() and not bundle_file.endswith((".yml", ".yaml")):
                path = settings.project_dir / settings.bundles_dir / f"{bundle_file}.yml"
            if not path.exists():
                raise BriefsError(f"bundle file '{bundle_file}' not found (looked for {path})")
            spec = read_bundle_file(path, os.path.relpath(path))
            selection = spec.selection if order is None else replace(spec.selection, order=order)
            cover = Cover(title or spec.title, subtitle or spec.subtitle, event or spec.event,
                          event_date or spec.date, language=spec.language)
            output = output or Path(f"{spec.name}.pdf")
        else:
            selection = Selection(themes=themes, countries=countries, regions=regions,
                                  languages=languages, date_from=date_from, date_to=date_to,
                                  slugs=slugs, order=order or ("listed" if slugs and not (
                                      themes or countries or regions or languages or date_from
                                      or date_to) else "date"))
            if not selection.has_filters and not selection.slugs:
                raise BriefsError("choose briefs with --theme, --country, --region, --language, "
                                  "--from/--to or --slug, or give a bundle file")
            if output is None:
                raise BriefsError("give --output FILE.pdf")
            cover = Cover(title or _default_title(selection), subtitle, event, event_date)
        corpus, findings = load_corpus(settings.content_root)
        errors = [f for f in findings if f.severity is Severity.ERROR]
        if errors:
            raise ValidationFailed(errors, corpus.n_files)
        inputs = [b.path for b in corpus.briefs] + [settings.project_dir / "mkdocs.yml"]
        check_output(output, settings.content_root, inputs + ([path] if bundle_file else []),
                     [settings.project_dir / settings.bundles_dir])
        index = build_index(corpus)
        if bundle_file:
            problems = check_bundle_spec(spec, index)
            if problems:
                raise BriefsError("\n".join(located(f) for f in problems))
        info = make_bundle(index, settings, selection, cover, output, jobs=jobs,
                           progress=_show_progress())
        printed: list[Path] = []
        if print_file:
            from site_builder.print.files import bundle_print_files

            printed = bundle_print_files(index, _with_print(settings, True, marks, impose, bleed),
                                         selection, cover, output, jobs=jobs,
                                         progress=_show_progress())
    except ValidationFailed as exc:
        _print_findings(exc.findings, exc.n_briefs)
        click.echo("bundle not written: fix the briefs first", err=True)
        sys.exit(1)
    except BriefsError as exc:
        click.echo(f"error: {escape_for_terminal(str(exc))}", err=True)
        click.echo("bundle not written", err=True)
        sys.exit(1)
    click.echo(f"{info.path}: {len(info.slugs)} briefs, {info.pages} pages, "
               f"{info.size / 1024:.0f} kB")
    for path in printed:
        click.echo(f"{path}: {'job sheet' if path.name.endswith('.job.pdf') else 'print file'}")


def _default_title(selection: object) -> str:
    parts = [*getattr(selection, "themes", ()), *getattr(selection, "countries", ()),
             *getattr(selection, "regions", ())]
    return "Country briefs" + (f": {', '.join(parts)}" if parts else "")
