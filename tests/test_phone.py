"""Phones and slow lines: page weight budgets, web fonts, layout at 320/375 px, focus, search.

The example site is served from disk on 127.0.0.1 and driven in the system's headless
Chromium at phone width. Page weight is what a first visit fetches (Playwright's record of
requests), each response body read back from disk and gzipped as a static host would serve
text; facet counts are checked against counts computed from the corpus.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urlsplit

import pytest
from browser_support import new_page, serve_folder
from fixtures_site import BuiltSite
from fontTools.ttLib import TTFont

from site_builder.search import facet_values
from site_builder.theme_files import BUILTIN

PROJECT_ROOT = Path(__file__).resolve().parent.parent

GZIP_BUDGET = 200_000
"""Bytes a first visit may fetch, text gzipped (a static host's compression)."""
RAW_BUDGET = 600_000
"""Bytes a first visit may fetch, uncompressed."""
TEXT_SUFFIXES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ""}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"}
PHONE_WIDTHS = (320, 375)
FOCUS_STOPS = 45


def _web_fonts_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_web_fonts",
                                                  PROJECT_ROOT / "tools" / "make_web_fonts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_types(site: BuiltSite) -> dict[str, str]:
    """Return one site path per page type; for lists, the one with the most briefs."""
    index = site.index
    theme = max(index.by_theme, key=lambda t: len(index.by_theme[t]))
    country = max(index.by_country, key=lambda c: len(index.by_country[c]))
    region = max(index.by_region, key=lambda r: len(index.by_region[r]))
    brief = max(index.briefs, key=lambda b: site.path(f"briefs/{b.slug}/").stat().st_size)
    return {"home": "", "themes": "themes/", "theme": f"themes/{theme}/",
            "countries": "countries/", "country": f"countries/{country.lower()}/",
            "region": f"regions/{region}/", "coverage": "coverage/",
            "brief": f"briefs/{brief.slug}/", "search": "search/", "404": "404.html"}


# -- web fonts (no browser) ------------------------------------------------------------------

def test_site_ships_woff2_subsets_not_ttfs(example_site: BuiltSite) -> None:
    tool = _web_fonts_tool()
    css = example_site.path("assets/stylesheets/briefs.css").read_text(encoding="utf-8")
    assert tool.with_font_faces(css) == css  # the rules are the tool's, for the shipped faces
    rules = re.findall(r'@font-face \{[^}]*url\("\.\./fonts/([^"]+)"\) format\("woff2"\);'
                       r'\s*unicode-range: ([^;]+);', css)
    declared = dict(rules)
    assert len(declared) == len(rules) == len(tool.FACES) * len(tool.SUBSETS)
    assert css.count("font-display: swap") == len(declared)
    published = sorted(p.name for p in (example_site.root / "assets" / "fonts").iterdir())
    assert published == sorted([*declared, "OFL.txt"])
    assert not [p for p in example_site.root.rglob("*") if p.suffix.lower() in (".ttf", ".otf")]
    covered: list[int] = []
    for face in tool.FACES:
        for suffix, ranges in tool.SUBSETS.items():
            name = f"{face}{suffix}.woff2"
            assert declared[name] == tool.css_unicode_range(ranges), name
            font = TTFont(example_site.path(f"assets/fonts/{name}"))
            assert font.flavor == "woff2", name
            wanted, cmap = set(tool.codepoints(ranges)), set(font.getBestCmap())
            assert wanted <= cmap, (name, sorted(wanted - cmap)[:10])
            assert cmap <= wanted, (name, sorted(cmap - wanted)[:10])
            if face == "NotoSans-Regular":
                covered += wanted
    assert sorted(covered) == tool.codepoints()  # a face's files split the ranges, no overlap


def test_pdfs_keep_the_full_ttfs() -> None:
    fonts = BUILTIN / "fonts"
    for face in ("NotoSans-Regular", "NotoSans-Italic", "NotoSans-Bold", "NotoSans-BoldItalic",
                 "NotoSerif-Regular", "NotoSerif-Italic", "NotoSerif-Bold", "NotoSerif-BoldItalic"):
        assert (fonts / f"{face}.ttf").is_file(), face


