"""Where the theme's files are: the package's own, or a project's override of each.

The package ships the whole theme (``site_builder/theme/``): Jinja templates,
mkdocs-material overrides, CSS, fonts and the search UI. A project overrides any file by
putting one at the same relative path in its override folder (mkdocs.yml's
``theme.custom_dir``), the way mkdocs-material's ``custom_dir`` works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "theme"
"""The package's theme folder."""
TEMPLATES = "templates"
"""Subfolder of the Jinja templates the core renders (pages, feeds, PDFs, packs)."""
MATERIAL = "material"
"""Subfolder of the package's mkdocs-material overrides (``main.html``, partials)."""
LOCALES = "locales"
"""Subfolder of an override folder with the project's own message catalogues."""


@dataclass(frozen=True)
class ThemeFiles:
    """The theme of one project: the package's files, each overridable."""

    override: Path | None = None
    """The project's override folder, or None."""

    def find(self, rel: str) -> Path:
        """Return the file at ``rel`` (e.g. ``print/brief.css``): the override's, else ours."""
        if self.override is not None:
            own = self.override / rel
            if own.is_file():
                return own
        return BUILTIN / rel

    @property
    def template_dirs(self) -> list[Path]:
        """Folders the template loader searches, the override first."""
        dirs = [BUILTIN / TEMPLATES]
        if self.override is not None:
            dirs.insert(0, self.override)
        return dirs

    @property
    def roots(self) -> tuple[Path, ...]:
        """Folders a renderer may read theme files from (the override first)."""
        roots = [BUILTIN]
        if self.override is not None and self.override.is_dir():
            roots.insert(0, self.override.resolve())
        return tuple(roots)

    @property
    def fonts_dir(self) -> Path:
        """The fonts every page and PDF uses (an override folder's ``fonts/`` if it has one)."""
        if self.override is not None and any((self.override / "fonts").glob("*.[ot]tf")):
            return self.override / "fonts"
        return BUILTIN / "fonts"

    def site_assets(self) -> dict[str, Path]:
        """Return the site's own files: everything under ``assets/`` (CSS, search UI, WOFF2 fonts).

        The web fonts are the WOFF2 subsets in ``assets/fonts/`` (made by
        ``tools/make_web_fonts.py``); the full TTFs of :attr:`fonts_dir` are for the PDFs only
        and are never published.
        """
        found: dict[str, Path] = {}
        folder = BUILTIN / "assets"
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(BUILTIN).as_posix()
            found[rel] = self.find(rel)
        return found
