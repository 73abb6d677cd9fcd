"""Benchmark the site build (PDFs off) against a bare MkDocs build of the same briefs.

Usage: ``python benchmarks/bench_site.py [--sizes 1000 4000] [--repeat 2] [--keep DIR]``

For each size it generates a synthetic corpus (``gen_corpus.generate``) and times, in the
same run and alternately:

- ``briefs build --no-pdf``: validate, index, generate every page and feed, build;
- a bare ``mkdocs build`` of the same brief Markdown files with the same theme
  (mkdocs-material, same Markdown extensions, a sections-only nav),
  without the plugin.

Both run as fresh processes, so both include Python start-up and imports. The best of
``--repeat`` runs is kept. CPU time (user + system, worker processes included) is
printed too: it is less disturbed by other processes than wall time. Targets: briefs ≤ 1.2× bare at 1,000 briefs, and 4,000 briefs
≤ 4.5× the 1,000-brief time. Other processes on the machine add noise: rerun to compare.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_corpus import generate, use_scratch_tempdir  # noqa: E402


def _project(target: Path, n: int, search: bool = False) -> Path:
    """Write a project with ``n`` synthetic briefs and the repository's site configuration."""
    target.mkdir(parents=True)
    generate(target / "briefs", n)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"briefs": {"pdf": {"enabled": False}, "search": search,
                                     "bundles": False}}]
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


def _bare_project(target: Path, briefs: Path) -> Path:
    """Write a plain MkDocs project whose pages are the same brief files, same theme."""
    target.mkdir(parents=True)
    docs = target / "docs"
    shutil.copytree(briefs, docs / "briefs", ignore=shutil.ignore_patterns("*.yml"))
    shutil.copy(ROOT / "docs" / "about.md", docs / "about.md")
    # The same sections-only nav as the real site, with placeholder section pages.
    for page in ("index.md", "themes/index.md", "countries/index.md", "coverage/index.md"):
        (docs / page).parent.mkdir(parents=True, exist_ok=True)
        (docs / page).write_text("# Section\n", encoding="utf-8")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = []
    config["not_in_nav"] = "/briefs/"
    config.pop("validation", None)
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


def _time(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return its wall time and CPU time (user + system, with children)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def measure(work: Path, n: int, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return the best (wall, CPU) seconds of the briefs build and of the bare build."""
    project = _project(work / f"briefs-{n}", n)
    bare = _bare_project(work / f"bare-{n}", project / "briefs")
    ours: list[tuple[float, float]] = []
    plain: list[tuple[float, float]] = []
    for _ in range(repeat):
        plain.append(_time([sys.executable, "-m", "mkdocs", "build", "-q"], bare))
        ours.append(_time([sys.executable, "-m", "site_builder", "build", "--no-pdf"], project))
    return _best(ours), _best(plain)


def _best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="Build here and keep the projects.")
    args = parser.parse_args()
    use_scratch_tempdir()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-site-"))
    results: dict[int, tuple[tuple[float, float], tuple[float, float]]] = {}
    try:
        for n in args.sizes:
            ours, bare = measure(work, n, args.repeat)
            results[n] = (ours, bare)
            print(f"{n:>6} briefs: briefs build {ours[0]:6.2f} s (CPU {ours[1]:6.2f} s), "
                  f"bare mkdocs {bare[0]:6.2f} s (CPU {bare[1]:6.2f} s), ratio "
                  f"{ours[0] / bare[0]:.2f}x wall, {ours[1] / bare[1]:.2f}x CPU "
                  "(target <= 1.2x at 1,000)", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if 1000 in results and 4000 in results:
        wall = results[4000][0][0] / results[1000][0][0]
        cpu = results[4000][0][1] / results[1000][0][1]
        print(f"4,000 / 1,000 briefs build time: {wall:.2f}x wall, {cpu:.2f}x CPU "
              "(target <= 4.5x)")
    print(f"({os.cpu_count()} cores; other processes on the machine add noise)")


if __name__ == "__main__":
    main()
