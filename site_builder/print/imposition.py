"""Imposition with pikepdf: two trimmed pages side by side on each side of a folded sheet.

A brief of four A4 pages prints on one A3 sheet, both sides, folded once (``a3-fold``):
outside 4 | 1, inside 2 | 3. A pack prints as a saddle-stitched booklet (``booklet``):
its pages padded with blank ones to a multiple of four, the sheets in order from the
outermost, each folded and nested in the one before (creep ignored). Both are the same
order: :func:`booklet_order`.

Each page is placed as a form XObject with its TrimBox on its half of the sheet's trim and
clipped to its half of the sheet's bleed box, so the bleed is kept on the sheet's outer
edges and nothing of one page shows across the fold on the other.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from site_builder.print.pdfx import Box

Side = tuple[int | None, int | None]
"""The (left, right) page indexes (0-based) of one side of a sheet; None for a blank."""


def padded_count(pages: int) -> int:
    """Return the page count rounded up to a multiple of four (a booklet's)."""
    return max(4, -(-pages // 4) * 4)


def booklet_order(pages: int) -> list[Side]:
    """Return the sides of a saddle-stitched booklet, sheet by sheet: outside, then inside.

    Pages past ``pages`` (the padding to a multiple of four) are blank. For four pages:
    ``[(3, 0), (1, 2)]``, i.e. outside 4 | 1, inside 2 | 3.
    """
    total = padded_count(pages)
    sides: list[Side] = []

    def page(number: int) -> int | None:  # 1-based in, 0-based out
        return number - 1 if number <= pages else None

    for sheet in range(total // 4):
        sides.append((page(total - 2 * sheet), page(1 + 2 * sheet)))
        sides.append((page(2 + 2 * sheet), page(total - 1 - 2 * sheet)))
    return sides


def impose(source: pikepdf.Pdf, sides: list[Side], bleed: float) -> pikepdf.Pdf:
    """Return a new PDF with one page per sheet side, two source pages side by side.

    The source's pages must all have the same TrimBox size; ``bleed`` (points) is kept
    around the sheet. The result's pages have TrimBox (the unfolded sheet), BleedBox and
    MediaBox (the bleed box).
    """
    out = pikepdf.new()
    trims = [Box.of(page.obj.get("/TrimBox", page.mediabox)) for page in source.pages]
    width, height = trims[0].width, trims[0].height
    sheet = Box(0, 0, 2 * width, height)
    forms: dict[int, pikepdf.Object] = {}
    for left, right in sides:
        page = out.add_blank_page(page_size=(sheet.width, sheet.height))
        page.obj.MediaBox = sheet.grown(bleed).array()
        page.obj.BleedBox = sheet.grown(bleed).array()
        page.obj.TrimBox = sheet.array()
        drawing: list[str] = []
        for slot, index in ((0, left), (1, right)):
            if index is None:
                continue
            if index not in forms:
                forms[index] = out.copy_foreign(source.pages[index].as_form_xobject())
            name = page.add_resource(forms[index], Name.XObject, Name(f"/Page{index + 1}"))
            trim = trims[index]
            x = slot * width
            clip = Box(x - bleed if slot == 0 else x, -bleed,
                       x + width + (bleed if slot == 1 else 0), height + bleed)
            drawing.append(
                f"q {clip.x0:.3f} {clip.y0:.3f} {clip.width:.3f} {clip.height:.3f} re W n "
                f"1 0 0 1 {x - trim.x0:.3f} {-trim.y0:.3f} cm {name} Do Q")
        page.obj.Contents = out.make_stream("\n".join(drawing).encode())
        if "/Resources" not in page.obj:
            page.obj.Resources = Dictionary()
    _copy_output_intent(source, out)
    return out


def _copy_output_intent(source: pikepdf.Pdf, out: pikepdf.Pdf) -> None:
    intents = source.Root.get("/OutputIntents")
    if intents is not None:
        out.Root.OutputIntents = Array([out.copy_foreign(i) if i.is_indirect else i
                                        for i in intents])
