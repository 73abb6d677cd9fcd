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
Underfill = Literal["error", "warn", "ignore"]
Marks = Literal["none", "crop"]
IMPOSITIONS = ("a3-fold", "booklet")
"""Impositions of print files: a brief on one folded A3 sheet; a pack as a saddle-stitched booklet."""


@dataclass(frozen=True)
class Partner:
    """A partner shown on a brief's back page: its name and, optionally, its logo."""

    name: str
    logo: str = ""
    """Image file (SVG, PNG or JPEG), relative to the project."""
LOCAL = "local"
"""The ``pdf.scheduler`` (and ``--scheduler``) value that means this machine's process pool."""


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
    underfill: Underfill = "warn"
    """What a brief that leaves a whole page of its budget empty is: a warning, an error or nothing."""
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    timeout: float = 120.0
    """Seconds one brief may take to render before it fails alone."""
    logo: str = ""
    """Logo printed in the masthead of page 1 (SVG, PNG or JPEG), relative to the project."""
    about: str = ""
    """The "About the series" text of the back page (default: a sentence naming the series)."""
    contacts: tuple[str, ...] = ()
    """Lines of the back page's contact block (an address, an e-mail, a web site)."""
    partners: tuple[Partner, ...] = ()
    """Partners on the back page: a list of ``{name: ..., logo: path}`` mappings."""
    scheduler: str = ""
    """Address of a Dask scheduler (``tcp://HOST:8786``) to render the PDFs on, or ``local``
    for this machine; unset: ``DASK_SCHEDULER_ADDRESS``, else this machine. ``--scheduler``
    overrides it. Needs ``pip install 'country-briefs[dask]'``."""


