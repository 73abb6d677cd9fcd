"""Lighthouse (mobile) on the example site's pages, beside a bare mkdocs-material build.

Usage: ``python benchmarks/bench_pages.py [--repeat 3] [--keep DIR]``

Builds the example corpus (``briefs/``) twice into a scratch folder: with the briefs
plugin (``briefs build --no-pdf``), and as a bare MkDocs project whose pages are the same
brief files with the same theme and Markdown extensions (``bench_site._bare_project``).
Each site is served on 127.0.0.1 by a small static server that gzips text responses, as a
static host would. Lighthouse 12 (npm ``lighthouse@12.2.3``, installed by ``npm install``
from package.json) runs with its default mobile profile: simulated slow 4G (150 ms RTT,
1.6 Mbit/s) and a 4x CPU slowdown, in the system's Chromium (``CHROME_PATH``,
``/usr/bin/chromium``; ``LIGHTHOUSE`` may name another checkout's
``node_modules/.bin/lighthouse``). Pages: home, a theme page, a brief page, the Search
page; the bare build has no theme pages (its placeholder Themes section page stands in)
and no search page. For each page the median of ``--repeat`` runs of the performance
score, accessibility score, total byte weight, first contentful paint, largest
contentful paint, total blocking time, cumulative layout shift and speed index is
printed, with the CPU time (user + system) Lighthouse and Chromium spent per run: the
simulated timings scale what Chromium observed, so a busy machine inflates them.
Goal: performance >= 95 and accessibility 100 on our pages.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_site import _bare_project  # noqa: E402
from gen_corpus import use_scratch_tempdir  # noqa: E402

LIGHTHOUSE = Path(os.environ.get("LIGHTHOUSE") or ROOT / "node_modules" / ".bin" / "lighthouse")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
BRIEF = "moz-basic-social-security-strategy"
"""The brief measured (the example corpus' Mozambique strategy)."""
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml",
              "application/xml")


class _GzipHandler(SimpleHTTPRequestHandler):
    """Serve files like a static host: text gzipped on request, the rest as is."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and ctype.startswith(TEXT_TYPES)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_GzipHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def build_ours(work: Path) -> Path:
    """Build the example site with the briefs plugin (PDFs and packs off); return its folder."""
    project = work / "ours"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "briefs", project / "briefs")
    _run([sys.executable, "-m", "site_builder", "build", "--no-pdf"], project)
    return project / "site"


def build_bare(work: Path) -> Path:
    """Build the same briefs with bare MkDocs and mkdocs-material; return its folder."""
    shutil.rmtree(work / "bare", ignore_errors=True)
    project = _bare_project(work / "bare", ROOT / "briefs")
    _run([sys.executable, "-m", "mkdocs", "build", "-q"], project)
    return project / "site"


def _run(command: list[str], cwd: Path) -> None:
    # This checkout's package, not whichever copy is installed.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": path}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")


def lighthouse(url: str, out: Path) -> dict[str, float]:
    """Run Lighthouse (mobile, simulated throttling) on one URL; return its figures."""
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}"]
    env = {**os.environ, "CHROME_PATH": CHROME}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                            timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode or not out.is_file():
        sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    return {
        "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (report["categories"]["accessibility"]["score"] or 0)),
        "bytes": audits["total-byte-weight"]["numericValue"],
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "si": audits["speed-index"]["numericValue"] / 1000,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    }


def measure(sites: dict[str, tuple[str, dict[str, str]]], repeat: int,
            out: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Return the median figures of ``repeat`` Lighthouse runs per site and page.

    ``sites`` maps a label to (base URL, {page: path}). The sites' runs alternate page by
    page, so that both see the same moments of a busy machine; one run per site before
    the first counts for nothing (Chromium's and the server's first start).
    """
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {s: {} for s in sites}
    for label, (base, pages) in sites.items():
        lighthouse(base + next(iter(pages.values())), out / f"{label}-warmup.json")
    for i in range(repeat):
        for name in dict.fromkeys(n for _, pages in sites.values() for n in pages):
            for label, (base, pages) in sites.items():
                if name in pages:
                    report = out / f"{label}-{name}-{i}.json"
                    runs[label].setdefault(name, []).append(lighthouse(base + pages[name], report))
    return {label: {name: {key: statistics.median(r[key] for r in page_runs)
                           for key in page_runs[0]}
                    for name, page_runs in pages.items()}
            for label, pages in runs.items()}


def _print(label: str, figures: dict[str, dict[str, float]]) -> None:
    for name, f in figures.items():
        print(f"{label:>5} {name:<7} performance {f['performance']:5.0f}  accessibility "
              f"{f['accessibility']:5.0f}  {f['bytes'] / 1024:7.1f} KiB  FCP {f['fcp']:4.1f} s  "
              f"LCP {f['lcp']:4.1f} s  TBT {f['tbt']:5.0f} ms  CLS {f['cls']:5.3f}  "
              f"SI {f['si']:4.1f} s  CPU {f['cpu']:4.1f} s", flush=True)


def main() -> None:
    """Build both sites, run Lighthouse over their pages and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (median kept)")
    parser.add_argument("--keep", type=Path, help="Build here and keep the sites and reports.")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is missing: run `npm install` in the project root")
    use_scratch_tempdir()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        ours, bare = build_ours(work), build_bare(work)
        theme = sorted(p.parent.name for p in (ours / "themes").glob("*/index.html"))[0]
        bare_brief = next((bare / "briefs").glob(f"*/{BRIEF}/index.html")).parent
        with serve(ours) as mine, serve(bare) as plain:
            figures = measure({
                "ours": (mine, {"home": "", "theme": f"themes/{theme}/",
                                "brief": f"briefs/{BRIEF}/", "search": "search/"}),
                "bare": (plain, {"home": "", "theme": "themes/",
                                 "brief": bare_brief.relative_to(bare).as_posix() + "/"}),
            }, args.repeat, work / "reports")
        print(f"Lighthouse 12 mobile, median of {args.repeat}; goal: performance >= 95, "
              "accessibility 100 on ours")
        for label, pages in figures.items():
            _print(label, pages)
        missed = [n for n, f in figures["ours"].items() if f["performance"] < 95 or f["accessibility"] < 100]
        if missed:
            print("goal missed on: " + ", ".join(missed))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
