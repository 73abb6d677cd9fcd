"""Remember what MkDocs made of each generated page's Markdown, so an unchanged brief is
not converted again.

Converting the Markdown is the largest part of a site build's own process (Python-Markdown:
about 2 s of CPU at 1,000 briefs, on the core that then renders the pages). What MkDocs
makes of a page's Markdown (its HTML, its table of contents, the anchors it holds and
those it links to, the title it finds, and what it logs, such as a link to a missing
page) depends on the Markdown, the page's source path and URL and whether it is excluded,
the Markdown extensions of mkdocs.yml and their options, its link validation settings, the
versions of MkDocs, Python-Markdown, the extensions' packages and this package (all in an
entry's key), and the files its relative links lead to: each path MkDocs looked up while
converting is kept in the entry with what it found (the file's URL, whether it is
excluded, or nothing), and a hit requires every lookup to find the same now. So adding a
brief leaves the other briefs' conversions in the cache, unless one links to where it is.
(That is how MkDocs 1.6 resolves links, through ``Files.get_file_from_path``; with another
version the key holds every file of the site instead.) A hit logs again what the
conversion logged, so ``--strict`` fails on the same warnings. An entry also keeps what
the site's sanitiser (nh3) made of a brief's converted HTML, taken again for the same HTML.
The listing pages (whose Markdown is empty) are kept too: a page's conversion starts with
a new Python-Markdown instance, which costs half a millisecond before any text.

No extension reads anything but the page: mkdocs.yml lists exactly the validator's
(:mod:`site_builder.markdown_config` refuses ``pymdownx.snippets`` and the like). The cache
is verified, never trusted (see :class:`ConversionCache`); options that cannot be told
apart from one run to the next (a function without a stable name) turn it off for the build.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mkdocs
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc

from site_builder import __version__
from site_builder.cache_store import LOGGER, sha256_hex
from site_builder.files import write_atomic
from site_builder.up_to_date import library_versions

SCHEMA = "converted-page-3"
"""In every key: entries of another layout are never read."""


class _Unstable(Exception):
    """A configuration value whose text differs from run to run."""


def _stable(value: Any) -> Any:
    """Return ``value`` as JSON data that is the same in every run, or raise _Unstable."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):  # mkdocs.yml's sections too (``validation.links``)
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if callable(value) and hasattr(value, "__qualname__") and "<" not in value.__qualname__:
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    text = repr(value)
    if " at 0x" in text:
        raise _Unstable(text)
    return f"{type(value).__qualname__}:{text}"


def _toc_tokens(links: list[AnchorLink]) -> list[dict[str, Any]]:
    """The table of contents as the tokens :func:`~mkdocs.structure.toc.get_toc` reads."""
    return [{"name": a.title, "id": a.id, "level": a.level, "children": _toc_tokens(a.children)}
            for a in links]


@dataclass(frozen=True)
class Converted:
    """What MkDocs made of a page's Markdown."""

    content: str
    toc: list[dict[str, Any]]
    title: str | None
    anchors: list[str]
    links_to_anchors: list[list[str]]
    """``[target source path, anchor, link as written]`` for each link to an anchor."""
    logged: list[list[Any]]
    """``[logger name, level, message]`` of each record logged while converting."""
    looked_up: list[list[Any]]
    """``[path, what it found]`` of each file MkDocs looked up (see :func:`_found`)."""
    clean: str | bool | None = None
    """What the site's sanitiser made of ``content`` (a brief's body): True when it kept
    it as it is, None when not known (see :meth:`ConversionCache.clean`)."""

    @classmethod
    def of(cls, page: Page, logged: list[logging.LogRecord],
           looked_up: dict[str, list[Any] | None]) -> Converted:
        """Take what ``page`` holds right after MkDocs converted it."""
        links = getattr(page, "links_to_anchors", None) or {}
        return cls(page.content or "", _toc_tokens(list(page.toc)),
                   getattr(page, "_title_from_render", None),
                   sorted(getattr(page, "present_anchor_ids", None) or ()),
                   sorted([target.src_uri, anchor, link] for target, anchors in links.items()
                          for anchor, link in anchors.items()),
                   [[r.name, r.levelno, r.getMessage()] for r in logged],
                   [[path, found] for path, found in sorted(looked_up.items())])

    def finds_the_same(self, files: Files) -> bool:
        """Whether every file MkDocs looked up for this page is found as it was then."""
        return all(_found(files.get_file_from_path(path)) == found
                   for path, found in self.looked_up)

    def restore(self, page: Page, files: Files) -> str:
        """Give ``page`` what its conversion gave it, log what it logged; return its HTML."""
        page.toc = get_toc(self.toc)  # type: ignore[arg-type]
        page._title_from_render = self.title
        page.present_anchor_ids = set(self.anchors)
        links: dict[File, dict[str, str]] = {}
        for target, anchor, link in self.links_to_anchors:
            found = files.get_file_from_path(target)
            if found is not None:
                links.setdefault(found, {})[anchor] = link
        page.links_to_anchors = links
        for name, level, message in self.logged:
            logging.getLogger(name).log(level, "%s", message)
        return self.content


