"""Country names in each site language, and sorting names the way each language's readers do.

English names are the programme's (:mod:`site_builder.vocabulary`). Other languages take
CLDR's names (Babel, ``Locale.territories``), except where the United Nations' own
terminology (UNTERM, the short names the UN and the ILO print) differs: those are in
:data:`UN_NAMES`, checked in by hand. A language CLDR does not know keeps the English
name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError

from site_builder.model import Country

UN_NAMES: dict[str, dict[str, str]] = {
    "fr": {
        "CIV": "Côte d'Ivoire",
        "COD": "République démocratique du Congo",
        "CPV": "Cabo Verde",
        "KGZ": "Kirghizistan",
        "KOR": "République de Corée",
        "LAO": "République démocratique populaire lao",
        "MDA": "République de Moldova",
        "MMR": "Myanmar",
        "PRK": "République populaire démocratique de Corée",
        "PSE": "Territoire palestinien occupé",
        "RUS": "Fédération de Russie",
        "SLV": "El Salvador",
        "SYR": "République arabe syrienne",
        "TLS": "Timor-Leste",
        "TUR": "Türkiye",
        "TZA": "République-Unie de Tanzanie",
        "VNM": "Viet Nam",
    },
    "es": {
        "BGD": "Bangladesh",
        "CIV": "Côte d'Ivoire",
        "KOR": "República de Corea",
        "LAO": "República Democrática Popular Lao",
        "MDA": "República de Moldova",
        "MMR": "Myanmar",
        "MWI": "Malawi",
        "PRK": "República Popular Democrática de Corea",
        "PSE": "Territorio Palestino Ocupado",
        "RUS": "Federación de Rusia",
        "SYR": "República Árabe Siria",
        "TUR": "Türkiye",
        "TZA": "República Unida de Tanzanía",
        "VNM": "Viet Nam",
    },
}
"""Alpha-3 code → the UN's short name, per language, where CLDR's name differs from it."""


@lru_cache(maxsize=8)
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (ValueError, UnknownLocaleError):
        return {}


def country_name(country: Country, language: str) -> str:
    """Return a country's name in ``language`` (the programme's English name for English)."""
    base = language.split("-")[0].split("_")[0]
    if base == "en":
        return country.name
    own = UN_NAMES.get(base, {}).get(country.alpha3)
    return own or _territories(language).get(country.alpha2) or country.name


@lru_cache(maxsize=4096)
def localised_country(country: Country, language: str) -> Country:
    """Return the country as a page in ``language`` shows it (the same object for English)."""
    name = country_name(country, language)
    return country if name == country.name else replace(country, name=name)


def sort_key(name: str) -> tuple[str, str]:
    """Sort names alphabetically with accents and case folded ("Égypte" among the E's)."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return folded, name
