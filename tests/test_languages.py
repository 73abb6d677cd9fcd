"""The site in several languages (issue 13): English, French, Spanish.

A small corpus in three languages, with translations both ways, is built with
``languages: [en, fr, es]``; its pages are read back (and, in ``test_languages_browser.py``,
driven in Chromium). A site of one language is byte-identical whether ``languages`` is
unset or ``[en]``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import CorpusWriter
from fixtures_site import BuiltSite, build_project, make_project

from site_builder.bundle import Cover, pack_language, site_bundle_specs
from site_builder.bundle.front import ContentsEntry, front_html
from site_builder.bundle.spec import BundleFileError, read_bundle_file
from site_builder.corpus import load_corpus
from site_builder.country_names import country_name, sort_key
from site_builder.downloads import ThemePack
from site_builder.findings import BriefsError
from site_builder.i18n import LOCALES_DIR
from site_builder.index import build_index
from site_builder.localise import site_indexes
from site_builder.scaffold import new_brief
from site_builder.settings import load_settings, settings_from_options
from site_builder.vocabulary import get_country, missing_translations

# The Flagship Programme's 21 target countries and territory (../shared/seed/), with their
# short names in the United Nations terminology database (UNTERM), French and Spanish.
UNTERM = {
    "CPV": ("Cabo Verde", "Cabo Verde"),
    "KHM": ("Cambodge", "Camboya"),
    "CMR": ("Cameroun", "Camerún"),
    "SLV": ("El Salvador", "El Salvador"),
    "HND": ("Honduras", "Honduras"),
    "IND": ("Inde", "India"),
    "IDN": ("Indonésie", "Indonesia"),
    "KGZ": ("Kirghizistan", "Kirguistán"),
    "LAO": ("République démocratique populaire lao", "República Democrática Popular Lao"),
    "MWI": ("Malawi", "Malawi"),
    "MOZ": ("Mozambique", "Mozambique"),
    "MMR": ("Myanmar", "Myanmar"),
    "NER": ("Niger", "Níger"),
    "PAK": ("Pakistan", "Pakistán"),
    "PRY": ("Paraguay", "Paraguay"),
    "SEN": ("Sénégal", "Senegal"),
    "TLS": ("Timor-Leste", "Timor-Leste"),
    "TGO": ("Togo", "Togo"),
    "VNM": ("Viet Nam", "Viet Nam"),
    "ZMB": ("Zambie", "Zambia"),
    "PSE": ("Territoire palestinien occupé", "Territorio Palestino Ocupado"),
}

THEMES = """\
- id: older-persons
  title: {en: Older persons, fr: Personnes âgées, es: Personas mayores}
  description: {en: Pensions for older persons., fr: Des pensions pour les personnes âgées., es: Pensiones para las personas mayores.}
- id: health
  title: {en: Health, fr: Santé, es: Salud}
  description: {en: Social health protection., fr: Protection sociale de la santé., es: Protección social de la salud.}
- id: maternity
  title: {en: Maternity, es: Maternidad}
  description: Maternity benefits.
"""
REGIONS = """\
- id: sahel
  title: {en: Sahel, fr: Sahel, es: Sahel}
  countries: [NER, SEN]
