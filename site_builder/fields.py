"""The brief format as declared data: one :class:`FieldSpec` per front-matter field.

``validate`` checks briefs against it and ``schema`` turns it into a JSON Schema, so the
two can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "text-or-list", "list", "date", "bool", "language", "slug", "choice"]

SUMMARY_MAX_WORDS = 80
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 64
SLUG_RULE = f"lowercase letters, digits and hyphens, at most {SLUG_MAX_LENGTH} characters"
"""The slug rule in words, for messages: brief slugs and theme and region ids share it."""
_SLUG_RE = re.compile(SLUG_PATTERN)
DATE_PATTERN = r"^\d{4}-\d{2}(?:-\d{2})?$"


def is_slug(text: object) -> bool:
    """Whether ``text`` is a slug: a brief's file stem, a theme or a region id.

    Slugs become file and folder names and URLs, so nothing else may pass: no slashes,
    dots, spaces or upper case, and at most ``SLUG_MAX_LENGTH`` characters.
    """
    return isinstance(text, str) and len(text) <= SLUG_MAX_LENGTH and \
        _SLUG_RE.match(text) is not None


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter field: its name, whether it is required, its kind and meaning."""

    name: str
    required: bool
    kind: Kind
    description: str
    choices: tuple[str, ...] = ()
    """The allowed values of a ``choice`` field."""


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("title", True, "text", "Title of the brief."),
        FieldSpec(
            "countries", True, "list",
            "Countries covered: ISO 3166-1 alpha-3 or alpha-2 codes or English names "
            "(normalised to alpha-3).",
        ),
        FieldSpec("regions", False, "list", "Region ids from briefs/regions.yml."),
        FieldSpec("themes", True, "list", "Theme ids from briefs/themes.yml."),
        FieldSpec("date", True, "date", "Publication date, YYYY-MM-DD or YYYY-MM."),
        FieldSpec("language", False, "language", "ISO 639-1 language code; default en."),
        FieldSpec(
            "summary", True, "text",
            f"One paragraph of at most {SUMMARY_MAX_WORDS} words.",
        ),
        FieldSpec("authors", False, "text-or-list", "Author or authors."),
        FieldSpec("series", False, "text-or-list", "Series the brief belongs to."),
        FieldSpec("keywords", False, "text-or-list", "Free keywords."),
        FieldSpec("translation_of", False, "slug", "Slug of the brief this one translates."),
        FieldSpec("draft", False, "bool", "true for a draft: validated but not published."),
        FieldSpec("overflow", False, "choice",
                  "What running over the page budget does: fit (tighten the layout a little, "
                  "with a warning) or error; default: the site's pdf.overflow.",
                  ("fit", "error")),
    )
}
