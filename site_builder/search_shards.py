"""How a site's search index is split into shards, each a Pagefind index of its own.

Pagefind builds an index in memory when it writes it: about 0.2 MB a page on top of some
150 MB (2.1 GB at 10,000 brief pages). A language with more brief pages than
``search_shard_pages`` has them split, in the order MkDocs renders them, into shards of
near-equal size. Shard ``k`` of every language goes to one Pagefind service, written to
:func:`shard_folder` (``pagefind/`` for the first, ``pagefind/shard-<k>/`` for the others);
the services write their indexes one after another, each as soon as its pages are in, so
no more than one index is ever built in memory at a time. The search page merges the
shards in the reader's browser (Pagefind's ``mergeIndex``: the first shard's script and
WebAssembly serve them all, and each further shard costs a first search its entry file and
its share of the metadata).

A site within the limit has one shard: ``pagefind/``, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def shard_folder(shard: int) -> str:
    """Return the site folder of shard ``shard``: ``pagefind`` for the first."""
    return "pagefind" if shard == 0 else f"pagefind/shard-{shard}"


def shard_sizes(pages: int, limit: int) -> tuple[int, ...]:
    """Split ``pages`` into the fewest shards of at most ``limit`` pages, sizes within one."""
    if pages <= 0:
        return ()
    count = -(-pages // max(limit, 1))
    size, larger = divmod(pages, count)
    return tuple(size + 1 if k < larger else size for k in range(count))


@dataclass(frozen=True)
class ShardPlan:
    """How many brief pages of each language go to each shard."""

    sizes: Mapping[str, tuple[int, ...]]
    """Language (as the brief pages' ``<html lang>``) to its pages in each of its shards."""

    @classmethod
    def of(cls, pages: Mapping[str, int], limit: int) -> ShardPlan:
        """Plan ``pages`` brief pages per language in shards of at most ``limit`` pages."""
        return cls({lang: shard_sizes(n, limit) for lang, n in sorted(pages.items()) if n > 0})

    def shards(self, language: str) -> int:
        """Return how many shards hold ``language``'s pages (one, for a language with none)."""
        return len(self.sizes.get(language, ())) or 1

    @property
    def count(self) -> int:
        """Return how many shards (Pagefind services) the site has."""
        return max((len(sizes) for sizes in self.sizes.values()), default=1)

    def shard_of(self, language: str, position: int) -> int:
        """Return the shard of ``language``'s page number ``position`` (from 0, render order)."""
        end = 0
        sizes = self.sizes.get(language, ())
        for shard, size in enumerate(sizes):
            end += size
            if position < end:
                return shard
        raise ValueError(f"search index: page {position + 1} of language {language!r} "
                         f"was not planned ({end} were)")

    def pages_in(self, shard: int) -> int:
        """Return how many pages shard ``shard`` holds, every language together."""
        return sum(sizes[shard] for sizes in self.sizes.values() if shard < len(sizes))