"""
LANGUAGES = "      languages: [en, fr, es]\n"


def three_language_corpus(corpus: CorpusWriter) -> None:
    """Briefs in three languages: translations both ways, and briefs of their own."""
    corpus.write("themes.yml", THEMES)
    corpus.write("regions.yml", REGIONS)
    corpus.brief("moz/moz-pensions.md", title='"Mozambique: a pension strategy"',
                 countries="[MOZ]", themes="[older-persons]", date="2016-02-23",
                 summary='"Older persons get a basic pension."',
                 body="## Context\n\nA basic pension for older persons in Mozambique.\n")
    corpus.brief("moz/moz-pensions-fr.md", title='"Mozambique : une stratégie pour les retraites"',
                 countries="[MOZ]", themes="[older-persons]", date="2016-02-23", language="fr",
                 translation_of="moz-pensions", summary='"Une pension de base pour les aînés."',
                 body="## Contexte\n\nLa retraite de base des personnes âgées au Mozambique.\n")
    corpus.brief("sen/sen-retraites.md", title='"Sénégal : les retraites des travailleurs"',
                 countries="[SEN]", themes="[older-persons, maternity]", regions="[sahel]",
                 date="2016-05-10", language="fr", summary='"Les retraites au Sénégal."',
                 body="## Contexte\n\nLa retraite et les pensions des travailleurs au Sénégal.\n")
    corpus.brief("col/col-rural-es.md", title='"Colombia: un piso rural"', countries="[COL]",
                 themes="[health]", date="2016-12", language="es",
                 summary='"Un piso de protección social para las zonas rurales."',
                 body="## Contexto\n\nLa salud de los trabajadores rurales.\n")
    corpus.brief("col/col-rural.md", title='"Colombia: a rural floor"', countries="[COL]",
                 themes="[health]", date="2016-12", translation_of="col-rural-es",
                 summary='"A social protection floor for rural areas."')
    corpus.brief("egy/egy-health.md", title='"Egypt: health insurance"', countries="[EGY]",
                 themes="[health]", date="2015-01-05", summary='"Health insurance in Egypt."')
    corpus.brief("tza/tza-health.md", title='"Tanzania: health"', countries="[TZA]",
                 themes="[health]", date="2015-03-01", summary='"Health in Tanzania."')


def with_languages(project: Path, line: str = LANGUAGES) -> Path:
    """Add a ``languages`` line to the project's briefs plugin block."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"\n\s+languages: \[[^\]]*\][^\n]*", "", text)
    config.write_text(text.replace("      briefs_dir: briefs\n",
                                   "      briefs_dir: briefs\n" + line, 1), encoding="utf-8")
    return project


# -- settings, names, vocabularies ----------------------------------------------------------

def test_languages_option(tmp_path: Path) -> None:
    site = {"theme": {"language": "en"}}
    settings = settings_from_options(tmp_path, site, {"languages": ["fr", "en", "es"]})
    assert settings.languages == ("fr", "en", "es") and settings.language == "fr"
    assert settings.multilingual and settings.other_languages == ("en", "es")
    one = settings_from_options(tmp_path, {"theme": {"language": "es"}}, {})
    assert one.languages == ("es",) and not one.multilingual
    for bad, message in ((["en", "xx"], "unknown language code 'xx'"), (["en", "en"], "twice"),
                         ([], "must be a list"), ({"en": 1}, "must be a list")):
        with pytest.raises(BriefsError, match=message):
            settings_from_options(tmp_path, site, {"languages": bad})


@pytest.mark.parametrize("code", sorted(UNTERM))
def test_target_countries_have_their_un_names(code: str) -> None:
    french, spanish = UNTERM[code]
    country = get_country(code)
    assert country_name(country, "fr") == french
    assert country_name(country, "es") == spanish


def test_names_sort_with_accents_folded() -> None:
    names = ["Érythrée", "Égypte", "Zambie", "Eswatini", "équateur", "Cameroun", "Espagne"]
    assert sorted(names, key=sort_key) == ["Cameroun", "Égypte", "équateur", "Érythrée",
                                          "Espagne", "Eswatini", "Zambie"]


def test_missing_translation_is_a_warning_at_its_line(corpus: CorpusWriter) -> None:
    path = corpus.write("themes.yml", THEMES)
    found = missing_translations(path, "briefs/themes.yml", ("en", "fr", "es"))
    assert [(f.line, f.code, f.severity.value) for f in found] == [
        (8, "missing-translation", "warning"), (9, "missing-translation", "warning"),
        (9, "missing-translation", "warning")]
    assert "'maternity' has no title in 'fr'" in found[0].message
    assert missing_translations(path, "t.yml", ("en",)) == []
    vocab, findings = load_corpus(corpus.root)[0], load_corpus(corpus.root)[1]
    assert findings == [] and vocab.themes["maternity"].title == "Maternity"


