"""Responsive renditions of a brief's raster images, cached by content hash.

Each PNG, JPEG, WebP or still GIF gets renditions at :data:`WIDTHS` (never wider than
the original) in WebP, and in its own format for browsers without WebP (PNG for a GIF).
Renditions are upright (EXIF orientation applied), in sRGB, stripped of metadata and
encoded with fixed settings, so the same image gives the same bytes on every build.

The cache lives under ``<cache_root>/images/``: per image and settings, the rendition
files and a manifest (``<key>.json``) listing each file's SHA-256; a file that does not
match its manifest is made again, never served.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, features

from site_builder.files import write_atomic
from site_builder.images import (
    ImageError,
    ImageProblem,
    decode,
    frames,
    inspect_image,
    open_image,
    strict_pillow,
)

WIDTHS: tuple[int, ...] = (480, 800, 1200)
"""Widths of the renditions, in pixels (those under the original's width, and at most the
original's width)."""
KEY_SCHEMA = "responsive-1"
"""Bump to remake every rendition after a change the key does not capture."""
_WEBP_LOSSY: dict[str, Any] = {"format": "WEBP", "quality": 80, "method": 4}
_WEBP_LOSSLESS: dict[str, Any] = {"format": "WEBP", "lossless": True, "quality": 80, "method": 4}
_JPEG: dict[str, Any] = {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True,
                         "subsampling": "4:2:0"}
_PNG: dict[str, Any] = {"format": "PNG", "compress_level": 6}
_FALLBACK = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "PNG"}
"""The format of the renditions for browsers without WebP (a WebP source has none)."""
_GRAPHIC_COLOURS = 256
"""An image with at most this many colours is a drawing (a chart): lossless WebP keeps its edges."""
_MIME = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
_SUFFIX = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}


@dataclass(frozen=True)
class Rendition:
    """One rendition file of an image."""

    format: str
    """``WEBP``, ``JPEG`` or ``PNG``."""
    width: int
    height: int
    path: Path
    """The file, in the cache."""
    sha256: str

    @property
    def mime(self) -> str:
        """The file's media type."""
        return _MIME[self.format]

    @property
    def suffix(self) -> str:
        """The file's name suffix, without the dot."""
        return _SUFFIX[self.format]


@dataclass(frozen=True)
class ResponsiveImage:
    """An image and its renditions, smallest first within each format."""

    sha256: str
    """Hash of the original's bytes."""
    width: int
    """Width of the widest rendition (the image's natural width on the page)."""
    height: int
    renditions: tuple[Rendition, ...]

    def of_format(self, fmt: str) -> list[Rendition]:
        """Return the renditions in one format, narrowest first."""
        return sorted((r for r in self.renditions if r.format == fmt), key=lambda r: r.width)

    @property
    def fallback_format(self) -> str:
        """The format every browser reads: the original's (PNG for a GIF), else WebP."""
        formats = {r.format for r in self.renditions}
        return next((f for f in ("JPEG", "PNG") if f in formats), "WEBP")


def settings_key() -> str:
    """Return the hash of what shapes a rendition's bytes besides the image: code and libraries."""
    versions = [KEY_SCHEMA, Image.__version__, *(f"{name}={features.version(name)}"
                                                 for name in ("webp", "jpg", "zlib", "littlecms2"))]
    settings = [WIDTHS, _WEBP_LOSSY, _WEBP_LOSSLESS, _JPEG, _PNG, _GRAPHIC_COLOURS]
    return hashlib.sha256(json.dumps([versions, settings], default=str).encode()).hexdigest()


