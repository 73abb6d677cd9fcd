"""Search: Pagefind indexes brief pages only; in headless Chromium, queries and filters work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import chromium, new_page, serve_folder

from site_builder.search import index_site


@pytest.fixture(scope="module")
def search_site_dir(example_site) -> Path:  # type: ignore[no-untyped-def]
    """The example site, built once (PDFs off, search on)."""
    return example_site.root


@pytest.fixture(scope="module")
def example_index(example_site):  # type: ignore[no-untyped-def]
    """The index the example site was built from."""
    return example_site.index


@pytest.fixture(scope="module")
def served_site(search_site_dir: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 and yield its base URL."""
    with serve_folder(search_site_dir) as url:
        yield url


def test_only_brief_pages_are_indexed(search_site_dir: Path, example_index) -> None:  # type: ignore[no-untyped-def]
    report = index_site(search_site_dir)
    assert report.pages == len(example_index.by_slug)  # every brief, in its language's index
    assert (search_site_dir / "pagefind" / "pagefind.js").exists()


@pytest.fixture(scope="module")
def browser_page(served_site: str) -> Iterator[tuple[object, list[str]]]:
    with chromium() as browser:
        page = new_page(browser)
        yield page, page.requested


def _open_search(page, base: str, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}search/{query}")
    page.wait_for_selector("body[data-search-ready]")


def _titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(400)
    return page.locator(".cb-result__title").all_inner_texts()


def _metas(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".cb-result__meta").all_inner_texts()


@pytest.mark.browser
def test_typing_maternity_finds_india(browser_page, served_site: str) -> None:  # type: ignore[no-untyped-def]
    page, _ = browser_page
    _open_search(page, served_site)
    page.fill("#cb-q", "maternity")
    page.wait_for_selector(".cb-result")
    titles = _titles(page)
    assert any("India" in t for t in titles), titles


@pytest.mark.browser
def test_theme_filter_narrows(browser_page, served_site: str, example_index) -> None:  # type: ignore[no-untyped-def]
    page, _ = browser_page
    _open_search(page, served_site)
    page.fill("#cb-q", "social protection")
    page.wait_for_selector(".cb-result")
    before = page.locator(".cb-search__status").inner_text()
    page.locator('.cb-facet[data-facet="theme"] label', has_text="Older persons").click()
    page.wait_for_timeout(600)
    metas = _metas(page)
    # The English search page searches the English index (Pagefind: one per <html lang>).
    expected = len([b for b in example_index.by_theme["older-persons"] if b.language == "en"])
    assert metas and all("Older persons" in m for m in metas)
    assert page.locator(".cb-search__status").inner_text() == f"{expected} briefs found" != before


@pytest.mark.browser
def test_country_filter_and_url_prefilter(browser_page, served_site: str, example_index) -> None:  # type: ignore[no-untyped-def]
    page, _ = browser_page
    _open_search(page, served_site, "?country=Mozambique")
    page.wait_for_selector(".cb-result")
    metas = _metas(page)
    assert len(metas) == len(example_index.by_country["MOZ"])
    assert all("Mozambique" in m for m in metas)
    assert page.locator('.cb-facet[data-facet="country"] input:checked').count() == 1


@pytest.mark.browser
def test_sort_by_date_and_result_opens_brief(browser_page, served_site: str) -> None:  # type: ignore[no-untyped-def]
    page, requests = browser_page
    _open_search(page, served_site, "?theme=Older%20persons&sort=date:asc")
    page.wait_for_selector(".cb-result")
    dates = page.locator(".cb-result__meta time").all_inner_texts()
    assert dates == sorted(dates)
    first = page.locator(".cb-result__title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert "/briefs/" in page.url
    assert title in page.locator("h1").first.inner_text()
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, hosts


@pytest.mark.browser
def test_search_page_is_accessible(browser_page, served_site: str) -> None:  # type: ignore[no-untyped-def]
    from browser_support import axe_violations

    page, _ = browser_page
    _open_search(page, served_site, "?q=pension&theme=Older%20persons")
    page.wait_for_selector(".cb-result")
    assert axe_violations(page) == []


def test_header_search_form_on_every_page(search_site_dir: Path) -> None:
    for rel in ("index.html", "themes/health/index.html", "briefs/ind-maternity-benefit-amendment/index.html"):
        text = (search_site_dir / rel).read_text(encoding="utf-8")
        assert 'class="cb-header-search"' in text and 'name="q"' in text
    assert "md-search" not in (search_site_dir / "index.html").read_text(encoding="utf-8")
