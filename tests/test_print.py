"""Print files (PDF/X-4, CMYK, bleed, marks, imposition, job sheets), read back from real files.

Two small briefs (one with a photo, an SVG chart in RGB and links) are rendered once as
print files with crop marks and both impositions, and as a pack's print file; the files
are read back with pikepdf, Pillow and poppler's pdftotext.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from conftest import THEMES_YML, CorpusWriter
from PIL import Image, ImageCms

from site_builder.bundle import Cover, Selection
from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError
from site_builder.index import build_index
from site_builder.pdf import render_all
from site_builder.print.files import brief_print_files, bundle_print_files
from site_builder.print.imposition import booklet_order
from site_builder.print.variant import DEFAULT_PROFILE, print_key
from site_builder.settings import PrintSettings, Settings, settings_from_options, with_print

A4 = (595.276, 841.89)
BLEED = 3 * 72 / 25.4
CHART = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="160" viewBox="0 0 300 160">
<rect x="10" y="40" width="80" height="120" fill="#1f77b4"/>
<rect x="110" y="10" width="80" height="150" fill="rgb(255, 127, 14)" stroke="#2ca02c"/>
<text x="200" y="80" fill="#d62728" font-size="12">2015</text></svg>
"""
BODY = """## Context

{words}

![A photo of a market](img/photo.jpg)

*Traders at a market.*

![Households covered](img/chart.svg)

*Households covered.*

See [the programme](https://www.social-protection.org/) and the figures above.

## Results

{words}
"""


