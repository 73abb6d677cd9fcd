"""Verified cache entries: nothing read from the cache is trusted until its hashes match.

An entry is ``<stem>.pdf`` (its content, optional) and ``<stem>.json`` (its sidecar). The
sidecar holds the entry's metadata (e.g. page count), the SHA-256 and size of the content,
the SHA-256 of every file the content was made from (``inputs``: the files WeasyPrint
fetched for a brief, the brief PDFs of a pack), and a SHA-256 of all of that.

On reading, an entry whose sidecar does not parse, whose digest does not match (an edited
page count), whose content is missing or does not match its hash (a truncated PDF) is
*damaged*: it is reported with a logged warning naming the entry, and the caller rebuilds
it. An entry whose inputs changed (an image edited since) is merely *stale*: rebuilt
without a warning. Neither is ever returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.files import write_atomic

LOGGER = logging.getLogger("site_builder.cache")
SCHEMA = "verified-entry-1"
"""Written into every sidecar; a sidecar without it (an older version's) is a plain miss."""


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` as hex."""
    return hashlib.sha256(data).hexdigest()


class FileHashes:
    """SHA-256 of files, each read once per run (re-read if its size or mtime changes)."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[tuple[int, int, int], str]] = {}

    def of(self, path: str | os.PathLike[str]) -> str | None:
        """Return the SHA-256 of a regular file, or None when it is missing or unreadable."""
        name = os.fspath(path)
        try:
            info = os.stat(name)
        except OSError:
            return None
        signature = (info.st_size, info.st_mtime_ns, info.st_ino)
        known = self._memo.get(name)
        if known is not None and known[0] == signature:
            return known[1]
        try:
            with open(name, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None
        self._memo[name] = (signature, digest)
        return digest


@dataclass(frozen=True)
class Hit:
    """A verified entry: its metadata and its content (None when it has none)."""

    meta: dict[str, Any]
    data: bytes | None
    inputs: tuple[tuple[str, str], ...] = field(default=())


class CacheStore:
    """Verified entries in one folder (``<stem>.pdf`` + ``<stem>.json``)."""

    def __init__(self, folder: Path, hashes: FileHashes | None = None, suffix: str = ".pdf") -> None:
        self.folder = folder
        self.hashes = hashes or FileHashes()
        self.suffix = suffix

    def data_path(self, stem: str) -> Path:
        """Return where the content of an entry lives (whether or not it exists)."""
        return self.folder / f"{stem}{self.suffix}"

    def sidecar_path(self, stem: str) -> Path:
        """Return where the sidecar of an entry lives."""
        return self.folder / f"{stem}.json"

    def get(self, stem: str, label: str) -> Hit | None:
        """Return the verified entry, or None (a damaged one is logged with ``label``)."""
        try:
            text = self.sidecar_path(stem).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            _damaged(label, f"its sidecar cannot be read ({exc})")
            return None
        try:
            record = json.loads(text)
        except ValueError:
            _damaged(label, f"its sidecar {self.sidecar_path(stem).name} is not valid JSON")
            return None
        if not isinstance(record, dict) or record.get("schema") != SCHEMA:
            LOGGER.debug("cache: %s: entry from an older version, rebuilding it", label)
            return None
        problem = _record_problem(record)
        if problem:
            _damaged(label, problem)
            return None
        data = None
        if record["data_sha256"] is not None:
            try:
                data = self.data_path(stem).read_bytes()
            except OSError:
                _damaged(label, f"its file {self.data_path(stem).name} is missing")
                return None
            if len(data) != record["data_size"] or sha256_hex(data) != record["data_sha256"]:
                _damaged(label, f"{self.data_path(stem).name} does not match its hash "
                         f"({len(data)} bytes, {record['data_size']} expected)")
                return None
        inputs = tuple((str(p), str(h)) for p, h in record["inputs"])
        changed = [p for p, h in inputs if self.hashes.of(p) != h]
        if changed:
            LOGGER.debug("cache: %s: %s changed since, rebuilding it", label, changed[0])
            return None
        return Hit(dict(record["meta"]), data, inputs)

    def put(self, stem: str, meta: Mapping[str, Any], data: bytes | None,
            inputs: Iterable[tuple[str, str]] = ()) -> None:
        """Store an entry: the content first, then the sidecar that makes it a hit."""
        record: dict[str, Any] = {
            "schema": SCHEMA,
            "meta": dict(meta),
            "data_sha256": None if data is None else sha256_hex(data),
            "data_size": None if data is None else len(data),
            "inputs": sorted([str(p), str(h)] for p, h in inputs),
        }
        record["sha256"] = _digest(record)
        if data is not None:
            write_atomic(self.data_path(stem), data)
        write_atomic(self.sidecar_path(stem), json.dumps(record, sort_keys=True, indent=1).encode())

    def _fresh(self, stem: str, label: str, paths: list[str]) -> Hit | None:
        """Return the verified entry if it holds content made from exactly ``paths``."""
        hit = self.get(stem, label)
        if hit is not None and hit.data is not None \
                and sorted(p for p, _ in hit.inputs) == sorted(set(paths)):
            return hit
        return None

    def is_fresh(self, stem: str, label: str, inputs: Iterable[str | os.PathLike[str]] = ()) -> bool:
        """Tell whether :meth:`get_or_make` would return the stored content (made from ``inputs``)."""
        return self._fresh(stem, label, [os.fspath(p) for p in inputs]) is not None

    def get_or_make(self, stem: str, label: str, make: Callable[[], bytes],
                    inputs: Iterable[str | os.PathLike[str]] = ()) -> bytes:
        """Return the verified content of an entry, or ``make()`` it and store it.

        ``inputs`` are the files the content is made from: a hit requires each to have the
        hash it had when the entry was stored.
        """
        paths = [os.fspath(p) for p in inputs]
        hit = self._fresh(stem, label, paths)
        if hit is not None and hit.data is not None:
            return hit.data
        return self.make(stem, make, paths)

    def make(self, stem: str, make: Callable[[], bytes],
             inputs: Iterable[str | os.PathLike[str]] = ()) -> bytes:
        """``make()`` an entry's content and store it, with the hashes of its ``inputs``."""
        data = make()
        hashed = []
        for path in dict.fromkeys(os.fspath(p) for p in inputs):
            digest = self.hashes.of(path)
            if digest is not None:
                hashed.append((path, digest))
        self.put(stem, {}, data, hashed)
        return data


def _digest(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "sha256"}
    return sha256_hex(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())


def _record_problem(record: dict[str, Any]) -> str:
    """Return what is wrong with a parsed sidecar ("" when it is sound)."""
    expected = {"schema", "meta", "data_sha256", "data_size", "inputs", "sha256"}
    if set(record) != expected:
        return "its sidecar has unexpected fields"
    if record["sha256"] != _digest(record):
        return "its sidecar was changed after it was written (its hash does not match)"
    if not isinstance(record["meta"], dict) or not isinstance(record["inputs"], list):
        return "its sidecar is malformed"
    if any(not (isinstance(i, list) and len(i) == 2) for i in record["inputs"]):
        return "its sidecar lists malformed inputs"
    if (record["data_sha256"] is None) != (record["data_size"] is None):
        return "its sidecar is malformed"
    return ""


def _damaged(label: str, why: str) -> None:
    LOGGER.warning("cache: the cached %s is damaged: %s; making it again", label, why)
