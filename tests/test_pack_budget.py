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
from site_builder.findings import BriefsError

KB = 1000


def pack(key: str, slugs: str, size_each: int = 20 * KB) -> PackCandidate:
    """A candidate from space-separated slugs, each brief ``size_each`` bytes and 4 pages."""
    members = tuple(slugs.split())
    return PackCandidate(key, members, 4 * len(members), size_each * len(members))


# -- choose_packs --------------------------------------------------------------------------

def test_everything_fits_everything_is_chosen() -> None:
    candidates = [pack("bundle:theme:a", "x y"), pack("bundle:country:moz", "x y")]
    choice = choose_packs(candidates, brief_pdf_bytes=40 * KB)  # 80 kB of packs <= 120 kB
    assert choice.chosen == candidates and choice.skipped == []
    assert choice.limit == 120 * KB and choice.total == 80 * KB
    assert DEFAULT_MAX_RATIO == 3.0


def test_a_pack_with_the_same_briefs_as_another_is_skipped_first() -> None:
    candidates = [pack("bundle:theme:a", "x y z"), pack("bundle:country:moz", "x y z"),
                  pack("bundle:country:bfa", "w"), pack("bundle:theme:b", "w x")]
    # 60 + 60 + 20 + 40 = 180 kB over a budget of 2 x 80 kB = 160 kB
    choice = choose_packs(candidates, brief_pdf_bytes=80 * KB, max_ratio=2)
    assert [s.key for s in choice.skipped] == ["bundle:country:moz"]
    assert "same briefs as bundle:theme:a" in choice.skipped[0].reason
    assert "packs_max_ratio" in choice.skipped[0].reason and "2×" in choice.skipped[0].reason
    assert [c.key for c in choice.chosen] == ["bundle:theme:a", "bundle:country:bfa", "bundle:theme:b"]
    assert choice.total <= choice.limit


def test_then_the_most_overlapping_largest_packs_go() -> None:
    # Theme packs hold every brief once; country packs repeat them.
    candidates = [pack("bundle:theme:a", "p q r s"), pack("bundle:theme:b", "t u"),
                  pack("bundle:country:big", "p q r s t u"), pack("bundle:country:one", "p"),
                  pack("bundle:country:own", "v")]
    # briefs: 7 x 20 kB = 140 kB; packs 80 + 40 + 120 + 20 + 20 = 280 kB; budget 1.5x = 210 kB
    choice = choose_packs(candidates, brief_pdf_bytes=140 * KB, max_ratio=1.5)
    assert [s.key for s in choice.skipped] == ["bundle:country:big"]
    assert "every brief of it is in another pack" in choice.skipped[0].reason
    assert "bundle:country:own" in [c.key for c in choice.chosen]  # its brief is in no other pack


def test_skipped_packs_that_fit_afterwards_are_taken_back_smallest_first() -> None:
    candidates = [pack("bundle:theme:a", "p q r s"), pack("bundle:country:x", "p"),
                  pack("bundle:country:big", "p q r s v")]
    # 80 + 20 + 100 = 200 kB; budget 1.2 x 100 kB = 120 kB. Every brief of x and of a is
    # elsewhere: x goes first (a country pack), then a (80 kB); that leaves room for x again.
    choice = choose_packs(candidates, brief_pdf_bytes=100 * KB, max_ratio=1.2)
    assert [c.key for c in choice.chosen] == ["bundle:country:x", "bundle:country:big"]
    assert [s.key for s in choice.skipped] == ["bundle:theme:a"]
    assert choice.total == choice.limit == 120 * KB
    for skipped in choice.skipped:  # whatever was skipped did not fit in what was left
        assert choice.total + skipped.candidate.size > choice.limit


def test_theme_packs_are_kept_before_country_packs_of_equal_use() -> None:
    candidates = [pack("bundle:theme:a", "p q"), pack("bundle:theme:b", "r s"),
                  pack("bundle:country:x", "p r"), pack("bundle:country:y", "q s")]
    choice = choose_packs(candidates, brief_pdf_bytes=80 * KB, max_ratio=1)
    assert [c.key for c in choice.chosen] == ["bundle:theme:a", "bundle:theme:b"]


def test_a_pack_larger_than_the_whole_budget_is_skipped_the_rest_kept() -> None:
    candidates = [pack("bundle:theme:a", "a b", 20 * KB),
                  PackCandidate("bundle:theme:huge", ("c",), 400, 5_000 * KB)]
    choice = choose_packs(candidates, brief_pdf_bytes=100 * KB)
    assert [c.key for c in choice.chosen] == ["bundle:theme:a"]
    assert [s.key for s in choice.skipped] == ["bundle:theme:huge"]
    assert "5.0 MB" in choice.skipped[0].reason and "300 kB" in choice.skipped[0].reason


def test_ratio_zero_none_and_bad_input() -> None:
    candidates = [pack("bundle:theme:a", "x"), pack("bundle:theme:b", "y")]
    assert choose_packs(candidates, 40 * KB, max_ratio=0).chosen == []
    assert len(choose_packs(candidates, 40 * KB, max_ratio=0).skipped) == 2
    assert choose_packs(candidates, 0, max_ratio=None).chosen == candidates
    assert choose_packs(candidates, 0, max_ratio=math.inf).chosen == candidates
    assert choose_packs([], 0).chosen == []
    with pytest.raises(ValueError, match="packs_max_ratio"):
        choose_packs(candidates, 40 * KB, max_ratio=-1)
    with pytest.raises(ValueError, match="packs_max_ratio"):
        choose_packs(candidates, 40 * KB, max_ratio=math.nan)
    with pytest.raises(ValueError, match="bundle:theme:a"):
        choose_packs([candidates[0], candidates[0]], 40 * KB)
    with pytest.raises(ValueError, match="negative"):
        choose_packs([PackCandidate("k", ("x",), 4, -1)], 40 * KB)


def _scale_corpus(n_briefs: int = 200, n_countries: int = 50, per_brief: int = 50,
                  n_themes: int = 14, seed: int = 11) -> tuple[list[PackCandidate], int]:
    """The issue's case: 200 briefs with 50 countries each (and 2 themes each)."""
    rng = random.Random(seed)
    sizes = {f"b{i:03d}": rng.randint(15 * KB, 35 * KB) for i in range(n_briefs)}
    by_key: dict[str, list[str]] = {}
    for slug in sizes:
        for theme in rng.sample(range(n_themes), 2):
            by_key.setdefault(f"bundle:theme:t{theme:02d}", []).append(slug)
        for country in rng.sample(range(n_countries + 200), per_brief):
            by_key.setdefault(f"bundle:country:c{country:03d}", []).append(slug)
    candidates = [PackCandidate(k, tuple(v), 4 * len(v), sum(sizes[s] for s in v))
                  for k, v in sorted(by_key.items())]
    return candidates, sum(sizes.values())


def test_the_issues_scale_stays_within_three_times_the_brief_pdfs_quickly() -> None:
    candidates, briefs = _scale_corpus()
    assert sum(c.size for c in candidates) > 40 * briefs  # ~52x today
    started = time.perf_counter()
    choice = choose_packs(candidates, briefs)
    assert time.perf_counter() - started < 5
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
