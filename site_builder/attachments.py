"""Say whether a file a brief shows or links may be published: its type read from its content.

The site publishes every local file a brief uses byte for byte, in the site's origin. A file
a browser would run (HTML, JavaScript, XML, an SVG with script) would run there with the
site's cookies and storage, so such files are refused; everything else is an allow-list of
types, each recognised by its bytes (magic numbers, a zip's manifest, an XML root), never
by its name, and the name must agree with the content.

SVGs are parsed with :mod:`xml.etree.ElementTree` after refusing any DTD (so no entity can
expand) and refused when they hold script, event handlers, ``<foreignObject>``, external
references or ``javascript:`` URLs.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

RUNNABLE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".js", ".mjs",
                               ".cjs", ".xml", ".xsl", ".xslt", ".svgz", ".swf", ".php",
                               ".wasm", ".hta", ".jar"})
"""Names of files a browser (or a web server) would run: refused whatever they hold."""
TYPES: dict[str, str] = {".pdf": "PDF", ".csv": "CSV", ".xlsx": "XLSX", ".docx": "DOCX",
                         ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP",
                         ".gif": "GIF", ".svg": "SVG"}
"""The file types a brief may show or link, by name, and the type their content must have."""
MAX_SNIFF_BYTES = 20_000_000
"""Files larger than this are not read whole (an SVG or CSV this big is refused)."""

_SVG_NS = "{http://www.w3.org/2000/svg}"
_BAD_SVG_TAGS = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler",
                           "listener", "audio", "video", "html", "body"})
_SAFE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);", re.I)
_CSS_EXTERNAL = re.compile(r"url\s*\(\s*(?![\s'\"]*#)|(image-set|image|src|expression)\s*\(|@import",
                           re.I)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_MARKUP_START = re.compile(rb"^\s*<", re.S)


class AttachmentError(Exception):
    """A file that may not be published: ``code`` and a message naming the fix."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def check_attachment(path: Path, shown: str) -> None:
    """Raise :class:`AttachmentError` unless ``path`` is a publishable file whose content
    has the type its name says (raster images are only recognised here: decoding them is
    :mod:`site_builder.images`'s job)."""
    suffix = path.suffix.lower()
    if suffix in RUNNABLE_SUFFIXES:
        raise AttachmentError("runnable-file", f"'{shown}' is a file a browser would run "
                              "(script or a web page) in the site's origin: link a PDF or "
                              "publish it elsewhere")
    expected = TYPES.get(suffix)
    if expected is None:
        raise AttachmentError("attachment-type", f"'{shown}': {suffix or 'no suffix'} files "
                              "cannot be published; a brief may use only "
                              f"{', '.join(sorted({s[1:] for s in TYPES}))} files")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SNIFF_BYTES + 1)
    except OSError as exc:
        raise AttachmentError("attachment-type", f"'{shown}' cannot be read: "
                              f"{exc.strerror or exc}") from None
    found = sniff(data, path)
    if found != expected:
        held = f"holds {_article(found)} {found} file" if found else "is not a file of any " \
            "type a brief may use"
        raise AttachmentError("attachment-type", f"'{shown}' is named {suffix} but {held}: "
                              "save it in the format its name says")
    if found == "SVG":
        problem = svg_problem(data)
        if problem is not None:
            raise AttachmentError("unsafe-svg", f"SVG '{shown}' {problem}: remove it (export "
                                  "the drawing as plain SVG)")


def _article(word: str) -> str:
    return "an" if word[:1] in "AEFHILMNORSX" else "a"


def sniff(data: bytes, path: Path | None = None) -> str | None:
    """Return the type of a file's content (a :data:`TYPES` value, ``HTML``/``XML``), or None."""
    if data.startswith(b"%PDF-"):
        return "PDF"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data.startswith(b"PK\x03\x04") and path is not None:
        return _office(path)
    if b"\x00" in data or len(data) > MAX_SNIFF_BYTES:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not _MARKUP_START.match(data.removeprefix(b"\xef\xbb\xbf")):
        return "CSV"  # UTF-8 text that is no markup
    root = _xml_root(text)
    if root is None:  # a DTD or no XML: an SVG by its root element, else a web page
        return "SVG" if re.search(r"<svg[\s>/]", text) and not re.search(r"<html", text, re.I) \
            else "HTML"
    tag = str(root.tag).rsplit("}", 1)[-1].lower()
    return {"svg": "SVG", "html": "HTML"}.get(tag, "XML")


def _office(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "DOCX"
    if "xl/workbook.xml" in names:
        return "XLSX"
    return None


def _xml_root(text: str) -> ElementTree.Element | None:
    """Parse XML with no DTD (so no entity expands); None when it is no XML or has a DTD."""
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        return None
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None


def svg_problem(data: bytes) -> str | None:
    """Return what makes an SVG unsafe to publish (it runs script or loads other files), or None."""
    text = data.decode("utf-8-sig", errors="replace")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        return "has a DTD (<!DOCTYPE> or <!ENTITY>)"
    if re.search(r"<\?xml-stylesheet", text, re.I):
        return "loads a stylesheet (<?xml-stylesheet?>)"
    root = _xml_root(text)
    if root is None:
        return "is not well-formed XML"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _BAD_SVG_TAGS:
            return f"has a <{tag}> element"
        if tag == "style" and loads_url(element.text or ""):
            return "has a <style> that loads a URL"
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return f"has an event handler ({local}=) on <{tag}>"
            squeezed = squeeze_url(value)
            if re.search(r"(java|vb)script:", squeezed):
                return f"has a script URL in {local}= on <{tag}>"
            if tag in ("animate", "set", "animatetransform", "animatemotion") and \
                    local == "attributename" and (squeezed.startswith("on") or "href" in squeezed):
                return f"animates the {value} attribute"
            if local == "href" and not value.strip().startswith("#") and \
                    not _SAFE_DATA.match(value.strip()):
                return f"refers to another file ({local}=\"{value[:60]}\" on <{tag}>)"
            if loads_url(value):
                return f"loads a URL in {local}= on <{tag}>"
    return None


def loads_url(css: str) -> bool:
    """Return whether CSS (a style attribute or sheet, escapes decoded) loads anything other
    than a fragment of its own document (``url(#gradient)``)."""
    return bool(_CSS_EXTERNAL.search(css_unescape(css)))


def css_unescape(css: str) -> str:
    """Return CSS text with its escapes (``\\72``, ``\\(``) decoded and comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    def sub(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return match.group(2)

    return _CSS_ESCAPE.sub(sub, css)


def squeeze_url(value: str) -> str:
    """Return a URL as a browser reads its scheme: percent-decoded, with no whitespace or
    control characters, lower-case (entities are decoded by the HTML parser before)."""
    from urllib.parse import unquote

    previous = None
    while previous != value:  # %25 6a... decoded until stable
        previous, value = value, unquote(value)
    return "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()
