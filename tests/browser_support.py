"""What the browser tests share: the system's Chromium, a static server, axe-core.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright, never a downloaded
one; axe-core comes from npm (``npm install``). A missing Chromium or axe-core fails the
test with the command that installs it: a skipped browser test would pass in a CI that
forgot to install the browser.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch the system's headless Chromium; yield the Playwright browser."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM}: run `bash .ci/setup`")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, width: int = 1280, height: int = 900, **context: Any) -> Any:
    """Open a page in a fresh context of the given viewport.

    The page records every URL it requests (``page.requested``) and every uncaught script
    error (``page.errors``); close it with ``page.context.close()``.
    """
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    page = ctx.new_page()
    page.requested = []
    page.errors = []
    page.on("request", lambda request: page.requested.append(request.url))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, described."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm install` in the project root")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run()")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized page (1280×900) that records its requests and script errors."""
    opened = new_page(browser)
    try:
        yield opened
    finally:
        opened.context.close()
