"""Pagefind indexes of the shards of one site merged into one index, as Pagefind writes it.

Pagefind builds an index in memory (about 0.2 MB a page), so a large site's brief pages
are indexed in shards, one after another (:class:`~site_builder.search_service.ShardedIndexer`).
Readers get one index all the same: a search loads one chunk of words, not one from
each shard, and results are ranked with the whole collection's word statistics. This
module merges the shards' files, streaming, in the formats of Pagefind 1.5:

- the metadata's page list is the shards' lists one after another: shard ``k``'s page
  ``i`` becomes page ``offset[k] + i``;
- each word's postings (page numbers as deltas, each with its word locations and its
  locations in metadata fields, and its diacritic variants' postings) are joined in shard
  order, the metadata fields renumbered (a shard numbers only the fields its pages have:
  ``-(n + 1)`` marks field ``n``), the words merged in order and
  cut into chunks of about the size Pagefind makes (:data:`CHUNK_BYTES`), each chunk's
  first and last word shortened as Pagefind does;
- filters join their values' page lists; a sort's page order is merged by the value each
  page's fragment repeats in its metadata (:data:`SORT_META`);
- fragments (one per page, named by content) are moved as they are, and so are Pagefind's
  script, UI and each language's WebAssembly, from the shards that have them.

A language's words are merged by two processes at once, each its range of the alphabet
(:func:`_split_word`): the merge runs while the build waits, and most of its time is
decoding and encoding the chunks of words.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import multiprocessing
import shutil
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.findings import BriefsError
from site_builder.pagefind_files import read_cbor, read_cbor_sized, read_fragment, write_cbor

CHUNK_BYTES = 55_000
"""Uncompressed size at which a chunk of words is closed (Pagefind's are 54-59 kB)."""

SORT_META = {"date": "sort"}
"""Sort key (``data-pagefind-sort``) to the metadata field repeating each page's value."""

SPLIT_SHARE = 0.45
"""Share of a language's words merged by the merge's own process, which then merges the
filters and sorts; a forked second process merges the rest meanwhile."""
SPLIT_MINIMUM = 8
"""Chunks a shard must have for its language's words to be split between two processes."""

INDEX_PARTS = ("index", "filter", "fragment")
"""Folders of an index (the rest of a Pagefind folder is its script, WebAssembly and UI)."""


def merge_indexes(output: Path, shards: Sequence[Path]) -> None:
    """Write into ``output`` one index of the Pagefind indexes in ``shards`` (in page order)."""
    try:
        entries = [json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
                   for shard in shards]
    except (OSError, ValueError) as exc:
        raise BriefsError(f"cannot read a search index shard: {exc}") from None
    output.mkdir(parents=True, exist_ok=True)
    for shard in shards:
        _copy_scripts(shard, output)
    merged = {key: value for key, value in entries[0].items() if key != "languages"}
    merged["languages"] = {}
    for language in sorted({lang for entry in entries for lang in entry["languages"]}):
        parts = [(shard, entry["languages"][language]) for shard, entry in zip(shards, entries, strict=True)
                 if language in entry["languages"]]
        merged["languages"][language] = _merge_language(output, language, parts)
    for shard in shards:
        for fragment in sorted((shard / "fragment").glob("*.pf_fragment")):
            (output / "fragment").mkdir(exist_ok=True)
            fragment.replace(output / "fragment" / fragment.name)
    (output / "pagefind-entry.json").write_text(
        json.dumps(merged, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
        encoding="utf-8")


def _copy_scripts(shard: Path, output: Path) -> None:
    """Copy Pagefind's script, WebAssembly and UI files (not the index) from a shard.

    Each shard has the WebAssembly of its own languages (``wasm.es.pagefind``…); the
    files of the same name are the same in every shard.
    """
    for path in sorted(shard.rglob("*")):
        relative = path.relative_to(shard)
        if path.is_dir() or relative.parts[0] in INDEX_PARTS or path.suffix == ".pf_meta" \
                or relative.as_posix() == "pagefind-entry.json" or (output / relative).exists():
            continue
        (output / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, output / relative)


def _merge_language(output: Path, language: str, parts: list[tuple[Path, dict[str, Any]]]
                    ) -> dict[str, Any]:
    """Merge one language's index of each shard; return its entry (hash, page count)."""
    metas = [read_cbor(shard / f"pagefind.{info['hash']}.pf_meta") for shard, info in parts]
    try:
        offsets: list[int] = []
        pages: list[Any] = []
        for meta in metas:
            offsets.append(len(pages))
            pages.extend(meta[1])
        fields = sorted({name for meta in metas for name in meta[5]})
        markers = [{-(n + 1): -(fields.index(name) + 1) for n, name in enumerate(meta[5])}
                   for meta in metas]
        markers = [marks if any(old != new for old, new in marks.items()) else {}
                   for marks in markers]  # empty: the shard numbers its fields as the merge does
        words = WordSource(output / "index", language,
                           [(shard / "index", meta[2]) for (shard, _), meta in
                            zip(parts, metas, strict=True)],
                           list(zip(offsets, markers, strict=True)))
        split = _split_word(metas) if sys.platform.startswith("linux") else None
        with contextlib.ExitStack() as stack:
            rest = None
            if split is not None:  # the words from ``split`` on, merged meanwhile by a fork
                pool = stack.enter_context(ProcessPoolExecutor(
                    1, mp_context=multiprocessing.get_context("fork")))
                rest = pool.submit(words.chunks, split, None)
            chunks = words.chunks(None, split)
            filters = _merge_filters(output / "filter", language,
                                     [(shard / "filter", meta[3]) for (shard, _), meta in
                                      zip(parts, metas, strict=True)], offsets)
            sorts = _merge_sorts([shard for shard, _ in parts], metas, offsets)
            if rest is not None:
                chunks += rest.result()
        merged = [metas[0][0], pages, _bounds(chunks), filters, sorts, fields, *metas[0][6:]]
    except BrokenExecutor:
        raise BriefsError("the second process merging the search index stopped") from None
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise BriefsError(f"unexpected Pagefind index layout ({exc}); pin pagefind 1.5") from None
    name = write_cbor(output, f"pagefind.{language}", ".pf_meta", merged, 10)
    return {**parts[0][1], "hash": name[len("pagefind."):], "page_count": len(pages)}


Shift = tuple[int, dict[int, int]]
"""A shard's page offset and its metadata field markers' merged numbers (empty: the same)."""


Word = tuple[str, int, int, list[Any]]
"""A shard's word entry as merged: (word, shard, its estimated encoded size, the entry)."""


def _split_word(metas: list[list[Any]]) -> str | None:
    """Where a language's words are split between two processes (None: too few to split).

    At :data:`SPLIT_SHARE` of the chunks of the shard with the most: this process merges
    the words before it and then the filters and sorts, the other the words from it on.
    """
    chunks = max((meta[2] for meta in metas), key=len)
    if len(chunks) < SPLIT_MINIMUM:
        return None
    return str(chunks[int(len(chunks) * SPLIT_SHARE)][0])


@dataclass(frozen=True)
class WordSource:
    """One language's words in its shards, merged into chunks a range at a time."""

    output: Path
    """The merged index's chunk folder."""
    language: str
    shards: list[tuple[Path, list[list[str]]]]
    """Each shard's chunk folder and chunk list (``[first, last, file]``, words in order)."""
    shifts: list[Shift]

    def chunks(self, start: str | None, end: str | None) -> list[tuple[str, str, str]]:
        """Write the merged words from ``start`` (None: the first) up to ``end`` (None: past
        the last); return their chunks (first word, last word, file)."""
        return _write_chunks(self.output, self.language,
                             heapq.merge(*(_words(folder, chunks, k, start, end)
                                           for k, (folder, chunks) in enumerate(self.shards))),
                             self.shifts)


def _words(folder: Path, chunks: list[list[str]], shard: int, start: str | None = None,
           end: str | None = None) -> Iterator[Word]:
    """Yield a shard's word entries from ``start`` up to ``end`` in order, one chunk read
    at a time (only the chunks that may hold some).

    An entry's size is estimated as its share of its chunk's size by number of postings (a
    frequent word's entry is most of its chunk); encoding each again to measure it would
    cost as much as the merge.
    """
    for first, last, chunk in chunks:
        # A chunk's bounds are the starts of its first and last words (Pagefind shortens them).
        if end is not None and first >= end:
            return  # its words, and the next chunks', come at or after ``end``
        if start is not None and last < start and not start.startswith(last):
            continue  # every word starting with ``last`` comes before ``start``
        size, data = read_cbor_sized(folder / f"{chunk}.pf_index")
        entries = data[0]
        weights = [1 + len(entry[1]) + sum(len(form[1]) for form in entry[2]) for entry in entries]
        total = max(sum(weights), 1)
        for entry, weight in zip(entries, weights, strict=True):
            word = entry[0]
            if (start is None or word >= start) and (end is None or word < end):
                yield word, shard, size * weight // total, entry


def _joined(postings: list[tuple[Shift, list[list[Any]]]]) -> list[list[Any]]:
    """Join shards' postings (page numbers as deltas from 0) shifted by each shard's offset.

    A posting is [page delta, word locations, metadata locations]; in the last, a negative
    number marks the field the locations after it are in. Page numbers are deltas, so only
    each shard's first posting changes (and the field markers, where a shard numbers them
    otherwise than the merged index).
    """
    joined: list[list[Any]] = []
    previous = 0
    for (offset, markers), shard_postings in postings:
        if not shard_postings:
            continue
        renumber = bool(markers)
        start = len(joined)
        for posting in shard_postings:
            if renumber:
                posting = [posting[0], posting[1],
                           [markers[n] if n < 0 else n for n in posting[2]], *posting[3:]]
            joined.append(posting)
        first = joined[start]
        joined[start] = [offset + first[0] - previous, *first[1:]]
        previous = offset + sum(p[0] for p in shard_postings)
    return joined


def _write_chunks(folder: Path, language: str, words: Iterator[Word],
                  shifts: list[Shift]) -> list[tuple[str, str, str]]:
    """Write the merged words in chunks; return each chunk's first and last word and file."""
    chunks: list[tuple[str, str, str]] = []  # first word, last word, file
    current: list[list[Any]] = []
    size = 0

    def close() -> None:
        nonlocal current, size
        if current:
            chunks.append((current[0][0], current[-1][0],
                           write_cbor(folder, language, ".pf_index", [current], 7)))
        current, size = [], 0

    group: list[tuple[int, list[Any]]] = []
    estimate = 0
    for word, shard, bytes_, entry in itertools.chain(words, [("", -1, 0, [])]):  # the last closes
        if group and (shard < 0 or word != group[0][1][0]):
            current.append(_merged_word(group, shifts))
            size += estimate
            if size >= CHUNK_BYTES:
                close()
            group, estimate = [], 0
        if shard >= 0:
            group.append((shard, entry))
            estimate += bytes_
    close()
    return chunks


def _merged_word(group: list[tuple[int, list[Any]]], shifts: list[Shift]) -> list[Any]:
    """One word's entry from each shard that has it: postings and diacritic variants joined."""
    word = group[0][1][0]
    postings = _joined([(shifts[shard], entry[1]) for shard, entry in group])
    variants: dict[str, list[tuple[Shift, list[list[Any]]]]] = {}
    for shard, entry in group:
        for form, form_postings in entry[2]:
            variants.setdefault(form, []).append((shifts[shard], form_postings))
    return [word, postings, [[form, _joined(lists)] for form, lists in variants.items()]]


def _bounds(chunks: list[tuple[str, str, str]]) -> list[list[str]]:
    """Each chunk's first and last word, shortened to where they differ from the neighbours'."""
    bounds = []
    for n, (first, last, name) in enumerate(chunks):
        if n > 0:
            first = _prefix(first, chunks[n - 1][1])
        if n + 1 < len(chunks):
            last = _prefix(last, chunks[n + 1][0])
        bounds.append([first, last, name])
    return bounds


def _prefix(word: str, neighbour: str) -> str:
    """The shortest start of ``word`` that is not a start of ``neighbour``."""
    common = 0
    while common < min(len(word), len(neighbour)) and word[common] == neighbour[common]:
        common += 1
    return word[:common + 1]


def _merge_filters(folder: Path, language: str, parts: list[tuple[Path, list[list[str]]]],
                   offsets: list[int]) -> list[list[str]]:
    """Join each filter's values' pages; return the metadata's filter list [name, file]."""
    values: dict[str, dict[str, list[int]]] = {}
    for (shard_folder, filters), offset in zip(parts, offsets, strict=True):
        for _name, filter_file in filters:
            name, filter_values = read_cbor(shard_folder / f"{filter_file}.pf_filter")
            into = values.setdefault(name, {})
            for value, pages in filter_values:
                into.setdefault(value, []).extend(offset + page for page in pages)
    return [[name, write_cbor(folder, language, ".pf_filter",
                              [name, [[v, sorted(p)] for v, p in sorted(table.items(),
                                                                       key=lambda i: str(i[0]))]],
                              7)]
            for name, table in sorted(values.items())]


def _merge_sorts(shards: list[Path], metas: list[list[Any]], offsets: list[int]) -> list[list[Any]]:
    """Merge each sort's page order by the value each page's fragment repeats."""
    keys = sorted({key for meta in metas for key, _ in meta[4]})
    merged = []
    for key in keys:
        field = SORT_META.get(key)
        if field is None:
            raise BriefsError(f"cannot merge search shards sorted by {key!r}: its pages do not "
                              "repeat the value in their metadata")
        streams = []
        for shard, (meta, offset) in enumerate(zip(metas, offsets, strict=True)):
            order = dict(meta[4]).get(key, [])
            hashes = [page[0] for page in meta[1]]
            streams.append([(_sort_value(shards[shard], hashes[i], field), shard, n, offset + i)
                            for n, i in enumerate(order)])
        merged.append([key, [page for *_, page in heapq.merge(*streams)]])
    return merged


def _sort_value(shard: Path, page_hash: str, field: str) -> str:
    meta = read_fragment(shard / "fragment" / f"{page_hash}.pf_fragment").get("meta", {})
    if field not in meta:
        raise BriefsError(f"cannot merge search shards: the page of fragment {page_hash} has "
                          f"no {field!r} metadata")
    return str(meta[field])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m site_builder.search_merge OUTPUT SHARD...``: merge, in a process of its own.

    A build runs the merge this way while MkDocs renders its last pages: on the other
    core, in a small process whose cycle collector has nothing to walk. Exit status 1, with
    the reason on standard error, when the merge fails.
    """
    import gc

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m site_builder.search_merge OUTPUT SHARD...", file=sys.stderr)
        return 2
    gc.disable()  # millions of lists and no cycle
    try:
        merge_indexes(Path(args[0]), [Path(arg) for arg in args[1:]])
    except BriefsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot merge the search index shards: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
