"""A build without PDFs renders the pages' HTML in a forked process (site_builder.page_worker)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from fixtures_site import make_project

from site_builder.build import build_site
from site_builder.findings import BriefsError
from site_builder.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pages_rendered_in_another_process_are_the_same_bytes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    forked = _files(build_site(settings, pdf=False, jobs=2).site)
    assert not multiprocessing.active_children()  # the worker is gone
    (project / "site").rename(project / "site-2")
    alone = _files(build_site(settings, pdf=False, jobs=1).site)
    assert forked == alone
    assert any(name.startswith("fr/themes/") for name in forked)  # every language's listings
    assert any(name.startswith("briefs/") and name.endswith("/index.html") for name in forked)


@pytest.mark.parametrize(("template", "part"), [("coverage.html", "listing"),
                                                 ("brief.html", "brief")])
def test_a_template_failing_in_the_worker_fails_the_build_and_keeps_the_site(
        tmp_path: Path, template: str, part: str) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    before = _files(build_site(settings, pdf=False, jobs=2).site)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n", "theme:\n  custom_dir: overrides\n", 1), encoding="utf-8")
    (project / "overrides" / "briefs").mkdir(parents=True)
    (project / "overrides" / "briefs" / template).write_text(
        "<h1>{{ no_such_value.title }}</h1>\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=rf"rendering the {part} pages failed: .*no_such_value"):
        build_site(load_settings(project), pdf=False, jobs=2)
    assert not multiprocessing.active_children()
    assert _files(project / "site") == before  # the previous site, untouched
