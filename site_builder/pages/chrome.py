"""What the page shell (mkdocs-material's header, head and tabs) shows in a page's language.

The MkDocs plugin hands this to the shell's templates per page: the header search form's
words and target, the language switcher's links (a page's ``hreflang`` versions are in
the sitemap: :mod:`site_builder.sitemap`). Plain data (site paths, words from the catalogue); the markup is in the theme's material
overrides.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder import i18n
from site_builder.pages.site import PageLanguages
from site_builder.templating import Templates
from site_builder.urls import LanguageUrls


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher."""

    language: str
    name: str
    """The language's name in itself ("Français")."""
    href: str
    """Site path of the page's version in that language."""
    current: bool


@dataclass(frozen=True)
class Chrome:
    """The shell of one page in its language."""

    language: str
    words: dict[str, str]
    search: str
    """Site path of the language's search page (the header form's target)."""
    feed: str
    """Site path of the language's feed of the whole collection."""
    home: str
    switcher: tuple[LanguageLink, ...]


def header_words(words: Templates) -> dict[str, str]:
    """Return the header's words in a language (the search form, the switcher's label)."""
    return {
        "search_label": words.gettext("Search the briefs"),
        "search_placeholder": words.gettext("Search briefs"),
        "search_button": words.gettext("Search"),
        "languages_label": words.gettext("Languages"),
    }


def own_name(language: str) -> str:
    """Return a language's name in itself, capitalised as a menu entry ("Español")."""
    name = i18n.language_name(language, language)
    return name[:1].upper() + name[1:]


def page_chrome(versions: PageLanguages | None, language: str, default: str,
                languages: tuple[str, ...], words: Templates) -> Chrome:
    """Return the shell of a page in ``language`` (``versions`` None: a page of ``docs/``)."""
    at = LanguageUrls.of(language, default)
    targets = dict(versions.versions) if versions else {
        lang: LanguageUrls.of(lang, default).home() for lang in languages}
    switcher = tuple(LanguageLink(lang, own_name(lang), targets[lang], lang == language)
                     for lang in languages if lang in targets)
    return Chrome(language, header_words(words), at.search(), at.feed(), at.home(), switcher)
