"""A build without PDFs renders the pages' HTML in a forked process (site_builder.page_worker)
and shares MkDocs' page loop with another (site_builder.page_split)."""

from __future__ import annotations

import logging
import multiprocessing
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from fixtures_site import make_project

from site_builder.build import build_site
from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError
from site_builder.localise import site_indexes
from site_builder.page_split import CHILD, SplitRender
from site_builder.page_worker import PageWorker
from site_builder.pages.site import LISTING_PAGES, render_page_html
from site_builder.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _with_override(project: Path, name: str, text: str) -> None:
    """Give the project a theme override folder holding template ``name``."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n", 1), encoding="utf-8")
    (project / "overrides" / name).parent.mkdir(parents=True, exist_ok=True)
    (project / "overrides" / name).write_text(text, encoding="utf-8")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("template", "part"), [("coverage.html", "listing"),
                                                 ("brief.html", "brief")])
def test_a_template_failing_in_the_worker_fails_the_build_and_keeps_the_site(
        tmp_path: Path, template: str, part: str) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    before = _files(build_site(settings, pdf=False, jobs=2).site)
    _with_override(project, f"briefs/{template}", "<h1>{{ no_such_value.title }}</h1>\n")
    with pytest.raises(BriefsError, match=rf"rendering the {part} pages failed: .*no_such_value"):
        build_site(load_settings(project), pdf=False, jobs=2)
    assert not multiprocessing.active_children()
    assert _files(project / "site") == before  # the previous site, untouched


# -- MkDocs' page loop shared with a forked process (site_builder.page_split) ---------------

def _recording_splits(monkeypatch: pytest.MonkeyPatch) -> list[SplitRender]:
    made: list[SplitRender] = []
    original = SplitRender.__init__

    def record(self: SplitRender, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SplitRender, "__init__", record)
    return made


def test_pages_rendered_in_other_processes_are_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page worker's HTML and the shared page loop give the site a one-process build gives."""
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    splits = _recording_splits(monkeypatch)
    forked = _files(build_site(settings, pdf=False, jobs=2).site)
    assert not multiprocessing.active_children()  # the worker is gone
    assert len(splits) == 1 and splits[0].role is None  # forked, then collected
    theirs = splits[0].theirs
    assert theirs and all(f"{source.removesuffix('index.md')}index.html" in forked
                          for source in theirs)
    (project / "site").rename(project / "site-2")
    assert _files(build_site(settings, pdf=False, jobs=1).site) == forked
    assert any(name.startswith("fr/themes/") for name in forked)  # every language's listings
    assert any(name.startswith("briefs/") and name.endswith("/index.html") for name in forked)


def test_a_page_failing_in_the_second_process_fails_the_build_and_keeps_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    splits = _recording_splits(monkeypatch)
    before = _files(build_site(settings, pdf=False, jobs=2).site)
    slug = sorted(splits[0].theirs)[0].split("/")[1]  # a brief page the child renders
    _with_override(project, "main.html",
                   '{% extends "base.html" %}{% block content %}'
                   f'{{% if page.meta.brief == "{slug}" %}}{{{{ no_such_value.title }}}}{{% endif %}}'
                   '{{ super() }}{% endblock %}\n')
    with pytest.raises(BriefsError, match=r"second process failed: .*no_such_value"):
        build_site(load_settings(project), pdf=False, jobs=2)
    assert splits[-1].role is None  # the child was waited for
    assert _files(project / "site") == before  # the previous site, untouched


def test_what_the_second_process_logs_is_logged_by_the_first(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({"main.html": "page {{ n }}"}))
    config = SimpleNamespace(_current_page=None)
    split = SplitRender(config, env, {"b.md"}, ["a.md", "b.md"])
    pages = {name: SimpleNamespace(file=SimpleNamespace(src_uri=name)) for name in ("a.md", "b.md")}
    try:
        config._current_page = pages["a.md"]
        first = env.get_template("main.html").render(n=1)  # forks here
        config._current_page = pages["b.md"]
        second = env.get_template("main.html").render(n=2)
        if split.role == CHILD:
            logging.getLogger("mkdocs.plugins.site_builder").warning("said in the child")
            split.written("b.md", second, str(tmp_path / "b.html"))  # its last page: leaves
    finally:
        if split.role == CHILD:
            os._exit(3)  # never back into pytest
    assert (first, second) == ("page 1", "")  # the child's page is empty here
    with caplog.at_level(logging.WARNING):
        split.collect()
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == "page 2"
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("mkdocs.plugins.site_builder", "said in the child")]
    assert split.role is None


def test_the_worker_renders_everything_without_waiting_to_be_asked() -> None:
    """Its HTML is taken as it comes: the child never waits for MkDocs to ask for a page
    (the listing pages, one message larger than a pipe holds, would wait otherwise)."""
    settings = load_settings(PROJECT_ROOT)
    corpus, _ = load_corpus(settings.content_root)
    indexes = site_indexes(corpus, settings.languages)
    worker = PageWorker.start(indexes, settings, {}, 2)
    assert worker is not None
    try:
        worker._process.join(60)  # nobody asks for anything meanwhile
        assert worker._process.exitcode == 0
        listings = render_page_html(indexes, settings, {}, LISTING_PAGES)
        assert sum(len(page.html) for page in listings.values()) > 1 << 16  # a pipe's fill
        for source, page in listings.items():
            assert worker.html(source) == page.html
        assert worker.feeds()
    finally:
        worker.close()
    assert not multiprocessing.active_children()
