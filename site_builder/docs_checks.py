"""Check what MkDocs publishes from ``docs_dir`` (the project's own pages and files).

MkDocs copies every file of ``docs_dir`` to the site (but those ``exclude_docs`` and its
defaults, ``.*`` and ``/templates/``, leave out) and renders its Markdown pages without
the sanitiser a brief goes through. So the rules for a brief's files apply to each of
them (:mod:`site_builder.attachments`: files a browser would run are refused, SVGs with
script refused, other types by content; raster images decoded by :mod:`site_builder.images`),
a stylesheet may load nothing from another host, and each page's rendered HTML is checked
as a brief's is (:mod:`site_builder.rendered_checks`: no raw script, handlers, remote
files or ``javascript:`` links; files it loads inside ``docs_dir``), bounded like a brief
(:mod:`site_builder.body_limits`). Findings are at the file, and at the line in a page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pathspec
import yaml

from site_builder import inputs
from site_builder.findings import Finding

PAGE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
"""What MkDocs renders as a page (``mkdocs.utils.markdown_extensions``)."""
DEFAULT_EXCLUDE = (".*", "/templates/")
"""What MkDocs never publishes from ``docs_dir`` (``mkdocs.structure.files``)."""
MAX_PAGE_BYTES = 1_000_000
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.I | re.S)
_CSS_RUNS = re.compile(r"expression\s*\(|behavior\s*:|-moz-binding|javascript:", re.I)


def docs_files(docs_dir: Path, exclude: Any = None) -> Iterator[Path]:
    """Yield every file MkDocs would publish from ``docs_dir`` (links followed, as MkDocs
    does), sorted; ``exclude`` is mkdocs.yml's ``exclude_docs`` (text, or MkDocs' spec)."""
    spec = pathspec.GitIgnoreSpec.from_lines(list(DEFAULT_EXCLUDE))
    if isinstance(exclude, str):
        spec = spec + pathspec.GitIgnoreSpec.from_lines(exclude.splitlines())
    elif exclude is not None:
        spec = spec + exclude
    seen: set[str] = set()
    for folder, dirs, files in os.walk(docs_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back up: MkDocs would loop; list each folder once
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if not spec.match_file(path.relative_to(docs_dir).as_posix()):
                yield path


def docs_findings(docs_dir: Path, exclude: Any = None, cwd: Path | None = None) -> list[Finding]:
    """Return the problems of every file MkDocs would publish from ``docs_dir``."""
    if not docs_dir.is_dir():
        return []
    root = docs_dir.resolve()
    cwd = (cwd or Path.cwd()).resolve()
    findings: list[Finding] = []
    for path in docs_files(docs_dir, exclude):
        shown = _shown(path, cwd)
        try:
            inputs.check_regular(path)
            real = path.resolve(strict=True)
        except inputs.InputFileError as exc:
            findings.append(exc.brief_finding(shown))
            continue
        except (OSError, RuntimeError) as exc:
            findings.append(Finding(shown, 1, 1, f"cannot be read: {exc}", "not-a-file"))
            continue
        if not real.is_relative_to(root):
            findings.append(Finding(shown, 1, 1, "this file is a link to a file outside the "
                                    "docs folder, which MkDocs would publish: copy it in",
                                    "link-outside"))
        elif path.suffix.lower() in PAGE_SUFFIXES:
            findings += page_findings(path, shown, root)
        else:
            findings += file_findings(real, shown)
    return findings


SITE_FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".ico": (b"\x00\x00\x01\x00",),
    ".woff2": (b"wOF2",),
    ".woff": (b"wOFF",),
    ".ttf": (b"\x00\x01\x00\x00", b"true"),
    ".otf": (b"OTTO",),
}
"""The site's own files a project's docs folder may hold beside the brief attachment types
(a favicon, web fonts for ``extra_css``), each checked by its first bytes. ``.txt`` files
(``robots.txt``) must be UTF-8 text: served as ``text/plain``, a browser runs nothing."""


def file_findings(path: Path, shown: str) -> list[Finding]:
    """Return the problems of one published file of ``docs_dir`` (at its line 1)."""
    from site_builder.attachments import AttachmentError, check_attachment
    from site_builder.images import check_image, is_raster_name

    suffix = path.suffix.lower()
    if suffix == ".css":
        return _css_findings(path, shown)
    if suffix == ".txt":
        return _text_findings(path, shown)
    if suffix in SITE_FILE_SIGNATURES:
        with open(path, "rb") as handle:
            head = handle.read(4)
        if head.startswith(SITE_FILE_SIGNATURES[suffix]):
            return []
        return [Finding(shown, 1, 1, f"this file is not a {suffix[1:]} file (its content says "
                        "otherwise): save it in its own format or remove it", "attachment-type")]
    if is_raster_name(path):
        return [Finding(shown, 1, 1, p.message, p.code, p.severity)
                for p in check_image(path, shown)]
    try:
        check_attachment(path, shown)
    except AttachmentError as exc:
        return [Finding(shown, 1, 1, str(exc), exc.code)]
    return []


def _read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    """Return a published text file's text, or None and why it cannot be read as UTF-8."""
    try:
        raw, problem = inputs.decode_utf8(inputs.read_bytes(path, MAX_PAGE_BYTES))
    except inputs.InputFileError as exc:
        return None, [exc.finding(shown)]
    if raw is None or problem is not None:
        return None, [Finding(shown, *(problem or (1, 1, "file is not UTF-8")), "not-utf8")]
    return raw, []


