"""``briefs serve`` renders again only what a save changes (speed itself is in benchmarks/).

In-process: the brief loader and the page cache against real files and real renders.
Live: a real ``briefs serve`` (PDFs on) shows the saved page first with an estimated
meter, then reloads it with the measured meter and the new PDF, and its timeline says
that one brief page was rendered and its PDF laid out later, by the warm worker. The
server's write gate answers from the last build unless a save or a write is under way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CorpusWriter
from test_site_serve import _free_port, _wait_for

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


SERVE = """
import sys
from pathlib import Path
from site_builder.serve import serve
from site_builder.settings import load_settings
serve(load_settings(Path(sys.argv[1])), dev_addr=sys.argv[2])
"""


@pytest.mark.slow
def test_saved_page_comes_first_with_an_estimate_then_its_pdf(corpus: CorpusWriter,
                                                              site_project: Path) -> None:
    paths = _three(corpus)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(site_project), f"127.0.0.1:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "BRIEFS_TIMELINE": "1"})
    url = f"http://127.0.0.1:{port}/briefs/moz-a/"
    try:
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
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
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
