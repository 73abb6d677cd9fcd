"""Check a brief's Markdown body: links, images, raw HTML, nesting, headings, complexity.

The HTML it renders to is checked too (:mod:`site_builder.rendered_checks`): what ships,
whatever Markdown construct produced it. The rest is a line scanner with regular expressions, not a Markdown parse: it has to stay fast on
10,000 briefs and must not itself stall on the pathological input it guards against. The
bounds on constructs that make Python-Markdown slow are in :mod:`site_builder.body_limits`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from site_builder.body_limits import MAX_NESTING, check_limits, render_checked
from site_builder.findings import Finding, Severity
from site_builder.headings import HeadingIds, atx_text, is_setext_underline
from site_builder.mdscan import mask_code_spans, nesting, scan_lines, starts_block

if TYPE_CHECKING:
    from site_builder.check_cache import BodyCheckCache
    from site_builder.rendered_checks import RenderedCheck

# Possessive and free of nested unbounded scans, so that a line of brackets costs linear time.
_INLINE = re.compile(r"(?<!\\)(!?)\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*+)\]\(\s*<?([^)\s>]*+)>?"
                     r"(?:\s+[\"'(][^)]*)?\)")
# The tail of a link whose text began on an earlier line: "...text](target)".
# The target of a link whose text began on an earlier line: "...text](target)".
_TAIL_TARGET = re.compile(r"\s*<?([^)\s>]*+)>?(?:\s+[\"'(][^)]*)?\)")
_REFDEF = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:\s*<?(\S+?)>?(?:\s+.*)?$")  # not [^footnote]:
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*/?>")
_ATTR = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)")
UNSAFE_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "frameset", "applet",
                "base", "form", "input", "button", "textarea", "select", "style", "link",
                "meta", "svg", "math"})
"""Raw HTML tags a brief may not use (the sanitiser removes them too)."""
_URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href"}
_NEST_START = frozenset(" \t>-+*:!?0123456789")
_NOTABLE_START = _NEST_START | frozenset("#=")


@dataclass(frozen=True)
class BodyContext:
    """Where a brief lives, to resolve its relative links and images."""

    path: str  # as reported
    file: Path  # absolute path of the brief
    content_root: Path  # resolved content folder; nothing may point outside it
    body_line: int  # line of the body's first line in the file
    cache: BodyCheckCache | None = field(default=None, compare=False)
    """Where to remember the rendered check's result (:mod:`site_builder.check_cache`)."""


@dataclass(frozen=True)
class BriefLink:
    """A relative link from a brief to another Markdown file, checked against the corpus later."""

    target: Path  # resolved absolute path
    line: int
    col: int
    text: str


def check_body(body: str, ctx: BodyContext) -> tuple[list[Finding], list[BriefLink]]:
    """Return the problems in a body and the links it makes to other Markdown files."""
    findings, heavy = check_limits(body, ctx.path, ctx.body_line)
    links: list[BriefLink] = []
    if findings:  # too complex: the line checks below could be slow on it too
        return findings, links
    depth_reported = False
    headings = HeadingIds()
    lines = body.split("\n")
    for index, raw, is_code in scan_lines(lines, "```" in body or "~~~" in body):
        first = raw[:1]
        if first not in _NOTABLE_START and "[" not in raw and "<" not in raw and "](" not in raw:
            continue  # plain prose: nothing to check (the common case, kept cheap)
        line_no = ctx.body_line + index
        # A line opening with a one-character marker and a word ("- text") nests once: only
        # indentation, a second marker or a longer marker needs counting.
        if not depth_reported and first in _NEST_START and (
                first in " \t>" or raw[2:3] in _NEST_START or first.isdigit()) and (
                not is_code or starts_block(raw)):
            depth = nesting(raw, MAX_NESTING)
            if depth > MAX_NESTING:
                findings.append(Finding(ctx.path, line_no, 1, f"content nested more than "
                                        f"{MAX_NESTING} levels deep (quotes, lists, "
                                        f"indentation); at most {MAX_NESTING} allowed: flatten "
                                        "it", "too-deep"))
                depth_reported = True
                continue
        if is_code:
            continue
        line = mask_code_spans(raw)
        if first == "#" or (first in "=-" and not raw.rstrip().strip(first)) or \
                (first == " " and raw.lstrip(" ")[:1] == "#"):
            _check_heading(lines, index, line, line_no, ctx, findings, headings)
        if "](" in line and (tail := _link_tail(line)) is not None:
            _check_target(tail.group(1), False, "", line_no, tail.start(1) + 1, ctx, findings,
                          links)
        if "[" in line:
            for match in _INLINE.finditer(line):
                is_image = match.group(1) == "!"
                _check_target(match.group(3), is_image, match.group(2), line_no,
                              match.start(3) + 1, ctx, findings, links)
            ref = _REFDEF.match(line)
            if ref:
                _check_target(ref.group(2), False, ref.group(1), line_no, ref.start(2) + 1, ctx,
                              findings, links)
        if "<" in line:
            _check_html(line, line_no, ctx, findings, links)
    if not (heavy and any(f.severity is Severity.ERROR for f in findings)):
        findings += _check_rendered(body, ctx, heavy, findings)
    findings += _check_published(body, ctx, findings)
    return findings, links