def _text_findings(path: Path, shown: str) -> list[Finding]:
    """A ``.txt`` file must be UTF-8 text."""
    return _read_text(path, shown)[1]


def _css_findings(path: Path, shown: str) -> list[Finding]:
    """A stylesheet (``extra_css``) may load files of the site only, and run nothing."""
    from site_builder.attachments import css_unescape

    raw, unreadable = _read_text(path, shown)
    if raw is None:
        return unreadable
    css = css_unescape(raw)
    targets = [m.group(2) if m.group(2) is not None else m.group(4)
               for m in _CSS_URL.finditer(css)]
    bad = [u for u in targets if _leaves_site(u.strip())]
    if _CSS_RUNS.search(css):
        return [Finding(shown, 1, 1, "a stylesheet may not run script (expression(), "
                        "behavior, -moz-binding, javascript:)", "unsafe-html")]
    if bad:
        return [Finding(shown, 1, 1, f"the stylesheet loads '{bad[0]}' from outside the site: "
                        "the site makes no request to another host; copy the file into docs/ "
                        "and use a relative path", "remote-image")]
    return []


def _leaves_site(url: str) -> bool:
    squeezed = re.sub(r"[\s\x00-\x1f]", "", url).lower()
    return (bool(re.match(r"^[a-z][a-z0-9+.-]*:", squeezed)) and not squeezed.startswith(
        "data:image/")) or squeezed.startswith(("//", "\\\\", "/"))


def page_findings(path: Path, shown: str, root: Path) -> list[Finding]:
    """Return the problems of one Markdown page of ``docs_dir``: its rendered HTML checked as
    a brief's is, files it loads inside ``root``; at the page's lines."""
    from site_builder import rendered_checks
    from site_builder.body_checks import BodyContext
    from site_builder.body_limits import check_limits, render_checked

    try:
        raw = inputs.read_bytes(path, MAX_PAGE_BYTES)
    except inputs.InputFileError as exc:
        return [exc.finding(shown)]
    if len(raw) > MAX_PAGE_BYTES:
        return [Finding(shown, 1, 1, f"page is over {MAX_PAGE_BYTES / 1e6:.0f} MB",
                        "too-large")]
    text, problem = inputs.decode_utf8(raw)
    if text is None or problem is not None:
        return [Finding(shown, *(problem or (1, 1, "file is not UTF-8")), "not-utf8")]
    body, body_line = _split_meta(text)
    limits, heavy = check_limits(body, shown, body_line)
    if limits:
        return limits
    html, failed = render_checked(body, shown, body_line, heavy)
    if html is None:
        return failed
    ctx = BodyContext(shown, path, root, body_line)
    return rendered_checks.rendered_findings(body, html, ctx, boundary=root)


def _split_meta(text: str) -> tuple[str, int]:
    """Return a page's Markdown without its YAML front matter, and the line it starts at
    (MkDocs' rule: a first line ``---``, up to a line ``---`` or ``...``)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return text, 1
    for index, line in enumerate(lines[1:], 1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[index + 1:]), index + 2
    return text, 1


def docs_settings(config_file: Path) -> tuple[Path, str | None]:
    """Return mkdocs.yml's ``docs_dir`` (absolute; default ``docs``) and ``exclude_docs``."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Tolerant) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        config = {}
    config = config if isinstance(config, dict) else {}
    docs = config.get("docs_dir")
    exclude = config.get("exclude_docs")
    return (config_file.parent / (docs if isinstance(docs, str) and docs else "docs"),
            exclude if isinstance(exclude, str) else None)


class _Tolerant(yaml.SafeLoader):
    """SafeLoader that reads MkDocs' own tags (``!ENV``, ``!relative``) as plain values."""


_Tolerant.add_multi_constructor("!", lambda loader, suffix, node: None)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return os.path.relpath(path, cwd)
