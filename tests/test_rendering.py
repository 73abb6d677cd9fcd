"""One rendering layer: autoescaped templates, gettext catalogues, an overridable theme.

- Hostile values from briefs, vocabularies and bundle files never become markup: in the
  built HTML (head included, checked in real Chromium), the embedded JSON, the Atom feeds,
  the serve error pages, PDF metadata and XMP.
- A pseudo-locale wraps every catalogue string (``⟦Themes⟧``): every visible text of every
  page type outside the briefs' own content and names must come out wrapped.
- A project overrides a template and a partial from its own folder.
"""

from __future__ import annotations

import ast
import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po
from browser_support import chromium, serve_folder
from fixtures_site import BuiltSite, Node, build_project, make_project, parse_html
from markupsafe import escape

from site_builder.build import build_site
from site_builder.corpus import load_corpus
from site_builder.findings import Finding, Severity
from site_builder.i18n import LOCALES_DIR
from site_builder.index import build_index
from site_builder.pages.site import site_context
from site_builder.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each breaks out of a different context: element text, attribute, comment, CDATA, script.
HOSTILE = '</title><script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'
COMMENT = "<!--<script>"
CDATA = "]]>&amp;<"


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_project(target: Path) -> Path:
    """A project whose brief, vocabulary and bundle-file values are all hostile."""
    project = make_project(target)
    briefs = project / "briefs"
    briefs.mkdir()
    (briefs / "themes.yml").write_text(
        f"- id: pensions\n  title: {_yaml('Pensions ' + HOSTILE)}\n"
        f"  description: {_yaml(COMMENT + ' theme ' + CDATA)}\n"
        f"- id: health\n  title: {_yaml(COMMENT + ' Health')}\n  description: {_yaml(HOSTILE)}\n",
        encoding="utf-8")
    (briefs / "regions.yml").write_text(
        f"- id: sahel\n  title: {_yaml('Sahel ' + HOSTILE)}\n  countries: [NER, SEN]\n"
        f"  description: {_yaml(CDATA + COMMENT)}\n", encoding="utf-8")
    (briefs / "ner").mkdir()
    (briefs / "ner" / "ner-a.md").write_text(
        "---\n"
        f"title: {_yaml('Niger ' + HOSTILE)}\n"
        "countries: [NER]\nthemes: [pensions, health]\nregions: [sahel]\ndate: 2016-02-23\n"
        f"summary: {_yaml('Summary ' + HOSTILE + ' ' + COMMENT + ' ' + CDATA)}\n"
        f"authors: [{_yaml('Author ' + HOSTILE)}]\n"
        f"series: {_yaml('Series ' + CDATA)}\n"
        f"keywords: [{_yaml(COMMENT)}]\n"
        "---\n## Context\n\nSome text.\n", encoding="utf-8")
    (project / "bundles").mkdir()
    (project / "bundles" / "event.yml").write_text(
        f"title: {_yaml('Pack ' + HOSTILE)}\nsubtitle: {_yaml(COMMENT)}\n"
        f"event: {_yaml(CDATA)}\ndate: {_yaml(HOSTILE)}\nselect:\n  themes: [pensions]\n",
        encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The hostile project built with its PDFs and packs."""
    project = hostile_project(tmp_path_factory.mktemp("hostile"))
    settings = load_settings(project)
    root = build_site(settings, pdf=True, jobs=1).site
    corpus, findings = load_corpus(settings.content_root)
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    return BuiltSite(project, root, build_index(corpus), settings)


def _pages(site: BuiltSite) -> list[Path]:
    return sorted(site.root.rglob("*.html"))


@pytest.mark.slow
def test_hostile_values_never_become_markup_in_the_html(hostile_site: BuiltSite) -> None:
    pages = _pages(hostile_site)
    assert len(pages) > 10
    for path in pages:
        tree = parse_html(path.read_text(encoding="utf-8"))
        where = path.relative_to(hostile_site.root)
        for node in tree.iter():
            assert not any(k.startswith("on") for k in node.attrs), (where, node.tag, node.attrs)
            if node.tag == "script" and node.attrs.get("type") == "application/json":
                assert "<" not in node.text(), where  # data that cannot close its element
            elif node.tag == "script":
                assert "__pwned" not in node.text(), where
            assert node.tag != "img" or node.attrs.get("src") != "x", where
    brief = hostile_site.page("briefs/ner-a/")
    title = brief.find("title")
    assert title is not None and title.text().startswith("Niger </title><script>")
    description = next(n for n in brief.find_all("meta") if n.attrs.get("name") == "description")
    assert description.attrs["content"].startswith("Summary </title>")


@pytest.mark.slow
def test_embedded_json_cannot_close_its_script(hostile_site: BuiltSite) -> None:
    text = hostile_site.html("search/")
    for match in re.finditer(r'<script type="application/json" id="cb-\w+">(.*?)</script>', text, re.S):
        body = match.group(1)
        assert "<" not in body and ">" not in body and "&" not in body
        assert "\u2028" not in body and "\u2029" not in body


@pytest.mark.slow
def test_feeds_are_well_formed_with_hostile_values(hostile_site: BuiltSite) -> None:
    feeds = sorted(hostile_site.root.rglob("feed.xml"))
    assert len(feeds) >= 4
    atom = "{http://www.w3.org/2005/Atom}"
    for path in feeds:
        root = ET.fromstring(path.read_bytes())  # raises on anything not well-formed
        for entry in root.findall(f"{atom}entry"):
            assert entry.findtext(f"{atom}title") == "Niger " + HOSTILE
            assert entry.findtext(f"{atom}summary").endswith(COMMENT + " " + CDATA)
    theme_feed = ET.fromstring((hostile_site.root / "themes/pensions/feed.xml").read_bytes())
    assert theme_feed.findtext(f"{atom}title").startswith("Pensions " + HOSTILE)


@pytest.mark.slow
def test_pdf_metadata_and_xmp_carry_hostile_values_as_text(hostile_site: BuiltSite) -> None:
    files = [hostile_site.root / "pdf" / "ner-a.pdf", hostile_site.root / "bundles" / "event.pdf"]
    for path in files:
        with pikepdf.open(path) as pdf:
            title = str(pdf.docinfo.get("/Title"))
            assert HOSTILE in title, path
            with pdf.open_metadata() as xmp:  # parses the XMP packet as XML
                if path.parent.name == "pdf":  # WeasyPrint writes XMP; packs keep docinfo
                    assert HOSTILE in str(xmp.get("dc:title", "")), path
            raw = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
            if raw:
                ET.fromstring(raw.decode("utf-8").split("?>", 1)[-1].rsplit("<?xpacket", 1)[0])


@pytest.mark.slow
def test_serve_error_pages_escape_file_names(hostile_site: BuiltSite) -> None:
    site = site_context(hostile_site.index, hostile_site.settings, {})
    from site_builder.pages.errors import render_brief_error_page, render_errors_page

    name = 'briefs/x/"><img src=x onerror=alert(1)>.md'
    finding = Finding(name, 1, 1, "bad slug " + HOSTILE, "bad-slug", Severity.ERROR)
    pages = [render_errors_page([finding], 1, site),
             render_brief_error_page('"><img src=x onerror=alert(1)>', [finding], site)]
    for page in pages:
        tree = parse_html(page.html)
        assert not [n for n in tree.iter() if n.tag == "img" or "onerror" in n.attrs]
        assert str(escape(name)) in page.html


@pytest.fixture(scope="module")
def hostile_url(hostile_site: BuiltSite) -> Iterator[str]:
    with serve_folder(hostile_site.root) as url:
        yield url


@pytest.mark.slow
@pytest.mark.browser
def test_no_hostile_value_runs_in_chromium(hostile_site: BuiltSite, hostile_url: str) -> None:
    urls = ["", "themes/", "themes/pensions/", "themes/health/", "countries/", "countries/ner/",
            "regions/sahel/", "coverage/", "briefs/ner-a/", "search/",
            "search/?theme=" + "Pensions+" + HOSTILE.replace(" ", "+")]
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for url in urls:
            page.goto(hostile_url + url)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__pwned") is None, url
            assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0, url
            if url.startswith("search/"):
                page.wait_for_selector("body[data-search-ready]")
                labels = page.locator('.cb-facet[data-facet="theme"] label').all_inner_texts()
                assert any(label.startswith("Pensions " + HOSTILE) for label in labels), labels
        page.goto(hostile_url + "briefs/ner-a/")
        assert page.title().startswith("Niger </title><script>")
        assert page.locator("h1").first.inner_text() == "Niger " + HOSTILE
        assert page.locator(".md-header__topic").nth(1).inner_text().strip() == "Niger " + HOSTILE
    assert errors == []


# -- every word in the catalogue: the pseudo-locale ---------------------------------------

def _wrap(text: str) -> str:
    return f"⟦{text}⟧"


def write_pseudo_catalogue(folder: Path) -> None:
    """Write an English catalogue that wraps every message of ours in ⟦…⟧."""
    with open(LOCALES_DIR / "messages.pot", "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(_wrap(form) for form in message.id)
        else:
            message.string = _wrap(message.id)
    from babel.messages.pofile import write_po

    target = folder / "locales" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.po", "wb") as handle:
        write_po(handle, catalog)


@pytest.fixture(scope="module")
def pseudo_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    project = make_project(tmp_path_factory.mktemp("pseudo"), PROJECT_ROOT / "briefs")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n", 1).replace(
        "languages: [en, fr, es]", "languages: [en]"), encoding="utf-8")  # French: test_languages
    write_pseudo_catalogue(project / "overrides")
    return build_project(project)


def _names(site: BuiltSite) -> list[str]:
    """Texts that come from the content, not the catalogue: names, titles, dates, settings."""
    words = site_context(site.index, site.settings, {}).templates
    corpus = site.index.corpus
    names: set[str] = {site.settings.site_name, site.settings.site_description,
                       site.settings.licence, site.settings.publisher, site.settings.series}
    for brief in site.index.briefs:
        names |= {brief.title, brief.summary, *brief.authors, words.format_date(brief.date),
                  brief.language, brief.series or ""}
        names |= {c.name for c in brief.countries} | {c.alpha3 for c in brief.countries}
        names |= {c.alpha2 for c in brief.countries}
    for theme in corpus.themes.values():
        names |= {theme.title, theme.description}
    for region in corpus.regions.values():
        names |= {region.title, region.description, *(c.name for c in region.countries)}
    from site_builder.vocabulary import language_name

    names |= {language_name(b.language) for b in site.index.briefs}
    return sorted((n for n in names if n), key=len, reverse=True)


_SKIP = {"script", "style", "noscript"}


def _texts(node: Node, skip_classes: set[str]) -> Iterator[str]:
    if node.tag in _SKIP or node.classes & skip_classes:
        return
    yield from node.text_parts
    for attr in ("aria-label", "placeholder", "title"):
        if attr in node.attrs and node.tag not in ("abbr",):
            yield node.attrs[attr]
    for child in node.children:
        yield from _texts(child, skip_classes)


def _unwrapped(text: str, names: list[str]) -> str:
    """Return what is left of a text once catalogue strings, names, numbers and marks go."""
    while "⟦" in text:  # innermost first: a wrapped message may hold wrapped values
        text, n = re.subn(r"⟦[^⟦⟧]*⟧", " ", text)
        if not n:
            break
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    text = re.sub(r"https?://\S+", " ", text)
    return re.sub(r"[\W\d_]+", "", text)


PAGE_TYPES = ["", "themes/", "themes/older-persons/", "countries/", "countries/moz/",
              "regions/sahel/", "coverage/", "briefs/moz-basic-social-security-strategy/",
              "briefs/col-rural-floor-es/", "search/"]


@pytest.mark.slow
@pytest.mark.parametrize("url", PAGE_TYPES)
def test_every_visible_word_comes_from_the_catalogue(pseudo_site: BuiltSite, url: str) -> None:
    names = _names(pseudo_site)
    tree = pseudo_site.page(url)
    parts = [n for n in tree.iter() if "md-content" in n.classes or "cb-header-search" in n.classes]
    assert parts, url
    left = []
    for part in parts:
        for text in _texts(part, {"brief-body", "cb-search-meta"}):
            rest = _unwrapped(text, names)
            if rest:
                left.append(text.strip())
    assert left == [], f"{url}: words outside the catalogue: {left[:10]}"


@pytest.mark.slow
def test_pseudo_locale_reaches_feeds_pdf_labels_and_pack_covers(pseudo_site: BuiltSite) -> None:
    from site_builder.bundle.front import ContentsEntry, Cover, front_html
    from site_builder.pdf.html import brief_html

    settings = pseudo_site.settings
    brief = pseudo_site.index.by_slug["moz-basic-social-security-strategy"]
    pdf_html = parse_html(brief_html(brief, pseudo_site.index.corpus, settings))
    names = _names(pseudo_site)
    blocks = {"p", "h1", "h2", "h3", "dt", "dd"}  # a message may hold a link: judge whole blocks
    for selector in ("masthead", "summary", "back-matter"):
        part = next(n for n in pdf_html.iter() if selector in n.classes)
        rest = [n.text() for n in part.iter() if n.tag in blocks and _unwrapped(n.text(), names)]
        assert rest == [], (selector, rest)
    style = pdf_html.find("style")
    assert style is not None and "⟦page" in html.unescape(style.text())
    front = parse_html(front_html(Cover("Title", "Sub"), [ContentsEntry(brief, 1)],
                                  pseudo_site.index.corpus, settings))
    for part in (n for n in front.iter() if n.classes & {"cover__facts", "contents", "cover__foot"}):
        rest = [t for t in _texts(part, {"contents__text"}) if _unwrapped(t, names)]
        assert rest == [], rest


# -- the catalogues ------------------------------------------------------------------------

def test_the_source_catalogue_is_up_to_date(tmp_path: Path) -> None:
    """``messages.pot`` holds exactly the words the code and templates use."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "N_", "--no-location", "--sort-output", "--omit-header", "-o", str(out),
                    "."], cwd=PROJECT_ROOT, check=True, capture_output=True)

    def ids(path: Path) -> set[object]:
        with open(path, "rb") as handle:
            return {m.id for m in read_po(handle) if m.id}

    fresh = ids(out)
    assert len(fresh) > 80
    assert fresh == ids(LOCALES_DIR / "messages.pot"), (
        "run: pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header "
        "-o site_builder/locales/messages.pot . && pybabel update -i "
        "site_builder/locales/messages.pot -d site_builder/locales --no-wrap")