class DerivativeCache:
    """Make the renditions of images, or take them from ``folder`` when made before."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._settings = settings_key()

    def derive(self, path: Path, shown: str | None = None) -> ResponsiveImage | None:
        """Return the renditions of a raster image file (None for an animated image, shown as is).

        Raises :class:`~site_builder.images.ImageError` for a file that is no readable
        image (validation reports those first).
        """
        info = inspect_image(path, shown)
        if info.animated:
            return None
        key = hashlib.sha256(f"{self._settings}\0{info.sha256}".encode()).hexdigest()[:40]
        cached = self._read(key, info.sha256)
        if cached is not None:
            return cached
        made = make_renditions(path.read_bytes(), shown or str(path))
        renditions = []
        for fmt, width, height, data in made:
            target = self.folder / f"{key}-{width}.{_SUFFIX[fmt]}"
            write_atomic(target, data)
            renditions.append(Rendition(fmt, width, height, target,
                                        hashlib.sha256(data).hexdigest()))
        image = _responsive(info.sha256, renditions)
        manifest = [{**asdict(r), "path": r.path.name} for r in renditions]
        write_atomic(self.folder / f"{key}.json", json.dumps(manifest).encode())
        return image

    def _read(self, key: str, sha256: str) -> ResponsiveImage | None:
        """Return the cached renditions of a key, or None when missing or not as recorded."""
        try:
            manifest = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            renditions = [Rendition(**{**entry, "path": self.folder / entry["path"]})
                          for entry in manifest]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        for rendition in renditions:
            if rendition.path.parent != self.folder or not _matches(rendition):
                return None
        return _responsive(sha256, renditions) if renditions else None


def _matches(rendition: Rendition) -> bool:
    try:
        return hashlib.sha256(rendition.path.read_bytes()).hexdigest() == rendition.sha256
    except OSError:
        return False


def _responsive(sha256: str, renditions: list[Rendition]) -> ResponsiveImage:
    widest = max(renditions, key=lambda r: (r.width, r.format))
    return ResponsiveImage(sha256, widest.width, widest.height, tuple(renditions))


def target_widths(width: int) -> list[int]:
    """Return the rendition widths of an image ``width`` pixels wide (never upscaled)."""
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def make_renditions(data: bytes, shown: str) -> list[tuple[str, int, int, bytes]]:
    """Return (format, width, height, bytes) of every rendition of a still raster image."""
    with strict_pillow():
        image = open_image(data, shown)
        with image:
            source_format = "JPEG" if image.format == "MPO" else str(image.format)
            if frames(image, shown) > 1:
                raise ImageError(_animated(shown))
            upright = upright_size(image)
            widths = target_widths(upright[0])
            scale = widths[-1] / upright[0]
            decode(image, shown, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            picture = prepare(image)
    out = []
    lossless = source_format in ("PNG", "GIF") and _few_colours(picture)
    fallback = _FALLBACK.get(source_format)
    for width in reversed(widths):  # each from the one before: fewer pixels to filter
        height = max(1, round(upright[1] * width / upright[0]))
        scaled = picture if picture.size == (width, height) else resized(picture, (width, height))
        picture = scaled
        out.append(("WEBP", width, height, _encode(scaled, _WEBP_LOSSLESS if lossless else _WEBP_LOSSY)))
        if fallback is not None:
            out.append((fallback, width, height, _encode(scaled, _JPEG if fallback == "JPEG" else _PNG)))
    if fallback is not None and _total(out, "WEBP") >= _total(out, fallback):
        out = [item for item in out if item[0] != "WEBP"]  # WebP would only cost more
    return sorted(out, key=lambda item: (item[1], item[0]))


def _total(renditions: list[tuple[str, int, int, bytes]], fmt: str) -> int:
    return sum(len(data) for kind, _, _, data in renditions if kind == fmt)


def _animated(shown: str) -> ImageProblem:
    return ImageProblem("image-animated", f"'{shown}' is animated: it is shown as it is")


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Return an opened image's size once its EXIF orientation is applied."""
    orientation = image.getexif().get(0x0112, 1)
    return (image.height, image.width) if orientation in (5, 6, 7, 8) else image.size


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def prepare(image: Image.Image) -> Image.Image:
    """Return the decoded image upright, in sRGB, in a mode every encoder takes, with no metadata."""
    icc = image.info.get("icc_profile")
    picture = ImageOps.exif_transpose(image)
    if picture.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    if icc and picture.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if picture.mode == "RGBA" else "RGB"
            picture = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=mode) or picture
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are
    if picture.mode == "CMYK":
        picture = picture.convert("RGB")
    if picture.mode in ("L", "LA"):
        picture = picture.convert("RGBA" if picture.mode == "LA" else "RGB")
    picture.info = {}
    return picture


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _few_colours(image: Image.Image) -> bool:
    """Return whether an image is a drawing rather than a photograph (few distinct colours)."""
    scale = min(1.0, 400 / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    sample = image.resize(size, Image.Resampling.NEAREST)  # no blended colours
    return sample.getcolors(maxcolors=_GRAPHIC_COLOURS) is not None


def resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Return an image resampled (Lanczos) to ``size``, without metadata."""
    out = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    out.info = {}
    return out


def _encode(image: Image.Image, options: dict[str, Any]) -> bytes:
    picture = image
    if options["format"] == "JPEG" and picture.mode != "RGB":
        picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, **options)
    return out.getvalue()
