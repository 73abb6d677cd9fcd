"""A search index in shards: planned, written one after another, merged in the browser.

The plan and the writer are tested with real Pagefind services; the merged search in
headless Chromium, at phone and desktop width, against the same site built in one index:
the same results for the same searches, and sorted searches in date order across shards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import new_page, serve_folder
from fixtures_site import BuiltSite, build_project, make_project

from site_builder.findings import BriefsError
from site_builder.search_service import ShardedIndexer
from site_builder.search_shards import ShardPlan, shard_folder, shard_sizes
from site_builder.settings import settings_from_options

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# -- the plan ----------------------------------------------------------------------------

def test_shards_are_the_fewest_within_the_limit_and_near_equal() -> None:
    for pages in range(0, 60):
        for limit in range(1, 14):
            sizes = shard_sizes(pages, limit)
            assert sum(sizes) == pages
            assert len(sizes) == -(-pages // limit)
            assert all(1 <= size <= limit for size in sizes)
            assert not sizes or max(sizes) - min(sizes) <= 1


def test_each_page_has_one_shard_in_render_order() -> None:
    plan = ShardPlan.of({"en": 7, "fr": 2, "es": 0}, 3)
    assert plan.sizes == {"en": (3, 2, 2), "fr": (2,)}
    assert plan.count == 3 and plan.shards("en") == 3 and plan.shards("fr") == 1
    assert plan.shards("es") == 1  # a language without briefs still has its (empty) first
    assert [plan.shard_of("en", n) for n in range(7)] == [0, 0, 0, 1, 1, 2, 2]
    assert [plan.pages_in(k) for k in range(3)] == [5, 2, 2]
    with pytest.raises(ValueError, match="page 8 of language 'en' was not planned"):
        plan.shard_of("en", 7)
    assert [shard_folder(k) for k in range(3)] == ["pagefind", "pagefind/shard-1",
                                                  "pagefind/shard-2"]


@pytest.mark.parametrize("value", [0, -3, True, "many", 2.5])
def test_the_shard_size_option_must_be_a_positive_whole_number(tmp_path: Path, value: object) -> None:
    with pytest.raises(BriefsError, match=r"briefs\.search_shard_pages must be a positive whole"):
        settings_from_options(tmp_path, {}, {"search_shard_pages": value})
    assert settings_from_options(tmp_path, {}, {"search_shard_pages": 40}).search_shard_pages == 40


# -- the writer, with real Pagefind services ----------------------------------------------

def _page(n: int, lang: str) -> str:
    return (f'<!doctype html><html lang="{lang}"><body><article data-pagefind-body>'
            f'<h1>Brief {n}</h1><span hidden data-pagefind-meta="title">Brief {n}</span>'
            f'<p>Pension coverage word{n} rural workers.</p></article></body></html>')


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _index(site: Path, pages: list[tuple[str, str]], limit: int) -> dict[str, bytes]:
    languages = [lang for lang, _ in pages]
    plan = ShardPlan.of({lang: languages.count(lang) for lang in set(languages)}, limit)
    indexer = ShardedIndexer(site, plan)
    for n, (lang, html) in enumerate(pages):
        indexer.add(lang, f"/briefs/b{n:02d}/", html)
    assert indexer.finish().pages == len(pages)
    return _files(site / "pagefind")


def test_shards_hold_every_page_once_and_only_the_first_ships_the_script(tmp_path: Path) -> None:
    pages = [("fr" if n % 4 == 0 else "en", _page(n, "fr" if n % 4 == 0 else "en"))
             for n in range(11)]
    files = _index(tmp_path / "a", pages, 3)  # en: 8 pages in 3 shards, fr: 3 in 1
    assert _index(tmp_path / "b", pages, 3) == files  # the same input, the same bytes
    folders = {name.split("/")[0] for name in files if name.startswith("shard-")}
    assert folders == {"shard-1", "shard-2"}
    assert "pagefind.js" in files and "wasm.en.pagefind" in files
    for folder in folders:
        mine = [name[len(folder) + 1:] for name in files if name.startswith(folder + "/")]
        assert "pagefind-entry.json" in mine and any(m.startswith("fragment/") for m in mine)
        assert not any(m.endswith((".js", ".css")) or m.startswith("wasm.") for m in mine)
    fragments = [name for name in files if "fragment/" in name]
    assert len(fragments) == len(pages)  # every page in exactly one shard
    one = _index(tmp_path / "one", pages, 100)
    assert not any(name.startswith("shard-") for name in one)
    assert {n.rsplit("/", 1)[-1] for n in fragments} \
        == {n.rsplit("/", 1)[-1] for n in one if n.startswith("fragment/")}


def test_a_planned_page_never_added_is_a_clear_error(tmp_path: Path) -> None:
    indexer = ShardedIndexer(tmp_path, ShardPlan.of({"en": 3}, 2))
    indexer.add("en", "/briefs/a/", _page(1, "en"))
    indexer.add("en", "/briefs/b/", _page(2, "en"))
    with pytest.raises(BriefsError, match="1 planned brief page"):
        indexer.finish()
    assert all(s._process.poll() is not None for s in indexer._services.values())


def test_a_shard_that_cannot_be_written_fails_the_index_and_stops_every_service(tmp_path: Path) -> None:
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "shard-1").write_text("a file where a shard goes", encoding="utf-8")
    indexer = ShardedIndexer(tmp_path, ShardPlan.of({"en": 4}, 2))
    for n in range(4):
        indexer.add("en", f"/briefs/b{n}/", _page(n, "en"))
    with pytest.raises(BriefsError, match=r"cannot write the search index file .*shard-1"):
        indexer.finish()
    assert all(s._process.poll() is not None for s in indexer._services.values())


# -- the merged search in Chromium --------------------------------------------------------

SHARD_SIZE = 2


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example site with at most two brief pages of a language in a shard."""
    project = make_project(tmp_path_factory.mktemp("sharded"), PROJECT_ROOT / "briefs")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      briefs_dir: briefs\n", "      briefs_dir: briefs\n"
                                   f"      search_shard_pages: {SHARD_SIZE}\n", 1), encoding="utf-8")
    return build_project(project)


@pytest.mark.slow
def test_the_sharded_site_has_a_shard_per_two_pages_of_each_language(sharded_site: BuiltSite) -> None:
    languages = {lang: 0 for lang in sharded_site.settings.languages}
    for brief in sharded_site.index.by_slug.values():
        lang = brief.language if brief.language in languages else sharded_site.settings.language
        languages[lang] += 1
    shards = max(-(-n // SHARD_SIZE) for n in languages.values())
    folders = sorted(p.name for p in (sharded_site.root / "pagefind").glob("shard-*"))
    assert folders == [f"shard-{k}" for k in range(1, shards)]
    for lang, n in languages.items():
        prefix = "" if lang == sharded_site.settings.language else f"{lang}/"
        search = sharded_site.page(prefix + "search/").find("div", "cb-search")
        assert search is not None and search.attrs["data-shards"] == str(max(1, -(-n // SHARD_SIZE)))


@pytest.fixture(scope="module")
def served(example_site: BuiltSite, sharded_site: BuiltSite) -> Iterator[tuple[str, str]]:
    with serve_folder(example_site.root) as whole, serve_folder(sharded_site.root) as sharded:
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
