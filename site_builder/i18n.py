"""Message catalogues (gettext, compiled by Babel) and locale-aware formatting.

Every word readers see goes through gettext: ``{{ _("…") }}`` in templates, ``_()``
in code. The English words are the message ids, so English needs no catalogue; other
languages have ``site_builder/locales/<lang>/LC_MESSAGES/messages.po``. A project can
add or override translations in ``<override folder>/locales/`` the same way. Catalogues
are compiled from the ``.po`` files when first used (nothing compiled is kept in the
repository); ``pybabel extract`` with ``babel.cfg`` regenerates ``messages.pot``.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from site_builder.findings import BriefsError

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
_CLDR_LOCALES: dict[str, str] = {"en": "en_001"}
"""Site language → CLDR locale for dates and numbers where the bare language is not
what the programme writes: English dates as "23 February 2016" (international English),
not the United States' "February 23, 2016"."""


def _candidates(language: str) -> list[str]:
    """``pt-BR`` → ``["pt_BR", "pt"]``."""
    tag = language.replace("-", "_")
    base = tag.split("_")[0]
    return [tag, base] if base != tag else [tag]


def _po_files(language: str, dirs: tuple[Path, ...]) -> list[Path]:
    found = []
    for folder in dirs:
        for name in _candidates(language):
            path = folder / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                found.append(path)
                break
    return found


def _compile(path: Path) -> Translations:
    try:
        with open(path, "rb") as handle:
            catalog = read_po(handle)
    except (OSError, ValueError) as exc:
        raise BriefsError(f"{path}: cannot read this message catalogue: {exc}") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@lru_cache(maxsize=32)
def _translations(language: str, dirs: tuple[Path, ...],
                  stamps: tuple[int, ...]) -> gettext.NullTranslations:
    files = _po_files(language, dirs)
    if not files:
        return gettext.NullTranslations()
    first = _compile(files[0])
    for path in files[1:]:
        first.add_fallback(_compile(path))
    return first


def translations(language: str, extra_dirs: tuple[Path, ...] = ()) -> gettext.NullTranslations:
    """Return the catalogue of a language: a project's own (``extra_dirs``) first, then ours."""
    dirs = (*extra_dirs, LOCALES_DIR)
    stamps = tuple(p.stat().st_mtime_ns for p in _po_files(language, dirs))
    return _translations(language, dirs, stamps)


def cldr_locale(language: str) -> Locale:
    """Return the CLDR locale used for a language's dates and numbers (English if unknown)."""
    for name in [_CLDR_LOCALES.get(language, language), *_candidates(language)]:
        try:
            return Locale.parse(name)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse(_CLDR_LOCALES["en"])


def format_day(date: dt.date, language: str, month_only: bool = False) -> str:
    """Return a date as readers of ``language`` write it: ``23 février 2016``, ``febrero de 2016``."""
    locale = cldr_locale(language)
    if month_only:
        return format_skeleton("yMMMM", date, locale=locale)
    return babel_format_date(date, "long", locale=locale)


def format_number(number: float, language: str) -> str:
    """Return a number with the language's decimal sign (``1,5`` in French)."""
    return format_decimal(number, locale=cldr_locale(language))


def language_name(code: str, in_language: str) -> str:
    """Return the name of language ``code`` in ``in_language`` (``es`` in French: ``espagnol``)."""
    name = cldr_locale(in_language).languages.get(code.split("-")[0])
    return name if name else code
