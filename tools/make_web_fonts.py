"""Regenerate the site's WOFF2 web fonts from the PDF fonts (``site_builder/theme/fonts/``).

Usage::

    python tools/make_web_fonts.py            # writes site_builder/theme/assets/fonts/*.woff2
                                              # and the @font-face rules of briefs.css
    python tools/make_web_fonts.py --check    # exit 1 if a shipped file is missing or stale

The PDFs embed their own subsets of the full TTFs (WeasyPrint does that per document);
the web site gets small WOFF2 files instead (fontTools, Brotli-compressed), and only four
faces (:data:`FACES`): sans regular and bold for the page shell, headings, labels and bold
words; serif regular and italic for running text. A browser synthesises the rest (a sans
italic, a serif bold) in the rare places a page asks for them, so a brief page fetches at
most four faces, and most pages three.

Each face is split in two by ``unicode-range``: :data:`CORE_RANGES`, every character of
English, French, Spanish and Portuguese text (Latin-1, œ, typographic punctuation, the
narrow no-break space of French numbers, the euro sign), and the rest of
:data:`UNICODE_RANGES` (Latin Extended-A for country names such as "Türkiye" and
"Łódź", rarer punctuation) in a ``-ext`` file a browser fetches only for a page that
shows one of those characters. Hinting is dropped (modern phones do not use it);
OpenType layout (kerning, ligatures) is kept. The output is deterministic for a given
fontTools and Brotli: the fonts' timestamps are left as they are.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

THEME = Path(__file__).resolve().parent.parent / "site_builder" / "theme"
SOURCE = THEME / "fonts"
TARGET = THEME / "assets" / "fonts"
STYLESHEET = THEME / "assets" / "stylesheets" / "briefs.css"

FACES: dict[str, tuple[str, str, int]] = {
    "NotoSans-Regular": ("Noto Sans", "normal", 400),
    "NotoSans-Bold": ("Noto Sans", "normal", 700),
    "NotoSerif-Regular": ("Noto Serif", "normal", 400),
    "NotoSerif-Italic": ("Noto Serif", "italic", 400),
}
"""The faces the site's CSS declares: file stem (the same in both folders) → (family,
style, weight)."""

UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x0192, 0x0192),  # ƒ
    (0x0218, 0x021B),  # Ș ș Ț ț (Romanian names)
    (0x02BC, 0x02BC),  # modifier apostrophe
    (0x02C6, 0x02C7),  # ˆ ˇ
    (0x02D8, 0x02DD),  # ˘ ˙ ˚ ˛ ˜ ˝
    (0x2000, 0x200B),  # spaces, zero-width space
    (0x2010, 0x2027),  # dashes, quotes, daggers, bullet, ellipsis
    (0x202F, 0x2030),  # narrow no-break space (French thousands), per mille
    (0x2032, 0x203A),  # primes, single guillemets
    (0x2044, 0x2044),  # fraction slash
    (0x2060, 0x2060),  # word joiner
    (0x20AC, 0x20AC),  # euro
    (0x2116, 0x2116),  # numero
    (0x2122, 0x2122),  # trade mark
)
"""The code points the web fonts keep (inclusive ranges); every face has each of them
(the script refuses a range a face lacks, so ``unicode-range`` never promises a glyph
that is not there). Arrows and maths signs are not in these Noto builds: a browser
draws them with a system font."""

CORE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: French, Spanish, Portuguese letters, « »
    (0x0152, 0x0153),  # Œ œ (French)
    (0x0178, 0x0178),  # Ÿ
    (0x2013, 0x2014),  # en and em dashes
    (0x2018, 0x201E),  # typographic quotes
    (0x2022, 0x2022),  # bullet
    (0x2026, 0x2026),  # ellipsis
    (0x202F, 0x202F),  # narrow no-break space
    (0x2039, 0x203A),  # single guillemets
    (0x20AC, 0x20AC),  # euro
)
"""The part of :data:`UNICODE_RANGES` in each face's main file (the one a page fetches)."""

