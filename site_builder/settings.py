"""Project settings: the ``briefs`` plugin block of ``mkdocs.yml`` as a typed object.

The options are declared here once (each a typed field with a docstring under it); the
MkDocs plugin's configuration scheme and the CLI are made from this declaration. The
core reads only :class:`Settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from site_builder.findings import BriefsError
from site_builder.theme_files import ThemeFiles
from site_builder.urls import absolute

Overflow = Literal["error", "warn", "fit"]


@dataclass(frozen=True)
class PdfSettings:
    """How brief PDFs are rendered."""

    enabled: bool = True
    """Render a PDF for every published brief."""
    pages: int = 4
    """The page budget: every brief PDF has exactly this many pages."""
    overflow: Overflow = "error"
    """What a brief longer than the budget is: an error (fails the build), a warning, or
    ``fit``: tighten the layout in small bounded steps until it fits, with a warning naming
    the step (see :mod:`site_builder.pdf.fit`); an error when no step makes it fit."""
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    timeout: float = 120.0
    """Seconds one brief may take to render before it fails alone."""


@dataclass(frozen=True)
class Settings:
    """Everything the core needs to know about a project."""

    project_dir: Path = field(default_factory=Path.cwd, metadata={"site": True})
    briefs_dir: str = "briefs"
    """Content folder, relative to the project."""
    site_name: str = field(default="Country briefs", metadata={"site": True})
    """mkdocs.yml's ``site_name``."""
    site_url: str = field(default="", metadata={"site": True})
    """Public URL of the site, used in citations, feeds and PDFs (mkdocs.yml's ``site_url``)."""
    site_description: str = field(default="", metadata={"site": True})
    """mkdocs.yml's ``site_description``: the home page's lead."""
    language: str = field(default="en", metadata={"site": True})
    """The site's language (mkdocs.yml's ``theme.language``): its words and dates."""
    custom_dir: Path | None = field(default=None, metadata={"site": True})
    """The project's override folder (mkdocs.yml's ``theme.custom_dir``), absolute."""
    series: str = "Social Protection Floors country briefs"
    """Series name printed on briefs that do not set ``series``."""
    publisher: str = "Social Protection Floors Programme"
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    cache_dir: str = ".cache/briefs"
    bundles_dir: str = "bundles"
    """Folder of bundle files (``bundles/<name>.yml``), relative to the project."""
    bundles: bool = True
    """Build the theme, country and bundle-file packs with the site."""
    search: bool = True
    """Index the built site with Pagefind."""
    packs_max_ratio: float | None = 3.0
    """The automatic theme and country packs may total at most this many times the size of
    the brief PDFs (the least useful are skipped, with a note); null for no limit."""
    pdf: PdfSettings = field(default_factory=PdfSettings)
    """How brief PDFs are rendered (a mapping, or false to switch them off)."""

    @property
    def content_root(self) -> Path:
        """Absolute path of the briefs folder."""
        return (self.project_dir / self.briefs_dir).resolve()

    @property
    def cache_root(self) -> Path:
        """Absolute path of the render cache."""
        return (self.project_dir / self.cache_dir).resolve()

    def url_for(self, path: str) -> str:
        """Return the absolute public URL of a site path like ``briefs/x/``."""
        return absolute(self.site_url, path)

    @property
    def theme(self) -> ThemeFiles:
        """The theme's files: the package's, each overridable from ``custom_dir``."""
        return ThemeFiles(self.custom_dir)

    @property
    def jobs(self) -> int:
        """Worker processes to use for PDF rendering."""
        return self.pdf.jobs or os.cpu_count() or 1


class _TolerantLoader(yaml.SafeLoader):
    """Safe loader that reads MkDocs' ``!!python/name:`` and ``!ENV`` tags as plain text."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("", _any_tag)


def _plugin_block(config: dict[str, Any]) -> dict[str, Any]:
    for entry in config.get("plugins") or []:
        if isinstance(entry, dict) and "briefs" in entry:
            return dict(entry["briefs"] or {})
    return {}


def option_names() -> list[str]:
    """Return the names of the plugin's options (``briefs:`` in mkdocs.yml), in declared order."""
    return [f.name for f in fields(Settings) if not f.metadata.get("site")]


def _site_keys(project_dir: Path, site: dict[str, Any]) -> dict[str, Any]:
    """Return the settings that come from mkdocs.yml's own keys (site_name, theme...)."""
    theme = site.get("theme") if isinstance(site.get("theme"), dict) else {}
    custom = theme.get("custom_dir") if theme else None
    language = str((theme or {}).get("language") or "en")
    return {
        "site_name": str(site.get("site_name") or Settings.site_name),
        "site_url": str(site.get("site_url") or ""),
        "site_description": str(site.get("site_description") or ""),
        "language": language,
        "custom_dir": (project_dir / str(custom)).resolve() if custom else None,
    }


def settings_from_options(project_dir: Path, site: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Build settings from mkdocs.yml's top-level keys and the plugin's option block."""
    known = set(option_names()) - {"pdf"}
    unknown = set(options) - known - {"pdf"}
    if unknown:
        raise BriefsError(f"mkdocs.yml: unknown option(s) for the briefs plugin: {', '.join(sorted(unknown))}")
    pdf_opts = options.get("pdf", {})
    if isinstance(pdf_opts, bool):
        pdf_opts = {"enabled": pdf_opts}
    pdf_known = {f.name for f in fields(PdfSettings)}
    if set(pdf_opts) - pdf_known:
        bad = ", ".join(sorted(set(pdf_opts) - pdf_known))
        raise BriefsError(f"mkdocs.yml: unknown option(s) under briefs.pdf: {bad}")
    pdf = PdfSettings(**pdf_opts)
    if pdf.overflow not in ("error", "warn", "fit"):
        raise BriefsError("mkdocs.yml: briefs.pdf.overflow must be 'error', 'warn' or 'fit', "
                          f"not {pdf.overflow!r}")
    if not isinstance(pdf.pages, int) or pdf.pages < 1:
        raise BriefsError(f"mkdocs.yml: briefs.pdf.pages must be a positive whole number, not {pdf.pages!r}")
    for name, value in options.items():
        if name in known and value is not None and not _has_type(value, getattr(Settings, name)):
            kind = type(getattr(Settings, name))
            raise BriefsError(f"mkdocs.yml: briefs.{name} must be {_type_name(kind)}, "
                              f"not {value!r}")
    return Settings(
        project_dir=project_dir.resolve(),
        pdf=pdf,
        **_site_keys(project_dir.resolve(), site),
        **{k: v for k, v in options.items() if k in known},
    )


def _has_type(value: object, default: object) -> bool:
    """Tell whether an option's value has its default's type (any number for a float)."""
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _type_name(kind: type) -> str:
    names = {bool: "true or false", str: "text", int: "a whole number", float: "a number"}
    return names.get(kind, kind.__name__)


def load_settings(project_dir: Path | None = None) -> Settings:
    """Read ``mkdocs.yml`` of a project (or defaults when there is none)."""
    project_dir = (project_dir or Path.cwd()).resolve()
    config_file = project_dir / "mkdocs.yml"
    if not config_file.exists():
        return Settings(project_dir=project_dir)
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except yaml.YAMLError as exc:
        raise BriefsError(f"mkdocs.yml: cannot be read as YAML: {exc}") from None
    return settings_from_options(project_dir, config, _plugin_block(config))


def with_pdf(settings: Settings, **changes: Any) -> Settings:
    """Return settings with some PDF options changed (e.g. ``enabled=False``)."""
    return replace(settings, pdf=replace(settings.pdf, **changes))
