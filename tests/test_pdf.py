"""Brief PDFs: page budget, layout, metadata, fonts, text, determinism, cache, time limit.

Real WeasyPrint renders, read back with pypdf and poppler; one build per module where possible.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from PIL import Image
from pypdf import PdfReader

from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Severity
from site_builder.model import Corpus
from site_builder.pdf import PdfReport, brief_html, render_all, render_brief
from site_builder.pdf.pool import run_jobs
from site_builder.pdf.render import RenderJob, RenderResult, render_job
from site_builder.settings import Settings, with_pdf

SITE = "https://briefs.example.org/"
WORDS = ("social protection floor coverage benefit scheme pension health insurance workers "
         "informal rural older persons children maternity disability law reform budget").split()
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="10" y="10" width="120" height="180" fill="#0b4f6c"/></svg>')


def words(n: int, seed: int = 0) -> str:
    """Return n pseudo-random words cut into sentences of twelve."""
    rng = random.Random(seed)
    out = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(" ".join(out[i:i + 12]).capitalize() + "." for i in range(0, n, 12))


def body(n_words: int, seed: int = 0) -> str:
    """Return a Markdown body of about n words in four sections, with a list and a table."""
    part = max(n_words // 4, 10)
    return (
        f"## Context\n\n{words(part, seed)}\n\n"
        f"## What was achieved\n\n{words(part, seed + 1)}\n\n- First point.\n- Second point.\n\n"
        f"## How it was done\n\n{words(part, seed + 2)}\n\n"
        "| Year | Households |\n|---|--:|\n| 2008 | 183,000 |\n| 2015 | 535,000 |\n\n"
        f"### Lessons learnt\n\n{words(part, seed + 3)}\n"
    )


FIGURE_BODY = (
    "## Context\n\nThe opening paragraph of the context.\n\n"
    "![Bar chart of households covered](img/chart.svg)\n\n*Households covered, 2008 to 2015.*\n\n"
    "## Results\n\nThe closing paragraph about results.\n"
)


def make_project(root: Path) -> tuple[CorpusWriter, Settings]:
    """Create an empty project with a briefs folder; return its writer and settings."""
    writer = CorpusWriter(root / "briefs")
    return writer, Settings(project_dir=root, site_url=SITE)


def load(settings: Settings) -> Corpus:
    """Load the project's corpus, asserting it is valid."""
    corpus, findings = load_corpus(settings.content_root, cwd=settings.project_dir)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    return corpus


