"""Turn every colour of a PDF into CMYK, with pikepdf and the output profile (Pillow's ImageCms).

WeasyPrint writes the print stylesheet's ``device-cmyk()`` colours as CMYK, but what it
draws from other sources stays RGB: the colours inside SVG charts and the QR code, raster
images, gradients. This pass walks every content stream (pages, form XObjects, tiling
patterns, soft masks), every image and every shading, and converts what is RGB:

- ``rg``/``RG`` and ``sc``/``scn`` in an RGB colour space become ``k``/``K``; a neutral grey
  becomes black ink only (``0 0 0 k``-style, no rich black for text and rules); other
  colours go through the profile (relative colorimetric);
- RGB images (DeviceRGB, ICC-based RGB, CalRGB, indexed over RGB) become CMYK images
  through the profile (perceptual): a JPEG stays a JPEG, anything else is Flate-compressed;
- shadings in RGB get CMYK colour spaces and functions;
- a luminosity soft mask's RGB colours become greys (the mask means the same);
- RGB colour spaces of transparency groups and resources are replaced or dropped.

:func:`rgb_uses` lists what is left in RGB (nothing, after :func:`convert_to_cmyk`).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator
from PIL import Image, ImageCms

_RGB_NAMES = (Name.DeviceRGB, Name.CalRGB)
_JPEG_QUALITY = 90
_INVERTED = Array([1, 0, 1, 0, 1, 0, 1, 0])  # Adobe CMYK JPEGs (Pillow's) store inverted ink


class ConversionError(ValueError):
    """Raised for RGB content this pass cannot convert (say, a sampled RGB function)."""


@lru_cache(maxsize=4)
def _transforms(profile: Path) -> tuple[ImageCms.ImageCmsTransform, ImageCms.ImageCmsTransform]:
    """Return the sRGB to CMYK transforms of a profile: (vector colours, images)."""
    srgb = ImageCms.createProfile("sRGB")
    cmyk = ImageCms.getOpenProfile(str(profile))
    vector = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK",
                                     renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    images = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK",
                                     renderingIntent=ImageCms.Intent.PERCEPTUAL)
    return vector, images


@dataclass
class Converter:
    """Converts one PDF's colours with one profile; remembers each colour it converted."""

    profile: Path
    _colours: dict[tuple[float, float, float], tuple[float, float, float, float]] = field(
        default_factory=dict)
    _done: set[tuple[int, int]] = field(default_factory=set)

    def cmyk(self, r: float, g: float, b: float) -> tuple[float, float, float, float]:
        """Return the CMYK ink (0 to 1) of an sRGB colour (0 to 1)."""
        key = (round(r, 4), round(g, 4), round(b, 4))
        if key not in self._colours:
            if abs(r - g) < 0.004 and abs(g - b) < 0.004:  # neutral: black ink only
                self._colours[key] = (0.0, 0.0, 0.0, round(1 - (r + g + b) / 3, 4))
            else:
                pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in key))
                converted = ImageCms.applyTransform(pixel, _transforms(self.profile)[0])
                assert converted is not None
                ink: Any = converted.getpixel((0, 0))
                self._colours[key] = tuple(round(v / 255, 4) for v in ink)
        return self._colours[key]

    def first_visit(self, obj: pikepdf.Object) -> bool:
        """Tell whether an indirect object is seen for the first time (shared resources)."""
        if not obj.is_indirect:
            return True
        if obj.objgen in self._done:
            return False
        self._done.add(obj.objgen)
        return True


def is_rgb_space(space: object) -> bool:
    """Tell whether a colour space object is RGB (device, calibrated, ICC with 3 components, indexed over RGB)."""
    if isinstance(space, Name):
        return space in _RGB_NAMES
    if isinstance(space, Array) and len(space):
        kind = space[0]
        if kind == Name.ICCBased:
            return int(space[1].get("/N", 0)) == 3
        if kind == Name.CalRGB:
            return True
        if kind == Name.Indexed:
            return is_rgb_space(space[1])
    return False


def convert_to_cmyk(pdf: pikepdf.Pdf, profile: Path) -> None:
    """Convert every RGB colour, image and shading of ``pdf`` to CMYK, in place."""
    converter = Converter(profile)
    for page in pdf.pages:
        _convert_stream_owner(pdf, page.obj, converter, mask=False)
        if "/Group" in page.obj and is_rgb_space(page.obj.Group.get("/CS")):
            page.obj.Group.CS = Name.DeviceCMYK


def _numbers(operands: Sequence[object]) -> list[float]:
    return [float(v) for v in operands if isinstance(v, (int, float, Decimal))]


