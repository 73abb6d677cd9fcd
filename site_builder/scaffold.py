"""Write a new, valid brief skeleton (``briefs new``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

from site_builder import textcheck
from site_builder.fields import SLUG_RULE, is_slug
from site_builder.findings import BriefsError
from site_builder.model import Corpus
from site_builder.templating import templates_for
from site_builder.theme_files import ThemeFiles
from site_builder.vocabulary import (
    close_match,
    get_country,
    is_language,
    resolve_country,
    suggest_country,
)


def N_(message: str) -> str:
    """Mark a word for the catalogue; it is translated where it is written."""
    return message


SECTIONS = (N_("Context"), N_("What was achieved"), N_("How it was done"),
            N_("Lessons and next steps"))
"""The standard section headings, in English; a brief in another language gets them from
that language's message catalogue."""


def slugify(text: str) -> str:
    """Return a slug (lowercase ASCII letters, digits, hyphens) for a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "brief"


def _quote(value: str) -> str:
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1000).strip()


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
              today: dt.date | None = None) -> Path:
    """Create ``<root>/<iso3>/<slug>.md`` with front matter and the standard sections.

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
    if path.exists() or corpus.get(slug) is not None:
        raise BriefsError(f"a brief with the slug '{slug}' already exists: choose another --slug")
    date = (today or dt.date.today()).isoformat()
    names = ", ".join(get_country(c).name for c in codes)
    lines = ["---", f"title: {_quote(title)}", f"countries: [{', '.join(codes)}]"]
    if regions:
        lines.append(f"regions: [{', '.join(regions)}]")
    lines += [f"themes: [{', '.join(themes)}]", f"date: {date}", f"language: {language}",
              f"summary: {_quote(f'One paragraph (at most 80 words) on what {names} did and why it matters.')}",
              "draft: true", "---", ""]
    words = templates_for(ThemeFiles(), language)
    for section in SECTIONS:
        lines += [f"## {words.gettext(section)}", "", "Write this section.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
