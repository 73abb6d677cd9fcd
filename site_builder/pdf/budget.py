"""The page budget, the short way: a brief that leaves a whole page of its budget empty.

A brief's *fill* is its content length in pages (masthead, body and back matter as laid
out, before the back matter is moved to the foot of the last page), e.g. 3.6 of 4. A fill
a whole page or more below the budget is an ``pdf-underfill`` finding (``pdf.underfill``:
``warn``, ``error`` or ``ignore``) that says how much more the brief could take.
"""

from __future__ import annotations

import math

from site_builder.findings import Finding, Severity
from site_builder.model import Brief
from site_builder.pdf.meter import PageMeter
from site_builder.settings import Settings

FIGURE_PAGES = 0.125
"""Share of a page one single-column figure takes (about 65 mm of a column, caption included)."""


def fill_text(fill: float, budget: int) -> str:
    """Return a brief's fill as text, e.g. ``3.6 of 4 pages``."""
    return f"{fill:.1f} of {budget} pages"


def is_underfilled(fill: float, budget: int) -> bool:
    """Return whether a brief leaves at least one whole page of its budget empty."""
    return round(budget - fill, 1) >= 1.0


def underfill_finding(brief: Brief, fill: float, settings: Settings) -> Finding | None:
    """Return the finding for a brief that leaves a whole page empty, or None."""
    budget = settings.pdf.pages
    if settings.pdf.underfill == "ignore" or not is_underfilled(fill, budget):
        return None
    spare = budget - fill
    words = PageMeter.from_length(fill, budget, 0).room  # the meter's "room for about"
    figures = max(1, math.floor(spare / FIGURE_PAGES))
    severity = Severity.ERROR if settings.pdf.underfill == "error" else Severity.WARNING
    message = (f"brief fills {fill_text(fill, budget)}, leaving {spare:.1f} pages empty: "
               f"it could take about {words:,} more words or {figures} more figures")
    return Finding(brief.rel_path, 1, 1, message, "pdf-underfill", severity)