def _convert_stream_owner(pdf: pikepdf.Pdf, owner: pikepdf.Object, converter: Converter,
                          mask: bool) -> None:
    """Convert a page's or a form's content stream and then its resources."""
    resources = owner.get("/Resources", Dictionary())
    spaces = resources.get("/ColorSpace", Dictionary())
    rgb_names = {str(name) for name, space in spaces.items() if is_rgb_space(space)}
    if isinstance(owner, pikepdf.Page) or owner.get("/Type") == Name.Page:
        page = pikepdf.Page(owner)
        instructions = pikepdf.parse_content_stream(page)
        converted, changed = _convert_instructions(instructions, converter, rgb_names, mask)
        if changed:
            owner.Contents = pdf.make_stream(pikepdf.unparse_content_stream(converted))
    else:
        instructions = pikepdf.parse_content_stream(owner)
        converted, changed = _convert_instructions(instructions, converter, rgb_names, mask)
        if changed:
            owner.write(pikepdf.unparse_content_stream(converted))
        if "/Group" in owner and is_rgb_space(owner.Group.get("/CS")):
            owner.Group.CS = Name.DeviceGray if mask else Name.DeviceCMYK
    _convert_resources(pdf, resources, converter, mask)
    for name in rgb_names:  # no longer used: no RGB colour space is left behind
        del spaces[name]


def _convert_instructions(instructions: Sequence[Any], converter: Converter,
                          rgb_names: set[str], mask: bool) -> tuple[list[Any], bool]:
    out: list[Any] = []
    changed = False
    fill_rgb = stroke_rgb = False
    stack: list[tuple[bool, bool]] = []
    for item in instructions:
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            raise ConversionError("inline images are not supported in print files")
        operands: list[object] = list(item.operands)
        operator = item.operator
        op = str(operator)
        if op == "q":
            stack.append((fill_rgb, stroke_rgb))
        elif op == "Q" and stack:
            fill_rgb, stroke_rgb = stack.pop()
        elif op in ("cs", "CS"):
            rgb = bool(operands) and (operands[0] == Name.DeviceRGB or str(operands[0]) in rgb_names)
            if op == "cs":
                fill_rgb = rgb
            else:
                stroke_rgb = rgb
            if rgb:
                operands = [Name.DeviceGray if mask else Name.DeviceCMYK]
                changed = True
        elif op in ("rg", "RG") or (op in ("sc", "scn") and fill_rgb) or (
                op in ("SC", "SCN") and stroke_rgb):
            values = _numbers(operands)
            if len(values) == 3:
                stroke = op in ("RG", "SC", "SCN")
                operands, operator = _colour_operator(values, stroke, converter, mask,
                                                      keep=op not in ("rg", "RG"))
                changed = True
        out.append((operands, operator))
    return out, changed


def _colour_operator(values: list[float], stroke: bool, converter: Converter, mask: bool,
                     keep: bool) -> tuple[list[object], Operator]:
    """Return the CMYK (or, in a soft mask, grey) operator for an RGB colour."""
    if mask:  # luminosity, as a soft mask reads it
        grey = round(0.3 * values[0] + 0.59 * values[1] + 0.11 * values[2], 4)
        name = ("SC" if stroke else "sc") if keep else ("G" if stroke else "g")
        return [Decimal(str(grey))], Operator(name)
    ink = converter.cmyk(*values)
    name = ("SC" if stroke else "sc") if keep else ("K" if stroke else "k")
    return [Decimal(str(v)) for v in ink], Operator(name)


def _convert_resources(pdf: pikepdf.Pdf, resources: pikepdf.Object, converter: Converter,
                       mask: bool) -> None:
    for _, xobject in resources.get("/XObject", Dictionary()).items():
        if not converter.first_visit(xobject):
            continue
        if xobject.get("/Subtype") == Name.Image:
            _convert_image(pdf, xobject, converter)
        elif xobject.get("/Subtype") == Name.Form:
            _convert_stream_owner(pdf, xobject, converter, mask)
    for _, pattern in resources.get("/Pattern", Dictionary()).items():
        if not converter.first_visit(pattern):
            continue
        if int(pattern.get("/PatternType", 0)) == 1:
            _convert_stream_owner(pdf, pattern, converter, mask)
        elif "/Shading" in pattern:
            _convert_shading(pattern.Shading, converter, mask)
    for _, shading in resources.get("/Shading", Dictionary()).items():
        if converter.first_visit(shading):
            _convert_shading(shading, converter, mask)
    for _, state in resources.get("/ExtGState", Dictionary()).items():
        soft = state.get("/SMask")
        if isinstance(soft, Dictionary) and "/G" in soft and converter.first_visit(soft.G):
            _convert_stream_owner(pdf, soft.G, converter, mask=soft.get("/S") == Name.Luminosity)
            if "/BC" in soft and len(soft.BC) == 3:
                soft.BC = Array([Decimal(str(round(float(sum(soft.BC)) / 3, 4)))])


