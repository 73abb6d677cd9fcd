"""Benchmark search: bytes fetched by the first query, and indexing cost vs the site build.

Usage: ``python benchmarks/bench_search.py [--briefs 10000] [--build-briefs 1000] [--shard-pages N]``

(a) The real site (the project's mkdocs.yml, PDFs off, search on) of N synthetic briefs is
    built and served on 127.0.0.1 by a server that gzips text files, as a static host
    would; headless Chromium opens the Search page, types one query and waits for the
    results; every response body is counted, and Pagefind's files are listed by kind
    (its script and WebAssembly, the entry and meta files, filters, index chunks,
    fragments). Target: at most 300 kB for the first search (page, stylesheets, scripts,
    fonts and index included).
(b) The real site build (PDFs off, search off) of M synthetic briefs vs Pagefind on its
    output, side by side. Target: indexing adds at most 30% to the build.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import logging
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate, use_scratch_tempdir

from site_builder.build import build_site
from site_builder.search import index_site
from site_builder.search_service import shard_sizes
from site_builder.settings import load_settings

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERY = "maternity"


def _project(folder: Path, n: int, shard_pages: int | None = None) -> Path:
    """Write a project of ``n`` synthetic briefs with the real site's configuration
    (and ``search_shard_pages`` if given)."""
    folder.mkdir(parents=True)
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    if shard_pages is not None:
        config = config.replace("      briefs_dir: briefs\n", "      briefs_dir: briefs\n"
                                f"      search_shard_pages: {shard_pages}\n", 1)
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copytree(PROJECT / "docs", folder / "docs")
    generate(folder / "briefs", n)
    return folder


def _kind(path: str) -> str:
    """Name what a fetched file is, for the breakdown of the first query's bytes."""
    name = path.rsplit("/", 1)[-1]
    if name == "sitemap.xml":  # mkdocs-material's bundle reads it beside every rel=alternate
        return "sitemap.xml"
    if "/pagefind/" not in path:
        return "page and assets"
    for folder in ("filter", "index", "fragment"):
        if f"/pagefind/{folder}/" in path:
            return f"pagefind {folder}"
    return "pagefind " + ("entry and meta" if name.endswith((".json", ".pf_meta")) else "script")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files silently, noting each response's path and body size on the server."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_header(self, keyword: str, value: str) -> None:
        if keyword == "Content-Length":  # what went over the wire, counted where it is sent
            self.server.sent.append((urlsplit(self.path).path, int(value)))  # type: ignore[attr-defined]
        super().send_header(keyword, value)


class _GzipHandler(_QuietHandler):
    """Serve text files gzip-encoded, as any production static host does."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in (
                ".js", ".css", ".html", ".json", ".svg", ".xml") or not path.is_file():
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


def first_query_bytes(site: Path, query: str, gzip: bool = True) -> tuple[int, Counter[str]]:
    """Serve the site, open the Search page, run one query; return (bytes, bytes by kind)."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_GzipHandler if gzip else _QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.sent = []  # type: ignore[attr-defined]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 375, "height": 800})
            page.goto(f"http://127.0.0.1:{server.server_port}/search/")
            page.wait_for_selector("body[data-search-ready]")
            page.fill("#cb-q", query)
            page.wait_for_selector(".cb-result")
            seen = -1
            while seen != len(server.sent):  # type: ignore[attr-defined]  # until a quiet second
                seen = len(server.sent)  # type: ignore[attr-defined]
                page.wait_for_timeout(1000)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    kinds: Counter[str] = Counter()
    for path, size in server.sent:  # type: ignore[attr-defined]
        kinds[_kind(path)] += size
        kinds["requests"] += 1
    return sum(v for k, v in kinds.items() if k != "requests"), kinds


def main() -> None:
    """Run (a) and (b)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=10_000)
    parser.add_argument("--build-briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (b), fastest counts")
    parser.add_argument("--skip-first-query", action="store_true", help="run (b) only")
    parser.add_argument("--skip-indexing", action="store_true", help="run (a) only")
    parser.add_argument("--shard-pages", type=int, default=None,
                        help="search_shard_pages for (a) (default: the project's, 2,500)")
    args = parser.parse_args()
    use_scratch_tempdir()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the synthetic vocabularies' warnings
    if not args.skip_first_query:
        first_query(args.briefs, args.shard_pages)
    if not args.skip_indexing:
        index_cost(args.build_briefs, args.repeat)


def first_query(n: int, shard_pages: int | None = None) -> None:
    """(a): bytes the browser fetches for the first query on a site of ``n`` briefs."""
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp) / "project", n, shard_pages)
        report = build_site(dataclasses.replace(load_settings(project), search=True), pdf=False)
        total, kinds = first_query_bytes(report.site, QUERY)
        raw, _ = first_query_bytes(report.site, QUERY, gzip=False)
        index = sum(f.stat().st_size for f in (report.site / "pagefind").rglob("*") if f.is_file())
        settings = load_settings(project)
        shards = len(shard_sizes(report.stats.search_pages, settings.search_shard_pages))
        print(f"(a) {n} briefs, {report.stats.search_pages} pages indexed in {shards} "
              f"shard(s) merged into one, index "
              f"{index / 1e6:.1f} MB on disk; first query fetched {total / 1024:.0f} kB in "
              f"{kinds['requests']} requests from a server that gzips text files "
              f"({raw / 1024:.0f} kB uncompressed) (target ≤ 300 kB); without the sitemap "
              f"mkdocs-material reads after the page has loaded: "
              f"{(total - kinds['sitemap.xml']) / 1024:.0f} kB")
        for kind, size in sorted(kinds.items()):
            if kind != "requests":
                print(f"    {kind:<24} {size / 1024:7.1f} kB")


def index_cost(n: int, repeat: int) -> None:
    """(b): Pagefind's time against the site build of ``n`` briefs (PDFs and search off)."""
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp) / "project", n)
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
