"""Rewrite a brief's relative links for its place on the site, and list the files it uses.

A brief at ``briefs/tls/tls-contributory-regime.md`` becomes the page
``briefs/tls-contributory-regime/index.md``. Its links to other briefs
(``../moz/moz-enssb.md#costs``) are rewritten to the other brief's page
(``../moz-enssb/index.md#costs``) so that MkDocs resolves and validates them, and the
files it shows or links (``img/map.svg``) are published beside the page
(``briefs/<slug>/img/map.svg``). A link to a brief that is not on the site (a draft)
still points where its page would be, so ``mkdocs build --strict`` reports it.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from site_builder.model import Brief

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE = re.compile(r"(\]\(\s*<?)([^)\s>]*)")  # "](target": the text may span lines
_REFDEF = re.compile(r"^( {0,3}\[[^\]]+\]:\s*<?)([^\s>]+)")
_HTML_URL = re.compile(r"(<[A-Za-z][^<>]*?\s(?:href|src)\s*=\s*[\"']?)([^\"'\s>]+)", re.I)
_ASSETS_DIR = "_files"
"""Folder (inside the brief's page folder) for files that live outside the brief's folder."""


@dataclass
class RewrittenBody:
    """A brief body ready for its site page, and the files it needs published with it."""

    body: str
    assets: dict[str, Path] = field(default_factory=dict)
    """Site path (``briefs/<slug>/img/x.svg``) to the file on disk."""


def rewrite_links(brief: Brief, content_root: Path) -> RewrittenBody:
    """Rewrite links to other briefs and to local files in a brief body (code left alone)."""
    body, rewriter = _rewrite(brief.body, brief.folder, brief.slug, content_root)
    return RewrittenBody(body=body, assets=rewriter.assets if rewriter else {})


def published_files(body: str, folder: Path, content_root: Path) -> list[tuple[int, str, Path]]:
    """Return the local files a body's page would publish: (line index in the body, the
    target as written, the file's path, symbolic links not followed), in body order.

    Validation checks each of them (:mod:`site_builder.rendered_checks`): this is the same
    scan :func:`rewrite_links` publishes from, so nothing is published unchecked, whether
    or not Markdown renders the reference (a link in a comment or code block, an unused
    reference definition).
    """
    _, rewriter = _rewrite(body, folder, "-", content_root)
    return rewriter.found if rewriter else []


def _rewrite(body: str, folder: Path, slug: str, content_root: Path
             ) -> tuple[str, _Rewriter | None]:
    if "](" not in body and "]:" not in body and "=" not in body:
        return body, None
    rewriter = _Rewriter(folder, slug, content_root.resolve())
    out: list[str] = []
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if match:
            fence = match.group(1)
            out.append(line)
            continue
        rewriter.index = index
        out.append(rewriter.line(line))
    return "\n".join(out), rewriter


class _Rewriter:
    def __init__(self, folder: Path, slug: str, root: Path) -> None:
        self.slug = slug
        self.root = root
        self.folder = folder.resolve()
        self.assets: dict[str, Path] = {}
        self.found: list[tuple[int, str, Path]] = []
        self.index = 0

    def line(self, line: str) -> str:
        if "](" not in line and "]:" not in line and "=" not in line:
            return line
        spans = [m.span() for m in _CODE_SPAN.finditer(line)] if "`" in line else []

        def sub(match: re.Match[str]) -> str:
            start = match.start(2)
            if any(a <= start < b for a, b in spans):
                return match.group(0)
            return match.group(1) + self.target(match.group(2))

        line = _INLINE.sub(sub, line)
        line = _REFDEF.sub(sub, line)
        if "<" in line:
            line = _HTML_URL.sub(sub, line)
        return line

    def target(self, target: str) -> str:
        split = urlsplit(target)
        if split.scheme or split.netloc or not split.path or target.startswith(("/", "\\")):
            return target  # external, absolute or '#anchor': left alone
        fragment = f"#{split.fragment}" if split.fragment else ""
        resolved = Path(os.path.normpath(self.folder / unquote(split.path)))
        if not resolved.is_relative_to(self.root):
            return target  # validation reports it; nothing to publish
        if resolved.suffix == ".md":
            return f"../{quote(resolved.stem)}/index.md{fragment}"
        if not resolved.is_file():
            return target
        rel = resolved.relative_to(self.folder).as_posix() if resolved.is_relative_to(
            self.folder) else f"{_ASSETS_DIR}/{resolved.relative_to(self.root).as_posix()}"
        self.assets[posixpath.join("briefs", self.slug, rel)] = resolved
        self.found.append((self.index, target, resolved))
        return quote(rel) + fragment
