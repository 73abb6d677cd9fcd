"""Packs: printed page numbers equal the contents page's, no printing instruction on the
cover, and the briefs' tags (PDF/UA structure) carried into the pack.

Real packs (WeasyPrint + pikepdf), read back with poppler's pdftotext and pikepdf.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import CorpusWriter
from test_bundle import _corpus

from site_builder.bundle import Cover, Selection, make_bundle
from site_builder.settings import Settings


@pytest.fixture
def pack(corpus: CorpusWriter, tmp_path: Path) -> Path:
    index = _corpus(corpus)
    settings = Settings(project_dir=Path(__file__).resolve().parent.parent,
                        cache_dir=str(tmp_path / "cache"), site_url="https://briefs.example.org/")
    out = tmp_path / "pack.pdf"
    make_bundle(index, settings, Selection(themes=("older-persons", "maternity"), order="theme"),
                Cover("Older persons and maternity", "Briefs", "Conference", "2016-09-06"), out, jobs=1)
    return out


def _text(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _footer_number(path: Path, page: int) -> str | None:
    """Return the pack page number printed at the foot of a page, centred, or None."""
    text = _text(path, "-f", str(page), "-l", str(page), "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', text)[1])
    found = [(float(x0), float(x1), word) for x0, y, x1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>', text)
        if float(y) > 780]
    centred = [w for x0, x1, w in found if abs((x0 + x1) / 2 - width / 2) < 15]
    return centred[0] if centred else None


def test_printed_page_numbers_equal_the_contents(pack: Path) -> None:
    contents = _text(pack, "-layout", "-f", "2", "-l", "2")
    starts = {title: int(re.search(r"(\d+)\s*$", line)[1])
              for title in ("Mozambique pensions", "Cabo Verde pensions", "India maternity")
              for line in contents.splitlines() if title in line}
    assert starts == {"Mozambique pensions": 1, "Cabo Verde pensions": 5, "India maternity": 9}
    with pikepdf.open(pack) as pdf:
        total = len(pdf.pages)
    for title, start in starts.items():
        physical = start + 2  # cover and contents come first
        assert title in _text(pack, "-f", str(physical), "-l", str(physical))
        for offset in range(4):  # each page of the brief: the pack number, and its own "page N of 4"
            page = physical + offset
            assert _footer_number(pack, page) == str(start + offset), (title, page)
            assert f"page {offset + 1} of 4" in _text(pack, "-f", str(page), "-l", str(page))
    assert _footer_number(pack, 1) is None and _footer_number(pack, 2) == "ii"  # its own label
    assert total == 14


def test_cover_has_no_printing_instruction(pack: Path) -> None:
    cover = " ".join(_text(pack, "-f", "1", "-l", "1").split())
    assert "Older persons and maternity" in cover
    assert "double-sided" not in cover and "print" not in cover.lower()


def test_pack_keeps_the_briefs_tags(pack: Path) -> None:
    with pikepdf.open(pack) as pdf:
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang) == "en"
        root = pdf.Root.StructTreeRoot
        [document] = root.K
        assert document.S == "/Document"
        parts = list(document.K)
        assert [str(p.S) for p in parts] == ["/Part"] * 3
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        elements: list[int] = []

        def walk(element: pikepdf.Object) -> None:
            if isinstance(element, pikepdf.Dictionary):
                if "/Pg" in element:
                    elements.append(pages.get(element.Pg.objgen, -1))
                kids = element.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                    walk(kid)

        for part in parts:
            walk(part)
        assert elements and -1 not in elements  # every element points at a page of the pack
        assert set(elements) == set(range(2, 14))
        keys = [page.get("/StructParents") for page in pdf.pages]
        numbered = [k for k in keys if k is not None]
        assert keys[:2] == [None, None] and len(set(numbered)) == len(numbered) == 12
        nums = root.ParentTree.Nums
        tree_keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert tree_keys == sorted(set(tree_keys)) and set(numbered) <= set(tree_keys)
        assert int(root.ParentTreeNextKey) == tree_keys[-1] + 1
        # The page-number stamp is an artifact, outside the structure.
        last = pdf.pages[2].Contents
        stream = last[-1].read_bytes() if isinstance(last, pikepdf.Array) else last.read_bytes()
        assert re.search(rb"/Artifact BMC q /PackNo\S* Do Q EMC$", stream.strip())
    subprocess.run(["qpdf", "--check", str(pack)], check=True, capture_output=True)
