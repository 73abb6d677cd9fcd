"""Merge brief PDFs behind a cover and contents with pikepdf (qpdf): bookmarks, labels, anchors.

WeasyPrint names each anchor after its HTML id (``context``, ``what-was-achieved``...), so
two briefs in one pack would share destination names and a link in one brief could land
in another. Before merging, every named destination of a brief and every link to it is
renamed ``<slug>/<name>``; :func:`check_links` then proves that each link lands inside
its own brief.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from site_builder.findings import BriefsError


@dataclass(frozen=True)
class Part:
    """One brief's PDF in a pack."""

    slug: str
    title: str
    pdf: Path


@dataclass(frozen=True)
class Layout:
    """Where each brief lands in the pack (0-based physical page indexes)."""

    front_pages: int  # cover + contents + blank padding
    starts: dict[str, int]  # slug -> first page index
    ranges: dict[str, range]  # slug -> its page indexes (blank padding excluded)
    total: int


def plan_layout(front_pages: int, parts: list[tuple[str, int]]) -> Layout:
    """Place briefs so each starts on a right-hand (odd-numbered) page, padding with blanks."""
    front = front_pages + (front_pages % 2)
    starts, ranges, cursor = {}, {}, front
    for slug, pages in parts:
        starts[slug] = cursor
        ranges[slug] = range(cursor, cursor + pages)
        cursor += pages + (pages % 2)
    return Layout(front, starts, ranges, cursor)


def _rename_links(source: pikepdf.Pdf, prefix: str) -> None:
    """Point every named link of a brief at ``prefix/name`` (its renamed destination)."""
    for page in source.pages:
        for annot in page.obj.get("/Annots", Array()):
            dest = annot.get("/Dest")
            if isinstance(dest, (String, Name)):
                annot.Dest = String(f"{prefix}/{_text(dest)}")
            action = annot.get("/A")
            if action is not None and action.get("/S") == Name.GoTo:
                target = action.get("/D")
                if isinstance(target, (String, Name)):
                    action.D = String(f"{prefix}/{_text(target)}")


def _text(value: object) -> str:
    text = str(value)
    return text[1:] if isinstance(value, Name) else text


