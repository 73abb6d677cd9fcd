"""Benchmark ``briefs validate`` on a synthetic corpus (default 10,000 briefs).

Usage: ``python benchmarks/bench_validate.py [--briefs 10000] [--repeat 5] [--plain]
[--cache both|cold|warm|off]``

By default the bodies are realistic (a link, an image with a caption, a table, inline HTML,
a footnote: see ``gen_corpus.py``), so the check of each body's rendered HTML is measured;
``--plain`` gives the prose-and-table bodies of the first version of this benchmark.

Reports the whole command's wall time (process start included) against two baselines
run side by side on the same files: reading every file, and PyYAML's C loader parsing
every front matter. The issue's target: under 2 s for 10,000 briefs on 2 cores.

``briefs validate`` remembers each body's rendered check in the project's cache
(``.cache/briefs/checks/``, see ``site_builder/check_cache.py``): a *cold* run starts with
an empty cache (and fills it), a *warm* run finds every body's result there; both are
measured by default, with the warm/cold ratio. CPU is user+sys of the command and its
children, per run; fastest of the repeats for wall and CPU alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate, use_scratch_tempdir


def _time(fn, repeat: int) -> tuple[float, float]:
    """Return (fastest, median) wall time of ``repeat`` runs.

    The fastest run is the one least disturbed by the rest of a shared machine (as in
    ``timeit``); the median shows how much that disturbance costs here.
    """
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_command(fn, repeat: int, setup=None) -> tuple[float, float, float]:
    """Return (fastest wall, median wall, fastest CPU) of ``repeat`` runs of a command
    (``setup`` runs before each, untimed)."""
    walls, cpus = [], []
    for _ in range(repeat):
        if setup is not None:
            setup()
        cpu, start = _children_cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    return min(walls), statistics.median(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plain", action="store_true",
                        help="bodies without links, images or inline HTML")
    parser.add_argument("--cache", choices=["both", "cold", "warm", "off"], default="both",
                        help="measure with an empty check cache, a full one, both, or none")
    args = parser.parse_args()
    use_scratch_tempdir()
    load = os.getloadavg()[0]
    results: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
        cache = Path(tmp) / ".cache"
        generate(root, args.briefs, realistic=not args.plain)
        files = sorted(root.rglob("*.md"))

        def read_all() -> None:
            for f in files:
                f.read_bytes()

        def yaml_all() -> None:
            for f in files:
                text = f.read_text(encoding="utf-8")
                yaml.load(text.split("---\n", 2)[1], Loader=yaml.CSafeLoader)

        def validate() -> None:
            # Run in the scratch folder: no mkdocs.yml, so the cache is its .cache/.
            result = subprocess.run([sys.executable, "-m", "site_builder", "validate", str(root)],
                                    capture_output=True, text=True, check=False, cwd=tmp)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            assert "warning" not in result.stderr, result.stderr[-2000:]

        def empty_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        t_read = _time(read_all, args.repeat)
        t_yaml = _time(yaml_all, args.repeat)
        if args.cache in ("both", "cold", "off"):
            results["cold" if args.cache != "off" else "no cache"] = _time_command(
                validate, args.repeat, empty_cache)
        if args.cache in ("both", "warm"):
            empty_cache()
            validate()  # fill it
            results["warm"] = _time_command(validate, args.repeat)
            assert any(cache.rglob("*.json")), "validate wrote no cache entries"
    print(f"briefs: {args.briefs} ({'plain' if args.plain else 'realistic'} bodies); "
          f"{os.cpu_count()} cores; load average before: {load:.2f}")
    for name, (fastest, median, cpu) in results.items():
        print(f"briefs validate, {name} cache (whole command): fastest {fastest:.2f} s, median "
              f"{median:.2f} s wall; fastest {cpu:.2f} s CPU (target < 2 s)")
        print(f"  vs reading the files (fastest runs):           {fastest / t_read[0]:.1f}x")
        print(f"  vs PyYAML C loader, front matter only (fastest): {fastest / t_yaml[0]:.1f}x")
    if "cold" in results and "warm" in results:
        cold, warm = results["cold"], results["warm"]
        print(f"  warm / cold: {warm[0] / cold[0]:.3f} wall, {warm[2] / cold[2]:.3f} CPU")


if __name__ == "__main__":
    main()
