"""Images: one decode at validation, responsive renditions on the site, downsampled PDFs.

Real images made with Pillow (a 3000 × 2000 photograph-like JPEG, a chart-like PNG, a
decompression bomb crafted small, a truncated PNG, an HTML file named ``.png``), real
MkDocs builds, real WeasyPrint renders read back with pikepdf, and the built page in
real Chromium at phone width.
"""

from __future__ import annotations

import io
import shutil
import struct
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pytest
from browser_support import chromium, new_page, serve_folder
from conftest import CorpusWriter
from fixtures_site import BuiltSite, build_project
from PIL import Image, ImageFile

from site_builder import images
from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Severity
from site_builder.image_derivatives import WIDTHS, DerivativeCache, make_renditions
from site_builder.images import check_image, image_findings, inspect_image
from site_builder.pdf import render_brief
from site_builder.pdf.print_images import MAX_WIDTH
from site_builder.settings import Settings

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


# -- renditions ----------------------------------------------------------------------

def test_renditions_are_smaller_never_upscaled_upright_and_stripped(folder: Path) -> None:
    original = photo()
    made = make_renditions(original, "photo.jpg")
    assert sorted({(fmt, w) for fmt, w, _, _ in made}) == sorted(
        {(fmt, w) for fmt in ("JPEG", "WEBP") for w in WIDTHS})
    for fmt, width, height, data in made:
        assert len(data) < len(original) / 5, (fmt, width)
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (width, height) == (width, round(width * 2 / 3))
            assert image.format == fmt
            assert "exif" not in image.info and "icc_profile" not in image.info
    small = make_renditions(png(300, 120), "small.png")
    assert {(fmt, w, h) for fmt, w, h, _ in small} <= {("PNG", 300, 120), ("WEBP", 300, 120)}
    # A camera's portrait photo: stored 600 × 400, EXIF orientation 6 (turn 90° clockwise).
    stored = Image.new("RGB", (600, 400), (200, 30, 30))
    exif = stored.getexif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", exif=exif.tobytes())
    assert {(w, h) for _, w, h, _ in make_renditions(out.getvalue(), "portrait.jpg")} == {
        (400, 600)}


def test_renditions_are_cached_checked_and_identical_bytes(folder: Path) -> None:
    source = folder / "photo.jpg"
    source.write_bytes(photo(1600, 1000))
    first = DerivativeCache(folder / "one").derive(source)
    second = DerivativeCache(folder / "two").derive(source)
    assert first is not None and second is not None
    assert [r.path.read_bytes() for r in first.renditions] == [
        r.path.read_bytes() for r in second.renditions]
    cache = DerivativeCache(folder / "one")
    victim = first.renditions[-1].path
    good = victim.read_bytes()
    victim.write_bytes(good[: len(good) // 2])  # a truncated cache entry is made again
    again = cache.derive(source)
    assert again == first and victim.read_bytes() == good


# -- the site ------------------------------------------------------------------------

BODY = """\
## Context

![A market in Maputo](img/photo.jpg)

Some text between the pictures.

![Households covered, 2008 to 2015](img/chart.png){: #households width="450" }

<p><img src="img/chart.png" alt="Raw" sizes="1px" decoding="sync"></p>

![A drawing](img/drawing.svg)
"""
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="10" y="10" width="120" height="180" fill="#0b4f6c"/></svg>')


def write_image_brief(corpus: CorpusWriter) -> None:
    corpus.write("moz/img/photo.jpg", photo(quality=85))  # under 2 MB: no image-heavy warning
    corpus.write("moz/img/chart.png", chart())
    corpus.write("moz/img/drawing.svg", SVG)
    corpus.brief("moz/moz-a.md", title="Pictures", body=BODY)


def body_images(site: BuiltSite) -> list[tuple[str, dict[str, str], list[dict[str, str]]]]:
    """Return (tag, attributes, source attributes) of each image of the brief's body."""
    body = site.content("briefs/moz-a/").find("div", "brief-body")
    assert body is not None
    found = []
    for node in body.iter():
        if node.tag == "picture":
            img = node.find("img")
            assert img is not None
            found.append(("picture", img.attrs, [s.attrs for s in node.find_all("source")]))
        elif node.tag == "img" and not any(node is p.find("img") for p in body.find_all("picture")):
            found.append(("img", node.attrs, []))
    return found


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width.rstrip("w"))) for url, width in
            (item.strip().split() for item in srcset.split(","))]