def _check_published(body: str, ctx: BodyContext, findings: list[Finding]) -> list[Finding]:
    """Check every local file the page publishes, rendered or not (a reference in a comment,
    a code block or an unused definition is still copied to the site)."""
    if "](" not in body and "]:" not in body and "=" not in body:
        return []  # the publisher's own gate (site_builder.pages.links)
    from site_builder import rendered_checks

    known = {(f.line, _OUTSIDE.get(f.code, f.code)) for f in findings}
    return [f for f in rendered_checks.publication_findings(body, ctx)
            if (f.line, _OUTSIDE.get(f.code, f.code)) not in known]


_OUTSIDE = {"image-outside": "outside", "link-outside": "outside"}
"""Codes that say the same of a reference (the line checks' and the publisher's words)."""


def _check_rendered(body: str, ctx: BodyContext, heavy: bool, findings: list[Finding]
                    ) -> list[Finding]:
    """Render the body (under the time limit when it is heavy) and check the HTML it makes
    (:mod:`site_builder.rendered_checks`); problems the line checks found already at the
    same line are not repeated."""
    from site_builder import rendered_checks  # Markdown: only when needed

    if not heavy and not rendered_checks.may_render(body):
        return []
    found = ctx.cache.get(body, ctx) if ctx.cache is not None else None
    if found is None:
        result = _render_and_check(body, ctx, heavy)
        found = result.findings
        if ctx.cache is not None:
            ctx.cache.put(body, ctx, found, result.probes)
    known = {(f.line, f.code) for f in findings}
    return [f for f in found if (f.line, f.code) not in known]


def _render_and_check(body: str, ctx: BodyContext, heavy: bool
                      ) -> RenderedCheck:
    """Render the body (in the time-limited worker when heavy) and check its HTML."""
    from site_builder import rendered_checks

    html, failed = render_checked(body, ctx.path, ctx.body_line, heavy)
    if html is None:
        return rendered_checks.RenderedCheck(failed, ())
    return rendered_checks.rendered_check(body, html, ctx)


def _link_tail(line: str) -> re.Match[str] | None:
    """Match the target of a link whose text began on an earlier line (no '[' before its ']')."""
    end = line.find("](")
    if end < 0 or "[" in line[:end]:
        return None
    return _TAIL_TARGET.match(line, end + 2)


def _check_heading(lines: list[str], index: int, line: str, line_no: int, ctx: BodyContext,
                   findings: list[Finding], headings: HeadingIds) -> None:
    """Level-1 headings (a warning) and heading ids used twice (an error, at the second)."""
    if line[:1] == "#" and re.match(r"^#\s", line):
        findings.append(Finding(ctx.path, line_no, 1, "level-1 heading in the body: the title "
                                "comes from the front matter, start sections at '##'",
                                "heading-level", Severity.WARNING))
    text = atx_text(line) if line.lstrip(" ")[:1] == "#" else None
    at = line_no
    if text is None and line[:1] in "=-" and index and is_setext_underline(line):
        above = lines[index - 1]  # Python-Markdown: only a block's first line is underlined
        if above.strip() and not above.startswith(("    ", "\t")) and \
                (index == 1 or not lines[index - 2].strip()):
            text, at = mask_code_spans(above), line_no - 1
    if text is not None and (message := headings.add(text, at)) is not None:
        findings.append(Finding(ctx.path, at, 1, message, "duplicate-heading-id"))


