"""The built site: pages list exactly the right briefs, feeds, strict builds, failures, offline.

Every test builds with real MkDocs (PDFs off); ``example_site`` is built once per session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from fixtures_site import BuiltSite, build_project, make_project, parse_html

from site_builder.build import build_site
from site_builder.corpus import load_corpus
from site_builder.feeds import FEED_LIMIT
from site_builder.findings import BriefsError, ValidationFailed
from site_builder.index import build_index
from site_builder.model import Corpus
from site_builder.pages.brief import RELATED_LIMIT
from site_builder.settings import load_settings
from site_builder.templating import format_size, templates_for
from site_builder.urls import brief as brief_path
from site_builder.urls import brief_pdf as pdf_path

pytestmark = pytest.mark.slow
ATOM = "{http://www.w3.org/2005/Atom}"


def card_slugs(site: BuiltSite, url: str) -> list[str]:
    """Return the slugs of the brief cards on a page, in order (repeats kept)."""
    slugs = []
    for card in site.content(url).find_all("li", "brief-card"):
        link = card.find("a")
        assert link is not None
        slugs.append(link.attrs["href"].rstrip("/").rsplit("/", 1)[-1])
    return slugs


# -- pages list exactly the right briefs -------------------------------------------

def test_each_theme_page_lists_exactly_its_briefs_newest_first(example_site: BuiltSite) -> None:
    index = example_site.index
    assert index.corpus.themes
    for theme_id, briefs in index.by_theme.items():
        url = f"themes/{theme_id}/"
        assert card_slugs(example_site, url) == [b.slug for b in briefs], theme_id
        stats = example_site.content(url).find("p", "page-stats")
        assert stats is not None
        assert stats.text().startswith(f"{len(briefs)} brief"), theme_id


def test_themes_index_counts(example_site: BuiltSite) -> None:
    content = example_site.content("themes/")
    cards = content.find_all("li", "theme-card")
    assert len(cards) == len(example_site.index.corpus.themes)
    for card, (theme_id, briefs) in zip(cards, example_site.index.by_theme.items(), strict=True):
        link = card.find("a")
        assert link is not None and link.attrs["href"] == f"../themes/{theme_id}/"
        meta = card.find("p", "card-meta")
        assert meta is not None and meta.text().split()[0] == str(len(briefs))


def test_each_country_page_lists_exactly_its_briefs(example_site: BuiltSite) -> None:
    index = example_site.index
    assert index.by_country
    for code, briefs in index.by_country.items():
        url = f"countries/{code.lower()}/"
        assert card_slugs(example_site, url) == [b.slug for b in briefs], code
        # Grouped by theme: each brief is listed under every theme it has.
        content = example_site.content(url)
        for theme_id in {t for b in briefs for t in b.theme_ids}:
            group = content.find("div", "theme-group", id=f"theme-{theme_id}")
            assert group is not None, (code, theme_id)
            listed = [a.attrs["href"] for a in group.find_all("a")][1:]
            assert listed == [f"../../briefs/{b.slug}/" for b in briefs if theme_id in b.theme_ids]
        facts = example_site.content(url).find("dl", "page-facts")
        assert facts is not None and f"Briefs {len(briefs)}" in facts.text()


def test_countries_index_has_every_country_with_its_count(example_site: BuiltSite) -> None:
    content = example_site.content("countries/")
    found = {}
    for item in content.find_all("li"):
        link, count = item.find("a"), item.find("span", "count")
        if link is not None and count is not None and "/countries/" in link.attrs["href"]:
            found[link.attrs["href"].rstrip("/").rsplit("/", 1)[-1]] = int(count.text())
    expected = {code.lower(): len(b) for code, b in example_site.index.by_country.items()}
    assert found == expected


def test_region_pages_list_their_briefs(example_site: BuiltSite) -> None:
    for region_id, briefs in example_site.index.by_region.items():
        assert card_slugs(example_site, f"regions/{region_id}/") == [b.slug for b in briefs]


def test_brief_pages_have_header_citation_and_related(example_site: BuiltSite) -> None:
    from site_builder.localise import site_indexes

    index = example_site.index
    indexes = site_indexes(index.corpus, example_site.settings.languages)
    for brief in index.briefs:
        content = example_site.content(brief_path(brief.slug))
        assert [h.text() for h in content.find_all("h1")] == [brief.title]
        chips = [a.attrs["href"] for a in content.find_all("a", "chip")]
        # A brief's page is in its language: its chips lead to that language's theme pages.
        prefix = f"{brief.language}/" if brief.language in example_site.settings.other_languages \
            else ""
        assert chips == [f"../../{prefix}themes/{t}/" for t in brief.theme_ids]
        citation = content.find("p", "citation")
        assert citation is not None
        assert example_site.settings.url_for(brief_path(brief.slug)) in citation.text()
        related = content.find("section", "brief-related")
        links = [a.attrs["href"] for a in related.find_all("a")] if related else []
        assert len(links) <= RELATED_LIMIT
        assert f"../../briefs/{brief.slug}/" not in links, "a brief is not related to itself"
        # Related briefs as that page's language lists them (its own translations first).
        own = indexes.get(brief.language, index)
        assert links == [f"../../briefs/{r.slug}/" for r in own.related(brief.slug)]


def test_translations_link_each_other(example_site: BuiltSite) -> None:
    pairs = {slug: others for slug, others in example_site.index.translations.items() if others}
    if not pairs:
        pytest.skip("the example corpus has no translations")
    for slug, others in pairs.items():
        section = example_site.content(brief_path(slug)).find("section", "brief-translations")
        assert section is not None
        hrefs = [a.attrs["href"] for a in section.find_all("a")]
        assert hrefs == [f"../../briefs/{o.slug}/" for o in others]


def test_home_counts_and_newest(example_site: BuiltSite) -> None:
    content = example_site.content("")
    stats = {dt.text(): dd.text() for dt, dd in zip(content.find_all("dt"), content.find_all("dd"),
                                                    strict=False)}
    index = example_site.index
    assert stats["briefs"] == str(len(index.briefs))
    assert stats["countries"] == str(len(index.by_country))
    assert card_slugs(example_site, "")[:6] == [b.slug for b in index.briefs[:6]]
    assert content.find("figure") is not None, "the home page shows the map"


def test_coverage_matrix_matches_index(example_site: BuiltSite) -> None:
    content = example_site.content("coverage/")
    table = content.find("table", "coverage-matrix")
    assert table is not None
    themes = list(example_site.index.corpus.themes)
    cells = example_site.index.coverage()
    rows = table.find_all("tr")[1:]
    assert len(rows) == len(example_site.index.by_country)
    for row, country in zip(rows, example_site.index.countries(), strict=True):
        values = [td.text() if "has" in td.classes else "" for td in row.find_all("td")]
        expected = [str(cells[(t, country.alpha3)]) if (t, country.alpha3) in cells else ""
                    for t in themes]
        assert values == expected, country.alpha3
    assert "Natural Earth" in content.text()


# -- feeds -------------------------------------------------------------------------

def feed_entries(site: BuiltSite, url: str) -> list[str]:
    root = ET.parse(site.path(url)).getroot()
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "summary", "link", "category"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        link = entry.find(f"{ATOM}link")
        assert link is not None
        entries.append(link.get("href", ""))
    return entries


def test_feeds_parse_and_list_the_right_entries(example_site: BuiltSite) -> None:
    index, settings = example_site.index, example_site.settings

    def urls(briefs: list) -> list[str]:
        return [settings.url_for(brief_path(b.slug)) for b in briefs[:FEED_LIMIT]]

    assert feed_entries(example_site, "feed.xml") == urls(index.briefs)
    for theme_id, briefs in index.by_theme.items():
        assert feed_entries(example_site, f"themes/{theme_id}/feed.xml") == urls(briefs)
    for code, briefs in index.by_country.items():
        assert feed_entries(example_site, f"countries/{code.lower()}/feed.xml") == urls(briefs)
    updated = ET.parse(example_site.path("feed.xml")).getroot().find(f"{ATOM}updated")
    assert updated is not None and updated.text == f"{index.briefs[0].date.first_day.isoformat()}T00:00:00Z" \
        .replace("-00T", "-01T")
    assert 'type="application/atom+xml"' in example_site.html("")


# -- links, assets, offline --------------------------------------------------------

def internal_targets(site: BuiltSite) -> list[tuple[str, str]]:
    """Return (page, link) for every relative href/src in the built HTML."""
    found = []
    for page in sorted(site.root.rglob("*.html")):
        for node in parse_html(page.read_text(encoding="utf-8")).iter():
            for attr in ("href", "src"):
                value = node.attrs.get(attr)
                if value and not urlsplit(value).scheme and not value.startswith(("#", "//")):
                    found.append((page.relative_to(site.root).as_posix(), value))
    return found


def test_every_internal_link_resolves(example_site: BuiltSite) -> None:
    broken = []
    for page, link in internal_targets(example_site):
        path = unquote(urlsplit(link).path)
        if not path:
            continue
        base = example_site.root if path.startswith("/") else (example_site.root / page).parent
        target = base / path.lstrip("/")
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.resolve().is_file():
            broken.append(f"{page}: {link}")
    assert not broken, broken[:20]


def test_no_asset_is_loaded_from_another_host(example_site: BuiltSite) -> None:
    external = []
    for page in sorted(example_site.root.rglob("*.html")):
        for node in parse_html(page.read_text(encoding="utf-8")).iter():
            url = None
            if node.tag in ("script", "img", "iframe", "source", "audio", "video", "embed"):
                url = node.attrs.get("src")
            elif node.tag == "link" and node.attrs.get("rel", "") not in ("canonical", "alternate"):
                url = node.attrs.get("href")
            elif node.tag in ("image", "use"):
                url = node.attrs.get("href") or node.attrs.get("xlink:href")
            if url and (urlsplit(url).scheme in ("http", "https") or url.startswith("//")):
                external.append(f"{page.relative_to(example_site.root)}: <{node.tag}> {url}")
    for css in example_site.root.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if url.startswith(("http:", "https:", "//")):
                external.append(f"{css.relative_to(example_site.root)}: url({url})")
    assert not external, external[:20]


def test_fonts_are_shipped(example_site: BuiltSite) -> None:
    css = example_site.path("assets/stylesheets/briefs.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\(\"\.\./fonts/([^\"]+)\"\)", css):
        assert example_site.path(f"assets/fonts/{font}").is_file(), font
    assert example_site.path("assets/fonts/OFL.txt").is_file()


def test_brief_images_are_published_beside_the_page(example_site: BuiltSite) -> None:
    images = [(brief, img.attrs["src"]) for brief in example_site.index.briefs
              for img in example_site.content(brief_path(brief.slug)).find_all("img")]
    if not images:
        pytest.skip("the example corpus has no images")
    for brief, src in images:
        assert not urlsplit(src).scheme
        assert (example_site.path(brief_path(brief.slug)).parent / unquote(src)).is_file(), src


def test_nothing_is_written_into_briefs(example_site: BuiltSite) -> None:
    names = {p.name for p in (example_site.project / "briefs").rglob("*")}
    assert "index.md" not in names and not any(n.endswith(".html") for n in names)


# -- tmp corpora ---------------------------------------------------------------------

def test_strict_build_passes_on_the_example_corpus(tmp_path: Path, project_root: Path) -> None:
    project = make_project(tmp_path / "p", project_root / "briefs")
    build_project(project, strict=True)


def test_plain_mkdocs_build_strict_works(tmp_path: Path, project_root: Path) -> None:
    """``mkdocs build --strict`` (the plugin alone, no ``briefs build``) builds the example."""
    project = make_project(tmp_path / "p", project_root / "briefs")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      pdf: {enabled: false}\n"),
        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "out"],
                            cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    assert "WARNING -" not in result.stderr, result.stderr
    assert (project / "out" / "briefs" / "moz-basic-social-security-strategy" / "index.html").is_file()
    assert not list((project / "briefs").rglob("index.md"))


def test_search_off_builds_strict_without_its_tab(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    config = site_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      search: false\n"),
        encoding="utf-8")
    site = build_project(site_project, strict=True)
    assert not site.path("search/").exists() and not site.path("pagefind/").exists()
    assert "search/" not in [a.attrs.get("href", "") for a in site.page("").find_all("a")]


def test_pdfs_are_published_and_linked_with_size_and_pages(tmp_path: Path,
                                                          project_root: Path) -> None:
    project = make_project(tmp_path / "p", project_root / "briefs")
    settings = load_settings(project)
    root = build_site(settings, pdf=True).site
    site = BuiltSite(project, root, build_index(load_corpus(settings.content_root)[0]), settings)
    for brief in site.index.briefs:
        pdf = site.path(pdf_path(brief.slug))
        assert pdf.read_bytes().startswith(b"%PDF-"), brief.slug
        link = site.content(brief_path(brief.slug)).find("p", "download")
        assert link is not None, brief.slug
        assert link.find("a").attrs["href"] == f"../../{pdf_path(brief.slug)}"
        words = templates_for(settings.theme, brief.language)  # the page is in its language
        pages = words.ngettext("%(num)d page", "%(num)d pages", 4)
        assert f"(PDF, {pages}, {format_size(pdf.stat().st_size, brief.language)})" in link.text()


def test_drafts_are_left_out(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-public.md", title="Public brief")
    corpus.brief("moz/moz-secret.md", title="Secret draft brief", draft="true")
    site = build_project(site_project)
    assert site.path(brief_path("moz-public")).is_file()
    assert not site.path(brief_path("moz-secret")).exists()
    for page in site.root.rglob("*"):
        if page.suffix in (".html", ".xml"):
            text = page.read_text(encoding="utf-8")
            assert "moz-secret" not in text and "Secret draft" not in text, page


def test_link_to_another_brief_is_rewritten(corpus, site_project: Path) -> None:
    corpus.brief("tls/tls-a.md", title="A", countries="[TLS]",
                 body="## Context\n\nSee [the other](../moz/moz-b.md#context).\n")
    corpus.brief("moz/moz-b.md", title="B")
    site = build_project(site_project, strict=True)
    links = [a.attrs["href"] for a in site.content(brief_path("tls-a")).find_all("a")]
    assert "../moz-b/#context" in links


def test_broken_link_between_briefs_fails_strict(corpus, site_project: Path) -> None:
    corpus.brief("tls/tls-a.md", title="A", countries="[TLS]",
                 body="## Context\n\nSee [the draft](../moz/moz-b.md).\n")
    corpus.brief("moz/moz-b.md", title="B", draft="true")
    build_project(site_project)  # a warning only
    (site_project / "site" / "marker").write_text("old", encoding="utf-8")
    with pytest.raises(BriefsError, match="moz-b"):
        build_project(site_project, strict=True)
    assert (site_project / "site" / "marker").read_text(encoding="utf-8") == "old"


def test_failing_build_leaves_previous_site_untouched(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    site = build_project(site_project)
    before = site.files()
    stamp = site.path("").stat().st_mtime_ns, site.root.stat().st_ino
    corpus.brief("moz/moz-bad.md", title="Bad", themes="[no-such-theme]")
    with pytest.raises(ValidationFailed) as failure:
        build_project(site_project)
    assert any("no-such-theme" in f.message for f in failure.value.findings)
    assert site.files() == before
    assert (site.path("").stat().st_mtime_ns, site.root.stat().st_ino) == stamp
    assert not list(site_project.glob(".site-tmp*"))


def test_mkdocs_failure_leaves_previous_site_untouched(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    site = build_project(site_project)
    before = site.files()
    config = site_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: no-such-folder\n", 1), encoding="utf-8")
    with pytest.raises(BriefsError, match="site build failed"):
        build_project(site_project)
    assert site.files() == before
    assert not list(site_project.glob(".site-tmp*"))


def test_raw_html_in_briefs_is_sanitised(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A", body='## Context\n\n<p class="x" data-evil="1" '
                 'style="color: red">Kept <b>bold</b></p>\n')
    site = build_project(site_project)
    html = site.html(brief_path("moz-a"))
    assert "<b>bold</b>" in html
    assert "data-evil" not in html and "color: red" not in html


def test_two_builds_give_identical_bytes(corpus, site_project: Path, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    corpus.brief("tls/tls-b.md", title="B", countries="[TLS, MOZ]", themes="[health, maternity]")
    first = build_project(site_project).files()
    second = build_project(site_project).files()
    assert first == second
    assert any(k.startswith("briefs/") for k in first) and any(k.startswith("pagefind/") for k in first)


def test_sitemap_dates_pages_by_their_briefs(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A", date="2015-03")
    corpus.brief("tls/tls-b.md", title="B", countries="[TLS]", date="2016-07-09")
    site = build_project(site_project)
    sitemap = site.path("sitemap-pages.xml").read_text(encoding="utf-8")
    lastmod = dict(re.findall(r"<loc>([^<]*)</loc>\s*<lastmod>([^<]*)</lastmod>", sitemap))
    base = site.settings.site_url.rstrip("/")
    assert lastmod[f"{base}/briefs/moz-a/"] == "2015-03-01"
    assert lastmod[f"{base}/briefs/tls-b/"] == "2016-07-09"
    assert lastmod[f"{base}/themes/"] == lastmod[f"{base}/about/"] == "2016-07-09"


def test_serve_mode_shows_errors_as_pages(corpus, site_project: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    corpus.brief("moz/moz-a.md", title="A")
    corpus.brief("moz/moz-bad.md", title="Bad", themes="[no-such-theme]")
    config = load_config(config_file=str(site_project / "mkdocs.yml"),
                         site_dir=str(site_project / "preview"))
    config.plugins["briefs"].config["pdf"] = {"enabled": False}
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    errors = (site_project / "preview" / "errors" / "index.html").read_text(encoding="utf-8")
    assert "no-such-theme" in errors
    bad = (site_project / "preview" / "briefs" / "moz-bad" / "index.html").read_text("utf-8")
    assert "no-such-theme" in bad
    assert (site_project / "preview" / "briefs" / "moz-a" / "index.html").is_file()


def test_index_of_empty_corpus_renders(corpus, site_project: Path) -> None:
    site = build_project(site_project)
    assert "0" in site.content("").text()
    assert build_index(Corpus(root=site_project)).briefs == []


def test_cli_build_reports_what_it_made_and_failure_keeps_the_site(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    corpus.brief("tls/tls-b.md", title="B", countries="[TLS, MOZ]", themes="[health, maternity]")
    command = [sys.executable, "-m", "site_builder", "build", "--no-pdf"]
    result = subprocess.run(command, cwd=site_project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"built site/ in [\d.]+ s: 2 briefs, 3 of 5 themes, 2 countries, "
                        r"2 pages in the search index", summary), summary
    corpus.brief("moz/moz-bad.md", title="Bad", themes="[older-person]")
    result = subprocess.run(command, cwd=site_project, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "moz-bad.md:" in result.stdout and "did you mean 'older-persons'" in result.stdout
    assert "the previous site/ is unchanged" in result.stderr
    assert (site_project / "site" / "briefs" / "tls-b" / "index.html").is_file()


@pytest.mark.slow
def test_a_bad_bundle_file_fails_the_build_with_its_line(corpus, site_project: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A")
    settings = load_settings(site_project)
    build_site(settings, pdf=True)
    before = BuiltSite(site_project, site_project / "site", None, settings).files()  # type: ignore[arg-type]
    (site_project / "bundles").mkdir()
    (site_project / "bundles" / "event.yml").write_text(
        "title: Event pack\nselect:\n  themes: [older-person]\n", encoding="utf-8")
    with pytest.raises(BriefsError) as caught:
        build_site(settings, pdf=True)
    assert str(caught.value) == (
        "the site build failed:\n"
        "bundles/event.yml:3:12: unknown theme 'older-person' (did you mean 'older-persons'?)")
    assert BuiltSite(site_project, site_project / "site", None, settings).files() == before  # type: ignore[arg-type]
