"""Generate a synthetic, valid corpus of N briefs for benchmarks.

Usage: ``python benchmarks/gen_corpus.py OUT_DIR N [--words W] [--seed S] [--realistic]``
(OUT_DIR becomes the content folder, with ``themes.yml`` and ``regions.yml``).
The same arguments always give the same files. ``--realistic`` gives each body what real
briefs hold besides prose: a web link and a link to a section, an image with a caption
(one small PNG per country folder), a table, inline HTML (``<abbr>``, ``<sup>``), a
footnote; these are what make validation render a body to check its HTML.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from pathlib import Path

THEMES = [
    ("national-dialogue", "National dialogue"),
    ("legal-frameworks", "Anchoring social protection in law"),
    ("financing", "Financing"),
    ("administration", "Administration and delivery"),
    ("culture-of-social-protection", "Culture of social protection"),
    ("migrants-informal-rural", "Migrants, informal and rural workers"),
    ("children", "Children"),
    ("maternity", "Maternity"),
    ("climate-change", "Climate change"),
    ("unemployment", "Unemployment"),
    ("disability", "Disability"),
    ("older-persons", "Older persons"),
    ("employment-injury", "Employment injury"),
    ("health", "Health"),
]
COUNTRIES = [
    "MOZ", "PAK", "KHM", "IND", "PSE", "TLS", "CPV", "LAO", "COL", "ZMB", "IDN", "THA", "VNM",
    "KGZ", "MMR", "PHL", "BRA", "ZAF", "BOL", "ECU", "MNG", "CHN", "BEL", "URY", "FRA", "ARG",
    "EGY", "ROU", "SLV", "LSO", "TTO", "BGD", "MYS", "RWA", "CMR", "HND", "MWI", "NER", "PRY",
    "SEN", "TGO", "NPL", "GHA", "KEN", "ETH", "TZA", "UGA", "PER", "MEX", "JOR",
]
WORDS = (
    "social protection floor coverage benefit scheme contribution pension health insurance "
    "workers informal rural older persons children maternity disability unemployment "
    "employment injury national dialogue strategy law reform administration delivery "
    "registration payment financing budget fiscal space actuarial valuation tripartite "
    "government employers organizations civil society partners programme implementation "
    "monitoring evaluation capacity building extension universal adequate sustainable "
    "rights-based approach households beneficiaries transfers grants allowance services"
).split()


def _vocabulary(size: int = 6000) -> tuple[list[str], list[float]]:
    """Return a fixed vocabulary and cumulative Zipf weights, so word frequencies look like
    real prose (a few very common words, a long tail) rather than every word in every brief."""
    rng = random.Random(12345)
    syllables = ["ba", "co", "de", "fi", "ga", "hu", "ki", "lo", "ma", "ne", "po", "ra", "si",
                 "ta", "vu", "ze", "lan", "mor", "tis", "ven", "dra", "pel", "qua", "ston"]
    words = list(dict.fromkeys(
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)))
    for rank, word in enumerate(WORDS):  # domain words spread over the frequency range
        words.insert(min(len(words), 3 + rank * 37), word)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 8)
        cumulative.append(total)
    return words, cumulative


VOCABULARY, CUMULATIVE = _vocabulary()


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=n)
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, n_words: int) -> str:
    out, left = [], n_words
    while left > 0:
        size = min(left, rng.randint(12, 24))
        out.append(_sentence(rng, size))
        left -= size
    return " ".join(out)


def _body(rng: random.Random, words: int, realistic: bool = False) -> str:
    sections = ["Context", "What was achieved", "How it was done", "Lessons"]
    per_section = max(words // len(sections), 20)
    parts: list[str] = []
    for number, section in enumerate(sections):
        parts.append(f"## {section}\n")
        parts.append(_paragraph(rng, per_section - 15) + "\n")
        if number == 1:
            parts.append("".join(f"- {_sentence(rng, 5)}\n" for _ in range(3)))
        if number == 2:
            parts.append("| Year | Households |\n|---|---|\n| 2008 | 183,000 |\n| 2015 | 535,000 |\n")
        if realistic and number == 0:
            parts.append(f"The <abbr title=\"International Labour Organization\">ILO</abbr> "
                         f"[law](https://example.org/law/{rng.randint(1, 999)}) of 2016 "
                         f"set the rules<sup>1</sup>; see [the lessons](#lessons).[^1]\n")
            parts.append(f"![Households covered, 2008 to 2015](img/chart.png)\n\n"
                         f"*Figure 1. {_sentence(rng, 6)}*\n")
    if realistic:
        parts.append(f"[^1]: {_sentence(rng, 8)}\n")
    return "\n".join(parts)


def _chart_png() -> bytes:
    """A small valid PNG (the same bytes in every country folder)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + bytes([30, 90, 120]) * 16 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SCRATCH = Path(__file__).resolve().parent.parent / ".benchmarks" / "tmp"


def use_scratch_tempdir() -> Path:
    """Put the benchmarks' temporary projects in ``.benchmarks/tmp/`` (or ``$BENCH_TMPDIR``).

    Not the system temporary folder: on the machines this project is developed on, creating
    files under ``/tmp`` costs about ten times what it costs elsewhere on the same disk
    (something watches it), which would weigh on whichever side of a comparison writes more
    files (a site with a search index writes about a thousand more per thousand briefs).
    """
    folder = Path(os.environ.get("BENCH_TMPDIR") or SCRATCH)
    folder.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(folder)
    return folder


def generate(root: Path, n: int, words: int = 400, seed: int = 0, realistic: bool = False
             ) -> None:
    """Write ``n`` valid briefs of about ``words`` body words, plus vocabularies, into ``root``
    (``realistic``: with links, an image, inline HTML and a footnote, see the module doc)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "themes.yml").write_text(
        "".join(f"- id: {i}\n  title: {t}\n  description: Briefs on {t.lower()}.\n"
                for i, t in THEMES), encoding="utf-8")
    (root / "regions.yml").write_text(
        "- id: sahel\n  title: Sahel\n  countries: [BFA, TCD, MLI, MRT, NER, SEN]\n"
        "- id: south-east-asia\n  title: South-East Asia\n  countries: [KHM, IDN, LAO, MMR, PHL, THA, VNM, TLS]\n",
        encoding="utf-8")
    for i in range(n):
        countries = rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2, 3]))
        themes = rng.sample([t for t, _ in THEMES], rng.choice([1, 2, 2, 3]))
        date = f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        slug = f"{countries[0].lower()}-brief-{i:05d}"
        summary = _paragraph(rng, rng.randint(30, 60))
        text = (
            "---\n"
            f"title: {_sentence(rng, 6)[:-1]} ({i})\n"
            f"countries: [{', '.join(countries)}]\n"
            f"themes: [{', '.join(themes)}]\n"
            f"date: {date}\n"
            f"summary: {summary}\n"
            "authors: Synthetic Author\n"
            "---\n" + _body(rng, words, realistic)
        )
        folder = root / countries[0].lower()
        if not folder.is_dir():
            folder.mkdir()
            if realistic:
                (folder / "img").mkdir()
                (folder / "img" / "chart.png").write_bytes(_chart_png())
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--realistic", action="store_true")
    args = parser.parse_args()
    generate(args.out, args.n, args.words, args.seed, args.realistic)


if __name__ == "__main__":
    main()
