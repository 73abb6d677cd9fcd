"""Printer's marks outside the bleed, drawn with pikepdf.

WeasyPrint's ``marks: crop`` draws inside the bleed area, where the printed background
runs; a print shop wants them beyond it. So the MediaBox of each page grows by
:data:`MARGIN` past the BleedBox and the marks are drawn there: at each corner of the
TrimBox two lines on the prolongation of the trim edges, starting :data:`GAP` beyond the
bleed; on an imposed sheet also a fold mark above and below the fold. They are drawn in
registration colour (all four inks, ``1 1 1 1 K``) after the page's own content, whose
graphics state is saved and restored around it.
"""

from __future__ import annotations

import pikepdf

from site_builder.print.pdfx import MM, Box

GAP = 2 * MM
"""Distance between the bleed box and the start of a mark."""
LENGTH = 5 * MM
"""Length of a crop mark."""
MARGIN = GAP + LENGTH + 1 * MM
"""How far the MediaBox reaches past the BleedBox on a page with marks."""
LINE_WIDTH = 0.25
"""Points."""


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S"


def crop_mark_lines(trim: Box, bleed: float) -> list[str]:
    """Return the path operators of the eight crop marks of a trimmed area."""
    start, end = bleed + GAP, bleed + GAP + LENGTH
    lines = []
    for x, sign_x in ((trim.x0, -1), (trim.x1, 1)):
        for y, sign_y in ((trim.y0, -1), (trim.y1, 1)):
            lines.append(_line(x + sign_x * start, y, x + sign_x * end, y))  # horizontal
            lines.append(_line(x, y + sign_y * start, x, y + sign_y * end))  # vertical
    return lines


def fold_mark_lines(trim: Box, bleed: float, folds: list[float]) -> list[str]:
    """Return the path operators of a fold mark above and below the trim at each x in ``folds``."""
    start, end = bleed + GAP, bleed + GAP + LENGTH
    return [line for x in folds for line in (_line(x, trim.y1 + start, x, trim.y1 + end),
                                             _line(x, trim.y0 - start, x, trim.y0 - end))]


def add_marks(pdf: pikepdf.Pdf, bleed: float, folds: tuple[float, ...] = ()) -> None:
    """Grow every page's MediaBox past its BleedBox and draw crop marks (and fold marks) there.

    ``bleed`` is in points; ``folds`` are x positions of folds relative to the TrimBox's
    left edge (an A3 sheet folded in half: its half width).
    """
    for page in pdf.pages:
        trim = Box.of(page.obj.TrimBox)
        lines = crop_mark_lines(trim, bleed)
        lines += fold_mark_lines(trim, bleed, [trim.x0 + x for x in folds])
        page.obj.MediaBox = trim.grown(bleed + MARGIN).array()
        drawing = (f"Q q {LINE_WIDTH} w 0 J [] 0 d 1 1 1 1 K\n" + "\n".join(lines) + "\nQ\n")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(drawing.encode()), prepend=False)
