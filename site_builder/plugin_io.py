"""What ``briefs build`` hands the MkDocs plugin (:class:`Preset`) and what it gets back (:class:`BuildStats`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from site_builder.findings import Finding
from site_builder.model import Corpus
from site_builder.settings import Settings


@dataclass
class BuildStats:
    """What one build made, for the summary line of ``briefs build``."""

    briefs: int = 0
    themes: int = 0  # themes with at least one published brief
    themes_total: int = 0  # themes in the vocabulary
    countries: int = 0
    pdfs_rendered: int = 0
    pdfs_cached: int = 0
    packs: int = 0
    packs_cached: int = 0  # of ``packs``, taken from the pack cache
    packs_skipped: int = 0  # automatic packs left out by the size budget
    search_pages: int = 0
    search_shards: int = 0  # shards the search index was made of (1: not sharded)
    search_shards_cached: int = 0  # of them, taken from the shard cache
    conversions: int = 0  # brief pages whose Markdown MkDocs needed converted
    conversions_cached: int = 0  # of them, taken from the conversion cache
    conversions_helped: int = 0  # of them, converted by the conversion helper's process


@dataclass
class Preset:
    """What ``briefs build`` already knows, handed to the plugin so it is not redone."""

    settings: Settings
    corpus: Corpus | None = None
    findings: list[Finding] = field(default_factory=list)
    jobs: int | None = None
    progress: bool = False
