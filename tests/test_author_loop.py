"""The author's loop: the page meter, the PDF preview, drafts and ``overflow: fit``.

Real renders (WeasyPrint), a real ``briefs serve`` in a subprocess on a free port, driven in
real headless Chromium (Playwright); PDFs read back with pypdf and poppler.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from pypdf import PdfReader
from test_pdf import pdftotext, words
from test_site_serve import _wait_for, preview_process

from site_builder.corpus import load_corpus
from site_builder.findings import Severity
from site_builder.pdf import render_all
from site_builder.pdf.build import make_job, page_meter
from site_builder.pdf.fit import FIT_LIMIT, FIT_STEPS
from site_builder.pdf.html import brief_html
from site_builder.pdf.meter import PageMeter
from site_builder.pdf.render import render_job
from site_builder.settings import Settings, load_settings, with_pdf

pytestmark = pytest.mark.slow


# -- the meter's arithmetic (no rendering) -----------------------------------------------

def test_meter_reads_pages_and_words() -> None:
    meter = PageMeter.from_length(3.62, 4, 1000)
    assert (meter.full_pages, meter.percent, meter.state) == (3, 62, "ok")
    assert meter.words_to_cut == 0 and 0 < meter.room < 300
    assert meter.describe().startswith("3.6 of 4 pages (3 pages + 62 % of page 4)")
    over = PageMeter.from_length(4.01, 4, 1600)
    assert over.state == "overflow" and over.shown_length == 4.1 and over.words_to_cut == 10
    assert "4.1 of 4 pages (4 pages + 1 % of page 5): over the 4-page budget: cut about 10 words" \
        in over.describe()
    short = PageMeter.from_length(1.4, 4, 230)
    assert short.state == "underfill" and short.room > 700  # not 230 * 2.6 / 1.4
    empty = PageMeter.from_length(0.5, 4, 10)
    assert empty.describe().startswith("0.5 of 4 pages (50 % of page 1)") and empty.room == 2270
    assert PageMeter.from_length(4.0, 4, 1500).describe() == "4.0 of 4 pages (4 pages): full"


# -- projects -------------------------------------------------------------------------------

def _length(writer: CorpusWriter, settings: Settings, rel: str, n_words: int, **fields: str) -> float:
    """Write a brief of ``n_words`` body words and return its laid-out length (no budget)."""
    paragraphs = "\n\n".join(words(60, seed=i) for i in range(n_words // 60))
    writer.brief(rel, body=f"## Context\n\n{paragraphs}\n\n{words(n_words % 60 + 1, seed=99)}\n",
                 **fields)
    corpus, findings = load_corpus(settings.content_root, cwd=settings.project_dir)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    brief = corpus.get(Path(rel).stem)
    assert brief is not None
    return render_job(make_job(brief, brief_html(brief, corpus, settings), settings)).length


def _brief_of_length(writer: CorpusWriter, settings: Settings, rel: str, target: float,
                     within: float = 0.04, **fields: str) -> float:
    """Write a brief whose length is ``target`` pages (± ``within``); return its length."""
    low, high = 20, None
    n_words = max(40, round((target - 0.8) * 450))
    for _ in range(10):
        length = _length(writer, settings, rel, n_words, **fields)
        if abs(length - target) <= within:
            return length
        if length < target:
            low = n_words
            n_words = (n_words + high) // 2 if high else n_words + max(20, round((target - length) * 450))
        else:
            high = n_words
            n_words = (low + n_words) // 2
    raise AssertionError(f"no body of {rel} reached {target} pages (last {length})")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a short, a full and an over-long draft brief (no errors)."""
    root = tmp_path_factory.mktemp("author-loop")
    shutil.copy(PROJECT_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT_ROOT / "docs", root / "docs")
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(text.replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      search: false\n", 1),
        encoding="utf-8")
    settings = load_settings(root)
    writer = CorpusWriter(root / "briefs")
    writer.brief("moz/moz-short.md", title="A short brief", body="## Context\n\nOne paragraph.\n")
    _brief_of_length(writer, settings, "moz/moz-full.md", 3.6, within=0.1, title="A full brief")
    _brief_of_length(writer, settings, "zmb/zmb-long-draft.md", 5.3, within=0.3,
                     title="An over-long draft", countries="[ZMB]", draft="true")
    return root


def _expected(project: Path) -> dict[str, PageMeter]:
    """The meters the renderer measures (from the PDF cache the preview filled)."""
    settings = load_settings(project)
    corpus, _ = load_corpus(settings.content_root, cwd=project)
    return render_all(corpus, settings, None, jobs=1, drafts=True, preview=True).meters


