"""Benchmark the author's loop: from saving a brief to the browser showing the change.

Usage: ``python benchmarks/bench_serve.py [--briefs 1000] [--repeat 3] [--keep DIR]``

Generates a synthetic project (``gen_corpus``; search and packs off, PDFs on), fills the
PDF cache once (``briefs validate --pdf``: at 1,000 briefs this takes minutes; ``--keep``
keeps the project and its cache for the next run), then, side by side and in turn, starts

- ``briefs serve`` (incremental: only what the saved brief changes is rebuilt),
- ``mkdocs serve`` of the same project (MkDocs' full rebuild on every save),
- ``mkdocs serve --dirty`` (MkDocs' own incremental mode),

each in its own process on a free port. Real headless Chromium (Playwright) opens one
brief's page with the PDF preview shown; the benchmark appends a paragraph to that brief's
file and polls the DOM until the page shows the paragraph and a new meter (measured, its
``data-length``, or estimated while the PDF is laid out, its ``data-estimate``: the live
reload has brought the new page: ``briefs serve`` swaps the new article into the open
page, the others reload it), then until the preview's PDF of the new version has
finished loading. Reported per server: the fastest and median seconds from the save to
each, and the server's CPU seconds (user + system, its threads and reaped children) from
the save to the PDF. Targets (``briefs serve``, 1,000 briefs): page and meter ≤ 1.5 s,
PDF preview ≤ 3 s. ``BRIEFS_TIMELINE=1`` is set: ``briefs serve`` logs each rebuild's
steps (``--timeline`` prints them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_corpus import generate, use_scratch_tempdir  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVERS = {
    "briefs serve": [sys.executable, "-m", "site_builder", "serve", "-a"],
    "mkdocs serve": [sys.executable, "-m", "mkdocs", "serve", "-a"],
    "mkdocs serve --dirty": [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a"],
}


def _project(target: Path, n: int) -> Path:
    """Write a project of ``n`` synthetic briefs: the repository's theme, PDFs on, no packs."""
    if (target / "mkdocs.yml").is_file():
        return target  # kept from an earlier run (--keep), with its PDF cache
    target.mkdir(parents=True)
    generate(target / "briefs", n)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"briefs": {"search": False, "bundles": False}}]
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1", "BRIEFS_TIMELINE": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(url: str, process: subprocess.Popen[str], timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("the server stopped")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not come up")