@pytest.mark.slow
def test_brief_images_get_renditions_srcset_sizes_and_lazy_loading(corpus: CorpusWriter,
                                                                   site_project: Path) -> None:
    write_image_brief(corpus)
    site = build_project(site_project, strict=True)
    page_dir = site.path("briefs/moz-a/").parent
    shown = body_images(site)
    assert [tag for tag, _, _ in shown] == ["picture", "picture", "picture", "img"]
    original = (corpus.root / "moz/img/photo.jpg").stat().st_size
    for index, (_, img, sources) in enumerate(shown[:3]):
        files = [(img["src"], None), *candidates(img["srcset"])]
        files += [c for s in sources for c in candidates(s["srcset"])]
        assert {s["type"] for s in sources} == {"image/webp"}
        for url, width in files:
            path = page_dir / unquote(url)
            assert url.startswith("_images/") and path.is_file(), url
            with Image.open(path) as image:
                assert width is None or image.width == width
                assert image.width <= WIDTHS[-1]
            assert path.stat().st_size < original
        # Loading: the first image at once, the others lazily.
        assert ("loading" in img, "decoding" in img) == (index > 0, index > 0)
        if index > 0:
            assert (img["loading"], img["decoding"]) == ("lazy", "async")
    photo_img, chart_img, raw_img = (s[1] for s in shown[:3])
    assert (photo_img["width"], photo_img["height"]) == ("1200", "800")
    assert photo_img["alt"] == "A market in Maputo"
    assert (chart_img["width"], chart_img["height"], chart_img["id"]) == ("450", "250", "households")
    assert chart_img["sizes"] == "(max-width: 450px) 100vw, 450px"
    # The author's own srcset, sizes and decoding never survive (only the template's do; a
    # remote srcset is refused at validation: tests/test_rendered_refs.py).
    assert 'sizes="1px"' not in site.html("briefs/moz-a/")
    assert raw_img["sizes"] != "1px" and raw_img["decoding"] == "async"
    assert (raw_img["width"], raw_img["height"]) == ("900", "500")
    # The SVG has no renditions, but loads lazily too.
    assert shown[3][1]["src"] == "img/drawing.svg" and shown[3][1]["loading"] == "lazy"


@pytest.mark.slow
def test_renditions_are_byte_identical_across_builds(corpus: CorpusWriter, site_project: Path) -> None:
    write_image_brief(corpus)
    first = build_project(site_project)
    before = {k: v for k, v in first.files().items() if "/_images/" in k or k.endswith("moz-a/index.html")}
    shutil.rmtree(first.settings.cache_root / "images")  # made again from scratch
    second = build_project(site_project).files()
    assert len(before) > 10
    assert before == {k: second[k] for k in before}


@pytest.fixture
def served_site(corpus: CorpusWriter, site_project: Path) -> Iterator[tuple[str, BuiltSite]]:
    write_image_brief(corpus)
    site = build_project(site_project)

    with serve_folder(site.root) as url:
        yield url, site


