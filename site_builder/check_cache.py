"""Remember each body's rendered-HTML check, so an unchanged brief is not rendered again.

Checking the HTML a body renders to (:mod:`site_builder.rendered_checks`) is most of what
``briefs validate`` costs (about 6 ms a brief: 60 s of CPU at 10,000 briefs). Its result
depends on the body, on where the brief is (its path as reported, its folder, the content
folder, the working directory the messages' paths are relative to), on the checker (its
source, the Markdown extensions and their options, the libraries that render, sanitise and
decode, the pixel limit), and on the files the body references: each path the check
resolved, what it resolves to (links followed), whether that is a file, and the file's
content. All but the last go into the entry's key; the files are recorded in the entry
(:class:`~site_builder.cache_store.CacheStore` keeps each file's SHA-256 and checks it on
every read) with what each path resolved to, and a hit requires every one of them to be
as it was. A file that did not exist (a ``missing-image``) is recorded as missing, so
adding it makes the entry stale.

Entries are verified like every cache entry of the project: a damaged one (edited,
truncated, not JSON) is checked again with a warning, never used. Results that depend on
time (a render stopped by its time limit, ``too-complex``) are not stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder.cache_store import LOGGER, CacheStore
from site_builder.findings import Finding, Severity

if TYPE_CHECKING:
    from site_builder.body_checks import BodyContext

_CHECKER_MODULES = ("rendered_checks", "body_checks", "body_limits", "markdown_render",
                    "attachments", "images", "mdscan", "check_cache", "findings")
_LIBRARIES = ("markdown", "nh3", "pillow", "pikepdf")
UNCACHED_CODES = frozenset({"too-complex"})
"""Findings whose presence keeps a result out of the cache (they depend on the clock)."""


@cache
def checker_version() -> str:
    """Return a digest of everything the check's result depends on besides its input: our
    checking modules' source, the Markdown extensions and options, library versions."""
    from importlib import metadata

    from site_builder.images import pixel_limit
    from site_builder.markdown_render import MARKDOWN_EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for name in _CHECKER_MODULES:
        digest.update((package / f"{name}.py").read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=none\n".encode())
    digest.update(repr((MARKDOWN_EXTENSIONS, sorted(MARKDOWN_EXTENSION_CONFIGS.items()),
                        pixel_limit(), sys.version_info[:2])).encode())
    return digest.hexdigest()


def _identity(candidate: str) -> list[str]:
    """What the check saw at a path: [what it resolves to, its kind]."""
    try:
        real = Path(candidate).resolve()
    except (OSError, RuntimeError):
        return ["", "unresolvable"]
    try:
        kind = "file" if real.is_file() else "folder" if real.is_dir() else \
            "other" if os.path.lexists(real) else "missing"
    except OSError:
        kind = "unreadable"
    return [str(real), kind]


@dataclass
class BodyCheckCache:
    """The verified cache of rendered-HTML checks, in one folder of the project's cache."""

    folder: Path
    version: str = field(default_factory=checker_version)

    def __post_init__(self) -> None:
        self.store = CacheStore(self.folder, suffix=".unused")

    def key(self, body: str, ctx: BodyContext) -> str:
        """Return the key of a body's check: everything but the referenced files."""
        parts = [self.version, body, ctx.path, str(ctx.file), str(ctx.content_root),
                 ctx.body_line, os.getcwd(), str(ctx.file.parent.resolve())]
        return hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, body: str, ctx: BodyContext) -> list[Finding] | None:
        """Return the stored findings of a body's check, or None (never a stale result)."""
        label = f"check of {ctx.path}"
        hit = self.store.get(self.key(body, ctx), label)
        if hit is None:
            return None
        try:
            probes = [(str(c), [str(r), str(k)]) for c, r, k in hit.meta["probes"]]
            findings = [Finding(ctx.path, int(line), int(col), str(message), str(code),
                                Severity(severity))
                        for line, col, message, code, severity in hit.meta["findings"]]
        except (KeyError, TypeError, ValueError):
            LOGGER.warning("cache: the cached %s is damaged: its record is malformed; making "
                           "it again", label)
            return None
        if any(_identity(candidate) != seen for candidate, seen in probes):
            return None  # a referenced path now leads elsewhere, appeared or went
        return findings

    def put(self, body: str, ctx: BodyContext, findings: list[Finding],
            probes: tuple[str, ...]) -> None:
        """Store a body's check result with the files it looked at (unless it depends on
        the clock: :data:`UNCACHED_CODES`)."""
        if any(f.code in UNCACHED_CODES for f in findings):
            return
        seen = [[candidate, *_identity(candidate)] for candidate in probes]
        inputs = []
        for _, real, kind in seen:
            if kind == "file":
                digest = self.store.hashes.of(real)
                if digest is None:
                    return  # unreadable now: store nothing rather than half
                inputs.append((real, digest))
        meta: dict[str, Any] = {
            "probes": seen,
            "findings": [[f.line, f.col, f.message, f.code, f.severity.value] for f in findings],
        }
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            self.store.put(self.key(body, ctx), meta, None, inputs)