def preloaded_faces(html: str) -> list[str]:
    """Return the file stems of the web fonts a page preloads, in order."""
    links = re.findall(r'<link rel="preload"[^>]*>', html)
    for link in links:
        assert 'as="font"' in link and 'type="font/woff2"' in link and "crossorigin" in link, link
    return [re.search(r'href="[^"]*/fonts/([^"/]+)\.woff2"', link).group(1)  # type: ignore[union-attr]
            for link in links]


def test_the_first_face_is_preloaded(example_site: BuiltSite) -> None:
    """The sans regular first; then only faces of the shipped four (never an -ext file)."""
    faces = _web_fonts_tool().FACES
    for kind, path in page_types(example_site).items():
        html = example_site.html(path)
        preloaded = preloaded_faces(html)
        assert preloaded[:1] == ["NotoSans-Regular"], (kind, preloaded)
        assert len(set(preloaded)) == len(preloaded) and set(preloaded) <= set(faces), (kind, preloaded)
        for href in re.findall(r'<link rel="preload" href="([^"]+)"', html):
            folder = example_site.root if href.startswith("/") else example_site.path(path).parent
            assert (folder / href.lstrip("/")).resolve().is_file(), (path, href)
    assert "NotoSerif-Regular" in preloaded_faces(example_site.html(page_types(example_site)["brief"]))
    assert "NotoSerif-Regular" not in preloaded_faces(example_site.html("search/"))


# -- browser fixtures ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_url(example_site: BuiltSite) -> Iterator[str]:
    """Serve the example site on 127.0.0.1."""
    with serve_folder(example_site.root) as url:
        yield url


def _open_search(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-search-ready]")  # type: ignore[attr-defined]


# -- page weight -----------------------------------------------------------------------------

def _served_file(site: BuiltSite, url: str, base: str) -> Path:
    path = unquote(urlsplit(url).path)[len(urlsplit(base).path):]
    return site.path(path)


def _weigh(body: bytes, suffix: str) -> tuple[int, int]:
    """Return (uncompressed, as served) bytes of one response body."""
    if body[:2] == b"\x1f\x8b":  # already gzipped (Pagefind's index and WebAssembly)
        return len(gzip.decompress(body)), len(body)
    if suffix in TEXT_SUFFIXES:
        return len(body), len(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body), len(body)  # fonts, images: compressed formats already


