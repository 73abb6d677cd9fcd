"""``briefs serve`` under attack: forged ``Host`` headers, broken vocabularies.

A real ``briefs serve`` in a subprocess on a free port; raw HTTP requests for the ``Host``
check (the live-reload endpoint included), real headless Chromium for the error pages.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CorpusWriter
from test_site_serve import _wait_for, preview_process

from site_builder.serve import allowed_hosts, host_allowed

# -- which Host values a preview answers (no server) -----------------------------------

def test_loopback_preview_answers_its_address_and_localhost_only() -> None:
    allowed = allowed_hosts("127.0.0.1", 8000)
    for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"):
        assert host_allowed(host, allowed, None), host
    for host in ("evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "localhost",
                 "127.0.0.1.evil.example:8000", "", "localhost:8000@evil", "10.0.0.2:8000",
                 "attacker.localhost:8000"):
        assert not host_allowed(host, allowed, None), host


def test_preview_on_every_interface_answers_ip_addresses_not_names() -> None:
    allowed = allowed_hosts("0.0.0.0", 8000)
    for host in ("0.0.0.0:8000", "192.168.1.20:8000", "[fe80::1]:8000"):
        assert host_allowed(host, allowed, 8000), host
    for host in ("evil.example:8000", "192.168.1.20:9000", "rebind.example:8000"):
        assert not host_allowed(host, allowed, 8000), host


def test_port_80_may_be_left_out() -> None:
    allowed = allowed_hosts("localhost", 80)
    assert host_allowed("localhost", allowed, None) and host_allowed("127.0.0.1:80", allowed, None)
    assert not host_allowed("evil.example", allowed, None)


# -- a live preview --------------------------------------------------------------------

@pytest.fixture
def served(corpus: CorpusWriter, site_project: Path) -> Iterator[tuple[str, int, Path]]:
    """``briefs serve`` (no PDFs) of a one-brief project: yield (base URL, port, briefs folder)."""
    corpus.brief("moz/moz-a.md", title="Alpha brief")
    with preview_process(site_project, pdf=False) as running:
        _wait_for(running.base + "briefs/moz-a/", "Alpha brief", timeout=120)
        yield running.base, running.port, corpus.root
        assert running.process.poll() is None, "the preview stopped"
    print(running.output)
    assert "Traceback" not in running.output, running.output


def _get(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    """Send one raw GET with the given Host header (None: no Host header at all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.slow
def test_requests_for_another_host_are_refused(served: tuple[str, int, Path]) -> None:
    _, port, _ = served
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        status, body = _get(port, "/briefs/moz-a/", host)
        assert status == 200 and b"Alpha brief" in body, host
        # The live-reload endpoint answers at once for an old epoch (0)...
        status, body = _get(port, "/livereload/0/0", host)
        assert status == 200 and body.strip().isdigit(), host
    forged = ["rebind.attacker.example", f"rebind.attacker.example:{port}", f"127.0.0.1:{port + 1}",
              f"evil.localhost:{port}", f"127.0.0.1:{port}.evil.example", None]
    for host in forged:
        for path in ("/", "/briefs/moz-a/", "/errors/", "/livereload/0/0",
                     "/assets/stylesheets/briefs.css"):
            status, body = _get(port, path, host)
            assert status == 421, (host, path, status)
            assert len(body) < 200 and b"Alpha" not in body and body.startswith(b"421"), body


# -- broken vocabularies ---------------------------------------------------------------

BROKEN = [
    ("themes.yml", "invalid YAML", "- id: older-persons\n  title: [unclosed\n",
     "briefs/themes.yml:3:1", "not valid YAML"),
    ("themes.yml", "latin-1", "- id: older-persons\n  title: Personnes âgées\n".encode("latin-1"),
     "briefs/themes.yml:2:", "save it as UTF-8"),
    ("themes.yml", "a folder", None, "briefs/themes.yml:1:1", "is a folder, not a file"),
    ("themes.yml", "an unknown key", "- id: older-persons\n  title: Older persons\n  colour: red\n",
     "briefs/themes.yml:3:3", "unknown key 'colour'; a theme has id, title, description"),
    ("themes.yml", "a bad id", '- id: "../../../tmp/x"\n  title: Older persons\n',
     "briefs/themes.yml:1:7", "theme id must be lowercase letters, digits and hyphens"),
    ("regions.yml", "a folder", None, "briefs/regions.yml:1:1", "is a folder, not a file"),
]


def _break(path: Path, content: str | bytes | None) -> None:
    path.unlink()
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _restore(path: Path, good: bytes) -> None:
    if path.is_dir():
        path.rmdir()
    path.write_bytes(good)


def _shown(context: Any, url: str) -> tuple[str, str, str]:
    """Open ``url`` in a new tab; return its first heading, its main text and its HTML.

    A rebuild still under way may reload the tab (live reload): then it is opened again.
    """
    from playwright.sync_api import Error

    for attempt in range(5):
        page = context.new_page()
        try:
            page.goto(url)
            return (page.locator("h1").first.inner_text(), page.locator("main").inner_text(),
                    page.content())
        except Error:
            if attempt == 4:
                raise
        finally:
            page.close()
    raise AssertionError("unreachable")


@pytest.mark.slow
@pytest.mark.browser
def test_broken_vocabulary_shows_an_error_page_and_recovers(served: tuple[str, int, Path],
                                                             browser: Any) -> None:
    base, _, briefs = served
    context = browser.new_context(viewport={"width": 375, "height": 740})
    try:
        for name, kind, content, where, fix in BROKEN:
            path = briefs / name
            good = path.read_bytes()
            _break(path, content)
            _wait_for(base, where)  # the home page, as the errors page, names the file
            for url in (base, base + "errors/"):
                heading, text, html = _shown(context, url)
                assert heading == "The briefs have errors", (kind, url)
                assert where in text and fix in text, (kind, url, text[:800])
                assert "Traceback" not in html
            _restore(path, good)
            _wait_for(base + "briefs/moz-a/", "Alpha brief")
            heading, _, _ = _shown(context, base)
            assert heading != "The briefs have errors", kind
    finally:
        context.close()
