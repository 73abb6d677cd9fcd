"""Regenerate the site's WOFF2 web fonts from the PDF fonts (``site_builder/theme/fonts/``).

Usage::

    python tools/make_web_fonts.py            # writes site_builder/theme/assets/fonts/*.woff2
    python tools/make_web_fonts.py --check    # exit 1 if a shipped file is missing or stale

The PDFs embed their own subsets of the full TTFs (WeasyPrint does that per document);
the web site gets small WOFF2 files instead (fontTools, Brotli-compressed): only the faces
the site's CSS uses (no bold italics: a browser slants the bold if a page ever needs one),
subset to :data:`UNICODE_RANGES`, the characters of English, French, Spanish and
Portuguese text, the programme's country names (Latin-1 and Latin Extended-A: "Côte
d'Ivoire", "Türkiye", "São Tomé and Príncipe"), typographic punctuation, the narrow
no-break space French numbers use, and the euro sign. Hinting is dropped (modern phones
do not use it); OpenType layout (kerning, ligatures) is kept. The output is deterministic
for a given fontTools and Brotli: the fonts' timestamps are left as they are.

``briefs.css`` declares each face with the same ``unicode-range``, so a browser never
fetches a face for a character it lacks (it falls back to a system font for those).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

THEME = Path(__file__).resolve().parent.parent / "site_builder" / "theme"
SOURCE = THEME / "fonts"
TARGET = THEME / "assets" / "fonts"

FACES: tuple[str, ...] = (
    "NotoSans-Regular", "NotoSans-Italic", "NotoSans-Bold",
    "NotoSerif-Regular", "NotoSerif-Italic", "NotoSerif-Bold",
)
"""The faces the site's CSS declares (file stems, the same in both folders)."""

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
"""The code points every web font keeps (inclusive ranges); every face has each of them
(the script refuses a range a face lacks, so ``unicode-range`` never promises a glyph
that is not there). Arrows and maths signs are not in these Noto builds: a browser
draws them with a system font."""


def codepoints() -> list[int]:
    """Return every code point of :data:`UNICODE_RANGES`, in order."""
    return [cp for first, last in UNICODE_RANGES for cp in range(first, last + 1)]


def css_unicode_range() -> str:
    """Return :data:`UNICODE_RANGES` as a CSS ``unicode-range`` value."""
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in UNICODE_RANGES)


def make_woff2(source: Path) -> bytes:
    """Return the WOFF2 subset of one TTF."""
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright, licence
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(source, recalcTimestamp=False)
    lacking = sorted(set(codepoints()) - set(font.getBestCmap()))
    if lacking:
        raise SystemExit(f"{source.name} has no glyph for "
                         + ", ".join(f"U+{cp:04X}" for cp in lacking[:10]))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, compare) every face's WOFF2 and the licence beside them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the shipped files")
    args = parser.parse_args(argv)
    TARGET.mkdir(parents=True, exist_ok=True)
    stale: list[str] = []
    for face in FACES:
        data = make_woff2(SOURCE / f"{face}.ttf")
        target = TARGET / f"{face}.woff2"
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(target.name)
            continue
        target.write_bytes(data)
        print(f"{target.relative_to(THEME)}: {len(data):,} bytes")
    if not args.check:
        shutil.copyfile(SOURCE / "OFL.txt", TARGET / "OFL.txt")
        print(f"unicode-range: {css_unicode_range()}")
    if stale:
        print("stale: " + ", ".join(stale) + " (run python tools/make_web_fonts.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
