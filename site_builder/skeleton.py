"""The body ``briefs new`` writes: the house structure of a brief, with its length budgets.

The skeleton has the sections of the example briefs (context, what was achieved, how,
lessons, what comes next), a key-facts box, a figure with its caption and a pull quote,
each as the print design marks them up (:mod:`site_builder.pdf.design`). Guidance for the
author is in HTML comments, which neither the site nor the PDF shows (the sanitiser
strips them), and gives each section a word budget: shares of the words the page budget
holds (:func:`site_builder.pdf.meter.body_capacity`), less the room the box, the figure
and the quote take, so the budgets add up to the pages.

Every word is in the brief's language, from the message catalogue (``N_`` marks them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from site_builder.i18n import format_number
from site_builder.pdf.meter import (
    FIRST_PAGE_WORDS,
    LAST_PAGE_WORDS,
    WORDS_PER_PAGE,
    body_capacity,
)
from site_builder.templating import Templates


def N_(message: str) -> str:
    """Mark a word for the catalogue; it is translated where it is written."""
    return message


@dataclass(frozen=True)
class Section:
    """One section of the skeleton: its heading, its share of the words and what it says."""

    heading: str
    share: float
    """Share of the body's words (the shares add up to 1)."""
    guidance: str
    """What the section tells (``%(words)s``: its word budget)."""


SECTIONS = (
    Section(N_("Context"), 0.20,
            N_("About %(words)s words: the situation before the change: who was left out, "
               "what it cost them, what the country had already built.")),
    Section(N_("What was achieved"), 0.25,
            N_("About %(words)s words: the result, with its date and its numbers: the law, "
               "strategy or scheme, whom it covers and how many.")),
    Section(N_("How it was done"), 0.25,
            N_("About %(words)s words: how the change came about: the dialogue, the studies, "
               "the institutions and the partners that supported it.")),
    Section(N_("Lessons"), 0.15,
            N_("About %(words)s words: three to five lessons for other countries, each a "
               "numbered point that opens with one sentence in bold.")),
    Section(N_("What comes next"), 0.15,
            N_("About %(words)s words: the next steps, who takes them and by when; where to "
               "read more.")),
)
"""The standard sections, in English (the catalogue translates them), in the house order."""

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


def section_budgets(pages: int) -> list[int]:
    """Return each section's word budget (multiples of 10) for a page budget of ``pages``."""
    text = max(0, body_capacity(pages) - ELEMENT_WORDS)
    return [max(10, math.floor(text * section.share / 10) * 10) for section in SECTIONS]


def _comment(text: str) -> str:
    """Return an HTML comment, which the site and the PDF leave out (nothing in it ends it early)."""
    return f"<!-- {text.replace('-->', '- ->').replace('<!--', '<! --')} -->"


def skeleton_body(words: Templates, pages: int, figure: str) -> str:
    """Return the skeleton's Markdown body in ``words``' language for a budget of ``pages``.

    ``figure`` is the placeholder image's path relative to the brief.
    """
    _ = words.gettext
    budgets = section_budgets(pages)
    write = _("Write this section.")
    intro = _("Guidance for the author: comments like this one neither print nor show on the "
              "site; delete them when you like. The page budget of %(pages)s pages holds about "
              "%(total)s words of body: about %(first)s on page 1 under the title and summary, "
              "%(full)s on each full page and %(last)s on the last page above the back matter. "
              "The key-facts box, the figure and the quote take the room of about %(elements)s "
              "of them; the sections share the rest. briefs serve shows the page meter on the "
              "brief's page, briefs validate --pdf prints it.",
              pages=pages, total=format_number(body_capacity(pages), words.language), first=FIRST_PAGE_WORDS,
              full=WORDS_PER_PAGE, last=LAST_PAGE_WORDS, elements=ELEMENT_WORDS)
    parts = [_comment(intro)]
    for number, (section, budget) in enumerate(zip(SECTIONS, budgets, strict=True)):
        parts += [f"## {_(section.heading)}", _comment(_(section.guidance, words=budget)), write]
        if number == 0:
            title, fact = _("In numbers"), _("what the figure counts, and when")
            parts += [_comment(_("The key-facts box: two to five figures, each in bold and then "
                                 "a few words on what it counts (the room of about %(words)s "
                                 "words).", words=KEY_FACTS_WORDS)),
                      "\n".join([f'!!! key-facts "{title}"', *[f"    - **000** {fact}"] * 3])]
        elif number == 1:
            alt, caption = (_("Describe the chart for readers who cannot see it"),
                            _("What the figure shows, and its source."))
            parts += [_comment(_("A figure: the image alone in its paragraph, its caption the "
                                 "italic paragraph under it (printed as Figure 1). Replace "
                                 "%(file)s by your chart and describe it in the brackets for "
                                 "readers who cannot see it; {: .wide } on the line under the "
                                 "caption spans both columns. One column: the room of about "
                                 "%(words)s words.", file=figure, words=FIGURE_WORDS)),
                      f"![{alt}]({figure})", f"*{caption}*"]
        elif number == 2:
            quote, who = (_("A sentence someone said about the change, in their own words."),
                          _("Name, role"))
            parts += [_comment(_("A pull quote: a few words someone said, then a last paragraph "
                                 "that opens with a dash and names them (the room of about "
                                 "%(words)s words).", words=QUOTE_WORDS)),
                      f"> {quote}\n>\n> — {who}"]
    return "\n\n".join(parts) + "\n"
