"""What a render sends to a machine that has the package but not the project.

A Dask worker has country-briefs installed and nothing else: no checkout, no shared
folder. So each job travels with the files its HTML refers to (:func:`ship`): the client
reads them through the same :class:`~site_builder.pdf.fetcher.SafeFetcher` checks as a
local render and sends their bytes, or the reason a local render would refuse them. The
theme folders travel once per build (:class:`ThemeBundle`) and land in a content-addressed
folder on the worker.

On the worker, :class:`ShippedFetcher` answers WeasyPrint's requests for the *client's*
``file:`` URLs from those copies. The HTML, the base URL and every URL WeasyPrint sees stay
what they are on the client, so no path of the worker can reach the PDF (WeasyPrint names
a raster image after a hash of its URL, for one) and the bytes are a local render's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zlib
from collections import deque
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcherResponse

from site_builder.pdf.fetcher import MAX_RESOURCE_BYTES, RefusedURL, SafeFetcher
from site_builder.pdf.render import RenderJob

_REF_RES = (
    re.compile(r"""\b(?:src|href|data|poster|xlink:href)\s*=\s*(["'])(.*?)\1""", re.I | re.S),
    re.compile(r"""\burl\(\s*(["']?)([^"')]*)\1\s*\)""", re.I),
    re.compile(r"""@import\s+(["'])(.*?)\1""", re.I),
)
"""References in HTML, CSS and SVG: attributes, ``url(...)`` and ``@import``."""
_SCANNED_TYPES = ("text/html", "application/xhtml+xml", "text/css", "image/svg+xml")
"""Fetched files whose own references are followed (an SVG may use an image beside it)."""
_CODE = ("render.py", "fetcher.py", "fonts.py", "html.py", "shipping.py", "child.py")
"""The modules whose code shapes a render on the worker (their hash is compared)."""


@dataclass(frozen=True)
class Asset:
    """One file a brief's HTML refers to, as a local render would see it."""

    url: str
    """The URL of the file's real path on the client (what the local fetcher answers)."""
    data: bytes | None = None
    mime: str = "application/octet-stream"
    refusal: str = ""
    """Why a local render refuses the file (then ``data`` is None)."""


@dataclass(frozen=True)
class Shipment:
    """A render job with the brief's own files, ready for a worker without the project."""

    job: RenderJob
    assets: dict[str, Asset] = field(default_factory=dict)
    """By :func:`path_key` of the URL WeasyPrint will ask for."""


def path_key(url: str) -> str:
    """Return the normalised local path a ``file:`` URL names (how assets are looked up)."""
    return os.path.normpath(url2pathname(unquote(urlsplit(url).path)))


def references(text: str, base_url: str) -> list[str]:
    """Return the ``file:`` URLs a document refers to, resolved against its URL, in order."""
    found: dict[str, None] = {}
    for pattern in _REF_RES:
        for match in pattern.finditer(text):
            ref = unescape(match.group(2)).strip()
            if not ref or ref.startswith("#"):
                continue
            url = urldefrag(urljoin(base_url, ref))[0]
            if urlsplit(url).scheme.lower() == "file":
                found[url] = None
    return list(found)


def _under(path: str, roots: tuple[Path, ...]) -> bool:
    return any(Path(path).is_relative_to(root) for root in roots)


def ship(job: RenderJob, theme_roots: tuple[Path, ...]) -> Shipment:
    """Return the job with every non-theme file its HTML (and the SVG or CSS it uses) refers to."""
    fetcher = SafeFetcher(list(job.roots))
    assets: dict[str, Asset] = {}
    pending = deque(references(job.html, job.base_url))
    while pending:
        url = pending.popleft()
        key = path_key(url)
        if key in assets or _under(key, theme_roots):  # the theme travels once, not per brief
            continue
        try:
            response = fetcher.fetch(url)
        except RefusedURL as exc:
            assets[key] = Asset(url, refusal=str(exc))
            continue
        data = response.read()
        mime = response.headers.get_content_type()
        assets[key] = Asset(response.url, data, mime)
        if mime in _SCANNED_TYPES:
            pending.extend(references(data.decode("utf-8", "replace"), response.url))
    return Shipment(job, assets)