def pdftotext(path: Path, *args: str) -> str:
    """Return the text poppler extracts from a PDF."""
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def fonts(path: Path) -> list[tuple[str, str, str]]:
    """Return (name, embedded, subset) for each font pdffonts lists."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    return [(line.split()[0], line.split()[-5], line.split()[-4]) for line in lines]


def outline(reader: PdfReader, items: list[Any] | None = None) -> list[Any]:
    """Return the outline as nested lists of titles."""
    out: list[Any] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out.append(outline(reader, item))
        else:
            out.append(item.title)
    return out


def alt_texts(obj: Any, seen: set[int] | None = None) -> list[str]:
    """Return every /Alt string in the structure tree under obj."""
    seen = set() if seen is None else seen
    found: list[str] = []
    if hasattr(obj, "get_object"):
        ref = getattr(obj, "idnum", None)
        if ref is not None:
            if ref in seen:
                return found
            seen.add(ref)
        obj = obj.get_object()
    if isinstance(obj, dict):
        if "/Alt" in obj:
            found.append(str(obj["/Alt"]))
        for key, value in obj.items():
            if key not in ("/P", "/Pg", "/Parent"):
                found.extend(alt_texts(value, seen))
    elif isinstance(obj, list):
        for value in obj:
            found.extend(alt_texts(value, seen))
    return found


# -- one build of a small corpus, shared by the tests below -----------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Corpus, PdfReport, Path]:
    """Render a short, a medium (figure, table, list) and an overflowing brief once."""
    root = tmp_path_factory.mktemp("project")
    writer, settings = make_project(root)
    writer.brief("moz/moz-short.md", title="A short brief on pensions", summary="Short summary.",
                 body="## Context\n\nOnly one paragraph.\n")
    writer.brief("moz/moz-medium.md", title="'Mozambique: a medium brief with a figure'",
                 countries="[MOZ, ZMB]", themes="[older-persons, children]",
                 authors="[Ana Author, Bo Writer]", keywords="[ENSSB]",
                 summary="The summary of the medium brief.",
                 body=FIGURE_BODY.replace("## Context", "## Overview") + "\n" + body(1200))
    writer.write("moz/img/chart.svg", SVG)
    writer.brief("zmb/zmb-long.md", title="A brief far too long", countries="[ZMB]",
                 body=body(3600, seed=7))
    corpus = load(settings)
    out = root / "site" / "pdf"
    report = render_all(corpus, settings, out, jobs=2)
    return settings, corpus, report, out


def test_every_fitting_brief_has_exactly_four_pages(built: Any) -> None:
    _, _, report, out = built
    assert sorted(report.results) == ["moz-medium", "moz-short"]
    for slug, info in report.results.items():
        assert info.path == out / f"{slug}.pdf"
        assert len(PdfReader(info.path).pages) == info.pages == 4
        assert info.size == info.cache_path.stat().st_size == info.path.stat().st_size
        assert info.path.read_bytes() == info.cache_path.read_bytes()
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))


def test_overflow_is_an_error_naming_pages_and_words(built: Any) -> None:
    _, _, report, _ = built
    [finding] = [f for f in report.findings if f.code != "pdf-underfill"]
    assert finding.code == "pdf-overflow" and finding.severity is Severity.ERROR
    assert finding.path == "briefs/zmb/zmb-long.md" and (finding.line, finding.col) == (1, 1)
    match = re.fullmatch(r"brief runs to (\d+\.\d) pages, over the 4-page budget: "
                         r"cut about (\d+) words", finding.message)
    assert match, finding.message
    length, cut = float(match[1]), int(match[2])
    assert 4.5 < length < 9
    assert cut == pytest.approx(3650 * (length - 4) / length, rel=0.15)


def test_overflow_warn_still_writes_the_pdf(built: Any, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    settings, corpus, _, _ = built
    warn = dataclasses.replace(with_pdf(settings, overflow="warn"), cache_dir=str(tmp_path))
    report = render_all(corpus, warn, None, jobs=1, slugs=["zmb-long"], progress=True)
    assert capsys.readouterr().out == ""  # the progress bar goes to stderr, never stdout
    [finding] = [f for f in report.findings if f.code != "pdf-underfill"]
    assert finding.severity is Severity.WARNING and "pages" in finding.message
    info = report.results["zmb-long"]
    assert info.path == info.cache_path and info.pages == len(PdfReader(info.path).pages) > 4


def _cite_position(path: Path, page: int) -> float | None:
    """Return how far down a page (0 to 1) the back matter's "How to cite" is, or None."""
    text = pdftotext(path, "-f", str(page), "-l", str(page), "-bbox")
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', text)[1])
    cite = re.search(r'yMin="([\d.]+)"[^>]*>cite<', text)
    return float(cite[1]) / height if cite else None


def test_back_matter_closes_the_last_page(built: Any) -> None:
    """The medium brief's body ends on page 3: its back matter is at the foot of page 4."""
    _, _, report, _ = built
    path = report.results["moz-medium"].path
    assert len(pdftotext(path, "-f", "3", "-l", "3").split()) > 300  # body text
    position = _cite_position(path, 4)
    assert position is not None, "back matter missing from page 4"
    assert position > 0.6  # in the lower part of the page
    assert "page 4 of 4" in pdftotext(path, "-f", "4", "-l", "4")


