"""Page renderers, link rewriting and feeds as plain functions (no MkDocs build)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from fixtures_site import parse_html

from site_builder.corpus import load_corpus
from site_builder.downloads import BriefPdf, CountryPack, Download, FilePack, ThemePack
from site_builder.feeds import atom_date, render_feeds
from site_builder.index import build_index
from site_builder.model import BriefDate
from site_builder.pages.links import rewrite_links
from site_builder.pages.site import render_site_pages
from site_builder.settings import Settings
from site_builder.templating import format_size, templates_for
from site_builder.theme_files import ThemeFiles
from site_builder.urls import Linker

ATOM = "{http://www.w3.org/2005/Atom}"


def _index(corpus):
    loaded, findings = load_corpus(corpus.root)
    assert not [f for f in findings if f.severity == "error"], findings
    return build_index(loaded)


def test_linker_climbs_to_the_site_root() -> None:
    assert Linker("")("briefs/a/") == "briefs/a/"
    assert Linker("")("") == "./"
    assert Linker("themes/x/")("briefs/a/") == "../../briefs/a/"
    assert Linker("themes/")("") == "../"
    assert Linker("briefs/a/")("pdf/a.pdf") == "../../pdf/a.pdf"
    assert Linker("coverage/")("countries/moz/#theme-health") == "../countries/moz/#theme-health"


def test_dates_sizes_and_downloads_read_well() -> None:
    words = templates_for(ThemeFiles(), "en")
    assert words.format_date(BriefDate.parse("2016-02-03")) == "3 February 2016"
    assert words.format_date(BriefDate.parse("2016-11")) == "November 2016"
    assert templates_for(ThemeFiles(), "fr").format_date(BriefDate.parse("2016-02-23")) == "23 février 2016"
    assert templates_for(ThemeFiles(), "es").format_date(BriefDate.parse("2016-02-23")) \
        == "23 de febrero de 2016"
    assert atom_date(BriefDate.parse("2016-11")) == "2016-11-01T00:00:00Z"
    assert format_size(812, "en") == "812 B"
    assert format_size(312_400, "en") == "312 kB"
    assert format_size(4_200_000, "en") == "4.2 MB"
    assert format_size(4_200_000, "fr") == "4,2 MB"
    assert Download(BriefPdf("a"), "pdf/a.pdf", 312_400, 4).format == "PDF"


def test_rewrite_links_to_briefs_and_assets(corpus) -> None:
    corpus.write("moz/img/map.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    corpus.write("shared/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    body = ("See [B](../tls/tls-b.md#costs), [the\nother](../tls/tls-b.md) and "
            "![Map](img/map.svg) and [Logo](../shared/logo.svg).\n\n"
            "```\n[code](../tls/tls-b.md)\n```\n\n`[span](../tls/tls-b.md)`\n\n"
            "[web](https://example.org/x.md) [ref]: ../tls/tls-b.md\n")
    corpus.brief("moz/moz-a.md", body=body)
    corpus.brief("tls/tls-b.md", countries="[TLS]")
    loaded, _ = load_corpus(corpus.root)
    brief = loaded.get("moz-a")
    assert brief is not None
    result = rewrite_links(brief, corpus.root)
    assert brief.web == result
    assert "[B](../tls-b/index.md#costs)" in result.body
    assert "other](../tls-b/index.md)" in result.body
    assert "![Map](img/map.svg)" in result.body
    assert "[Logo](_files/shared/logo.svg)" in result.body  # a link: images stay in the folder
    assert "```\n[code](../tls/tls-b.md)\n```" in result.body
    assert "`[span](../tls/tls-b.md)`" in result.body
    assert "https://example.org/x.md" in result.body
    assert result.assets == {
        "briefs/moz-a/img/map.svg": corpus.root / "moz" / "img" / "map.svg",
        "briefs/moz-a/_files/shared/logo.svg": corpus.root / "shared" / "logo.svg",
    }


def test_downloads_and_search_hooks_show_when_given(corpus) -> None:
    corpus.brief("moz/moz-a.md", title="A", themes="[health]")
    index = _index(corpus)
    downloads = {
        BriefPdf("moz-a"): Download(BriefPdf("moz-a"), "pdf/moz-a.pdf", 312_400, 4),
        ThemePack("health"): Download(ThemePack("health"), "bundles/health.pdf", 2_100_000, 12),
        CountryPack("MOZ"): Download(CountryPack("MOZ"), "bundles/moz.pdf", 900_000, 8),
        FilePack("event"): Download(FilePack("event"), "bundles/event.pdf", 1_500_000, 20,
                                    "Event pack"),
    }
    site = render_site_pages(index, Settings(project_dir=corpus.root.parent, search=True), downloads)
    brief = site.pages["briefs/moz-a/index.md"]
    assert '<span data-pagefind-filter="theme">Health</span>' in brief.html
    assert brief.html.index("cb-search-meta") < brief.html.index("</header>")
    assert "search/index.md" in site.pages
    assert "PDF, 4 pages, 312 kB" in brief.html and "../../pdf/moz-a.pdf" in brief.html
    theme = site.pages["themes/health/index.md"].html
    assert "../../bundles/health.pdf" in theme and "PDF, 12 pages, 2.1 MB" in theme
    assert "../../search/?theme=Health" in theme
    country = site.pages["countries/moz/index.md"].html
    assert "../../bundles/moz.pdf" in country and "../../search/?country=Mozambique" in country
    assert "bundles/event.pdf" in site.pages["index.md"].html
    assert "Event pack" in site.pages["index.md"].html
    without = render_site_pages(index, Settings(project_dir=corpus.root.parent, search=False), {})
    assert "pdf/moz-a.pdf" not in without.pages["briefs/moz-a/index.md"].html
    assert "search/" not in without.pages["themes/health/index.md"].html
    assert "search/index.md" not in without.pages
    assert "data-pagefind" not in without.pages["briefs/moz-a/index.md"].html


def test_generated_text_is_escaped(corpus) -> None:
    corpus.brief("moz/moz-a.md", title='"<b>Bold</b> & co"', summary='"<i>x</i>"')
    site = render_site_pages(_index(corpus), Settings(project_dir=corpus.root.parent), {})
    for page in site.pages.values():
        assert "<b>Bold" not in page.html
        assert "<i>x" not in page.html
    header = parse_html(site.pages["briefs/moz-a/index.md"].html)
    h1 = header.find("h1")
    assert h1 is not None and h1.text() == "<b>Bold</b> & co"


def test_brief_body_is_sanitised_and_generated_html_kept(corpus) -> None:
    corpus.brief("moz/moz-a.md")
    page = render_site_pages(_index(corpus), Settings(project_dir=corpus.root.parent),
                             {}).pages["briefs/moz-a/index.md"]
    html = page.assemble('<p data-x="1" style="color:red">Text</p>')
    assert "<p>Text</p>" in html
    assert '<ul class="chips" aria-label="Themes">' in html  # the generated header survives


def test_feeds_are_deterministic_and_valid(corpus, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A", date="2016-02-23", themes="[health, maternity]")
    corpus.brief("tls/tls-b.md", title="B", countries="[TLS]", date="2017-05")
    settings = Settings(project_dir=tmp_path, site_url="https://briefs.example.org/")
    first = render_feeds(_index(corpus), settings)
    assert first == render_feeds(_index(corpus), settings)
    assert set(first) == {"feed.xml", "countries/moz/feed.xml", "countries/tls/feed.xml",
                          *(f"themes/{t}/feed.xml" for t in _index(corpus).corpus.themes)}
    root = ET.fromstring(first["feed.xml"])
    assert root.findtext(f"{ATOM}updated") == "2017-05-01T00:00:00Z"
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == ["https://briefs.example.org/briefs/tls-b/",
                   "https://briefs.example.org/briefs/moz-a/"]
    health = ET.fromstring(first["themes/health/feed.xml"])
    entry = health.find(f"{ATOM}entry")
    assert entry is not None
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert terms == ["health", "maternity", "MOZ"]
    empty = ET.fromstring(first["themes/children/feed.xml"])
    assert empty.findall(f"{ATOM}entry") == []


def test_reused_cards_are_the_cards_rendered_each_time(monkeypatch) -> None:
    """A brief's card and list entry, rendered once and reused, are what rendering each one
    on its page gives: in every language, at every depth, for briefs in another language."""
    from site_builder.localise import site_indexes
    from site_builder.pages import base
    from site_builder.pages.site import LISTING_PAGES, render_page_html
    from site_builder.settings import load_settings

    settings = load_settings(Path(__file__).resolve().parent.parent)
    corpus, _ = load_corpus(settings.content_root)
    indexes = site_indexes(corpus, settings.languages)
    reused: list[tuple[object, ...]] = []
    render = base.SiteContext.render

    def counting(self, template, path, **context):
        def reuse(*key, caller):
            keep = {"n": 0}

            def counted():
                keep["n"] += 1
                return caller()
            text = self.reuse(*key, caller=counted)
            if not keep["n"]:
                reused.append(key)
            return text
        return render(self, template, path, reuse=reuse, **context)

    monkeypatch.setattr(base.SiteContext, "render", counting)
    once = render_page_html(indexes, settings, {}, LISTING_PAGES)
    assert {key[0] for key in reused} == {"card", "entry"}  # reused, both kinds
    assert {key[-1] for key in reused} >= set(settings.languages)
    monkeypatch.setattr(base.SiteContext, "render",
                        lambda self, template, path, **context: render(
                            self, template, path, reuse=lambda *key, caller: caller(), **context))
    assert render_page_html(indexes, settings, {}, LISTING_PAGES) == once
