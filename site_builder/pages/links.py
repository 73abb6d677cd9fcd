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
    result = RewrittenBody(body=brief.body)
    body = brief.body
    if "](" not in body and "]:" not in body and "=" not in body:
        return result
    rewriter = _Rewriter(brief, content_root.resolve(), result.assets)
    out: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
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
        out.append(rewriter.line(line))
    result.body = "\n".join(out)
    return result


class _Rewriter:
    def __init__(self, brief: Brief, root: Path, assets: dict[str, Path]) -> None:
        self.brief = brief
        self.root = root
        self.folder = brief.folder.resolve()
        self.assets = assets

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
        self.assets[posixpath.join("briefs", self.brief.slug, rel)] = resolved
        return quote(rel) + fragment