@pytest.mark.parametrize("language", ["fr", "es", "pt"])
def test_every_catalogue_translates_every_message(language: str) -> None:
    with open(LOCALES_DIR / "messages.pot", "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with open(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    done = {m.id for m in catalog if m.id and not m.fuzzy and all(
        m.string if isinstance(m.string, tuple) else (m.string,))}
    assert wanted - done == set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        want = set(re.findall(r"%\((\w+)\)", " ".join(ids)))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)", string)) == want, (language, ids[0])


# -- markup lives in templates ---------------------------------------------------------------

_TAG = re.compile(r"</?(div|section|article|header|footer|nav|main|aside|a|p|span|ul|ol|li|h[1-6]"
                  r"|table|tr|td|th|figure|figcaption|img|button|form|label|details|strong|em|"
                  r"time|dl|dt|dd|svg|path|circle|g|title|html|head|body|meta|link|style|script|"
                  r"feed|entry)[ >/]")


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the string constants that are docstrings (text about markup)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    found.add(id(statement.value))
    return found


def test_python_holds_almost_no_markup() -> None:
    """At most a handful of lines of code with HTML tags in Python (link and figure rewrites)."""
    lines = set()
    for path in sorted((PROJECT_ROOT / "site_builder").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docs and _TAG.search(node.value):
                lines.add(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert len(lines) <= 6, "\n".join(sorted(lines))


# -- an overridable theme --------------------------------------------------------------------

def test_a_project_overrides_a_template_and_a_partial(corpus: object, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md", title="A brief", themes="[health]")  # type: ignore[attr-defined]
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n", 1), encoding="utf-8")
    own = project / "overrides" / "briefs"
    (own / "partials").mkdir(parents=True)
    (own / "theme.html").write_text(
        '<h1 class="own-theme">{{ theme.title }}: {{ briefs | length }}</h1>\n', encoding="utf-8")
    (own / "partials" / "theme-grid.html").write_text(
        '<ol class="own-grid">{% for t, n, pack in themes %}<li>{{ t.title }}</li>{% endfor %}</ol>\n',
        encoding="utf-8")
    (project / "overrides" / "assets" / "stylesheets").mkdir(parents=True)
    (project / "overrides" / "assets" / "stylesheets" / "briefs.css").write_text(
        "/* own */\n", encoding="utf-8")
    site = build_project(project)
    heading = site.content("themes/health/").find("h1", "own-theme")
    assert heading is not None and heading.text() == "Health: 1"
    grid = site.content("themes/").find("ol", "own-grid")
    assert grid is not None and "Older persons" in grid.text()
    assert site.content("").find("ol", "own-grid") is not None  # the home page uses it too
    assert (site.root / "assets" / "stylesheets" / "briefs.css").read_text() == "/* own */\n"
    assert site.content("countries/moz/").find("h1").text() == "Mozambique"  # the rest is ours