# -- the preview, in Chromium ---------------------------------------------------------------

@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[str]:
    """``briefs serve`` on the project (PDFs rendered: the default); yield its base URL."""
    with preview_process(project) as running:
        _wait_for(running.base + "briefs/moz-full/", "page-meter", timeout=300)
        yield running.base
    print(running.output)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop-sized page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _meter_text(meter: PageMeter) -> str:
    if meter.full_pages == 0:
        return f"{meter.percent} % of page 1"
    if meter.percent == 0:
        return f"{meter.full_pages} pages"
    return f"{meter.full_pages} page{'s' if meter.full_pages != 1 else ''} + {meter.percent} % of page {meter.full_pages + 1}"


@pytest.mark.browser
def test_meter_shows_the_measured_pages_and_words(served: str, project: Path, page: Any) -> None:
    expected = _expected(project)
    states = {"moz-short": "underfill", "moz-full": "ok", "zmb-long-draft": "overflow"}
    for slug, state in states.items():
        page.goto(served + f"briefs/{slug}/")
        meter = page.locator("aside.page-meter")
        assert meter.get_attribute("data-state") == state
        used = page.locator(".page-meter-used").inner_text()
        assert used == _meter_text(expected[slug]), (slug, used)
        advice = page.locator(".page-meter-advice").inner_text()
        if state == "overflow":
            assert f"Cut about {expected[slug].words_to_cut:,} words" in advice
            colour = meter.evaluate("m => getComputedStyle(m).borderLeftColor")
            assert colour == "rgb(183, 28, 28)"  # red
        else:
            assert f"room for about {expected[slug].room:,} more words" in advice
    page.goto(served + "briefs/moz-short/")
    assert page.locator("aside.page-meter").evaluate(
        "m => getComputedStyle(m).borderLeftColor") == "rgb(178, 106, 0)"  # amber: underfill


@pytest.mark.browser
def test_over_long_draft_is_previewed_with_a_warning(served: str, page: Any) -> None:
    page.goto(served + "briefs/zmb-long-draft/")
    assert page.locator(".page-meter-draft strong").inner_text().lower() == "draft"
    page.goto(served + "errors/")
    assert page.locator("h1").inner_text() == "No problems"  # a draft's overflow only warns
    warning = page.locator("li.finding.warning", has_text="zmb-long-draft.md").inner_text()
    assert "over the 4-page budget" in warning and "a draft" in warning
    listed = page.locator(".page-budget-list li[data-slug='zmb-long-draft']")
    assert listed.get_attribute("class") == "page-meter-overflow"


@pytest.mark.browser
def test_preview_shows_the_pdf_and_marks_the_pages_past_the_budget(served: str, page: Any) -> None:
    page.goto(served + "briefs/zmb-long-draft/")
    frame = page.locator("iframe.pdf-preview-frame")
    assert not frame.is_visible() and frame.get_attribute("src") is None  # nothing loaded yet
    page.get_by_role("button", name="Show the PDF").click()
    assert frame.is_visible()
    src = frame.get_attribute("src")
    pdf = page.request.get(served + "briefs/zmb-long-draft/" + src.split("#")[0]).body()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 6  # the whole brief, budget or not
    fifth = reader.pages[4].extract_text()
    assert "Over the page budget" in fifth and "Over the page budget" not in reader.pages[3].extract_text()
    page.reload()  # the choice survives the live reload
    assert page.locator("iframe.pdf-preview-frame").is_visible()
    assert page.get_by_role("button", name="Hide the PDF").is_visible()


