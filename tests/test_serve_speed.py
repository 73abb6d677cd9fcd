"""``briefs serve`` renders again only what a save changes (speed itself is in benchmarks/).

In-process: the brief loader and the page cache against real files and real renders.
Live: a real ``briefs serve`` (PDFs on) shows the saved page first with an estimated
meter, then reloads it with the measured meter and the new PDF, and its timeline says
that one brief page was rendered and its PDF laid out later, by the warm worker. The
server's write gate answers from the last build unless a save or a write is under way.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import CorpusWriter
from test_site_serve import _wait_for, preview_process

from site_builder.corpus import load_corpus
from site_builder.localise import site_indexes
from site_builder.preview_files import RememberedBriefs
from site_builder.preview_pages import PreviewPages
from site_builder.settings import load_settings


def _three(corpus: CorpusWriter) -> list[Path]:
    return [corpus.brief(f"moz/moz-{c}.md", title=f"Brief {c.upper()}") for c in "abc"]


def _touch_body(path: Path, words: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"\n{words}\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime, surely


def test_unchanged_brief_files_are_not_read_again(corpus: CorpusWriter) -> None:
    paths = _three(corpus)
    loader = RememberedBriefs()
    first, _ = load_corpus(corpus.root, loader=loader)
    assert loader.loaded == 3
    _touch_body(paths[1], "More words.")
    second, _ = load_corpus(corpus.root, loader=loader)
    assert loader.loaded == 1
    assert [a is b for a, b in zip(first.briefs, second.briefs, strict=True)] == [True, False, True]
    assert "More words." in second.briefs[1].body
    (corpus.root / "moz" / "img").mkdir()
    (corpus.root / "moz" / "img" / "a.txt").write_text("x", encoding="utf-8")
    load_corpus(corpus.root, loader=loader)
    assert loader.loaded == 3  # a file beside them may change what their checks find


def test_a_body_edit_renders_one_brief_page_a_title_edit_every_page(
        corpus: CorpusWriter, site_project: Path) -> None:
    paths = _three(corpus)
    settings = load_settings(site_project)
    pages, loader = PreviewPages(), RememberedBriefs()

    def build() -> dict[str, object]:
        found, _ = load_corpus(settings.content_root, loader=loader)
        site = pages.render(site_indexes(found, settings.languages), settings, {})
        return dict(site.pages)

    first = build()
    assert pages.rendered == 3 and pages.listing == 1
    _touch_body(paths[0], "A new closing paragraph.")
    second = build()
    assert pages.rendered == 1 and pages.listing == 1  # no listing page rendered again
    changed = {uri for uri in first if first[uri] is not second[uri]}
    assert changed == {"briefs/moz-a/index.md"}
    assert "A new closing paragraph." in second["briefs/moz-a/index.md"].source  # type: ignore[attr-defined]
    text = paths[1].read_text(encoding="utf-8")
    paths[1].write_text(text.replace("title: Brief B", "title: Brief Bee"), encoding="utf-8")
    third = build()
    assert pages.rendered == 3 and pages.listing == 2
    assert "Brief Bee" in third["themes/older-persons/index.md"].html  # type: ignore[attr-defined]


@pytest.mark.slow
def test_saved_page_comes_first_with_an_estimate_then_its_pdf(corpus: CorpusWriter,
                                                              site_project: Path) -> None:
    paths = _three(corpus)
    with preview_process(site_project, env={"BRIEFS_TIMELINE": "1"}) as running:
        url = running.base + "briefs/moz-a/"
        before = _wait_for(url, "page-meter", timeout=300)
        length = re.search(r'data-length="([\d.]+)"', before)
        assert length and "data-estimate" not in before
        _touch_body(paths[0], " ".join(["Several more words of the added paragraph."] * 20))
        estimated = _wait_for(url, "data-estimate=", timeout=120)
        assert f'data-length="{length[1]}"' in estimated  # still the measured one, of the old PDF
        assert "the PDF is being laid out" in estimated
        estimate = float(re.search(r'data-estimate="([\d.]+)"', estimated)[1])  # type: ignore[index]
        assert estimate > float(length[1])
        deadline = time.monotonic() + 120
        while "data-estimate=" in (measured := _wait_for(url, "page-meter")):
            assert time.monotonic() < deadline, "the measured meter never came"
            time.sleep(0.3)
        new_length = float(re.search(r'data-length="([\d.]+)"', measured)[1])  # type: ignore[index]
        assert new_length > float(length[1])
        assert re.search(r'\.pdf\?v=(\w+)', measured)[1] != re.search(  # type: ignore[index]
            r'\.pdf\?v=(\w+)', before)[1]  # type: ignore[index]
    output = running.output
    timelines = [line for line in output.splitlines() if "timeline:" in line]
    assert any("PDFs (0 laid out, 1 later)" in t and "pages (1 brief pages rendered)" in t
               for t in timelines), output[-3000:]
    assert any("PDF laid out" in t for t in timelines), timelines
    # the rebuild after the worker's layout takes its result (no look-up in the build)
    assert any("PDFs (1 laid out, 0 later)" in t for t in timelines), timelines
    assert "Traceback" not in output


def test_write_gate_serves_the_last_build_unless_a_save_or_a_write_is_under_way(
        tmp_path: Path) -> None:
    from site_builder.preview_gate import WriteGate

    (tmp_path / "a.html").write_bytes(b"page a")
    (tmp_path / "b.html").write_bytes(b"page b")
    gate = WriteGate()
    assert gate.read(str(tmp_path), "a.html") == b"page a"  # no build running
    assert gate.read(str(tmp_path), "missing.html") is None  # MkDocs answers (404)
    gate.saved()
    gate.building()  # the build of a save: every request waits for it, as in MkDocs
    assert gate.read(str(tmp_path), "a.html") is None
    gate.done()
    gate.building()  # the build a PDF asked for: nothing written yet
    assert gate.read(str(tmp_path), "a.html") == b"page a"
    gate.writing({"b.html"})  # from here on, only b.html is left alone
    assert gate.read(str(tmp_path), "a.html") is None
    assert gate.read(str(tmp_path), "b.html") == b"page b"
    gate.saved()  # a save during the PDF's build: its page must wait for the next build
    assert gate.read(str(tmp_path), "b.html") is None
    gate.done()
    assert gate.read(str(tmp_path), "a.html") == b"page a"


class _Serving:
    """``briefs serve``'s builds of a project in this process (no HTTP server): the first a full one.

    It stands for the server the plugin asks for a rebuild when a PDF laid out in the
    background is ready (:meth:`request_rebuild`).
    """

    URL = "http://127.0.0.1:8000/"

    def __init__(self, project: Path, site_dir: Path) -> None:
        from mkdocs.config import load_config
        from mkdocs.utils.yaml import yaml_load

        from site_builder.serve import _builder, _plugins_with_pdf, listing_theme_once

        with open(project / "mkdocs.yml", encoding="utf-8") as handle:
            plugins = _plugins_with_pdf(yaml_load(handle)["plugins"], True)

        def get_config() -> Any:
            config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site_dir),
                                 plugins=plugins)
            config.site_url = self.URL
            return config

        self.ready = threading.Event()
        self._listing = contextlib.ExitStack()
        self._listing.enter_context(listing_theme_once())  # as briefs serve lists the theme
        self.config = get_config()
        self.config.plugins.on_startup(command="serve", dirty=True)
        self._build = _builder(get_config, self.URL)
        self._build(self.config)
        self.config.plugins.on_serve(self, config=self.config, builder=self._build)

    def watch(self, path: str) -> None:
        """The plugin's watched folders: the test saves and rebuilds itself."""

    def request_rebuild(self) -> None:
        """A PDF laid out in the background is ready."""
        self.ready.set()

    def rebuild(self) -> None:
        """Rebuild, as the server does after a save."""
        self.ready.clear()
        self._build(None)

    def rebuild_when_the_pdf_is_ready(self) -> None:
        """Wait for the background's PDF, then rebuild (the page's measured meter)."""
        assert self.ready.wait(120), "the background never laid the PDF out"
        self.rebuild()

    def close(self) -> None:
        """End the preview (MkDocs reuses the plugin: the next one starts afresh)."""
        self.config.plugins.on_shutdown()
        self._listing.close()


