"""Benchmark the no-op build: ``briefs build`` when no input changed since the last build.

Usage: ``python benchmarks/bench_noop.py [--briefs 1000] [--repeat 5]``

Builds a synthetic project once with the search index (PDFs off), then times the whole
``briefs build --no-pdf`` command again (a fresh process: start-up, imports, the input
fingerprint and the site check) ``--repeat`` times, side by side with the baseline of a
bare ``python -c "import site_builder.cli"`` start-up. Target: under 0.5 s at 1,000 briefs,
with ``site/`` untouched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_site import _project  # noqa: E402
from gen_corpus import use_scratch_tempdir  # noqa: E402


def _run(command: list[str], cwd: Path) -> tuple[float, str]:
    env = {**os.environ, "CI": "1"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(dir=use_scratch_tempdir()) as tmp:
        project = _project(Path(tmp) / "p", args.briefs, search=True)
        build = [sys.executable, "-m", "site_builder", "build", "--no-pdf"]
        cold, _ = _run(build, project)
        noop, startup = [], []
        for _ in range(args.repeat):
            startup.append(_run([sys.executable, "-c", "import site_builder.cli"], project)[0])
            seconds, out = _run(build, project)
            assert "nothing changed" in out, out
            noop.append(seconds)
        files = sum(len(f) for _, _, f in os.walk(project / "site"))
    best, base = min(noop), min(startup)
    print(f"{args.briefs} briefs ({files} files in site/): cold build {cold:.2f} s; no-op build "
          f"{best:.2f} s (median {sorted(noop)[len(noop) // 2]:.2f} s), {best / cold:.1%} of the "
          f"cold build; bare start-up {base:.2f} s (target < 0.5 s)")


if __name__ == "__main__":
    main()
