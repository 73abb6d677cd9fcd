"""The corpus as the pages of one site language show it.

A localised corpus holds copies (``dataclasses.replace``) of the themes, regions,
countries and briefs with their names in that language: theme and region titles and
descriptions from the vocabulary's mapping (``{en: …, fr: …}``), falling back to the
default language with the language recorded (``title_lang``) so templates can mark it;
country names from :mod:`site_builder.country_names`. The templates then need no
language logic of their own. Nothing is copied when nothing changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace

from site_builder.country_names import localised_country
from site_builder.index import Index, build_index
from site_builder.model import Brief, Corpus, Country, Region, Texts, Theme


def pick_text(texts: Texts, fallback: str, language: str, default: str) -> tuple[str, str]:
    """Return (text, its language if not ``language``) from a vocabulary text.

    A plain string (no ``texts``) is in the ``default`` language; a mapping lacking
    ``language`` falls back to ``default``, then to its first text.
    """
    if not texts:
        return fallback, "" if language == default else default
    by_language = dict(texts)
    if language in by_language:
        return by_language[language], ""
    if default in by_language:
        return by_language[default], default
    return fallback, texts[0][0]


def localise_theme(theme: Theme, language: str, default: str) -> Theme:
    """Return a theme with its title and description in ``language`` (or marked fallbacks)."""
    title, title_lang = pick_text(theme.titles, theme.title, language, default)
    description, description_lang = pick_text(theme.descriptions, theme.description, language,
                                              default)
    if not theme.description:
        description_lang = ""
    if (title, description, title_lang, description_lang) == (
            theme.title, theme.description, theme.title_lang, theme.description_lang):
        return theme
    return replace(theme, title=title, description=description, title_lang=title_lang,
                   description_lang=description_lang)


def localise_region(region: Region, language: str, default: str) -> Region:
    """Return a region with its title, description and member countries in ``language``."""
    title, title_lang = pick_text(region.titles, region.title, language, default)
    description, description_lang = pick_text(region.descriptions, region.description,
                                              language, default)
    if not region.description:
        description_lang = ""
    countries = tuple(localised_country(c, language) for c in region.countries)
    if (title, description, title_lang, description_lang, countries) == (
            region.title, region.description, region.title_lang, region.description_lang,
            region.countries):
        return region
    return replace(region, title=title, description=description, title_lang=title_lang,
                   description_lang=description_lang, countries=countries)


def localise_corpus(corpus: Corpus, language: str, default: str) -> Corpus:
    """Return the corpus with every name in ``language`` (the same corpus if none changes)."""
    themes = {k: localise_theme(t, language, default) for k, t in corpus.themes.items()}
    regions = {k: localise_region(r, language, default) for k, r in corpus.regions.items()}
    briefs = [_brief(b, themes, regions, language) for b in corpus.briefs]
    if all(a is b for a, b in zip(briefs, corpus.briefs, strict=True)) \
            and all(themes[k] is corpus.themes[k] for k in themes) \
            and all(regions[k] is corpus.regions[k] for k in regions):
        return corpus
    return Corpus(root=corpus.root, briefs=briefs, themes=themes, regions=regions,
                  n_files=corpus.n_files)


def localise_brief(brief: Brief, language: str, default: str) -> Brief:
    """Return one brief with its countries, themes and regions named in ``language``."""
    themes = {t.id: localise_theme(t, language, default) for t in brief.themes}
    regions = {r.id: localise_region(r, language, default) for r in brief.regions}
    return _brief(brief, themes, regions, language)


def _brief(brief: Brief, themes: dict[str, Theme], regions: dict[str, Region],
           language: str) -> Brief:
    countries: tuple[Country, ...] = tuple(localised_country(c, language) for c in brief.countries)
    own_themes = tuple(themes.get(t.id, t) for t in brief.themes)
    own_regions = tuple(regions.get(r.id, r) for r in brief.regions)
    if all(a is b for a, b in zip(countries, brief.countries, strict=True)) \
            and all(a is b for a, b in zip(own_themes, brief.themes, strict=True)) \
            and all(a is b for a, b in zip(own_regions, brief.regions, strict=True)):
        return brief
    return replace(brief, countries=countries, themes=own_themes, regions=own_regions)


def site_indexes(corpus: Corpus, languages: tuple[str, ...]) -> dict[str, Index]:
    """Return an index per site language (the first is the default), each localised.

    On a site of several languages each index lists one version of a brief where the
    language has one (see :func:`~site_builder.index.build_index`).
    """
    default = languages[0]
    return {lang: build_index(localise_corpus(corpus, lang, default), lang,
                              one_version=len(languages) > 1) for lang in languages}


def own_language_corpus(corpus: Corpus, languages: tuple[str, ...]) -> Corpus:
    """Return the corpus with each brief named in its own language (for its PDF).

    A site of one language keeps its names as they are.
    """
    if len(languages) < 2:
        return corpus
    briefs = [localise_brief(b, b.language, languages[0]) for b in corpus.briefs]
    return dataclasses.replace(corpus, briefs=briefs)  # keeps its kind (a preview shows drafts)
