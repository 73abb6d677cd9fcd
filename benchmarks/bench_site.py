"""Benchmark the site build (PDFs off, search on) against a bare MkDocs build of the same briefs.

Usage: ``python benchmarks/bench_site.py [--sizes 1000 10000] [--repeat 2] [--keep DIR]``

For each size it generates a synthetic corpus (``gen_corpus.generate``) and times, in the
same run and alternately:

- ``briefs build --no-pdf``: validate, index, generate every page and feed in every
  language of the repository's ``mkdocs.yml``, build, and index the site with Pagefind;
- a bare ``mkdocs build`` of the same brief Markdown files with the same theme
  (mkdocs-material, same Markdown extensions, a sections-only nav) and mkdocs-material's
  own ``search`` plugin, without the briefs plugin;
- ``briefs build --no-pdf`` again after one brief changed: its other brief pages'
  converted Markdown comes from the conversion cache (``.cache/briefs/conversions``), and
  a large site's unchanged search index shards from theirs (``.cache/briefs/search-shards``),
  which the first kind of run empties before it starts (the checks and compiled
  templates of earlier runs are kept for both).

Both run as fresh processes, so both include Python start-up and imports. Each run
reports its wall time, its CPU time (user + system, child processes included: it is less
disturbed by other processes than wall time) and its peak memory (the largest resident
set of the process or any of its children, ``ru_maxrss`` from ``wait4``). The fastest of
``--repeat`` runs (and the lowest peak) is kept. Targets: ours ≤ 1.2× bare at 1,000 and at
10,000 briefs; 10,000 briefs ≤ 10.5× the 1,000-brief time; peak memory of the
10,000-brief build < 2 GB. Other processes on the machine add noise: rerun to compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_corpus import generate, use_scratch_tempdir  # noqa: E402

RATIO_TARGET = 1.2
LINEAR_TARGET = 10.5
MEMORY_TARGET = 2 * 1024**3


def _project(target: Path, n: int, search: bool = False) -> Path:
    """Write a project with ``n`` synthetic briefs and the repository's site configuration
    (its languages included), PDFs and packs off."""
    target.mkdir(parents=True)
    generate(target / "briefs", n)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    options = next((p["briefs"] for p in config["plugins"] if isinstance(p, dict) and "briefs" in p),
                   {})
    options = {**(options or {}), "pdf": {"enabled": False}, "search": search, "bundles": False}
    config["plugins"] = [{"briefs": options}]
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


def _bare_project(target: Path, briefs: Path) -> Path:
    """Write a plain MkDocs project whose pages are the same brief files, same theme, with
    mkdocs-material's search plugin."""
    target.mkdir(parents=True)
    docs = target / "docs"
    shutil.copytree(briefs, docs / "briefs", ignore=shutil.ignore_patterns("*.yml"))
    shutil.copy(ROOT / "docs" / "about.md", docs / "about.md")
    # The same sections-only nav as the real site, with placeholder section pages.
    for page in ("index.md", "themes/index.md", "countries/index.md", "coverage/index.md",
                 "search/index.md"):
        (docs / page).parent.mkdir(parents=True, exist_ok=True)
        (docs / page).write_text("# Section\n", encoding="utf-8")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = ["search"]
    config["not_in_nav"] = "/briefs/"
    config.pop("validation", None)
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


@dataclass(frozen=True)
class Run:
    """One timed run: wall and CPU seconds, peak resident set in bytes."""

    wall: float
    cpu: float
    rss: int


def _time(command: list[str], cwd: Path) -> Run:
    """Run a command; return its wall time, CPU time and peak memory (children included)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
        # wait4 gives this child's own usage: CPU of it and its waited-for children, and
        # the largest resident set among them (getrusage(RUSAGE_CHILDREN) keeps the
        # maximum over every child so far, which would mix the runs).
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            out.seek(0)
            sys.exit(f"{' '.join(command)} failed in {cwd}:\n"
                     + out.read().decode("utf-8", "replace")[-4000:])
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


@dataclass(frozen=True)
class Result:
    """The best runs of one size."""

    ours: Run
    bare: Run
    changed: Run
    """Ours after one brief changed (the others' conversions and search shards from the cache)."""


def measure(work: Path, n: int, repeat: int) -> Result:
    """Return the best runs of the briefs build (search on) and of the bare build."""
    project = _project(work / f"briefs-{n}", n, search=True)
    bare = _bare_project(work / f"bare-{n}", project / "briefs")
    ours: list[Run] = []
    plain: list[Run] = []
    changed: list[Run] = []
    command = [sys.executable, "-m", "site_builder", "build", "--no-pdf", "--force"]
    brief = sorted((project / "briefs").rglob("*.md"))[0]
    for n in range(repeat):
        plain.append(_time([sys.executable, "-m", "mkdocs", "build", "-q"], bare))
        for cache in ("conversions", "search-shards"):  # a cold build's
            shutil.rmtree(project / ".cache" / "briefs" / cache, ignore_errors=True)
        ours.append(_time(command, project))
        with brief.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdited {n + 1}.\n")
        changed.append(_time(command, project))
    return Result(_best(ours), _best(plain), _best(changed))


def _best(runs: list[Run]) -> Run:
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs), min(r.rss for r in runs))


def _mb(size: int) -> str:
    return f"{size / 1024**2:,.0f} MB"


def report(n: int, result: Result) -> str:
    """One line per size: both builds, and the ratios."""
    ours, bare, changed = result.ours, result.bare, result.changed
    return (f"{n:>6} briefs: briefs build {ours.wall:6.2f} s (CPU {ours.cpu:6.2f} s, peak "
            f"{_mb(ours.rss)}), bare mkdocs+search {bare.wall:6.2f} s (CPU {bare.cpu:6.2f} s, "
            f"peak {_mb(bare.rss)}); ratio {ours.wall / bare.wall:.2f}x wall, "
            f"{ours.cpu / bare.cpu:.2f}x CPU (target <= {RATIO_TARGET}x); after one brief "
            f"changed {changed.wall:6.2f} s (CPU {changed.cpu:6.2f} s): "
            f"{changed.wall / bare.wall:.2f}x wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="Build here and keep the projects.")
    args = parser.parse_args()
    use_scratch_tempdir()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-site-"))
    results: dict[int, Result] = {}
    try:
        for n in args.sizes:
            results[n] = measure(work, n, args.repeat)
            print(report(n, results[n]), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        scale = sizes[-1] / sizes[0]
        target = LINEAR_TARGET * scale / 10
        print(f"{sizes[-1]:,} / {sizes[0]:,} briefs build time: "
              f"{large.ours.wall / small.ours.wall:.2f}x wall, {large.ours.cpu / small.ours.cpu:.2f}x "
              f"CPU (bare: {large.bare.wall / small.bare.wall:.2f}x wall; target <= {target:.1f}x)")
    largest = results[sizes[-1]].ours.rss
    print(f"peak memory at {sizes[-1]:,} briefs: {_mb(largest)} "
          f"(target < {_mb(MEMORY_TARGET)} at 10,000)")
    print(f"({os.cpu_count()} cores; other processes on the machine add noise)")


if __name__ == "__main__":
    main()
