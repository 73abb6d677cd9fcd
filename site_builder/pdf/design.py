"""Shape a brief's body for the designed PDF: figures, table captions, pull quotes.

A Markdown extension (a tree processor that runs after ``attr_list``) gives the print
stylesheet the structure it needs to lay the body out in two columns:

- an image alone in a paragraph, with an optional italic paragraph after it, becomes a
  ``figure`` with a ``figcaption`` (numbered "Figure 1: …" by the stylesheet);
- a table followed by an italic paragraph gets that paragraph as its ``caption``
  (numbered "Table 1: …");
- a figure or a table spans both columns (class ``wide``) when the image or the caption
  paragraph carries ``{: .wide }`` (attr_list), or, for a table, when it has more than
  :data:`WIDE_TABLE_COLUMNS` columns; otherwise it fits one column (class ``narrow``);
  a table is wrapped in a ``div`` of class ``table wide`` or ``table narrow``;
- a blockquote whose last paragraph starts with a dash ("— Name, role") or holds a
  ``cite`` is a pull quote (class ``pull-quote``), that paragraph its ``attribution``.

Elements are moved and classes added, never text: every word still comes from the brief.
The key-facts box needs nothing here: the admonition extension already writes
``div class="admonition key-facts"``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

WIDE = "wide"
NARROW = "narrow"
WIDE_TABLE_COLUMNS = 4
"""A table with more columns than this spans both columns of the page."""
_DASHES = ("—", "–", "-- ", "- ")


def _classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def _add_class(element: ET.Element, name: str) -> None:
    element.set("class", " ".join([*_classes(element), name]))


def _only_child(element: ET.Element | None, tag: str) -> ET.Element | None:
    """Return the element's single child of ``tag`` when it holds nothing else, else None."""
    if element is None or element.tag != "p" or len(element) != 1 or (element.text or "").strip():
        return None
    child = element[0]
    return child if child.tag == tag and not (child.tail or "").strip() else None


def _caption_of(element: ET.Element | None) -> ET.Element | None:
    """Return the ``em`` of an italic-only paragraph (a caption), else None."""
    return _only_child(element, "em")


def _move_children(source: ET.Element, target: ET.Element) -> None:
    target.text = source.text
    for child in list(source):
        target.append(child)


class _DesignProcessor(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            self._figures_and_tables(parent)
        for quote in root.iter("blockquote"):
            self._pull_quote(quote)

    def _figures_and_tables(self, parent: ET.Element) -> None:
        index = 0
        while index < len(parent):
            child = parent[index]
            following = parent[index + 1] if index + 1 < len(parent) else None
            caption = _caption_of(following)
            image = _only_child(child, "img")
            if image is not None:
                wide = WIDE in _classes(image) or (caption is not None and WIDE in _classes(following))  # type: ignore[arg-type]
                child.tag, child.attrib = "figure", {"class": WIDE if wide else NARROW}
                if caption is not None and following is not None:
                    figcaption = ET.SubElement(child, "figcaption")
                    _move_children(caption, figcaption)
                    parent.remove(following)
            elif child.tag == "table":
                header = next(child.iter("tr"), None)
                columns = 0 if header is None else len(header)
                wide = columns > WIDE_TABLE_COLUMNS or (
                    caption is not None and WIDE in _classes(following))  # type: ignore[arg-type]
                if caption is not None and following is not None:
                    element = ET.Element("caption")
                    _move_children(caption, element)
                    child.insert(0, element)
                    parent.remove(following)
                # WeasyPrint spans block boxes, not tables, across columns: wrap the table.
                wrapper = ET.Element("div", {"class": f"table {WIDE if wide else NARROW}"})
                wrapper.tail, child.tail = child.tail, None
                parent[index] = wrapper
                wrapper.append(child)
            index += 1

    @staticmethod
    def _pull_quote(quote: ET.Element) -> None:
        paragraphs = [c for c in quote if c.tag == "p"]
        if len(paragraphs) < 2 or paragraphs[-1] is not quote[-1]:
            return
        last = paragraphs[-1]
        if (last.text or "").lstrip().startswith(_DASHES) or last.find("cite") is not None:
            _add_class(quote, "pull-quote")
            _add_class(last, "attribution")


class DesignExtension(Extension):
    """Markdown extension: figures, table captions, wide elements and pull quotes."""

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the tree processor after attr_list (priority 8) and the inline patterns."""
        md.treeprocessors.register(_DesignProcessor(md), "briefs_pdf_design", 5)
