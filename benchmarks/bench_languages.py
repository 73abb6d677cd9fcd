"""Benchmark a three-language site build against a one-language build of the same briefs.

Usage: ``python benchmarks/bench_languages.py [--briefs 1000] [--repeat 3] [--search]``

A synthetic corpus (``gen_corpus.generate``) gets a fifth of its briefs in French and a
fifth in Spanish, a tenth of them translations of the brief before, and vocabularies in
all three languages. The same project is built (``briefs build --no-pdf``, fresh
processes, alternately) with ``languages: [en]`` and with ``languages: [en, fr, es]``;
the fastest of ``--repeat`` runs counts, wall and CPU. Brief pages are rendered once
either way; only listing pages and feeds multiply. Target: three languages ≤ 1.5× one.
Search is off by default (as in ``bench_site.py``); ``--search`` indexes with Pagefind too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_site import Run, _time  # noqa: E402
from gen_corpus import THEMES, generate, use_scratch_tempdir  # noqa: E402


def _multilingual(root: Path) -> None:
    """Put a fifth of the briefs in French, a fifth in Spanish, some as translations."""
    files = sorted(root.rglob("*.md"))
    previous: str | None = None
    for i, path in enumerate(files):
        language = "fr" if i % 5 == 1 else "es" if i % 5 == 2 else None
        if language:
            text = path.read_text(encoding="utf-8")
            extra = f"language: {language}\n"
            if i % 10 == 1 and previous:
                extra += f"translation_of: {previous}\n"
            path.write_text(re.sub(r"^(date: .*\n)", r"\1" + extra, text, count=1, flags=re.M),
                            encoding="utf-8")
        previous = path.stem
    themes = [{"id": i, "title": {"en": t, "fr": f"{t} (fr)", "es": f"{t} (es)"},
               "description": {"en": f"Briefs on {t.lower()}.", "fr": f"Notes ({t.lower()}).",
                               "es": f"Notas ({t.lower()})."}} for i, t in THEMES]
    (root / "themes.yml").write_text(yaml.safe_dump(themes, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    (root / "regions.yml").write_text(
        "- id: sahel\n  title: {en: Sahel, fr: Sahel, es: Sahel}\n"
        "  countries: [BFA, TCD, MLI, MRT, NER, SEN]\n"
        "- id: south-east-asia\n  title: {en: South-East Asia, fr: Asie du Sud-Est, "
        "es: Asia Sudoriental}\n  countries: [KHM, IDN, LAO, MMR, PHL, THA, VNM, TLS]\n",
        encoding="utf-8")


def _project(target: Path, briefs: Path, languages: list[str], search: bool) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(briefs, target / "briefs")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"briefs": {"pdf": {"enabled": False}, "search": search,
                                     "bundles": False, "languages": languages}}]
    if not search:
        config["nav"] = [item for item in config["nav"] if "Search" not in item]
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="Index with Pagefind too.")
    args = parser.parse_args()
    use_scratch_tempdir()
    work = Path(tempfile.mkdtemp(prefix="bench-languages-"))
    try:
        corpus = work / "corpus"
        generate(corpus, args.briefs)
        _multilingual(corpus)
        one = _project(work / "one", corpus, ["en"], args.search)
        three = _project(work / "three", corpus, ["en", "fr", "es"], args.search)
        # --force: a second run would find nothing changed; each run converts every page.
        command = [sys.executable, "-m", "site_builder", "build", "--no-pdf", "--force"]
        runs: dict[str, list[Run]] = {"one": [], "three": []}
        for _ in range(args.repeat):
            for name, project in (("one", one), ("three", three)):
                shutil.rmtree(project / ".cache" / "briefs" / "conversions", ignore_errors=True)
                runs[name].append(_time(command, project))
        best = {k: (min(r.wall for r in v), min(r.cpu for r in v)) for k, v in runs.items()}
        pages = {k: sum(1 for _ in (work / k / "site").rglob("index.html")) for k in runs}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (w1, c1), (w3, c3) = best["one"], best["three"]
    print(f"{args.briefs} briefs{' with search' if args.search else ''}: one language "
          f"{w1:.2f} s (CPU {c1:.2f} s, {pages['one']} pages), three languages {w3:.2f} s "
          f"(CPU {c3:.2f} s, {pages['three']} pages): {w3 / w1:.2f}x wall, {c3 / c1:.2f}x CPU "
          "(target <= 1.5x)")
    print(f"({os.cpu_count()} cores; the fastest of {args.repeat} runs each)")


if __name__ == "__main__":
    main()
