"""The page meter: how much of its page budget a brief uses, from one measured length.

Every place that shows how full a brief is — the meter in ``briefs serve``, the terminal,
``briefs validate --pdf`` (text and JSON) and the overflow finding — takes its numbers from
:meth:`PageMeter.from_length`, so they can never disagree.

Words to cut or room left are estimates ("about"): the pages to lose or to fill times the
words of plain text a page of the two-column body holds, :data:`WORDS_PER_PAGE` for words
of the calibration prose's length, scaled by the brief's own mean word length (a page
holds characters, not words: at 7.9 characters a word, the tests' vocabulary, it holds
about 515 words, measured; the scaling says 511).
That is what cutting or adding a paragraph changes; the brief's own words per page would
count its figures, tables and boxes too, which an author rarely cuts, and reads low.

How the constants were measured (2026-12, the shipped ``print/brief.css``: two columns of
10 pt Noto Serif, line-height 1.55; ``.benchmarks/calib/`` in the report of that change):

- **Plain prose.** Bodies of 50 to 3,300 words of the example briefs' English paragraphs
  (five ``##`` sections, a 64-word summary, a two-line title) were laid out and their
  length read as :func:`~site_builder.pdf.render.fit_to_budget` reads it. Between the
  jumps described below, length grows linearly: a least-squares fit over the 47 points
  off the jumps gives 645 words per page (residuals under 0.04 page) and 0.54 page at
  zero words (masthead, summary box and back matter, the summary's words counted).
- **Page 1 and the last page.** Measured where the body box ends: page 1 holds about
  350 words under a two-line title and a 64-word summary (340 with an 80-word summary);
  the back matter takes 0.22 page (0.32 with two contact lines and two partners), so the
  last page holds 440 to 510 words above it. :data:`FIRST_PAGE_WORDS` and
  :data:`LAST_PAGE_WORDS` take the fuller case, so a skeleton sized from them fits.
- **Room and cut, on the example briefs.** For each of the 25 example briefs (en, fr, es;
  key facts, figures, tables, quotes), the most words of its own prose that still fit
  were found by bisection (to 4 words) and compared with the meter's "room", at its own
  length and 100 to 600 words below; then lengths 5 to 600 words over were compared with
  its "cut". As shipped (650 words a page scaled by word length, rounded to tens): cuts
  from 0.3 page over are within 10 % in 47 of 48 cases (−7 % to +13 %, mean +0.2 %);
  room is never promised in excess (−30 % to 0 %, mean −12 %; 25 of 50 within 10 %, the
  misses at small rooms and on the back-matter jump). Before (the brief's own words per
  page after 0.7 fixed page): cuts mean −2.3 %, room mean −11 %, on these same cases;
  on long words (the tests' vocabulary) it was the one close, and the plain 650 24 % off.

**The back-matter jump.** The back matter never splits: the word that pushes it off the
last page moves it whole to the next, so the length jumps from about N.95 to N + 0.22
(its height) and stays there for the next ~140 words. A brief measured just over its
budget (up to about a quarter page over) may need only a few words cut, or up to that
quarter page: the meter asks for the quarter page (cutting it always fits).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Literal

MeterState = Literal["ok", "underfill", "overflow"]

WORDS_PER_PAGE = 650
"""Words of plain body text one full page holds (two columns; fitted: 645), for words of
:data:`REFERENCE_WORD_CHARS` characters."""
REFERENCE_WORD_CHARS = 6.2
"""Mean characters per word (one space included) of the prose :data:`WORDS_PER_PAGE` was
measured on (the English example briefs: 6.21; their French and Spanish: 6.0 to 6.4)."""
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
FIRST_PAGE_WORDS = 330
"""Words of body page 1 holds under the masthead and summary (measured 340 to 370)."""
LAST_PAGE_WORDS = 430
"""Words of body the last page holds above the back matter (measured 440 to 510)."""
FIXED_PAGES = (2 * WORDS_PER_PAGE - FIRST_PAGE_WORDS - LAST_PAGE_WORDS) / WORDS_PER_PAGE
"""Pages the masthead, summary and back matter take whatever the body's length (0.83)."""
UNDERFILL_PAGES = 0.5
"""A brief ending this much or more before its budget's end prints blank space: underfill
(half a page: about 325 words)."""