def _clean(html: str, clean: str) -> str | bool:
    """An entry's ``clean``: True for HTML the sanitiser keeps as it is (most: half the file)."""
    return True if clean == html else clean


def _replay(page: Page, converted: Converted, files: Files) -> None:
    """``page.render`` for a page converted before (set by :meth:`ConversionCache.before`)."""
    vars(page).pop("render", None)
    page.content = converted.restore(page, files)


def _found(file: File | None) -> list[Any] | None:
    """What a lookup found, as far as a conversion can tell: the file's URL and exclusion."""
    return None if file is None else [file.url, file.inclusion.is_excluded()]


class _Watch(logging.Handler):
    """One conversion watched: the records MkDocs logs, and each file it looks up (through
    ``files.get_file_from_path``) with what it found."""

    def __init__(self, files: Files) -> None:
        super().__init__()
        self.files = files
        self.records: list[logging.LogRecord] = []
        self.found: dict[str, list[Any] | None] = {}
        logging.getLogger("mkdocs").addHandler(self)
        files.get_file_from_path = self._look_up  # type: ignore[method-assign]

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def _look_up(self, path: str) -> File | None:
        file = Files.get_file_from_path(self.files, path)
        self.found[path] = _found(file)
        return file

    def stop(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self)
        vars(self.files).pop("get_file_from_path", None)  # the class's own again


