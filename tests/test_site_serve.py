"""``serve()``: the live preview survives a broken brief and shows its errors as pages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.serve import _plugins_with_pdf

SERVE = """
import sys
from pathlib import Path
from site_builder.serve import serve
from site_builder.settings import load_settings
serve(load_settings(Path(sys.argv[1])), dev_addr=sys.argv[2], pdf=sys.argv[3] == "pdf")
"""
"""``briefs serve`` in a subprocess: project folder, address, ``pdf`` or ``no-pdf``."""


def test_plugin_options_survive_repeated_config_loads() -> None:
    raw = [{"briefs": {"briefs_dir": "briefs", "pdf": {"jobs": 2}}}, "other"]
    plugins = _plugins_with_pdf(raw, pdf=False)
    assert plugins == {"briefs": {"briefs_dir": "briefs", "pdf": {"jobs": 2, "enabled": False}},
                       "other": None}
    assert raw == [{"briefs": {"briefs_dir": "briefs", "pdf": {"jobs": 2}}}, "other"]
    assert _plugins_with_pdf(["briefs"], pdf=True) == {"briefs": {"pdf": {"enabled": True}}}


@dataclass
class Preview:
    """A ``briefs serve`` running in a subprocess; ``output`` is what it printed, once stopped."""

    base: str
    port: int
    process: subprocess.Popen[str]
    output: str = ""


@contextmanager
def preview_process(project: Path, *, pdf: bool = True, env: Mapping[str, str] | None = None
                    ) -> Iterator[Preview]:
    """Run ``briefs serve`` (PDFs on unless ``pdf`` is false) on ``project`` at a free port;
    stop it on leaving."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(project), f"127.0.0.1:{port}",
                                "pdf" if pdf else "no-pdf"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=None if env is None else {**os.environ, **env})
    running = Preview(f"http://127.0.0.1:{port}/", port, process)
    try:
        yield running
    finally:
        process.terminate()
        running.output, _ = process.communicate(timeout=30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float = 30) -> str:
    """Poll ``url`` until its body contains ``text``; return the body."""
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if text in body:
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {text!r}; last body starts {body[:300]!r}")


@pytest.mark.slow
def test_preview_shows_errors_as_pages_and_recovers(corpus, site_project: Path) -> None:
    path = corpus.brief("moz/moz-a.md", title="Alpha brief")
    with preview_process(site_project) as running:
        base, process = running.base, running.process
        _wait_for(base + "briefs/moz-a/", "Alpha brief")
        path.write_text(path.read_text(encoding="utf-8").replace(
            "themes: [older-persons]", "themes: [no-such-theme]"), encoding="utf-8")
        errors = _wait_for(base + "errors/", "The briefs have errors")
        assert "unknown theme" in errors and "moz-a.md" in errors
        assert "This brief has errors" in _wait_for(base + "briefs/moz-a/", "has errors")
        path.write_text(path.read_text(encoding="utf-8").replace(
            "themes: [no-such-theme]", "themes: [older-persons]"), encoding="utf-8")
        _wait_for(base + "briefs/moz-a/", "Alpha brief")
        assert process.poll() is None, "the preview stopped"
    assert "Serving on" in running.output
    assert "unknown theme" in running.output