def test_a_short_brief_leaves_no_empty_page_in_the_middle(built: Any) -> None:
    """A body ending on page 1: the back matter at the foot of page 2, the empty pages last."""
    _, _, report, _ = built
    path = report.results["moz-short"].path
    assert "Only one paragraph" in pdftotext(path, "-f", "1", "-l", "1")
    position = _cite_position(path, 2)
    assert position is not None and position > 0.6, "back matter not at the foot of page 2"
    for page in (3, 4):
        text = pdftotext(path, "-f", str(page), "-l", str(page))
        assert text.split() == ["A", "short", "brief", "on", "pensions", "·", "2016-02-23", "page",
                                str(page), "of", "4"], text  # the running footer only


def test_text_comes_out_in_reading_order(built: Any) -> None:
    _, _, report, _ = built
    text = " ".join(pdftotext(report.results["moz-medium"].path).split())
    order = ["Mozambique: a medium brief with a figure", "The summary of the medium brief",
             "The opening paragraph of the context", "Households covered, 2008 to 2015",
             "The closing paragraph about results", "What was achieved", "How it was done",
             "Lessons learnt", "About this brief", "How to cite",
             "Ana Author; Bo Writer (2016). Mozambique: a medium brief with a figure.",
             f"{SITE}briefs/moz-medium/"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i < 0]
    assert positions == sorted(positions)
    assert "page 1 of 4" in text and "Mozambique: a medium brief with a figure · 2016-02-23" in text


def test_metadata_outline_and_tags(built: Any) -> None:
    _, _, report, _ = built
    reader = PdfReader(report.results["moz-medium"].path)
    meta = reader.metadata
    assert meta.title == "Mozambique: a medium brief with a figure"
    assert meta.author == "Ana Author, Bo Writer"
    assert meta.subject == "The summary of the medium brief."
    for keyword in ("Older persons", "Children", "Mozambique", "Zambia", "ENSSB"):
        assert keyword in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20160223")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert outline(reader) == [
        "Mozambique: a medium brief with a figure",
        ["Overview", "Results", "Context", "What was achieved", "How it was done", ["Lessons learnt"],
         "About this brief"],
    ]
    assert "Bar chart of households covered" in alt_texts(root["/StructTreeRoot"])


def test_fonts_are_the_shipped_noto_fonts_embedded_and_subset(built: Any) -> None:
    _, _, report, _ = built
    for info in report.results.values():
        listed = fonts(info.path)
        assert listed
        for name, embedded, subset in listed:  # the theme's @font-face families, nothing else
            assert re.fullmatch(r"[A-Z]{6}\+Noto-(Sans|Serif)-Brief(-Bold|-Italic|-BoldItalic)?", name), name
            assert (embedded, subset) == ("yes", "yes"), name


def test_a_character_missing_from_the_theme_fonts_fails_the_brief_at_its_line(tmp_path: Path) -> None:
    """With no machine font to fall back on, '≥' would print as a hole: an error at its line."""
    writer, settings = make_project(tmp_path)
    path = writer.brief("moz/moz-g.md", title="Pensions at 65", body=(
        "## Context\n\nPlain text, “quotes”, Việt Nam and 5 €.\n\nAged ≥ 65 → covered; Ω.\n"))
    line = path.read_text(encoding="utf-8").splitlines().index("Aged ≥ 65 → covered; Ω.") + 1
    corpus = load(settings)
    with pytest.raises(BriefsError) as caught:
        render_brief(corpus.get("moz-g"), corpus, settings)
    message = str(caught.value)
    assert message.startswith(f"briefs/moz/moz-g.md:{line}:6: error: PDF of moz-g: ")
    assert "'≥' (U+2265), '→' (U+2192), 'Ω' (U+03A9) not in the theme's fonts" in message
    assert "[pdf-glyph]" in message and "Việt" not in message and "€" not in message


def test_qpdf_check_passes(built: Any) -> None:
    _, _, report, _ = built
    for info in report.results.values():
        subprocess.run(["qpdf", "--check", str(info.path)], check=True, capture_output=True)


