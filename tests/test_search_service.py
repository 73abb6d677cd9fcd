"""Pagefind's service mode, fed pages while MkDocs renders them (site_builder.search_service)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.findings import BriefsError
from site_builder.search import index_site
from site_builder.search_service import PageIndexer, indexed_html, written_index


def _page(n: int, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><title>Brief {n}</title></head><body>'
            f'<nav>Menu words</nav><main><article data-pagefind-body><h1>Brief {n}</h1>'
            f'<div class="cb-search-meta" hidden><span data-pagefind-filter="year">{2000 + n % 3}'
            f'</span><span data-pagefind-meta="title">Brief {n}</span></div>'
            f'<p>Pension coverage word{n} rural workers.</p></article></main></body></html>')


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _index(site: Path, pages: list[tuple[str, str]]) -> dict[str, bytes]:
    indexer = PageIndexer(site / "pagefind")
    for url, html in pages:
        indexer.add(url, html)
    report = written_index(indexer.output, indexer.files(), indexer.pages)
    assert report.pages == len(pages)
    return _files(site / "pagefind")


def test_pages_added_in_memory_are_indexed_like_the_written_site(tmp_path: Path) -> None:
    pages = [(f"/briefs/b{n:02d}/", _page(n, "fr" if n % 4 == 0 else "en")) for n in range(12)]
    first = _index(tmp_path / "a", pages)
    assert _index(tmp_path / "b", pages) == first  # same pages, same bytes
    assert "pagefind.js" in first and any(name.startswith("fragment/") for name in first)
    # The command line over the same pages written to disk finds the same pages and words.
    site = tmp_path / "site"
    for url, html in pages:
        (site / url.strip("/")).mkdir(parents=True)
        (site / url.strip("/") / "index.html").write_text(html, encoding="utf-8")
    assert index_site(site).pages == len(pages)
    written = _files(site / "pagefind")
    assert {n for n in written if n.startswith("fragment/")} \
        == {n for n in first if n.startswith("fragment/")}  # fragments are named by content


def test_an_index_that_cannot_be_written_is_a_clear_error_and_stops_the_service(tmp_path: Path) -> None:
    blocker = tmp_path / "pagefind"
    blocker.write_text("a file where the index folder should go", encoding="utf-8")
    indexer = PageIndexer(blocker)
    indexer.add("/briefs/b/", _page(1))
    with pytest.raises(BriefsError, match=r"cannot write the search index file .*pagefind"):
        written_index(indexer.output, indexer.files(), indexer.pages)
    assert indexer._process.poll() is not None  # no service left running


def test_a_page_reduced_to_its_html_tag_and_content_is_indexed_as_the_whole_page(tmp_path: Path) -> None:
    # What the build sends Pagefind (indexed_html) gives the same index, byte for byte, as
    # the whole page; a page without the indexed element is sent whole.
    whole = [(f"/briefs/b{n:02d}/", _page(n, "fr" if n % 3 == 0 else "en")) for n in range(9)]
    reduced = []
    for url, html in whole:
        body = html[html.index("<article"):html.index("</article>") + len("</article>")]
        small = indexed_html(html, body)
        assert "Menu words" not in small and "<title>" not in small and len(small) < len(html)
        reduced.append((url, small))
    assert _index(tmp_path / "reduced", reduced) == _index(tmp_path / "whole", whole)
    assert indexed_html(whole[0][1], "<p>no indexed element</p>") == whole[0][1]