def word_stats(text: str) -> tuple[int, float]:
    """Return the words of a brief's text and their mean length in characters (one space
    included), HTML comments (which neither print nor show) left out."""
    words = _WORD_RE.findall(_COMMENT_RE.sub(" ", text))
    if not words:
        return 0, REFERENCE_WORD_CHARS
    return len(words), sum(len(w) + 1 for w in words) / len(words)


def body_capacity(pages: int) -> int:
    """Return about how many words of plain body text fill a budget of ``pages`` pages."""
    return max(0, round((pages - FIXED_PAGES) * WORDS_PER_PAGE))


@dataclass(frozen=True)
class PageMeter:
    """How much of the page budget a brief fills, and about how many words to cut or add."""

    length: float
    """Content length in pages, back matter included (e.g. 3.62)."""
    budget: int
    """The page budget."""
    words: int
    """Words of the summary and body."""
    word_chars: float = REFERENCE_WORD_CHARS
    """Their mean length in characters, one space included (see :func:`word_stats`)."""

    @classmethod
    def from_length(cls, length: float, budget: int, words: int,
                    word_chars: float = REFERENCE_WORD_CHARS) -> PageMeter:
        """Return the meter of a brief measured at ``length`` pages against ``budget``."""
        return cls(round(max(0.0, length), 2), budget, max(0, words), round(word_chars, 2))

    @property
    def words_per_page(self) -> float:
        """About how many words of this brief's length fill one page of the body (the
        calibrated rate scaled by word length, within half and twice of it)."""
        scale = REFERENCE_WORD_CHARS / self.word_chars if self.word_chars > 0 else 1.0
        return WORDS_PER_PAGE * min(2.0, max(0.5, scale))

    @property
    def full_pages(self) -> int:
        """Whole pages filled (3 for 3.62)."""
        return math.floor(self.length + 1e-9)

    @property
    def percent(self) -> int:
        """How full the page after the whole ones is, in per cent (62 for 3.62; 0 for 4.0)."""
        return round((self.length - self.full_pages) * 100)

    @property
    def state(self) -> MeterState:
        """``overflow`` past the budget, ``underfill`` well short of it, else ``ok``."""
        if self.length > self.budget:
            return "overflow"
        if self.budget - self.length >= UNDERFILL_PAGES:
            return "underfill"
        return "ok"

    @property
    def shown_length(self) -> float:
        """The length to a tenth, rounded up when over the budget (4.01 pages is "4.1 pages",
        never "4.0"), else to the nearest."""
        if self.state == "overflow":
            return math.ceil(self.length * 10 - 1e-9) / 10
        return math.floor(self.length * 10 + 0.5 + 1e-9) / 10  # half up: 0.95 is 1.0

    @property
    def words_to_cut(self) -> int:
        """About how many words to cut to fit the budget (a multiple of 10, at least 10); 0 if it fits."""
        if self.length <= self.budget:
            return 0
        over = (self.length - self.budget) * self.words_per_page
        return max(10, math.ceil(over / 10) * 10)

    @property
    def room(self) -> int:
        """About how many more words fit in the budget (a multiple of 10); 0 when over."""
        if self.length >= self.budget:
            return 0
        return math.floor((self.budget - self.length) * self.words_per_page / 10) * 10

    def describe(self) -> str:
        """Return the meter in words for the terminal, e.g. ``3.6 of 4 pages (3 pages + 62 % of
        page 4): room for about 240 more words``."""
        if self.full_pages == 0:
            used = f"{self.percent} % of page 1"
        elif self.percent == 0:
            used = f"{self.full_pages} page{'s' if self.full_pages != 1 else ''}"
        else:
            used = (f"{self.full_pages} page{'s' if self.full_pages != 1 else ''} + "
                    f"{self.percent} % of page {self.full_pages + 1}")
        if self.state == "overflow":
            advice = f"over the {self.budget}-page budget: cut about {self.words_to_cut:,} words"
        elif self.room:
            advice = f"room for about {self.room:,} more words"
        else:
            advice = "full"
        return f"{self.shown_length:.1f} of {self.budget} pages ({used}): {advice}"

    def to_dict(self) -> dict[str, object]:
        """Return the meter as JSON-ready data (``briefs validate --pdf --format json``)."""
        return {**asdict(self), "full_pages": self.full_pages, "percent": self.percent,
                "state": self.state, "words_to_cut": self.words_to_cut, "room": self.room}