def _check_target(target: str, is_image: bool, text: str, line_no: int, col: int,
                  ctx: BodyContext, findings: list[Finding], links: list[BriefLink]) -> None:
    def add(message: str, code: str, severity: Severity = Severity.ERROR) -> None:
        findings.append(Finding(ctx.path, line_no, col, message, code, severity))

    target = target.strip()
    if not target:
        if is_image:
            add("image has no path", "missing-image")
        return
    split = urlsplit(target)
    scheme = split.scheme.lower()
    if scheme == "javascript" or target.lower().lstrip().startswith("javascript:"):
        add("'javascript:' links are not allowed", "unsafe-html")
        return
    if is_image and not text.strip():
        add("image has no alt text: describe it between the brackets, ![like this](path)",
            "missing-alt", Severity.WARNING)
    if scheme in ("http", "https") or target.startswith("//"):
        if is_image:
            add(f"remote image '{target}': the build never fetches from the network; save "
                "the image beside the brief and use a relative path", "remote-image")
        return
    if scheme and scheme != "file":
        if is_image:
            add(f"image '{target}' must be a relative path to a file beside the brief",
                "image-outside")
        return  # mailto:, tel: and other links are fine
    if scheme == "file" or target.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", target):
        what = "image" if is_image else "link"
        add(f"{what} '{target}' is an absolute path: use a path relative to the brief",
            "image-outside" if is_image else "bad-link")
        return
    if not split.path:
        return  # '#anchor' within the page
    resolved = _resolve_inside(split.path, ctx)
    if resolved is None:
        what = "image" if is_image else "link"
        add(f"{what} '{target}' points outside the content folder {_rel_root(ctx)}/",
            "image-outside" if is_image else "link-outside")
        return
    if not resolved.exists():
        if is_image:
            add(f"image '{split.path}' not found (looked for {_shown(resolved)})", "missing-image")
        else:
            add(f"link target '{split.path}' not found (looked for {_shown(resolved)})",
                "broken-link")
        return
    if resolved.suffix == ".md" and not is_image:
        links.append(BriefLink(resolved, line_no, col, split.path))


def _resolve_inside(rel: str, ctx: BodyContext) -> Path | None:
    """Resolve a relative path (following symlinks); None if it leaves the content folder."""
    candidate = Path(os.path.normpath(ctx.file.parent / unquote(rel)))
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(ctx.content_root):
        return None
    return real


def _rel_root(ctx: BodyContext) -> str:
    try:
        return os.path.relpath(ctx.content_root)
    except ValueError:
        return str(ctx.content_root)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _check_html(line: str, line_no: int, ctx: BodyContext, findings: list[Finding],
                links: list[BriefLink]) -> None:
    for tag in _TAG.finditer(line):
        name = tag.group(2).lower()
        col = tag.start() + 1
        if name in UNSAFE_TAGS and not tag.group(1):
            findings.append(Finding(ctx.path, line_no, col, f"raw HTML <{name}> is not allowed "
                                    "in briefs: use Markdown", "unsafe-html"))
            continue
        for attr in _ATTR.finditer(tag.group(3) or ""):
            attr_name = attr.group(1).lower()
            value = attr.group(2).strip("\"'")
            attr_col = tag.start(3) + attr.start() + 1
            if attr_name.startswith("on"):
                findings.append(Finding(ctx.path, line_no, attr_col, f"event-handler attribute "
                                        f"'{attr_name}' is not allowed in briefs", "unsafe-html"))
            elif attr_name == "style" and re.search(r"url\s*\(|expression\s*\(", value, re.I):
                findings.append(Finding(ctx.path, line_no, attr_col, "style attributes may not "
                                        "load URLs", "unsafe-html"))
            elif attr_name in _URL_ATTRS:
                _check_target(value, name == "img" and attr_name == "src", "alt",
                              line_no, attr_col, ctx, findings, links)