@pytest.mark.browser
@pytest.mark.slow
def test_first_visit_of_every_page_type_fits_the_budget(browser, base_url: str,
                                                        example_site: BuiltSite) -> None:
    over: dict[str, str] = {}
    missing: list[str] = []
    report: list[str] = []
    for kind, path in page_types(example_site).items():
        page = new_page(browser, 375)
        requested: list[str] = []
        page.on("requestfinished", lambda request, into=requested: into.append(request.url))
        page.goto(base_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        raw = served = 0
        fonts: list[str] = []
        for url in dict.fromkeys(requested):
            if urlsplit(url).hostname != "127.0.0.1":
                continue
            file = _served_file(example_site, url, base_url)
            suffix = file.suffix.lower()
            if kind == "brief" and suffix in IMAGE_SUFFIXES and f"/{path}" in url:
                continue  # the brief's own images are the author's, not the page's weight
            if not file.is_file():  # mkdocs-material's sitemap fetches beside feeds included
                missing.append(f"{kind}: {url}")
                continue
            r, s = _weigh(file.read_bytes(), suffix)
            raw += r
            served += s
            if "/fonts/" in url:
                fonts.append(file.name)
        page.context.close()
        report.append(f"{kind}: {served:,} B gzip, {raw:,} B raw, fonts {fonts}")
        assert all(name.endswith(".woff2") for name in fonts), (kind, fonts)
        if served > GZIP_BUDGET or raw > RAW_BUDGET:
            over[kind] = f"{served:,} B gzip, {raw:,} B raw"
    print("\n".join(report))
    assert missing == []
    assert over == {}, "\n".join(report)


# -- layout at phone width -------------------------------------------------------------------

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_no_page_scrolls_sideways_on_a_phone(browser, base_url: str, example_site: BuiltSite,
                                              width: int) -> None:
    page = new_page(browser, width)
    wide: dict[str, int] = {}
    try:
        for kind, path in page_types(example_site).items():
            page.goto(base_url + path)
            if kind == "search":
                page.wait_for_selector("body[data-search-ready]")
            extra = page.evaluate(OVERFLOW)
            if extra > 0:
                wide[kind] = extra
            button = page.locator(".cb-header-search button").bounding_box()
            assert button and button["x"] >= 0 and button["x"] + button["width"] <= width, (kind, button)
        _open_search(page, base_url + "search/?q=pension&theme=Older+persons")
        page.click(".cb-search__toggle")
        if page.evaluate(OVERFLOW) > 0:
            wide["search with the filters open"] = page.evaluate(OVERFLOW)
    finally:
        page.context.close()
    assert wide == {}


@pytest.mark.browser
@pytest.mark.slow
def test_the_coverage_matrix_scrolls_in_its_box_with_sticky_headers(browser, base_url: str) -> None:
    page = new_page(browser, 375, 700)
    try:
        page.goto(base_url + "coverage/")
        box = page.locator(".coverage-scroll")
        box.scroll_into_view_if_needed()
        assert page.evaluate("e => e.scrollWidth > e.clientWidth", box.element_handle())
        before = {sel: page.locator(sel).first.bounding_box() for sel in
                  ("table.coverage-matrix tbody th", "table.coverage-matrix thead th.rot")}
        box.evaluate("e => { e.scrollLeft = 200; e.scrollTop = 200; }")
        row_head = page.locator("table.coverage-matrix tbody tr").nth(8).locator("th").bounding_box()
        col_head = page.locator("table.coverage-matrix thead th.rot").nth(6).bounding_box()
        frame = box.bounding_box()
        assert row_head and col_head and frame
        assert abs(row_head["x"] - before["table.coverage-matrix tbody th"]["x"]) < 1  # type: ignore[index]
        assert abs(col_head["y"] - frame["y"]) < 2, (col_head, frame)
        assert page.evaluate(OVERFLOW) <= 0
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_search_results_take_the_width_and_filters_fold(browser, base_url: str, width: int) -> None:
    page = new_page(browser, width)
    try:
        _open_search(page, base_url + "search/?q=pension")
        page.wait_for_selector(".cb-result")
        toggle = page.locator(".cb-search__toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#cb-filters").is_visible()
        results = page.locator(".cb-search__results").bounding_box()
        first = page.locator(".cb-result").first.bounding_box()
        assert results and first and results["width"] >= 280 and first["width"] >= 280, (results, first)
        assert toggle.bounding_box()["y"] < results["y"]  # type: ignore[index]
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#cb-filters").is_visible()
        page.locator('.cb-facet[data-facet="language"] label').first.click()
        page.wait_for_function("document.querySelector('.cb-search__active').textContent.includes('1')")
        toggle.click()
        assert not page.locator("#cb-filters").is_visible()
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_filters_sit_beside_the_results_on_a_desktop(browser, base_url: str) -> None:
    page = new_page(browser, 1280)
    try:
        _open_search(page, base_url + "search/?q=pension")
        assert not page.locator(".cb-search__toggle").is_visible()
        filters = page.locator("#cb-filters").bounding_box()
        results = page.locator(".cb-search__results").bounding_box()
        assert filters and results and filters["x"] + filters["width"] <= results["x"]
    finally:
        page.context.close()


# -- focus and skip link ---------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const ring = (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2)
    || (cs.boxShadow && cs.boxShadow !== "none");
  return {ring, what: el.tagName + (el.id ? "#" + el.id : "") + "." + el.className
          + " " + (el.textContent || el.value || "").trim().slice(0, 30)};
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("width", "path"), [(1280, ""), (1280, "search/?q=pension"),
                                             (1280, "briefs/"), (375, "search/?q=pension"),
                                             (375, "")])
