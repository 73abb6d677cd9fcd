"""Fixtures for site tests: the example site built once, and small sites from tmp corpora.

Real MkDocs builds through :func:`site_builder.build.build_site` (PDFs off), in a copy of
the project so nothing is written into the repository.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.build import build_site
from site_builder.corpus import load_corpus
from site_builder.index import Index
from site_builder.localise import site_indexes
from site_builder.settings import Settings, load_settings

__all__ = ["BuiltSite", "build_project", "example_site", "make_project", "parse_html", "site_project"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Node:
    """An element of a parsed HTML page (enough of a DOM to query built pages)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        """The element's classes."""
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The element's text content, whitespace collapsed."""
        parts = list(self.text_parts)
        for child in self.children:
            parts.append(child.text())
        return " ".join(" ".join(parts).split())

    def iter(self) -> Iterator[Node]:
        """Yield this element and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Return descendants matching a tag, a class and attribute values."""
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node | None:
        """Return the first matching descendant, or None."""
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text_parts.append(data)


def parse_html(text: str) -> Node:
    """Parse an HTML page into a :class:`Node` tree."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@dataclass
class BuiltSite:
    """A built site and the index it was built from."""

    project: Path
    root: Path
    index: Index
    settings: Settings

    def path(self, url: str) -> Path:
        """Return the file serving a site path like ``themes/x/`` or ``feed.xml``."""
        target = self.root / url
        return target / "index.html" if url.endswith("/") or not url else target

    def html(self, url: str) -> str:
        """Return the HTML of a page."""
        return self.path(url).read_text(encoding="utf-8")

    def page(self, url: str) -> Node:
        """Return the parsed page."""
        return parse_html(self.html(url))

    def content(self, url: str) -> Node:
        """Return the page's main article (without header, nav and footer)."""
        article = self.page(url).find("article")
        assert article is not None, f"{url} has no <article>"
        return article

    def files(self) -> dict[str, str]:
        """Return every file of the site with the SHA-256 of its bytes."""
        return {p.relative_to(self.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.root.rglob("*")) if p.is_file()}


def make_project(target: Path, briefs: Path | None = None) -> Path:
    """Make a project at ``target``: mkdocs.yml and docs/ copied, briefs copied (the theme is the package's)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(PROJECT_ROOT / "docs", target / "docs", dirs_exist_ok=True)
    if briefs is not None:
        shutil.copytree(briefs, target / "briefs", dirs_exist_ok=True)
    return target


def build_project(project: Path, *, strict: bool = False) -> BuiltSite:
    """Build a project's site with PDFs off and return it."""
    settings = load_settings(project)
    root = build_site(settings, pdf=False, strict=strict).site
    corpus, _ = load_corpus(settings.content_root)
    index = site_indexes(corpus, settings.languages)[settings.language]  # what its root lists
    return BuiltSite(project, root, index, settings)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example corpus (``briefs/``) built once per session, PDFs off."""
    project = make_project(tmp_path_factory.mktemp("example-project"), PROJECT_ROOT / "briefs")
    return build_project(project)


@pytest.fixture
def site_project(corpus: object, tmp_path: Path) -> Path:
    """A project around the ``corpus`` fixture's tmp ``briefs/``, ready for :func:`build_project`."""
    return make_project(tmp_path)
