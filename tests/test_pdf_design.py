"""The designed brief PDF: two columns, numbered captions, pull quotes, key facts, the back
page (logo, contacts, partners, QR code) and the page budget both ways (fill, underfill).

Real WeasyPrint renders, read back with poppler (pdftotext -bbox), pikepdf and zbarimg.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from test_pdf import SITE, SVG, load, make_project, pdftotext, words

from site_builder.findings import BriefsError, Severity
from site_builder.pdf import render_all
from site_builder.settings import Partner, PdfSettings, load_settings, with_pdf

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
        '<rect width="120" height="40" fill="#33aa33"/></svg>')


def designed_body(n_words: int, seed: int = 0) -> str:
    """Return a body with every element of the design: key facts, chart, table, pull quote."""
    part = max(n_words // 6, 20)
    return (
        f"## Context\n\n{words(part, seed)}\n\n"
        '!!! key-facts "In numbers"\n    - **535,000** households covered in 2015\n'
        "    - **3 times** as many as in 2008\n\n"
        f"{words(part, seed + 1)}\n\n"
        "![Bar chart of households covered](img/chart.svg)\n\n*Households covered, 2008 to 2015.*\n\n"
        f"## What was achieved\n\n{words(part, seed + 2)}\n\n"
        "| Year | Households | Older persons | Children | Disabled | Total |\n"
        "|---|--:|--:|--:|--:|--:|\n| 2008 | 183,000 | 1 | 2 | 3 | 4 |\n| 2015 | 535,000 | 5 | 6 | 7 | 8 |\n\n"
        "*Beneficiaries by group.*\n\n"
        f"{words(part, seed + 3)}\n\n"
        "> With the money I can buy food, books and school uniforms.\n>\n> — Regina, beneficiary\n\n"
        f"## How it was done\n\n{words(part, seed + 4)}\n\n"
        "| Step | Year |\n|---|--:|\n| Law | 2007 |\n| Strategy | 2016 |\n\n*Milestones.*\n\n"
        f"## Lessons\n\n{words(part, seed + 5)}\n"
    )


@pytest.fixture(scope="module")
def designed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Render a full designed brief, a French one and a short one, with branding options."""
    root = tmp_path_factory.mktemp("design")
    writer, settings = make_project(root)
    (root / "brand").mkdir()
    (root / "brand" / "logo.svg").write_text(LOGO, encoding="utf-8")
    (root / "brand" / "partner.svg").write_text(LOGO, encoding="utf-8")
    settings = dataclasses.replace(settings, pdf=PdfSettings(
        logo="brand/logo.svg", contacts=("Social Protection Department", "socpro@example.org"),
        partners=(Partner("Partner One", "brand/partner.svg"), Partner("Partner Two"))))
    writer.brief("moz/moz-full.md", title="A designed brief", summary="The key messages.",
                 body=designed_body(1450))
    writer.brief("moz/moz-fr.md", title="Une note en français", language="fr",
                 body=designed_body(600, seed=3))
    writer.brief("moz/moz-short.md", title="A short brief", body="## Context\n\nOne paragraph.\n")
    writer.write("moz/img/chart.svg", SVG)
    corpus = load(settings)
    report = render_all(corpus, settings, root / "out", jobs=2)
    return {"root": root, "settings": settings, "corpus": corpus, "report": report}