def test_same_brief_gives_identical_bytes(built: Any) -> None:
    settings, corpus, report, _ = built
    brief = corpus.get("moz-medium")
    first = render_brief(brief, corpus, settings)
    assert first == render_brief(brief, corpus, settings)
    assert first == report.results["moz-medium"].path.read_bytes()  # other process, same bytes


def test_same_brief_in_another_checkout_gives_identical_bytes(tmp_path: Path) -> None:
    """No path of the build machine reaches the PDF, not even through its file identifier."""
    outputs = []
    for name in ("one", "two"):
        writer, settings = make_project(tmp_path / name)
        # Each checkout overrides the print stylesheet with its own copy (same bytes).
        for part in ("print", "fonts"):
            shutil.copytree(PROJECT_ROOT / "theme" / part, tmp_path / name / "overrides" / part)
        settings = dataclasses.replace(settings, custom_dir=tmp_path / name / "overrides")
        writer.write("moz/img/chart.svg", SVG)
        writer.brief("moz/moz-fig.md", title="Brief with figure", body=FIGURE_BODY)
        corpus = load(settings)
        outputs.append(render_brief(corpus.get("moz-fig"), corpus, settings))
    assert outputs[0] == outputs[1]


def test_render_brief_raises_on_overflow(built: Any) -> None:
    settings, corpus, _, _ = built
    with pytest.raises(BriefsError, match="pages, over the 4-page budget"):
        render_brief(corpus.get("zmb-long"), corpus, settings)


def test_brief_html_has_figure_caption_and_metadata(built: Any) -> None:
    settings, corpus, _, _ = built
    html = brief_html(corpus.get("moz-medium"), corpus, settings)
    assert re.search(r'<figure class="narrow"><img alt="Bar chart of households covered" src="img/chart.svg">'
                     r"<figcaption>Households covered, 2008 to 2015.</figcaption></figure>", html)
    assert '<html lang="en">' in html and '<meta name="keywords" content="Zambia">' in html
    assert 'counter(page) " of 4"' in html


def test_budget_is_configurable(built: Any, tmp_path: Path) -> None:
    settings, corpus, _, _ = built
    for pages in (1, 3):
        changed = dataclasses.replace(with_pdf(settings, pages=pages), cache_dir=str(tmp_path))
        data = render_brief(corpus.get("moz-short"), corpus, changed)
        path = tmp_path / f"short-{pages}.pdf"
        path.write_bytes(data)
        assert len(PdfReader(path).pages) == pages
        assert f"page {pages} of {pages}" in pdftotext(path)


def test_content_ending_on_the_last_page_keeps_the_budget(built: Any, tmp_path: Path) -> None:
    """The medium brief ends on page 3: with a 3-page budget the back matter joins it there."""
    settings, corpus, _, _ = built
    data = render_brief(corpus.get("moz-medium"), corpus, with_pdf(settings, pages=3))
    (tmp_path / "m.pdf").write_bytes(data)
    assert len(PdfReader(tmp_path / "m.pdf").pages) == 3
    last = pdftotext(tmp_path / "m.pdf", "-f", "3", "-l", "3")
    assert len(last.split()) > 150  # body text as well as the back matter
    assert "How to cite" in last


# -- cache -------------------------------------------------------------------------------

