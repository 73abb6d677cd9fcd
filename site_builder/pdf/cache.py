"""A content-addressed cache of brief PDFs under ``<cache_root>/pdf/``.

The key of a brief hashes every input of its PDF without building it: the brief file and
its parsed fields, the bytes of every local file its body references (the slug for a linked
brief), the titles of its themes and the names of its countries, the settings the PDF shows
(series, publisher, licence, site URL), SOURCE_DATE_EPOCH, the print theme (stylesheet,
fonts), the code that builds the HTML and the PDF, the PDF settings, and the versions of
the tool, Markdown, nh3, WeasyPrint, WeasyPrint's own requirements (pydyf, fontTools,
Pillow...), Pango and HarfBuzz. Same key, same bytes; a warm rebuild renders no Markdown.

Each entry is ``<key>.pdf`` plus ``<key>.json`` (page count, length, overflow, the PDF's
SHA-256, the files the render fetched with theirs: see :mod:`site_builder.cache_store`);
both are written to a temporary file and renamed, so an interrupted build leaves no half
file, and both are verified on every read, so a damaged entry is rendered again, never
shipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from html import unescape
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

from site_builder import __version__
from site_builder.cache_store import CacheStore, FileHashes
from site_builder.i18n import LOCALES_DIR
from site_builder.model import Brief, Corpus
from site_builder.pdf.branding import branding_digest
from site_builder.settings import Settings
from site_builder.theme_files import ThemeFiles

LOGGER = logging.getLogger("site_builder.cache")
KEY_SCHEMA = "brief-pdf-1"
"""Bump to invalidate every cached PDF after a change the other inputs do not capture."""

_REF_RES = (
    re.compile(r"\]\(\s*<?([^)\s>]+)"),  # Markdown inline link or image: ](path "title")
    re.compile(r"""\b(?:src|href|data)\s*=\s*["']([^"']+)"""),  # raw HTML attributes
    re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.MULTILINE),  # reference definitions
)
_CODE_DIR = Path(__file__).resolve().parent
_HTML_CODE = [_CODE_DIR.parent / name for name in ("markdown_render.py", "citation.py",
                                                   "templating.py", "i18n.py", "model.py",
                                                   "images.py", "image_derivatives.py")]
"""Modules outside this package whose code shapes the HTML of a brief."""


@dataclass(frozen=True)
class Entry:
    """The sidecar of a cached render."""

    slug: str
    pages: int
    length: float
    overflow: bool
    has_pdf: bool
    fit_step: str | None = None
    """The ``overflow: fit`` step the PDF was laid out with, if any."""
    natural_length: float | None = None
    """With a fit step: the length at the stylesheet's own layout."""


def hash_tree(digest: hashlib._Hash, folder: Path) -> None:
    """Feed every file under ``folder`` (relative path and content hash) to ``digest``."""
    if not folder.is_dir():
        digest.update(b"missing:" + str(folder).encode())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def _weasyprint_dependencies() -> list[str]:
    """Return ``name==version`` of WeasyPrint's own requirements (pydyf, fontTools...): they shape the bytes."""
    found = []
    for requirement in requires("weasyprint") or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return sorted(found)


def _native_versions() -> list[str]:
    """Return the versions of Pango and HarfBuzz, which lay out and shape the text."""
    found = []
    for name, function in (("pango-1.0", "pango_version_string"), ("harfbuzz", "hb_version_string")):
        try:
            call = getattr(ctypes.CDLL(ctypes.util.find_library(name)), function)
            call.restype = ctypes.c_char_p
            found.append(f"{name}=={call().decode()}")
        except (OSError, AttributeError, TypeError):
            found.append(f"{name} unknown")
    return found