def _words(path: Path, page: int) -> list[tuple[float, float, str]]:
    """Return (xMin, yMin, word) of every word poppler finds on a page."""
    text = pdftotext(path, "-f", str(page), "-l", str(page), "-bbox")
    return [(float(x), float(y), w) for x, y, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', text)]


def test_body_is_set_in_two_columns(designed: dict[str, Any]) -> None:
    path = designed["report"].results["moz-full"].path
    # A page of body text without the table that spans both columns.
    page = next(p for p in (2, 3) if "Table 1:" not in pdftotext(path, "-f", str(p), "-l", str(p)))
    placed = _words(path, page)
    width = 595.3
    body = [(x, y) for x, y, _ in placed if 60 < y < 780]  # not the running footer
    left = [x for x, _ in body if x < width / 2 - 10]
    right = [x for x, _ in body if x > width / 2 + 5]
    straddling = [x for x, _ in body if width / 2 - 10 <= x <= width / 2 + 5]
    assert len(left) > 150 and len(right) > 150, (len(left), len(right))
    assert not straddling  # the column gap
    # Each column's lines start at one left edge.
    assert round(min(left)) == round(min(x for x, y, _ in _words(path, 1) if y > 400))
    assert min(right) > width / 2 + 5


def test_wide_table_spans_both_columns_and_narrow_one_fits_one(designed: dict[str, Any]) -> None:
    path = designed["report"].results["moz-full"].path
    pages = {p: " ".join(pdftotext(path, "-f", str(p), "-l", str(p)).split()) for p in (1, 2, 3, 4)}
    wide = next(p for p, t in pages.items() if "Table 1: Beneficiaries by group." in t)
    placed = _words(path, wide)
    header = [x for x, _, w in placed if w in ("Year", "Total")]
    assert max(header) - min(header) > 595.3 / 2  # a header across the page
    narrow = next(p for p, t in pages.items() if "Table 2: Milestones." in t)
    step = [x for x, _, w in _words(path, narrow) if w in ("Step", "Year")]
    assert max(step) - min(step) < 595.3 / 2 - 40


def test_captions_are_numbered_in_the_briefs_language(designed: dict[str, Any]) -> None:
    report = designed["report"]
    english = " ".join(pdftotext(report.results["moz-full"].path).split())
    assert "Figure 1: Households covered, 2008 to 2015." in english
    assert "Table 1: Beneficiaries by group." in english and "Table 2: Milestones." in english
    french = " ".join(pdftotext(report.results["moz-fr"].path).split())
    assert "Figure 1 : Households covered" in french and "Tableau 1 : Beneficiaries" in french


def test_key_facts_pull_quote_and_masthead(designed: dict[str, Any], tmp_path: Path) -> None:
    path = designed["report"].results["moz-full"].path
    text = " ".join(pdftotext(path).split())
    assert "IN NUMBERS 535,000 households covered in 2015 3 times" in text
    # The quote, then its attribution (pdftotext may read a line of the other column between).
    quote = text.index("With the money I can buy food, books and school uniforms.")
    assert 0 < text.index("— Regina, beneficiary", quote) - quote < 160
    first = " ".join(pdftotext(path, "-f", "1", "-l", "1").split())
    assert first.startswith("SOCIAL PROTECTION FLOORS COUNTRY BRIEFS A designed brief Country: "
                            "Mozambique Theme: Older persons Date: 23 February 2016 SUMMARY "
                            "The key messages. Context")
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(path),
                    str(tmp_path / "first")], check=True)
    [image] = tmp_path.glob("first*.png")
    with Image.open(image) as page:  # the logo's green, in the masthead's top right corner
        rgb = page.convert("RGB")
        green = [(x, y) for x in range(rgb.width) for y in range(rgb.height)
                 if rgb.getpixel((x, y)) == (0x33, 0xAA, 0x33)]
    assert green and min(x for x, _ in green) > rgb.width * 0.6 and max(y for _, y in green) < rgb.height * 0.15


def test_back_page_has_contacts_partners_and_a_qr_code_to_the_web_page(designed: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    path = designed["report"].results["moz-full"].path
    back = " ".join(pdftotext(path, "-f", "4", "-l", "4").split())
    assert "Contact Social Protection Department socpro@example.org" in back
    assert "Partners Partner Two" in back  # Partner One shows as its logo
    assert f"Web version {SITE}briefs/moz-full/" in back
    subprocess.run(["pdftoppm", "-r", "200", "-f", "4", "-l", "4", "-png", str(path),
                    str(tmp_path / "back")], check=True)
    [image] = tmp_path.glob("back*.png")
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True,
                           text=True, check=True).stdout.split()
    assert found == [f"{SITE}briefs/moz-full/"]