def _load() -> str:
    """Return the machine's load averages (1, 5 and 15 minutes): the figures are noisy above 2."""
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def _cpu(pid: int) -> float:
    """Return a process's CPU seconds: user + system, its threads and reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _measure(page: object, brief: Path, url: str, pid: int) -> tuple[float, float, float]:
    """Append to the brief; return seconds to the new page and meter, to its new PDF, and CPU seconds."""
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector("iframe.pdf-preview-frame[src]")  # type: ignore[attr-defined]
    before = page.get_attribute(".page-meter", "data-length")  # type: ignore[attr-defined]
    old_src = page.get_attribute("iframe.pdf-preview-frame", "src")  # type: ignore[attr-defined]
    loaded: dict[str, float] = {}
    page.on("requestfinished", lambda request: loaded.setdefault(  # type: ignore[attr-defined]
        request.url, time.perf_counter()) if ".pdf?v=" in request.url else None)
    text = brief.read_text(encoding="utf-8")
    # Words never saved before, so no server finds the new PDF in the cache.
    paragraph = (f"\n\nAn added paragraph ({time.time_ns()}) of the benchmark, "
                 + "with a few more words " * 12 + ".\n")
    token = paragraph.split("(")[1].split(")")[0]
    cpu = _cpu(pid)
    start = time.perf_counter()
    brief.write_text(text + paragraph, encoding="utf-8")
    page.wait_for_function(  # type: ignore[attr-defined]
        "([before, token]) => { const m = document.querySelector('.page-meter');"
        " return m && (m.dataset.length !== before || m.dataset.estimate !== undefined)"
        " && document.body.innerText.includes(token); }", arg=[before, token],
        timeout=120_000, polling=20)
    shown = time.perf_counter() - start
    new_src = page.get_attribute("iframe.pdf-preview-frame", "src")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while not new_src or new_src == old_src \
            or not any(new_src.split("#")[0].split("/")[-1] in u for u in loaded):  # mid-reload: None
        if time.monotonic() > deadline:
            sys.exit("the PDF preview never loaded the new PDF")
        page.wait_for_timeout(20)  # type: ignore[attr-defined]
        new_src = page.get_attribute("iframe.pdf-preview-frame", "src")  # type: ignore[attr-defined]
    pdf = min(t for u, t in loaded.items() if new_src.split("#")[0].split("/")[-1] in u) - start
    cpu = _cpu(pid) - cpu
    brief.write_text(text, encoding="utf-8")  # back as it was, for the next server
    return shown, pdf, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Keep the project (and its PDF cache) here.")
    parser.add_argument("--server", action="append", choices=list(SERVERS),
                        help="Measure only this server (repeatable; default: all three).")
    parser.add_argument("--timeline", action="store_true",
                        help="Print briefs serve's rebuild timelines.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    use_scratch_tempdir()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    project = _project(work / f"serve-{args.briefs}", args.briefs)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "site_builder", "validate", "--pdf"], cwd=project,
                   env=_env(), capture_output=True, text=True)
    print(f"PDF cache filled in {time.perf_counter() - started:.0f} s", flush=True)
    brief = sorted((project / "briefs").rglob("*.md"))[len(list((project / "briefs").rglob("*.md"))) // 2]
    slug = brief.stem
    servers = {name: SERVERS[name] for name in args.server or SERVERS}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in servers}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.repeat):
                for name, command in servers.items():
                    port = _free_port()
                    process = subprocess.Popen([*command, f"127.0.0.1:{port}"], cwd=project,
                                               env=_env(), stdout=subprocess.PIPE,
                                               stderr=subprocess.STDOUT, text=True)
                    lines: list[str] = []  # read as it comes: a full pipe would stall the server
                    reader = threading.Thread(target=lambda p=process, out=lines: out.extend(p.stdout),
                                              daemon=True)
                    reader.start()
                    try:
                        base = f"http://127.0.0.1:{port}/"
                        _wait_up(base + f"briefs/{slug}/", process)
                        context = browser.new_context(viewport={"width": 1400, "height": 900})
                        context.add_init_script(
                            "localStorage.setItem('briefs-pdf-preview', 'open')")
                        page = context.new_page()
                        page.goto(base + f"briefs/{slug}/")
                        time.sleep(1.0)  # let the watcher settle after the first build
                        results[name].append(_measure(page, brief, base + f"briefs/{slug}/",
                                                      process.pid))
                        time.sleep(1.0)  # the rebuild after restoring the brief, in the log
                        context.close()
                    finally:
                        process.terminate()
                        process.wait(timeout=30)
                        reader.join(timeout=10)
                    output = "".join(lines)
                    shown, pdf, cpu = results[name][-1]
                    print(f"  {name:<22} page+meter {shown:5.2f} s, PDF preview {pdf:5.2f} s, "
                          f"CPU {cpu:5.2f} s (load {_load()})", flush=True)
                    if args.timeline:
                        for line in output.splitlines():
                            if "timeline:" in line:
                                print("    " + line.split("timeline:", 1)[1].strip())
            browser.close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{args.briefs} briefs, save to browser (fastest / median of {args.repeat}; "
          f"load average {_load()} at the end):")
    for name, runs in results.items():
        shown = sorted(r[0] for r in runs)
        pdf = sorted(r[1] for r in runs)
        cpu = sorted(r[2] for r in runs)
        print(f"  {name:<22} page+meter {shown[0]:5.2f} / {shown[len(shown) // 2]:5.2f} s, "
              f"PDF preview {pdf[0]:5.2f} / {pdf[len(pdf) // 2]:5.2f} s, "
              f"CPU {cpu[0]:5.2f} / {cpu[len(cpu) // 2]:5.2f} s")
    print("  targets (briefs serve): page+meter <= 1.5 s, PDF preview <= 3 s")


if __name__ == "__main__":
    main()