def test_focus_is_visible_on_every_tab_stop(browser, base_url: str, example_site: BuiltSite,
                                            width: int, path: str) -> None:
    if path == "briefs/":
        path = page_types(example_site)["brief"]
    page = new_page(browser, width)
    invisible: list[str] = []
    seen: list[str] = []
    try:
        page.goto(base_url + path)
        if path.startswith("search/"):
            page.wait_for_selector(".cb-result")
        for _ in range(FOCUS_STOPS):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUSED)
            if state is None:
                continue
            seen.append(state["what"])
            if not state["ring"]:
                invisible.append(state["what"])
    finally:
        page.context.close()
    assert any(s.startswith("INPUT#cb-header-q") for s in seen), seen
    assert invisible == [], invisible


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
def test_skip_link_moves_focus_to_the_results(browser, base_url: str, width: int) -> None:
    page = new_page(browser, width)
    try:
        _open_search(page, base_url + "search/?q=pension")
        page.wait_for_selector(".cb-result")
        stops = 0
        for stops in range(1, 30):  # noqa: B007 (the count is checked below)
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('cb-search__skip')"):
                break
        else:
            pytest.fail("no skip link in the first 30 tab stops")
        skip = page.locator(".cb-search__skip").bounding_box()
        assert skip and skip["x"] >= 0 and skip["width"] > 20  # shown when focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "cb-results"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.cb-result') !== null")
        assert stops < 15, stops
    finally:
        page.context.close()


# -- facet counts ----------------------------------------------------------------------------

def _shown_counts(page: object) -> dict[str, dict[str, int]]:
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """() => {
      const out = {};
      for (const facet of document.querySelectorAll('.cb-facet')) {
        const values = out[facet.dataset.facet] = {};
        for (const box of facet.querySelectorAll('input')) {
          const text = box.nextElementSibling.querySelector('.cb-facet__count').textContent;
          values[box.value] = Number(text.replace(/[()]/g, ''));
        }
      }
      return out;
    }""")


def _shown_slugs(page: object) -> set[str]:
    more = page.locator(".cb-search__more")  # type: ignore[attr-defined]
    while more.is_visible():
        before = page.locator(".cb-result").count()  # type: ignore[attr-defined]
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.cb-result').length > {before}")  # type: ignore[attr-defined]
    hrefs = page.locator(".cb-result__title a").evaluate_all("links => links.map(a => a.href)")  # type: ignore[attr-defined]
    return {urlsplit(h).path.rstrip("/").rsplit("/", 1)[-1] for h in hrefs}


def _searched(site: BuiltSite) -> list[object]:
    """The briefs the default language's search page searches: those in its language."""
    return [b for b in site.index.briefs if b.language == site.settings.language]


def _expected(site: BuiltSite, slugs: set[str]) -> dict[str, dict[str, int]]:
    """Counts per facet value over the given briefs; every value of the collection listed."""
    corpus = site.index.corpus
    counts: dict[str, dict[str, int]] = {}
    for brief in _searched(site):
        for key, values in facet_values(brief, corpus).items():
            for value in values:
                counts.setdefault(key, {}).setdefault(value, 0)
                if brief.slug in slugs:
                    counts[key][value] += 1
    return counts


def _matching(site: BuiltSite, within: set[str], **ticked: list[str]) -> set[str]:
    """The briefs of ``within`` that have, for every ticked facet, one of its values."""
    corpus = site.index.corpus
    found = set()
    for brief in _searched(site):
        values = facet_values(brief, corpus)
        if brief.slug in within and all(set(values[k]) & set(v) for k, v in ticked.items()):
            found.add(brief.slug)
    return found


def _settle(page: object, n: int) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => document.querySelector('.cb-search__status').textContent.startsWith(n + ' ')", arg=n)


def _tick(page: object, facet: str, value: str) -> None:
    page.locator(f'.cb-facet[data-facet="{facet}"] input[value="{value}"]').check()  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.slow