def _convert_shading(shading: pikepdf.Object, converter: Converter, mask: bool) -> None:
    if not is_rgb_space(shading.get("/ColorSpace")):
        return
    shading.ColorSpace = Name.DeviceGray if mask else Name.DeviceCMYK
    if "/Background" in shading:
        shading.Background = Array(_convert_values(_numbers(list(shading.Background)), converter, mask))
    if "/Function" not in shading:
        raise ConversionError("RGB shadings without a function are not supported in print files")
    function = shading.Function
    functions = function if isinstance(function, Array) else [function]
    if isinstance(function, Array) and len(function) == 3:
        raise ConversionError("RGB shadings with one function per component are not supported")
    for item in functions:
        _convert_function(item, converter, mask)


def _convert_values(values: list[float], converter: Converter, mask: bool) -> list[Decimal]:
    if mask:
        return [Decimal(str(round(0.3 * values[0] + 0.59 * values[1] + 0.11 * values[2], 4)))]
    return [Decimal(str(v)) for v in converter.cmyk(*values)]


def _convert_function(function: pikepdf.Object, converter: Converter, mask: bool) -> None:
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        function.C0 = Array(_convert_values(_numbers(list(function.get("/C0", Array([0, 0, 0])))),
                                            converter, mask))
        function.C1 = Array(_convert_values(_numbers(list(function.get("/C1", Array([1, 1, 1])))),
                                            converter, mask))
    elif kind == 3:
        for item in function.Functions:
            _convert_function(item, converter, mask)
    else:
        raise ConversionError(f"RGB shading function of type {kind} is not supported in print files")


def _convert_image(pdf: pikepdf.Pdf, image: pikepdf.Object, converter: Converter) -> None:
    """Replace an RGB image's pixels with CMYK ones (through the profile, perceptual)."""
    if not is_rgb_space(image.get("/ColorSpace")):
        return
    picture = pikepdf.PdfImage(image).as_pil_image()  # type: ignore[arg-type]
    picture = picture.convert("RGB")
    cmyk = ImageCms.applyTransform(picture, _transforms(converter.profile)[1])
    assert cmyk is not None
    jpeg = image.get("/Filter") == Name.DCTDecode or (
        isinstance(image.get("/Filter"), Array) and Name.DCTDecode in image.Filter)
    if jpeg:
        buffer = io.BytesIO()
        cmyk.save(buffer, format="JPEG", quality=_JPEG_QUALITY)
        image.write(buffer.getvalue(), filter=Name.DCTDecode)
        image.Decode = _INVERTED
    else:
        image.write(zlib.compress(cmyk.tobytes(), 6), filter=Name.FlateDecode)
        if "/Decode" in image:
            del image.Decode
    for key in ("/DecodeParms", "/Intent"):
        if key in image:
            del image[key]
    image.ColorSpace = Name.DeviceCMYK
    image.BitsPerComponent = 8


def rgb_uses(pdf: pikepdf.Pdf) -> list[str]:
    """Return where ``pdf`` still uses RGB colour (page N: what), for a final check."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        found += [f"page {number}: {what}" for what in _rgb_in(page.obj, seen)]
    return found


def _rgb_in(owner: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[str]:
    resources = owner.get("/Resources", Dictionary())
    if owner.get("/Type") == Name.Page:
        instructions = pikepdf.parse_content_stream(pikepdf.Page(owner))
    else:
        instructions = pikepdf.parse_content_stream(owner)
    for item in instructions:
        if str(item.operator) in ("rg", "RG"):
            yield f"{item.operator} operator"
        elif str(item.operator) in ("cs", "CS") and item.operands and item.operands[0] == Name.DeviceRGB:
            yield "DeviceRGB colour space"
    if "/Group" in owner and is_rgb_space(owner.Group.get("/CS")):
        yield "RGB transparency group"
    for name, space in resources.get("/ColorSpace", Dictionary()).items():
        if is_rgb_space(space):
            yield f"RGB colour space {name}"
    children = [*resources.get("/XObject", Dictionary()).values(),
                *resources.get("/Pattern", Dictionary()).values()]
    children += [state.SMask.G for state in resources.get("/ExtGState", Dictionary()).values()
                 if isinstance(state.get("/SMask"), Dictionary) and "/G" in state.SMask]
    for shading in [*resources.get("/Shading", Dictionary()).values(),
                    *(p.Shading for p in resources.get("/Pattern", Dictionary()).values()
                      if "/Shading" in p)]:
        if is_rgb_space(shading.get("/ColorSpace")):
            yield "RGB shading"
    for child in children:
        if child.is_indirect:
            if child.objgen in seen:
                continue
            seen.add(child.objgen)
        if child.get("/Subtype") == Name.Image:
            if is_rgb_space(child.get("/ColorSpace")):
                yield "RGB image"
        elif child.get("/Subtype") == Name.Form or int(child.get("/PatternType", 0)) == 1:
            yield from _rgb_in(child, seen)