@pytest.mark.slow
@pytest.mark.browser
def test_a_phone_loads_a_webp_rendition_not_the_original(served_site: tuple[str, BuiltSite]) -> None:
    base_url, _site = served_site
    with chromium() as browser:
        page = new_page(browser, 375, 740, device_scale_factor=2)
        requested = page.requested
        page.goto(base_url + "briefs/moz-a/")
        page.locator(".brief-body picture img").first.wait_for()
        first = page.evaluate("""() => { const img = document.querySelector('.brief-body img');
            return new Promise(done => { const report = () => done({src: img.currentSrc,
              natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
              right: img.getBoundingClientRect().right});
              img.complete ? report() : img.addEventListener('load', report); }); }""")
    # About 340 CSS pixels wide at 2 device pixels each: the 800 px WebP, not the 3000 px JPEG.
    assert first["src"].endswith("-800.webp"), first
    assert first["natural"] > 0 and 300 <= first["shown"] <= 375, first  # decoded, and fits
    assert first["right"] <= 375  # the picture itself never widens the page
    assert not any(url.endswith("img/photo.jpg") for url in requested), requested


# -- PDFs ----------------------------------------------------------------------------

PDF_BODY = """\
## Context

A short paragraph before the photograph.

![A market in Maputo](img/photo.jpg)

*A market in Maputo.*

## Results

A short paragraph after it.
"""


def placed_images(pdf: Path) -> list[tuple[int, int, float]]:
    """Return (pixel width, pixel height, placed width in points) of every image drawn."""
    found = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            xobjects = page.Resources.get("/XObject", {})
            stack = [(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)]
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    stack.append(stack[-1])
                elif op == "Q":
                    stack.pop()
                elif op == "cm":
                    a, b, c, d, e, f = (float(x) for x in operands)
                    A, B, C, D, E, F = stack[-1]
                    stack[-1] = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
                                 e * A + f * C + E, e * B + f * D + F)
                elif op == "Do":
                    xobject = xobjects.get(operands[0])
                    if xobject is not None and xobject.get("/Subtype") == "/Image":
                        a, b = stack[-1][:2]
                        found.append((int(xobject.Width), int(xobject.Height), (a * a + b * b) ** 0.5))
    return found


@pytest.fixture
def pdf_corpus(corpus: CorpusWriter) -> CorpusWriter:
    corpus.write("moz/img/photo.jpg", photo(quality=85))  # under 2 MB: no image-heavy warning
    corpus.brief("moz/moz-a.md", title="A photograph", body=PDF_BODY)
    return corpus


@pytest.mark.slow
def test_pdf_images_are_downsampled_to_print_resolution(pdf_corpus: CorpusWriter, tmp_path: Path) -> None:
    loaded, _ = load_corpus(pdf_corpus.root)
    source = (pdf_corpus.root / "moz/img/photo.jpg").stat().st_size
    out = tmp_path / "a.pdf"
    out.write_bytes(render_brief(loaded.briefs[0], loaded, Settings(project_dir=tmp_path)))
    drawn = placed_images(out)
    assert len(drawn) == 1
    width, height, points = drawn[0]
    ppi = width / (points / 72)
    assert width <= MAX_WIDTH and (width, height) != (3000, 2000)
    assert 150 <= ppi <= 220, ppi
    assert out.stat().st_size < source / 4, (out.stat().st_size, source)


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["bomb", "truncated", "html"])
def test_a_bad_image_fails_the_pdf_with_a_clear_error(pdf_corpus: CorpusWriter, tmp_path: Path,
                                                      bad: str) -> None:
    """Even past validation (the file replaced after loading), the renderer refuses it."""
    loaded, _ = load_corpus(pdf_corpus.root)
    target = pdf_corpus.root / "moz/img/photo.jpg"
    data = target.read_bytes()
    target.write_bytes({"bomb": huge_png(20_000, 20_000), "truncated": data[: len(data) // 3],
                        "html": b"<html><body>not a photo</body></html>"}[bad])
    with pytest.raises(BriefsError) as failure:
        render_brief(loaded.briefs[0], loaded, Settings(project_dir=tmp_path))
    message = str(failure.value)
    assert "img/photo.jpg" in message
    expected = {"bomb": "limit", "truncated": "truncated or corrupt", "html": "not a PNG, JPEG"}
    assert expected[bad] in message, message