def _photo() -> bytes:
    """A 3000 × 2000 RGB photo-like JPEG (far more pixels than 300 ppi in one column needs)."""
    image = Image.radial_gradient("L").resize((3000, 2000))
    colour = Image.merge("RGB", (image, image.rotate(90).resize((3000, 2000)),
                                 Image.linear_gradient("L").resize((3000, 2000))))
    out = io.BytesIO()
    colour.save(out, format="JPEG", quality=80)
    return out.getvalue()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Render the print files once: the briefs' (with a3-fold) and a pack's (with booklet)."""
    root = tmp_path_factory.mktemp("print-project")
    writer = CorpusWriter(root / "briefs")
    words = " ".join(["Social protection floors guarantee basic income security."] * 40)
    writer.write("moz/img/photo.jpg", _photo())
    writer.write("moz/img/chart.svg", CHART)
    writer.brief("moz/alpha.md", title="Alpha brief", body=BODY.format(words=words))
    writer.brief("cpv/beta.md", title="Beta brief", countries="[CPV]", date="2016-03-01",
                 body=f"## Context\n\n{words}\n")
    loaded, findings = load_corpus(writer.root)
    assert not [f for f in findings if f.severity.value == "error"]
    index = build_index(loaded)
    settings = Settings(project_dir=root, cache_dir=str(root / "cache"),
                        site_url="https://briefs.example.org/",
                        print=PrintSettings(enabled=True, marks="crop",
                                            impose=("a3-fold", "booklet"), quantity="500"))
    files, pdfs = brief_print_files(loaded, settings, jobs=2)
    assert [f for f in files.findings if f.severity.value == "error"] == []
    pack = bundle_print_files(index, settings, Selection(slugs=("alpha", "beta"), order="listed"),
                              Cover("Print pack", "Briefs"), root / "out" / "pack.pdf", jobs=1)
    web = render_all(loaded, settings, None, jobs=1, slugs=["alpha"])
    return {"settings": settings, "index": index, "files": files.files, "pdfs": pdfs,
            "pack": {p.name: p for p in pack}, "web": web.results["alpha"].cache_path,
            "rendered": files.rendered}


def _all_print_files(made: dict[str, object]) -> dict[str, Path]:
    files = dict(made["files"])  # type: ignore[call-overload]
    files.update({f"pack/{k}": v for k, v in made["pack"].items()  # type: ignore[attr-defined]
                  if not k.endswith(".job.pdf")})
    return {k: v for k, v in files.items() if not k.endswith(".job.pdf")}


def test_the_print_files_are_made(made: dict[str, object]) -> None:
    assert sorted(made["files"]) == [  # type: ignore[call-overload]
        "pdf/print/alpha.a3-fold.pdf", "pdf/print/alpha.job.pdf", "pdf/print/alpha.pdf",
        "pdf/print/beta.a3-fold.pdf", "pdf/print/beta.job.pdf", "pdf/print/beta.pdf"]
    assert sorted(made["pack"]) == ["pack.booklet.pdf", "pack.job.pdf", "pack.pdf"]  # type: ignore[call-overload]
    assert made["pack"]["pack.pdf"].parent.name == "print"  # type: ignore[index]


def test_pdfx_version_and_output_intent(made: dict[str, object]) -> None:
    shipped = ImageCms.getOpenProfile(str(DEFAULT_PROFILE)).profile.profile_description
    for name, path in _all_print_files(made).items():
        with pikepdf.open(path) as pdf:
            with pdf.open_metadata() as meta:
                assert meta.get("{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion") == "PDF/X-4", name
                assert meta.get("pdf:Trapped") == "False"
            intents = pdf.Root.OutputIntents
            assert len(intents) == 1
            assert intents[0].S == pikepdf.Name.GTS_PDFX
            assert str(intents[0].OutputConditionIdentifier) == "FOGRA39"
            profile = ImageCms.ImageCmsProfile(io.BytesIO(intents[0].DestOutputProfile.read_bytes()))
            assert profile.profile.xcolor_space.strip() == "CMYK"
            assert profile.profile.profile_description == shipped
            assert pdf.pdf_version >= "1.6"


def _box(value: pikepdf.Object) -> tuple[float, ...]:
    return tuple(round(float(v), 2) for v in value)


def test_trim_and_bleed_boxes(made: dict[str, object]) -> None:
    with pikepdf.open(made["files"]["pdf/print/alpha.pdf"]) as pdf:  # type: ignore[index]
        assert len(pdf.pages) == 4
        for page in pdf.pages:
            x0, y0, x1, y1 = _box(page.obj.TrimBox)
            assert (round(x1 - x0, 1), round(y1 - y0, 1)) == (595.3, 841.9)  # A4
            assert _box(page.obj.BleedBox) == pytest.approx(
                (x0 - BLEED, y0 - BLEED, x1 + BLEED, y1 + BLEED), abs=0.02)
            media = _box(page.obj.MediaBox)
            assert media[0] < x0 - BLEED and media[2] > x1 + BLEED  # room for the marks
    with pikepdf.open(made["files"]["pdf/print/alpha.a3-fold.pdf"]) as pdf:  # type: ignore[index]
        x0, y0, x1, y1 = _box(pdf.pages[0].obj.TrimBox)
        assert (x1 - x0, y1 - y0) == pytest.approx((1190.55, 841.89), abs=0.02)  # A3 landscape
        assert _box(pdf.pages[0].obj.BleedBox) == pytest.approx(
            (x0 - BLEED, y0 - BLEED, x1 + BLEED, y1 + BLEED), abs=0.02)


_RGB_SPACES = {"/DeviceRGB", "/CalRGB"}


def _is_rgb(space: object) -> bool:
    if isinstance(space, pikepdf.Name):
        return str(space) in _RGB_SPACES
    if isinstance(space, pikepdf.Array) and len(space):
        if space[0] == pikepdf.Name.ICCBased:
            return int(space[1].N) == 3
        if space[0] == pikepdf.Name.Indexed:
            return _is_rgb(space[1])
        return str(space[0]) in _RGB_SPACES
    return False


def _rgb_found(owner: pikepdf.Object, where: str, seen: set[tuple[int, int]]) -> list[str]:
    """Walk a page or form: its operators, colour spaces, images, shadings, patterns, forms."""
    found = []
    target = pikepdf.Page(owner) if owner.get("/Type") == pikepdf.Name.Page else owner
    for operands, operator in pikepdf.parse_content_stream(target):
        if str(operator) in ("rg", "RG"):
            found.append(f"{where}: {operator}")
        if str(operator) in ("cs", "CS") and operands and str(operands[0]) == "/DeviceRGB":
            found.append(f"{where}: {operator} /DeviceRGB")
    if "/Group" in owner and _is_rgb(owner.Group.get("/CS")):
        found.append(f"{where}: RGB group")
    resources = owner.get("/Resources", pikepdf.Dictionary())
    for name, space in resources.get("/ColorSpace", {}).items():
        if _is_rgb(space):
            found.append(f"{where}: colour space {name}")
    shadings = list(resources.get("/Shading", {}).values())
    children = []
    for pattern in resources.get("/Pattern", {}).values():
        (shadings.append(pattern.Shading) if "/Shading" in pattern else children.append(pattern))
    for state in resources.get("/ExtGState", {}).values():
        if isinstance(state.get("/SMask"), pikepdf.Dictionary):
            children.append(state.SMask.G)
    for shading in shadings:
        if _is_rgb(shading.get("/ColorSpace")):
            found.append(f"{where}: RGB shading")
    for name, xobject in resources.get("/XObject", {}).items():
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        if xobject.Subtype == pikepdf.Name.Image:
            image = pikepdf.PdfImage(xobject)
            if _is_rgb(xobject.get("/ColorSpace")) or image.mode in ("RGB", "RGBA", "P"):
                found.append(f"{where}: image {name} in {image.mode}")
        else:
            children.append(xobject)
    for child in children:
        found += _rgb_found(child, f"{where} > form", seen)
    return found


def test_no_rgb_colour_anywhere_in_a_print_file(made: dict[str, object]) -> None:
    with pikepdf.open(made["web"]) as web:  # the web PDF of the same brief is RGB: the walk sees it
        assert _rgb_found(web.pages[0].obj, "web page 1", set())
    for name, path in _all_print_files(made).items():
        with pikepdf.open(path) as pdf:
            seen: set[tuple[int, int]] = set()
            for number, page in enumerate(pdf.pages, start=1):
                assert _rgb_found(page.obj, f"{name} page {number}", seen) == []
                assert "/Annots" not in page.obj, f"{name} page {number} has links"
            assert "/AcroForm" not in pdf.Root


def test_fonts_embedded(made: dict[str, object]) -> None:
    out = subprocess.run(["pdffonts", str(made["files"]["pdf/print/alpha.pdf"])],  # type: ignore[index]
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)  # the "emb" column


def _images(path: Path) -> list[tuple[str, int]]:
    """Return (mode, width in pixels) of the PDF's large raster images, each decoded."""
    with pikepdf.open(path) as pdf:
        found = {}
        for page in pdf.pages:
            for xobject in page.get_images().values():
                image = pikepdf.PdfImage(xobject)
                image.as_pil_image()  # decodable
                found[xobject.objgen] = (image.mode, image.width)
        return [found[key] for key in sorted(found) if found[key][1] > 100]


