"""Raster images for print: no more pixels than the printed page needs.

WeasyPrint embeds an image with every pixel it has: a 6.5 MB photo made a 6.5 MB PDF.
The fetcher hands WeasyPrint, instead of a large image, a copy that fits
:data:`MAX_WIDTH` × :data:`MAX_HEIGHT` (the text width and height of an A4 page at about
200 ppi); WeasyPrint's ``dpi`` option (:data:`PRINT_DPI`, set in
:mod:`~site_builder.pdf.render`) then trims an image printed smaller to the same
resolution. Decoding is bounded by the validation's pixel limit, so a worker never holds
more than one limited image, and a JPEG is decoded at a reduced scale where it can be.
The copies are kept in memory by content hash for the worker's next brief.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections import OrderedDict
from typing import Any

from site_builder.image_derivatives import prepare, resized, upright_size
from site_builder.images import ImageError, decode, open_image, strict_pillow

PRINT_DPI = 200
"""Resolution of the images in a brief's PDF, in pixels per inch."""
MAX_WIDTH = 1340
"""Widest image a brief's PDF needs: about 170 mm (more than A4's text width) at 200 ppi."""
MAX_HEIGHT = 2000
"""Tallest image a brief's PDF needs: about 254 mm (an A4 page's text height) at 200 ppi."""
_JPEG: dict[str, Any] = {"format": "JPEG", "quality": 85, "optimize": True, "subsampling": "4:2:0"}
_PNG: dict[str, Any] = {"format": "PNG", "compress_level": 6}
_MEMO_SIZE = 32


class RefusedImage(ValueError):
    """Raised for image bytes that are no readable image, or a decompression bomb."""


_memo: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
"""Print copies by the hash of the original (one worker's; bounded)."""


def for_print(data: bytes, name: str, mime: str, dpi: int = PRINT_DPI) -> tuple[bytes, str]:
    """Return the bytes and media type WeasyPrint gets for a raster image file.

    An image that fits the print box is returned as it is; a larger one is downsampled to
    fit (upright, sRGB, no metadata): a JPEG stays a JPEG, anything else becomes a PNG.
    ``dpi`` scales the box (a print file's images keep 300 ppi).
    Raises :class:`RefusedImage` for a file that is no readable image or too large.
    """
    digest = f"{hashlib.sha256(data).hexdigest()}@{dpi}"
    if digest in _memo:
        _memo.move_to_end(digest)
        return _memo[digest]
    try:
        result = _downsampled(data, name, mime, dpi / PRINT_DPI)
    except ImageError as exc:
        raise RefusedImage(exc.problem.message) from None
    _memo[digest] = result
    if len(_memo) > _MEMO_SIZE:
        _memo.popitem(last=False)
    return result


def _downsampled(data: bytes, name: str, mime: str, factor: float = 1.0) -> tuple[bytes, str]:
    with strict_pillow():
        image = open_image(data, name)
        with image:
            width, height = upright_size(image)
            scale = min(1.0, MAX_WIDTH * factor / width, MAX_HEIGHT * factor / height)
            jpeg = image.format in ("JPEG", "MPO")
            if scale == 1.0:
                decode(image, name)  # a truncated file fails here, not as a half-black print
                return data, mime
            decode(image, name, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            picture = prepare(image)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    picture = resized(picture, size)
    out = io.BytesIO()
    if jpeg:
        picture.convert("RGB").save(out, **_JPEG)
        return out.getvalue(), "image/jpeg"
    picture.save(out, **_PNG)
    return out.getvalue(), "image/png"