def test_cache_renders_only_what_changed(tmp_path: Path) -> None:
    writer, settings = make_project(tmp_path)
    for part in ("print", "fonts"):  # the stylesheet finds its fonts beside it
        shutil.copytree(PROJECT_ROOT / "theme" / part, tmp_path / "overrides" / part)
    settings = dataclasses.replace(settings, custom_dir=tmp_path / "overrides")
    for name in ("a", "b", "c"):
        writer.brief(f"moz/moz-{name}.md", title=f"Brief {name}", body=body(200))
    writer.write("moz/img/chart.svg", SVG)
    writer.brief("moz/moz-fig.md", title="Brief with figure", body=FIGURE_BODY)

    def build(settings: Settings = settings) -> PdfReport:
        report = render_all(load(settings), settings, tmp_path / "out", jobs=2)
        assert not [f for f in report.findings if f.code != "pdf-underfill"]
        return report

    everything = ["moz-a", "moz-b", "moz-c", "moz-fig"]
    first = build()
    assert (first.rendered, first.cached) == (everything, [])
    assert sorted(p.suffix for p in (tmp_path / ".cache/briefs/pdf").iterdir()) == [".json"] * 4 + [".pdf"] * 4
    again = build()
    assert (again.rendered, sorted(again.cached)) == ([], everything)
    assert {s: i.cache_path for s, i in again.results.items()} == {s: i.cache_path for s, i in first.results.items()}

    writer.brief("moz/moz-b.md", title="Brief b, revised", body=body(200))
    assert build().rendered == ["moz-b"]
    writer.write("moz/img/chart.svg", SVG.replace("#0b4f6c", "#aa0000"))
    assert build().rendered == ["moz-fig"]
    assert build(dataclasses.replace(settings, publisher="Another publisher")).rendered == everything
    css = tmp_path / "overrides" / "print" / "brief.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    assert build().rendered == everything
    assert build().rendered == []