def test_listing_shows_one_version_per_language(corpus: CorpusWriter) -> None:
    three_language_corpus(corpus)
    loaded, findings = load_corpus(corpus.root)
    assert [f for f in findings if f.severity.value == "error"] == []
    indexes = site_indexes(loaded, ("en", "fr", "es"))
    listed = {lang: {b.slug for b in index.briefs} for lang, index in indexes.items()}
    assert listed["en"] == {"moz-pensions", "sen-retraites", "col-rural", "egy-health",
                            "tza-health"}
    assert listed["fr"] == {"moz-pensions-fr", "sen-retraites", "col-rural", "col-rural-es",
                            "egy-health", "tza-health"}
    assert listed["es"] == {"moz-pensions", "moz-pensions-fr", "sen-retraites", "col-rural-es",
                            "egy-health", "tza-health"}
    french = indexes["fr"]
    assert [c.name for c in french.countries()] == ["Colombie", "Égypte", "Mozambique",
                                                     "République-Unie de Tanzanie", "Sénégal"]
    maternity = french.corpus.themes["maternity"]
    assert (maternity.title, maternity.title_lang) == ("Maternity", "en")
    assert french.corpus.themes["health"].title == "Santé"
    assert indexes["es"].corpus.themes["maternity"].title == "Maternidad"
    one = build_index(loaded)  # one language: every brief listed, as before
    assert len(one.briefs) == 7


def test_new_brief_headings_in_its_language(corpus: CorpusWriter) -> None:
    loaded, _ = load_corpus(corpus.root)
    for language, first in (("fr", "## Contexte"), ("es", "## Contexto"), ("pt", "## Contexto"),
                            ("en", "## Context")):
        path = new_brief(loaded, f"Brief {language}", ["MOZ"], ["health"], language=language,
                         slug=f"moz-{language}")
        text = path.read_text(encoding="utf-8")
        assert first in text and f"language: {language}" in text
    assert "## Prochaines étapes" in (corpus.root / "moz/moz-fr.md").read_text()
    loaded, findings = load_corpus(corpus.root)
    assert [f for f in findings if f.severity.value == "error"] == []


def test_pack_language_and_cover_words(corpus: CorpusWriter, tmp_path: Path) -> None:
    three_language_corpus(corpus)
    project = with_languages(make_project(tmp_path))
    settings = load_settings(project)
    loaded, _ = load_corpus(settings.content_root)
    indexes = site_indexes(loaded, settings.languages)
    french_only = [indexes["en"].by_slug["sen-retraites"]]
    assert pack_language(Cover("t"), french_only, settings) == "fr"
    assert pack_language(Cover("t"), list(indexes["en"].briefs), settings) == "en"
    assert pack_language(Cover("t", language="es"), french_only, settings) == "es"
    front = front_html(Cover("Paquete", language="es"),
                       [ContentsEntry(french_only[0], 1)], loaded, settings)
    assert '<html lang="es">' in front and "Índice" in front
    assert "Personas mayores" in front and "Maternidad" in front  # names in the pack's language
    specs = {key: (cover, index.language) for key, _, cover, index in
             site_bundle_specs(indexes, settings)}
    # French pages list the French translation, Spanish pages both versions: their own packs.
    assert specs[ThemePack("older-persons", "fr")][0].title == "Personnes âgées"
    assert specs[ThemePack("older-persons", "fr")][0].language == "fr"
    assert ThemePack("maternity", "fr") not in specs  # the same one brief as in English
    assert ThemePack("maternity", "es") not in specs
    assert specs[ThemePack("maternity")][0].language == "fr"  # all its briefs are French
    (project / "bundles").mkdir()
    bundle = project / "bundles" / "fr.yml"
    bundle.write_text("title: Pack\nlanguage: fr\nselect:\n  themes: [health]\n", encoding="utf-8")
    assert read_bundle_file(bundle).language == "fr"
    bundle.write_text("title: Pack\nlanguage: xx\nselect:\n  themes: [health]\n", encoding="utf-8")
    with pytest.raises(BundleFileError, match=r"2:\d+: unknown language 'xx'"):
        read_bundle_file(bundle)


# -- built sites ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The three-language corpus built with ``languages: [en, fr, es]`` (PDFs off)."""
    root = tmp_path_factory.mktemp("three")
    three_language_corpus(CorpusWriter(root / "briefs"))
    return build_project(with_languages(make_project(root)))