@dataclass(frozen=True)
class PrintSettings:
    """Print files for a print shop (PDF/X-4, CMYK, bleed), made beside the web PDFs."""

    enabled: bool = False
    """Make print files with the site (``pdf/print/<slug>.pdf``, ``bundles/print/...``)."""
    bleed: float = 3.0
    """Bleed around the trimmed page, in millimetres; the masthead and cover bands run into it."""
    marks: Marks = "none"
    """Printer's marks outside the bleed: ``none`` or ``crop``."""
    impose: tuple[str, ...] = ()
    """Impositions to add: ``a3-fold`` (each brief on one A3 sheet), ``booklet`` (each pack
    saddle-stitched); one name or a list."""
    profile: str = ""
    """CMYK output profile (ICC file, relative to the project); default: the shipped one."""
    quantity: str = ""
    """Copies to print, written on the job sheet (empty: a blank to fill in)."""


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
    """The site's default language: the first of ``languages`` (mkdocs.yml's
    ``theme.language`` when ``languages`` is not set); its words and dates."""
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
    search_shard_pages: int = 2500
    """At most this many brief pages in one search index shard: a larger site is indexed
    in shards one after another (Pagefind needs about 0.2 MB a page while it writes an
    index), merged into one index at the end."""
    packs_max_ratio: float | None = 3.0
    """The automatic theme and country packs may total at most this many times the size of
    the brief PDFs (the least useful are skipped, with a note); null for no limit."""
    languages: tuple[str, ...] = ()
    """The site's languages, the default first (``[en, fr, es]``); listing pages exist once
    per language, the default's at the site root, the others' under ``<code>/``. Unset: the
    one language of ``theme.language``."""
    pdf: PdfSettings = field(default_factory=PdfSettings)
    """How brief PDFs are rendered (a mapping, or false to switch them off)."""
    print: PrintSettings = field(default_factory=PrintSettings)
    """Print files (a mapping, or true to make them with the defaults)."""

    def __post_init__(self) -> None:
        if not self.languages:
            object.__setattr__(self, "languages", (self.language,))

    @property
    def other_languages(self) -> tuple[str, ...]:
        """The site's languages besides the default, in declared order."""
        return self.languages[1:]

    @property
    def multilingual(self) -> bool:
        """Whether the site has more than one language."""
        return len(self.languages) > 1

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

    @property
    def scheduler(self) -> str:
        """The Dask scheduler to render PDFs on (``pdf.scheduler``, else ``DASK_SCHEDULER_ADDRESS``); "" for this machine."""
        address = (self.pdf.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS", "")).strip()
        return "" if address == LOCAL else address


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
    blocks = {"pdf", "languages", "print"}
    known = set(option_names()) - blocks
    unknown = set(options) - known - blocks
    if unknown:
        raise BriefsError(f"mkdocs.yml: unknown option(s) for the briefs plugin: {', '.join(sorted(unknown))}")
    pdf = _pdf_settings(options.get("pdf", {}), project_dir)
    print_files = print_settings(_block(options.get("print", {}), PrintSettings, "print"), project_dir)
    shard = options.get("search_shard_pages")
    if shard is not None and (isinstance(shard, bool) or not isinstance(shard, int) or shard < 1):
        raise BriefsError("mkdocs.yml: briefs.search_shard_pages must be a positive whole "
                          f"number, not {shard!r}")
    for name, value in options.items():
        if name in known and value is not None and not _has_type(value, getattr(Settings, name)):
            kind = type(getattr(Settings, name))
            raise BriefsError(f"mkdocs.yml: briefs.{name} must be {_type_name(kind)}, "
                              f"not {value!r}")
    site_keys = _site_keys(project_dir.resolve(), site)
    languages = _languages(options.get("languages"))
    if languages:
        site_keys["language"] = languages[0]
    return Settings(
        project_dir=project_dir.resolve(),
        pdf=pdf,
        languages=languages,
        print=print_files,
        **site_keys,
        **{k: v for k, v in options.items() if k in known},
    )


def _has_type(value: object, default: object) -> bool:
    """Tell whether an option's value has its default's type (any number for a float)."""
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _block(options: Any, kind: type, name: str) -> dict[str, Any]:
    """Return an option block as a dict (true/false means ``enabled``); refuse unknown keys."""
    if options is None:
        return {}
    if isinstance(options, bool):
        return {"enabled": options}
    if not isinstance(options, dict):
        raise BriefsError(f"mkdocs.yml: briefs.{name} must be a mapping or true/false, not {options!r}")
    allowed = {f.name for f in fields(kind)}
    if set(options) - allowed:
        bad = ", ".join(sorted(set(options) - allowed))
        raise BriefsError(f"mkdocs.yml: unknown option(s) under briefs.{name}: {bad}")
    return dict(options)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        choices = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
        raise BriefsError(f"mkdocs.yml: briefs.{name} must be {choices}, not {value!r}")


def _project_file(name: str, value: object, project_dir: Path) -> None:
    if not isinstance(value, str):
        raise BriefsError(f"mkdocs.yml: briefs.{name} must be a file path, not {value!r}")
    if value and not (project_dir / value).is_file():
        raise BriefsError(f"mkdocs.yml: briefs.{name}: no such file: {value}")


def _pdf_settings(options: Any, project_dir: Path) -> PdfSettings:
    opts = _block(options, PdfSettings, "pdf")
    if isinstance(opts.get("contacts"), str):
        opts["contacts"] = [opts["contacts"]]
    if "contacts" in opts:
        if not isinstance(opts["contacts"], list) or not all(isinstance(c, str) for c in opts["contacts"]):
            raise BriefsError("mkdocs.yml: briefs.pdf.contacts must be a list of lines of text")
        opts["contacts"] = tuple(opts["contacts"])
    if "partners" in opts:
        opts["partners"] = tuple(_partner(p, n, project_dir) for n, p in enumerate(opts["partners"] or []))
    pdf = PdfSettings(**opts)
    _choice("pdf.overflow", pdf.overflow, ("error", "warn", "fit"))
    _choice("pdf.underfill", pdf.underfill, ("warn", "error", "ignore"))
    if not isinstance(pdf.pages, int) or pdf.pages < 1:
        raise BriefsError(f"mkdocs.yml: briefs.pdf.pages must be a positive whole number, not {pdf.pages!r}")
    _project_file("pdf.logo", pdf.logo, project_dir)
    if not isinstance(pdf.about, str):
        raise BriefsError(f"mkdocs.yml: briefs.pdf.about must be text, not {pdf.about!r}")
    if not isinstance(pdf.scheduler, str):
        raise BriefsError(f"mkdocs.yml: briefs.pdf.scheduler must be a Dask scheduler's address "
                          f"like tcp://HOST:8786 (or 'local'), not {pdf.scheduler!r}")
    return pdf


def _partner(value: Any, number: int, project_dir: Path) -> Partner:
    where = f"pdf.partners[{number}]"
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) \
            or set(value) - {"name", "logo"}:
        raise BriefsError(f"mkdocs.yml: briefs.{where} must be a mapping with 'name' "
                          f"(and optionally 'logo'), not {value!r}")
    _project_file(f"{where}.logo", value.get("logo", ""), project_dir)
    return Partner(value["name"], value.get("logo", ""))


