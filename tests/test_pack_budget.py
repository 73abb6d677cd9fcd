"""Packs at scale (issue 11 #12): the size budget of the automatic packs, and parallel packs."""

from __future__ import annotations

import functools
import math
import operator
import os
import random
import signal
import time

import pytest

from site_builder.bundle.budget import DEFAULT_MAX_RATIO, PackCandidate, choose_packs
from site_builder.bundle.parallel import run_parallel
from site_builder.downloads import CountryPack, ThemePack
from site_builder.findings import BriefsError

KB = 1000


def pack(key: ThemePack | CountryPack, slugs: str, size_each: int = 20 * KB) -> PackCandidate:
    """A candidate from space-separated slugs, each brief ``size_each`` bytes and 4 pages."""
    members = tuple(slugs.split())
    return PackCandidate(key, members, 4 * len(members), size_each * len(members))


# -- choose_packs --------------------------------------------------------------------------

def test_everything_fits_everything_is_chosen() -> None:
    candidates = [pack(ThemePack("a"), "x y"), pack(CountryPack("moz"), "x y")]
    choice = choose_packs(candidates, brief_pdf_bytes=40 * KB)  # 80 kB of packs <= 120 kB
    assert choice.chosen == candidates and choice.skipped == []
    assert choice.limit == 120 * KB and choice.total == 80 * KB
    assert DEFAULT_MAX_RATIO == 3.0


def test_a_pack_with_the_same_briefs_as_another_is_skipped_first() -> None:
    candidates = [pack(ThemePack("a"), "x y z"), pack(CountryPack("moz"), "x y z"),
                  pack(CountryPack("bfa"), "w"), pack(ThemePack("b"), "w x")]
    # 60 + 60 + 20 + 40 = 180 kB over a budget of 2 x 80 kB = 160 kB
    choice = choose_packs(candidates, brief_pdf_bytes=80 * KB, max_ratio=2)
    assert [s.key for s in choice.skipped] == [CountryPack("moz")]
    assert "same briefs as pack of theme a" in choice.skipped[0].reason
    assert "packs_max_ratio" in choice.skipped[0].reason and "2×" in choice.skipped[0].reason
    assert [c.key for c in choice.chosen] == [ThemePack("a"), CountryPack("bfa"), ThemePack("b")]
    assert choice.total <= choice.limit


def test_then_the_most_overlapping_largest_packs_go() -> None:
    # Theme packs hold every brief once; country packs repeat them.
    candidates = [pack(ThemePack("a"), "p q r s"), pack(ThemePack("b"), "t u"),
                  pack(CountryPack("big"), "p q r s t u"), pack(CountryPack("one"), "p"),
                  pack(CountryPack("own"), "v")]
    # briefs: 7 x 20 kB = 140 kB; packs 80 + 40 + 120 + 20 + 20 = 280 kB; budget 1.5x = 210 kB
    choice = choose_packs(candidates, brief_pdf_bytes=140 * KB, max_ratio=1.5)
    assert [s.key for s in choice.skipped] == [CountryPack("big")]
    assert "every brief of it is in another pack" in choice.skipped[0].reason
    assert CountryPack("own") in [c.key for c in choice.chosen]  # its brief is in no other pack


def test_skipped_packs_that_fit_afterwards_are_taken_back_smallest_first() -> None:
    candidates = [pack(ThemePack("a"), "p q r s"), pack(CountryPack("x"), "p"),
                  pack(CountryPack("big"), "p q r s v")]
    # 80 + 20 + 100 = 200 kB; budget 1.2 x 100 kB = 120 kB. Every brief of x and of a is
    # elsewhere: x goes first (a country pack), then a (80 kB); that leaves room for x again.
    choice = choose_packs(candidates, brief_pdf_bytes=100 * KB, max_ratio=1.2)
    assert [c.key for c in choice.chosen] == [CountryPack("x"), CountryPack("big")]
    assert [s.key for s in choice.skipped] == [ThemePack("a")]
    assert choice.total == choice.limit == 120 * KB
    for skipped in choice.skipped:  # whatever was skipped did not fit in what was left
        assert choice.total + skipped.candidate.size > choice.limit