def _named_destinations(source: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """Return a brief's named destinations (name tree or PDF 1.1 dictionary), arrays if well formed."""
    found: dict[str, pikepdf.Object] = {}
    names = source.Root.get("/Names")
    if names is not None and "/Dests" in names:
        for key, value in pikepdf.NameTree(names.Dests).items():
            found[str(key)] = value if isinstance(value, Array) else value.D
    old = source.Root.get("/Dests")
    if old is not None:
        for key, value in old.items():
            found[key[1:]] = value if isinstance(value, Array) else value.D
    return found


def _page_of(dest: object, pages: dict[tuple[int, int], int], named: Mapping[str, pikepdf.Object]) -> int | None:
    if isinstance(dest, (String, Name)):
        dest = named.get(_text(dest))
    if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
        return pages.get(dest[0].objgen)
    return None


def _copy_outline(items: list[OutlineItem], parent: list[OutlineItem], offset: int,
                  pages: dict[tuple[int, int], int], named: Mapping[str, pikepdf.Object],
                  skip_title: str | None) -> None:
    """Copy a brief's bookmarks under ``parent``; a lone top item repeating the title is skipped."""
    if skip_title is not None and len(items) == 1 and items[0].title.strip() == skip_title.strip():
        _copy_outline(list(items[0].children), parent, offset, pages, named, None)
        return
    for item in items:
        if item.destination is not None:
            dest: object = item.destination
        else:
            dest = item.action.get("/D") if item.action else None
        page = _page_of(dest, pages, named)
        if page is None:
            continue
        copy = OutlineItem(item.title, offset + page)
        parent.append(copy)
        _copy_outline(list(item.children), copy.children, offset, pages, named, None)


def stamp_page_numbers(out: pikepdf.Pdf, first: int, stamps: pikepdf.Pdf) -> None:
    """Draw page ``k`` of ``stamps`` over page ``first + k`` of ``out``, as an artifact.

    The stamp (the pack's page number) is a form XObject drawn after the page's own content
    inside an ``/Artifact`` marked-content sequence, so it is not read as part of a brief.
    """
    for offset, stamp in enumerate(stamps.pages):
        page = out.pages[first + offset]
        if not stamp.Contents.read_bytes().strip():
            continue
        form = out.copy_foreign(stamp.as_form_xobject())
        # A fixed name per page (a prefix gets random ones): the same pack, the same bytes.
        name = page.add_resource(form, Name.XObject, Name(f"/PackNo{first + offset}"))
        # The brief's content leaves its coordinate system changed (WeasyPrint's first "cm"
        # is outside any q/Q): wrap it so the stamp is drawn in the page's own coordinates.
        page.contents_add(out.make_stream(b"q\n"), prepend=True)
        page.contents_add(out.make_stream(b"\nQ /Artifact BMC q " + str(name).encode() + b" Do Q EMC"),
                          prepend=False)


@overload
def _copy(out: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object: ...
@overload
def _copy(out: pikepdf.Pdf, value: object) -> object: ...
def _copy(out: pikepdf.Pdf, value: object) -> object:
    """Copy a value of another PDF into ``out`` (copy_foreign takes indirect objects only)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(out, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def merge_structure(out: pikepdf.Pdf, briefs: list[tuple[pikepdf.Pdf, int]]) -> int:
    """Carry the briefs' tags (PDF/UA structure trees) into the pack; return how many were kept.

    Each brief's ``Document`` element becomes a ``Part`` of the pack's ``Document`` (with the
    brief's language); its parent-tree keys, and the ``StructParents`` of its pages and the
    ``StructParent`` of its annotations, are shifted past the previous brief's. The pages
    were copied first, so qpdf maps the elements' page references onto the pack's pages.
    """
    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    top = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    nums, offset, kept = Array(), 0, 0
    for source, start in briefs:
        tree = source.Root.get("/StructTreeRoot")
        if tree is None or "/ParentTree" not in tree:
            continue
        kids = tree.K if isinstance(tree.K, Array) else Array([tree.K])
        for kid in kids:
            part = _copy(out, kid)
            part.P, part.S = top, Name.Part
            if "/Lang" in source.Root:
                part.Lang = source.Root.Lang
            top.K.append(part)
        source_nums = tree.ParentTree.get("/Nums", Array())
        for i in range(0, len(source_nums), 2):
            nums.append(int(source_nums[i]) + offset)
            nums.append(_copy(out, source_nums[i + 1]))
        for index in range(len(source.pages)):
            page = out.pages[start + index].obj
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annot in page.get("/Annots", Array()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        offset = max([int(source_nums[i]) for i in range(0, len(source_nums), 2)], default=-1) + offset + 1
        kept += 1
    if kept:
        root.K = Array([top])
        root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = offset
        out.Root.StructTreeRoot = root
        out.Root.MarkInfo = Dictionary(Marked=True)
        if "/Lang" in briefs[0][0].Root:
            out.Root.Lang = briefs[0][0].Root.Lang
    return kept


def merge_pack(front: bytes, parts: list[Part], *, title: str, subject: str = "",
               keywords: Iterable[str] = (), author: str = "",
               page_numbers: bytes | None = None) -> tuple[bytes, Layout]:
    """Return the pack's bytes: front pages, then each brief from its own PDF, then checks.

    ``page_numbers`` is a PDF with one page per pack page from the first brief on (see
    :func:`site_builder.bundle.front.render_page_numbers`), stamped over the briefs' pages.
    """
    front_pdf = pikepdf.open(io.BytesIO(front))
    sources = []
    for part in parts:
        try:
            sources.append(pikepdf.open(part.pdf))
        except (OSError, pikepdf.PdfError) as exc:
            raise BriefsError(f"cannot read the PDF of brief '{part.slug}' ({part.pdf}): {exc}") from None
    layout = plan_layout(len(front_pdf.pages), [(p.slug, len(s.pages)) for p, s in zip(parts, sources, strict=True)])
    out = pikepdf.new()
    out.pages.extend(front_pdf.pages)
    box = front_pdf.pages[0].mediabox
    size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
    while len(out.pages) < layout.front_pages:
        out.add_blank_page(page_size=size)
    destinations: dict[str, Array] = {}
    placed: list[tuple[pikepdf.Pdf, int]] = []
    bookmarks: list[OutlineItem] = [OutlineItem("Cover", 0), OutlineItem("Contents", 1)]
    for part, source in zip(parts, sources, strict=True):
        start = len(out.pages)
        pages = {page.obj.objgen: i for i, page in enumerate(source.pages)}
        named = _named_destinations(source)
        _rename_links(source, part.slug)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations are not carried over: we rebuild them below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
        for name, dest in named.items():
            index = _page_of(dest, pages, named)
            if index is not None:
                destinations[f"{part.slug}/{name}"] = Array([out.pages[start + index].obj, *dest[1:]])
        placed.append((source, start))
        brief_item = OutlineItem(part.title, start)
        with source.open_outline() as outline:
            _copy_outline(list(outline.root), brief_item.children, start, pages, named, part.title)
        bookmarks.append(brief_item)
        if len(source.pages) % 2:
            out.add_blank_page(page_size=size)
    merge_structure(out, placed)
    if page_numbers is not None:
        stamp_page_numbers(out, layout.front_pages, pikepdf.open(io.BytesIO(page_numbers)))
    tree = pikepdf.NameTree.new(out)
    for name in sorted(destinations):
        tree[name] = destinations[name]
    out.Root.Names = Dictionary(Dests=tree.obj)
    with out.open_outline() as outline:
        outline.root.extend(bookmarks)
    out.Root.PageLabels = Dictionary(Nums=Array([
        0, Dictionary(S=Name.r), layout.front_pages, Dictionary(S=Name.D, St=1)]))
    out.Root.PageMode = Name.UseOutlines
    out.docinfo = out.make_indirect(Dictionary(
        Title=String(title), Subject=String(subject), Keywords=String(", ".join(keywords)),
        Author=String(author), Creator=String("country-briefs"), Producer=String("country-briefs")))
    problems = _check_pages(out, destinations, layout)
    if problems:
        raise BriefsError("bundle links cross between briefs: " + "; ".join(problems[:5]))
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue(), layout


def _link_pairs(pdf: pikepdf.Pdf, destinations: Mapping[str, pikepdf.Object]) -> list[tuple[int, int]]:
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    found: list[tuple[int, int]] = []
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", Array()):
            if annot.get("/Subtype") != Name.Link:
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None and action.get("/S") == Name.GoTo:
                dest = action.get("/D")
            if dest is None:
                continue
            target = _page_of(dest, index, destinations)
            found.append((i, -1 if target is None else target))
    return found


def _check_pages(pdf: pikepdf.Pdf, destinations: Mapping[str, pikepdf.Object], layout: Layout) -> list[str]:
    owner = {page: slug for slug, pages in layout.ranges.items() for page in pages}
    return [f"a link on page {source + 1} of '{owner[source]}' lands on page {target + 1}"
            for source, target in _link_pairs(pdf, destinations)
            if source in owner and target not in layout.ranges[owner[source]]]


def link_targets(data: bytes) -> list[tuple[int, int]]:
    """Return (page index of the link, page index it lands on; -1 for nowhere) per internal link."""
    pdf = pikepdf.open(io.BytesIO(data))
    return _link_pairs(pdf, _named_destinations(pdf))


def check_links(data: bytes, layout: Layout) -> list[str]:
    """Return a message per internal link that leaves its own brief (or lands nowhere)."""
    pdf = pikepdf.open(io.BytesIO(data))
    return _check_pages(pdf, _named_destinations(pdf), layout)
