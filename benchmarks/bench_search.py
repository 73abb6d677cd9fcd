"""Benchmark search: bytes fetched by the first query, and indexing cost vs the site build.

Usage: ``python benchmarks/bench_search.py [--briefs 10000] [--build-briefs 1000]``

(a) A site of N synthetic brief pages (the same search metadata and search page as the real
    site, minimal page chrome) is indexed with Pagefind and served on 127.0.0.1; headless
    Chromium loads the search page and runs one query; every response body is counted.
    Target: at most 300 kB for the first search (page, scripts and index chunks included).
(b) The real site build (PDFs off, search off) of M synthetic briefs vs Pagefind on its
    output, side by side. Target: indexing adds at most 30% to the build.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate, use_scratch_tempdir

from site_builder.corpus import load_corpus
from site_builder.index import build_index
from site_builder.markdown_render import render_markdown
from site_builder.search import (
    SEARCH_ASSETS,
    THEME_DIR,
    facet_counts,
    index_site,
    search_metadata_html,
    search_page_html,
)

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _write_pages(root: Path, site: Path) -> None:
    corpus, _ = load_corpus(root)
    index = build_index(corpus)
    for brief in index.briefs:
        page = site / "briefs" / brief.slug / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{brief.title}</title>"
            f"</head><body><main><article data-pagefind-body><h1>{brief.title}</h1>"
            f"{search_metadata_html(brief, corpus)}<p>{brief.summary}</p>"
            f"{render_markdown(brief.body)}</article></main></body></html>", encoding="utf-8")
    search = site / "search" / "index.html"
    search.parent.mkdir(parents=True)
    search.write_text("<!doctype html><html lang=en><head><meta charset=utf-8><title>Search</title>"
                      "<link rel=stylesheet href=../assets/search/search.css></head><body><main>"
                      f"{search_page_html(facet_counts(index.briefs, corpus))}</main></body></html>", encoding="utf-8")
    for rel, name in SEARCH_ASSETS.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(THEME_DIR / name, site / rel)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _GzipHandler(_QuietHandler):
    """Serve text files gzip-encoded, as any production static host does."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in (
                ".js", ".css", ".html", ".json", ".svg") or not path.is_file():
            return super().send_head()
        import gzip
        import io

        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def first_query_bytes(site: Path, query: str, gzip: bool = True) -> tuple[int, int]:
    """Serve the site, load the search page, run one query; return (bytes transferred, requests)."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_GzipHandler if gzip else _QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    total, count = 0, 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            sizes: list[int] = []

            def on_finished(request) -> None:  # type: ignore[no-untyped-def]
                if request.response() is not None:
                    sizes.append(request.sizes()["responseBodySize"])

            page.on("requestfinished", on_finished)
            page.goto(f"http://127.0.0.1:{server.server_port}/search/")
            page.wait_for_selector("body[data-search-ready]")
            page.fill("#cb-q", query)
            page.wait_for_selector(".cb-result")
            page.wait_for_timeout(500)
            total, count = sum(sizes), len(sizes)
            browser.close()
    finally:
        server.shutdown()
    return total, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=int, default=10_000)
    parser.add_argument("--build-briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (b), fastest counts")
    parser.add_argument("--skip-first-query", action="store_true", help="run (b) only")
    args = parser.parse_args()
    use_scratch_tempdir()
    if not args.skip_first_query:
        first_query(args.briefs)
    index_cost(args.build_briefs, args.repeat)


def first_query(n: int) -> None:
    """(a): bytes the browser fetches for the first query on a site of ``n`` briefs."""
    with tempfile.TemporaryDirectory() as tmp:
        root, site = Path(tmp) / "briefs", Path(tmp) / "site"
        generate(root, n)
        _write_pages(root, site)
        report = index_site(site)
        total, count = first_query_bytes(site, "maternity")
        raw, _ = first_query_bytes(site, "maternity", gzip=False)
        print(f"(a) {n} briefs, {report.pages} pages indexed, index {report.bundle_bytes / 1e6:.1f} MB "
              f"on disk; first query fetched {total / 1024:.0f} kB in {count} requests from a server "
              f"that gzips text files ({raw / 1024:.0f} kB uncompressed) (target ≤ 300 kB)")


def index_cost(n: int, repeat: int) -> None:
    """(b): Pagefind's time against the site build of ``n`` briefs (PDFs and search off)."""
    try:
        from site_builder.build import build_site
        from site_builder.settings import load_settings
    except ImportError:
        print("(b) skipped: site_builder.build is not available")
        return
    import dataclasses

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copy(PROJECT / "mkdocs.yml", project / "mkdocs.yml")
        for folder in ("docs",):
            shutil.copytree(PROJECT / folder, project / folder)
        generate(project / "briefs", n)
        settings = dataclasses.replace(load_settings(project), search=False)
        builds, indexings = [], []
        for _ in range(repeat):  # alternate, keep the fastest of each (a shared machine)
            start = time.perf_counter()
            out = build_site(settings, pdf=False).site
            builds.append(time.perf_counter() - start)
            start = time.perf_counter()
            index_site(Path(out))  # into a new pagefind/ folder, as in a real build
            indexings.append(time.perf_counter() - start)
    build_seconds, index_seconds = min(builds), min(indexings)
    print(f"(b) {n} briefs: Pagefind indexing adds {index_seconds / build_seconds:.0%} "
          f"to the site build (fastest of {repeat}: build {build_seconds:.2f} s, indexing "
          f"{index_seconds:.2f} s) (target ≤ 30%)")


if __name__ == "__main__":
    main()
