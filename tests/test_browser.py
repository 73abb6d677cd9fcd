"""The built example site in real headless Chromium: navigation, offline, accessibility.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright; axe-core comes from
npm (``npm install``). The site is served by ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fixtures_site import BuiltSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(example_site: BuiltSite) -> Iterator[str]:
    """Serve the example site on 127.0.0.1 (a free port) for the module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(example_site.root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (the system's), never a downloaded one."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page that records every request it makes (``page.requested``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    try:
        yield page
    finally:
        context.close()


def axe_violations(page: object) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, described."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm install` in the project root")
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate("axe.run()")  # type: ignore[attr-defined]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


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
