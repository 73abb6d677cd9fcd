"""The live reload of ``briefs serve``: a saved brief's page updates in place, its PDF preview kept open.

A real ``briefs serve`` (PDFs on) in a subprocess, driven in real headless Chromium: after
an append, the meter, the article and the PDF preview update without the page reloading
(a mark left on ``window`` survives, the PDF's frame is the same element, the scroll
position is kept, no stylesheet or script is fetched again). A save that changes more
than the article (the title, in the page's ``<title>``) reloads the page, as before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import new_page
from conftest import PROJECT_ROOT, CorpusWriter
from test_pdf import body, words
from test_site_serve import _wait_for, preview_process

pytestmark = [pytest.mark.slow, pytest.mark.browser]

METER = "aside.page-meter"
FRAME = "iframe.pdf-preview-frame"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of two briefs (one with a table: the theme's script wraps tables), search off."""
    root = tmp_path_factory.mktemp("live-reload")
    shutil.copy(PROJECT_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT_ROOT / "docs", root / "docs")
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(text.replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      search: false\n", 1),
        encoding="utf-8")
    writer = CorpusWriter(root / "briefs")
    writer.brief("moz/moz-live.md", title="A live brief", body=body(900, seed=3))
    writer.brief("moz/moz-other.md", title="Another brief", body=body(300, seed=4))
    return root


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[str]:
    """``briefs serve`` on the project; yield its base URL."""
    with preview_process(project) as running:
        _wait_for(running.base + "briefs/moz-live/", "page-meter", timeout=300)
        yield running.base
    print(running.output)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop page (the PDF beside the article) that records the URLs it requests."""
    opened = new_page(browser, 1400, 900)
    try:
        yield opened
    finally:
        opened.context.close()


def _open_with_pdf(page: Any, url: str) -> None:
    """Open ``url``, show the PDF, mark the window and the frame (a reload or a new frame loses the mark)."""
    page.goto(url)
    page.get_by_role("button", name="Show the PDF").click()
    page.wait_for_selector(f"{FRAME}[src]")
    page.evaluate(f"() => {{ window.briefsMark = 'kept';"
                  f" document.querySelector('{FRAME}').briefsMark = 'kept'; window.scrollTo(0, 600); }}")


def test_a_save_updates_the_page_in_place_and_keeps_the_pdf_open(served: str, project: Path,
                                                                  page: Any) -> None:
    url = served + "briefs/moz-live/"
    _open_with_pdf(page, url)
    meter = page.locator(METER)
    before = float(meter.get_attribute("data-length"))
    old_src = page.locator(FRAME).get_attribute("src")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    page.requested.clear()
    path = project / "briefs" / "moz" / "moz-live.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nA paragraph saved live, " + words(140, seed=21) + "\n",
                    encoding="utf-8")
    # the measured meter of the new PDF (an estimate may show first)
    page.wait_for_function(f"b => Number(document.querySelector('{METER}').dataset.length) > b"
                           f" && document.querySelector('{METER}').dataset.estimate === undefined",
                           arg=before, timeout=120_000)
    assert "A paragraph saved live" in page.locator(".brief-body").inner_text()
    page.wait_for_function(f"s => document.querySelector('{FRAME}').getAttribute('src') !== s",
                           arg=old_src, timeout=60_000)
    state = page.evaluate(f"() => [window.briefsMark, document.querySelector('{FRAME}').briefsMark,"
                          f" window.scrollY, document.querySelectorAll('{FRAME}').length,"
                          f" document.querySelectorAll('.md-typeset__table').length,"
                          f" document.querySelectorAll('.brief-body table').length]")
    assert state[:4] == ["kept", "kept", scrolled, 1]  # no reload, the same frame, not scrolled
    assert state[4] == state[5] > 0  # tables wrapped as the theme's script does
    assert float(meter.get_attribute("data-length")) > before
    assert page.locator(FRAME).is_visible()
    assert page.get_by_role("button", name="Hide the PDF").is_visible()
    fetched = [u for u in page.requested if u.startswith(served)]
    assert not [u for u in fetched if u.endswith((".css", ".js", ".woff2"))], fetched
    assert any(".pdf?v=" in u for u in fetched) and url in fetched
    page.get_by_role("button", name="Hide the PDF").click()  # the button still works
    assert not page.locator(FRAME).is_visible()
    page.get_by_role("button", name="Show the PDF").click()
    assert page.locator(FRAME).is_visible()
    assert not page.errors, page.errors


def test_a_save_that_changes_the_page_around_the_article_reloads_it(served: str, project: Path,
                                                                     page: Any) -> None:
    url = served + "briefs/moz-other/"
    _open_with_pdf(page, url)
    path = project / "briefs" / "moz" / "moz-other.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Another brief", "title: A renamed brief"),
                    encoding="utf-8")
    page.wait_for_function("() => document.title.includes('A renamed brief')", timeout=120_000)
    page.wait_for_selector(f"{FRAME}[src]")
    assert page.evaluate("window.briefsMark") is None  # reloaded: the title is outside the article
    assert page.locator("h1").first.inner_text() == "A renamed brief"
    assert page.locator(FRAME).is_visible()  # the PDF shown again after the reload
