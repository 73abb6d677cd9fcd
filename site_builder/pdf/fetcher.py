"""A URL fetcher for WeasyPrint that reads only the brief's own assets and the theme.

WeasyPrint's default fetcher opens any URL: the network, ``file:///etc/passwd``,
``/dev/zero``. This one allows ``data:`` URLs and ``file:`` URLs whose real path (symbolic
links resolved) is a regular file inside one of the allowed folders; it refuses everything
else before opening anything, and records each refusal so the render can fail with a clear
message even where WeasyPrint would only log a warning.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import stat
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from site_builder.images import is_raster_name
from site_builder.pdf.print_images import PRINT_DPI, RefusedImage, for_print

MAX_RESOURCE_BYTES = 20_000_000
"""Largest image, stylesheet or font the fetcher reads."""


class RefusedURL(ValueError):
    """Raised (and caught by WeasyPrint) for a URL the fetcher will not open."""


class SafeFetcher(URLFetcher):  # WeasyPrint ships no type hints
    """Fetch ``data:`` URLs and regular files under ``roots``; refuse everything else."""

    def __init__(self, roots: list[Path], dpi: int = PRINT_DPI) -> None:
        super().__init__(timeout=1, allowed_protocols=["file", "data"], allow_redirects=False)
        self.roots = [Path(os.path.realpath(root)) for root in roots]
        self.dpi = dpi
        """Resolution raster images are cut to (a print file's is higher than the web PDF's)."""
        self.refused: list[tuple[str, str]] = []
        """(url, reason) of every refused request, in order."""
        self.fetched: list[Path] = []
        """Real paths of the files read, in order."""
        self.fetched_hashes: dict[str, str] = {}
        """SHA-256 of every file read, by real path: what the PDF was made from (the cache checks them)."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource at ``url``, or raise :class:`RefusedURL`."""
        try:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return self._data(url)
            if scheme == "file":
                return self._file(url)
            raise RefusedURL(f"only local files and data: URLs may be used, not {scheme or 'relative'}: URLs")
        except RefusedURL as exc:
            self.refused.append((url, str(exc)))
            raise

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"file URL on another host ({parts.netloc})")
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedURL("outside the brief's folder and the theme")
        try:
            info = os.stat(path)
        except OSError:
            raise RefusedURL("no such file") from None
        if not stat.S_ISREG(info.st_mode):
            raise RefusedURL("not a regular file")
        if info.st_size > MAX_RESOURCE_BYTES:
            raise RefusedURL(f"larger than {MAX_RESOURCE_BYTES // 1_000_000} MB")
        data = path.read_bytes()
        self.fetched.append(path)
        self.fetched_hashes[str(path)] = hashlib.sha256(data).hexdigest()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if is_raster_name(path):  # no more pixels than the print needs
            try:
                data, mime = for_print(data, path.name, mime, self.dpi)
            except RefusedImage as exc:
                raise RefusedURL(str(exc)) from None
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})

    def _data(self, url: str) -> URLFetcherResponse:
        header, sep, payload = url[5:].partition(",")
        if not sep:
            raise RefusedURL("malformed data: URL")
        params = header.split(";")
        mime = params[0] or "text/plain"
        if "base64" in params[1:]:
            try:
                data = base64.b64decode(unquote(payload), validate=False)
            except ValueError:
                raise RefusedURL("malformed base64 in data: URL") from None
        else:
            data = unquote_to_bytes(payload)
        if len(data) > MAX_RESOURCE_BYTES:
            raise RefusedURL("data: URL too large")
        return URLFetcherResponse(url, data, {"Content-Type": mime})
