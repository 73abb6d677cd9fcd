"""Benchmark ``briefs bundle``: a pack of N briefs from cached PDFs vs rendering those briefs.

Usage: ``python benchmarks/bench_bundle.py [--briefs 100] [--jobs 2] [--words 1800]``

1. Renders N synthetic briefs into the PDF cache (timed: the baseline).
2. Builds one pack of all N from the cache in a fresh process (timed), reporting the
   ratio to the render time (target ≤ 5%) and the process's peak memory (target < 500 MB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_corpus import generate, use_scratch_tempdir

PROJECT = Path(__file__).resolve().parent.parent

_PACK = r"""
import json, resource, sys, time
from pathlib import Path
from site_builder.bundle import Cover, Selection, make_bundle
from site_builder.corpus import load_corpus
from site_builder.index import build_index
from site_builder.settings import Settings
root, cache, out, project = map(Path, sys.argv[1:5])
start = time.perf_counter()
corpus, _ = load_corpus(root)
index = build_index(corpus)
settings = Settings(project_dir=project, cache_dir=str(cache))
from site_builder.settings import with_pdf
settings = with_pdf(settings, overflow="warn")
info = make_bundle(index, settings, Selection(slugs=tuple(b.slug for b in index.briefs), order="listed"),
                   Cover("Benchmark pack"), out, jobs=1)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "pages": info.pages}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--words", type=int, default=1800,
                        help="body words per brief (default: a full four-page brief, as in bench_pdf)")
    args = parser.parse_args()
    use_scratch_tempdir()
    from site_builder.corpus import load_corpus
    from site_builder.pdf import render_all
    from site_builder.settings import Settings, with_pdf

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "briefs"
        generate(root, args.briefs, words=args.words)
        cache = Path(tmp) / "cache"
        settings = with_pdf(Settings(project_dir=PROJECT, cache_dir=str(cache)),
                            overflow="warn")
        corpus, _ = load_corpus(root)
        start = time.perf_counter()
        report = render_all(corpus, settings, None, jobs=args.jobs)
        render_seconds = time.perf_counter() - start
        assert len(report.results) == args.briefs, report.findings[:3]
        result = subprocess.run(
            [sys.executable, "-c", _PACK, str(root), str(cache), str(Path(tmp) / "pack.pdf"), str(PROJECT)],
            capture_output=True, text=True, check=True)
        pack = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"briefs: {args.briefs} of ~{args.words} words, pack pages: {pack['pages']}")
    print(f"render the briefs ({args.jobs} jobs): baseline")
    print(f"pack from the cache: {pack['seconds'] / render_seconds:.1%} of the render time (target ≤ 5%)")
    print(f"pack peak memory: {pack['peak_mb']:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
