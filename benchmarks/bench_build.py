"""Benchmark the whole cold ``briefs build`` (PDFs, packs, search) with one and two workers.

Usage: ``python benchmarks/bench_build.py [--briefs 60] [--words 1000] [--repeat 3] [--timeline]``

Generates a synthetic corpus (``gen_corpus.generate``: ``--briefs`` briefs of about
``--words`` words) in a project with the repository's ``mkdocs.yml`` (PDFs, packs and the
Pagefind index on), then times, side by side and alternately, as whole fresh commands with
a cold cache each time (``.cache/`` and ``site/`` deleted first):

- ``briefs build --jobs 1``;
- ``briefs build --jobs 2``;
- a bare ``mkdocs build`` of the same brief Markdown with mkdocs-material (the baseline:
  what MkDocs alone costs for these pages).

The fastest of ``--repeat`` runs is kept; CPU time (user + system, worker processes
included) is printed beside wall time. Target: ``--jobs 2`` at least 1.7× faster (wall)
than ``--jobs 1`` on a 2-core machine. ``--timeline`` also runs one ``--jobs 2`` build with
its stages timed (PDFs, packs, print files, pages, MkDocs' conversion and writing,
Pagefind) and prints when each ran.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_site import _bare_project  # noqa: E402
from gen_corpus import generate, use_scratch_tempdir  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1"}


def _project(target: Path, n: int, words: int) -> Path:
    """Write a project of ``n`` synthetic briefs with the repository's site configuration."""
    target.mkdir(parents=True)
    generate(target / "briefs", n, words)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


def _cold(project: Path) -> None:
    """Forget every previous build: the cache (PDFs, packs, images, build record) and the site."""
    for name in (".cache", "site"):
        shutil.rmtree(project / name, ignore_errors=True)


def _time(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return its wall time and CPU time (user + system, with children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _briefs_build(project: Path, jobs: int) -> tuple[float, float]:
    _cold(project)
    return _time([sys.executable, "-m", "site_builder", "build", "--jobs", str(jobs)], project)


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in runs), min(r[1] for r in runs)


def measure(project: Path, bare: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Return the best (wall, CPU) seconds of each build, run alternately ``repeat`` times."""
    runs: dict[str, list[tuple[float, float]]] = {"jobs 1": [], "jobs 2": [], "bare": []}
    for turn in range(repeat):
        order = (1, 2) if turn % 2 == 0 else (2, 1)  # neither side always runs first
        for jobs in order:
            runs[f"jobs {jobs}"].append(_briefs_build(project, jobs))
        shutil.rmtree(bare / "site", ignore_errors=True)
        runs["bare"].append(_time([sys.executable, "-m", "mkdocs", "build", "-q"], bare))
    return {name: _best(times) for name, times in runs.items()}


# The timeline: stages of one build, timed by wrapping the functions that do them.
STAGES: list[tuple[str, str, str]] = [
    ("PDFs", "site_builder.pdf.build", "render_all"),
    ("packs", "site_builder.bundle", "build_site_bundles"),
    ("print files", "site_builder.print.files", "site_print_files"),
    ("pages (render)", "site_builder.pages.site", "render_site_pages"),
    ("pages (late HTML)", "site_builder.pages.site", "render_page_html"),
    ("MkDocs: convert page", "mkdocs.commands.build", "_populate_page"),
    ("MkDocs: write page", "mkdocs.commands.build", "_build_page"),
    ("Pagefind", "site_builder.search", "index_site"),
]


def _timeline_child(project: Path, jobs: int) -> None:
    """Run ``briefs build --jobs N`` in this process with its stages timed; print the timeline."""
    import importlib

    spans: dict[str, list[tuple[float, float]]] = {}
    lock = threading.Lock()
    start = time.perf_counter()

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:
                    spans.setdefault(name, []).append((began - start, time.perf_counter() - start))
        return wrapper

    for loaded in ("site_builder.cli", "site_builder.mkdocs_plugin", "site_builder.bundle",
                   "site_builder.print.files", "site_builder.pdf"):
        importlib.import_module(loaded)  # so that names they import are wrapped too
    for name, module_name, attribute in STAGES:
        module = importlib.import_module(module_name)
        original = getattr(module, attribute, None)
        if original is None:  # not in this version of the code
            continue
        wrapper = timed(name, original)
        setattr(module, attribute, wrapper)
        for other in list(sys.modules.values()):  # names imported elsewhere (from x import y)
            if getattr(other, attribute, None) is original and other is not module:
                setattr(other, attribute, wrapper)
    os.chdir(project)
    from site_builder.cli import main

    sys.argv = ["briefs", "build", "--jobs", str(jobs)]
    try:
        main()
    except SystemExit as exc:
        if exc.code:
            raise
    total = time.perf_counter() - start
    print(f"timeline of one cold build, --jobs {jobs} ({total:.2f} s from the command's start, "
          "imports aside):")
    for name, _, _ in STAGES:
        found = spans.get(name)
        if not found:
            print(f"  {name:<22} (not run)")
            continue
        first, last = min(s for s, _ in found), max(e for _, e in found)
        busy = sum(e - s for s, e in found)
        calls = f", {len(found)} calls, {busy:.2f} s in them" if len(found) > 1 else ""
        print(f"  {name:<22} {first:6.2f} s -> {last:6.2f} s ({last - first:5.2f} s{calls})")
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    print(f"  CPU: this process {own.ru_utime + own.ru_stime:.2f} s, its workers and Pagefind "
          f"{workers.ru_utime + workers.ru_stime:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=60)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeline", action="store_true", help="Also time one build's stages.")
    parser.add_argument("--keep", type=Path, help="Build here and keep the projects.")
    parser.add_argument("--timeline-child", nargs=2, metavar=("PROJECT", "JOBS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timeline_child:
        _timeline_child(Path(args.timeline_child[0]).resolve(), int(args.timeline_child[1]))
        return
    use_scratch_tempdir()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))).resolve()
    try:
        project = _project(work / "briefs", args.briefs, args.words)
        bare = _bare_project(work / "bare", project / "briefs")
        best = measure(project, bare, args.repeat)
        one, two, plain = best["jobs 1"], best["jobs 2"], best["bare"]
        print(f"{args.briefs} briefs of ~{args.words} words, cold full build (PDFs, packs, "
              f"search), best of {args.repeat}:")
        print(f"  briefs build --jobs 1 {one[0]:6.2f} s (CPU {one[1]:6.2f} s)")
        print(f"  briefs build --jobs 2 {two[0]:6.2f} s (CPU {two[1]:6.2f} s)")
        print(f"  bare mkdocs build     {plain[0]:6.2f} s (CPU {plain[1]:6.2f} s)")
        print(f"  --jobs 2 speed-up: {one[0] / two[0]:.2f}x wall, CPU ratio "
              f"{two[1] / one[1]:.2f} (target: >= 1.7x wall); --jobs 2 is "
              f"{two[0] / plain[0]:.1f}x the bare MkDocs build", flush=True)
        if args.timeline:
            _cold(project)
            subprocess.run([sys.executable, __file__, "--timeline-child", str(project), "2"],
                           cwd=project, env=ENV, check=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"({os.cpu_count()} cores; other processes on the machine add noise)")


if __name__ == "__main__":
    main()
