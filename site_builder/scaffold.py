"""Write a new, valid brief skeleton (``briefs new``): the brief and its placeholder figure.

The file (front matter, sections, key facts, figure, quote, length guidance) comes from
:mod:`site_builder.skeleton`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from babel.lists import format_list

from site_builder import i18n, textcheck
from site_builder.country_names import country_name
from site_builder.fields import SLUG_RULE, is_slug
from site_builder.findings import BriefsError
from site_builder.model import Corpus
from site_builder.skeleton import FIGURE_FILE, NewBrief, skeleton_file
from site_builder.templating import templates_for
from site_builder.theme_files import ThemeFiles
from site_builder.vocabulary import (
    close_match,
    get_country,
    is_language,
    resolve_country,
    suggest_country,
)

PLACEHOLDER_FIGURE = Path(__file__).parent / "data" / "figure-placeholder.svg"
"""The grey bar chart the skeleton's figure shows until the author replaces it."""


def figure_of(path: Path) -> Path:
    """Return where ``briefs new`` puts the placeholder figure of the brief at ``path``."""
    return path.parent / "img" / f"{path.stem}-{FIGURE_FILE}"


def slugify(text: str) -> str:
    """Return a slug (lowercase ASCII letters, digits, hyphens) for a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "brief"


def _check_options(title: str, language: str, slug: str | None) -> None:
    """Refuse a title, language or slug that would write a broken brief or leave the folder."""
    if not title.strip():
        raise BriefsError("give the brief a title")
    problem = textcheck.text_problem(title)
    if problem is not None:
        raise BriefsError(f"the title holds a {problem}: remove it")
    if not is_language(language):
        raise BriefsError(f"unknown --language '{language}': use a two-letter ISO 639-1 code "
                          "such as en, fr or es")
    if slug is not None and not is_slug(slug):
        raise BriefsError(f"bad --slug '{slug}': a slug is {SLUG_RULE} (the file name without "
                          ".md, e.g. moz-social-security)")


def _inside(root: Path, path: Path) -> Path:
    """Return ``path`` if it stays inside the content folder (links followed), else refuse."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise BriefsError(f"refusing to write {path}: it is outside the content folder {root}")
    return path


def new_brief(corpus: Corpus, title: str, countries: list[str], themes: list[str],
              regions: Sequence[str] = (), language: str = "en", slug: str | None = None,
              today: dt.date | None = None, pages: int = 4) -> Path:
    """Create ``<root>/<iso3>/<slug>.md``: front matter, the standard sections sized for a
    budget of ``pages`` pages, and a placeholder figure beside it (:func:`figure_of`).

    Raises :class:`BriefsError` for an unknown country, theme, region or language, a bad
    slug or title, an existing slug, or a path that would leave the content folder.
    """
    _check_options(title, language, slug)
    codes = []
    for text in countries:
        code = resolve_country(text)
        if code is None:
            hint = suggest_country(text)
            raise BriefsError(f"unknown country '{text}'" + (f" (did you mean {hint}?)" if hint else ""))
        codes.append(code)
    for theme in themes:
        if theme not in corpus.themes:
            hint = close_match(theme, list(corpus.themes))
            raise BriefsError(f"unknown theme '{theme}'" + (f" (did you mean '{hint}'?)" if hint else "")
                              + f"; known themes: {', '.join(corpus.themes)}")
    for region in regions:
        if region not in corpus.regions:
            hint = close_match(region, list(corpus.regions))
            raise BriefsError(f"unknown region '{region}'" + (f" (did you mean '{hint}'?)" if hint else ""))
    if not codes or not themes:
        raise BriefsError("give at least one --country and one --theme")
    slug = slug or slugify(f"{codes[0].lower()} {title}")
    folder = regions[0] if regions and len(codes) > 1 else codes[0].lower()
    path = _inside(corpus.root, corpus.root / folder / f"{slug}.md")
    figure = _inside(corpus.root, figure_of(path))
    if path.exists() or corpus.get(slug) is not None:
        raise BriefsError(f"a brief with the slug '{slug}' already exists: choose another --slug")
    if figure.exists():
        raise BriefsError(f"{figure} already exists: choose another --slug")
    words = templates_for(ThemeFiles(), language)
    names = format_list([country_name(get_country(c), language) for c in codes],
                        locale=i18n.cldr_locale(language))
    brief = NewBrief(title=title, countries=codes, regions=regions, themes=themes,
                     date=(today or dt.date.today()).isoformat(), language=language, names=names)
    text = skeleton_file(words, brief, pages, figure.relative_to(path.parent).as_posix())
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.parent.mkdir(exist_ok=True)
    figure.write_bytes(PLACEHOLDER_FIGURE.read_bytes())
    path.write_text(text, encoding="utf-8")
    return path