def fingerprint(theme: ThemeFiles, settings: Settings) -> str:
    """Return the hash of the inputs shared by every brief: theme, code, versions, settings."""
    digest = hashlib.sha256(KEY_SCHEMA.encode())
    versions = [__version__, weasyprint.__version__, version("markdown"), version("nh3"),
                *_weasyprint_dependencies(), *_native_versions()]
    digest.update("\0".join(versions).encode())
    digest.update(f"pages={settings.pdf.pages}\0overflow={settings.pdf.overflow}\0".encode())
    digest.update(branding_digest(settings).encode())  # logo, partners, contacts, about
    for root in theme.roots:
        for name in ("print", "fonts", "templates/pdf", "templates/briefs/partials", "locales"):
            hash_tree(digest, root / name)
    hash_tree(digest, LOCALES_DIR)
    for path in [*sorted(_CODE_DIR.glob("*.py")), *_HTML_CODE]:
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def references(brief: Brief) -> list[Path]:
    """Return the local files a brief's body may reference (images, linked briefs), resolved."""
    found: dict[Path, None] = {}
    for pattern in _REF_RES:
        for raw in pattern.findall(brief.body):
            parts = urlsplit(unescape(raw))
            if parts.scheme or parts.netloc or not parts.path:
                continue
            found[Path(os.path.normpath(brief.folder / unquote(parts.path)))] = None
    return list(found)


def _settings_text(settings: Settings) -> str:
    """Return the settings that reach the PDF, as text (not paths, jobs or time limits)."""
    shown = {k: v for k, v in asdict(settings).items()
             if k not in ("project_dir", "cache_dir", "pdf", "print", "custom_dir")}
    return json.dumps(shown, sort_keys=True, default=str)


def brief_key(brief: Brief, corpus: Corpus, settings: Settings, shared: str) -> str:
    """Return the cache key of one brief's PDF, from its inputs (no Markdown rendering)."""
    digest = hashlib.sha256(shared.encode())
    brief_fields = {k: v for k, v in asdict(brief).items()
                    if k not in ("path", "rel_path", "body_line", "root")}
    themes = [(t.id, t.title) for t in brief.themes]
    countries = [c.name for c in brief.countries]
    text = json.dumps([brief_fields, themes, countries, _settings_text(settings),
                       os.environ.get("SOURCE_DATE_EPOCH", "")], default=str)
    digest.update(text.encode())
    digest.update(hashlib.sha256(brief.path.read_bytes()).digest())
    briefs_by_path = None
    for path in references(brief):
        digest.update(str(path).encode() + b"\0")
        if path.suffix == ".md":  # a link to another brief: only its slug shows
            if briefs_by_path is None:
                briefs_by_path = {os.path.normpath(b.path): b.slug for b in corpus.briefs}
            digest.update(str(briefs_by_path.get(str(path))).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:
            digest.update(b"missing")
    return digest.hexdigest()


class PdfCache:
    """PDFs and their sidecars, keyed by content hash, verified on every read.

    An entry also lists every file WeasyPrint fetched for the render (images, stylesheets,
    fonts) with its hash: a hit requires each to be unchanged, so a file the key's
    reading of the source missed still invalidates the PDF when it changes.
    """

    def __init__(self, folder: Path, hashes: FileHashes | None = None) -> None:
        self.folder = folder
        self.store = CacheStore(folder, hashes)

    def pdf_path(self, key: str) -> Path:
        """Return where the PDF of a key lives (whether or not it exists)."""
        return self.store.data_path(key)

    def get(self, key: str, slug: str = "") -> Entry | None:
        """Return the verified entry of a key, or None when it is missing, stale or damaged.

        A damaged entry (truncated PDF, edited sidecar, missing file) is logged as a
        warning naming the brief; the caller renders it again.
        """
        label = f"PDF of '{slug}'" if slug else f"PDF {key[:12]}"
        hit = self.store.get(key, label)
        if hit is None:
            return None
        try:
            entry = Entry(**hit.meta)
        except TypeError:
            LOGGER.warning("cache: the cached %s is damaged: its sidecar lacks fields; "
                           "making it again", label)
            return None
        if entry.has_pdf != (hit.data is not None) or (slug and entry.slug != slug):
            LOGGER.warning("cache: the cached %s is damaged: its sidecar does not describe "
                           "its file; making it again", label)
            return None
        return entry

    def put(self, key: str, entry: Entry, pdf: bytes | None,
            fetched: Iterable[tuple[str, str]] = ()) -> None:
        """Store a render: the PDF first, then the sidecar (with hashes) that makes it a hit."""
        self.store.put(key, asdict(entry), pdf, fetched)
