"""Refuse a pack output path that would overwrite the project's own inputs.

``briefs bundle -o briefs/moz/moz-a.md`` used to replace the brief with PDF bytes. A pack
may not be written inside the content folder (briefs, vocabularies, images and
attachments live there) nor onto any input file (the bundle file, a brief, ``mkdocs.yml``),
whether named directly, through a symbolic link or as a hard link.
"""

from __future__ import annotations

import os
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


def check_output(output: Path, content_root: Path, inputs: Iterable[Path]) -> None:
    """Raise :class:`BriefsError` if writing ``output`` could overwrite an input."""
    target = output.resolve()
    root = content_root.resolve()
    if target == root or target.is_relative_to(root):
        raise BriefsError(f"refusing to write the pack to {output}: it is inside the content "
                          f"folder {_shown(content_root)}/, where briefs and their files live; "
                          "choose a path outside it")
    for source in inputs:
        if target == source.resolve() or (output.exists() and _same_file(output, source)):
            raise BriefsError(f"refusing to write the pack to {output}: that is the input file "
                              f"{_shown(source)}; choose another path")
