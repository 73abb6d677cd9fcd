"""Search index shards kept from the last build, so an unchanged shard is not indexed again.

A site of more than ``search_shard_pages`` brief pages is indexed in shards, each by a
Pagefind service of its own, then merged (:class:`~site_builder.search_service.ShardedIndexer`).
What Pagefind makes of a shard depends only on the pages handed to it, in order (each
page's URL and what Pagefind reads of its HTML), on its configuration and on the versions
of Pagefind and of this package: all of it is in the shard's key (:class:`ShardKey`). So
after one brief changed, only its shard is indexed again; the others' files come from
here, and the merge, which orders what Pagefind leaves in no fixed order, makes the same
index of them as of shards indexed afresh.

Each shard is one file, ``<key>.json``, whose first line is the SHA-256 of the rest: a
file that does not match is damaged (a warning; the shard is indexed again). The shards of
the last build are kept, the others removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.cache_store import LOGGER, sha256_hex
from site_builder.files import write_atomic
from site_builder.up_to_date import library_versions

SCHEMA = "search-shard-1"
"""In every key: shards of another layout are never read."""

Files = list[tuple[str, bytes]]
"""A shard's index files: path inside the shard's folder, and bytes."""


class ShardKey:
    """The key of one shard, taken page by page as its pages are added."""

    def __init__(self, config: dict[str, Any]) -> None:
        """Start the key of a shard indexed with Pagefind configuration ``config``."""
        self._hash = hashlib.sha256(json.dumps(
            [SCHEMA, __version__, library_versions(), config], sort_keys=True).encode())

    def add(self, url: str, html: str) -> None:
        """Add one page, as Pagefind gets it."""
        for part in (url.encode("utf-8", "surrogatepass"), html.encode("utf-8", "surrogatepass")):
            self._hash.update(len(part).to_bytes(8, "big"))
            self._hash.update(part)

    def hexdigest(self) -> str:
        """The key, once every page is added."""
        return self._hash.hexdigest()


class ShardCache:
    """The verified search index shards of the last build, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._used: set[str] = set()

    def holds_any(self) -> bool:
        """Whether an earlier build left shards here (else no build needs to wait for a key)."""
        with contextlib.suppress(OSError):
            return any(self.folder.glob("*.json"))
        return False

    def holds(self, key: str) -> bool:
        """Whether a shard ``key`` is kept (not yet whether it is sound: see :meth:`get`)."""
        return (self.folder / f"{key}.json").is_file()

    def get(self, key: str) -> Files | None:
        """Return the files of the shard ``key``, or None (not kept, or damaged)."""
        self._used.add(key)
        try:
            data = (self.folder / f"{key}.json").read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return _damaged(key, f"it cannot be read ({exc})")
        digest, _, body = data.partition(b"\n")
        if sha256_hex(body).encode() != digest:
            return _damaged(key, "it does not match its hash")
        try:
            stored = json.loads(body)
            if stored.get("schema") != SCHEMA:
                return None
            return [(str(path), base64.b64decode(content, validate=True))
                    for path, content in stored["files"]]
        except (ValueError, TypeError, KeyError, AttributeError):
            return _damaged(key, "it is not what this version writes")

    def put(self, key: str, files: Files) -> None:
        """Keep the files of the shard ``key`` for the next build (best effort)."""
        self._used.add(key)
        body = json.dumps({"schema": SCHEMA, "files": [
            [path, base64.b64encode(content).decode("ascii")] for path, content in files]},
            separators=(",", ":")).encode()
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / f"{key}.json", sha256_hex(body).encode() + b"\n" + body)

    def keep_used(self) -> None:
        """Remove the shards this build did not use."""
        with contextlib.suppress(OSError):
            for old in self.folder.glob("*.json"):
                if old.stem not in self._used:
                    old.unlink()


def _damaged(key: str, why: str) -> Files | None:
    LOGGER.warning("cache: the cached search index shard %s… is damaged: %s; indexing it "
                   "again", key[:12], why)
    return None
