"""Make the site's packs while its PDFs render: each as soon as its own briefs' PDFs are in.

A site build renders its brief PDFs on a warm :class:`~site_builder.pdf.pool.WorkerPool`;
:class:`EarlyPacks` orders those renders so that whole packs become ready early (the
briefs of the largest pack first, then those of the next…), and as each PDF lands hands
every pack whose briefs are now all rendered to the same pool, ahead of the remaining
renders. A pack made early goes into the pack cache exactly as
:func:`~site_builder.bundle.build_site_bundles` would make it (the same plan, the same
:func:`~site_builder.bundle.write_pack`), so that the build's own packing step, run after
the last PDF as before, finds it fresh there: the site's packs, the size budget's choice
and their bytes are the same whatever was made early.

The size budget is decided only once every PDF is known; a pack is made early only while
the ready packs fit in the budget the PDFs rendered so far give, so a site whose budget
leaves packs out wastes little work on them. A pack that fails early is simply made
again (and fails the build as before) by the packing step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder.bundle import (
    PACK_OVERHEAD,
    PACKS_FREE_BYTES,
    plan_pack,
    site_bundle_specs,
    vocabulary_of,
    write_pack,
)
from site_builder.bundle.select import select_briefs
from site_builder.cache_store import CacheStore
from site_builder.downloads import FilePack, PackKey
from site_builder.index import Index
from site_builder.pdf.pool import Call
from site_builder.settings import Settings
from site_builder.urls import pack_file

if TYPE_CHECKING:
    from site_builder.bundle import SiteSpec
    from site_builder.pdf.build import PdfInfo
    from site_builder.pdf.pool import WorkerPool


@dataclass
class _Waiting:
    """A pack not started yet, and the briefs it still waits for."""

    spec: SiteSpec
    slugs: tuple[str, ...]
    missing: set[str]


class EarlyPacks:
    """Start each of a site's packs on ``pool`` as soon as its briefs' PDFs are rendered."""

    def __init__(self, indexes: Mapping[str, Index], settings: Settings, out_dir: Path,
                 pool: WorkerPool) -> None:
        self.settings = settings
        self.out_dir = out_dir
        self.pool = pool
        specs = site_bundle_specs(indexes, settings)
        self._vocabulary = vocabulary_of(specs[0][3].corpus) if specs else None
        self._waiting = [_Waiting(spec, slugs, set(slugs)) for spec in specs
                         for slugs in [tuple(b.slug for b in select_briefs(spec[1], spec[3]))]]
        self._known: dict[str, PdfInfo] = {}
        self._ready_bytes = 0  # estimated bytes of the automatic packs made early
        self._store = CacheStore(settings.cache_root / "bundles")
        self.started: list[PackKey] = []
        """The packs handed to the pool, in that order (for the benchmark's timeline)."""

    def order(self) -> list[str]:
        """Return the slugs in the order to render them: the largest pack's briefs first, then the next's…"""
        ordered: dict[str, None] = {}
        for waiting in sorted(self._waiting, key=lambda w: (-len(w.slugs), str(w.spec[0]))):
            ordered.update(dict.fromkeys(waiting.slugs))
        return list(ordered)

    def on_pdf(self, info: PdfInfo) -> None:
        """Take a brief's rendered PDF; start every pack it completes (called by ``render_all``)."""
        self._known[info.slug] = info
        ready = []
        for waiting in self._waiting:
            waiting.missing.discard(info.slug)
            if not waiting.missing:
                ready.append(waiting)
        for waiting in ready:
            self._waiting.remove(waiting)
            self._start(waiting.spec)

    def _start(self, spec: SiteSpec) -> None:
        key, selection, cover, index = spec
        plan = plan_pack(index, self.settings, selection, cover, self.out_dir / pack_file(key),
                         key, known=self._known)
        if not isinstance(key, FilePack):
            size = PACK_OVERHEAD + sum(info.size for slug, info in self._known.items()
                                       if slug in plan.pdfs)
            if not self._fits(size):
                return
            self._ready_bytes += size
        if self._vocabulary is None or self._store.is_fresh(plan.fingerprint, plan.label,
                                                            plan.inputs):
            return  # the packing step takes it from the cache
        self.started.append(key)
        self.pool.submit(Call(write_pack, (plan, self.settings, self._vocabulary, True)),
                         _ignore)

    def _fits(self, size: int) -> bool:
        """Tell whether the packs made early, and one more, fit the budget of the PDFs known so far."""
        ratio = self.settings.packs_max_ratio
        if ratio is None:
            return True
        known = sum(info.size for info in self._known.values())
        return self._ready_bytes + size <= max(ratio * known, PACKS_FREE_BYTES)


def _ignore(ok: bool, value: Any) -> None:
    """A pack made early: it is in the cache; one that failed is made again, and fails, later."""
