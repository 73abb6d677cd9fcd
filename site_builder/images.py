"""Decode every raster image a brief uses once, and say what is wrong with it.

A brief may show PNG, JPEG, WebP and GIF images. Each is opened with Pillow, its format
read from its content (never its name), its size checked against a pixel limit before
any pixel is decoded, then decoded in full so that a truncated file is caught here and
not printed half black. The result is cached by content hash: the same bytes are decoded
once per process whatever their name or however many briefs use them.

Pillow's own warnings (``DecompressionBombWarning``) never reach the terminal: they, and
every decoding failure, become :class:`ImageProblem` values, and
:func:`image_findings` turns those into findings at the line that uses the image.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from site_builder.findings import Finding, Severity

MAX_PIXELS = 40_000_000
"""Largest image accepted, in pixels (width × height): about 160 MB once decoded (RGBA).
Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) applies too, when it is lower."""
WARN_BYTES = 2_000_000
"""A file larger than this is a warning: readers on metered lines pay for it."""
WARN_SIDE = 4_000
"""An image wider or taller than this (pixels) is a warning: no page or print needs it."""

FORMATS: dict[str, str] = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP",
                           ".gif": "GIF"}
"""Raster image file suffixes and the Pillow format their content must have."""
_PILLOW_FORMATS = sorted(set(FORMATS.values()))
_SAME_FORMAT = {"MPO": "JPEG"}  # a camera's multi-picture JPEG is a JPEG to every reader
_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}
_CACHE_SIZE = 4096


@dataclass(frozen=True)
class ImageInfo:
    """What decoding a raster image found: its format (by content), size and hash."""

    format: str
    """Pillow's format name: ``PNG``, ``JPEG``, ``WEBP`` or ``GIF``."""
    width: int
    height: int
    bytes: int
    """File size."""
    sha256: str
    """Hex digest of the file's bytes: the key of every cache of this image."""
    animated: bool = False
    """More than one frame (an animated GIF or WebP)."""

    @property
    def pixels(self) -> int:
        """Width times height."""
        return self.width * self.height


@dataclass(frozen=True)
class ImageProblem:
    """One thing wrong with an image file."""

    code: str
    message: str
    severity: Severity = Severity.ERROR


class ImageError(Exception):
    """Raised by :func:`inspect_image` for a file that cannot be shown: carries the problem."""

    def __init__(self, problem: ImageProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def is_raster_name(path: Path) -> bool:
    """Return whether a file's name says it is a raster image this tool handles."""
    return path.suffix.lower() in FORMATS


def pixel_limit() -> int:
    """Return the largest number of pixels accepted (ours, or Pillow's when lower)."""
    pillow = Image.MAX_IMAGE_PIXELS
    return min(MAX_PIXELS, int(pillow)) if pillow else MAX_PIXELS


@contextlib.contextmanager
def strict_pillow() -> Iterator[None]:
    """Make Pillow raise on truncated files and turn its bomb warning into an error.

    WeasyPrint, once imported, tells Pillow to load truncated images silently; inside this
    block they raise again (the flag is restored after).
    """
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def open_image(data: bytes, shown: str) -> Image.Image:
    """Open image bytes with Pillow (PNG, JPEG, WebP, GIF only), refusing a bomb before decoding.

    Call inside :func:`strict_pillow`. Raises :class:`ImageError`.
    """
    try:
        image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(_bomb(shown, None, str(exc))) from None
    except UnidentifiedImageError:
        raise ImageError(ImageProblem("image-mislabelled", f"'{shown}' is not a PNG, JPEG, "
                                      f"WebP or GIF image ({_sniff(data)})")) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(_corrupt(shown, exc)) from None
    if image.width * image.height > pixel_limit():
        raise ImageError(_bomb(shown, image))
    return image


def decode(image: Image.Image, shown: str, size: tuple[int, int] | None = None) -> None:
    """Decode an opened image's pixels (a JPEG at a reduced scale when ``size`` allows).

    Call inside :func:`strict_pillow`. Raises :class:`ImageError` for a truncated or
    corrupt file.
    """
    try:
        if size is not None and image.format in ("JPEG", "MPO"):
            image.draft(image.mode, size)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_bomb(shown, image)) from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, MemoryError) as exc:
        raise ImageError(_corrupt(shown, exc)) from None


def frames(image: Image.Image, shown: str) -> int:
    """Return how many frames an opened image has (an animated GIF or WebP has several)."""
    try:
        return int(getattr(image, "n_frames", 1))
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageError(_corrupt(shown, exc)) from None


def _bomb(shown: str, image: Image.Image | None, pillow_message: str = "") -> ImageProblem:
    if image is not None:
        size = f"{image.width:,} × {image.height:,} pixels"
    else:  # Pillow refused it before saying its size, except in its message
        found = re.search(r"\((\d+) pixels\)", pillow_message)
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
    return ImageProblem("image-bomb", f"'{shown}' is {size}, over the limit of "
                        f"{pixel_limit():,} pixels (a decompression bomb, or a far larger "
                        "image than any page needs): resize it")