def _search_off(project: Path) -> None:
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(text.replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      search: false\n", 1),
        encoding="utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.mark.slow
def test_incremental_preview_builds_write_what_a_full_one_does(corpus: CorpusWriter,
                                                                site_project: Path,
                                                                tmp_path: Path) -> None:
    from site_builder.pdf import render_all

    paths = _three(corpus)
    _search_off(site_project)
    serving = _Serving(site_project, tmp_path / "incremental")
    session = serving.config.plugins["briefs"]._preview  # the plugin's PreviewSession
    try:
        unchanged = session.last_file("briefs/moz-b/index.md")
        assert unchanged is not None and unchanged.page is not None
        _touch_body(paths[0], " ".join(["Several more words of the added paragraph."] * 40))
        serving.rebuild()  # the page, its meter estimated
        serving.rebuild_when_the_pdf_is_ready()  # the measured meter and the new PDF
        # an unchanged page's file, and the page MkDocs made of it, are the first build's
        assert session.last_file("briefs/moz-b/index.md") is unchanged
        assert session.last_file("briefs/moz-a/index.md") is not None
        _touch_body(paths[2], "A short closing line.")  # again, another brief
        serving.rebuild()
        serving.rebuild_when_the_pdf_is_ready()
        text = paths[1].read_text(encoding="utf-8")
        paths[1].write_text(text.replace("title: Brief B", "title: Brief Bee"), encoding="utf-8")
        serving.rebuild()  # a listing change: every page rendered again
        serving.rebuild_when_the_pdf_is_ready()
        assert session.last_file("briefs/moz-b/index.md") is not unchanged
    finally:
        serving.close()
    incremental = _tree(tmp_path / "incremental")
    fresh = _Serving(site_project, tmp_path / "full")
    fresh.close()
    full = _tree(tmp_path / "full")
    assert sorted(incremental) == sorted(full)
    different = [uri for uri in full if incremental[uri] != full[uri]]
    assert different == [], different
    assert "Several more words" in incremental["briefs/moz-a/index.html"].decode()
    # The warm worker's PDF is the one a cold render of the brief makes.
    settings = load_settings(site_project)
    cold = replace(settings, cache_dir=str(tmp_path / "cold-cache"))
    found, _ = load_corpus(cold.content_root)
    report = render_all(found, cold, None, slugs=["moz-a"], preview=True, drafts=True, jobs=1)
    assert report.rendered == ["moz-a"]  # laid out here, not found in a cache
    assert report.results["moz-a"].path.read_bytes() == incremental["pdf/moz-a.pdf"]
