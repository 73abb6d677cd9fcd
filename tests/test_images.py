"""Images: one decode at validation, responsive renditions on the site, downsampled PDFs.

Real images made with Pillow (a 3000 × 2000 photograph-like JPEG, a chart-like PNG, a
decompression bomb crafted small, a truncated PNG, an HTML file named ``.png``), real
MkDocs builds, real WeasyPrint renders read back with pikepdf, and the built page in
real Chromium at phone width.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from site_builder import images
from site_builder.findings import Severity
from site_builder.images import check_image, image_findings, inspect_image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# -- images made for the tests -------------------------------------------------------

def photo(width: int = 3000, height: int = 2000, quality: int = 95) -> bytes:
    """Return a photograph-like JPEG: gradients with grain (it compresses like a photo)."""
    grad = Image.linear_gradient("L").resize((width, height))
    grain = Image.blend(grad, Image.effect_noise((width, height), 24), 0.5)
    radial = Image.radial_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (grain, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), radial))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def chart(width: int = 900, height: int = 500) -> bytes:
    """Return a chart-like palette PNG: flat bars on white."""
    picture = Image.new("P", (width, height), 0)
    picture.putpalette([255, 255, 255, 11, 79, 108, 200, 80, 40])
    for i, bar in enumerate((0.3, 0.6, 0.9)):
        picture.paste(1 + i % 2, (60 + i * 250, int(height * (1 - bar)), 220 + i * 250, height))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def png(width: int, height: int, colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """Return a valid 1-bit PNG of huge dimensions that weighs a few kilobytes (a bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (width + 7) // 8)  # filter byte, then the pixels (all black)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def noisy_png(side: int) -> bytes:
    """Return an RGB PNG of pure noise (it does not compress: about 3 bytes a pixel)."""
    bands = [Image.effect_noise((side, side), 90 + 10 * i) for i in range(3)]
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "PNG", compress_level=1)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(problems: list[images.ImageProblem]) -> list[tuple[str, Severity]]:
    return [(p.code, p.severity) for p in problems]


# -- validation: one decode, clear problems ------------------------------------------

def test_a_decompression_bomb_is_refused_without_pillow_warnings(folder: Path,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    bomb = folder / "bomb.png"
    bomb.write_bytes(huge_png(20_000, 20_000))
    assert bomb.stat().st_size < 200_000  # small on disk, 400 million pixels once decoded
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = check_image(bomb, "bomb.png")
    assert codes(problems) == [("image-bomb", Severity.ERROR)]
    assert "400,000,000 pixels, over the limit" in problems[0].message
    assert caught == [] and capfd.readouterr() == ("", "")


def test_an_image_between_our_limit_and_pillows_is_a_bomb_too(folder: Path) -> None:
    """8,000 × 8,000 is under Pillow's limit (89 Mpx, where it only warns) but over ours."""
    big = folder / "big.png"
    big.write_bytes(huge_png(8_000, 8_000))
    assert Image.MAX_IMAGE_PIXELS > 64_000_000 > images.MAX_PIXELS
    assert codes(check_image(big)) == [("image-bomb", Severity.ERROR)]


def test_pillows_own_limit_applies_when_lower(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = folder / "small.png"
    path.write_bytes(png(200, 100))
    assert check_image(path) == []
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)
    monkeypatch.setattr(images, "_memo", images._Memo(8))  # the first check is cached
    assert codes(check_image(path)) == [("image-bomb", Severity.ERROR)]


@pytest.mark.parametrize("load_truncated", [False, True])
def test_a_truncated_image_is_an_error(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                       load_truncated: bool) -> None:
    """Also once WeasyPrint (imported in the same process) told Pillow to load truncated files."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)
    data = chart()
    for name, cut in (("cut.png", data[: len(data) // 2]), ("cut.jpg", photo(600, 400)[:20_000])):
        path = folder / name
        path.write_bytes(cut)
        problems = check_image(path, name)
        assert codes(problems) == [("image-corrupt", Severity.ERROR)], name
        assert "truncated or corrupt" in problems[0].message
    assert ImageFile.LOAD_TRUNCATED_IMAGES is load_truncated  # restored


def test_a_file_that_is_not_the_image_its_name_says_is_an_error(folder: Path) -> None:
    page = folder / "chart.png"
    page.write_text("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
                    encoding="utf-8")
    problems = check_image(page, "chart.png")
    assert codes(problems) == [("image-mislabelled", Severity.ERROR)]
    assert "HTML" in problems[0].message
    jpeg = folder / "photo.png"
    jpeg.write_bytes(photo(300, 200))
    problems = check_image(jpeg, "photo.png")
    assert codes(problems) == [("image-mislabelled", Severity.ERROR)]
    assert "JPEG" in problems[0].message and ".jpg" in problems[0].message


def test_large_images_are_warnings(folder: Path) -> None:
    wide = folder / "wide.png"
    wide.write_bytes(png(5000, 400))
    problems = check_image(wide, "wide.png")
    assert codes(problems) == [("image-oversize", Severity.WARNING)]
    assert "5,000 × 400" in problems[0].message and "resize" in problems[0].message
    heavy = folder / "heavy.png"
    heavy.write_bytes(noisy_png(1000))
    assert heavy.stat().st_size > images.WARN_BYTES
    assert codes(check_image(heavy)) == [("image-heavy", Severity.WARNING)]


def test_a_good_image_has_no_problem_and_is_decoded_once_per_content(folder: Path) -> None:
    first, second = folder / "a.png", folder / "b.png"
    first.write_bytes(chart())
    second.write_bytes(chart())
    assert check_image(first) == [] and check_image(second) == []
    info = inspect_image(first)
    assert (info.format, info.width, info.height, info.bytes) == ("PNG", 900, 500, first.stat().st_size)
    assert inspect_image(second) is info  # same bytes: the cached result


def test_image_findings_are_at_the_references(folder: Path) -> None:
    bad, big, fine = folder / "img" / "bad.png", folder / "img" / "big.png", folder / "img" / "ok.png"
    bad.parent.mkdir()
    bad.write_text("<html></html>", encoding="utf-8")
    big.write_bytes(png(4500, 100))
    fine.write_bytes(png(10, 10))
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    refs = [(bad, 12, 3), (big, 14, 1), (fine, 15, 1), (bad, 20, 8), (big, 21, 1),
            (folder / "notes.csv", 22, 1), (folder / "img" / "gone.png", 23, 1)]
    found = image_findings("briefs/moz/moz-a.md", refs)
    assert [(f.line, f.col, f.code, f.severity) for f in found] == [
        (12, 3, "image-mislabelled", Severity.ERROR),
        (14, 1, "image-oversize", Severity.WARNING),
        (20, 8, "image-mislabelled", Severity.ERROR),  # errors at every use, warnings once
    ]
    assert found[0].format().startswith("briefs/moz/moz-a.md:12:3: error: 'img/bad.png' is not")