def test_fill_and_underfill(designed: dict[str, Any]) -> None:
    report = designed["report"]
    assert 3.0 <= report.fills["moz-full"] <= 4.0
    assert report.fills["moz-short"] < 2
    [finding] = [f for f in report.findings if f.path.endswith("moz-short.md")]
    assert finding.code == "pdf-underfill" and finding.severity is Severity.WARNING
    match = re.fullmatch(r"brief fills (\d\.\d) of 4 pages, leaving (\d\.\d) pages empty: it could "
                         r"take about ([\d,]+) more words or (\d+) more figures", finding.message)
    assert match, finding.message
    assert abs(float(match[1]) - report.fills["moz-short"]) < 0.1  # shown to a tenth of a page
    assert 1200 <= int(match[3].replace(",", "")) <= 2500 and int(match[4]) >= 8
    assert not [f for f in report.findings if f.path.endswith("moz-full.md")]


def test_underfill_is_configurable(designed: dict[str, Any], tmp_path: Path) -> None:
    settings = dataclasses.replace(designed["settings"], cache_dir=str(tmp_path))
    corpus = designed["corpus"]
    ignored = render_all(corpus, with_pdf(settings, underfill="ignore"), None, jobs=1,
                         slugs=["moz-short"])
    assert ignored.findings == [] and "moz-short" in ignored.results
    errors = render_all(corpus, with_pdf(settings, underfill="error"), None, jobs=1,
                        slugs=["moz-short"])
    assert [(f.code, f.severity) for f in errors.findings] == [("pdf-underfill", Severity.ERROR)]


def test_branding_options_are_checked(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - briefs:\n      pdf:\n        underfill: maybe\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=r"briefs\.pdf\.underfill must be 'warn', 'error' or 'ignore'"):
        load_settings(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - briefs:\n      pdf:\n        logo: brand/none.svg\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=r"briefs.pdf.logo: no such file: brand/none.svg"):
        load_settings(tmp_path)
    (tmp_path / "logo.png").write_bytes(b"")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - briefs:\n      pdf:\n        contacts: socpro@example.org\n"
        "        partners:\n          - name: ILO\n            logo: logo.png\n          - UNICEF\n",
        encoding="utf-8")
    pdf = load_settings(tmp_path).pdf
    assert pdf.contacts == ("socpro@example.org",)
    assert pdf.partners == (Partner("ILO", "logo.png"), Partner("UNICEF"))


def test_validate_pdf_prints_each_fill(tmp_path: Path) -> None:
    writer, _ = make_project(tmp_path)
    (tmp_path / "mkdocs.yml").write_text(f"site_name: x\nsite_url: {SITE}\nplugins:\n  - briefs\n",
                                         encoding="utf-8")
    writer.brief("moz/moz-short.md", title="A short brief")
    writer.brief("moz/moz-full.md", title="A full brief", body=designed_body(1450))
    writer.write("moz/img/chart.svg", SVG)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "site_builder", "validate", "--pdf", *args],
                              cwd=tmp_path, capture_output=True, text=True, check=False)

    text = run()
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()  # one line per brief (its meter), then the findings
    assert re.fullmatch(r"briefs/moz/moz-full\.md: [34]\.\d of 4 pages \(.*\): room for about .*",
                        lines[0]), lines
    assert re.fullmatch(r"briefs/moz/moz-short\.md: \d\.\d of 4 pages \(.*\): room for about [\d,]+ more "
                        r"words; 1 warning "
                        r"\[pdf-underfill\]", lines[1]), lines
    assert re.fullmatch(r"briefs/moz/moz-short\.md:1:1: warning: brief fills \d\.\d of 4 pages, .*"
                        r"\[pdf-underfill\]", lines[2]), lines
    assert lines[3:] == ["2 briefs, 0 errors, 1 warning"]
    data = json.loads(run("--format", "json").stdout)
    assert data["pdf"]["budget"] == 4
    assert [(b["slug"], b["pages"]) for b in data["pdf"]["briefs"]] == [("moz-full", 4), ("moz-short", 4)]
    assert all(isinstance(b["fill"], float) for b in data["pdf"]["briefs"])
    assert [f["code"] for f in data["findings"]] == ["pdf-underfill"]
    shutil.rmtree(tmp_path / ".cache")
