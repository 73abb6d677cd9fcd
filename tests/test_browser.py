"""The built example site in real headless Chromium: navigation, offline, accessibility.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright; axe-core comes from
npm (``npm install``). The site is served by ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import axe_violations, serve_folder
from fixtures_site import BuiltSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


@pytest.fixture(scope="module")
def base_url(example_site: BuiltSite) -> Iterator[str]:
    """Serve the example site on 127.0.0.1 (a free port) for the module's tests."""
    with serve_folder(example_site.root) as url:
        yield url


def test_browse_home_theme_country_brief_offline_and_accessible(page, base_url: str,
                                                                example_site: BuiltSite) -> None:
    problems: dict[str, list[str]] = {}
    page.goto(base_url)
    assert page.locator("h1").count() == 1
    problems["home"] = axe_violations(page)

    page.locator(".theme-grid a").first.click()
    page.wait_for_load_state()
    assert "/themes/" in page.url
    assert page.locator(".brief-card").count() >= 1
    problems["theme"] = axe_violations(page)

    page.locator(".country-list a").first.click()  # "Countries covered" by the theme
    page.wait_for_load_state()
    assert "/countries/" in page.url
    problems["country"] = axe_violations(page)

    page.locator(".brief-card a").first.click()
    page.wait_for_load_state()
    assert "/briefs/" in page.url
    assert page.locator(".brief-header h1").count() == 1
    assert page.locator("h1").count() == 1
    problems["brief"] = axe_violations(page)

    hosts = {urlsplit(url).hostname for url in page.requested if urlsplit(url).scheme != "data"}
    assert hosts == {"127.0.0.1"}, sorted(u for u in page.requested if "127.0.0.1" not in u)
    assert {k: v for k, v in problems.items() if v} == {}


@pytest.mark.parametrize("path", ["", "themes/", "countries/", "coverage/", "about/"])
def test_section_pages_are_accessible(page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in page.requested
               if urlsplit(u).scheme in ("http", "https"))


def test_map_links_to_country_pages_without_javascript(browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(base_url + "coverage/")
        links = page.locator("figure svg a")
        assert links.count() >= 1
        href = links.first.get_attribute("href") or links.first.get_attribute("xlink:href")
        assert href and "countries/" in href
    finally:
        context.close()


def test_screenshots(page, base_url: str, example_site: BuiltSite) -> None:
    """Save full-page screenshots of the main page types to build/screenshots/ (to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    brief = example_site.index.briefs[0].slug
    theme = next(iter(example_site.index.corpus.themes))
    country = next(iter(example_site.index.by_country)).lower()
    for name, path in [("home", ""), ("theme", f"themes/{theme}/"),
                       ("country", f"countries/{country}/"), ("brief", f"briefs/{brief}/"),
                       ("coverage", "coverage/")]:
        page.goto(base_url + path)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
