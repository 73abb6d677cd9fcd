"""The page meter's calibration: "room for about N words" and "cut about N words" hold on
real layouts (WeasyPrint renders of plain prose, read back as the renderer measures them)."""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from test_pdf import SITE, words

from site_builder.corpus import load_corpus
from site_builder.pdf.build import make_job, page_meter
from site_builder.pdf.html import brief_html
from site_builder.pdf.meter import FIXED_PAGES, WORDS_PER_PAGE, PageMeter, body_capacity
from site_builder.pdf.render import render_job
from site_builder.settings import Settings

pytestmark = pytest.mark.slow


def test_meter_arithmetic() -> None:
    meter = PageMeter.from_length(3.62, 4, 1000)
    assert meter.room == 240 and meter.words_to_cut == 0  # 0.38 page x 650, to tens
    assert meter.describe() == "3.6 of 4 pages (3 pages + 62 % of page 4): room for about 240 more words"
    over = PageMeter.from_length(4.5, 4, 2400)
    assert over.words_to_cut == 330 and over.room == 0
    assert over.describe() == ("4.5 of 4 pages (4 pages + 50 % of page 5): over the 4-page "
                               "budget: cut about 330 words")
    assert PageMeter.from_length(4.0, 4, 2000).describe().endswith(": full")
    assert PageMeter.from_length(0.95, 4, 10).shown_length == 1.0  # half up, not 0.9
    assert body_capacity(4) == round((4 - FIXED_PAGES) * WORDS_PER_PAGE) == 2060


def _example_words() -> list[str]:
    """The words of the English example briefs' plain paragraphs (real prose: the meter's
    words per page are calibrated on it; random long words fill pages faster)."""
    out: list[str] = []
    for path in sorted((PROJECT_ROOT / "briefs").glob("*/*.md")):
        head, body = path.read_text(encoding="utf-8").split("---", 2)[1:]
        if "\nlanguage:" in head:
            continue
        for block in body.split("\n\n"):
            block = block.strip()
            if block[:1].isalpha() and not any(c in block for c in "|[*!#"):
                out += block.split()
    return out


PROSE = _example_words()


def _prose(n_words: int) -> str:
    """Return a body of ``n_words`` words of real prose in paragraphs of 70."""
    chunk = (PROSE * (n_words // len(PROSE) + 1))[:n_words]
    return "## Context\n\n" + "\n\n".join(" ".join(chunk[i:i + 70]) for i in range(0, n_words, 70)) + "\n"


@pytest.fixture(scope="module")
def measure(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("meter")
    writer = CorpusWriter(root / "briefs")
    settings = Settings(project_dir=root, site_url=SITE)

    def length_of(n_words: int, long_words: bool = False) -> tuple[PageMeter, float]:
        writer.brief("moz/moz-m.md", body=_long_words(n_words) if long_words else _prose(n_words))
        corpus, _ = load_corpus(settings.content_root, cwd=root)
        brief = corpus.get("moz-m")
        assert brief is not None
        length = render_job(make_job(brief, brief_html(brief, corpus, settings), settings)).length
        return page_meter(brief, length, settings), length

    return length_of


@pytest.mark.parametrize("n_words", [800, 1600])
def test_room_for_n_words_takes_n_words(measure, n_words: int) -> None:  # type: ignore[no-untyped-def]
    meter, _ = measure(n_words)
    assert meter.state in ("ok", "underfill") and meter.room > 300
    _, length = measure(n_words + meter.room)
    assert length <= 4, f"told room for {meter.room} more words; with them it runs to {length}"
    assert length >= 4 - 0.1 * meter.room / WORDS_PER_PAGE - 0.25, (meter.room, length)  # near full


def _long_words(n_words: int) -> str:
    """Return ``n_words`` of the tests' vocabulary (7.9 characters a word, against 6.2)."""
    return "## Context\n\n" + "\n\n".join(words(70, seed=i) for i in range(n_words // 70)) + "\n"


def test_longer_words_fill_a_page_sooner(measure) -> None:  # type: ignore[no-untyped-def]
    meter, _ = measure(1750, long_words=True)
    assert meter.word_chars > 7.5 and meter.words_per_page < 0.85 * WORDS_PER_PAGE
    _, length = measure(1750 + round(meter.room * 0.9), long_words=True)
    assert length <= 4, (meter.room, length)
    over, _ = measure(2800, long_words=True)  # within 10 %: cutting 10 % more always fits
    _, cut = measure(2800 - round(over.words_to_cut * 1.1), long_words=True)
    assert cut <= 4, (over.words_to_cut, cut)


@pytest.mark.parametrize("n_words", [2450, 2700, 3150])
def test_cutting_the_words_to_cut_fits(measure, n_words: int) -> None:  # type: ignore[no-untyped-def]
    meter, _ = measure(n_words)
    assert meter.state == "overflow" and meter.words_to_cut > 0
    _, length = measure(n_words - meter.words_to_cut)
    assert length <= 4, f"told to cut {meter.words_to_cut} words; cut, it runs to {length}"
    if meter.length - meter.budget > 0.3:  # past the back matter's jump (see meter.py)
        # Not far too many: cutting 15 % fewer words than it says still overflows.
        _, short_cut = measure(n_words - round(meter.words_to_cut * 0.85))
        assert short_cut > 4, (meter.words_to_cut, short_cut)


