"""Brief pages' Markdown converted by an earlier build comes from a verified cache: the
same site, byte for byte, and the same warnings (``--strict`` fails on them as before)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_site import make_project
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from site_builder.conversion_cache import ConversionCache, _stable, _Unstable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(".cache/briefs/conversions")
MKDOCS_WARNINGS = ("contains an unrecognized relative link '../lao/'",
                   "does not contain an anchor '#no-such-heading'")


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "site_builder", "build", "--no-pdf", "--force",
                           *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)


def _built(project: Path) -> tuple[str, dict[str, str]]:
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    return result.stdout + result.stderr, {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*")) if p.is_file()}


def _built_cold(project: Path) -> dict[str, str]:
    """The site's files, built again with the conversion cache emptied."""
    for entry in (project / CACHE).iterdir():
        entry.unlink()
    return _built(project)[1]


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines()
            if line.startswith("WARNING") and "missing-translation" not in line]


@pytest.mark.slow
def test_pages_from_the_cache_are_the_same_site_with_the_same_warnings(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    brief = project / "briefs" / "col" / "col-rural-floor.md"
    # A link MkDocs warns about as it converts the page, one it checks once all are converted.
    brief.write_text(brief.read_text(encoding="utf-8") + "\n\nSee [the folder](../lao/) and "
                     "[a heading](../lao/lao-vang-vieng-health-insurance.md#no-such-heading).\n",
                     encoding="utf-8")
    cold_output, cold = _built(project)
    assert all(any(w in line for line in _warnings(cold_output)) for w in MKDOCS_WARNINGS)
    assert "brief pages' Markdown" not in cold_output  # nothing cached yet
    warm_output, warm = _built(project)
    assert "24 brief pages' Markdown (0 converted, 24 from the cache)" in warm_output
    assert warm == cold
    assert _warnings(warm_output) == _warnings(cold_output)
    strict = _build(project, "--strict")
    assert strict.returncode == 1
    assert all(w in strict.stderr for w in MKDOCS_WARNINGS)

    # One brief changed: only it is converted; the site is a cold build's.
    other = project / "briefs" / "cpv" / "cpv-social-pensions.md"
    other.write_text(other.read_text(encoding="utf-8").replace("## ", "## Changed: ", 1),
                     encoding="utf-8")
    changed_output, changed = _built(project)
    assert "(1 converted, 23 from the cache)" in changed_output
    assert _built_cold(project) == changed

    # One brief added: the others' links find what they found, so only it is converted.
    added = other.with_name("cpv-social-pensions-again.md")
    added.write_text(other.read_text(encoding="utf-8").replace("title: \"", "title: \"Again: ", 1),
                     encoding="utf-8")
    added_output, with_added = _built(project)
    assert "25 brief pages' Markdown (1 converted, 24 from the cache)" in added_output
    assert _built_cold(project) == with_added


@pytest.mark.slow
def test_damaged_cached_conversions_are_converted_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    _output, first = _built(project)
    for damage in (lambda data: data[:len(data) // 2],  # truncated
                   lambda data: data.replace(b"<p>", b"<p>Edited ", 1),  # changed after it was written
                   lambda data: b"not even a hash"):
        (entry,) = (project / CACHE).iterdir()
        entry.write_bytes(damage(entry.read_bytes()))
        output, again = _built(project)
        assert "cached conversions of the brief pages are damaged" in output
        assert "from the cache)" not in output
        assert again == first


def test_options_that_change_from_run_to_run_turn_the_cache_off() -> None:
    assert _stable({"toc": {"permalink": False, "slugify": os.path.join}}) == \
        {"toc": {"permalink": False, "slugify": "posixpath.join"}}
    with pytest.raises(_Unstable):
        _stable([object()])
    with pytest.raises(_Unstable):
        _stable({"slugify": lambda text: text})


def _config(tmp_path: Path) -> MkDocsConfig:
    """A valid MkDocs configuration, as a build has it when pages are converted."""
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(tmp_path / "docs"),
                      "site_dir": str(tmp_path / "site")})
    (tmp_path / "docs").mkdir()
    assert config.validate() == ([], [])
    config.plugins._current_plugin = None  # as a build sets it before plugins run
    return config


def _convert(cache_dir: Path, config: MkDocsConfig, files: Files) -> tuple[bool, str]:
    """Convert a.md with MkDocs through the cache; return (from the cache, its HTML)."""
    page = Page(None, files.get_file_from_path("a.md"), config)
    page.read_source(config)
    cache = ConversionCache(cache_dir, config, files)
    page.markdown = cache.before(page.markdown or "", page, files)
    page.render(config, files)
    html = cache.after(page.content or "", page, files)
    cache.write()
    assert "get_file_from_path" not in vars(files)  # MkDocs' own lookup again
    return cache.hits == 1, html


def test_a_conversion_is_reused_while_its_links_find_the_same_files(tmp_path: Path) -> None:
    """Adding a page keeps the others' conversions; a link that now finds another file
    (or none) converts the page again."""
    config = _config(tmp_path)

    def site(*extra: File, b: bool = True, excluded: bool = False) -> Files:
        pages = [File.generated(config, "a.md", content="# A\n\nSee [b](b.md#part).\n")]
        if b:
            inclusion = InclusionLevel.EXCLUDED if excluded else InclusionLevel.INCLUDED
            pages.append(File.generated(config, "b.md", content="# B\n", inclusion=inclusion))
        return Files(pages + list(extra))

    cache = tmp_path / "cache"
    assert _convert(cache, config, site()) == \
        (False, '<h1 id="a">A</h1>\n<p>See <a href="../b/#part">b</a>.</p>')
    assert _convert(cache, config, site())[0]
    assert _convert(cache, config, site(File.generated(config, "c.md", content="# C\n")))[0]
    gone = _convert(cache, config, site(b=False))
    assert gone == (False, '<h1 id="a">A</h1>\n<p>See <a href="b.md#part">b</a>.</p>')
    assert not _convert(cache, config, site(excluded=True))[0]
    assert not _convert(cache, config, site())[0]  # the last build's file holds its own


def test_a_new_uncounted_page_is_kept_though_every_counted_page_came_from_the_cache(
        tmp_path: Path) -> None:
    """A listing page (not counted) converted beside brief pages that all came from the
    cache is written to the cache all the same, and comes from it next time."""
    config = _config(tmp_path)

    def build(*listing: str) -> tuple[int, list[bool]]:
        files = Files([File.generated(config, path, content="# A\n" if path == "a.md" else "")
                       for path in ("a.md", *listing)])
        cache = ConversionCache(tmp_path / "cache", config, files)
        replayed = []
        for path in ("a.md", *listing):
            page = Page(None, files.get_file_from_path(path), config)
            page.read_source(config)
            cache.before(page.markdown or "", page, files, counted=path == "a.md")
            replayed.append("render" in vars(page))  # set for a conversion from the cache
            page.render(config, files)
            cache.after(page.content or "", page, files)
        cache.write()
        return cache.hits, replayed

    assert build() == (0, [False])
    assert build("themes.md") == (1, [True, False])  # a new listing page, nothing else unused
    assert build("themes.md") == (1, [True, True])