def _lang(site: BuiltSite, url: str) -> str:
    html = site.page(url).find("html")
    assert html is not None
    return html.attrs["lang"]


@pytest.mark.slow
def test_every_language_has_its_pages_at_the_contract_urls(three_site: BuiltSite) -> None:
    for prefix, lang in (("", "en"), ("fr/", "fr"), ("es/", "es")):
        for url in ("", "themes/", "themes/health/", "countries/", "countries/col/",
                    "regions/sahel/", "coverage/", "search/"):
            assert _lang(three_site, prefix + url) == lang, prefix + url
        for feed in ("feed.xml", "themes/health/feed.xml", "countries/col/feed.xml"):
            root = ET.fromstring(three_site.path(prefix + feed).read_bytes())
            assert root.attrib["{http://www.w3.org/XML/1998/namespace}lang"] == lang
    for slug, lang in (("moz-pensions", "en"), ("moz-pensions-fr", "fr"), ("col-rural-es", "es"),
                       ("sen-retraites", "fr")):
        assert _lang(three_site, f"briefs/{slug}/") == lang
    assert not (three_site.root / "fr" / "briefs").exists()  # a brief has one page


@pytest.mark.slow
def test_listings_and_feeds_show_one_version(three_site: BuiltSite) -> None:
    def cards(url: str) -> list[str]:
        return [a.attrs["href"].rstrip("/").rsplit("/", 1)[-1]
                for card in three_site.content(url).find_all("li", "brief-card")
                for a in card.find_all("a")]

    assert cards("fr/themes/older-persons/") == ["sen-retraites", "moz-pensions-fr"]
    assert cards("themes/older-persons/") == ["sen-retraites", "moz-pensions"]
    assert sorted(cards("es/themes/older-persons/")) == ["moz-pensions", "moz-pensions-fr",
                                                         "sen-retraites"]
    assert cards("es/countries/col/") == ["col-rural-es"]
    card = next(c for c in three_site.content("es/themes/older-persons/").find_all(
        "li", "brief-card") if "sen-retraites" in str(c.find("a").attrs))
    assert card.attrs.get("lang") == "fr" and card.find(cls="card-language").text() == "francés"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(three_site.path("fr/feed.xml").read_bytes())
    links = [e.find(f"{atom}link").attrib["href"].rstrip("/").rsplit("/", 1)[-1]
             for e in feed.findall(f"{atom}entry")]
    assert links == [b.slug for b in site_indexes(three_site.index.corpus,
                                                   three_site.settings.languages)["fr"].briefs]
    assert "moz-pensions-fr" in links and "moz-pensions" not in links


@pytest.mark.slow
def test_names_dates_and_fallbacks_in_the_page_language(three_site: BuiltSite) -> None:
    french = three_site.content("fr/countries/")
    names = [a.text() for a in french.find_all("a") if "/countries/" in a.attrs.get("href", "")]
    assert names == ["Égypte", "Mozambique", "République-Unie de Tanzanie", "Sénégal",  # Afrique
                     "Colombie"]  # Amériques
    assert "23 février 2016" in three_site.content("fr/countries/moz/").text()
    assert "diciembre de 2016" in three_site.content("es/countries/col/").text()
    theme = three_site.content("fr/themes/maternity/")
    heading = theme.find("h1")
    assert heading.text() == "Maternity" and heading.attrs.get("lang") == "en"
    assert three_site.content("es/themes/maternity/").find("h1").attrs.get("lang") is None
    assert three_site.content("fr/themes/health/").find("h1").text() == "Santé"
    brief = three_site.content("briefs/moz-pensions-fr/")
    assert "Personnes âgées" in brief.text() and "Pays" in brief.text()