def test_cache_key_follows_the_libraries_that_shape_the_bytes(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    from site_builder.pdf import cache

    names = " ".join(cache._weasyprint_dependencies() + cache._native_versions())
    for name in ("pydyf==", "fonttools==", "Pillow==", "tinycss2==", "pango-1.0==1.", "harfbuzz=="):
        assert name in names
    settings = Settings(project_dir=tmp_path)
    before = cache.fingerprint(settings.theme, settings)
    monkeypatch.setattr(cache, "_weasyprint_dependencies", lambda: ["pydyf==99"])
    assert cache.fingerprint(settings.theme, settings) != before


# -- time limit and crashes --------------------------------------------------------------

def test_a_brief_over_the_time_limit_fails_alone(tmp_path: Path) -> None:
    writer, settings = make_project(tmp_path)
    # ~10 s of layout here (80,000 words), well past the limit on any machine; the short
    # briefs take well under a second.
    writer.brief("moz/moz-huge.md", title="Huge", body=body(80000))
    writer.brief("moz/moz-ok1.md", title="Fine one")
    writer.brief("moz/moz-ok2.md", title="Fine two")
    settings = with_pdf(settings, timeout=3.0, overflow="warn")
    report = render_all(load(settings), settings, None, jobs=1)
    assert sorted(report.results) == ["moz-ok1", "moz-ok2"]
    [finding] = [f for f in report.findings if f.code != "pdf-underfill"]
    assert finding.code == "pdf-render" and finding.path == "briefs/moz/moz-huge.md"
    assert "moz-huge" in finding.message and "timed out after 3 s" in finding.message


def crash_on_b(job: RenderJob) -> RenderResult:
    """A render target that kills its process for one slug (runs in a spawned worker)."""
    import os

    if job.slug == "b":
        os._exit(3)
    return render_job(job)


def test_a_crashing_render_fails_alone(built: Any) -> None:
    settings, corpus, _, _ = built
    from site_builder.pdf.build import make_job

    brief = corpus.get("moz-short")
    good = make_job(brief, brief_html(brief, corpus, settings), settings)
    jobs = [dataclasses.replace(good, slug=s) for s in ("a", "b", "c")]
    results: dict[str, RenderResult] = {}
    run_jobs(jobs, 1, 60.0, lambda r: results.setdefault(r.slug, r), target=crash_on_b)
    assert results["b"].pdf is None
    assert results["b"].problems == [("pdf-render", "the render process crashed (exit code 3)")]
    assert results["a"].pdf and results["c"].pdf and results["a"].pdf == results["c"].pdf



def test_a_worker_that_cannot_start_is_a_clear_error(built: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies before it is ready (say WeasyPrint cannot load Pango) stops the run."""
    settings, corpus, _, _ = built
    from site_builder.pdf.build import make_job

    (tmp_path / "dies_in_workers.py").write_text(
        "import os\n"
        "if os.environ.get('BRIEFS_TEST_WORKER_DIES'):\n"
        "    os._exit(4)\n"
        "def target(job):\n"
        "    raise AssertionError('never runs')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import dies_in_workers

    monkeypatch.setenv("BRIEFS_TEST_WORKER_DIES", "1")  # the spawned worker imports it and dies
    brief = corpus.get("moz-short")
    job = make_job(brief, brief_html(brief, corpus, settings), settings)
    with pytest.raises(BriefsError, match=r"stopped while starting \(exit code 4\).*Pango"):
        run_jobs([job], 1, 60.0, lambda r: None, target=dies_in_workers.target)

# -- HTML details ------------------------------------------------------------------------

def test_links_to_other_briefs_point_at_the_web(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md", body="See [the other brief](../zmb/zmb-b.md#context), "
                                      "[a file](img/x.png) and [the web](https://example.org). "
                                      'Raw: <a href="../zmb/zmb-b.md">raw</a>, '
                                      '<a href="img/x.png?a=1&amp;b=2">raw file</a>.\n')
    corpus.brief("zmb/zmb-b.md", countries="[ZMB]")
    picture = io.BytesIO()  # a real image: validation decodes every image a brief links
    Image.new("RGB", (2, 2)).save(picture, "PNG")
    corpus.write("moz/img/x.png", picture.getvalue())
    settings = Settings(project_dir=corpus.root.parent, site_url=SITE)
    loaded = load(settings)
    html = brief_html(loaded.get("moz-a"), loaded, settings)
    assert f'<a href="{SITE}briefs/zmb-b/#context">the other brief</a>' in html
    assert "<a>a file</a>" in html and '<a href="https://example.org">' in html
    assert f'<a href="{SITE}briefs/zmb-b/">raw</a>' in html and "<a>raw file</a>" in html


def test_source_date_epoch_sets_the_modification_date(corpus: CorpusWriter,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    corpus.brief("moz/moz-a.md")
    settings = Settings(project_dir=corpus.root.parent, site_url=SITE)
    loaded = load(settings)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = brief_html(loaded.get("moz-a"), loaded, settings)
    assert '<meta name="dcterms.modified" content="2023-11-14T22:13:20Z">' in html
    assert '<meta name="dcterms.created" content="2016-02-23">' in html


def sleep_then_pid(job: RenderJob) -> RenderResult:
    """A render target that waits a second and reports its process and run time (in a worker)."""
    import os
    import time

    start = time.time()
    time.sleep(1.0)
    return RenderResult(job.slug, pdf=str(os.getpid()).encode(),
                        problems=[("start", str(start)), ("end", str(time.time()))])


def test_jobs_run_in_parallel_workers() -> None:
    job = RenderJob("x", "", "file:///", (), 4, False, b"0")
    results: list[RenderResult] = []
    run_jobs([dataclasses.replace(job, slug=str(i)) for i in range(6)], 3, 30.0,
             results.append, target=sleep_then_pid)
    assert sorted(r.slug for r in results) == ["0", "1", "2", "3", "4", "5"]
    assert len({r.pdf for r in results}) == 3  # three worker processes shared the jobs
    spans = [(float(r.problems[0][1]), float(r.problems[1][1])) for r in results]
    overlapping = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert overlapping == 3


def test_labels_follow_the_brief_language(corpus: CorpusWriter) -> None:
    corpus.brief("col/col-es.md", language="es", title="Un piso rural")
    settings = Settings(project_dir=corpus.root.parent, site_url=SITE)
    loaded = load(settings)
    html = brief_html(loaded.get("col-es"), loaded, settings)
    assert '<html lang="es">' in html and "<h2>Resumen</h2>" in html and "Cómo citar" in html
    assert '"página " counter(page) " de 4"' in html and "<dt>País</dt>" in html


def test_unknown_slug_is_an_error(built: Any) -> None:
    settings, corpus, _, _ = built
    with pytest.raises(BriefsError, match="no published brief with slug nope"):
        render_all(corpus, settings, None, slugs=["nope"])
