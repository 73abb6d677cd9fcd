"""Verified caches (issue 11 #4): a damaged PDF or pack entry is made again with a warning,
never shipped; a cached PDF is reused only while every file its render fetched is unchanged.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from fixtures_site import make_project
from jinja2.bccache import bc_magic
from pypdf import PdfReader

from site_builder.build import build_site
from site_builder.cache_store import CacheStore, FileHashes
from site_builder.corpus import load_corpus
from site_builder.findings import Severity
from site_builder.model import Corpus
from site_builder.pdf import PdfReport, render_all
from site_builder.settings import Settings, load_settings

SITE = "https://briefs.example.org/"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="10" y="10" width="120" height="180" fill="{fill}"/></svg>')


def _load(settings: Settings) -> Corpus:
    corpus, findings = load_corpus(settings.content_root, cwd=settings.project_dir)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    return corpus


def _pdf_project(root: Path) -> tuple[CorpusWriter, Settings]:
    """A project with its own copy of the print theme, for render_all."""
    writer = CorpusWriter(root / "briefs")
    for name in ("print", "fonts"):
        shutil.copytree(PROJECT_ROOT / "theme" / name, root / "theme" / name)
    return writer, Settings(project_dir=root, site_url=SITE)


def _render(settings: Settings) -> PdfReport:
    report = render_all(_load(settings), settings, settings.project_dir / "out", jobs=1)
    assert not [f for f in report.findings if f.severity is Severity.ERROR], report.findings
    return report


def _only_entry(settings: Settings) -> tuple[Path, Path]:
    """Return the (PDF, sidecar) of the single entry of the PDF cache."""
    folder = settings.cache_root / "pdf"
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    return pdfs[0], pdfs[0].with_suffix(".json")


def _site_project(root: Path) -> CorpusWriter:
    """A full project (mkdocs.yml, docs/, theme/) with two briefs; packs are on by default."""
    make_project(root)
    writer = CorpusWriter(root / "briefs")
    writer.brief("moz/moz-a.md", title="Brief A")
    writer.brief("moz/moz-b.md", title="Brief B", themes="[health]")
    return writer


# -- #4 the PDF cache is verified, never trusted --------------------------------------------

def test_a_damaged_cached_pdf_is_rendered_again_never_shipped(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    writer, settings = _pdf_project(tmp_path)
    writer.brief("moz/moz-a.md", title="A brief")
    first = _render(settings)
    assert first.rendered == ["moz-a"]
    pdf, sidecar = _only_entry(settings)
    good = pdf.read_bytes()
    out = tmp_path / "out" / "moz-a.pdf"

    def damaged_then_rebuilt(words: str) -> None:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="site_builder.cache"):
            report = _render(settings)
        assert report.rendered == ["moz-a"], f"a damaged entry was used ({words})"
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "'moz-a'" in warnings[0] and words in warnings[0], warnings
        assert out.read_bytes() == good == pdf.read_bytes()
        assert report.results["moz-a"].pages == len(PdfReader(out).pages) == 4

    pdf.write_bytes(good[:5000])  # a truncated PDF: it was shipped as site/pdf/<slug>.pdf
    damaged_then_rebuilt("does not match its hash")
    record = json.loads(sidecar.read_text())
    record["meta"]["pages"] = 9  # the site said "9 pages"
    sidecar.write_text(json.dumps(record))
    damaged_then_rebuilt("changed after it was written")
    pdf.unlink()
    damaged_then_rebuilt("missing")
    sidecar.write_text("{not json")
    damaged_then_rebuilt("not valid JSON")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="site_builder.cache"):
        assert _render(settings).cached == ["moz-a"]  # sound again: a hit, no warning
    assert not caplog.records


def test_the_cache_covers_every_file_the_renderer_fetched(tmp_path: Path) -> None:
    """An unquoted <img src=...> and an image path with a space in <...> were not in the key."""
    writer, settings = _pdf_project(tmp_path)
    writer.write("moz/img/b.svg", SVG.format(fill="#0b4f6c"))
    writer.write("moz/img/my chart.svg", SVG.format(fill="#0b4f6c"))
    writer.brief("moz/moz-a.md", body=(
        "## Context\n\nText.\n\n<img src=img/b.svg alt=\"A bar\">\n\n"
        "![Another bar](<img/my chart.svg>)\n"))
    assert _render(settings).rendered == ["moz-a"]
    _, sidecar = _only_entry(settings)
    fetched = [Path(p).name for p, _ in json.loads(sidecar.read_text())["inputs"]]
    assert {"b.svg", "my chart.svg", "brief.css", "NotoSans-Regular.ttf"} <= set(fetched)
    assert _render(settings).cached == ["moz-a"]
    writer.write("moz/img/b.svg", SVG.format(fill="#aa0000"))
    assert _render(settings).rendered == ["moz-a"]
    assert _render(settings).cached == ["moz-a"]
    writer.write("moz/img/my chart.svg", SVG.format(fill="#00aa00"))
    assert _render(settings).rendered == ["moz-a"]
    assert _render(settings).cached == ["moz-a"]


# -- #4 the pack cache ------------------------------------------------------------------

def test_cache_store_verifies_content_sidecar_and_inputs(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "member.pdf"
    source.write_bytes(b"%PDF-1.7 member")
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"%PDF-1.7 pack " + source.read_bytes()

    def get() -> bytes:
        store = CacheStore(tmp_path / "bundles", FileHashes())
        return store.get_or_make("fp", "pack bundle:theme:x", make, inputs=[source])

    caplog.set_level(logging.WARNING, logger="site_builder.cache")
    assert get() == b"%PDF-1.7 pack %PDF-1.7 member" and len(made) == 1
    assert get() and len(made) == 1  # a hit
    data = tmp_path / "bundles" / "fp.pdf"
    data.write_bytes(data.read_bytes()[:5])
    assert get() == b"%PDF-1.7 pack %PDF-1.7 member" and len(made) == 2
    assert "pack bundle:theme:x" in caplog.text and "does not match its hash" in caplog.text
    caplog.clear()
    source.write_bytes(b"%PDF-1.7 member, rendered again")  # a member PDF changed: stale, not damaged
    assert get().endswith(b"rendered again") and len(made) == 3
    assert not caplog.records
    (tmp_path / "bundles" / "fp.json").write_text("[1, 2")
    assert get() and len(made) == 4 and "not valid JSON" in caplog.text


@pytest.mark.slow
def test_packs_from_a_cold_cache_then_every_later_build_works(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "project"
    _site_project(project)
    settings = load_settings(project)
    first = build_site(settings, jobs=1)
    assert first.stats.packs == 3 and first.stats.pdfs_rendered == 2
    assert first.stats.packs_cached == 0 and "(3 made, 0 from the cache)" in first.summary()
    packs = {p.relative_to(first.site).as_posix(): p.read_bytes()
             for p in sorted((first.site / "bundles").rglob("*.pdf"))}
    second = build_site(settings, jobs=1)
    assert second.stats.packs == 3 and second.stats.pdfs_cached == 2
    assert "(0 made, 3 from the cache)" in second.summary()
    assert packs == {p.relative_to(second.site).as_posix(): p.read_bytes()
                     for p in sorted((second.site / "bundles").rglob("*.pdf"))}
    # A damaged pack in the cache is made again with a warning, the site's copy is whole.
    for cached in (settings.cache_root / "bundles").glob("*.pdf"):
        cached.write_bytes(cached.read_bytes()[:100])
    caplog.set_level(logging.WARNING, logger="site_builder.cache")
    third = build_site(settings, jobs=1)
    assert caplog.text.count("is damaged") == 3 and "pack of theme health" in caplog.text
    for rel, data in packs.items():
        assert (third.site / rel).read_bytes() == data
    assert third.stats.packs == 3 and third.stats.packs_cached == 0




def test_damaged_compiled_templates_are_compiled_again(tmp_path: Path) -> None:
    """The page shell's compiled templates (``<cache>/templates``) are checked, not trusted."""
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    first = build_site(settings, pdf=False).site
    before = {p.relative_to(first).as_posix(): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    entries = sorted((settings.cache_root / "templates").glob("*.cache"))
    assert len(entries) > 10  # main.html, base.html and its partials
    magic = len(bc_magic)
    for number, entry in enumerate(entries):  # truncated, garbage, a broken checksum, empty
        data = entry.read_bytes()
        entry.write_bytes([data[:len(data) // 2], b"\x00garbage" * 20,
                           data[:magic] + b"\x80\x05garbage", b""][number % 4])
    (project / "site").rename(project / "site-1")
    again = build_site(settings, pdf=False).site
    after = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert after == before