def test_facet_counts_follow_the_query_and_the_ticked_filters(browser, base_url: str,
                                                              example_site: BuiltSite) -> None:
    everything = {b.slug for b in _searched(example_site)}
    page = new_page(browser, 1280)
    try:
        _open_search(page, base_url + "search/")
        assert _shown_counts(page) == _expected(example_site, everything)

        # A text query, no filter: the counts are those of the matching briefs.
        page.fill("#cb-q", "pension")
        page.wait_for_selector(".cb-result")
        page.wait_for_timeout(50)
        status = page.locator(".cb-search__status")
        assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
        hits = _shown_slugs(page)
        assert 0 < len(hits) < len(everything)
        for slug in hits:  # every hit really mentions a pension (Pagefind stems, so a prefix)
            brief = example_site.index.by_slug[slug]
            assert "pension" in f"{brief.title} {brief.summary} {brief.body}".lower(), slug
        _settle(page, len(hits))
        assert _shown_counts(page) == _expected(example_site, hits)

        # One facet ticked: the query AND the theme.
        theme = max(example_site.index.corpus.themes.values(),
                    key=lambda t: len(_matching(example_site, hits, theme=[t.title]))).title
        _tick(page, "theme", theme)
        one = _matching(example_site, hits, theme=[theme])
        _settle(page, len(one))
        assert _shown_slugs(page) == one
        assert _shown_counts(page) == _expected(example_site, one)

        # Two facets ticked: the query AND the theme AND the language.
        language = next(iter(_expected(example_site, one)["language"]))
        _tick(page, "language", language)
        two = _matching(example_site, hits, theme=[theme], language=[language])
        _settle(page, len(two))
        assert _shown_slugs(page) == two
        assert _shown_counts(page) == _expected(example_site, two)

        # No query, two values of one facet (ORed) and a country (ANDed).
        page.fill("#cb-q", "")
        page.locator(".cb-search__clear").click()
        _settle_idle = "document.querySelectorAll('.cb-facet input:checked').length === 0"
        page.wait_for_function(_settle_idle)
        themes = sorted(example_site.index.by_theme, key=lambda t: -len(example_site.index.by_theme[t]))[:2]
        titles = [example_site.index.corpus.themes[t].title for t in themes]
        for title in titles:
            _tick(page, "theme", title)
        either = _matching(example_site, everything, theme=titles)
        _settle(page, len(either))
        assert _shown_counts(page) == _expected(example_site, either)
        country = max(_expected(example_site, either)["country"].items(), key=lambda kv: kv[1])[0]
        _tick(page, "country", country)
        both = _matching(example_site, everything, theme=titles, country=[country])
        _settle(page, len(both))
        assert _shown_slugs(page) == both
        assert _shown_counts(page) == _expected(example_site, both)
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
def test_a_prefiltered_link_counts_every_facet(browser, base_url: str,
                                               example_site: BuiltSite, width: int) -> None:
    """search/?theme=… (the theme pages' link) counts the other facets, not zeros.

    On a phone the counts are behind the Filters toggle: they are counted when it opens.
    """
    theme = max(example_site.index.by_theme, key=lambda t: len(example_site.index.by_theme[t]))
    title = example_site.index.corpus.themes[theme].title
    page = new_page(browser, width)
    try:
        _open_search(page, base_url + f"search/?theme={title.replace(' ', '+')}")
        expected = _matching(example_site, {b.slug for b in _searched(example_site)}, theme=[title])
        _settle(page, len(expected))
        if width < 768:
            page.click(".cb-search__toggle")
        page.wait_for_selector("#cb-filters:not([data-counts-stale])", state="attached")
        assert _shown_counts(page) == _expected(example_site, expected)
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_phone_fetches_the_filter_counts_only_when_it_shows_them(browser, base_url: str,
                                                                  example_site: BuiltSite) -> None:
    """Folded filters cost a metered line nothing; opening them counts the current search."""
    requested: list[str] = []
    page = new_page(browser, 375)
    page.on("request", lambda request: requested.append(request.url))
    try:
        _open_search(page, base_url + "search/")
        page.fill("#cb-q", "pension")
        page.wait_for_selector(".cb-result")
        page.wait_for_selector("#cb-filters[data-counts-stale]", state="attached")
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if "/pagefind/filter/" in u]
        hits = _shown_slugs(page)
        page.click(".cb-search__toggle")
        page.wait_for_selector("#cb-filters:not([data-counts-stale])", state="attached")
        assert [u for u in requested if "/pagefind/filter/" in u]
        assert _shown_counts(page) == _expected(example_site, hits)
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("width", "shown"), [(375, 5), (1280, 10)])
def test_a_phone_loads_five_results_at_a_time(browser, base_url: str, width: int,
                                             shown: int) -> None:
    """Each result shown loads its brief's fragment: a phone shows (and loads) five at a time."""
    page = new_page(browser, width)
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if "/fragment/" in r.url else None)
    try:
        _open_search(page, base_url + "search/?q=social")
        page.wait_for_selector(".cb-result")
        page.wait_for_load_state("networkidle")
        total = int(re.sub(r"[^0-9]", "", page.locator(".cb-search__status").inner_text()))
        assert total > shown  # a search with more results than one batch
        assert page.locator(".cb-result").count() == shown == len(set(fragments))
        page.click(".cb-search__more")
        page.wait_for_function(f"document.querySelectorAll('.cb-result').length > {shown}")
        assert page.locator(".cb-result").count() == min(total, 2 * shown)
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_first_visit_to_search_fetches_no_index(browser, base_url: str) -> None:
    page = new_page(browser, 375)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        _open_search(page, base_url + "search/")
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if "/pagefind/" in u]
        page.focus("#cb-q")  # the reader is about to type: Pagefind loads now
        page.fill("#cb-q", "health")
        page.wait_for_selector(".cb-result")
        assert [u for u in requested if u.endswith("/pagefind/pagefind.js")]
    finally:
        page.context.close()


