"""Brief pages converted by the forked conversion helper give the site a build converting
every page itself gives, with the same warnings; a page the helper fails on is converted
by the build, which fails on it only if MkDocs does."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_site import make_project

from site_builder.build import build_site
from site_builder.findings import BriefsError
from site_builder.plugin_io import BuildStats
from site_builder.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONVERSIONS = Path(".cache/briefs/conversions")
FAILING = "briefs/cpv-social-pensions/index.md"
PAGES = 24  # the example's published briefs

HOOK = f'''
import os

MAIN = os.getpid()  # the build's own process: the hooks are loaded with mkdocs.yml


def on_page_markdown(markdown, page, config, files):
    where = os.environ.get("FAIL_CONVERTING", "")
    if where == "helper" and os.getpid() != MAIN and page.file.src_uri.startswith("briefs/"):
        raise ValueError("this hook refuses every page in the helper")
    if where == "everywhere" and page.file.src_uri == "{FAILING}":
        raise ValueError("this hook refuses the page")
    return markdown
'''


def _site(project: Path) -> dict[str, str]:
    site = project / "site"
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _cold(project: Path, jobs: int) -> tuple[BuildStats, dict[str, str]]:
    """Build with the conversion cache emptied; return the build's stats and its site."""
    for entry in (project / CONVERSIONS).glob("*"):
        entry.unlink()
    report = build_site(load_settings(project), pdf=False, jobs=jobs)
    return report.stats, _site(project)


def _with_hook(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    (project / "refusing_hook.py").write_text(HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - refusing_hook.py\n",
                      encoding="utf-8")
    return project


@pytest.mark.slow
def test_the_helper_converts_pages_into_the_same_site(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    project = _with_hook(tmp_path)
    monkeypatch.delenv("FAIL_CONVERTING", raising=False)
    alone, by_one = _cold(project, jobs=1)
    assert (alone.conversions, alone.conversions_helped) == (PAGES, 0)
    helped, by_two = _cold(project, jobs=2)
    assert helped.conversions == PAGES and helped.conversions_cached == 0
    assert 0 < helped.conversions_helped < PAGES  # the two processes met in the middle
    assert by_two == by_one

    # The helper fails on its first page: the build converts every page, the same site.
    monkeypatch.setenv("FAIL_CONVERTING", "helper")
    failed_there, after_failure = _cold(project, jobs=2)
    assert (failed_there.conversions, failed_there.conversions_helped) == (PAGES, 0)
    assert after_failure == by_one

    # MkDocs cannot convert it either: the build fails on it, the last site is kept.
    monkeypatch.setenv("FAIL_CONVERTING", "everywhere")
    with pytest.raises(BriefsError, match="this hook refuses the page"):
        _cold(project, jobs=2)
    assert _site(project) == by_one


def _warnings(project: Path, jobs: str) -> list[str]:
    for entry in (project / CONVERSIONS).glob("*"):
        entry.unlink()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--no-pdf",
                             "--force", "--jobs", jobs], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("WARNING")]


@pytest.mark.slow
def test_what_the_helpers_conversions_log_is_logged_once_in_page_order(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    for brief in (project / "briefs").rglob("*.md"):  # each warns as it is converted
        brief.write_text(brief.read_text(encoding="utf-8") + "\n\nSee [the folder](../lao/).\n",
                         encoding="utf-8")
    alone = _warnings(project, "1")
    assert sum("unrecognized relative link '../lao/'" in line for line in alone) == PAGES
    assert _warnings(project, "2") == alone