BEGIN = "/* @font-face rules: written by tools/make_web_fonts.py, do not edit. */"
END = "/* End of the @font-face rules. */"


def _ranges(points: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Return sorted code points as inclusive ranges."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(set(points)):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return tuple(ranges)


def codepoints(ranges: tuple[tuple[int, int], ...] = UNICODE_RANGES) -> list[int]:
    """Return every code point of ``ranges`` (default: all the web fonts keep), in order."""
    return [cp for first, last in ranges for cp in range(first, last + 1)]


SUBSETS: dict[str, tuple[tuple[int, int], ...]] = {
    "": CORE_RANGES,
    "-ext": _ranges(set(codepoints()) - set(codepoints(CORE_RANGES))),
}
"""Each face's files: file-name suffix → the code points it holds (the two cover
:data:`UNICODE_RANGES` and do not overlap)."""


def css_unicode_range(ranges: tuple[tuple[int, int], ...] = UNICODE_RANGES) -> str:
    """Return code point ranges as a CSS ``unicode-range`` value."""
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in ranges)


def font_face_rules() -> str:
    """Return the ``@font-face`` rules of every face and subset, between the markers."""
    rules = [BEGIN]
    for stem, (family, style, weight) in FACES.items():
        for suffix, ranges in SUBSETS.items():
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-style: {style}; '
                f"font-weight: {weight}; font-display: swap;\n"
                f'  src: url("../fonts/{stem}{suffix}.woff2") format("woff2");\n'
                f"  unicode-range: {css_unicode_range(ranges)}; }}")
    return "\n".join([*rules, END])


def with_font_faces(css: str) -> str:
    """Return a stylesheet with its generated ``@font-face`` block replaced by the current one."""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(css):
        raise SystemExit(f"{STYLESHEET.name} has no block between {BEGIN!r} and {END!r}")
    return pattern.sub(lambda _: font_face_rules(), css, count=1)


def make_woff2(source: Path, ranges: tuple[tuple[int, int], ...]) -> bytes:
    """Return the WOFF2 subset of one TTF to the code points of ``ranges``."""
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright, licence
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(source, recalcTimestamp=False)
    wanted = codepoints(ranges)
    lacking = sorted(set(wanted) - set(font.getBestCmap()))
    if lacking:
        raise SystemExit(f"{source.name} has no glyph for "
                         + ", ".join(f"U+{cp:04X}" for cp in lacking[:10]))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) every WOFF2, the licence and the CSS rules."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the shipped files")
    args = parser.parse_args(argv)
    TARGET.mkdir(parents=True, exist_ok=True)
    wanted = {f"{stem}{suffix}.woff2": make_woff2(SOURCE / f"{stem}.ttf", ranges)
              for stem in FACES for suffix, ranges in SUBSETS.items()}
    css = STYLESHEET.read_text(encoding="utf-8")
    if args.check:
        stale = [name for name, data in wanted.items()
                 if not (TARGET / name).is_file() or (TARGET / name).read_bytes() != data]
        stale += sorted({p.name for p in TARGET.glob("*.woff2")} - set(wanted))
        if with_font_faces(css) != css:
            stale.append(STYLESHEET.name)
        if stale:
            print("stale: " + ", ".join(stale) + " (run python tools/make_web_fonts.py)",
                  file=sys.stderr)
            return 1
        return 0
    for old in TARGET.glob("*.woff2"):
        if old.name not in wanted:
            old.unlink()
    for name, data in wanted.items():
        (TARGET / name).write_bytes(data)
        print(f"{(TARGET / name).relative_to(THEME)}: {len(data):,} bytes")
    shutil.copyfile(SOURCE / "OFL.txt", TARGET / "OFL.txt")
    STYLESHEET.write_text(with_font_faces(css), encoding="utf-8")
    print(f"{STYLESHEET.relative_to(THEME)}: @font-face rules written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