@pytest.mark.browser
def test_meter_fits_a_phone(served: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(served + "briefs/moz-full/")
        box = page.locator("aside.page-meter").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.browser
def test_saving_updates_the_meter_and_the_preview_without_a_reload(served: str, project: Path,
                                                                    page: Any) -> None:
    page.goto(served + "briefs/moz-full/")
    page.get_by_role("button", name="Show the PDF").click()
    before = float(page.locator("aside.page-meter").get_attribute("data-length"))
    old_src = page.locator("iframe.pdf-preview-frame").get_attribute("src")
    path = project / "briefs" / "moz" / "moz-full.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + words(70, seed=11) + "\n", encoding="utf-8")
    page.wait_for_function(f"() => Number(document.querySelector('aside.page-meter')"
                           f".dataset.length) > {before}", timeout=120_000)
    after = float(page.locator("aside.page-meter").get_attribute("data-length"))
    assert after > before + 0.1
    frame = page.locator("iframe.pdf-preview-frame")
    assert frame.is_visible() and frame.get_attribute("src") != old_src
    assert _meter_text(PageMeter.from_length(after, 4, 0)) in page.locator(".page-meter-used").inner_text()


def test_errors_page_is_there_with_no_problems(served: str) -> None:
    errors = _wait_for(served + "errors/", "No problems")
    assert "Page budget" in errors


# -- briefs validate --pdf --------------------------------------------------------------------

def test_validate_pdf_warns_of_an_over_long_draft_and_prints_meters(project: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "site_builder", "validate", "--pdf"], cwd=project,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(re.fullmatch(r"briefs/zmb/zmb-long-draft\.md: \d\.\d of 4 pages \(\d pages(?: \+ \d+ % "
                            r"of page \d)?\): over the 4-page budget: cut about [\d,]+ words; "
                            r"1 warning \[pdf-overflow\]", ln) for ln in lines), run.stdout
    assert any("warning: brief runs to" in ln and "zmb-long-draft.md" in ln for ln in lines)
    run = subprocess.run([sys.executable, "-m", "site_builder", "validate", "--pdf", "--format",
                          "json"], cwd=project, capture_output=True, text=True)
    data = json.loads(run.stdout)
    rows = {row["slug"]: row for row in data["briefs"]}
    assert set(rows) == {"moz-short", "moz-full", "zmb-long-draft"} and data["errors"] == 0
    draft = rows["zmb-long-draft"]
    assert draft["draft"] and draft["meter"]["state"] == "overflow"
    assert draft["pages"] is None  # over its budget: no PDF outside the preview
    assert draft["meter"]["words_to_cut"] > 0 and draft["length"] == draft["meter"]["length"]
    assert rows["moz-short"]["meter"]["state"] == "underfill" and rows["moz-short"]["pages"] == 4


# -- overflow: fit ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fit_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusWriter, Settings]:
    root = tmp_path_factory.mktemp("fit")
    writer = CorpusWriter(root / "briefs")
    return writer, Settings(project_dir=root)


def test_fit_tightens_a_brief_a_little_over_and_says_which_step(fit_project: Any) -> None:
    writer, settings = fit_project
    # The back matter does not split: a brief just over its budget runs to about 4.2 pages
    # (the back matter alone on page 5), some 5 % over.
    natural = _brief_of_length(writer, settings, "moz/moz-over.md", 4.2, within=0.08,
                               overflow="fit")
    corpus, _ = load_corpus(settings.content_root, cwd=settings.project_dir)
    report = render_all(corpus, settings, None, jobs=1)
    [finding] = report.findings
    assert finding.severity is Severity.WARNING and finding.code == "pdf-fit"
    step = re.search(r"step '([^']+)'", finding.message)
    assert step and step[1] in [s.name for s in FIT_STEPS], finding.message
    assert f"runs to {page_meter(corpus.briefs[0], natural, settings).shown_length:.1f} pages" \
        in finding.message
    info = report.results["moz-over"]
    assert len(PdfReader(info.path).pages) == 4 and report.meters["moz-over"].length <= 4
    assert "About this brief" in pdftotext(info.path, "-f", "4", "-l", "4")


def test_fit_never_saves_a_brief_far_over(fit_project: Any) -> None:
    writer, settings = fit_project
    length = _brief_of_length(writer, settings, "moz/moz-over.md", 5.2, within=0.15)
    assert length > 4 * (1 + FIT_LIMIT)
    fit_site = with_pdf(settings, overflow="fit")  # site-wide this time
    corpus, _ = load_corpus(settings.content_root, cwd=settings.project_dir)
    report = render_all(corpus, fit_site, None, jobs=1)
    [finding] = report.findings
    assert finding.severity is Severity.ERROR and finding.code == "pdf-overflow"
    assert "over the 4-page budget: cut about" in finding.message
    assert re.search(r"overflow: fit tightens a brief at most 12% over; this one is \d+ % over",
                     finding.message), finding.message
    assert "moz-over" not in report.results


def test_overflow_field_is_checked(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md", overflow="squeeze")
    _, findings = load_corpus(corpus.root)
    [finding] = [f for f in findings if f.severity is Severity.ERROR]
    assert finding.message == "'overflow' must be one of fit, error, not 'squeeze'"
    assert (finding.line, finding.col) == (7, 11)