class ConversionCache:
    """The verified cache of one build's brief page conversions.

    The entries of a build are kept in one file, named after everything but the pages
    (``<context>.json``): read once when the first brief page is converted, written once
    when the pages are, with the entries this build used (a thousand small files would
    cost a cold build more than they save). The file starts with the SHA-256 of the rest;
    a file that does not match is damaged (a logged warning; every page is converted).
    The files of the last :data:`KEPT` contexts are kept (a build with and one without
    PDFs, say); older ones are removed.
    """

    def __init__(self, folder: Path, config: Any, files: Files) -> None:
        """Cache in ``folder`` the conversions of a build with ``config`` and ``files``."""
        self.folder = folder
        self.pages = 0  # brief pages handed over
        self.hits = 0  # of them, converted before
        self.helped = 0  # of them, converted by another process (:meth:`add`)
        try:
            context = [SCHEMA, __version__, library_versions(),
                       _stable(config["markdown_extensions"]), _stable(config["mdx_configs"]),
                       _stable(config["validation"]), bool(config["use_directory_urls"])]
            if not mkdocs.__version__.startswith("1.6."):  # see the module's text
                context.append(sorted((f.src_uri, f.url, f.inclusion.is_excluded())
                                      for f in files))
            self._context: str | None = _hash(context)
        except _Unstable as exc:
            LOGGER.info("cache: the brief pages' conversions are not cached: %s changes from "
                        "run to run", exc)
            self._context = None
        self._stored = self._read()
        self._read_keys = frozenset(self._stored)
        self._new = False  # an entry made by this build (here or by the helper)
        self._used: dict[str, dict[str, Any]] = {}
        self._helped: set[str] = set()  # keys of the conversions another process made
        self._current: dict[str, str] = {}  # each page's key, by source path
        self._watched: tuple[str, _Watch] | None = None  # or its key, as MkDocs converts it

    def before(self, markdown: str, page: Page, files: Files, counted: bool = True) -> str:
        """Ready ``page`` for MkDocs to convert; return its Markdown (unchanged).

        ``counted``: the page counts in :attr:`pages`, :attr:`hits` and :attr:`helped` (the
        brief pages do; the listing pages, whose Markdown is empty, do not).

        A page converted before with the same inputs is not converted again: its ``render``
        (the conversion, which starts with a new Python-Markdown instance, half a
        millisecond before any text) gives it what its conversion gave it instead.
        """
        self.close()
        self.pages += counted
        if self._context is None:
            return markdown
        key = self._current[page.file.src_uri] = self.key(markdown, page)
        converted = self._get(key, files)
        if converted is not None:
            if key in self._helped:
                self._helped.discard(key)
                self.helped += counted
            else:
                self.hits += counted
            vars(page)["render"] = lambda config, files: _replay(page, converted, files)
            return markdown
        self._watched = (key, _Watch(files))
        return markdown

    def after(self, html: str, page: Page, files: Files) -> str:
        """Return the page's converted HTML, keeping MkDocs' own conversion for the next
        build."""
        watched, self._watched = self._watched, None
        if watched is not None:
            key, watch = watched
            watch.stop()
            self._used[key] = vars(Converted.of(page, watch.records, watch.found))
            self._new = True
        return html

    def key(self, markdown: str, page: Page) -> str:
        """The key of ``page``'s conversion (of ``markdown``, the other plugins' Markdown)."""
        return _hash([page.file.src_uri, page.url, page.file.inclusion.is_excluded(), markdown])

    def convert(self, markdown: str, page: Page, config: Any, files: Files,
                sanitize: Callable[[str], str] | None = None) -> tuple[str, dict[str, Any]] | None:
        """Convert ``page`` as MkDocs does; return its key and entry (for :meth:`add` in
        another process), or None when a conversion of it is stored already. ``sanitize``:
        the site's sanitiser of the page's converted HTML, if it has one."""
        if self._context is None:
            return None
        key = self.key(markdown, page)
        if key in self._stored:
            return None
        watch = _Watch(files)
        try:
            page.markdown = markdown
            page.render(config, files)
        finally:
            watch.stop()
        entry = vars(Converted.of(page, watch.records, watch.found))
        if sanitize is not None:
            entry["clean"] = _clean(entry["content"], sanitize(entry["content"]))
        return key, entry

    def clean(self, html: str, page: Page, sanitize: Callable[[str], str]) -> str:
        """Return ``sanitize(html)`` for ``page``'s converted HTML, kept with its conversion:
        what an earlier build or the helper made of the same HTML is taken as it is."""
        entry = self._used.get(self._current.get(page.file.src_uri, ""))
        if entry is None or entry.get("content") != html:  # another plugin changed it
            return sanitize(html)
        known = entry.get("clean")
        if known is None:
            clean = sanitize(html)
            entry["clean"] = _clean(html, clean)
            return clean
        return html if known is True else str(known)

    def add(self, key: str, entry: dict[str, Any]) -> None:
        """Take a conversion made by another process (:meth:`convert`): used, not counted
        as a hit."""
        self._stored[key] = entry
        self._helped.add(key)
        self._new = True

    def close(self) -> None:
        """Stop watching a conversion (a build may fail while converting)."""
        watched, self._watched = self._watched, None
        if watched is not None:
            watched[1].stop()

    def write(self) -> None:
        """Keep this build's conversions for the next (unless they are kept already)."""
        self.close()
        if self._context is None or (not self._new and self._used.keys() == self._read_keys):
            return  # every page came from the file, which holds nothing else
        body = json.dumps({"schema": SCHEMA, "entries": self._used}, sort_keys=True,
                          separators=(",", ":")).encode("utf-8", "surrogatepass")
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            write_atomic(self._path(), sha256_hex(body).encode() + b"\n" + body)
            for old in sorted(self.folder.glob("*.json"), key=_modified, reverse=True)[KEPT:]:
                old.unlink()

    def _path(self) -> Path:
        return self.folder / f"{self._context}.json"

    def _read(self) -> dict[str, dict[str, Any]]:
        """The entries stored by the last build of this context (none when damaged)."""
        if self._context is None:
            return {}
        try:
            data = self._path().read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            return _damaged(f"it cannot be read ({exc})")
        digest, _, body = data.partition(b"\n")
        if sha256_hex(body).encode() != digest:
            return _damaged("it does not match its hash")
        try:
            stored = json.loads(body)
            entries = stored["entries"] if stored.get("schema") == SCHEMA else {}
        except (ValueError, AttributeError, KeyError):
            return _damaged("it is not what this version writes")
        return entries if isinstance(entries, dict) else _damaged("it is malformed")

    def _get(self, key: str, files: Files) -> Converted | None:
        meta = self._stored.pop(key, None)  # the pages' text is most of a build's memory
        if meta is None:
            return None
        try:
            converted = Converted(**meta)
            if not isinstance(converted.content, str) \
                    or not isinstance(converted.clean, (str, bool, type(None))):
                raise TypeError("content")
            get_toc(converted.toc)  # type: ignore[arg-type]
            if not converted.finds_the_same(files):
                return None  # a link leads elsewhere now: converted again
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # an entry of another shape: converted again
        self._used[key] = meta
        return converted

KEPT = 2
"""Contexts whose conversions are kept (the most recently written)."""


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _damaged(why: str) -> dict[str, dict[str, Any]]:
    LOGGER.warning("cache: the cached conversions of the brief pages are damaged: %s; "
                   "converting them again", why)
    return {}


def _hash(parts: list[Any]) -> str:
    return sha256_hex(json.dumps(parts, sort_keys=True).encode("utf-8", "surrogatepass"))

