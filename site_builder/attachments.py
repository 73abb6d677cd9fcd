"""Say whether a file a brief shows or links may be published: its type read from its content.

The site publishes every local file a brief uses byte for byte, in the site's origin. A file
a browser would run (HTML, JavaScript, XML, an SVG with script) would run there with the
site's cookies and storage, so such files are refused; everything else is an allow-list of
types, each recognised by its bytes (magic numbers, a zip's manifest, an XML root), never
by its name, and the name must agree with the content.

SVGs are parsed with :mod:`xml.etree.ElementTree` after refusing any DTD (so no entity can
expand) and refused when they hold script, event handlers, ``<foreignObject>``, external
references or ``javascript:`` URLs. Each other type is checked for what it could carry
past its name: a PDF must open (pikepdf) and hold no script, launch or embedded-file
action; a CSV no HTML markup (a browser or a server that guesses types would run it); a
DOCX or XLSX no macros, ActiveX controls, embedded objects or web pages, and no more than
:data:`MAX_UNZIPPED_BYTES` once unzipped.
"""

from __future__ import annotations

import io
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

MAX_UNZIPPED_BYTES = 200_000_000
"""Largest total size of a DOCX's or XLSX's parts once unzipped (a zip bomb is refused)."""
MAX_ZIP_ENTRIES = 10_000

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
    problem = {"PDF": pdf_problem, "CSV": csv_problem}.get(found, _no_problem)(data) \
        if found not in ("DOCX", "XLSX") else office_problem(path)
    if problem is not None:
        raise AttachmentError("unsafe-attachment", f"'{shown}' {problem}: save a plain copy "
                              "of the file without it")


def _no_problem(data: bytes) -> str | None:
    return None


_PDF_ACTIONS = frozenset({"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData",
                          "/RichMedia", "/EmbeddedFile", "/EmbeddedFiles", "/GoToE"})
"""PDF keys and action types that run script, start programs, send data or carry files
(web links, ``/URI``, are allowed: a reader follows them as they would a brief's links)."""


def pdf_problem(data: bytes) -> str | None:
    """Return what makes a PDF unsafe or broken (it does not open without repairs, or it
    holds script, launch, form-submission or embedded-file actions), or None."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            if len(pdf.pages) == 0:
                return "has no pages"
            found = _pdf_actions(pdf.trailer)
    except pikepdf.PasswordError:
        return "is encrypted with a password"
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError):
        return "is not a readable PDF (damaged, truncated or not a PDF): export it again"
    return f"holds {', '.join(sorted(found))} (script, actions or files)" if found else None


_MAX_PDF_OBJECTS = 2_000_000


def _pdf_actions(root: object) -> set[str]:
    """The :data:`_PDF_ACTIONS` keys and action types found anywhere under ``root`` (every
    object reachable from the trailer, direct or indirect, each visited once)."""
    import pikepdf

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visits = 0
    while stack and visits < _MAX_PDF_OBJECTS:
        obj = stack.pop()
        visits += 1
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and \
                obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            keys = set(obj.keys())
            found |= _PDF_ACTIONS & keys
            kind = obj.get("/S")
            if isinstance(kind, pikepdf.Name) and str(kind) in _PDF_ACTIONS:
                found.add(str(kind))
            stack.extend(obj[key] for key in keys if key not in ("/Parent", "/P"))
    return found


_MARKUP = re.compile(r"<[A-Za-z!?/]")


def csv_problem(data: bytes) -> str | None:
    """Return why a CSV is unsafe to publish (it holds HTML or XML markup), or None."""
    text = data.decode("utf-8-sig", errors="replace")
    found = _MARKUP.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return (f"holds markup at line {line} ('{text[found.start():found.start() + 12].strip()}'"
            "…), which a browser guessing the type would run as a web page")


_OFFICE_ACTIVE = re.compile(r"vbaproject|vbadata|activex|embeddings/|oleobject|macro", re.I)


def office_problem(path: Path) -> str | None:
    """Return what makes a DOCX or XLSX unsafe (macros, ActiveX, embedded objects, web pages
    or scripts inside, paths that leave the archive, a zip bomb), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return f"holds {len(infos):,} parts (over {MAX_ZIP_ENTRIES:,})"
            if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                return f"unzips to over {MAX_UNZIPPED_BYTES // 1_000_000} MB (a zip bomb?)"
            types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        return f"is not a readable zip archive ({exc})"
    if "macroenabled" in types.lower() or "vbaproject" in types.lower():
        return "is macro-enabled (its content types name macros)"
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/"):
            return f"holds a part with an unsafe path ('{name[:60]}')"
        if _OFFICE_ACTIVE.search(name):
            return f"holds macros, ActiveX controls or embedded objects ('{name[:60]}')"
        suffix = Path(name).suffix.lower()
        if suffix in RUNNABLE_SUFFIXES and suffix != ".xml":
            return f"holds a file a browser would run ('{name[:60]}')"
    return None


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