def test_raster_images_are_cmyk_at_300_ppi(made: dict[str, object]) -> None:
    ((web_mode, web_width),) = _images(made["web"])  # type: ignore[arg-type]
    ((mode, width),) = _images(made["files"]["pdf/print/alpha.pdf"])  # type: ignore[index]
    assert (mode, web_mode) == ("CMYK", "RGB")
    # The web PDF keeps 200 ppi at the printed size, the print file 300: the same box.
    assert width / web_width == pytest.approx(1.5, abs=0.03)
    assert width < 3000  # cut to what the print needs


def _lines(stream: bytes) -> list[tuple[float, float, float, float]]:
    numbers = r"(-?[\d.]+)"
    return [tuple(float(v) for v in m) for m in re.findall(  # type: ignore[misc]
        rf"{numbers} {numbers} m {numbers} {numbers} l S", stream.decode())]


def _outside(x: float, y: float, box: tuple[float, ...]) -> bool:
    return x < box[0] - 0.01 or x > box[2] + 0.01 or y < box[1] - 0.01 or y > box[3] + 0.01


def test_crop_marks_are_outside_the_bleed(made: dict[str, object]) -> None:
    for name, expected in (("pdf/print/alpha.pdf", 8), ("pdf/print/alpha.a3-fold.pdf", 10)):
        with pikepdf.open(made["files"][name]) as pdf:  # type: ignore[index]
            page = pdf.pages[0]
            marks = _lines(page.obj.Contents[-1].read_bytes())
            assert b"1 1 1 1 K" in page.obj.Contents[-1].read_bytes()  # registration colour
            assert len(marks) == expected, name  # 8 crop marks (+ 2 fold marks on a sheet)
            bleed, media = _box(page.obj.BleedBox), _box(page.obj.MediaBox)
            for x0, y0, x1, y1 in marks:
                assert _outside(x0, y0, bleed) and _outside(x1, y1, bleed), (name, x0, y0)
                assert not _outside(x0, y0, media) and not _outside(x1, y1, media)


