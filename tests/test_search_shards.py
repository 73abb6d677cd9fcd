"""A search index built in shards, one after another, and merged into one index.

The merge is checked against Pagefind's own index of the same pages, decoded to what a
search reads (each word's pages and locations, filters, sort orders), with real Pagefind
services; and in headless Chromium, at phone and desktop width, the same site built in
shards and in one go gives the same results, counts and date order for the same searches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import new_page, serve_folder
from fixtures_site import BuiltSite, build_project, make_project

from site_builder import search_merge, search_service
from site_builder.findings import BriefsError
from site_builder.pagefind_files import read_cbor, read_fragment
from site_builder.search_service import (
    SHARDS_FOLDER,
    PageIndexer,
    ShardedIndexer,
    shard_sizes,
    written_index,
)
from site_builder.settings import settings_from_options

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_shards_are_the_fewest_within_the_limit_and_near_equal() -> None:
    for pages in range(0, 60):
        for limit in range(1, 14):
            sizes = shard_sizes(pages, limit)
            assert sum(sizes) == pages
            assert len(sizes) == -(-pages // limit)
            assert all(1 <= size <= limit for size in sizes)
            assert not sizes or max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("value", [0, -3, True, "many", 2.5])
def test_the_shard_size_option_must_be_a_positive_whole_number(tmp_path: Path, value: object) -> None:
    with pytest.raises(BriefsError, match=r"briefs\.search_shard_pages must be a positive whole"):
        settings_from_options(tmp_path, {}, {"search_shard_pages": value})
    assert settings_from_options(tmp_path, {}, {"search_shard_pages": 40}).search_shard_pages == 40


# -- shards merged, with real Pagefind services -------------------------------------------

WORDS = ["pension coverage rural workers", "maternity cash benefit", "café résumé naïve",
         "cafe resume pension", "health insurance coverage", "disability allowance"]


def _page(n: int, lang: str) -> str:
    return (f'<!doctype html><html lang="{lang}"><body><article data-pagefind-body>'
            f'<h1 id="t{n}">Brief {n}</h1>'
            f'<div hidden data-pagefind-sort="date:2016-{n % 12 + 1:02d}-{n % 27 + 1:02d}">'
            f'<span data-pagefind-filter="year">{2000 + n % 3}</span>'
            f'<span data-pagefind-filter="theme">Theme {n % 4}</span>'
            f'<span data-pagefind-meta="title">Brief {n}</span>'
            + (f'<span data-pagefind-meta="image">img{n}.png</span>' if n % 7 == 3 else '') +
            f'<span data-pagefind-meta="sort">2016-{n % 12 + 1:02d}-{n % 27 + 1:02d}</span></div>'
            f'<p>{WORDS[n % len(WORDS)]} word{n} {"rural " * (n % 3)}</p></article></body></html>')


def _pages(n: int) -> list[tuple[str, str]]:
    """``n`` pages in English and French, and the last two in Spanish (only the last shard's)."""
    return [(f"/briefs/b{k:02d}/", _page(k, "es" if k >= n - 2 else "fr" if k % 4 == 0 else "en"))
            for k in range(n)]


def _index(site: Path, pages: list[tuple[str, str]], limit: int) -> Path:
    indexer = ShardedIndexer(site, shard_sizes(len(pages), limit))
    for url, html in pages:
        indexer.add(url, html)
    assert indexer.finish().pages == len(pages)
    return site / "pagefind"


def _postings(postings: list[list[Any]], urls: list[str]) -> list[tuple[Any, ...]]:
    found, page = [], 0
    for delta, *rest in postings:
        page += delta
        found.append((urls[page], json.dumps(rest)))
    return sorted(found)


def _decoded(folder: Path) -> dict[str, Any]:
    """What a search reads of an index, by page URL (page numbers and file names aside)."""
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    result: dict[str, Any] = {}
    for lang, info in entry["languages"].items():
        meta = read_cbor(folder / f"pagefind.{info['hash']}.pf_meta")
        urls = [read_fragment(folder / "fragment" / f"{h}.pf_fragment")["url"] for h, _ in meta[1]]
        words: dict[str, Any] = {}
        for _first, _last, chunk in meta[2]:
            for word, postings, variants in read_cbor(folder / "index" / f"{chunk}.pf_index")[0]:
                words[word] = (_postings(postings, urls),
                               sorted((form, _postings(p, urls)) for form, p in variants))
        bounds = [(first, last) for first, last, _ in meta[2]]
        filters = {}
        for name, file in meta[3]:
            _, values = read_cbor(folder / "filter" / f"{file}.pf_filter")
            filters[name] = {value: sorted(urls[p] for p in pages) for value, pages in values}
        result[lang] = {
            "pages": sorted((urls[i], count) for i, (_, count) in enumerate(meta[1])),
            "words": words, "filters": filters, "fields": meta[5],
            "sorts": {key: [urls[p] for p in order] for key, order in meta[4]},
            "bounds sorted": bounds == sorted(bounds) and all(a <= b for a, b in bounds),
            "page_count": info["page_count"]}
    return result


def test_shards_merged_are_the_index_pagefind_makes_of_all_pages(tmp_path: Path) -> None:
    pages = _pages(23)  # en, fr and es (last shard only) in 4 shards of 5-6 pages
    merged = _index(tmp_path / "merged", pages, 6)
    whole = _index(tmp_path / "whole", pages, 100)
    assert _decoded(merged) == _decoded(whole)
    assert not (tmp_path / "merged" / SHARDS_FOLDER).exists()
    names = {p.relative_to(merged).as_posix() for p in merged.rglob("*") if p.is_file()}
    assert {"pagefind.js", "wasm.en.pagefind", "wasm.es.pagefind", "pagefind-entry.json"} <= names
    assert {n for n in names if not n.startswith(("fragment/", "index/", "filter/"))
            and not n.endswith(".pf_meta")} == {
        p.relative_to(whole).as_posix() for p in whole.rglob("*") if p.is_file()
        and p.relative_to(whole).parts[0] not in ("fragment", "index", "filter")
        and p.suffix != ".pf_meta"}  # the same scripts and WebAssembly as one index has
    assert {n for n in names if n.startswith("fragment/")} \
        == {p.relative_to(whole).as_posix() for p in (whole / "fragment").iterdir()}
    decoded = _decoded(merged)
    assert decoded["fr"]["words"]["caf"][1][0][0] == "café"  # diacritic variants kept
    assert _index(tmp_path / "again", pages, 6).joinpath("pagefind-entry.json").read_bytes() \
        == (merged / "pagefind-entry.json").read_bytes()  # the same input, the same index


def test_a_merged_index_has_chunks_like_pagefinds(tmp_path: Path) -> None:
    # Enough words for several chunks: each chunk's bounds are ordered and words find theirs.
    pages = [(f"/briefs/p{k}/", _page(k, "en").replace(
        "</p>", " ".join(f"w{k}x{j}" for j in range(400)) + "</p>")) for k in range(30)]
    merged = _index(tmp_path / "merged", pages, 8)
    decoded = _decoded(merged)["en"]
    assert decoded["bounds sorted"]
    entry = json.loads((merged / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = read_cbor(merged / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    assert len(meta[2]) > 2
    for first, last, chunk in meta[2]:
        for word, *_ in read_cbor(merged / "index" / f"{chunk}.pf_index")[0]:
            assert first <= word and (word <= last or word.startswith(last))
    assert decoded == _decoded(_index(tmp_path / "whole", pages, 100))["en"]


def test_words_merged_by_two_processes_are_the_index_of_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A language's words split between the merge and a forked second process (each its
    range of the alphabet) make the index Pagefind makes of every page."""
    pages = [(f"/briefs/p{k}/", _page(k, "fr" if k % 5 == 0 else "en").replace(
        "</p>", " ".join(f"w{(j * 31 + k * 17) % 5000}" for j in range(1500)) + "</p>"))
        for k in range(24)]
    shards = []
    for n, part in enumerate((pages[:12], pages[12:])):  # two shards, written as a build does
        indexer = PageIndexer(tmp_path / "shards" / str(n))
        for url, html in part:
            indexer.add(url, html)
        written_index(indexer.output, indexer.files(), indexer.pages, final=False)
        shards.append(tmp_path / "shards" / str(n))
    monkeypatch.setattr(search_merge, "SPLIT_MINIMUM", 3)
    splits: list[str | None] = []
    split_word = search_merge._split_word
    monkeypatch.setattr(search_merge, "_split_word",
                        lambda metas: splits.append(split_word(metas)) or splits[-1])
    search_merge.merge_indexes(tmp_path / "merged", shards)
    assert splits and splits[0] is not None  # English: split between two processes
    whole = _index(tmp_path / "whole", pages, 100)
    assert _decoded(tmp_path / "merged") == _decoded(whole)
    assert _decoded(tmp_path / "merged")["en"]["bounds sorted"]
    entry = json.loads((tmp_path / "merged" / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = read_cbor(tmp_path / "merged" / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    words = [word for *_, chunk in meta[2]
             for word, *_ in read_cbor(tmp_path / "merged" / "index" / f"{chunk}.pf_index")[0]]
    assert words == sorted(set(words))  # each word once, in order, across both ranges


def test_a_planned_page_never_added_is_a_clear_error(tmp_path: Path) -> None:
    indexer = ShardedIndexer(tmp_path, shard_sizes(3, 2))
    indexer.add("/briefs/a/", _page(1, "en"))
    indexer.add("/briefs/b/", _page(2, "en"))
    with pytest.raises(BriefsError, match="1 planned brief page"):
        indexer.finish()
    assert all(s._process.poll() is not None for s in indexer._services.values())


def test_a_shard_that_cannot_be_written_fails_the_index_and_stops_every_service(tmp_path: Path) -> None:
    (tmp_path / SHARDS_FOLDER).mkdir()
    (tmp_path / SHARDS_FOLDER / "1").write_text("a file where a shard goes", encoding="utf-8")
    indexer = ShardedIndexer(tmp_path, shard_sizes(4, 2))
    for n in range(4):
        indexer.add(f"/briefs/b{n}/", _page(n, "en"))
    with pytest.raises(BriefsError, match=r"cannot write the search index file .*1"):
        indexer.finish()
    assert all(s._process.poll() is not None for s in indexer._services.values())


def test_the_merge_runs_in_its_own_process_and_its_failure_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = search_service.written_index

    def write_then_damage_the_first_shard(output: Path, *args: Any, **kwargs: Any) -> Any:
        report = written(output, *args, **kwargs)
        if output.name == "1":  # the last shard: the merge starts right after
            (output.parent / "0" / "pagefind-entry.json").write_text("{", encoding="utf-8")
        return report

    monkeypatch.setattr(search_service, "written_index", write_then_damage_the_first_shard)
    indexer = ShardedIndexer(tmp_path, shard_sizes(4, 2))
    for n in range(4):
        indexer.add(f"/briefs/b{n}/", _page(n, "en"))
    with pytest.raises(BriefsError, match=r"cannot merge the search index shards: cannot read "
                                          r"a search index shard: .*"):
        indexer.finish()
    assert indexer._merging is not None and indexer._merging.returncode == 1
    assert not (tmp_path / "pagefind" / "pagefind-entry.json").exists()


# -- the merged search in Chromium --------------------------------------------------------

SHARD_SIZE = 2


def _example(folder: Path, shard_pages: int) -> BuiltSite:
    project = make_project(folder, PROJECT_ROOT / "briefs")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      briefs_dir: briefs\n", "      briefs_dir: briefs\n"
                                   f"      search_shard_pages: {shard_pages}\n", 1), encoding="utf-8")
    return build_project(project)


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site indexed in shards of at most two brief pages."""
    return _example(tmp_path_factory.mktemp("sharded"), SHARD_SIZE)


@pytest.fixture(scope="module")
def whole_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site indexed in one go (this module's own: other tests index theirs again)."""
    return _example(tmp_path_factory.mktemp("whole"), 1000)


@pytest.mark.slow
def test_a_site_indexed_in_shards_has_the_index_of_one(sharded_site: BuiltSite,
                                                       whole_site: BuiltSite) -> None:
    assert _decoded(sharded_site.root / "pagefind") == _decoded(whole_site.root / "pagefind")
    assert not (sharded_site.root / SHARDS_FOLDER).exists()


@pytest.fixture(scope="module")
def served(whole_site: BuiltSite, sharded_site: BuiltSite) -> Iterator[tuple[str, str]]:
    with serve_folder(whole_site.root) as whole, serve_folder(sharded_site.root) as sharded:
        yield whole, sharded


def _all_results(page: object, url: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Open a search and show every result: the status line, (slug, date) in order, the counts."""
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-search-ready]")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('.cb-search__status').textContent.match(/[0-9]/)")
    more = page.locator(".cb-search__more")  # type: ignore[attr-defined]
    while more.is_visible():
        count = page.locator(".cb-result").count()  # type: ignore[attr-defined]
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.cb-result').length > {count}")  # type: ignore[attr-defined]
    rows = page.locator(".cb-result").evaluate_all(  # type: ignore[attr-defined]
        "els => els.map(e => [e.querySelector('a').href, e.querySelector('time').dateTime])")
    status = page.locator(".cb-search__status").inner_text()  # type: ignore[attr-defined]
    counts = page.locator(".cb-facet__option").all_inner_texts()  # type: ignore[attr-defined]
    return status, [(Path(urlsplit(href).path).name, date) for href, date in rows], counts


def _first_day(date: str) -> str:
    """The sort key of a brief's date (``2016``, ``2016-10``, ``2016-10-18``): its first day."""
    return (date + "-01-01")[:10]


SEARCHES = [
    "search/?q=social%20protection",
    "search/?q=pension&sort=date:desc",
    "search/?q=social&sort=date:asc",
    "search/?theme=Older%20persons&sort=date:desc",
    "search/?q=coverage&region=Africa&sort=date:asc",
    "search/?sort=date:desc&year=2016&year=2017&year=2018&year=2019&year=2020&year=2021",
    "fr/search/?q=protection&sort=date:desc&languages=all",
    "es/search/?q=social&sort=date:asc&languages=all",
    "fr/search/?q=social&languages=all",
]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
def test_a_sharded_index_finds_what_one_index_finds_in_date_order(
        browser: object, served: tuple[str, str], width: int) -> None:
    whole, sharded = served
    page = new_page(browser, width, 800)
    try:
        for search in SEARCHES:
            status, one, counts = _all_results(page, whole + search)
            merged_status, merged, merged_counts = _all_results(page, sharded + search)
            assert re.search(r"[1-9]", status), (search, status)  # a search that finds something
            assert merged_status == status, search
            assert merged_counts == counts, search  # facet counts added up across shards
            assert sorted(merged) == sorted(one), search
            if "sort=" in search:
                dates = [_first_day(date) for _, date in merged]
                assert dates == sorted(dates, reverse="desc" in search), (search, merged)
                # One index's order is a date order too, ties aside.
                assert [_first_day(d) for _, d in one] == dates, search
        assert page.errors == []
        hosts = {urlsplit(u).hostname for u in page.requested
                 if not u.startswith(("data:", "blob:"))}
        assert hosts == {"127.0.0.1"}
    finally:
        page.context.close()
