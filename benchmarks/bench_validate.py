"""Benchmark ``briefs validate`` on a synthetic corpus (default 10,000 briefs).

Usage: ``python benchmarks/bench_validate.py [--briefs 10000] [--repeat 5] [--plain]``

By default the bodies are realistic (a link, an image with a caption, a table, inline HTML,
a footnote: see ``gen_corpus.py``), so the check of each body's rendered HTML is measured;
``--plain`` gives the prose-and-table bodies of the first version of this benchmark.

Reports the whole command's wall time (process start included) against two baselines
run side by side on the same files: reading every file, and PyYAML's C loader parsing
every front matter. The issue's target: under 2 s for 10,000 briefs on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plain", action="store_true",
                        help="bodies without links, images or inline HTML")
    args = parser.parse_args()
    use_scratch_tempdir()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
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
            result = subprocess.run([sys.executable, "-m", "site_builder", "validate", str(root)],
                                    capture_output=True, text=True, check=False)
            assert result.returncode == 0, result.stdout[-2000:]

        t_read = _time(read_all, args.repeat)
        t_yaml = _time(yaml_all, args.repeat)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t_validate = _time(validate, args.repeat)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / args.repeat
    print(f"briefs: {args.briefs} ({'plain' if args.plain else 'realistic'} bodies)")
    print(f"briefs validate (whole command): fastest {t_validate[0]:.2f} s, median "
          f"{t_validate[1]:.2f} s wall; {cpu:.2f} s CPU per run over {os.cpu_count()} cores; "
          f"load average before: {load:.2f} (target < 2 s)")
    print(f"  vs reading the files (fastest runs):           {t_validate[0] / t_read[0]:.1f}x")
    print(f"  vs PyYAML C loader, front matter only (fastest): {t_validate[0] / t_yaml[0]:.1f}x")


if __name__ == "__main__":
    main()
