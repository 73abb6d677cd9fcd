"""``briefs init DIR``: write a new, minimal project that ``briefs build`` builds.

The files come from the package's ``project_template/`` folder (mkdocs.yml, the two
vocabularies, one example brief, a bundle file and an About page), so another
organisation can start its own collection without this repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from site_builder.findings import BriefsError

TEMPLATE = Path(__file__).resolve().parent / "project_template"
_RENAMES = {"gitignore.txt": ".gitignore"}


def init_project(target: Path) -> list[Path]:
    """Write the project skeleton into ``target`` (new or empty); return the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BriefsError(f"{target} exists and is not an empty folder: choose a new one")
    written = []
    for source in sorted(p for p in TEMPLATE.rglob("*") if p.is_file()):
        rel = source.relative_to(TEMPLATE)
        dest = target / rel.parent / _RENAMES.get(rel.name, rel.name)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        except OSError as exc:
            raise BriefsError(f"cannot write {dest}: {exc.strerror or exc}") from None
        written.append(dest)
    return written