def _languages(value: Any) -> tuple[str, ...]:
    """Check the ``languages`` option: a non-empty list of distinct ISO 639-1 codes."""
    from site_builder.vocabulary import is_language

    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BriefsError(f"mkdocs.yml: briefs.languages must be a list of language codes such "
                          f"as [en, fr, es], not {value!r}")
    bad = [v for v in value if not is_language(v)]
    if bad:
        raise BriefsError(f"mkdocs.yml: briefs.languages: unknown language code '{bad[0]}' "
                          "(use two-letter ISO 639-1 codes such as en, fr, es)")
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        raise BriefsError(f"mkdocs.yml: briefs.languages lists '{twice[0]}' twice")
    return tuple(value)


def print_settings(options: dict[str, Any], project_dir: Path,
                   where: str = "mkdocs.yml: briefs.print") -> PrintSettings:
    """Check the print options (from mkdocs.yml or the command line) and return them."""
    opts = dict(options)
    impose = opts.get("impose", ())
    opts["impose"] = tuple([impose] if isinstance(impose, str) else impose or ())
    if "quantity" in opts and isinstance(opts["quantity"], int) and not isinstance(opts["quantity"], bool):
        opts["quantity"] = str(opts["quantity"])
    settings = PrintSettings(**opts)
    if not isinstance(settings.enabled, bool):
        raise BriefsError(f"{where}.enabled must be true or false, not {settings.enabled!r}")
    bleed = settings.bleed
    if isinstance(bleed, bool) or not isinstance(bleed, (int, float)) or not 0 <= bleed <= 10:
        raise BriefsError(f"{where}.bleed must be a number of millimetres from 0 to 10, not {bleed!r}")
    if settings.marks not in ("none", "crop"):
        raise BriefsError(f"{where}.marks must be 'none' or 'crop', not {settings.marks!r}")
    for name in settings.impose:
        if name not in IMPOSITIONS:
            raise BriefsError(f"{where}.impose must be 'a3-fold', 'booklet' or a list of them, "
                              f"not {name!r}")
    if not isinstance(settings.profile, str):
        raise BriefsError(f"{where}.profile must be a file path, not {settings.profile!r}")
    if settings.profile and not (project_dir / settings.profile).is_file():
        raise BriefsError(f"{where}.profile: no such file: {settings.profile}")
    if not isinstance(settings.quantity, str):
        raise BriefsError(f"{where}.quantity must be a number or text, not {settings.quantity!r}")
    return replace(settings, bleed=float(bleed), impose=tuple(dict.fromkeys(settings.impose)))


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



def with_print(settings: Settings, **changes: Any) -> Settings:
    """Return settings with some print options changed (checked, e.g. ``marks="crop"``)."""
    options = {**{f.name: getattr(settings.print, f.name) for f in fields(PrintSettings)}, **changes}
    return replace(settings, print=print_settings(options, settings.project_dir, "print options"))