def _footers(path: Path, page: int) -> list[tuple[str, str, int]]:
    """Return (half, footer title's first word, N) of each "page N of 4" on a sheet side."""
    text = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', text)[1])  # type: ignore[index]
    words = [(float(x0), float(y), w) for x0, y, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', text)]
    found = []
    for i in range(len(words) - 3):
        if words[i][2] == "page" and words[i + 2][2] == "of" and words[i + 3][2] == "4":
            x, y = words[i][0], words[i][1]
            half = "left" if x < width / 2 else "right"
            title = next((w for wx, wy, w in words if abs(wy - y) < 2 and w in ("Alpha", "Beta")
                          and (wx < width / 2) == (half == "left")), "")
            found.append((half, title, int(words[i + 1][2])))
    return sorted(found)


def test_a3_fold_puts_4_1_outside_and_2_3_inside(made: dict[str, object]) -> None:
    path = made["files"]["pdf/print/alpha.a3-fold.pdf"]  # type: ignore[index]
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2  # one A3 sheet, both sides
    assert _footers(path, 1) == [("left", "Alpha", 4), ("right", "Alpha", 1)]
    assert _footers(path, 2) == [("left", "Alpha", 2), ("right", "Alpha", 3)]


def test_booklet_of_a_pack_is_padded_and_in_sheet_order(made: dict[str, object]) -> None:
    # The pack: cover, contents, Alpha 1-4, Beta 1-4 = 10 pages, padded to 12: 3 sheets.
    assert booklet_order(10) == [(None, 0), (1, None), (9, 2), (3, 8), (7, 4), (5, 6)]
    path = made["pack"]["pack.booklet.pdf"]  # type: ignore[index]
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 6
    content = {3: ("Alpha", 1), 4: ("Alpha", 2), 5: ("Alpha", 3), 6: ("Alpha", 4),
               7: ("Beta", 1), 8: ("Beta", 2), 9: ("Beta", 3), 10: ("Beta", 4)}
    for side, (left, right) in enumerate(booklet_order(10), start=1):
        expected = sorted((half, *content[index + 1]) for half, index in (("left", left), ("right", right))
                          if index is not None and index + 1 in content)
        assert _footers(path, side) == expected, f"sheet side {side}"
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "Print pack" in cover  # the cover: page 1, on the right of the outside


def _text(path: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_job_sheets(made: dict[str, object]) -> None:
    pack = _text(made["pack"]["pack.job.pdf"])  # type: ignore[index]
    for expected in ("JOB SHEET", "Print pack", "pack.pdf 10 5 sheets A4", "pack.booklet.pdf",
                     "12 (with 2 blank pages)", "5 sheets A4", "3 sheets A3", "saddle-stitched",
                     "Trim size A4, 210 × 297 mm", "Bleed 3 mm", "crop marks outside the bleed",
                     "FOGRA39", "country-briefs CMYK", "Quantity 500"):
        assert expected in pack, expected
    brief = _text(made["files"]["pdf/print/alpha.job.pdf"])  # type: ignore[index]
    for expected in ("JOB SHEET", "Alpha brief", "alpha.a3-fold.pdf", "1 sheet A3", "outside 4 | 1, inside 2 | 3",
                     "folded once to A4", "2 sheets A4"):
        assert expected in brief, expected
    with pikepdf.open(made["files"]["pdf/print/alpha.job.pdf"]) as pdf:  # type: ignore[index]
        assert len(pdf.pages) == 1


def test_print_files_have_their_own_cache_entries(made: dict[str, object]) -> None:
    settings: Settings = made["settings"]  # type: ignore[assignment]
    loaded = made["index"].corpus  # type: ignore[attr-defined]
    again, _ = brief_print_files(loaded, settings, jobs=1)
    assert (again.rendered, again.cached) == (0, 2)
    assert made["pdfs"]["alpha"][0].parent.name == "print"  # type: ignore[index]
    assert made["web"].parent.name == "pdf"  # type: ignore[attr-defined]
    assert print_key(settings) != print_key(with_print(settings, marks="none"))
    assert print_key(settings) != print_key(with_print(settings, bleed=5))


def test_finishing_and_imposing_give_the_same_bytes_again(made: dict[str, object]) -> None:
    from site_builder.print.files import imposed
    from site_builder.print.variant import finish_print_file, print_spec

    spec = print_spec(made["settings"])  # type: ignore[arg-type]
    web = made["web"].read_bytes()  # type: ignore[attr-defined]
    first = finish_print_file(spec, web)
    assert finish_print_file(spec, web) == first
    assert imposed(first, spec, "Alpha", b"id") == imposed(first, spec, "Alpha", b"id")


def test_print_block_in_mkdocs_yml(tmp_path: Path) -> None:
    settings = settings_from_options(tmp_path, {}, {"print": {"enabled": True, "marks": "crop",
                                                              "impose": "a3-fold", "quantity": 250}})
    assert settings.print == PrintSettings(enabled=True, marks="crop", impose=("a3-fold",),
                                           quantity="250")
    assert settings_from_options(tmp_path, {}, {"print": True}).print.enabled
    with pytest.raises(BriefsError, match=r"briefs\.print\.impose must be 'a3-fold', 'booklet'"):
        settings_from_options(tmp_path, {}, {"print": {"impose": "a4-fold"}})
    with pytest.raises(BriefsError, match=r"briefs\.print\.bleed must be a number of millimetres"):
        settings_from_options(tmp_path, {}, {"print": {"bleed": "3mm"}})
    with pytest.raises(BriefsError, match=r"briefs\.print\.profile: no such file: x\.icc"):
        settings_from_options(tmp_path, {}, {"print": {"profile": "x.icc"}})


@pytest.mark.slow
def test_site_build_publishes_print_files(corpus: CorpusWriter, site_project: Path) -> None:
    from site_builder.build import build_site
    from site_builder.settings import load_settings

    (corpus.root / "themes.yml").write_text(THEMES_YML, encoding="utf-8")
    corpus.brief("moz/gamma.md", title="Gamma brief")
    settings = replace(with_print(load_settings(site_project), enabled=True), search=False,
                       cache_dir=str(site_project / "cache"))
    site = build_site(settings, jobs=1).site
    assert (site / "pdf" / "gamma.pdf").is_file()
    printed = site / "pdf" / "print" / "gamma.pdf"
    with pikepdf.open(printed) as pdf, pdf.open_metadata() as meta:
        assert meta.get("{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion") == "PDF/X-4"
    assert (site / "pdf" / "print" / "gamma.job.pdf").is_file()
    packs = sorted(p.relative_to(site).as_posix() for p in (site / "bundles" / "print").rglob("*.pdf"))
    assert "bundles/print/countries/moz.pdf" in packs
    assert "bundles/print/countries/moz.job.pdf" in packs
