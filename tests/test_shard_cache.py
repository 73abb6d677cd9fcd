"""A large site's search index shards come from a verified cache when their pages are
unchanged: after one brief changed only its shard is indexed again, and the index is the
bytes a build indexing every shard makes."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_site import make_project

from site_builder.search_service import ShardedIndexer, shard_sizes
from site_builder.shard_cache import ShardCache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARDS = Path(".cache/briefs/search-shards")


def _page(n: int, text: str = "") -> tuple[str, str]:
    return (f"/briefs/b{n:02d}/",
            f'<!DOCTYPE html><html lang="en"><body><article data-pagefind-body><h1>Brief {n}</h1>'
            f'<span data-pagefind-filter="theme">{"health" if n % 2 else "pensions"}</span>'
            f"<p>word{n} rural pension {text}</p></article></body></html>")


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _index(site: Path, pages: list[tuple[str, str]], cache: ShardCache | None) -> tuple[int, dict[str, str]]:
    """Index ``pages`` in shards of four; return the shards from the cache and the index."""
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    indexer = ShardedIndexer(site, shard_sizes(len(pages), 4), cache)
    for url, html in pages:
        indexer.add(url, html)
    assert indexer.finish().pages == len(pages)
    return indexer.cached, _files(site / "pagefind")


@pytest.mark.slow
def test_unchanged_shards_come_from_the_cache_and_make_the_same_index(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pages = [_page(n) for n in range(12)]  # three shards
    cache = tmp_path / "cache"
    cached, first = _index(tmp_path / "a", pages, ShardCache(cache))
    assert cached == 0 and len(list(cache.glob("*.json"))) == 3
    assert _index(tmp_path / "a", pages, ShardCache(cache)) == (3, first)

    pages[5] = _page(5, "changed")  # the second shard's
    changed = _index(tmp_path / "a", pages, ShardCache(cache))
    assert changed == (2, _index(tmp_path / "fresh", pages, None)[1])
    assert changed[1] != first
    assert len(list(cache.glob("*.json"))) == 3  # the replaced shard's file is gone

    for damage in (lambda data: data[:len(data) // 2], lambda data: data.replace(b"A", b"B", 1)):
        entry = sorted(cache.glob("*.json"))[0]
        entry.write_bytes(damage(entry.read_bytes()))
        with caplog.at_level(logging.WARNING, logger="site_builder.cache"):
            assert _index(tmp_path / "a", pages, ShardCache(cache)) == (2, changed[1])
        assert "search index shard" in caplog.text and "is damaged" in caplog.text
        caplog.clear()


def _build(project: Path) -> tuple[str, dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--no-pdf", "--force"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, _files(project / "site")


@pytest.mark.slow
def test_a_build_after_one_brief_changed_indexes_only_its_shard(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      briefs_dir: briefs\n", "      briefs_dir: briefs\n      search_shard_pages: 8\n", 1),
        encoding="utf-8")
    cold_output, _ = _build(project)
    assert "search index shards" not in cold_output  # nothing cached yet
    brief = project / "briefs" / "cpv" / "cpv-social-pensions.md"
    brief.write_text(brief.read_text(encoding="utf-8").replace("## ", "## Changed: ", 1),
                     encoding="utf-8")
    output, changed = _build(project)
    assert "3 search index shards (1 indexed, 2 from the cache)" in output
    shutil.rmtree(project / SHARDS)
    assert _build(project)[1] == changed  # every shard indexed again: the same site