@dataclass(frozen=True)
class ThemeBundle:
    """The theme folders of a build, file by file, named by a hash of their content."""

    roots: tuple[Path, ...]
    """The folders on the client, in the fetcher's order."""
    files: tuple[dict[str, bytes], ...]
    """Per root: relative path -> bytes."""
    digest: str

    @classmethod
    def of(cls, roots: tuple[Path, ...]) -> ThemeBundle:
        """Read the theme folders (files the fetcher would refuse as too large left out)."""
        digest = hashlib.sha256()
        files: list[dict[str, bytes]] = []
        for index, root in enumerate(roots):
            real_root = Path(os.path.realpath(root))
            found: dict[str, bytes] = {}
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                if not Path(os.path.realpath(path)).is_relative_to(real_root):
                    continue  # a link out of the theme: refused locally, so not sent
                if path.stat().st_size > MAX_RESOURCE_BYTES:
                    continue
                rel = path.relative_to(root).as_posix()
                found[rel] = data = path.read_bytes()
                digest.update(f"{index}\0{rel}\0".encode() + hashlib.sha256(data).digest())
            files.append(found)
        return cls(tuple(roots), tuple(files), digest.hexdigest()[:32])

    def install(self, store: Path) -> tuple[tuple[Path, Path], ...]:
        """Write the theme under ``store/<digest>/`` unless it is there; return (client root, copy) pairs."""
        target = store / self.digest
        if not target.is_dir():
            store.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=store))
            for index, found in enumerate(self.files):
                for rel, data in found.items():
                    path = staging / str(index) / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                (staging / str(index)).mkdir(exist_ok=True)
            try:
                staging.rename(target)
            except OSError:  # another worker process on this machine was first
                shutil.rmtree(staging, ignore_errors=True)
        return tuple((root, target / str(index)) for index, root in enumerate(self.roots))


def localise(job: RenderJob, mounts: tuple[tuple[Path, Path], ...]) -> RenderJob:
    """Point the job's fonts folder (read for the glyph check) at the worker's copy of the theme."""
    if job.fonts_dir is None:
        return job
    for root, copy in mounts:
        if job.fonts_dir.is_relative_to(root):
            return replace(job, fonts_dir=copy / job.fonts_dir.relative_to(root))
    return job


class ShippedFetcher(SafeFetcher):
    """Serve the client's ``file:`` URLs from a shipment and the worker's copy of the theme."""

    def __init__(self, shipment: Shipment, mounts: tuple[tuple[Path, Path], ...]) -> None:
        super().__init__([copy for _, copy in mounts])
        self.brief_folder = shipment.job.roots[0]
        self.assets = shipment.assets
        self.mounts = [(root, Path(os.path.realpath(copy))) for root, copy in mounts]

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource a local render would get for ``url``, or raise :class:`RefusedURL`."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return super().fetch(url, headers)  # data: URLs, and refusals as a local render's
        key = path_key(url)
        asset = self.assets.get(key)
        if asset is not None:
            return self._asset(url, asset)
        for root, copy in self.mounts:
            if Path(key).is_relative_to(root):
                return self._theme_file(url, copy / Path(key).relative_to(root), headers)
        if Path(key).is_relative_to(self.brief_folder):
            return self._refuse(url, "not sent to the Dask worker (no reference to it was "
                                     "found in the HTML): please report this")
        return super().fetch(url, headers)  # outside every root: refused as locally

    def _refuse(self, url: str, reason: str) -> URLFetcherResponse:
        self.refused.append((url, reason))
        raise RefusedURL(reason)

    def _asset(self, url: str, asset: Asset) -> URLFetcherResponse:
        if asset.data is None:
            return self._refuse(url, asset.refusal)
        self.fetched.append(Path(path_key(asset.url)))
        return URLFetcherResponse(asset.url, asset.data, {"Content-Type": asset.mime})

    def _theme_file(self, url: str, local: Path, headers: Any) -> URLFetcherResponse:
        try:
            response = super().fetch(local.as_uri(), headers)
        except RefusedURL:
            _, reason = self.refused.pop()  # recorded under the worker's path: show the client's
            self.refused.append((url, reason))
            raise
        client = self._client_path(Path(path_key(response.url)))
        self.fetched[-1] = client
        return URLFetcherResponse(client.as_uri(), response.read(), response.headers)

    def _client_path(self, local: Path) -> Path:
        for root, copy in self.mounts:
            if local.is_relative_to(copy):
                return root / local.relative_to(copy)
        return local


def render_environment() -> dict[str, str]:
    """Return what shapes a render's bytes here: package, WeasyPrint, its requirements, Pango..."""
    import weasyprint

    from site_builder import __version__
    from site_builder.pdf.cache import _native_versions, _weasyprint_dependencies

    found = {"country-briefs": __version__, "weasyprint": weasyprint.__version__,
             "zlib": zlib.ZLIB_RUNTIME_VERSION}
    for item in [*_weasyprint_dependencies(), *_native_versions()]:
        name, _, version = item.partition("==") if "==" in item else item.partition(" ")
        found[name] = version
    code = hashlib.sha256()
    for name in _CODE:
        code.update(name.encode() + (Path(__file__).parent / name).read_bytes())
    found["country-briefs render code"] = code.hexdigest()[:12]
    return found


def differences(here: dict[str, str], there: dict[str, str], where: str) -> list[str]:
    """Return ``name A here, B <where>`` for every component whose version differs."""
    names = sorted(set(here) | set(there))
    return [f"{name} {here.get(name, 'missing')} here, {there.get(name, 'missing')} {where}"
            for name in names if here.get(name) != there.get(name)]