# -- faces a page uses -----------------------------------------------------------------------

FACES_SCRIPT = """() => [...new Set([...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
               && e.getClientRects().length)
  .map(e => { const s = getComputedStyle(e);
    return [s.fontFamily.split(',')[0].replace(/"/g, '').trim(), s.fontStyle,
            Number(s.fontWeight) >= 600 ? 700 : 400].join('|'); }))]"""


@pytest.mark.browser
@pytest.mark.slow
def test_every_face_a_page_sets_text_in_is_shipped(browser, base_url: str,
                                                   example_site: BuiltSite) -> None:
    """No text in a synthesised face (a slanted sans, a smeared serif bold); four faces at most."""
    shipped = set(_web_fonts_tool().FACES.values())
    used: dict[str, set[tuple[str, str, int]]] = {}
    for kind, path in page_types(example_site).items():
        page = new_page(browser, 375)
        page.goto(base_url + path, wait_until="load")
        found = (x.split("|") for x in page.evaluate(FACES_SCRIPT))  # type: ignore[attr-defined]
        used[kind] = {(f, s, int(w)) for f, s, w in found if f.startswith("Noto")}
        page.context.close()  # type: ignore[attr-defined]
    assert {kind: sorted(u - shipped) for kind, u in used.items() if u - shipped} == {}
    assert ("Noto Serif", "normal", 400) in used["brief"]
    assert ("Noto Sans", "normal", 700) in used["brief"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [375, 1280])
def test_a_page_preloads_only_faces_it_sets_text_in(browser, base_url: str,
                                                     example_site: BuiltSite, width: int) -> None:
    """A page preloads the faces it sets text in, and only those.

    A preloaded face the page does not use costs a slow line its bytes for nothing; a face
    it uses but did not preload arrives after the first layout and lays the page out again.
    Every brief page is checked (the italic face is preloaded only where a body has italics).
    """
    faces = _web_fonts_tool().FACES
    paths = dict(page_types(example_site))
    paths.update((f"brief {b.slug}", f"briefs/{b.slug}/") for b in example_site.index.briefs)
    wrong: dict[str, tuple[list[str], list[str]]] = {}
    for kind, path in paths.items():
        page = new_page(browser, width)
        page.goto(base_url + path, wait_until="load")
        found = {tuple(x.split("|")) for x in page.evaluate(FACES_SCRIPT)}  # type: ignore[attr-defined]
        page.context.close()  # type: ignore[attr-defined]
        used = [f for f, (family, style, weight) in faces.items()
                if (family, style, str(weight)) in found]
        preloaded = preloaded_faces(example_site.html(path))
        if sorted(used) != sorted(preloaded):
            wrong[kind] = (sorted(used), sorted(preloaded))
    assert wrong == {}


def test_pages_link_only_the_stylesheets_they_use(example_site: BuiltSite) -> None:
    """The map's stylesheet on the pages with the map, the Search page's on it, no other."""
    wanted = {"home": {"worldmap.css"}, "coverage": {"worldmap.css"}, "search": {"search.css"}}
    for kind, path in page_types(example_site).items():
        html = example_site.html(path)
        own = set(re.findall(r'<link rel="stylesheet" href="[^"]*/(worldmap|search)\.css"', html))
        assert {f"{name}.css" for name in own} == wanted.get(kind, set()), kind
        assert "briefs.css" in html, kind
    assert 'href="../../assets/stylesheets/worldmap.css"' in example_site.html("fr/coverage/")
