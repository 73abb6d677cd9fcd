"""The overlapping build (issue 15): PDFs and packs render in a worker pool while MkDocs
converts the pages; the pages' HTML is rendered once the figures are known.

Real builds, real PDFs, real worker processes: the pool's batches and cancellation, the
pages rendered early (sources) and late (HTML) against a one-pass render, a brief whose PDF
fails while the pages are being converted (the old ``site/`` kept, no worker left), and an
interrupted build that leaves no worker process behind.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from fixtures_site import make_project
from test_pdf import body

from site_builder.build import TMP_PREFIX, build_site
from site_builder.corpus import load_corpus
from site_builder.downloads import BriefPdf, CountryPack, Download, DownloadKey, ThemePack
from site_builder.findings import BriefsError
from site_builder.index import Index
from site_builder.localise import site_indexes
from site_builder.mkdocs_plugin import BriefsPlugin
from site_builder.pages.site import (
    BRIEF_PAGES,
    LISTING_PAGES,
    render_page_html,
    render_site_pages,
)
from site_builder.pdf.pool import Call, Cancelled, WorkerPool
from site_builder.settings import Settings, load_settings
from site_builder.urls import brief_pdf, pack

# -- the pool: warm workers for several batches, cancellable -----------------------------


def pid_and_square(n: int) -> tuple[int, int]:
    """Return the worker's process id and ``n * n`` (runs in a spawned worker)."""
    return os.getpid(), n * n


def fails_on_three(n: int) -> int:
    """Raise for 3 (runs in a spawned worker)."""
    if n == 3:
        raise BriefsError("three is not allowed")
    return n


def sleeps(seconds: float) -> float:
    """Sleep (runs in a spawned worker)."""
    time.sleep(seconds)
    return seconds


def test_a_pool_keeps_its_workers_from_one_batch_to_the_next() -> None:
    with WorkerPool(2) as pool:
        first = pool.call([Call(pid_and_square, (n,)) for n in range(6)])
        second = pool.call([Call(pid_and_square, (n,)) for n in range(6, 10)])
        workers = {p.pid for p in multiprocessing.active_children()} & {pid for pid, _ in first}
    assert [square for _, square in first + second] == [n * n for n in range(10)]
    assert {pid for pid, _ in second} <= {pid for pid, _ in first}  # the same two workers
    assert len({pid for pid, _ in first}) <= 2 and workers
    assert not {p.pid for p in multiprocessing.active_children()} & workers  # all stopped


def test_a_call_that_raises_fails_the_batch_after_the_others_ran() -> None:
    with WorkerPool(2) as pool, pytest.raises(BriefsError, match="three is not allowed"):
        pool.call([Call(fails_on_three, (n,)) for n in range(6)])
    assert multiprocessing.active_children() == []


def test_cancelling_a_pool_from_another_thread_stops_its_batch_and_workers() -> None:
    pool = WorkerPool(2)
    timer = threading.Timer(2.0, pool.cancel)  # while the workers sleep their 60 s
    timer.start()
    try:
        with pool, pytest.raises(Cancelled):
            pool.call([Call(sleeps, (60.0,)) for _ in range(2)])
    finally:
        timer.cancel()
    assert multiprocessing.active_children() == []


# -- the pages: sources early, HTML late, the same as in one pass --------------------------


def _example_indexes(tmp_path: Path) -> tuple[Settings, dict[str, Index],
                                              dict[DownloadKey, Download]]:
    """The example corpus' settings and site indexes, and a (made-up) PDF for each brief."""
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    settings = load_settings(project)
    corpus, _ = load_corpus(settings.content_root)
    indexes = site_indexes(corpus, settings.languages)
    pdfs: dict[DownloadKey, Download] = {
        BriefPdf(slug): Download(BriefPdf(slug), brief_pdf(slug), 123_456 + i, 4)
        for i, slug in enumerate(indexes[settings.language].by_slug)}
    return settings, indexes, pdfs


def _with_packs(downloads: dict[DownloadKey, Download], *indexes: Index
                ) -> dict[DownloadKey, Download]:
    """``downloads`` and a (made-up) pack per theme and country of each of ``indexes``."""
    out = dict(downloads)
    for index in indexes:
        for key in [ThemePack(t) for t in index.by_theme] + [CountryPack(c) for c in index.by_country]:
            out[key] = Download(key, pack(key), 2_345_678, 21, "A pack")
    return out


