"""Refuse a pack output path that would overwrite the project's own inputs.

``briefs bundle -o briefs/moz/moz-a.md`` used to replace the brief with PDF bytes. A pack
may not be written inside the content folder (briefs, vocabularies, images and
attachments live there) or the bundle files' folder, nor onto any input file (the bundle
file, a brief, ``mkdocs.yml``), whether named directly, through a symbolic link or as a
hard link. Its name must end in ``.pdf`` (so no other kind of file is ever replaced, and
the file says what it is), and an existing file there must be a regular file: the pack
is renamed into place, which would replace a device such as ``/dev/null`` or a FIFO.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from site_builder.findings import BriefsError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _shown(path: Path) -> str:
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def check_output(output: Path, content_root: Path, inputs: Iterable[Path],
                 folders: Iterable[Path] = ()) -> None:
    """Raise :class:`BriefsError` if writing ``output`` could overwrite an input (or
    anything inside ``folders``, e.g. the bundle files' folder) or anything but a PDF."""
    target = output.resolve()
    for folder, what in [(content_root, "the content folder"),
                         *((f, "the folder") for f in folders)]:
        root = folder.resolve()
        if target == root or target.is_relative_to(root):
            raise BriefsError(f"refusing to write the pack to {output}: it is inside {what} "
                              f"{_shown(folder)}/, which holds the project's inputs; choose a "
                              "path outside it")
    for source in inputs:
        if target == source.resolve() or (output.exists() and _same_file(output, source)):
            raise BriefsError(f"refusing to write the pack to {output}: that is the input file "
                              f"{_shown(source)}; choose another path")
    if output.suffix.lower() != ".pdf":
        raise BriefsError(f"refusing to write the pack to {output}: a pack is a PDF, so its "
                          "name must end in .pdf")
    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = None  # not there yet (or a dangling link: the rename replaces the link)
    if mode is not None and not stat.S_ISREG(mode):
        raise BriefsError(f"refusing to write the pack to {output}: it exists and is not a "
                          "regular file (a folder, device or pipe); choose another path")
