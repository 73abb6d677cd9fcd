"""The fixed words printed on a brief's PDF, in the brief's language (English by default)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    """Words of the masthead, the back matter and the running footer."""

    country: str
    countries: str
    theme: str
    themes: str
    date: str
    summary: str
    about: str
    about_text: str  # format fields: {series}, {publisher}
    cite: str
    licence: str
    licence_text: str  # format fields: {year}, {publisher}, {licence}
    web: str
    page: str  # before the page number
    of: str  # between the page number and the page count


ENGLISH = Labels(
    "Country", "Countries", "Theme", "Themes", "Date", "Summary", "About this brief",
    "{series} is published by {publisher}. Each brief tells how a country extended social "
    "protection: the context, what was achieved, how, and the lessons for others.",
    "How to cite", "Licence", "© {year} {publisher}. Published under {licence}.", "Web version",
    "page ", " of ",
)

LABELS: dict[str, Labels] = {
    "en": ENGLISH,
    "es": Labels(
        "País", "Países", "Tema", "Temas", "Fecha", "Resumen", "Acerca de esta nota",
        "{series} es una publicación de {publisher}. Cada nota cuenta cómo un país extendió la "
        "protección social: el contexto, lo logrado, cómo se hizo y las lecciones para otros.",
        "Cómo citar", "Licencia", "© {year} {publisher}. Publicado bajo {licence}.",
        "Versión web", "página ", " de ",
    ),
    "fr": Labels(
        "Pays", "Pays", "Thème", "Thèmes", "Date", "Résumé", "À propos de cette note",
        "{series} est publiée par {publisher}. Chaque note raconte comment un pays a étendu la "
        "protection sociale : le contexte, les résultats, la méthode et les leçons pour d’autres.",
        "Comment citer", "Licence", "© {year} {publisher}. Publié sous {licence}.",
        "Version web", "page ", " sur ",
    ),
    "pt": Labels(
        "País", "Países", "Tema", "Temas", "Data", "Resumo", "Sobre esta nota",
        "{series} é publicada por {publisher}. Cada nota conta como um país estendeu a proteção "
        "social: o contexto, o que foi alcançado, como, e as lições para outros.",
        "Como citar", "Licença", "© {year} {publisher}. Publicado sob {licence}.",
        "Versão web", "página ", " de ",
    ),
}


def labels_for(language: str) -> Labels:
    """Return the labels of a language tag (``pt-BR`` uses ``pt``), English when unknown."""
    return LABELS.get(language.split("-")[0].lower(), ENGLISH)