def test_pages_rendered_early_then_late_are_those_of_one_pass(tmp_path: Path) -> None:
    settings, indexes, pdfs = _example_indexes(tmp_path)
    default = indexes[settings.language]
    downloads = _with_packs(pdfs, default)
    whole = render_site_pages(indexes, settings, downloads)
    early = render_site_pages(indexes, settings, {}, unrendered=True)
    assert {k: p.source for k, p in early.pages.items()} == {k: p.source for k, p in whole.pages.items()}
    assert (early.assets, early.dates, early.newest, early.languages) == \
        (whole.assets, whole.dates, whole.newest, whole.languages)
    assert {p.html for p in early.pages.values()} == {""}  # no template rendered yet
    late = {**render_page_html(indexes, settings, downloads, BRIEF_PAGES),
            **render_page_html(indexes, settings, downloads, LISTING_PAGES)}
    assert list(late) == list(whole.pages)
    assert {k: (p.source, p.html, p.sanitize) for k, p in late.items()} == \
        {k: (p.source, p.html, p.sanitize) for k, p in whole.pages.items()}
    slug = next(iter(default.by_slug))
    assert brief_pdf(slug) in late[f"briefs/{slug}/index.md"].html  # the figures are in it


# -- the build: a PDF failing while the pages convert; an interrupted build --------------


def _project(root: Path, n: int) -> CorpusWriter:
    make_project(root)
    writer = CorpusWriter(root / "briefs")
    for i in range(n):
        writer.brief(f"moz/moz-{i}.md", title=f"Brief {i}", body=body(700, seed=i))
    return writer


def _downloads_thread_alive() -> bool:
    return any(t.name == "briefs-downloads" for t in threading.enumerate())


@pytest.mark.slow
def test_a_pdf_failing_while_the_pages_convert_fails_the_build_and_keeps_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    writer = _project(project, 2)
    settings = load_settings(project)
    build_site(settings, jobs=2)
    site = project / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert Path("pdf/moz-0.pdf") in before and Path("bundles/themes/older-persons.pdf") in before
    writer.brief("moz/moz-long.md", title="Far too long", body=body(9000, seed=9))
    # Note, for each page MkDocs converts, whether the PDFs were still rendering.
    rendering: list[bool] = []
    original = BriefsPlugin.on_pre_page

    def noting(self: BriefsPlugin, page: Any, **kwargs: Any) -> Any:
        late = self._late
        rendering.append(late is not None and not late.stages.done("pdfs"))
        return original(self, page, **kwargs)

    monkeypatch.setattr(BriefsPlugin, "on_pre_page", noting)
    with pytest.raises(BriefsError) as caught:
        build_site(settings, jobs=2)
    message = str(caught.value)
    assert "PDF rendering failed" in message and "moz-long.md:1:1" in message
    assert "[pdf-overflow]" in message
    assert rendering and rendering[0]  # the failure came while MkDocs was converting pages
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before  # the old site, byte for byte
    assert [p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX)] == []
    assert multiprocessing.active_children() == [] and not _downloads_thread_alive()


