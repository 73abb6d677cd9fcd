"""What changed on disk since the previous build of ``briefs serve``: file signatures and brief files.

A signature is a file's size, modification time and inode (no content read); a folder's
is a hash of its files' signatures. :class:`RememberedBriefs` loads brief files as
:func:`~site_builder.corpus.load_corpus` does, and returns the very same result for a
file whose signature, folder and vocabulary are as they were: the preview's later stages
then see the same :class:`~site_builder.model.Brief` objects and compare them at once.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from site_builder.body_checks import BriefLink
from site_builder.check_cache import BodyCheckCache
from site_builder.findings import Finding
from site_builder.model import Brief
from site_builder.validate import Vocabulary

Stat = tuple[int, int, int]
Loaded = tuple[Brief | None, list[Finding], list[BriefLink]]


def file_signature(path: str | os.PathLike[str]) -> Stat | None:
    """Return a file's size, modification time and inode (None when it is missing)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def tree_signature(folder: Path, skip_suffix: str = "") -> str:
    """Return a hash of the names and signatures of every file under ``folder``."""
    digest = hashlib.sha256(str(folder).encode())
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            if skip_suffix and name.endswith(skip_suffix):
                continue
            path = os.path.join(root, name)
            digest.update(f"{path}\0{file_signature(path)}\0".encode())
    return digest.hexdigest()


class RememberedBriefs:
    """A brief loader for :func:`~site_builder.corpus.load_corpus` that reuses unchanged files' results.

    A brief is checked against the files of its folder (images, attachments) and the
    vocabularies: a change to any of them, or to the file itself, loads it again.
    """

    def __init__(self) -> None:
        self._known: dict[Path, tuple[tuple[object, ...], Vocabulary, Loaded]] = {}
        self.loaded = 0
        """Files read by the last call (the others were unchanged)."""

    def __call__(self, paths: list[Path], root: Path, vocab: Vocabulary, cwd: Path,
                 cache: BodyCheckCache | None = None) -> list[Loaded]:
        """Return :func:`~site_builder.corpus.load_brief`'s result for each path."""
        from site_builder.corpus import load_brief

        folders: dict[Path, str] = {}
        known: dict[Path, tuple[tuple[object, ...], Vocabulary, Loaded]] = {}
        results: list[Loaded] = []
        self.loaded = 0
        for path in paths:
            if path.parent not in folders:
                folders[path.parent] = tree_signature(path.parent, skip_suffix=".md")
            key = (file_signature(path), folders[path.parent], root, cwd)
            entry = self._known.get(path)
            if entry is None or entry[0] != key or entry[1] != vocab:
                entry = (key, vocab, load_brief(path, root, vocab, cwd, cache))
                self.loaded += 1
            known[path] = entry
            results.append(entry[2])
        self._known = known
        return results
