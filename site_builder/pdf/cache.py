"""A content-addressed cache of brief PDFs under ``<cache_root>/pdf/``.

The key of a brief hashes every input of its PDF: the brief file, the full HTML built from
it (which carries the settings, theme titles, country names and dates it shows), the bytes
of every image it references, the print theme (stylesheet, templates, fonts), the rendering
code, the tool and WeasyPrint versions and the PDF settings. Same key, same bytes.

Each entry is ``<key>.pdf`` plus ``<key>.json`` (page count, length, overflow); both are
written to a temporary file and renamed, so an interrupted build leaves no half file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint

from site_builder import __version__
from site_builder.model import Brief
from site_builder.settings import Settings

KEY_SCHEMA = "brief-pdf-1"
"""Bump to invalidate every cached PDF after a change the other inputs do not capture."""

_SRC_RE = re.compile(r"""\bsrc="([^"]*)\"""")
_CODE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    """The sidecar of a cached render."""

    slug: str
    pages: int
    length: float
    overflow: bool
    has_pdf: bool


def _hash_tree(digest: hashlib._Hash, folder: Path) -> None:
    if not folder.is_dir():
        digest.update(b"missing:" + str(folder).encode())
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def fingerprint(theme: Path, settings: Settings) -> str:
    """Return the hash of the inputs shared by every brief: theme, code, versions, settings."""
    digest = hashlib.sha256(KEY_SCHEMA.encode())
    digest.update(f"{__version__}\0{weasyprint.__version__}\0".encode())
    digest.update(f"pages={settings.pdf.pages}\0overflow={settings.pdf.overflow}\0".encode())
    for name in ("print", "fonts"):
        _hash_tree(digest, theme / name)
    for path in sorted(_CODE_DIR.glob("*.py")):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def asset_paths(html: str, folder: Path) -> list[Path]:
    """Return the local files an HTML document references with ``src``, relative to a folder."""
    paths = []
    for raw in _SRC_RE.findall(html):
        ref = unescape(raw)
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        paths.append(folder / unquote(parts.path))
    return paths


def brief_key(brief: Brief, html: str, shared: str) -> str:
    """Return the cache key of one brief's PDF."""
    digest = hashlib.sha256(shared.encode())
    digest.update(brief.slug.encode() + b"\0")
    digest.update(hashlib.sha256(brief.path.read_bytes()).digest())
    digest.update(hashlib.sha256(html.encode()).digest())
    for path in asset_paths(html, brief.folder):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PdfCache:
    """PDFs and their sidecars, keyed by content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def pdf_path(self, key: str) -> Path:
        """Return where the PDF of a key lives (whether or not it exists)."""
        return self.folder / f"{key}.pdf"

    def get(self, key: str) -> Entry | None:
        """Return the entry of a key, or None when it is missing or incomplete."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            entry = Entry(**data)
        except (OSError, ValueError, TypeError):
            return None
        if entry.has_pdf and not self.pdf_path(key).is_file():
            return None
        return entry

    def put(self, key: str, entry: Entry, pdf: bytes | None) -> None:
        """Store a render: the PDF first, then the sidecar that makes it a hit."""
        if pdf is not None:
            write_atomic(self.pdf_path(key), pdf)
        write_atomic(self.folder / f"{key}.json", json.dumps(asdict(entry)).encode())
