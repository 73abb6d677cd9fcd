"""The page meter: how much of its page budget a brief uses, from one measured length.

Every place that shows how full a brief is — the meter in ``briefs serve``, the terminal,
``briefs validate --pdf`` (text and JSON) and the overflow finding — takes its numbers from
:meth:`PageMeter.from_length`, so they can never disagree.

Words to cut or room left are estimates ("about"): the body's words per page are taken
from the brief itself, after setting aside :data:`FIXED_PAGES` for the parts whose size
does not depend on the body (the masthead and summary on page 1, the back matter).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

MeterState = Literal["ok", "underfill", "overflow"]

FIXED_PAGES = 0.7
"""Pages taken by the masthead, summary and back matter whatever the body's length (measured
on the print layout of 2026-11: 230 words of body run to 1.4 pages, each further 400 words
to one more page). Re-measure it when the print layout changes."""
MIN_BODY_PAGES = 0.5
"""The least body length a brief's own words per page are measured on; a shorter one is
estimated at :data:`NOMINAL_WORDS_PER_PAGE`."""
NOMINAL_WORDS_PER_PAGE = 400
"""Words of plain body text per page (the same measurements as :data:`FIXED_PAGES`)."""
UNDERFILL_PAGES = 0.5
"""A brief ending this much or more before its budget's end prints blank space: underfill."""


@dataclass(frozen=True)
class PageMeter:
    """How much of the page budget a brief fills, and about how many words to cut or add."""

    length: float
    """Content length in pages, back matter included (e.g. 3.62)."""
    budget: int
    """The page budget."""
    words: int
    """Words of the summary and body."""

    @classmethod
    def from_length(cls, length: float, budget: int, words: int) -> PageMeter:
        """Return the meter of a brief measured at ``length`` pages against ``budget``."""
        return cls(round(max(0.0, length), 2), budget, max(0, words))

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
        """The length rounded up to a tenth: 4.01 pages is "4.1 pages", never "4.0"."""
        return math.ceil(self.length * 10 - 1e-9) / 10

    @property
    def words_per_page(self) -> float:
        """About how many of this brief's words fill one page."""
        body_pages = self.length - FIXED_PAGES
        return self.words / body_pages if body_pages >= MIN_BODY_PAGES else NOMINAL_WORDS_PER_PAGE

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
        """Return the meter in words for the terminal: ``3 pages + 62 % of page 4 (…)``."""
        if self.full_pages == 0:
            used = f"{self.percent} % of page 1"
        elif self.percent == 0:
            used = f"{self.full_pages} page{'s' if self.full_pages != 1 else ''}"
        else:
            used = (f"{self.full_pages} page{'s' if self.full_pages != 1 else ''} + "
                    f"{self.percent} % of page {self.full_pages + 1}")
        if self.state == "overflow":
            advice = (f"{self.shown_length:.1f} pages, over the {self.budget}-page budget: "
                      f"cut about {self.words_to_cut} words")
        else:
            advice = f"of {self.budget}; room for about {self.room} more words"
        return f"{used} ({advice})"

    def to_dict(self) -> dict[str, object]:
        """Return the meter as JSON-ready data (``briefs validate --pdf --format json``)."""
        return {**asdict(self), "full_pages": self.full_pages, "percent": self.percent,
                "state": self.state, "words_to_cut": self.words_to_cut, "room": self.room}
