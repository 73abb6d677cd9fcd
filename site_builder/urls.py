"""The site's URL scheme: one function per kind of page or file, and relative links.

Every function returns a *site path* (relative to the site root, no leading slash):
``briefs/<slug>/``, ``pdf/<slug>.pdf``, ``themes/<id>/``, ``countries/<iso3>/``… These
paths are a contract (printed in PDFs and citations, bookmarked): change none of them.
Pages link each other with :class:`Linker`, relative to the page, so the site works
from any base URL and offline from the file system.
"""

from __future__ import annotations

from urllib.parse import urlencode

from site_builder.downloads import BriefPdf, CountryPack, DownloadKey, FilePack, ThemePack


def home() -> str:
    """The home page."""
    return ""


def brief(slug: str) -> str:
    """A brief's page, e.g. ``briefs/moz-enssb/``."""
    return f"briefs/{slug}/"


def brief_pdf(slug: str) -> str:
    """A brief's PDF, e.g. ``pdf/moz-enssb.pdf``."""
    return f"pdf/{slug}.pdf"


def themes() -> str:
    """The themes index."""
    return "themes/"


def theme(theme_id: str) -> str:
    """A theme's page."""
    return f"themes/{theme_id}/"


def countries() -> str:
    """The countries index."""
    return "countries/"


def country(alpha3: str) -> str:
    """A country's page (lower-case alpha-3)."""
    return f"countries/{alpha3.lower()}/"


def region(region_id: str) -> str:
    """A region's page."""
    return f"regions/{region_id}/"


def coverage() -> str:
    """The coverage page (theme × country matrix and map)."""
    return "coverage/"


def search(**filters: str) -> str:
    """The search page, pre-filtered: ``search(theme="Health")`` → ``search/?theme=Health``."""
    query = urlencode(sorted((k, v) for k, v in filters.items() if v))
    return "search/" + (f"?{query}" if query else "")


def errors() -> str:
    """The preview's list of problems (``briefs serve`` only)."""
    return "errors/"


def feed() -> str:
    """The Atom feed of the whole collection."""
    return "feed.xml"


def theme_feed(theme_id: str) -> str:
    """A theme's Atom feed."""
    return f"themes/{theme_id}/feed.xml"


def country_feed(alpha3: str) -> str:
    """A country's Atom feed."""
    return f"countries/{alpha3.lower()}/feed.xml"


PACKS_DIR = "bundles"


def pack(key: ThemePack | CountryPack | FilePack) -> str:
    """A print pack: ``bundles/themes/<id>.pdf``, ``bundles/countries/<iso3>.pdf``, ``bundles/<name>.pdf``.

    A language's own pack (its pages list other briefs) is under its code:
    ``bundles/fr/themes/<id>.pdf``.
    """
    return f"{PACKS_DIR}/{pack_file(key)}"


def pack_file(key: ThemePack | CountryPack | FilePack) -> str:
    """A pack's path inside the packs folder (``themes/<id>.pdf``…)."""
    if isinstance(key, ThemePack):
        return f"{_lang_dir(key.language)}themes/{key.theme_id}.pdf"
    if isinstance(key, CountryPack):
        return f"{_lang_dir(key.language)}countries/{key.alpha3.lower()}.pdf"
    return f"{key.name}.pdf"


def _lang_dir(language: str) -> str:
    return f"{language}/" if language else ""


def download(key: DownloadKey) -> str:
    """The file of a download key."""
    return brief_pdf(key.slug) if isinstance(key, BriefPdf) else pack(key)


def source(path: str) -> str:
    """The Markdown source MkDocs builds a page's site path from: ``themes/x/`` → ``themes/x/index.md``."""
    return f"{path}index.md"


def absolute(base_url: str, path: str) -> str:
    """Return the public URL of a site path under ``base_url`` (or root-relative without one)."""
    base = base_url.rstrip("/")
    return f"{base}/{path.lstrip('/')}" if base else "/" + path.lstrip("/")


class Linker:
    """Make relative URLs from one page (a site path like ``themes/x/``) to others."""

    def __init__(self, page_path: str) -> None:
        page = page_path.strip("/")
        self._up = "../" * (page.count("/") + 1 if page else 0)

    def __call__(self, target: str) -> str:
        """Return the URL of site path ``target`` relative to this page."""
        if target.startswith(("http://", "https://", "#")):
            return target
        return (self._up + target) or "./"


class LanguageUrls:
    """The URL scheme as seen from the pages of one site language.

    Listing pages and feeds of a language other than the default live under its code
    (``fr/themes/x/``, ``fr/feed.xml``); briefs, PDFs and packs have one URL whatever the
    page's language. Templates get one as ``urls``, so the same template links within
    its page's language.
    """

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        """``""`` for the default language, ``"fr/"`` for French…"""

    @classmethod
    def of(cls, language: str, default: str) -> LanguageUrls:
        """Return the URLs of the pages in ``language`` on a site whose default is ``default``."""
        return cls("" if language == default else f"{language}/")

    def home(self) -> str:
        """The language's home page."""
        return self.prefix + home()

    def themes(self) -> str:
        """The language's themes index."""
        return self.prefix + themes()

    def theme(self, theme_id: str) -> str:
        """A theme's page in the language."""
        return self.prefix + theme(theme_id)

    def countries(self) -> str:
        """The language's countries index."""
        return self.prefix + countries()

    def country(self, alpha3: str) -> str:
        """A country's page in the language."""
        return self.prefix + country(alpha3)

    def region(self, region_id: str) -> str:
        """A region's page in the language."""
        return self.prefix + region(region_id)

    def coverage(self) -> str:
        """The language's coverage page."""
        return self.prefix + coverage()

    def search(self, **filters: str) -> str:
        """The language's search page, pre-filtered."""
        return self.prefix + search(**filters)

    def feed(self) -> str:
        """The language's feed of the whole collection."""
        return self.prefix + feed()

    def theme_feed(self, theme_id: str) -> str:
        """A theme's feed in the language."""
        return self.prefix + theme_feed(theme_id)

    def country_feed(self, alpha3: str) -> str:
        """A country's feed in the language."""
        return self.prefix + country_feed(alpha3)

    brief = staticmethod(brief)
    brief_pdf = staticmethod(brief_pdf)
    pack = staticmethod(pack)
    pack_file = staticmethod(pack_file)
    download = staticmethod(download)
    errors = staticmethod(errors)
    source = staticmethod(source)
    absolute = staticmethod(absolute)