def _workers_of(pid: int) -> set[int]:
    """Return the spawned worker processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_an_interrupted_build_leaves_no_worker_process(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _project(project, 12)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep
           + os.environ.get("PYTHONPATH", "")}
    build = subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--jobs", "2"],
                             cwd=project, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120  # waiting for the workers to start, not a speed test
        while len(workers) < 2 and build.poll() is None and time.monotonic() < deadline:
            workers |= _workers_of(build.pid)
            time.sleep(0.05)
        assert workers, "the build started no PDF worker"
        assert build.poll() is None, "the build ended before it could be interrupted"
        build.send_signal(signal.SIGINT)  # to the build only: its workers must be stopped by it
        _, stderr = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    assert build.returncode != 0
    assert "Traceback" not in stderr
    for _ in range(100):  # the kills are delivered; give the system a moment to reap them
        if not any(_running(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not [pid for pid in workers if _running(pid)]
    assert not (project / "site").exists()


@pytest.mark.slow
def test_one_job_and_two_build_the_same_bytes(tmp_path: Path) -> None:
    """One job makes the downloads before the pages; two overlap them: the same site."""
    project = tmp_path / "project"
    _project(project, 3)
    settings = load_settings(project)
    sites = []
    for jobs in (1, 2):
        shutil.rmtree(project / ".cache", ignore_errors=True)  # cold: every PDF and pack made
        report = build_site(settings, jobs=jobs)
        # Packs made among the PDFs went into the cache first: made by this build all the same.
        assert report.stats.packs and report.stats.packs_cached == 0, report.summary()
        site = report.site
        sites.append({p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    assert Path("bundles/themes/older-persons.pdf") in sites[0]
    assert sites[0] == sites[1]
    assert build_site(settings, jobs=2).stats.packs_cached == report.stats.packs


# -- packs among the PDFs; the pages that show no pack written without them -------------


def rendered(job: Any) -> Any:
    """Pretend to render a job (runs in a spawned worker)."""
    from site_builder.pdf.render import RenderResult

    return RenderResult(job.slug, pages=1)


def _jobs(n: int) -> list[Any]:
    from site_builder.pdf.render import RenderJob

    return [RenderJob(f"b{i}", "", "file:///", (), 4, False, b"x") for i in range(n)]


def test_a_call_submitted_during_a_batch_runs_ahead_of_its_remaining_jobs() -> None:
    order: list[str] = []
    answers: dict[int, tuple[bool, Any]] = {}
    with WorkerPool(1, rendered) as pool:
        def on_result(result: Any) -> None:
            order.append(result.slug)
            if result.slug == "b0":
                for n in (2, 3):
                    pool.submit(Call(fails_on_three, (n,)),
                                lambda ok, value, n=n: (order.append(f"call {n}"),
                                                        answers.__setitem__(n, (ok, value))))
        pool.run(_jobs(4), 60.0, on_result)
    assert order == ["b0", "call 2", "call 3", "b1", "b2", "b3"]
    assert answers[2] == (True, 2)
    assert answers[3][0] is False and "three is not allowed" in str(answers[3][1])


def test_pages_showing_no_pack_are_the_same_without_the_packs(tmp_path: Path) -> None:
    from site_builder.pack_pages import pack_page_sources

    settings, indexes, pdfs = _example_indexes(tmp_path)
    downloads = _with_packs(pdfs, *indexes.values())
    without = render_page_html(indexes, settings, pdfs, LISTING_PAGES)
    with_packs = render_page_html(indexes, settings, downloads, LISTING_PAGES)
    shows = pack_page_sources(render_site_pages(indexes, settings, {}, unrendered=True)
                              .contexts.values())
    differ = {s for s in with_packs if with_packs[s].html != without[s].html}
    assert differ and differ <= shows  # every page that changes with the packs waits for them
    assert set(with_packs) - shows  # and some pages do not
    # Each pass renders only its own pages (none twice), the same as the full render.
    early = render_page_html(indexes, settings, pdfs, LISTING_PAGES, lambda s: s not in shows)
    late = render_page_html(indexes, settings, downloads, LISTING_PAGES, shows.__contains__)
    assert set(early) == set(with_packs) - shows and set(late) == shows & set(with_packs)
    assert {s: p.html for s, p in early.items()} == {s: without[s].html for s in early}
    assert {s: p.html for s, p in late.items()} == {s: with_packs[s].html for s in late}


@pytest.mark.slow
def test_packs_are_made_among_the_pdfs_as_their_briefs_render(tmp_path: Path) -> None:
    """Each pack starts once its briefs' PDFs are in; the packing step then makes none."""
    from site_builder.bundle import build_site_bundles
    from site_builder.bundle.early import EarlyPacks
    from site_builder.pdf import render_all
    from site_builder.pdf.build import render_pool
    from site_builder.site_downloads import named_corpus

    project = tmp_path / "project"
    _project(project, 3)
    settings = load_settings(project)
    corpus, _ = load_corpus(settings.content_root)
    indexes = site_indexes(corpus, settings.languages)
    out = settings.cache_root / "site-bundles"
    cached = settings.cache_root / "bundles"
    with render_pool(settings, 2) as pool:
        early = EarlyPacks(indexes, settings, out, pool)
        order = early.order()
        report = render_all(named_corpus(corpus, settings), settings, None, pool=pool,
                            first=order, on_pdf=early.on_pdf)
        assert sorted(order) == sorted(report.results)
        made_early = sorted(p.relative_to(cached) for p in cached.rglob("*") if p.is_file())
        packs = build_site_bundles(indexes, settings, report.results, out, pool=pool)
    assert set(early.started) == set(packs.made)  # every pack started while the PDFs rendered
    assert len(packs.made) >= 2
    # ... and was finished by then: the packing step found each in the cache, made none.
    assert sorted(p.relative_to(cached) for p in cached.rglob("*") if p.is_file()) == made_early


def test_a_call_submitted_before_a_batch_without_jobs_runs_in_it() -> None:
    """A pack ready before any render (its briefs' PDFs all cached) is made all the same."""
    answers: list[tuple[bool, Any]] = []
    with WorkerPool(1, rendered) as pool:
        pool.submit(Call(fails_on_three, (2,)), lambda ok, value: answers.append((ok, value)))
        pool.run([], 60.0, lambda result: None)
    assert answers == [(True, 2)]