def test_theme_packs_are_kept_before_country_packs_of_equal_use() -> None:
    candidates = [pack(ThemePack("a"), "p q"), pack(ThemePack("b"), "r s"),
                  pack(CountryPack("x"), "p r"), pack(CountryPack("y"), "q s")]
    choice = choose_packs(candidates, brief_pdf_bytes=80 * KB, max_ratio=1)
    assert [c.key for c in choice.chosen] == [ThemePack("a"), ThemePack("b")]


def test_a_pack_larger_than_the_whole_budget_is_skipped_the_rest_kept() -> None:
    candidates = [pack(ThemePack("a"), "a b", 20 * KB),
                  PackCandidate(ThemePack("huge"), ("c",), 400, 5_000 * KB)]
    choice = choose_packs(candidates, brief_pdf_bytes=100 * KB)
    assert [c.key for c in choice.chosen] == [ThemePack("a")]
    assert [s.key for s in choice.skipped] == [ThemePack("huge")]
    assert "5.0 MB" in choice.skipped[0].reason and "300 kB" in choice.skipped[0].reason


def test_ratio_zero_none_and_bad_input() -> None:
    candidates = [pack(ThemePack("a"), "x"), pack(ThemePack("b"), "y")]
    assert choose_packs(candidates, 40 * KB, max_ratio=0).chosen == []
    assert len(choose_packs(candidates, 40 * KB, max_ratio=0).skipped) == 2
    assert choose_packs(candidates, 0, max_ratio=None).chosen == candidates
    assert choose_packs(candidates, 0, max_ratio=math.inf).chosen == candidates
    assert choose_packs([], 0).chosen == []
    with pytest.raises(ValueError, match="packs_max_ratio"):
        choose_packs(candidates, 40 * KB, max_ratio=-1)
    with pytest.raises(ValueError, match="packs_max_ratio"):
        choose_packs(candidates, 40 * KB, max_ratio=math.nan)
    with pytest.raises(ValueError, match="pack of theme a"):
        choose_packs([candidates[0], candidates[0]], 40 * KB)
    with pytest.raises(ValueError, match="negative"):
        choose_packs([PackCandidate(ThemePack("k"), ("x",), 4, -1)], 40 * KB)


def _scale_corpus(n_briefs: int = 200, n_countries: int = 50, per_brief: int = 50,
                  n_themes: int = 14, seed: int = 11) -> tuple[list[PackCandidate], int]:
    """The issue's case: 200 briefs with 50 countries each (and 2 themes each)."""
    rng = random.Random(seed)
    sizes = {f"b{i:03d}": rng.randint(15 * KB, 35 * KB) for i in range(n_briefs)}
    by_key: dict[ThemePack | CountryPack, list[str]] = {}
    for slug in sizes:
        for theme in rng.sample(range(n_themes), 2):
            by_key.setdefault(ThemePack(f"t{theme:02d}"), []).append(slug)
        for country in rng.sample(range(n_countries + 200), per_brief):
            by_key.setdefault(CountryPack(f"c{country:03d}"), []).append(slug)
    candidates = [PackCandidate(k, tuple(v), 4 * len(v), sum(sizes[s] for s in v))
                  for k, v in sorted(by_key.items(), key=lambda item: str(item[0]))]
    return candidates, sum(sizes.values())


def test_the_issues_scale_stays_within_three_times_the_brief_pdfs() -> None:
    candidates, briefs = _scale_corpus()
    assert sum(c.size for c in candidates) > 40 * briefs  # ~52x today
    choice = choose_packs(candidates, briefs)
    assert choice.total <= 3 * briefs == choice.limit
    assert choice.skipped and choice.chosen
    assert len(choice.chosen) + len(choice.skipped) == len(candidates)
    assert [c.key for c in choice.chosen] == [c.key for c in candidates if c in choice.chosen]
    assert all(s.reason for s in choice.skipped)
    assert choose_packs(candidates, briefs) == choice  # deterministic