def _switcher(site: BuiltSite, url: str) -> dict[str, str]:
    nav = site.page(url).find("nav", "cb-languages")
    assert nav is not None, url
    base = url if url.endswith("/") or not url else url.rsplit("/", 1)[0] + "/"
    out = {}
    for a in nav.find_all("a"):
        target = (Path("/" + base) / a.attrs["href"]).as_posix()
        parts: list[str] = []
        for part in target.split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        out[a.attrs["lang"]] = "/".join(parts) + "/"
    return out


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.slow
def test_switcher_and_hreflang_targets(three_site: BuiltSite) -> None:
    assert _switcher(three_site, "fr/themes/health/") == {
        "en": "themes/health/", "fr": "fr/themes/health/", "es": "es/themes/health/"}
    # A brief: its translation where there is one, else that language's page of its first theme.
    assert _switcher(three_site, "briefs/moz-pensions/") == {
        "en": "briefs/moz-pensions/", "fr": "briefs/moz-pensions-fr/",
        "es": "es/themes/older-persons/"}
    assert _switcher(three_site, "briefs/col-rural-es/") == {
        "en": "briefs/col-rural/", "fr": "fr/themes/health/", "es": "briefs/col-rural-es/"}
    # The versions are declared in the sitemap, not the head: mkdocs-material's script
    # fetches a sitemap.xml beside every <link rel="alternate"> (a 404, or the whole sitemap).
    assert not [link for link in three_site.page("briefs/moz-pensions-fr/").find_all("link")
                if "hreflang" in link.attrs]
    index = ET.fromstring(three_site.path("sitemap.xml").read_bytes())
    [pages_loc] = [e.text for e in index.iter(SITEMAP + "loc")]
    assert pages_loc.endswith("/sitemap-pages.xml") and len(three_site.path("sitemap.xml")
                                                          .read_bytes()) < 400
    for folder in ("fr", "es", "fr/themes/health", "countries/moz"):  # beside their feeds
        assert three_site.path(f"{folder}/sitemap.xml").read_bytes() == \
            three_site.path("sitemap.xml").read_bytes()
    urlset = ET.fromstring(three_site.path("sitemap-pages.xml").read_bytes())
    versions, dated = {}, {}
    for url in urlset.iter(SITEMAP + "url"):
        loc = url.findtext(SITEMAP + "loc")
        dated[loc[loc.index("/", 8) + 1:]] = url.findtext(SITEMAP + "lastmod")
        versions[loc[loc.index("/", 8) + 1:]] = {
            link.get("hreflang"): link.get("href")[link.get("href").index("/", 8) + 1:]
            for link in url.iter(XHTML + "link")}
    assert versions["briefs/moz-pensions-fr/"] == {"en": "briefs/moz-pensions/",
                                                    "fr": "briefs/moz-pensions-fr/"}
    assert versions["briefs/moz-pensions/"] == versions["briefs/moz-pensions-fr/"]
    assert set(versions["es/themes/health/"]) == {"en", "fr", "es"}
    assert versions["about/"] == {}  # one version: no alternates
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", dated["briefs/moz-pensions-fr/"] or "")


@pytest.mark.slow
def test_chrome_words_follow_the_page(three_site: BuiltSite) -> None:
    page = three_site.html("briefs/moz-pensions-fr/")
    assert "Aller au contenu" in page and "Table des matières" in page  # mkdocs-material's
    assert 'placeholder="Rechercher des notes"' in page
    assert 'action="../../fr/search/"' in page
    assert "Saltar a contenido" in three_site.html("briefs/col-rural-es/")
    assert 'action="../search/"' in three_site.html("es/coverage/")  # es/search/
    tabs = [a.text() for a in three_site.page("es/").find_all("a", "md-tabs__link")]
    assert tabs[:5] == ["Inicio", "Temas", "Países", "Cobertura", "Buscar"], tabs
    assert "Skip to content" in three_site.html("briefs/moz-pensions/")


@pytest.mark.slow
def test_search_pages_count_their_own_index(three_site: BuiltSite) -> None:
    import json

    page = three_site.page("fr/search/")
    counts = json.loads(page.find("script", id="cb-facets").text())
    assert counts["theme"] == {"Maternity": 1, "Personnes âgées": 2}
    assert counts["language"] == {"français": 2}
    every = json.loads(page.find("script", id="cb-facets-all").text())
    assert sum(every["language"].values()) == 7
    box = page.find("input", id="cb-all-languages")
    assert box is not None and box.attrs["data-languages"] == "en es"
    entry = json.loads((three_site.root / "pagefind" / "pagefind-entry.json").read_text())
    assert {k: v["page_count"] for k, v in entry["languages"].items()} == {"en": 4, "fr": 2, "es": 1}