def _corrupt(shown: str, exc: BaseException) -> ImageProblem:
    reason = str(exc).split(" (")[0] or type(exc).__name__
    return ImageProblem("image-corrupt", f"'{shown}' is truncated or corrupt ({reason}): "
                        "export it again")


def _sniff(data: bytes) -> str:
    """Say what a file that is no raster image looks like, for the error message."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not data:
        return "the file is empty"
    if head.startswith(b"%pdf"):
        return "it is a PDF file"
    if b"<svg" in head:
        return "it is an SVG drawing: name it .svg"
    if head.startswith(b"<"):
        return "it is an HTML or XML text file"
    if head.startswith((b"ii*\0", b"mm\0*")):
        return "it is a TIFF image: save it as PNG or JPEG"
    return "its content is no image format this tool reads"


class _Memo:
    """Decoded images by content hash (bounded, oldest dropped first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, ImageInfo] = OrderedDict()

    def get(self, digest: str) -> ImageInfo | None:
        found = self.entries.get(digest)
        if found is not None:
            self.entries.move_to_end(digest)
        return found

    def put(self, info: ImageInfo) -> None:
        self.entries[info.sha256] = info
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)


_memo = _Memo(_CACHE_SIZE)
"""Only good images are kept: a bad one is rare, fails early, and its message names its file."""


def inspect_image(path: Path, shown: str | None = None) -> ImageInfo:
    """Decode a raster image file once (cached by content hash) and return what it is.

    ``shown`` is how messages name the file (default: the path). Raises
    :class:`ImageError` for a file that is no readable image, a decompression bomb or a
    truncated file; checks nothing about its name (see :func:`check_image`).
    """
    shown = shown if shown is not None else str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(ImageProblem("image-corrupt", f"'{shown}' cannot be read "
                                      f"({exc.strerror or exc})")) from None
    digest = hashlib.sha256(data).hexdigest()
    found = _memo.get(digest)
    if found is None:
        found = _decode_bytes(data, digest, shown)
        _memo.put(found)
    return found


def _decode_bytes(data: bytes, digest: str, shown: str) -> ImageInfo:
    with strict_pillow():
        image = open_image(data, shown)
        with image:
            fmt = _SAME_FORMAT.get(image.format or "", image.format or "")
            width, height = image.size
            decode(image, shown, (max(1, width // 8), max(1, height // 8)))
            animated = frames(image, shown) > 1
    return ImageInfo(fmt, width, height, len(data), digest, animated)


def check_image(path: Path, shown: str | None = None) -> list[ImageProblem]:
    """Return the problems of one raster image file: errors first, then warnings.

    Errors: no image (or not the one its name says), a decompression bomb, a truncated or
    corrupt file. Warnings: over :data:`WARN_BYTES`, or over :data:`WARN_SIDE` pixels on
    a side.
    """
    shown = shown if shown is not None else str(path)
    try:
        info = inspect_image(path, shown)
    except ImageError as exc:
        return [exc.problem]
    problems = []
    named = FORMATS.get(path.suffix.lower())
    if named is not None and info.format != named:
        problems.append(ImageProblem(
            "image-mislabelled", f"'{shown}' is named {path.suffix} but holds a "
            f"{_NAMES[info.format]} image: rename it to .{_suffix(info.format)}"))
    if info.bytes > WARN_BYTES:
        problems.append(ImageProblem(
            "image-heavy", f"'{shown}' is {info.bytes / 1_000_000:.1f} MB (over "
            f"{WARN_BYTES // 1_000_000} MB): resize or compress it (e.g. a JPEG 2,000 "
            "pixels wide)", Severity.WARNING))
    if max(info.width, info.height) > WARN_SIDE:
        problems.append(ImageProblem(
            "image-oversize", f"'{shown}' is {info.width:,} × {info.height:,} pixels (over "
            f"{WARN_SIDE:,} on a side): resize it to at most 2,000 pixels wide",
            Severity.WARNING))
    return problems


def _suffix(fmt: str) -> str:
    return {"JPEG": "jpg"}.get(fmt, fmt.lower())


def image_findings(brief_rel_path: str, references: list[tuple[Path, int, int]]) -> list[Finding]:
    """Return the findings of the raster images a brief references, at each reference.

    ``references`` holds (resolved path on disk, line, column) of every local file the
    brief shows or links; files whose name is no raster image's are skipped, and so are
    missing files (the link checks report those). Errors are reported at every reference
    to the image, warnings at the first one only.
    """
    findings: list[Finding] = []
    warned: set[Path] = set()
    for path, line, col in references:
        if not is_raster_name(path) or not path.is_file():
            continue
        for problem in check_image(path, _shown(path)):
            if problem.severity is Severity.WARNING and path in warned:
                continue
            findings.append(Finding(brief_rel_path, line, col, problem.message, problem.code,
                                    problem.severity))
        warned.add(path)
    return findings


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
