"""Run every benchmark, one after another, and print their reports (ratios to baselines).

Usage: ``python benchmarks/run_all.py [--quick]`` — ``--quick`` uses smaller corpora
(a smoke run, not the issue's figures).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL: list[list[str]] = [
    ["bench_validate.py"],
    ["bench_site.py"],
    ["bench_pdf.py"],
    ["bench_bundle.py"],
    ["bench_search.py"],
    ["bench_noop.py"],
    ["bench_languages.py"],
    ["bench_pages.py"],
    ["bench_build.py", "--timeline"],
]
QUICK: list[list[str]] = [
    ["bench_validate.py", "--briefs", "2000", "--repeat", "1"],
    ["bench_site.py", "--sizes", "200", "400", "--repeat", "1"],
    ["bench_pdf.py", "--briefs", "20", "--sample", "5"],
    ["bench_bundle.py", "--briefs", "20"],
    ["bench_search.py", "--briefs", "1000", "--build-briefs", "200"],
    ["bench_noop.py", "--briefs", "200", "--repeat", "2"],
    ["bench_languages.py", "--briefs", "200", "--repeat", "1"],
    ["bench_pages.py", "--repeat", "1"],
    ["bench_build.py", "--briefs", "12", "--repeat", "1"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    failed = 0
    for command in QUICK if args.quick else FULL:
        print(f"== {' '.join(command)}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], check=False)
        failed += result.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
