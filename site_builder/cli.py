"""The ``briefs`` command line: a thin adapter over the core (click)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
from site_builder.settings import Settings, load_settings


def _settings() -> Settings:
    try:
        return load_settings(Path.cwd())
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _print_findings(findings: list[Finding], n_briefs: int, fmt: str = "text") -> None:
    if fmt == "json":
        click.echo(to_json(n_briefs, findings))
        return
    for finding in findings:
        colour = "red" if finding.severity is Severity.ERROR else "yellow"
        click.echo(click.style(finding.format(), fg=colour) if sys.stdout.isatty() else finding.format())
    click.echo(summary_line(n_briefs, findings))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefs")
def main() -> None:
    """Validate, publish and print policy country briefs."""


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format of the findings.")
@click.option("--pdf", is_flag=True, help="Also render the PDFs and check the page budget.")
@click.option("--jobs", "-j", type=int, default=None, help="PDF workers (default: one per core).")
def validate(folder: Path | None, fmt: str, pdf: bool, jobs: int | None) -> None:
    """Check every brief and report every problem (exit 1 on any error)."""
    from site_builder.corpus import load_corpus

    settings = _settings()
    root = folder or settings.content_root
    corpus, findings = load_corpus(root)
    n_briefs = corpus.n_files
    if pdf and not any(f.severity is Severity.ERROR for f in findings):
        from site_builder.pdf import render_all

        report = render_all(corpus, settings, None, jobs=jobs, progress=_show_progress())
        findings = sort_findings(findings + report.findings)
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
    """Write a valid brief skeleton with today's date and the standard sections."""
    from site_builder.corpus import load_corpus
    from site_builder.scaffold import new_brief

    settings = _settings()
    corpus, _ = load_corpus(settings.content_root)
    try:
        path = new_brief(corpus, title, list(countries), list(themes), list(regions), language, slug)
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(os.path.relpath(path))


@main.command()
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Render the brief PDFs.")
@click.option("--strict", is_flag=True, help="Fail on MkDocs warnings too.")
@click.option("--jobs", "-j", type=int, default=None, help="PDF workers (default: one per core).")
def build(pdf: bool, strict: bool, jobs: int | None) -> None:
    """Validate, then build the site (and its PDFs) into site/; keep the old site on failure."""
    from site_builder.build import build_site

    settings = _settings()
    try:
        build_site(settings, pdf=pdf, strict=strict, jobs=jobs, progress=_show_progress())
    except ValidationFailed as exc:
        _print_findings(exc.findings, exc.n_briefs)
        click.echo("build failed; the previous site/ is unchanged", err=True)
        sys.exit(1)
    except BriefsError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("build failed; the previous site/ is unchanged", err=True)
        sys.exit(1)


@main.command()
@click.option("--dev-addr", "-a", default="127.0.0.1:8000", show_default=True,
              help="IP address and port to serve on.")
@click.option("--pdf/--no-pdf", default=False, show_default=True, help="Render PDFs while previewing.")
def serve(dev_addr: str, pdf: bool) -> None:
    """Preview the site with live reload; errors show in the terminal and the browser."""
    from site_builder.serve import serve as serve_site

    try:
        serve_site(_settings(), dev_addr=dev_addr, pdf=pdf)
    except BriefsError as exc:
        raise click.ClickException(str(exc)) from None
