"""The three-language site in real headless Chromium: languages, switcher, search, accessibility.

The corpus is :func:`test_languages.three_language_corpus` (English, French and Spanish
briefs, translations both ways), built with ``languages: [en, fr, es]`` and served on
127.0.0.1. Pages are checked at desktop width and at 320 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import axe_violations, new_page, serve_folder
from conftest import CorpusWriter
from fixtures_site import BuiltSite, build_project, make_project
from test_languages import three_language_corpus, with_languages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "fr": ["fr/", "fr/themes/", "fr/themes/older-persons/", "fr/countries/", "fr/countries/sen/",
           "fr/regions/sahel/", "fr/coverage/", "fr/search/", "briefs/moz-pensions-fr/",
           "briefs/sen-retraites/"],
    "es": ["es/", "es/themes/health/", "es/countries/", "es/countries/col/", "es/coverage/",
           "es/search/", "briefs/col-rural-es/"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = tmp_path_factory.mktemp("three-browser")
    three_language_corpus(CorpusWriter(root / "briefs"))
    return build_project(with_languages(make_project(root)))


@pytest.fixture(scope="module")
def base_url(site: BuiltSite) -> Iterator[str]:
    with serve_folder(site.root) as url:
        yield url


def _page(browser: object, width: int) -> tuple[object, object, list[str]]:
    page = new_page(browser, width, 800)
    return page.context, page, page.requested


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("language", ["fr", "es"])
def test_pages_in_their_language_are_accessible(browser: object, base_url: str, language: str,
                                                width: int) -> None:
    context, page, requested = _page(browser, width)
    problems = {}
    try:
        for url in PAGES[language]:
            page.goto(base_url + url)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == language, url
            assert page.locator("h1").count() == 1, url
            found = axe_violations(page)
            if found:
                problems[url] = found
            if width == 320:  # every language link is on the phone's screen
                edges = page.locator(".cb-languages a").evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().right)")
                assert len(edges) == 3 and max(edges) <= 320, (url, edges)
        assert page.errors == []
    finally:
        context.close()
    assert problems == {}
    assert {urlsplit(u).hostname for u in requested if urlsplit(u).scheme != "data"} == {"127.0.0.1"}


def test_switcher_goes_to_the_same_page_in_another_language(browser: object, base_url: str) -> None:
    context, page, _ = _page(browser, 1280)
    try:
        page.goto(base_url + "briefs/moz-pensions/")
        page.locator('.cb-languages a[lang="fr"]').click()
        page.wait_for_load_state()
        assert page.url == base_url + "briefs/moz-pensions-fr/"  # its translation
        assert page.evaluate("document.documentElement.lang") == "fr"
        page.locator('.cb-languages a[lang="es"]').click()
        page.wait_for_load_state()
        assert page.url == base_url + "es/themes/older-persons/"  # no Spanish version
        assert page.locator("h1").inner_text() == "Personas mayores"
        page.locator('.cb-languages a[lang="en"]').click()
        page.wait_for_load_state()
        assert page.url == base_url + "themes/older-persons/"
        page.set_viewport_size({"width": 320, "height": 800})
        code = page.locator('.cb-languages a[lang="fr"] .cb-languages__code')
        assert code.inner_text() == "FR" and code.is_visible()
        name = page.locator('.cb-languages a[lang="fr"]')
        assert name.get_attribute("aria-current") is None  # on the English page
        assert page.locator('.cb-languages a[aria-current="page"]').get_attribute("lang") == "en"
    finally:
        context.close()


def _results(page: object) -> list[str]:
    links = page.locator(".cb-result__title a")  # type: ignore[attr-defined]
    return sorted(Path(urlsplit(h).path).name for h in links.evaluate_all("els => els.map(e => e.href)"))


def test_french_search_is_stemmed_for_french_with_facets(browser: object, base_url: str) -> None:
    context, page, _ = _page(browser, 1280)
    try:
        page.goto(base_url + "fr/search/?q=retraite")
        page.wait_for_selector("body[data-search-ready]")
        page.wait_for_selector(".cb-result")
        assert _results(page) == ["moz-pensions-fr", "sen-retraites"]  # "retraites" found too
        assert page.locator(".cb-search__status").inner_text() == "2 notes trouvées"
        labels = page.locator('.cb-facet[data-facet="theme"] label').all_inner_texts()
        assert sorted(label.split(" (")[0] for label in labels) == ["Maternity", "Personnes âgées"]
        page.locator('.cb-facet[data-facet="theme"] label', has_text="Maternity").click()
        page.wait_for_function("document.querySelectorAll('.cb-result').length === 1")
        assert _results(page) == ["sen-retraites"]
        assert "theme=Maternity" in page.url and "q=retraite" in page.url
        assert page.errors == []
    finally:
        context.close()


def test_search_can_include_every_language(browser: object, base_url: str) -> None:
    context, page, _ = _page(browser, 1280)
    try:
        page.goto(base_url + "fr/search/?q=health")
        page.wait_for_selector("body[data-search-ready]")
        assert page.locator(".cb-result").count() == 0  # English briefs are not in French
        page.locator("#cb-all-languages").check()
        page.wait_for_selector("body[data-search-ready]")
        page.wait_for_selector(".cb-result")
        assert "languages=all" in page.url
        assert page.locator("#cb-all-languages").is_checked()
        assert {"egy-health", "tza-health"} <= set(_results(page))
        languages = page.locator('.cb-facet[data-facet="language"] label').all_inner_texts()
        assert len(languages) == 3, languages
        assert page.errors == []
    finally:
        context.close()