def test_order_of_candidates_does_not_change_the_choice() -> None:
    candidates, briefs = _scale_corpus(n_briefs=60, per_brief=10, seed=3)
    shuffled = list(candidates)
    random.Random(5).shuffle(shuffled)
    a, b = choose_packs(candidates, briefs), choose_packs(shuffled, briefs)
    assert {c.key for c in a.chosen} == {c.key for c in b.chosen}
    assert {s.key: s.reason for s in a.skipped} == {s.key: s.reason for s in b.skipped}


# -- run_parallel --------------------------------------------------------------------------

def _slow_square(n: int) -> int:
    time.sleep(0.05 * (5 - n))  # later jobs finish first: results must still come in order
    return n * n


def _fail(message: str) -> None:
    raise BriefsError(message)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_run_parallel_returns_results_in_order() -> None:
    jobs = [(_slow_square, (n,)) for n in range(5)]
    assert run_parallel(jobs, workers=3) == [0, 1, 4, 9, 16]
    assert run_parallel([functools.partial(operator.add, 2, 3)], workers=4) == [5]
    assert run_parallel([], workers=4) == []
    assert run_parallel(jobs, workers=1) == [0, 1, 4, 9, 16]  # in this process


def test_run_parallel_raises_the_first_failure_and_a_dead_worker_clearly() -> None:
    jobs = [(_slow_square, (1,)), (_fail, ("pack b failed",)), (_fail, ("pack c failed",))]
    with pytest.raises(BriefsError, match="pack b failed"):
        run_parallel(jobs, workers=2)
    with pytest.raises(BriefsError, match="stopped unexpectedly"):
        run_parallel([(_die, ()), (_slow_square, (2,))], workers=2)


# -- wired into the site build ---------------------------------------------------------------

@pytest.mark.slow
def test_a_site_of_many_country_tags_keeps_its_packs_within_the_budget(tmp_path, monkeypatch) -> None:
    """Ten briefs tagged with twelve countries each: 120 country-brief pairs, few pack bytes."""
    import site_builder.bundle

    # The budget spares a small site's packs (under 10 MB in all): this one is small on purpose.
    monkeypatch.setattr(site_builder.bundle, "PACKS_FREE_BYTES", 0)
    from conftest import CorpusWriter
    from fixtures_site import make_project

    from site_builder.build import build_site
    from site_builder.settings import load_settings

    project = make_project(tmp_path / "project")
    writer = CorpusWriter(project / "briefs")
    countries = ["MOZ", "ZMB", "MWI", "TZA", "KEN", "UGA", "RWA", "ETH", "GHA", "SEN", "NER", "TGO",
                 "CMR", "BFA", "MLI", "TCD", "BEN", "CIV"]
    for i in range(10):
        tags = ", ".join(countries[i:i + 12])
        writer.brief(f"x/brief-{i}.md", title=f"Brief {i}", countries=f"[{tags}]",
                     themes="[health]" if i % 2 else "[older-persons]")
    report = build_site(load_settings(project), jobs=2)
    site = report.site
    briefs = sum(p.stat().st_size for p in (site / "pdf").glob("*.pdf"))
    automatic = [p for p in (site / "bundles").rglob("*.pdf")
                 if p.parent.name in ("themes", "countries")]
    assert sum(p.stat().st_size for p in automatic) <= 3 * briefs
    assert report.stats.packs_skipped > 0 and report.stats.packs == len(automatic)
    assert "automatic packs skipped" in report.summary()
    # The theme packs survive: they are how the collection is organised.
    assert {p.stem for p in (site / "bundles" / "themes").glob("*.pdf")} == {"health", "older-persons"}
