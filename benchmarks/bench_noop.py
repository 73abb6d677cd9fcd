"""Benchmark the no-op build: ``briefs build`` when no input changed since the last build.

Usage: ``python benchmarks/bench_noop.py [--briefs 1000] [--repeat 5]``

Builds a synthetic project once with the search index (PDFs off), then times the whole
``briefs build --no-pdf`` command again (a fresh process: start-up, imports, the input
fingerprint and the site check) ``--repeat`` times, side by side with the baseline of a
bare ``python -c "import site_builder.cli"`` start-up and a bare ``python -c pass``.
Target: under 0.5 s at 1,000 briefs, with ``site/`` untouched (every file's size and
modification time checked after the runs). Both sides run with bytecode caching on
(``PYTHONDONTWRITEBYTECODE`` unset), as an installed package has it: otherwise every run
would compile the package's modules again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_site import _project  # noqa: E402
from gen_corpus import use_scratch_tempdir  # noqa: E402

from site_builder.up_to_date import site_manifest  # noqa: E402


def _run(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run a command; return its wall time, its CPU time (user + system) and its output."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CI"] = "1"
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{' '.join(command)} failed:\n{text}")
    return elapsed, usage.ru_utime + usage.ru_stime, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=use_scratch_tempdir()) as tmp:
        project = _project(Path(tmp) / "p", args.briefs, search=True)
        build = [sys.executable, "-m", "site_builder", "build", "--no-pdf"]
        cold, _cpu, _out = _run(build, project)
        before = site_manifest(project / "site")
        noop: list[tuple[float, float]] = []
        startup: list[tuple[float, float]] = []
        python: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            python.append(_run([sys.executable, "-c", "pass"], project)[:2])
            startup.append(_run([sys.executable, "-c", "import site_builder.cli"], project)[:2])
            seconds, cpu, out = _run(build, project)
            assert "nothing changed" in out, out
            noop.append((seconds, cpu))
        assert site_manifest(project / "site") == before, "the no-op build changed site/"
    walls = sorted(w for w, _ in noop)
    print(f"{args.briefs} briefs ({len(before)} files in site/, untouched): cold build {cold:.2f} s; "
          f"no-op build {walls[0]:.2f} s fastest, {walls[len(walls) // 2]:.2f} s median "
          f"(CPU {min(c for _, c in noop):.2f} s), {walls[0] / cold:.1%} of the cold build; "
          f"start-up: import site_builder.cli {min(w for w, _ in startup):.2f} s "
          f"(CPU {min(c for _, c in startup):.2f} s), python -c pass {min(w for w, _ in python):.2f} s "
          f"(CPU {min(c for _, c in python):.2f} s) (target < 0.5 s)")


if __name__ == "__main__":
    main()
