"""The brief ``briefs new`` writes: the house structure of a brief, with its length budgets.

The skeleton (template ``briefs/new-brief.md``) has the sections of the example briefs
(context, what was achieved, how, lessons, what comes next), a key-facts box, a figure
with its caption and a pull quote, each as the print design marks them up
(:mod:`site_builder.pdf.design`). Guidance for the author is in HTML comments, which
neither the site nor the PDF shows (the sanitiser strips them), and gives each section a
word budget: shares of the words the page budget holds
(:func:`site_builder.pdf.meter.body_capacity`), less the room the box, the figure and the
quote take, so the budgets add up to the pages. Every word is in the brief's language,
from the message catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.pdf.meter import (
    FIRST_PAGE_WORDS,
    LAST_PAGE_WORDS,
    WORDS_PER_PAGE,
    body_capacity,
)
from site_builder.templating import Templates

SKELETON_TEMPLATE = "briefs/new-brief.md"

SECTION_SHARES = (0.20, 0.25, 0.25, 0.15, 0.15)
"""Each standard section's share of the body's words, in the house order of the template
(context, what was achieved, how it was done, lessons, what comes next)."""

KEY_FACTS_WORDS = 90
"""Words of room the key-facts box of three one-line figures takes (measured: 0.13 page)."""
FIGURE_WORDS = 100
"""Words of room a one-column figure (a 480 × 300 chart) with a one-line caption takes
(measured: 0.15 page)."""
QUOTE_WORDS = 40
"""Words of room a pull quote of one sentence with its attribution takes (measured: 0.06 page)."""
ELEMENT_WORDS = KEY_FACTS_WORDS + FIGURE_WORDS + QUOTE_WORDS
FIGURE_FILE = "figure-1.svg"
"""The placeholder figure's name, after the slug (``img/<slug>-figure-1.svg``)."""


@dataclass(frozen=True)
class NewBrief:
    """What the front matter of a new brief says (codes and ids already checked)."""

    title: str
    countries: Sequence[str]
    regions: Sequence[str]
    themes: Sequence[str]
    date: str
    language: str
    names: str
    """The countries' names in the brief's language, as a list (the summary's placeholder)."""


def section_budgets(pages: int) -> list[int]:
    """Return each section's word budget (multiples of 10) for a page budget of ``pages``."""
    text = max(0, body_capacity(pages) - ELEMENT_WORDS)
    return [max(10, math.floor(text * share / 10) * 10) for share in SECTION_SHARES]


def skeleton_file(words: Templates, brief: NewBrief, pages: int, figure: str) -> str:
    """Return the new brief's file (front matter and body) in ``words``' language.

    The body is sized for a budget of ``pages``; ``figure`` is the placeholder image's path
    relative to the brief.
    """
    return words.render(
        SKELETON_TEMPLATE, title=brief.title, countries=brief.countries, regions=brief.regions,
        themes=brief.themes, date=brief.date, language=brief.language, names=brief.names,
        pages=pages, total=body_capacity(pages), first=FIRST_PAGE_WORDS, full=WORDS_PER_PAGE,
        last=LAST_PAGE_WORDS, elements=ELEMENT_WORDS, budgets=section_budgets(pages),
        key_facts=KEY_FACTS_WORDS, figure_words=FIGURE_WORDS, quote_words=QUOTE_WORDS,
        figure=figure)
