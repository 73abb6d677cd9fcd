"""A size budget for the automatic packs (one per theme, one per country).

Every brief is in one pack per theme and per country it is tagged with, so a corpus
whose briefs name many countries makes packs many times the size of its brief PDFs (200
briefs with 50 countries each: 169 MB of packs beside 4.7 MB of PDFs). :func:`choose_packs`
keeps the automatic packs within ``max_ratio`` times the brief PDFs, skipping the least
useful first:

1. a pack with the same briefs as another chosen pack (its download is a copy; a theme
   pack is kept rather than a country pack),
2. then the pack whose briefs are most covered by the other chosen packs (it adds the
   least that cannot be had elsewhere); among equals a country pack before a theme pack
   (themes are how the collection is organised), then the largest first;

and then takes back, smallest first, any skipped pack that still fits. Pure: no files are
read, nothing is rendered; the estimate of a pack is the sum of its briefs' PDF sizes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from site_builder.downloads import PackKey, ThemePack

DEFAULT_MAX_RATIO = 3.0
"""Automatic packs may total at most this many times the size of the brief PDFs."""


@dataclass(frozen=True)
class PackCandidate:
    """An automatic pack the site could make."""

    key: PackKey
    """e.g. ``ThemePack("health")``, ``CountryPack("MOZ")``."""
    slugs: tuple[str, ...]
    """Its briefs (order does not matter here)."""
    pages: int
    """Pages of its briefs (an estimate of its length)."""
    size: int
    """Estimated bytes: the sum of its briefs' PDF sizes."""


@dataclass(frozen=True)
class SkippedPack:
    """A pack left out, and why (for the build summary and the log)."""

    candidate: PackCandidate
    reason: str

    @property
    def key(self) -> PackKey:
        """The skipped pack's key."""
        return self.candidate.key


@dataclass(frozen=True)
class PackChoice:
    """What :func:`choose_packs` decided."""

    chosen: list[PackCandidate]
    """In the order given."""
    skipped: list[SkippedPack] = field(default_factory=list)
    """In the order given."""
    limit: int | None = None
    """The budget in bytes (None: no limit)."""

    @property
    def total(self) -> int:
        """Estimated bytes of the chosen packs."""
        return sum(c.size for c in self.chosen)


def choose_packs(candidates: Sequence[PackCandidate], brief_pdf_bytes: int,
                 max_ratio: float | None = DEFAULT_MAX_RATIO) -> PackChoice:
    """Choose the automatic packs to make so they total at most ``max_ratio`` × ``brief_pdf_bytes``.

    ``candidates`` are the theme and country packs (bundle-file packs are asked for by
    name: always make them, outside this budget). ``max_ratio`` None (or infinite) means no
    limit; 0 makes no automatic pack. When everything fits, everything is chosen. Otherwise
    packs are skipped, least useful first (see the module's docstring), until the rest
    fits; then skipped packs that fit in what is left are taken back, smallest first.
    Deterministic: ties go by key. Raise ValueError for a negative ratio or size, or two
    candidates with one key.
    """
    _check(candidates, brief_pdf_bytes, max_ratio)
    if max_ratio is None or math.isinf(max_ratio):
        return PackChoice(list(candidates))
    limit = math.floor(max_ratio * brief_pdf_bytes)
    if sum(c.size for c in candidates) <= limit:
        return PackChoice(list(candidates), limit=limit)
    kept = {c.key: c for c in candidates}
    reasons: dict[PackKey, str] = {}
    covered = Counter(s for c in candidates for s in set(c.slugs))
    total = sum(c.size for c in candidates)
    while total > limit and kept:
        victim, reason = _least_useful(list(kept.values()), covered)
        del kept[victim.key]
        covered.subtract(set(victim.slugs))
        total -= victim.size
        reasons[victim.key] = reason
    for candidate in sorted((c for c in candidates if c.key in reasons),
                            key=lambda c: (c.size, str(c.key))):
        if total + candidate.size <= limit:
            kept[candidate.key] = candidate
            total += candidate.size
            del reasons[candidate.key]
    budget = (f"the automatic packs may total {_mb(limit)} ({max_ratio:g}× the "
              f"{_mb(brief_pdf_bytes)} of brief PDFs; setting packs_max_ratio)")
    return PackChoice(
        [c for c in candidates if c.key in kept],
        [SkippedPack(c, f"{reasons[c.key]}: {budget}") for c in candidates if c.key in reasons],
        limit,
    )


def _least_useful(kept: list[PackCandidate], covered: Counter[str]) -> tuple[PackCandidate, str]:
    """Return the chosen pack to skip next, and why."""
    by_briefs: dict[frozenset[str], list[PackCandidate]] = {}
    for candidate in kept:
        by_briefs.setdefault(frozenset(candidate.slugs), []).append(candidate)
    copies = [group for group in by_briefs.values() if len(group) > 1]
    if copies:
        # Of packs with the same briefs, keep a theme pack (else the first by key); skip the
        # largest other one.
        pairs = [(max(group[1:], key=_largest), group[0]) for group in
                 (sorted(g, key=_priority) for g in copies)]
        victim, twin = max(pairs, key=lambda pair: _largest(pair[0]))
        return victim, f"same briefs as {twin.key}"
    victim = max(kept, key=lambda c: (_redundancy(c, covered), _priority(c)[0], c.size, str(c.key)))
    share = _redundancy(victim, covered)
    if share >= 1.0:
        reason = (f"every brief of it is in another pack, and it is the largest such "
                  f"({_mb(victim.size)}; country packs go before theme packs)")
    elif share > 0:
        reason = (f"{round(share * 100)}% of its briefs are in other packs, the most of any "
                  f"pack ({_mb(victim.size)})")
    else:
        reason = f"the largest pack ({_mb(victim.size)}) and over the budget"
    return victim, reason


def _priority(candidate: PackCandidate) -> tuple[int, str]:
    """Sort key of the twin to keep: theme packs first (a theme page is where packs are sought)."""
    return (0 if isinstance(candidate.key, ThemePack) else 1), str(candidate.key)


def _largest(candidate: PackCandidate) -> tuple[int, str]:
    return candidate.size, str(candidate.key)


def _redundancy(candidate: PackCandidate, covered: Counter[str]) -> float:
    """Return the share of a pack's briefs that other chosen packs also hold (0 to 1)."""
    slugs = set(candidate.slugs)
    if not slugs:
        return 1.0
    return sum(1 for s in slugs if covered[s] > 1) / len(slugs)


def _check(candidates: Sequence[PackCandidate], brief_pdf_bytes: int, max_ratio: float | None) -> None:
    if max_ratio is not None and (math.isnan(max_ratio) or max_ratio < 0):
        raise ValueError(f"packs_max_ratio must be a number of 0 or more, not {max_ratio}")
    if brief_pdf_bytes < 0:
        raise ValueError("the size of the brief PDFs cannot be negative")
    keys = Counter(c.key for c in candidates)
    twice = sorted(str(k) for k, n in keys.items() if n > 1)
    if twice:
        raise ValueError(f"two candidate packs with the key {twice[0]}")
    negative = [c.key for c in candidates if c.size < 0]
    if negative:
        raise ValueError(f"pack {negative[0]} has a negative size")


def _mb(size: int) -> str:
    """Show a size in MB with one decimal (in kB under 1 MB)."""
    return f"{size / 1000:.0f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"
