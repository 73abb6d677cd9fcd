"""Merge brief PDFs behind a cover and contents with pypdf: bookmarks, labels, safe anchors.

WeasyPrint names each anchor after its HTML id (``context``, ``what-was-achieved``...), so
two briefs in one pack would share destination names and a link in one brief could land
in another. Before merging, every named destination of a brief and every link to it is
renamed ``<slug>/<name>``; :func:`check_links` then proves that each link lands inside
its own brief.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

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


def _rename_destinations(reader: PdfReader, prefix: str) -> None:
    """Rename the named destinations of one brief, and the links to them, to ``prefix/name``."""
    root = reader.trailer["/Root"]
    names = root.get("/Names")
    dests = names.get_object().get("/Dests") if names is not None else None
    if dests is not None:
        _rename_name_tree(dests.get_object(), prefix)
    if "/Dests" in root:  # PDF 1.1 style dictionary of names
        old = root["/Dests"].get_object()
        new = DictionaryObject({NameObject(f"/{prefix}/{k[1:]}"): v for k, v in old.items()})
        root[NameObject("/Dests")] = new
    for page in reader.pages:
        for annot_ref in page.get("/Annots", []) or []:
            annot = annot_ref.get_object()
            dest = annot.get("/Dest")
            if isinstance(dest, (str, TextStringObject, ByteStringObject)):
                annot[NameObject("/Dest")] = TextStringObject(f"{prefix}/{dest}")
            action = annot.get("/A")
            if action is not None:
                action = action.get_object()
                target = action.get("/D")
                if action.get("/S") == "/GoTo" and isinstance(target, (str, TextStringObject)):
                    action[NameObject("/D")] = TextStringObject(f"{prefix}/{target}")


def _rename_name_tree(node: DictionaryObject, prefix: str) -> None:
    if "/Names" in node:
        items = node["/Names"]
        renamed = ArrayObject()
        for i in range(0, len(items), 2):
            renamed.append(TextStringObject(f"{prefix}/{items[i]}"))
            renamed.append(items[i + 1])
        node[NameObject("/Names")] = renamed
        if "/Limits" in node:
            limits = node["/Limits"]
            node[NameObject("/Limits")] = ArrayObject(
                [TextStringObject(f"{prefix}/{limits[0]}"), TextStringObject(f"{prefix}/{limits[1]}")])
    for kid in node.get("/Kids", []) or []:
        _rename_name_tree(kid.get_object(), prefix)


def _copy_outline(writer: PdfWriter, reader: PdfReader, items: list[Any], parent: Any,
                  offset: int, skip_title: str | None) -> None:
    """Copy a brief's bookmarks under ``parent``; a lone top item repeating the title is skipped."""
    if skip_title is not None and len(items) >= 1 and not isinstance(items[0], list) \
            and str(items[0].title).strip() == skip_title.strip():
        children = items[1] if len(items) > 1 and isinstance(items[1], list) else []
        rest = items[2:] if children else items[1:]
        _copy_outline(writer, reader, children + rest, parent, offset, None)
        return
    last = parent
    for item in items:
        if isinstance(item, list):
            _copy_outline(writer, reader, item, last, offset, None)
            continue
        page = reader.get_destination_page_number(item)
        if page is None:
            continue
        last = writer.add_outline_item(title=str(item.title), page_number=offset + page, parent=parent)


def merge_pack(front: bytes, parts: list[Part], *, title: str, subject: str = "",
               keywords: Iterable[str] = (), author: str = "") -> tuple[bytes, Layout]:
    """Return the pack's bytes: front pages, then each brief from its own PDF, then checks."""
    front_reader = PdfReader(io.BytesIO(front))
    readers = []
    for part in parts:
        try:
            reader = PdfReader(part.pdf)
        except (OSError, ValueError) as exc:
            raise BriefsError(f"cannot read the PDF of brief '{part.slug}' ({part.pdf}): {exc}") from None
        _rename_destinations(reader, part.slug)
        readers.append(reader)
    layout = plan_layout(len(front_reader.pages), [(p.slug, len(r.pages)) for p, r in zip(parts, readers, strict=True)])
    writer = PdfWriter()
    writer.append(front_reader, import_outline=False)
    width, height = (float(v) for v in front_reader.pages[0].mediabox[2:])
    while len(writer.pages) < layout.front_pages:
        writer.add_blank_page(width, height)
    writer.add_outline_item(title="Cover", page_number=0)
    writer.add_outline_item(title="Contents", page_number=1)
    for part, reader in zip(parts, readers, strict=True):
        start = len(writer.pages)
        assert start == layout.starts[part.slug]
        writer.append(reader, import_outline=False)
        parent = writer.add_outline_item(title=part.title, page_number=start)
        _copy_outline(writer, reader, list(reader.outline), parent, start, part.title)
        if len(reader.pages) % 2:
            writer.add_blank_page(width, height)
    writer.set_page_label(0, layout.front_pages - 1, style="/r")
    writer.set_page_label(layout.front_pages, layout.total - 1, style="/D", start=1)
    writer.add_metadata({"/Title": title, "/Subject": subject, "/Keywords": ", ".join(keywords),
                         "/Author": author, "/Creator": "country-briefs", "/Producer": "country-briefs"})
    writer.page_mode = "/UseOutlines"
    digest = hashlib.sha256(front + b"".join(p.pdf.read_bytes() for p in parts)).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    problems = check_links(data, layout)
    if problems:
        raise BriefsError("bundle links cross between briefs: " + "; ".join(problems[:5]))
    return data, layout


def link_targets(data: bytes) -> list[tuple[int, int]]:
    """Return (page index of the link, page index it lands on; -1 for nowhere) per internal link."""
    reader = PdfReader(io.BytesIO(data))
    named = reader.named_destinations
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)
                  if page.indirect_reference is not None}
    found: list[tuple[int, int]] = []
    for i, page in enumerate(reader.pages):
        for annot_ref in page.get("/Annots", []) or []:
            annot = annot_ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None and action.get_object().get("/S") == "/GoTo":
                dest = action.get_object().get("/D")
            if dest is None:
                continue
            if isinstance(dest, (str, TextStringObject, ByteStringObject)):
                target = named.get(str(dest))
                number = reader.get_destination_page_number(target) if target else None
                found.append((i, -1 if number is None else number))
            else:
                found.append((i, page_index.get(dest[0].idnum, -1)))
    return found


def check_links(data: bytes, layout: Layout) -> list[str]:
    """Return a message per internal link that leaves its own brief (or lands nowhere)."""
    owner = {page: slug for slug, pages in layout.ranges.items() for page in pages}
    problems = []
    for source, target in link_targets(data):
        slug = owner.get(source)
        if slug is None:
            continue
        if target not in layout.ranges[slug]:
            problems.append(f"a link on page {source + 1} of '{slug}' lands on page {target + 1}")
    return problems