# -- a French page holds no word outside the French catalogue ---------------------------

def _pseudo_french(folder: Path) -> None:
    """A French catalogue wrapping every message in ⟦…⟧ (in the project's override folder)."""
    with open(LOCALES_DIR / "messages.pot", "rb") as handle:
        catalog = read_po(handle, locale="fr")
    for message in catalog:
        if message.id:
            message.string = tuple(f"⟦{message.id[min(i, 1)]}⟧" for i in range(
                catalog.num_plurals)) if isinstance(message.id, tuple) else f"⟦{message.id}⟧"
    target = folder / "locales" / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.po", "wb") as handle:
        write_po(handle, catalog)


@pytest.mark.slow
def test_french_pages_use_only_the_french_catalogue(tmp_path: Path) -> None:
    from test_rendering import _texts, _unwrapped

    three_language_corpus(CorpusWriter(tmp_path / "briefs"))
    project = with_languages(make_project(tmp_path))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n", 1), encoding="utf-8")
    _pseudo_french(project / "overrides")
    site = build_project(project)
    french = site_indexes(site.index.corpus, site.settings.languages)["fr"]
    names = {site.settings.site_name, site.settings.site_description, site.settings.licence,
             site.settings.series, site.settings.publisher}
    for brief in french.by_slug.values():
        names |= {brief.title, brief.summary, *brief.authors}
        names |= {c.name for c in brief.countries} | {c.alpha3 for c in brief.countries}
        names |= {c.alpha2 for c in brief.countries} | {t.title for t in brief.themes}
    names |= {t.title for t in french.corpus.themes.values()}
    names |= {t.description for t in french.corpus.themes.values()}
    names |= {r.title for r in french.corpus.regions.values()}
    names |= {c.name for r in french.corpus.regions.values() for c in r.countries}
    names |= {"23 février 2016", "10 mai 2016", "décembre 2016", "5 janvier 2015", "1 mars 2015",
              "1er mars 2015", "français", "anglais", "espagnol", "Français", "English", "Español",
              "FR", "EN", "ES", "Onglets"}  # the last: mkdocs-material's own French
    ordered = sorted((n for n in names if n), key=len, reverse=True)
    for url in ("fr/", "fr/themes/", "fr/themes/older-persons/", "fr/countries/",
                "fr/countries/sen/", "fr/regions/sahel/", "fr/coverage/", "fr/search/",
                "briefs/moz-pensions-fr/", "briefs/sen-retraites/"):
        tree = site.page(url)
        parts = [n for n in tree.iter() if n.classes & {"md-content", "cb-header-search",
                                                        "md-tabs", "cb-languages"}]
        assert len(parts) >= 3, url
        left = [t.strip() for part in parts for t in _texts(part, {"brief-body", "cb-search-meta"})
                if _unwrapped(t, ordered)]
        assert left == [], f"{url}: words outside the catalogue: {left[:10]}"


# -- one language: the site as before --------------------------------------------------------

@pytest.mark.slow
def test_one_language_site_is_the_same_with_languages_en(corpus: CorpusWriter, tmp_path: Path
                                                         ) -> None:
    three_language_corpus(corpus)
    corpus.write("themes.yml", THEMES.replace("{en: Maternity, es: Maternidad}", "Maternity"))
    first = build_project(with_languages(make_project(tmp_path / "a", corpus.root), "")).files()
    second = build_project(with_languages(make_project(tmp_path / "b", corpus.root),
                                          "      languages: [en]\n")).files()
    assert first == second
    assert not any(path.startswith(("fr/", "es/")) for path in first)


def test_validate_reports_missing_translations(corpus: CorpusWriter, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from site_builder.cli import main

    three_language_corpus(corpus)
    with_languages(make_project(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert ("briefs/themes.yml:8:10: warning: 'maternity' has no title in 'fr': the default "
            "language's text is shown instead") in result.output
    assert result.output.count("[missing-translation]") == 3
